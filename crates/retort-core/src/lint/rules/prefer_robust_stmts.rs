//! `prefer-robust-stmts`: in a non-transactional revision, a statement that cannot run twice
//! leaves a half-applied revision that cannot simply be finished.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "prefer-robust-stmts",
    summary: "outside a transaction, a statement that cannot be run again blocks finishing an interrupted revision",
    help: "A `transactional: false` revision stopped part-way is finished by running its statements again (then `retort resolve REV --applied`): write IF [NOT] EXISTS. A transactional revision is all or nothing, so this rule is silent there.",
    severity: Severity::Warning,
    bad: "-- transactional: false\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);",
    good: "-- transactional: false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a_idx ON t (a);",
    kind: Kind::Script,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, state: &State, out: &mut Vec<Hit>) {
    if state.in_transaction() {
        return;
    }
    match stmt {
        Stmt::CreateTable {
            if_not_exists: false,
            ..
        }
        | Stmt::CreateIndex {
            if_not_exists: false,
            ..
        } => out.push(Hit::new(0, "add IF NOT EXISTS")),
        Stmt::DropIndex {
            if_exists: false, ..
        }
        | Stmt::DropTable {
            if_exists: false, ..
        } => out.push(Hit::new(0, "add IF EXISTS")),
        Stmt::AlterTable { actions, .. } => actions.iter().for_each(|a| action(a, out)),
        _ => {}
    }
}

fn action(a: &Action, out: &mut Vec<Hit>) {
    match a {
        Action::AddColumn {
            if_not_exists: false,
            column,
        } => out.push(Hit::new(column.at, "add IF NOT EXISTS")),
        Action::DropColumn {
            if_exists: false,
            at,
            ..
        } => out.push(Hit::new(*at, "add IF EXISTS")),
        Action::AddConstraint(k) => out.push(Hit::new(
            k.at,
            "ADD CONSTRAINT cannot be run again: drop it IF EXISTS first, or run it in a transaction",
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids_in;

    #[test]
    fn silent_in_a_transaction() {
        let id = super::RULE.id;
        assert!(!ids_in("CREATE TABLE t (a int)", true).contains(&id));
        assert!(ids_in("ALTER TABLE t ADD COLUMN a int", false).contains(&id));
        assert!(!ids_in("ALTER TABLE t ADD COLUMN IF NOT EXISTS a int", false).contains(&id));
    }
}
