//! `constraint-missing-not-valid`: a CHECK or FOREIGN KEY added without NOT VALID is checked
//! against every row while the table is locked.

use super::super::ast::{Action, ConstraintKind, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "constraint-missing-not-valid",
    summary: "a CHECK or FOREIGN KEY added without NOT VALID (or validated in the same transaction) scans the table under lock",
    help: "Add it NOT VALID (only new rows are checked, the lock is brief), then VALIDATE CONSTRAINT in a later revision, which lets writes go on.",
    severity: Severity::Error,
    bad: "ALTER TABLE t ADD CONSTRAINT t_amount_check CHECK (amount > 0);",
    good: "ALTER TABLE t ADD CONSTRAINT t_amount_check CHECK (amount > 0) NOT VALID;",
    kind: Kind::Hazard,
    existing_table_only: true,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, state: &State, out: &mut Vec<Hit>) {
    let Some((table, actions)) = alter(stmt) else {
        return;
    };
    for a in actions {
        if let Action::ValidateConstraint { at } = a {
            if state.in_transaction() && state.not_valid_added.contains(&table.key()) {
                out.push(Hit::new(*at, format!("constraint of {table} validated in the transaction that added it NOT VALID: the ADD's lock is held through the scan; validate in a later revision")).on(table));
            }
        }
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
        let same = "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT c";
        assert!(ids(same).contains(&id));
        assert!(!ids("ALTER TABLE t VALIDATE CONSTRAINT c").contains(&id));
    }
}
