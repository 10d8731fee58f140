//! `untracked-dependencies`: code PostgreSQL does not track the references of.

use super::super::ast::Stmt;
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;

pub(crate) static RULE: Rule = Rule {
    id: "untracked-dependencies",
    summary: "a function body or trigger refers to objects PostgreSQL does not track: a later change can break it unnoticed",
    help: "PostgreSQL records no dependency on what a string-bodied function reads, nor checks it until it runs. Prefer a `BEGIN ATOMIC` body (SQL functions, PostgreSQL 14+); test the function after each schema change. Opt-in: `[lint] rules = { untracked-dependencies = \"warning\" }`.",
    severity: Severity::Off,
    bad: "CREATE FUNCTION active_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM users WHERE active';",
    good: "CREATE FUNCTION active_count() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM users WHERE active; END;",
    kind: Kind::Hazard,
    existing_table_only: false,
    once: false,
    check,
    finish: Some(finish),
};

fn check(stmt: &Stmt, _: &State, out: &mut Vec<Hit>) {
    match stmt {
        Stmt::CreateFunction { atomic: false } => {
            out.push(Hit::new(0, "function body's references are not tracked"));
        }
        Stmt::Trigger { drop } => out.push(Hit::new(
            0,
            if *drop {
                "trigger dropped: what it maintained is no longer maintained"
            } else {
                "trigger function's references are not tracked"
            },
        )),
        _ => {}
    }
}

/// A sequence made without an owner column, and given none later in the revision: code may
/// name it (`nextval('s')`) where PostgreSQL does not see it.
fn finish(state: &State, out: &mut Vec<Hit>) {
    for (key, at) in &state.free_sequences {
        if !state.owned_sequences.contains(key) {
            let message =
                format!("sequence {key} belongs to no column: what uses it is not tracked");
            out.push(Hit::new(*at, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn functions_and_triggers() {
        assert!(ids("CREATE OR REPLACE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$").contains(&super::RULE.id));
        assert!(ids("DROP TRIGGER tr ON t").contains(&super::RULE.id));
        assert!(ids("CREATE SEQUENCE s").contains(&super::RULE.id));
        assert!(
            !ids("CREATE SEQUENCE s; CREATE TABLE t (id int); ALTER SEQUENCE s OWNED BY t.id")
                .contains(&super::RULE.id)
        );
    }
}
