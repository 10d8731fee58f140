//! `ban-drop-not-null`: clients may rely on the column never being NULL.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-not-null",
    summary: "dropping NOT NULL can break clients that expect a value",
    help: "Make sure every reader handles NULL before the revision runs.",
    severity: Severity::Warning,
    bad: "ALTER TABLE t ALTER COLUMN email DROP NOT NULL;",
    good: "ALTER TABLE t ALTER COLUMN email SET DEFAULT '';",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    let Some((table, actions)) = alter(stmt) else {
        return;
    };
    for a in actions {
        if let Action::DropNotNull { column, at } = a {
            out.push(Hit::new(*at, format!("NOT NULL dropped from {table}.{column}")).on(table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("ALTER TABLE t ALTER c DROP NOT NULL").contains(&super::RULE.id));
    }
}
