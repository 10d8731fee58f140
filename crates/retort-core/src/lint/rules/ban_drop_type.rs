//! `ban-drop-type`: a dropped type (or domain) breaks clients that use it.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-type",
    summary: "dropping a type breaks clients that use it",
    help: "Deploy code that no longer uses the type first; suppress with the reason.",
    severity: Severity::Warning,
    bad: "DROP TYPE mood;",
    good: "CREATE TYPE mood_v2 AS ENUM ('sad', 'ok', 'happy');",
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if matches!(stmt, Stmt::DropType) {
        out.push(Hit::new(0, "type dropped"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn domain_too() {
        assert!(ids("DROP DOMAIN IF EXISTS d").contains(&super::RULE.id));
    }
}
