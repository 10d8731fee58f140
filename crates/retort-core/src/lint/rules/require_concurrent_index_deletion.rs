//! `require-concurrent-index-deletion`: DROP INDEX takes ACCESS EXCLUSIVE on the table.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "require-concurrent-index-deletion",
    summary: "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on its table",
    help: "DROP INDEX CONCURRENTLY IF EXISTS, in a revision marked `-- transactional: false`.",
    severity: Severity::Warning,
    bad: "DROP INDEX t_a_idx;",
    good: "-- transactional: false\nDROP INDEX CONCURRENTLY IF EXISTS t_a_idx;",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::DropIndex {
        concurrently: false,
        ..
    } = stmt
    {
        out.push(Hit::new(0, "index dropped without CONCURRENTLY"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("DROP INDEX IF EXISTS i").contains(&super::RULE.id));
    }
}
