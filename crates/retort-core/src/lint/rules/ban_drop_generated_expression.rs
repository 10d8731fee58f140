//! `ban-drop-generated-expression`: a generated column stops being computed.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-generated-expression",
    summary: "dropping a generated column's expression leaves it a plain column no one fills",
    help: "Writers that relied on PostgreSQL computing it now leave it NULL (or fail its NOT NULL). Deploy code that writes it first; suppress with the reason.",
    severity: Severity::Warning,
    bad: "ALTER TABLE orders ALTER COLUMN total DROP EXPRESSION;",
    good: "ALTER TABLE orders ADD COLUMN total_v2 numeric;",
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
        if let Action::DropExpression { column, at } = a {
            out.push(Hit::new(*at, format!("expression of {table}.{column} dropped")).on(table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged() {
        assert!(
            ids("ALTER TABLE t ALTER COLUMN g DROP EXPRESSION IF EXISTS").contains(&super::RULE.id)
        );
    }
}
