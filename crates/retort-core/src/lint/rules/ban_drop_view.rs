//! `ban-drop-view`: a dropped view breaks what uses it.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-view",
    summary: "dropping a view breaks the clients that query it",
    help: "Deploy code that no longer reads the view first (CREATE OR REPLACE VIEW keeps it while changing it); suppress with the reason once that is done.",
    severity: Severity::Warning,
    bad: "DROP VIEW active_users;",
    good: "CREATE OR REPLACE VIEW active_users AS SELECT id, email FROM users;",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::Drop { kind } = stmt {
        if matches!(kind.as_str(), "view" | "materialized view") {
            out.push(Hit::new(0, format!("{kind} dropped")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("DROP VIEW active_users;").contains(&super::RULE.id));
        assert!(!ids("DROP TABLE IF EXISTS x").contains(&super::RULE.id));
    }
}
