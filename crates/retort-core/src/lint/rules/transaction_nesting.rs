//! `transaction-nesting`: BEGIN inside a transaction does nothing, and its COMMIT ends the
//! outer one: in a transactional revision, retort's, so the revision and its version row no
//! longer commit together.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "transaction-nesting",
    summary: "BEGIN/COMMIT inside a transaction",
    help: "A transactional revision already runs in retort's transaction (with its version row); remove BEGIN/COMMIT/ROLLBACK, or mark the revision `-- transactional: false` if it must manage its own.",
    severity: Severity::Error,
    bad: "BEGIN;\nALTER TABLE t ADD COLUMN a text;\nCOMMIT;",
    good: "ALTER TABLE t ADD COLUMN a text;",
    kind: Kind::Script,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, state: &State, out: &mut Vec<Hit>) {
    match stmt {
        Stmt::Begin if state.in_transaction() => {
            out.push(Hit::new(
                0,
                "BEGIN inside a transaction that is already open",
            ));
        }
        Stmt::Commit | Stmt::Rollback
            if state.transactional_revision && state.explicit_begins <= 1 =>
        {
            out.push(Hit::new(
                0,
                "ends retort's transaction: the revision's SQL and its version row no longer commit together",
            ));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids_in;

    #[test]
    fn non_transactional_revision_may_use_one_level() {
        let id = super::RULE.id;
        assert!(!ids_in("BEGIN; SELECT 1; COMMIT", false).contains(&id));
        assert!(ids_in("BEGIN; BEGIN; COMMIT; COMMIT", false).contains(&id));
    }
}
