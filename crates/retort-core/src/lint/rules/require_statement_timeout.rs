//! `require-statement-timeout`: a statement that scans or rewrites a table under a strong lock
//! holds it for as long as it runs.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::locks_table;

pub(crate) static RULE: Rule = Rule {
    id: "require-statement-timeout",
    summary: "no statement_timeout before a statement that may run long under a strong lock",
    help: "Set `statement_timeout` in retort.toml (every revision), or `SET statement_timeout = '5min';` before it, so a scan or rewrite bigger than expected is stopped and rolled back instead of blocking the table.",
    severity: Severity::Warning,
    bad: "CREATE INDEX t_a_idx ON t (a);",
    good: "SET statement_timeout = '5min';\nSET lock_timeout = '2s';\nCREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a);",
    kind: Kind::Script,
    existing_table_only: true,
    once: true,
    check,
    finish: None,
};

fn check(stmt: &Stmt, state: &State, out: &mut Vec<Hit>) {
    if state.statement_timeout {
        return;
    }
    if let Some((table, at)) = locks_table(stmt) {
        let hit = Hit::new(at, "strong lock taken with no statement_timeout set");
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
    fn set_before_passes() {
        let id = super::RULE.id;
        assert!(
            !ids("SET statement_timeout = '1min'; ALTER TABLE t ALTER c TYPE bigint").contains(&id)
        );
        assert!(ids("ALTER TABLE t ALTER c TYPE bigint").contains(&id));
    }
}
