//! `renaming-column`: clients still using the old name fail the moment it commits.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "renaming-column",
    summary: "renaming a column breaks clients that use the old name",
    help: "Add the new column, write both, backfill, move readers, then drop the old one; or rename when no deployed code uses the old name.",
    severity: Severity::Warning,
    bad: "ALTER TABLE t RENAME COLUMN name TO full_name;",
    good: "ALTER TABLE t ADD COLUMN full_name text;",
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
        if let Action::RenameColumn { from, to, at } = a {
            out.push(Hit::new(*at, format!("column {table}.{from} renamed to {to}")).on(table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn rename_constraint_is_not_a_column() {
        assert!(!ids("ALTER TABLE t RENAME CONSTRAINT a TO b").contains(&super::RULE.id));
    }
}
