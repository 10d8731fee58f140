//! `ban-drop-type`: a dropped type breaks clients that use it (a domain: `ban-drop-domain`).

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-type",
    summary: "dropping a type breaks clients that use it",
    help: "Deploy code that no longer uses the type first; suppress with the reason.",
    severity: Severity::Warning,
    bad: "DROP TYPE mood;",
    good: "CREATE TYPE mood_v2 AS ENUM ('sad', 'ok', 'happy');",
    kind: Kind::Hazard,
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
    fn a_domain_is_ban_drop_domain() {
        assert!(!ids("DROP DOMAIN d").contains(&super::RULE.id));
        assert!(ids("DROP DOMAIN d").contains(&"ban-drop-domain"));
    }
}
