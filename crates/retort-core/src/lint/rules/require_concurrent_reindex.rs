//! `require-concurrent-reindex`: REINDEX without CONCURRENTLY blocks writes (and reads that
//! use the index) while it rebuilds.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "require-concurrent-reindex",
    summary: "REINDEX without CONCURRENTLY blocks the table while it rebuilds",
    help:
        "REINDEX ... CONCURRENTLY (PostgreSQL 12+), in a revision marked `-- transactional: false`.",
    severity: Severity::Error,
    bad: "REINDEX TABLE t;",
    good: "-- transactional: false\nREINDEX TABLE CONCURRENTLY t;",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if matches!(
        stmt,
        Stmt::Reindex {
            concurrently: false
        }
    ) {
        out.push(Hit::new(0, "REINDEX without CONCURRENTLY"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn options_list_form() {
        assert!(!ids("REINDEX (CONCURRENTLY, VERBOSE) INDEX i").contains(&super::RULE.id));
    }
}
