//! `disallowed-unique-constraint`: ADD UNIQUE builds its index under ACCESS EXCLUSIVE.

use super::super::ast::{Action, ConstraintKind, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "disallowed-unique-constraint",
    summary: "adding a UNIQUE constraint builds its index while reads and writes wait",
    help: "CREATE UNIQUE INDEX CONCURRENTLY first (a non-transactional revision), then ADD CONSTRAINT ... UNIQUE USING INDEX.",
    severity: Severity::Error,
    bad: "ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE (email);",
    good: "ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE USING INDEX t_email_idx;",
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
            Action::AddConstraint(k) if k.kind == ConstraintKind::Unique && !k.using_index => {
                out.push(
                    Hit::new(
                        k.at,
                        format!("unique index of {table} built under ACCESS EXCLUSIVE"),
                    )
                    .on(table),
                );
            }
            Action::AddColumn { column, .. } if column.unique => {
                out.push(
                    Hit::new(
                        column.at,
                        format!(
                            "UNIQUE column {} added: its index is built under ACCESS EXCLUSIVE",
                            column.name
                        ),
                    )
                    .on(table),
                );
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn unique_column_flagged() {
        assert!(ids("ALTER TABLE t ADD COLUMN e text UNIQUE").contains(&super::RULE.id));
    }
}
