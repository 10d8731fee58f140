//! `prefer-bigint-over-int`: 32-bit integers run out (2^31 - 1), and widening later rewrites.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::{column_types, is_type};

pub(crate) static RULE: Rule = Rule {
    id: "prefer-bigint-over-int",
    summary: "a 32-bit integer column can run out; widening it later rewrites the table",
    help: "Use bigint (or bigint GENERATED ... AS IDENTITY) for ids and counters that grow; suppress with the reason where the range is bounded.",
    severity: Severity::Warning,
    bad: "CREATE TABLE t (id integer);",
    good: "CREATE TABLE t (id bigint);",
    kind: Kind::Design,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    for (column, ty) in column_types(stmt) {
        if is_type(ty, &["int", "integer", "int4", "serial", "serial4"]) {
            out.push(Hit::new(ty.at, format!("column {column} is {}", ty.base)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn qualified_int4_flagged() {
        assert!(ids("CREATE TABLE t (a pg_catalog.int4)").contains(&super::RULE.id));
    }
}
