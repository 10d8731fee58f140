//! `adding-required-field`: ADD COLUMN ... NOT NULL without a default fails on any table that
//! has rows.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "adding-required-field",
    summary: "adding a NOT NULL column without a default fails when the table has rows",
    help: "Give it a constant default (no rewrite since PostgreSQL 11), or add it nullable, backfill, then make it NOT NULL safely.",
    severity: Severity::Error,
    bad: "ALTER TABLE t ADD COLUMN tier text NOT NULL;",
    good: "ALTER TABLE t ADD COLUMN tier text NOT NULL DEFAULT 'starter';",
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
        if let Action::AddColumn { column, .. } = a {
            let filled = column.default.is_some() || column.identity || column.generated_stored;
            if column.not_null && !filled {
                out.push(
                    Hit::new(
                        column.at,
                        format!("column {} is NOT NULL without a default", column.name),
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
    fn identity_fills_the_column() {
        let id = super::RULE.id;
        assert!(
            !ids("ALTER TABLE t ADD COLUMN i bigint NOT NULL GENERATED ALWAYS AS IDENTITY")
                .contains(&id)
        );
        assert!(ids("ALTER TABLE t ADD COLUMN i bigint NOT NULL").contains(&id));
    }
}
