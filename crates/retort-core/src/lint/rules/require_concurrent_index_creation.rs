//! `require-concurrent-index-creation`: CREATE INDEX without CONCURRENTLY blocks writes to the
//! table for the whole build.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "require-concurrent-index-creation",
    summary: "CREATE INDEX without CONCURRENTLY blocks writes to the table while it builds",
    help: "CREATE INDEX CONCURRENTLY IF NOT EXISTS, in a revision marked `-- transactional: false`. An index on a table made in the same revision needs nothing.",
    severity: Severity::Error,
    bad: "CREATE INDEX t_a_idx ON t (a);",
    good: "-- transactional: false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a_idx ON t (a);",
    kind: Kind::Hazard,
    existing_table_only: true,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::CreateIndex {
        table,
        concurrently: false,
        at,
        ..
    } = stmt
    {
        out.push(
            Hit::new(
                *at,
                format!("index on {table} built without CONCURRENTLY: writes wait"),
            )
            .on(table),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn new_table_is_exempt() {
        let id = super::RULE.id;
        assert!(!ids("CREATE TABLE s.t (a int); CREATE INDEX ON s.t (a)").contains(&id));
        assert!(ids("CREATE TABLE s.t (a int); CREATE INDEX ON t (a)").contains(&id));
    }
}
