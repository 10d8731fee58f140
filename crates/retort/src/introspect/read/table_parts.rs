//! Readers of the constraints', indexes', triggers' and policies' queries.

use std::collections::BTreeMap;

use tokio_postgres::Row;

use super::row::{opt_qn, qn};
use crate::schema::{Constraint, ConstraintKind, Index, Policy, QualName, Schema, Trigger};

pub(super) fn constraints(s: &mut Schema, rows: &[Row]) {
    for row in rows {
        let Some(t) = s.tables.get_mut(&qn(row, "schema", "table_name")) else {
            continue;
        };
        let kind = match row.get::<_, String>("kind").as_str() {
            "p" => ConstraintKind::PrimaryKey,
            "u" => ConstraintKind::Unique,
            "f" => ConstraintKind::ForeignKey,
            "x" => ConstraintKind::Exclusion,
            _ => ConstraintKind::Check,
        };
        let is_local: bool = row.get("is_local");
        let has_parent: bool = row.get("has_parent");
        // What the parent's constraint makes by itself: cloned foreign keys.
        if kind == ConstraintKind::ForeignKey && has_parent {
            continue;
        }
        t.constraints.insert(
            row.get("name"),
            Constraint {
                kind,
                definition: row.get("definition"),
                columns: row.get("columns"),
                references: opt_qn(row, "ref_schema", "ref_table"),
                deferrable: row.get("deferrable"),
                initially_deferred: row.get("deferred"),
                validated: row.get("validated"),
                // Meaningful for checks only: PostgreSQL sets it on a key constraint made by
                // ALTER TABLE but not on one cloned onto a partition, which attaching keeps.
                no_inherit: kind == ConstraintKind::Check && row.get::<_, bool>("no_inherit"),
                parent_index: opt_qn(row, "parent_index_schema", "parent_index"),
                inherited: kind == ConstraintKind::Check && !is_local,
                comment: row.get("comment"),
                tablespace: None,
                index_comment: None,
            },
        );
    }
}

/// Indexes of tables and materialized views (those of materialized views kept in `s.views` for
/// the views' reader), and the tables' clustering and replica identity index.
pub(super) fn indexes(s: &mut Schema, rows: &[Row]) {
    for row in rows {
        let rel = qn(row, "schema", "table_name");
        let name: String = row.get("name");
        let backs_constraint: bool = row.get("backs_constraint");
        let on_matview: bool = row.get("on_matview");
        if let Some(t) = s.tables.get_mut(&rel) {
            if row.get::<_, bool>("clustered") {
                t.cluster_on = Some(name.clone());
            }
            if row.get::<_, bool>("replica_identity") {
                t.replica_identity =
                    Some(format!("USING INDEX {}", crate::sql::quote_ident(&name)));
            }
        }
        if backs_constraint {
            let key = s
                .tables
                .get_mut(&rel)
                .and_then(|t| t.constraints.get_mut(&name));
            if let Some(k) = key {
                k.tablespace = row.get("tablespace");
                k.index_comment = row.get("comment");
            }
            continue;
        }
        let definition = row
            .get::<_, Option<String>>("definition")
            .unwrap_or_default();
        let predicate = if row.get::<_, bool>("partial") {
            predicate_of(&definition)
        } else {
            None
        };
        let index = Index {
            definition,
            unique: row.get("is_unique"),
            method: row.get("method"),
            predicate,
            parent_index: opt_qn(row, "parent_schema", "parent_name"),
            comment: row.get("comment"),
            statistics: index_statistics(row),
            tablespace: row.get("tablespace"),
        };
        if on_matview {
            s.views.entry(rel).or_default().indexes.insert(name, index);
        } else if let Some(t) = s.tables.get_mut(&rel) {
            t.indexes.insert(name, index);
        }
    }
}

/// An index row's statistics targets, by column number.
fn index_statistics(row: &Row) -> BTreeMap<i16, i32> {
    let columns: Vec<i32> = row.get("statistics_columns");
    let targets: Vec<i32> = row.get("statistics_targets");
    columns
        .into_iter()
        .zip(targets)
        .filter_map(|(c, t)| Some((i16::try_from(c).ok()?, t)))
        .collect()
}

/// Triggers of tables; those of views are returned (relation, name, trigger) for the views'
/// reader.
pub(super) fn triggers(s: &mut Schema, rows: &[Row]) -> Vec<(QualName, String, Trigger)> {
    let mut view_triggers = Vec::new();
    for row in rows {
        let trigger = Trigger {
            definition: row.get("definition"),
            enabled: row.get("enabled"),
            comment: row.get("comment"),
        };
        let rel = qn(row, "schema", "table_name");
        match s.tables.get_mut(&rel) {
            // A partition's clone of its parent's trigger, in a state of its own.
            Some(t) if row.get::<_, bool>("cloned") => {
                t.trigger_states.insert(row.get("name"), trigger.enabled);
            }
            Some(t) => {
                t.triggers.insert(row.get("name"), trigger);
            }
            None => view_triggers.push((rel, row.get::<_, String>("name"), trigger)),
        }
    }
    view_triggers
}

pub(super) fn policies(s: &mut Schema, rows: &[Row]) {
    for row in rows {
        let Some(t) = s.tables.get_mut(&qn(row, "schema", "table_name")) else {
            continue;
        };
        let command = match row.get::<_, String>("command").as_str() {
            "r" => "SELECT",
            "a" => "INSERT",
            "w" => "UPDATE",
            "d" => "DELETE",
            _ => "ALL",
        };
        t.policies.insert(
            row.get("name"),
            Policy {
                permissive: row.get("permissive"),
                command: command.to_string(),
                roles: row.get("roles"),
                using: row.get("using_expr"),
                with_check: row.get("check_expr"),
                comment: row.get("comment"),
            },
        );
    }
}

/// The predicate of a partial index's `pg_get_indexdef`: what follows its first ` WHERE ` outside
/// quotes and parentheses (names are quoted when odd, and every other clause before it is
/// parenthesised, so that is where `pg_get_indexdef` put it).
pub(super) fn predicate_of(definition: &str) -> Option<String> {
    let bytes = definition.as_bytes();
    let (mut depth, mut quote) = (0i32, None::<u8>);
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'(') => depth += 1,
            (None, b')') => depth -= 1,
            (None, b' ') if depth == 0 && definition[i..].starts_with(" WHERE ") => {
                return Some(definition[i + 7..].to_string());
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::predicate_of;

    #[test]
    fn predicates_come_from_index_definitions() {
        assert_eq!(
            predicate_of("CREATE INDEX i ON public.t USING btree (a) WHERE (a > 0)").as_deref(),
            Some("(a > 0)")
        );
        assert_eq!(
            predicate_of(
                "CREATE INDEX \"x WHERE y\" ON public.\"t WHERE\" USING btree ((b = ' WHERE '::text)) \
                 INCLUDE (c) WITH (fillfactor='70') WHERE ((b <> ' WHERE '::text) AND c)"
            )
            .as_deref(),
            Some("((b <> ' WHERE '::text) AND c)")
        );
        assert_eq!(
            predicate_of("CREATE INDEX i ON public.t USING btree (a)"),
            None
        );
    }
}
