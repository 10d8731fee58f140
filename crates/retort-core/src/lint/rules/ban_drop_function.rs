//! `ban-drop-function`: a dropped function breaks what uses it.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-function",
    summary: "dropping a function breaks the clients, defaults, triggers and functions that call it",
    help: "Deploy code that no longer calls it first (CREATE OR REPLACE FUNCTION changes it in place); suppress with the reason once that is done.",
    severity: Severity::Warning,
    bad: "DROP FUNCTION add_one(int);",
    good: "CREATE OR REPLACE FUNCTION add_one(int) RETURNS int LANGUAGE sql RETURN $1 + 1;",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::Drop { kind } = stmt {
        if matches!(kind.as_str(), "function" | "procedure") {
            out.push(Hit::new(0, format!("{kind} dropped")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("DROP FUNCTION add_one(int);").contains(&super::RULE.id));
        assert!(!ids("DROP TABLE IF EXISTS x").contains(&super::RULE.id));
    }
}
