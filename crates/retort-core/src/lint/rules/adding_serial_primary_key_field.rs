//! `adding-serial-primary-key-field`: ADD PRIMARY KEY builds its index under ACCESS EXCLUSIVE.

use super::super::ast::{Action, ConstraintKind, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "adding-serial-primary-key-field",
    summary: "adding a primary key builds its index while reads and writes wait",
    help: "CREATE UNIQUE INDEX CONCURRENTLY first (a non-transactional revision), then ADD CONSTRAINT ... PRIMARY KEY USING INDEX.",
    severity: Severity::Error,
    bad: "ALTER TABLE t ADD PRIMARY KEY (id);",
    good: "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx;",
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
            Action::AddConstraint(k) if k.kind == ConstraintKind::PrimaryKey && !k.using_index => {
                out.push(
                    Hit::new(
                        k.at,
                        format!("primary key index of {table} built under ACCESS EXCLUSIVE"),
                    )
                    .on(table),
                );
            }
            Action::AddColumn { column, .. } if column.primary_key => {
                out.push(Hit::new(column.at, format!("primary key column {} added: its index is built under ACCESS EXCLUSIVE", column.name)).on(table));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn column_primary_key_flagged() {
        assert!(ids("ALTER TABLE t ADD COLUMN id bigserial PRIMARY KEY").contains(&super::RULE.id));
    }
}
