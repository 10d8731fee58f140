//! `ban-drop-extension`: a dropped extension breaks what uses it.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-extension",
    summary: "dropping an extension drops its types, functions and operators, and what uses them",
    help: "Make sure nothing uses the extension's objects; suppress with the reason once that is done.",
    severity: Severity::Warning,
    bad: "DROP EXTENSION hstore;",
    good: "COMMENT ON EXTENSION hstore IS 'unused since v4';",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::Drop { kind } = stmt {
        if matches!(kind.as_str(), "extension") {
            out.push(Hit::new(0, format!("{kind} dropped")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("DROP EXTENSION hstore;").contains(&super::RULE.id));
        assert!(!ids("DROP TABLE IF EXISTS x").contains(&super::RULE.id));
    }
}
