//! `changing-column-type`: ALTER COLUMN TYPE rewrites the table (and its indexes) under ACCESS
//! EXCLUSIVE, unless the change is binary-coercible (`varchar(n)` → `text`, a longer varchar).

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "changing-column-type",
    summary: "changing a column's type may rewrite the table while reads and writes wait",
    help: "Most type changes rewrite the table and every index under ACCESS EXCLUSIVE (`retort lint --trace` shows whether this one does). Add a new column, backfill it in batches, switch readers, drop the old one.",
    severity: Severity::Error,
    bad: "ALTER TABLE t ALTER COLUMN amount TYPE numeric(14, 2);",
    good: "ALTER TABLE t ADD COLUMN amount_v2 numeric(14, 2);",
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
        if let Action::AlterType { column, ty, at } = a {
            out.push(
                Hit::new(
                    *at,
                    format!("type of {table}.{column} changed to {}", ty.base),
                )
                .on(table),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn set_data_type_flagged() {
        assert!(ids("ALTER TABLE t ALTER c SET DATA TYPE bigint").contains(&super::RULE.id));
    }
}
