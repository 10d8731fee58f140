//! `require-enum-value-ordering`: ADD VALUE without BEFORE/AFTER appends, which sorts the new
//! label after all others.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "require-enum-value-ordering",
    summary: "ADD VALUE without BEFORE or AFTER puts the label last in the enum's order",
    help: "Say where it goes (BEFORE 'x' / AFTER 'y'): ORDER BY and comparisons on the enum use that order.",
    severity: Severity::Warning,
    bad: "ALTER TYPE status ADD VALUE 'archived';",
    good: "ALTER TYPE status ADD VALUE 'archived' AFTER 'active';",
    kind: Kind::Design,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::AddEnumValue {
        positioned: false,
        at,
    } = stmt
    {
        out.push(Hit::new(*at, "enum label added without BEFORE or AFTER"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn before_passes() {
        assert!(!ids("ALTER TYPE s ADD VALUE 'a' BEFORE 'b'").contains(&super::RULE.id));
    }
}
