//! `renaming-object`: renaming a type, schema, view, function... breaks clients that name it.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "renaming-object",
    summary: "renaming a type, schema, view or function breaks clients that use the old name",
    help: "Make sure no deployed code names it; for a view or function, keep the old name as a wrapper until none does.",
    severity: Severity::Warning,
    bad: "ALTER SCHEMA reporting RENAME TO analytics;",
    good: "CREATE SCHEMA IF NOT EXISTS analytics;",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::RenameObject { kind } = stmt {
        out.push(Hit::new(0, format!("{kind} renamed")));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn tables_and_columns_are_other_rules() {
        let id = super::RULE.id;
        assert!(!ids("ALTER TABLE t RENAME TO u").contains(&id));
        assert!(ids("ALTER TYPE mood RENAME TO feeling").contains(&id));
        assert!(!ids("ALTER TYPE mood RENAME VALUE 'a' TO 'b'").contains(&id));
    }
}
