//! `ban-drop-column`: a dropped column breaks every client (and view) that still uses it.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-column",
    summary: "dropping a column breaks clients that still read or write it, and deletes its data",
    help: "Deploy application code that no longer uses the column first; then drop it (the drop only touches the catalog). Suppress with the reason once that is done.",
    severity: Severity::Warning,
    bad: "ALTER TABLE t DROP COLUMN legacy;",
    good: "ALTER TABLE t ADD COLUMN replacement text;",
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
        if let Action::DropColumn { name, at, .. } = a {
            out.push(Hit::new(*at, format!("column {table}.{name} dropped")).on(table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn drop_constraint_is_not_a_column() {
        let id = super::RULE.id;
        assert!(!ids("ALTER TABLE t DROP CONSTRAINT c").contains(&id));
        assert!(ids("ALTER TABLE t DROP c").contains(&id));
    }
}
