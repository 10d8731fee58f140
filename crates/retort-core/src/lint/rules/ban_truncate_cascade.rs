//! `ban-truncate-cascade`: TRUNCATE ... CASCADE empties every table that references these,
//! transitively.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-truncate-cascade",
    summary: "TRUNCATE ... CASCADE empties every table that references these, transitively",
    help:
        "Name each table to empty; PostgreSQL then refuses if another table still references them.",
    severity: Severity::Error,
    bad: "TRUNCATE accounts CASCADE;",
    good: "TRUNCATE accounts, account_events;",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::Truncate {
        cascade: true,
        cascade_at,
    } = stmt
    {
        out.push(Hit::new(*cascade_at, "TRUNCATE ... CASCADE"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn restrict_passes() {
        assert!(!ids("TRUNCATE a RESTRICT").contains(&super::RULE.id));
    }
}
