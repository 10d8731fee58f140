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
mod dump;
pub mod objects;
mod order;
pub mod reparse;
pub mod tablespace;
mod typed_table;

use std::fmt::Write as _;

use crate::schema::{ConstraintKind, Schema, Table};

pub use dump::render_schema;
pub use order::{creation_order, last_objects, table_order, Node};

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
