//! Readers of the schemas', extensions', types' and sequences' queries.

use std::collections::BTreeMap;

use tokio_postgres::Row;

use super::row::{grants, opt_grants, opt_qn, qn};
use crate::schema::{
    Attribute, CompositeType, Domain, EnumType, Extension, Identity, Namespace, QualName, Schema,
    Sequence, SequenceOptions,
};

pub(super) fn schemas(s: &mut Schema, rows: &[Row]) {
    for row in rows {
        s.schemas.insert(
            row.get("name"),
            Namespace {
                comment: row.get("comment"),
                grants: grants(row, "grants"),
            },
        );
    }
}

pub(super) fn extensions(s: &mut Schema, rows: &[Row]) {
    for row in rows {
        s.extensions.insert(
            row.get("name"),
            Extension {
                schema: row.get("schema"),
                version: row.get("version"),
                comment: row.get("comment"),
                requires: row.get("requires"),
                update_targets: Some(row.get("update_targets")),
            },
        );
    }
}

pub(super) fn enums(s: &mut Schema, rows: &[Row]) {
    for row in rows {
        s.enums.insert(
            qn(row, "schema", "name"),
            EnumType {
                labels: row.get("labels"),
                comment: row.get("comment"),
                grants: opt_grants(row, "grants"),
            },
        );
    }
}

pub(super) fn domains(s: &mut Schema, rows: &[Row]) {
    for row in rows {
        s.domains.insert(
            qn(row, "schema", "name"),
            Domain {
                base_type: row.get("base_type"),
                collation: row.get("collation"),
                default: row.get("default_value"),
                not_null: row.get("not_null"),
                comment: row.get("comment"),
                grants: opt_grants(row, "grants"),
                ..Domain::default()
            },
        );
    }
}

pub(super) fn domain_constraints(s: &mut Schema, rows: &[Row]) {
    for row in rows {
        if let Some(d) = s.domains.get_mut(&qn(row, "schema", "type_name")) {
            let name: String = row.get("name");
            if let Some(comment) = row.get::<_, Option<String>>("comment") {
                d.constraint_comments.insert(name.clone(), comment);
            }
            d.checks.insert(name, row.get("definition"));
        }
    }
}

/// Composite types: one row per attribute (one with a NULL attribute for a type without any).
pub(super) fn composites(s: &mut Schema, rows: &[Row]) {
    for row in rows {
        let t = s
            .composites
            .entry(qn(row, "schema", "name"))
            .or_insert_with(|| CompositeType {
                comment: row.get("comment"),
                grants: opt_grants(row, "grants"),
                ..CompositeType::default()
            });
        if let Some(name) = row.get::<_, Option<String>>("attribute") {
            t.attributes.push(Attribute {
                name,
                data_type: row.get("data_type"),
                collation: row.get("collation"),
                comment: row.get("attribute_comment"),
            });
        }
    }
}

/// Sequences; the identity sequences, which belong to their column, are returned by (table,
/// column) for the columns' reader, each with whether it is unlogged.
pub(super) fn sequences(
    s: &mut Schema,
    rows: &[Row],
) -> BTreeMap<(QualName, String), (Identity, bool)> {
    let mut identity_sequences = BTreeMap::new();
    for row in rows {
        let options = SequenceOptions {
            data_type: row.get("data_type"),
            start: row.get("seq_start"),
            increment: row.get("seq_increment"),
            min: row.get("seq_min"),
            max: row.get("seq_max"),
            cache: row.get("seq_cache"),
            cycle: row.get("seq_cycle"),
        };
        let owner = opt_qn(row, "owner_schema", "owner_table")
            .zip(row.get::<_, Option<String>>("owner_column"));
        let deptype: Option<String> = row.get("deptype");
        match (owner, deptype.as_deref()) {
            (Some(owner), Some("i")) => {
                let identity = Identity {
                    sequence: qn(row, "schema", "name"),
                    options,
                    comment: row.get("comment"),
                    grants: grants(row, "grants"),
                    always: false,
                    persistence: None,
                };
                identity_sequences.insert(owner, (identity, row.get("unlogged")));
            }
            (owner, _) => {
                s.sequences.insert(
                    qn(row, "schema", "name"),
                    Sequence {
                        options,
                        owned_by: owner,
                        unlogged: row.get("unlogged"),
                        comment: row.get("comment"),
                        grants: grants(row, "grants"),
                    },
                );
            }
        }
    }
    identity_sequences
}
