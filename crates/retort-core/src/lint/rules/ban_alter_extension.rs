//! `ban-alter-extension`: an extension's upgrade script runs.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-alter-extension",
    summary: "updating an extension runs its upgrade script, which may rewrite or lock what uses it",
    help: "Read the extension's release notes for what its update does; run it on a copy first. Opt-in: `[lint] rules = { ban-alter-extension = \"warning\" }`.",
    severity: Severity::Off,
    bad: "ALTER EXTENSION postgis UPDATE TO '3.4.0';",
    good: "-- retort:allow ban-alter-extension upgrade tried on staging, 2 s\nALTER EXTENSION postgis UPDATE TO '3.4.0';",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::AlterExtensionUpdate = stmt {
        out.push(Hit::new(0, "extension updated"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("ALTER EXTENSION x UPDATE").contains(&super::RULE.id));
        assert!(!ids("ALTER EXTENSION x SET SCHEMA s").contains(&super::RULE.id));
    }
}
