//! `changing-authorization`: who may read or write what changes.

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "changing-authorization",
    summary: "who may read or write what changes (grant, revoke, policy, row-level security)",
    help: "A revoked privilege or a new policy can make a running application fail or see fewer rows. Review it, then suppress with the reason; opt-in: `[lint] rules = { changing-authorization = \"warning\" }`.",
    severity: Severity::Off,
    bad: "REVOKE SELECT ON accounts FROM reporting;",
    good: "-- retort:allow changing-authorization reporting reads the accounts_public view since v3\nREVOKE SELECT ON accounts FROM reporting;",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: None,
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    match stmt {
        Stmt::Authorization { what } => out.push(Hit::new(0, format!("{what} changes privileges"))),
        Stmt::AlterTable { name, actions, .. } => {
            for a in actions {
                if let Action::RowSecurity { at } = a {
                    out.push(Hit::new(
                        *at,
                        format!("row-level security of {name} changed"),
                    ));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn grants_policies_and_row_security() {
        for sql in [
            "GRANT SELECT ON t TO r",
            "CREATE POLICY p ON t USING (true)",
            "DROP POLICY p ON t",
            "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
        ] {
            assert!(ids(sql).contains(&super::RULE.id), "{sql}");
        }
    }
}
