//! `ban-create-domain-with-constraint`: a domain's constraint can later only be changed by
//! checking every column of that type at once.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-create-domain-with-constraint",
    summary: "a domain with a constraint cannot be changed online later",
    help: "Put the CHECK on the table's columns instead: a table constraint can be added NOT VALID and validated without blocking writes.",
    severity: Severity::Warning,
    bad: "CREATE DOMAIN positive AS int CHECK (VALUE > 0);",
    good: "CREATE DOMAIN amount AS numeric(12, 2);",
    kind: Kind::Design,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::CreateDomain {
        constraint_at: Some(at),
    } = stmt
    {
        out.push(Hit::new(*at, "domain created with a constraint"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn named_constraint_flagged() {
        assert!(
            ids("CREATE DOMAIN d int CONSTRAINT c CHECK (VALUE <> 0)").contains(&super::RULE.id)
        );
    }
}
