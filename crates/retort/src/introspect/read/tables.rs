//! Readers of the tables' and columns' queries.

use std::collections::BTreeMap;

use tokio_postgres::Row;

use super::row::{grants, opt_qn, qn};
use crate::schema::{Column, Identity, PartitionOf, QualName, Schema, Table};

/// Tables. The identity index name of those with REPLICA IDENTITY USING INDEX is filled from
/// the indexes.
pub(super) fn tables(s: &mut Schema, rows: &[Row]) {
    for row in rows {
        let replica_identity = match row.get::<_, String>("replica_identity").as_str() {
            "f" => Some("FULL".to_string()),
            "n" => Some("NOTHING".to_string()),
            "i" => Some("USING INDEX".to_string()),
            _ => None,
        };
        s.tables.insert(
            qn(row, "schema", "name"),
            Table {
                unlogged: row.get("unlogged"),
                partition_key: row.get("partition_key"),
                partition_of: opt_qn(row, "parent_schema", "parent_name").map(|parent| {
                    PartitionOf {
                        parent,
                        bound: row
                            .get::<_, Option<String>>("partition_bound")
                            .unwrap_or_default(),
                    }
                }),
                options: row.get("options"),
                row_security: row.get("row_security"),
                force_row_security: row.get("force_row_security"),
                replica_identity,
                comment: row.get("comment"),
                grants: grants(row, "grants"),
                inherits: row
                    .get::<_, Vec<String>>("parent_schemas")
                    .into_iter()
                    .zip(row.get::<_, Vec<String>>("parent_names"))
                    .map(|(s, n)| QualName::new(s, n))
                    .collect(),
                of_type: opt_qn(row, "of_type_schema", "of_type_name"),
                tablespace: row.get("tablespace"),
                ..Table::default()
            },
        );
    }
}

/// Columns of tables, and of views (kept in `s.views` for the views' reader); a column's
/// identity comes from `identity_sequences`.
pub(super) fn columns(
    s: &mut Schema,
    rows: &[Row],
    identity_sequences: &mut BTreeMap<(QualName, String), (Identity, bool)>,
) {
    // Rows come ordered by relation: each relation is looked up once, with its columns.
    let mut current: Option<(QualName, bool, Vec<Column>)> = None;
    for row in rows {
        let same = current.as_ref().is_some_and(|(rel, _, _)| {
            row.get::<_, &str>("schema") == rel.schema && row.get::<_, &str>("relation") == rel.name
        });
        if !same {
            if let Some(done) = current.take() {
                add_columns(s, done.0, done.2);
            }
            let rel = qn(row, "schema", "relation");
            let unlogged = s.tables.get(&rel).is_some_and(|t| t.unlogged);
            current = Some((rel, unlogged, Vec::new()));
        }
        if let Some((rel, unlogged, columns)) = current.as_mut() {
            columns.push(column(row, rel, *unlogged, identity_sequences));
        }
    }
    if let Some(done) = current {
        add_columns(s, done.0, done.2);
    }
    if s.tables.values().any(|t| !t.inherits.is_empty()) {
        inheritance_column_order(s);
    }
}

/// The columns of relation `rel`: a table's, or kept aside for the views' reader (views are read
/// after columns; it keeps the storage, statistics and options of materialized views' columns
/// only).
fn add_columns(s: &mut Schema, rel: QualName, columns: Vec<Column>) {
    match s.tables.get_mut(&rel) {
        Some(t) => t.columns.extend(columns),
        None => s.views.entry(rel).or_default().columns.extend(columns),
    }
}

fn column(
    row: &Row,
    rel: &QualName,
    table_unlogged: bool,
    identity_sequences: &mut BTreeMap<(QualName, String), (Identity, bool)>,
) -> Column {
    let name: String = row.get("name");
    let identity: String = row.get("identity");
    let generated: String = row.get("generated");
    let expr: Option<String> = row.get("expression");
    let inherited: bool = row.get("inherited");
    let identity = match identity.as_str() {
        "a" | "d" => {
            identity_sequences
                .remove(&(rel.clone(), name.clone()))
                .map(|(id, unlogged)| Identity {
                    always: identity == "a",
                    persistence: (unlogged != table_unlogged)
                        .then(|| if unlogged { "UNLOGGED" } else { "LOGGED" }.to_string()),
                    ..id
                })
        }
        _ => None,
    };
    let (default, generated) = if generated == "s" {
        (None, expr)
    } else {
        (expr, None)
    };
    Column {
        name,
        data_type: row.get("data_type"),
        not_null: row.get("not_null"),
        default,
        identity,
        generated,
        collation: row.get("collation"),
        comment: row.get("comment"),
        inherited,
        merged: inherited && row.get::<_, bool>("is_local"),
        storage: row.get("storage"),
        statistics: row.get("statistics"),
        compression: row.get("compression"),
        grants: grants(row, "grants"),
        options: row.get("options"),
    }
}

/// An inheritance child's columns in the order `CREATE TABLE ... INHERITS` gives them: its
/// parents' first (in the parents' order), then its own. That is the order pg_dump's output makes
/// again; a column added to a parent after the child was made comes after the child's own in the
/// catalog, which no dump can make again while keeping it inherited only.
fn inheritance_column_order(s: &mut Schema) {
    for name in crate::render::table_order(s) {
        let Some(t) = s.tables.get(&name) else {
            continue;
        };
        if t.inherits.is_empty() {
            continue;
        }
        let mut order: Vec<String> = Vec::new();
        for p in &t.inherits {
            for c in s
                .tables
                .get(p)
                .map(|pt| &pt.columns[..])
                .unwrap_or_default()
            {
                if !order.contains(&c.name) {
                    order.push(c.name.clone());
                }
            }
        }
        let Some(t) = s.tables.get_mut(&name) else {
            continue;
        };
        let rank = |c: &Column| {
            order
                .iter()
                .position(|n| *n == c.name)
                .unwrap_or(usize::MAX)
        };
        // Stable: the table's own columns keep their order after the inherited ones.
        t.columns.sort_by_key(rank);
    }
}
