//! `adding-foreign-key-constraint`: a foreign key added in one step is validated under a
//! SHARE ROW EXCLUSIVE lock on both tables: writes to either wait for the whole scan.

use super::super::ast::{Action, ConstraintKind, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "adding-foreign-key-constraint",
    summary: "adding a foreign key validates it while both tables are locked against writes",
    help: "Add it NOT VALID (no scan, a brief lock), then VALIDATE CONSTRAINT in a later revision (SHARE UPDATE EXCLUSIVE: writes go on).",
    severity: Severity::Error,
    bad: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
    good: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
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
        match a {
            Action::AddConstraint(k) if k.kind == ConstraintKind::ForeignKey && !k.not_valid => {
                out.push(
                    Hit::new(
                        k.at,
                        format!("foreign key added to {table} and validated in one step"),
                    )
                    .on(table),
                );
            }
            Action::AddColumn { column, .. } if column.references => {
                out.push(Hit::new(column.at, format!("column {} with REFERENCES locks {table} and the referenced table against writes", column.name)).on(table));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn column_references_flagged_new_table_not() {
        let id = super::RULE.id;
        assert!(ids("ALTER TABLE t ADD COLUMN u bigint REFERENCES u (id)").contains(&id));
        assert!(!ids(
            "CREATE TABLE t (a int); ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u (id)"
        )
        .contains(&id));
    }
}
