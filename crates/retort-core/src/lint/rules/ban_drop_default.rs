//! `ban-drop-default`: a dropped default breaks inserts that leave the column out.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-default",
    summary: "dropping a column's default breaks the inserts that rely on it",
    help:
        "Deploy code that sets the column itself first; suppress with the reason once that is done.",
    severity: Severity::Warning,
    bad: "ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;",
    good: "ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'free';",
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
        if let Action::DropDefault { column, at } = a {
            out.push(Hit::new(*at, format!("default of {table}.{column} dropped")).on(table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged_but_not_on_a_new_table() {
        assert!(ids("ALTER TABLE t ALTER c DROP DEFAULT").contains(&super::RULE.id));
        assert!(
            !ids("CREATE TABLE t (c int DEFAULT 1); ALTER TABLE t ALTER c DROP DEFAULT")
                .contains(&super::RULE.id)
        );
    }
}
