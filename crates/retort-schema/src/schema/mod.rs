//! The schema model: everything a PostgreSQL application schema holds, as pure data.
//!
//! Values are what PostgreSQL itself renders (`format_type`, `pg_get_expr`,
//! `pg_get_constraintdef`, `pg_get_indexdef`, `pg_get_viewdef`, `pg_get_functiondef`,
//! `pg_get_triggerdef`, with an empty `search_path` so every name is qualified), so two databases
//! that hold the same schema give equal models. Nothing here is database-specific: no OIDs, no
//! attribute numbers, no file nodes. Collections are `BTreeMap`s keyed by (qualified) name, so
//! equality, iteration order and serialisation are deterministic.
//!
//! Collations, aggregates, operators and their classes and families, casts, conversions, text
//! search objects, range types, base types and shell types, rules, statistics objects, event
//! triggers, foreign-data wrappers, servers, user mappings, foreign tables, publications,
//! default privileges, procedural languages, access methods and transforms are
//! [`CatalogObject`]s: kept as the definition PostgreSQL's catalog gives (one unit per kind in
//! `introspect::kinds`); [`shell_type`] adds the shell types that base and range types need
//! before their functions.
//!
//! Not part of the model yet (reported in `Schema::unsupported` when a database has them, and
//! refused by the diff when they differ; the last ones are not objects and are left out
//! silently, as by `pg_dump --no-owner`): user mappings holding a password, foreign tables that
//! are partitions or inherit, a materialized view's tablespace, a view's or materialized view's
//! column storage and statistics targets, security labels; owners; whether a materialized view
//! is populated. Tablespaces are referred to by name, never made.
//!
//! [`builder`] declares a `Schema` in Rust (what `#[derive(retort::Table)]` expands to), in the
//! same printed forms, so a declared schema equals an introspected one.
//!
//! Invariant: this module never touches a connection.

pub mod builder;
pub mod distribution;
pub mod filter;
mod model;
mod name;
mod object;
pub mod shell_type;

pub use model::*;
pub use name::{ParseNameError, QualName};
pub use object::{CatalogObject, Dependent};
