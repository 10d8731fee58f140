//! `prefer-text-field`: a varchar(n) limit can only be raised by an ALTER that may lock.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::{column_types, is_type};

pub(crate) static RULE: Rule = Rule {
    id: "prefer-text-field",
    summary: "varchar(n): prefer text with a CHECK on its length",
    help: "Changing a varchar's length takes ACCESS EXCLUSIVE; a CHECK (length(col) <= n) can be replaced NOT VALID without blocking.",
    severity: Severity::Warning,
    bad: "CREATE TABLE t (name varchar(100));",
    good: "CREATE TABLE t (name text CHECK (length(name) <= 100));",
    kind: Kind::Design,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    for (column, ty) in column_types(stmt) {
        if ty.modifier && is_type(ty, &["varchar", "character varying"]) {
            out.push(Hit::new(
                ty.at,
                format!("column {column} is {}(n)", ty.base),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn unbounded_varchar_passes() {
        assert!(!ids("CREATE TABLE t (a varchar)").contains(&super::RULE.id));
    }
}
