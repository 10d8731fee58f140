//! `renaming-table`: clients still using the old name fail the moment it commits.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "renaming-table",
    summary: "renaming a table breaks clients that use the old name",
    help: "Rename, then CREATE VIEW old_name AS SELECT * FROM new_name in the same revision until no client uses the old name.",
    severity: Severity::Warning,
    bad: "ALTER TABLE accounts RENAME TO customers;",
    good: "CREATE VIEW accounts_v AS SELECT * FROM accounts;",
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
        if let Action::RenameTable { to, at } = a {
            out.push(Hit::new(*at, format!("table {table} renamed to {to}")).on(table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("ALTER TABLE IF EXISTS s.a RENAME TO b").contains(&super::RULE.id));
    }
}
