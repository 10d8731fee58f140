//! `adding-field-with-default`: ADD COLUMN with a volatile default or a stored generated
//! expression rewrites the table under ACCESS EXCLUSIVE (a constant or stable default, since
//! PostgreSQL 11, does not).

use super::super::ast::{Action, Stmt};
use super::super::rule::{Hit, Kind, Rule, Severity};
use super::super::state::State;
use super::super::volatile::is_volatile;
use super::alter;

pub(crate) static RULE: Rule = Rule {
    id: "adding-field-with-default",
    summary: "adding a column with a volatile default, an identity or a stored generated expression rewrites the table",
    help: "PostgreSQL 11+ adds a column with a constant or stable default (now(), 'x', 0) without a rewrite; a volatile one (random(), gen_random_uuid(), clock_timestamp(), nextval(), a function of unknown volatility) or GENERATED ... STORED or AS IDENTITY rewrites the table and its indexes under ACCESS EXCLUSIVE. Add the column without the default, set the default for new rows, backfill in batches.",
    severity: Severity::Error,
    bad: "ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid();",
    good: "ALTER TABLE t ADD COLUMN created_at timestamptz DEFAULT now();",
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
        let Action::AddColumn { column, .. } = a else {
            continue;
        };
        if column.identity {
            out.push(
                Hit::new(
                    column.at,
                    format!(
                        "identity column {} is filled for every row: the table is rewritten",
                        column.name
                    ),
                )
                .on(table),
            );
        } else if column.generated_stored {
            out.push(
                Hit::new(
                    column.at,
                    format!(
                        "column {} is GENERATED ... STORED: the table is rewritten",
                        column.name
                    ),
                )
                .on(table),
            );
        } else if let Some((expr, at)) = &column.default {
            if let Some(f) = is_volatile(expr) {
                out.push(
                    Hit::new(*at, format!("default of column {} calls {f}(), volatile or of unknown volatility: the table is rewritten", column.name)).on(table),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ids;

    #[test]
    fn volatile_and_generated_flagged_constant_not() {
        let id = super::RULE.id;
        assert!(ids("ALTER TABLE t ADD COLUMN a float DEFAULT random()").contains(&id));
        assert!(
            ids("ALTER TABLE t ADD COLUMN a int GENERATED ALWAYS AS (b * 2) STORED").contains(&id)
        );
        assert!(
            ids("ALTER TABLE t ADD COLUMN i bigint GENERATED ALWAYS AS IDENTITY").contains(&id)
        );
        assert!(!ids("ALTER TABLE t ADD COLUMN a text DEFAULT 'x'::text NOT NULL").contains(&id));
        assert!(
            !ids("CREATE TABLE t (a int); ALTER TABLE t ADD COLUMN b float DEFAULT random()")
                .contains(&id)
        );
    }
}
