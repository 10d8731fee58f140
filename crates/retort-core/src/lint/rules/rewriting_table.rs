//! `rewriting-table`: SET LOGGED/UNLOGGED and SET TABLESPACE rewrite the table (an index or
//! materialized view moved to another tablespace is copied too).

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "rewriting-table",
    summary: "SET LOGGED, SET UNLOGGED and SET TABLESPACE rewrite the table while reads and writes wait",
    help: "The whole table (and, for SET TABLESPACE, only it: its indexes move separately) is copied under ACCESS EXCLUSIVE. Do it in a maintenance window, or on a new table filled in batches.",
    severity: Severity::Warning,
    bad: "ALTER TABLE events SET LOGGED;",
    good: "CREATE TABLE events_logged (LIKE events INCLUDING ALL);",
    kind: Kind::Hazard,
    existing_table_only: true,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    if let Stmt::MoveRelation { kind, name } = stmt {
        out.push(Hit::new(0, format!("{kind} {name} copied to another tablespace")).on(name));
    }
    let Some((table, actions)) = alter(stmt) else {
        return;
    };
    for a in actions {
        if let Action::Rewrite { what, at } = a {
            out.push(Hit::new(*at, format!("{what} rewrites {table}")).on(table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn flagged_but_not_on_a_new_table() {
        assert!(ids("ALTER TABLE t SET TABLESPACE fast").contains(&super::RULE.id));
        assert!(ids("ALTER INDEX i SET TABLESPACE fast").contains(&super::RULE.id));
        assert!(
            !ids("CREATE TABLE n (a int); ALTER TABLE n SET UNLOGGED").contains(&super::RULE.id)
        );
    }
}
