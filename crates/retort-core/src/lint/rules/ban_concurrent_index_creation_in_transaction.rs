//! `ban-concurrent-index-creation-in-transaction`: CREATE (or DROP) INDEX CONCURRENTLY cannot
//! run in a transaction: in a `transactional: true` revision it fails every time.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-concurrent-index-creation-in-transaction",
    summary: "CONCURRENTLY cannot run inside a transaction",
    help: "Put the statement in a revision of its own marked `-- transactional: false` (retort runs it in autocommit, statement by statement), without BEGIN around it.",
    severity: Severity::Error,
    bad: "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);",
    good: "-- transactional: false\nSET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a_idx ON t (a);",
    kind: Kind::Script,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, state: &State, out: &mut Vec<Hit>) {
    let at = match stmt {
        Stmt::CreateIndex {
            concurrently: true,
            at,
            ..
        } => *at,
        Stmt::DropIndex {
            concurrently: true, ..
        } => 0,
        _ => return,
    };
    if state.explicit_begins > 0 {
        out.push(Hit::new(
            at,
            "CONCURRENTLY inside the BEGIN above: it fails",
        ));
    } else if state.transactional_revision {
        out.push(Hit::new(
            at,
            "CONCURRENTLY in a transactional revision: it fails; mark the revision `-- transactional: false`",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{ids, ids_in};

    #[test]
    fn explicit_begin_in_a_non_transactional_revision() {
        let id = super::RULE.id;
        assert!(ids_in("BEGIN; CREATE INDEX CONCURRENTLY i ON t (a); COMMIT", false).contains(&id));
        assert!(!ids_in("CREATE INDEX CONCURRENTLY i ON t (a)", false).contains(&id));
        assert!(ids("DROP INDEX CONCURRENTLY i").contains(&id));
    }
}
