//! `ban-replica-identity`: what logical replication sends changes.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "ban-replica-identity",
    summary: "changing the replica identity changes what logical replication sends for updates and deletes",
    help: "Subscribers that key on the old identity may stop applying changes; FULL makes every update log the whole row. Opt-in: `[lint] rules = { ban-replica-identity = \"warning\" }`.",
    severity: Severity::Off,
    bad: "ALTER TABLE orders REPLICA IDENTITY FULL;",
    good: "-- retort:allow ban-replica-identity no subscriber reads orders\nALTER TABLE orders REPLICA IDENTITY FULL;",
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
        if let Action::ReplicaIdentity { at } = a {
            out.push(Hit::new(*at, format!("replica identity of {table} changed")).on(table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(ids("ALTER TABLE ONLY t REPLICA IDENTITY DEFAULT").contains(&super::RULE.id));
    }
}
