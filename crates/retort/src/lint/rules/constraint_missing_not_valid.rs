//! `constraint-missing-not-valid`: a CHECK or FOREIGN KEY added without NOT VALID is checked
//! against every row while the table is locked.

use super::super::ast::{Action, ConstraintKind, Stmt};
use super::super::rule::{Hit, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "constraint-missing-not-valid",
    summary: "a CHECK or FOREIGN KEY added without NOT VALID scans the table under lock",
    help: "Add it NOT VALID (only new rows are checked, the lock is brief), then VALIDATE CONSTRAINT in a later revision, which lets writes go on.",
    severity: Severity::Error,
    bad: "ALTER TABLE t ADD CONSTRAINT t_amount_check CHECK (amount > 0);",
    good: "ALTER TABLE t ADD CONSTRAINT t_amount_check CHECK (amount > 0) NOT VALID;",
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
        if let Action::AddConstraint(k) = a {
            let scans = matches!(k.kind, ConstraintKind::Check | ConstraintKind::ForeignKey);
            if scans && !k.not_valid {
                out.push(
                    Hit::new(
                        k.at,
                        format!("constraint on {table} added without NOT VALID"),
                    )
                    .on(table),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn unique_cannot_be_not_valid_so_is_another_rule() {
        let id = super::RULE.id;
        assert!(!ids("ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)").contains(&id));
        assert!(ids("ALTER TABLE t ADD CHECK (a > 0)").contains(&id));
    }
}
