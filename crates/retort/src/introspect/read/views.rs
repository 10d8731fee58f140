//! Readers of the views' and functions' queries.

use tokio_postgres::Row;

use super::row::{grants, qn};
use crate::schema::{Column, Function, QualName, Schema, Trigger, View};

/// Views and materialized views, with the columns, indexes and triggers read before them.
pub(super) fn views(s: &mut Schema, rows: &[Row], view_triggers: Vec<(QualName, String, Trigger)>) {
    let mut views = std::mem::take(&mut s.views);
    for row in rows {
        let mut v = views.remove(&qn(row, "schema", "name")).unwrap_or_default();
        let materialized: bool = row.get("materialized");
        if !materialized {
            // A plain view's column has no storage, statistics or options of its own (what
            // PostgreSQL lets one set there is reported as unsupported).
            v.columns = v
                .columns
                .into_iter()
                .map(Column::without_settings)
                .collect();
        }
        s.views.insert(
            qn(row, "schema", "name"),
            View {
                materialized,
                definition: row.get("definition"),
                options: row.get("options"),
                comment: row.get("comment"),
                grants: grants(row, "grants"),
                ..v
            },
        );
    }
    for (rel, name, trigger) in view_triggers {
        if let Some(v) = s.views.get_mut(&rel) {
            v.triggers.insert(name, trigger);
        }
    }
}

/// Functions and procedures, keyed `name(identity arguments)`.
pub(super) fn functions(s: &mut Schema, rows: &[Row]) {
    for row in rows {
        let name: String = row.get("name");
        let args: String = row.get("arguments");
        s.functions.insert(
            QualName::new(row.get::<_, String>("schema"), format!("{name}({args})")),
            Function {
                name,
                identity_arguments: args,
                procedure: row.get("is_procedure"),
                definition: row.get("definition"),
                comment: row.get("comment"),
                grants: grants(row, "grants"),
                ..Function::default()
            },
        );
    }
}
