//! `ban-drop-constraint`: a dropped constraint removes a guarantee clients may rely on.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "ban-drop-constraint",
    summary: "dropping a constraint removes a guarantee clients may rely on",
    help: "Make sure no reader depends on it (uniqueness, a foreign key, a check); suppress with the reason.",
    severity: Severity::Warning,
    bad: "ALTER TABLE t DROP CONSTRAINT t_amount_check;",
    good: "ALTER TABLE t ADD CONSTRAINT t_amount_check2 CHECK (amount >= 0) NOT VALID;",
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
        if let Action::DropConstraint { at } = a {
            out.push(Hit::new(*at, format!("constraint of {table} dropped")).on(table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn if_exists_too() {
        assert!(ids("ALTER TABLE t DROP CONSTRAINT IF EXISTS c").contains(&super::RULE.id));
    }
}
