//! `ban-drop-database`: a migration never drops a database.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-database",
    summary: "DROP DATABASE in a migration",
    help: "Dropping a database is an operation for an administrator, not a revision that runs on every environment.",
    severity: Severity::Error,
    bad: "DROP DATABASE analytics;",
    good: "DROP SCHEMA IF EXISTS analytics_staging CASCADE;",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if matches!(stmt, Stmt::DropDatabase) {
        out.push(Hit::new(0, "DROP DATABASE"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn in_a_string_is_not_a_statement() {
        assert!(!ids("SELECT 'DROP DATABASE x'").contains(&super::RULE.id));
    }
}
