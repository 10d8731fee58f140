//! `ban-drop-schema`: a dropped schema takes everything in it.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-schema",
    summary: "dropping a schema breaks clients that use what is in it",
    help: "Deploy code that no longer uses the schema first; suppress with the reason.",
    severity: Severity::Warning,
    bad: "DROP SCHEMA reporting CASCADE;",
    good: "CREATE SCHEMA IF NOT EXISTS reporting_v2;",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if matches!(stmt, Stmt::DropSchema) {
        out.push(Hit::new(0, "schema dropped"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("DROP SCHEMA IF EXISTS s").contains(&super::RULE.id));
    }
}
