//! `require-lock-timeout`: a statement that needs a strong lock waits behind any long
//! transaction on the table, and every query that comes after waits behind it.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::locks_table;

pub(crate) static RULE: Rule = Rule {
    id: "require-lock-timeout",
    summary: "no lock_timeout before a statement that takes a strong lock on an existing table",
    help: "While it waits for its lock, every other query of the table queues behind it. Set `lock_timeout` in retort.toml (every revision), or `SET lock_timeout = '2s';` before it, and retry on failure.",
    severity: Severity::Warning,
    bad: "ALTER TABLE t ADD COLUMN a text;",
    good: "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN a text;",
    kind: Kind::Script,
    existing_table_only: true,
    once: true,
    check,
    finish: None,
};

fn check(stmt: &Stmt, state: &State, out: &mut Vec<Hit>) {
    if state.lock_timeout {
        return;
    }
    if let Some((table, at)) = locks_table(stmt) {
        let hit = Hit::new(at, "strong lock taken with no lock_timeout set");
        out.push(match table {
            Some(t) => hit.on(t),
            None => hit,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn reset_clears_it() {
        let id = super::RULE.id;
        assert!(ids("SET lock_timeout = '1s'; RESET lock_timeout; DROP TABLE t").contains(&id));
        assert!(!ids("SET LOCAL lock_timeout TO '1s'; DROP TABLE t").contains(&id));
        assert!(ids("SET lock_timeout = 0; DROP TABLE t").contains(&id));
    }
}
