//! `distributing-table`: Citus copies an existing table's rows to other nodes.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "distributing-table",
    summary: "distributing a table that holds rows (or changing or undoing its distribution) copies them while writes wait",
    help: "create_distributed_table, create_reference_table, undistribute_table and alter_distributed_table copy the table's rows between nodes, blocking writes for the whole copy; alter_distributed_table also rewrites it. Distribute tables while they are empty, or use create_distributed_table_concurrently (Citus 11.2+).",
    severity: Severity::Warning,
    bad: "SELECT create_distributed_table('events', 'tenant_id');",
    good: "SELECT create_distributed_table_concurrently('events', 'tenant_id');",
    kind: Kind::Hazard,
    existing_table_only: true,
    once: false,
    check,
    finish: None,
};

/// Citus's functions that copy a table's rows between nodes.
const MOVING: &[&str] = &[
    "create_distributed_table",
    "create_reference_table",
    "undistribute_table",
    "alter_distributed_table",
];

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::SelectFunction {
        name,
        table: Some(table),
    } = stmt
    {
        if MOVING.contains(&name.as_str()) {
            out.push(Hit::new(0, format!("{name} moves the rows of {table}")).on(table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn not_on_a_table_made_in_the_revision() {
        let bad = "SELECT create_reference_table('\"public\".\"plans\"')";
        assert!(ids(bad).contains(&super::RULE.id));
        assert!(!ids(&format!("CREATE TABLE plans (id int); {bad}")).contains(&super::RULE.id));
    }
}
