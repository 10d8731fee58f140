//! `ban-alter-domain-with-add-constraint`: a constraint added to a domain is checked against
//! every column of that domain, in every table, under locks no online technique avoids.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-alter-domain-with-add-constraint",
    summary: "adding a constraint to a domain checks every column of that type, in every table",
    help: "Use table constraints (CHECK ... NOT VALID, then VALIDATE) on the columns instead.",
    severity: Severity::Warning,
    bad: "ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0);",
    good: "ALTER TABLE t ADD CONSTRAINT t_amount_check CHECK (amount > 0) NOT VALID;",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::AlterDomainAddConstraint { at } = stmt {
        out.push(Hit::new(*at, "constraint added to a domain"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn other_domain_changes_pass() {
        assert!(!ids("ALTER DOMAIN d SET DEFAULT 0").contains(&super::RULE.id));
    }
}
