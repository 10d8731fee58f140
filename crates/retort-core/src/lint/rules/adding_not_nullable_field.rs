//! `adding-not-nullable-field`: SET NOT NULL scans the whole table under ACCESS EXCLUSIVE.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "adding-not-nullable-field",
    summary: "SET NOT NULL scans the table while reads and writes wait",
    help: "Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it (writes go on), then SET NOT NULL, which PostgreSQL 12+ proves from the check without a scan, and drop the check.",
    severity: Severity::Error,
    bad: "ALTER TABLE t ALTER COLUMN email SET NOT NULL;",
    good: "ALTER TABLE t ADD CONSTRAINT t_email_not_null CHECK (email IS NOT NULL) NOT VALID;",
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
        if let Action::SetNotNull { column, at } = a {
            out.push(
                Hit::new(
                    *at,
                    format!(
                        "SET NOT NULL on {table}.{column} scans the table under ACCESS EXCLUSIVE"
                    ),
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
    fn new_table_is_exempt() {
        let id = super::RULE.id;
        assert!(ids("ALTER TABLE t ALTER c SET NOT NULL").contains(&id));
        assert!(!ids("CREATE TABLE t (c int); ALTER TABLE t ALTER c SET NOT NULL").contains(&id));
    }
}
