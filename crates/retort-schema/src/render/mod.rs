//! Rendering the model as SQL: [`render_schema`] prints a whole schema as DDL that loads into an
//! empty database; [`objects`] renders one object at a time (create, drop) for reuse by the diff.
//!
//! Order: schemas, extensions, sequences, types and the functions they and the tables need (sorted
//! by their dependencies), tables (partitions after their parent), constraints, indexes and
//! partition index attachments, Citus distribution ([`distribution`]), foreign keys, then
//! views, materialized views and the functions and types that need a table or view (sorted by
//! their dependencies), materialized view indexes, sequence ownership, triggers, row-level
//! security and policies, grants. Ties are broken by name, so the output is deterministic.
//!
//! Invariant: pure; never touches a connection.

pub mod distribution;
pub mod objects;
mod order;
pub mod reparse;
pub mod tablespace;
mod typed_table;

use std::fmt::Write as _;

use crate::schema::{ConstraintKind, Extension, QualName, Schema, Table};

pub use order::{creation_order, last_objects, table_order, Node};

/// The whole schema as DDL.
// Long: one section per object kind, in the order a dump holds them; the order is the point.
pub fn render_schema(schema: &Schema) -> String {
    let mut out = String::new();
    out.push_str("-- Schema dumped by retort\n");
    out.push_str(&unsupported_notice(schema));
    out.push_str("SET check_function_bodies = false;\n");

    let mut section = |title: &str, parts: Vec<String>| {
        let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        if !parts.is_empty() {
            let _ = write!(out, "\n-- {title}\n\n");
            for p in parts {
                out.push_str(&p);
                if !p.ends_with('\n') {
                    out.push('\n');
                }
            }
        }
    };

    section(
        "schemas",
        schema
            .schemas
            .iter()
            .map(|(name, ns)| objects::create_schema(name, ns))
            .collect(),
    );
    section(
        "extensions",
        Extension::creation_order(&schema.extensions)
            .into_iter()
            .map(|name| objects::create_extension(name, &schema.extensions[name]))
            .collect(),
    );
    // Sequences need nothing but their schema, and a domain's, a function argument's or a
    // foreign table column's default may call `nextval` on one: made first.
    section(
        "sequences",
        schema
            .sequences
            .iter()
            .map(|(name, s)| objects::create_sequence(name, s))
            .collect(),
    );
    let (before_tables, after_tables) = creation_order(schema);
    section(
        "types and functions",
        before_tables
            .iter()
            .map(|n| objects::create_node(schema, n))
            .collect(),
    );
    let tables = table_order(schema);
    section(
        "tables",
        tables
            .iter()
            .filter_map(|name| {
                let t = schema.tables.get(name)?;
                Some(objects::create_table(name, t, &parents(schema, t)))
            })
            .collect(),
    );
    let each_table = |f: &dyn Fn(&QualName, &crate::schema::Table) -> Vec<String>| {
        tables
            .iter()
            .filter_map(|name| schema.tables.get(name).map(|t| f(name, t)))
            .flatten()
            .collect::<Vec<String>>()
    };
    section(
        "checks of inheritance children a parent's NOT VALID check merges into",
        each_table(&|name, t| {
            t.constraints
                .iter()
                .filter(|(cname, c)| check_under_parents_not_valid(schema, t, cname, c))
                .map(|(cname, c)| objects::add_constraint(name, t, cname, c))
                .collect()
        }),
    );
    section(
        "constraints",
        each_table(&|name, t| {
            t.constraints
                .iter()
                .filter(|(_, c)| c.kind != ConstraintKind::ForeignKey)
                .filter(|(cname, c)| !check_under_parents_not_valid(schema, t, cname, c))
                .map(|(cname, c)| {
                    if c.inherited {
                        let parent = parents(schema, t)
                            .into_iter()
                            .find(|p| p.constraints.contains_key(cname));
                        objects::inherited_check(name, cname, c, parent)
                    } else {
                        objects::add_constraint(name, t, cname, c)
                    }
                })
                .collect()
        }),
    );
    section(
        "indexes",
        each_table(&|name, t| {
            t.indexes
                .iter()
                .map(|(iname, i)| objects::create_index(&name.schema, iname, i))
                .collect()
        }),
    );
    section(
        "partition indexes attached to their parent's",
        each_table(&|name, t| {
            let constraints = t
                .constraints
                .iter()
                .filter_map(|(cname, c)| Some((cname, c.parent_index.as_ref()?)));
            let indexes = t
                .indexes
                .iter()
                .filter_map(|(iname, i)| Some((iname, i.parent_index.as_ref()?)));
            constraints
                .chain(indexes)
                .map(|(child, parent)| {
                    objects::attach_index(parent, &QualName::new(name.schema.clone(), child))
                })
                .collect()
        }),
    );
    section(
        "replica identity and clustering",
        each_table(&|name, t| vec![objects::table_settings(name, t)]),
    );
    section("distribution (Citus)", distribution::render(schema));
    section(
        "foreign keys",
        each_table(&|name, t| {
            constraints_in_name_order(t)
                .into_iter()
                .filter(|(_, c)| c.kind == ConstraintKind::ForeignKey)
                .map(|(cname, c)| objects::add_constraint(name, t, cname, c))
                .collect()
        }),
    );
    section(
        "views and functions that use tables",
        after_tables
            .iter()
            .map(|n| objects::create_node(schema, n))
            .collect(),
    );
    section(
        "materialized view indexes",
        schema
            .views
            .iter()
            .flat_map(|(name, v)| {
                v.indexes
                    .iter()
                    .map(|(iname, i)| objects::create_index(&name.schema, iname, i))
            })
            .collect(),
    );
    section(
        "sequence ownership",
        schema
            .sequences
            .iter()
            .map(|(name, s)| objects::sequence_owned_by(name, s))
            .collect(),
    );
    section(
        "triggers",
        each_table(&|name, t| {
            t.triggers
                .iter()
                .map(|(tname, tr)| objects::create_trigger(name, tname, tr))
                .chain(
                    t.trigger_states
                        .iter()
                        .map(|(tname, state)| objects::trigger_state(name, tname, state)),
                )
                .collect()
        })
        .into_iter()
        .chain(schema.views.iter().flat_map(|(name, v)| {
            v.triggers
                .iter()
                .map(|(tname, tr)| objects::create_trigger(name, tname, tr))
        }))
        .collect(),
    );
    section(
        "row-level security",
        each_table(&|name, t| {
            std::iter::once(objects::row_security(name, t))
                .chain(
                    t.policies
                        .iter()
                        .map(|(pname, p)| objects::create_policy(name, pname, p)),
                )
                .collect()
        }),
    );
    section("grants", objects::all_grants(schema));
    section(
        "event triggers and default privileges",
        order::last_objects(schema)
            .iter()
            .map(|n| objects::create_node(schema, n))
            .collect(),
    );
    out
}

