//! `prefer-bigint-over-smallint`: 16-bit integers run out at 32,767.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::{column_types, is_type};

pub(crate) static RULE: Rule = Rule {
    id: "prefer-bigint-over-smallint",
    summary: "a 16-bit integer column runs out at 32,767",
    help: "Use bigint; the saving of smallint is rarely worth the rewrite when it runs out.",
    severity: Severity::Warning,
    bad: "CREATE TABLE t (n smallint);",
    good: "CREATE TABLE t (n bigint);",
    kind: Kind::Design,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    for (column, ty) in column_types(stmt) {
        if is_type(ty, &["smallint", "int2", "smallserial", "serial2"]) {
            out.push(Hit::new(ty.at, format!("column {column} is {}", ty.base)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn smallserial_flagged() {
        assert!(ids("ALTER TABLE t ADD COLUMN n smallserial").contains(&super::RULE.id));
    }
}
