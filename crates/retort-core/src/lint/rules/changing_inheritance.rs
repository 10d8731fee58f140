//! `changing-inheritance`: INHERIT, NO INHERIT, OF and NOT OF lock both tables.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "changing-inheritance",
    summary: "changing what a table inherits from (INHERIT, NO INHERIT, OF, NOT OF) takes ACCESS EXCLUSIVE locks",
    help: "Queries on the parent (or the typed table) change what they return, and the locks queue behind running queries. Opt-in: `[lint] rules = { changing-inheritance = \"warning\" }`.",
    severity: Severity::Off,
    bad: "ALTER TABLE cities_2025 NO INHERIT cities;",
    good: "-- retort:allow changing-inheritance nobody reads cities_2025 through cities any more\nALTER TABLE cities_2025 NO INHERIT cities;",
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
        if let Action::Inheritance { at } = a {
            out.push(Hit::new(*at, format!("inheritance of {table} changed")).on(table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("ALTER TABLE c INHERIT p").contains(&super::RULE.id));
        assert!(ids("ALTER TABLE c OF some_type").contains(&super::RULE.id));
    }
}
