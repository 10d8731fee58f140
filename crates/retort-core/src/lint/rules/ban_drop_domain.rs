//! `ban-drop-domain`: a dropped domain breaks what uses it.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-domain",
    summary: "dropping a domain breaks the columns and code that use it",
    help: "Move its columns to another type first; suppress with the reason once nothing uses it.",
    severity: Severity::Warning,
    bad: "DROP DOMAIN email_address;",
    good: "COMMENT ON DOMAIN email_address IS 'deprecated';",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::Drop { kind } = stmt {
        if matches!(kind.as_str(), "domain") {
            out.push(Hit::new(0, format!("{kind} dropped")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("DROP DOMAIN email_address;").contains(&super::RULE.id));
        assert!(!ids("DROP TABLE IF EXISTS x").contains(&super::RULE.id));
    }
}
