//! `ban-char-field`: `char(n)` pads with spaces and is never faster than text.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::{column_types, is_type};

pub(crate) static RULE: Rule = Rule {
    id: "ban-char-field",
    summary: "char(n) pads values with spaces; use text (or varchar)",
    help: "character(n) is blank-padded, compares and stores oddly, and is no faster than text; use text with a CHECK on length if one is needed.",
    severity: Severity::Warning,
    bad: "CREATE TABLE t (code char(2));",
    good: "CREATE TABLE t (code text CHECK (length(code) = 2));",
    kind: Kind::Design,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    for (column, ty) in column_types(stmt) {
        if is_type(
            ty,
            &["char", "character", "bpchar", "nchar", "national character"],
        ) {
            out.push(Hit::new(ty.at, format!("column {column} is {}", ty.base)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn varying_is_not_char() {
        let id = super::RULE.id;
        assert!(!ids("CREATE TABLE t (a character varying)").contains(&id));
        assert!(ids("ALTER TABLE t ADD COLUMN a character(3)").contains(&id));
    }
}
