//! `ban-drop-sequence`: a dropped sequence breaks what uses it.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-sequence",
    summary: "dropping a sequence breaks the defaults and code that draw from it, and loses its position",
    help: "Deploy code that no longer uses the sequence first; suppress with the reason once that is done.",
    severity: Severity::Warning,
    bad: "DROP SEQUENCE invoice_numbers;",
    good: "ALTER SEQUENCE invoice_numbers OWNED BY NONE;",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::Drop { kind } = stmt {
        if matches!(kind.as_str(), "sequence") {
            out.push(Hit::new(0, format!("{kind} dropped")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("DROP SEQUENCE invoice_numbers;").contains(&super::RULE.id));
        assert!(!ids("DROP TABLE IF EXISTS x").contains(&super::RULE.id));
    }
}
