//! `prefer-timestamp-tz`: timestamp without time zone drops the offset of what is stored.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::{column_types, is_type};

pub(crate) static RULE: Rule = Rule {
    id: "prefer-timestamp-tz",
    summary: "timestamp without time zone: prefer timestamptz",
    help: "timestamp drops the UTC offset, so the same instant written from two zones is stored as two values; timestamptz stores the instant.",
    severity: Severity::Warning,
    bad: "CREATE TABLE t (created_at timestamp);",
    good: "CREATE TABLE t (created_at timestamptz);",
    kind: Kind::Design,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    for (column, ty) in column_types(stmt) {
        if is_type(ty, &["timestamp", "timestamp without time zone"]) {
            out.push(Hit::new(ty.at, format!("column {column} is {}", ty.base)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn with_time_zone_passes() {
        assert!(!ids("CREATE TABLE t (a timestamp(3) with time zone)").contains(&super::RULE.id));
    }
}
