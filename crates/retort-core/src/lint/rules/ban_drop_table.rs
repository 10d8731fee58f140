//! `ban-drop-table`: a dropped table breaks its clients and deletes its data.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-table",
    summary: "dropping a table breaks clients that use it and deletes its data",
    help: "Deploy application code that no longer uses the table first; suppress with the reason once that is done.",
    severity: Severity::Warning,
    bad: "DROP TABLE legacy_events;",
    good: "ALTER TABLE legacy_events RENAME TO legacy_events_unused;",
    kind: Kind::Hazard,
    existing_table_only: true,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::DropTable { names, .. } = stmt {
        for n in names {
            out.push(Hit::new(0, format!("table {n} dropped")).on(n));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn dropping_a_table_made_in_the_same_revision_is_fine() {
        assert!(!ids("CREATE TABLE tmp (a int); DROP TABLE tmp").contains(&super::RULE.id));
    }
}