/// A valid check of `t`'s own that a parent's `NOT VALID` check of the same name was merged into:
/// added before the parent's (which, added first, would reach the child `NOT VALID` and make
/// the child's own conflict with it).
pub fn check_under_parents_not_valid(
    schema: &Schema,
    t: &Table,
    cname: &str,
    c: &crate::schema::Constraint,
) -> bool {
    c.kind == ConstraintKind::Check
        && c.validated
        && !c.inherited
        && !t.inherits.is_empty()
        && parents(schema, t).iter().any(|p| {
            p.constraints
                .get(cname)
                .is_some_and(|pc| pc.kind == ConstraintKind::Check && !pc.validated)
        })
}

/// A table's constraints by name, a trailing number compared as a number (`fk_a_fkey`,
/// `fk_a_fkey3`, `fk_a_fkey12`): the order PostgreSQL named unnamed ones in. A foreign key to a
/// partitioned table makes one per partition, named after it with the next free numbers; made
/// in this order, they take the numbers they had, not those of a key still to come.
pub fn constraints_in_name_order(t: &Table) -> Vec<(&String, &crate::schema::Constraint)> {
    let mut out: Vec<_> = t.constraints.iter().collect();
    out.sort_by_key(|(name, _)| {
        let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
        let number: Option<u128> = name[stem.len()..].parse().ok();
        (stem, number, name.as_str())
    });
    out
}

/// The tables of `schema` that `t` is a partition of or inherits from.
pub fn parents<'a>(schema: &'a Schema, t: &Table) -> Vec<&'a Table> {
    t.partition_of
        .iter()
        .map(|p| &p.parent)
        .chain(&t.inherits)
        .filter_map(|p| schema.tables.get(p))
        .collect()
}

/// The leading `-- unsupported: ...` block (empty when everything is covered).
pub fn unsupported_notice(schema: &Schema) -> String {
    let mut out = String::new();
    if !schema.unsupported.is_empty() {
        let _ = writeln!(
            out,
            "-- unsupported: {} object(s) in the database are not part of this dump:",
            schema.unsupported.len()
        );
        for u in &schema.unsupported {
            let _ = writeln!(out, "-- unsupported: {}", u.replace('\n', " "));
        }
    }
    out
}
