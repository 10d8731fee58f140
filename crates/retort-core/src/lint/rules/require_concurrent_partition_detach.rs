//! `require-concurrent-partition-detach`: DETACH PARTITION takes ACCESS EXCLUSIVE on the parent.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "require-concurrent-partition-detach",
    summary: "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table",
    help: "Every query on the parent waits. DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+) takes SHARE UPDATE EXCLUSIVE, in a revision marked `-- transactional: false`.",
    severity: Severity::Warning,
    bad: "ALTER TABLE measurements DETACH PARTITION measurements_2020;",
    good: "-- transactional: false\nALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;",
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
        if let Action::DetachPartition {
            concurrently: false,
            at,
        } = a
        {
            out.push(
                Hit::new(
                    *at,
                    format!("partition of {table} detached without CONCURRENTLY"),
                )
                .on(table),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("ALTER TABLE m DETACH PARTITION p").contains(&super::RULE.id));
        assert!(!ids("ALTER TABLE m DETACH PARTITION p FINALIZE").contains(&super::RULE.id));
    }
}
