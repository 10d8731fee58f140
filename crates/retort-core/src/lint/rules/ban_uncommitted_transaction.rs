//! `ban-uncommitted-transaction`: a BEGIN never committed leaves the rest of the run (and in a
//! non-transactional revision, the session) inside it.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-uncommitted-transaction",
    summary: "a BEGIN is never committed or rolled back",
    help: "End the transaction in the same section (COMMIT), or drop the BEGIN: a transactional revision already runs in retort's transaction.",
    severity: Severity::Error,
    bad: "-- transactional: false\nBEGIN;\nALTER TABLE t ADD COLUMN a text;",
    good: "-- transactional: false\nBEGIN;\nALTER TABLE t ADD COLUMN a text;\nCOMMIT;",
    kind: Kind::Script,
    existing_table_only: false,
    once: false,
    check,
    finish: Some(finish),
};

fn check(_: &Stmt, _: &State, _: &mut Vec<Hit>) {}

fn finish(state: &State, out: &mut Vec<Hit>) {
    if let Some(&at) = state.open_begins.last() {
        out.push(Hit::new(at, "this BEGIN is never committed or rolled back"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids_in;

    #[test]
    fn rollback_ends_it() {
        assert!(!ids_in("BEGIN; SELECT 1; ROLLBACK", false).contains(&super::RULE.id));
    }
}
