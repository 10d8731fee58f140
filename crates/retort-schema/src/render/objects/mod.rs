//! One object at a time: the statements that create (and drop) each kind of object, with its
//! comments. Each returns complete statements ending in `;\n` (or an empty string).

use std::fmt::Write as _;

use super::Node;
use crate::schema::{
    CatalogObject, Column, CompositeType, Constraint, ConstraintKind, Domain, EnumType, Extension,
    Function, Grant, Index, Namespace, Policy, QualName, Schema, Sequence, SequenceOptions, Table,
    Trigger, View,
};
use crate::sql::{quote_ident, quote_literal};

mod catalog_object;
mod column;
mod constraint;
mod function;
mod grants;
mod index;
mod namespace;
mod policy;
mod sequence;
mod table;
mod trigger;
mod types;
mod view;

pub use catalog_object::*;
pub use column::*;
pub use constraint::*;
pub use function::*;
pub use grants::*;
pub use index::*;
pub use namespace::*;
pub use policy::*;
pub use sequence::*;
pub use table::*;
pub use trigger::*;
pub use types::*;
pub use view::*;

/// `COMMENT ON` what `what` names, when there is a comment: `what` is only made then (most
/// columns have none, and naming one formats and quotes).
fn comment(out: &mut String, text: Option<&String>, what: impl FnOnce() -> String) {
    if let Some(text) = text {
        let _ = writeln!(out, "COMMENT ON {} IS {};", what(), quote_literal(text));
    }
}

fn role(name: &str) -> String {
    if name == "PUBLIC" {
        name.to_string()
    } else {
        quote_ident(name)
    }
}

/// `WITH (key='value', ...)` of storage options, or nothing.
pub(super) fn with_options(options: &[String]) -> String {
    if options.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = options
        .iter()
        .map(|o| {
            let (k, v) = o.split_once('=').unwrap_or((o, "true"));
            // `toast.x` is a namespace and a name.
            let key = match k.split_once('.') {
                Some((ns, name)) => format!("{}.{}", quote_ident(ns), quote_ident(name)),
                None => quote_ident(k),
            };
            format!("{key}={}", quote_literal(v))
        })
        .collect();
    format!(" WITH ({})", parts.join(", "))
}

/// The statement that creates an object of the sorted phases.
pub fn create_node(schema: &Schema, node: &Node) -> String {
    match node {
        Node::Enum(n) => schema.enums.get(n).map(|e| create_enum(n, e)),
        Node::Domain(n) => schema.domains.get(n).map(|d| create_domain(n, d)),
        Node::Composite(n) => schema.composites.get(n).map(|c| create_composite(n, c)),
        Node::Function(n) => schema
            .functions
            .get(n)
            .map(|f| create_function(&n.schema, f)),
        Node::View(n) => schema.views.get(n).map(|v| create_view(n, v)),
        Node::ViewPlaceholder(n) => schema.views.get(n).map(|v| view_placeholder(n, v, false)),
        Node::ViewReplace(n) => schema
            .views
            .get(n)
            .map(|v| create_view(n, v).replacen("CREATE VIEW", "CREATE OR REPLACE VIEW", 1)),
        Node::Object(n) => schema.objects.get(n).map(create_object),
    }
    .unwrap_or_default()
}

/// A view's query as `CREATE VIEW` takes it: without its `;`, written to parse back to the
/// same tree ([`super::reparse::stable`]).
pub fn view_body(v: &View) -> String {
    super::reparse::stable(v.definition.trim().trim_end_matches(';').trim_end())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::schema::{Identity, PartitionOf};

    // Long: one fixture schema holding every kind of object.
    fn sample() -> Schema {
        let mut s = Schema::default();
        let t = QualName::new("app", "Orders");
        s.schemas.insert(
            "app".to_string(),
            Namespace {
                comment: Some("it's the app".to_string()),
                ..Namespace::default()
            },
        );
        s.enums.insert(
            QualName::new("app", "state"),
            EnumType {
                labels: vec!["new".to_string(), "it's done".to_string()],
                comment: None,
                grants: None,
            },
        );
        s.tables.insert(
            t.clone(),
            Table {
                columns: vec![
                    Column {
                        name: "id".to_string(),
                        data_type: "bigint".to_string(),
                        not_null: true,
                        identity: Some(Identity {
                            always: true,
                            sequence: QualName::new("app", "Orders_id_seq"),
                            options: SequenceOptions {
                                data_type: "bigint".to_string(),
                                start: 1,
                                increment: 1,
                                min: 1,
                                max: i64::MAX,
                                cache: 1,
                                cycle: false,
                            },
                            ..Default::default()
                        }),
                        ..Column::default()
                    },
                    Column {
                        name: "placed on".to_string(),
                        data_type: "date".to_string(),
                        not_null: true,
                        default: Some("CURRENT_DATE".to_string()),
                        comment: Some("when".to_string()),
                        ..Column::default()
                    },
                ],
                constraints: BTreeMap::from([(
                    "Orders_pkey".to_string(),
                    Constraint {
                        kind: ConstraintKind::PrimaryKey,
                        definition: "PRIMARY KEY (id, \"placed on\")".to_string(),
                        validated: true,
                        ..Constraint::default()
                    },
                )]),
                partition_key: Some("RANGE (\"placed on\")".to_string()),
                row_security: true,
                comment: Some("orders".to_string()),
                ..Table::default()
            },
        );
        s.tables.insert(
            QualName::new("app", "orders_2025"),
            Table {
                columns: s.tables[&t].columns.clone(),
                partition_of: Some(PartitionOf {
                    parent: t.clone(),
                    bound: "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')".to_string(),
                }),
                constraints: BTreeMap::from([(
                    "orders_2025_pkey".to_string(),
                    Constraint {
                        kind: ConstraintKind::PrimaryKey,
                        definition: "PRIMARY KEY (id, \"placed on\")".to_string(),
                        validated: true,
                        parent_index: Some(QualName::new("app", "Orders_pkey")),
                        ..Constraint::default()
                    },
                )]),
                ..Table::default()
            },
        );
        s.tables.get_mut(&t).map(|o| {
            o.policies.insert(
                "mine".to_string(),
                Policy {
                    permissive: false,
                    command: "SELECT".to_string(),
                    roles: vec!["PUBLIC".to_string(), "Reader".to_string()],
                    using: Some("true".to_string()),
                    with_check: None,
                    comment: None,
                },
            )
        });
        s.unsupported.push("rule r on app.t".to_string());
        s
    }

    #[test]
    fn renders_a_schema() {
        insta::assert_snapshot!(crate::render::render_schema(&sample()));
    }

    #[test]
    fn rendering_is_deterministic_and_survives_json() {
        let s = sample();
        let json = serde_json::to_string(&s).expect("serialises");
        let back: Schema = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, s);
        assert_eq!(
            crate::render::render_schema(&back),
            crate::render::render_schema(&s)
        );
    }
}
