//! Readers of the catalog objects', dependencies' and unsupported objects' queries.

use std::collections::BTreeSet;

use tokio_postgres::Row;

use super::row::{grants, qn};
use crate::schema::{CatalogObject, Dependent, QualName, Schema};

/// Catalog objects: into the model, or, when their kind's rendering does not cover them (no
/// definition), into the returned unsupported list.
pub(super) fn objects(s: &mut Schema, rows: &[Row]) -> Vec<String> {
    let mut unsupported = Vec::new();
    for row in rows {
        let key = qn(row, "sch", "nm");
        let definition: Option<String> = row.get("def");
        let Some(definition) = definition else {
            unsupported.push(CatalogObject::describe(&key));
            continue;
        };
        s.objects.insert(
            key,
            CatalogObject {
                kind: row.get("kind"),
                definition,
                drop: row.get("drp"),
                comment_on: row.get("comment_on"),
                comment: row.get("comment"),
                grant_on: row.get("grant_on"),
                grants: grants(row, "grants"),
                used_by: dependents(row.get("used_by")),
                depends_on: BTreeSet::new(),
            },
        );
    }
    unsupported
}

/// What depends on what: each row's `from` object gets its `to` object.
pub(super) fn dependencies(s: &mut Schema, rows: &[Row]) {
    for row in rows {
        let from = qn(row, "from_schema", "from_name");
        let to = qn(row, "to_schema", "to_name");
        match row.get::<_, String>("from_kind").as_str() {
            "fn" => {
                if let Some(f) = s.functions.get_mut(&from) {
                    f.depends_on.insert(to);
                }
            }
            "rel" => {
                if let Some(v) = s.views.get_mut(&from) {
                    v.depends_on.insert(to);
                }
            }
            "obj" => {
                if let Some(o) = s.objects.get_mut(&from) {
                    o.depends_on.insert(to);
                }
            }
            _ => {
                if let Some(d) = s.domains.get_mut(&from) {
                    d.depends_on.insert(to);
                } else if let Some(t) = s.composites.get_mut(&from) {
                    t.depends_on.insert(to);
                }
            }
        }
    }
}

/// The unsupported objects' descriptions, with those found among the catalog objects, sorted.
pub(super) fn unsupported(s: &mut Schema, rows: &[Row], mut found: Vec<String>) {
    found.extend(rows.iter().map(|r| r.get::<_, String>("description")));
    found.sort();
    s.unsupported = found;
}

/// The `[description, schema, relation]` triples of the objects' query as dependents.
fn dependents(json: Option<String>) -> BTreeSet<Dependent> {
    type Triple = (String, Option<String>, Option<String>);
    let Some(json) = json else {
        return BTreeSet::new();
    };
    // Unreadable (never seen): one dependent of no relation, so that the diff refuses to touch it.
    let triples: Vec<Triple> = serde_json::from_str(&json)
        .unwrap_or_else(|_| vec![(format!("objects PostgreSQL listed as {json}"), None, None)]);
    triples
        .into_iter()
        .map(|(what, schema, name)| Dependent {
            what,
            relation: schema.zip(name).map(|(s, n)| QualName::new(s, n)),
        })
        .collect()
}
