//! `ban-set-schema`: an object moved to another schema is no longer found under its old name.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "ban-set-schema",
    summary: "moving a table to another schema breaks the clients that name it",
    help: "Clients that qualify the name, or whose search_path lacks the new schema, fail. Deploy code that uses the new name first; suppress with the reason.",
    severity: Severity::Warning,
    bad: "ALTER TABLE events SET SCHEMA archive;",
    good: "CREATE VIEW archive.events AS SELECT * FROM public.events;",
    kind: Kind::Hazard,
    existing_table_only: true,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    let Some((table, actions)) = alter(stmt) else {
        return;
    };
    for a in actions {
        if let Action::SetSchema { at } = a {
            out.push(Hit::new(*at, format!("{table} moved to another schema")).on(table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("ALTER TABLE t SET SCHEMA s").contains(&super::RULE.id));
    }
}
