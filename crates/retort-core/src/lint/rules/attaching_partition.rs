//! `attaching-partition`: ATTACH PARTITION scans the partition.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "attaching-partition",
    summary: "ATTACH PARTITION scans the partition to check its bound while writes to it wait",
    help: "Add a CHECK constraint matching the bound (NOT VALID, then VALIDATE) first: PostgreSQL then skips the scan; drop the check after.",
    severity: Severity::Warning,
    bad: "ALTER TABLE measurements ATTACH PARTITION measurements_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
    good: "ALTER TABLE measurements_2026 ADD CONSTRAINT bound CHECK (at >= '2026-01-01' AND at < '2027-01-01') NOT VALID;",
    kind: Kind::Hazard,
    existing_table_only: true,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    let Some((table, actions)) = alter(stmt) else {
        return;
    };
    for a in actions {
        if let Action::AttachPartition { partition, at } = a {
            let message = format!("{partition} scanned to check it fits {table}");
            out.push(Hit::new(*at, message).on(partition));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn a_partition_made_in_the_revision_is_exempt() {
        let bad = "ALTER TABLE m ATTACH PARTITION p FOR VALUES IN (1)";
        assert!(ids(bad).contains(&super::RULE.id));
        assert!(!ids(&format!("CREATE TABLE p (a int); {bad}")).contains(&super::RULE.id));
    }
}
