//! The schema model: everything a PostgreSQL application schema holds, as pure data.
//!
//! Values are what PostgreSQL itself renders (`format_type`, `pg_get_expr`,
//! `pg_get_constraintdef`, `pg_get_indexdef`, `pg_get_viewdef`, `pg_get_functiondef`,
//! `pg_get_triggerdef`, with an empty `search_path` so every name is qualified), so two databases
//! that hold the same schema give equal models. Nothing here is database-specific: no OIDs, no
//! attribute numbers, no file nodes. Collections are `BTreeMap`s keyed by (qualified) name, so
//! equality, iteration order and serialisation are deterministic.
//!
//! Not part of the model yet (the first kinds are reported in `Schema::unsupported` when a
//! database has them; the last ones are not objects and are left out silently, as by
//! `pg_dump --no-owner`): foreign tables and servers, typed tables, rules
//! other than views', event triggers, publications, statistics objects, aggregates, operators
//! and their classes and families, casts, collations, conversions, text search objects, range
//! and base types, procedural languages, access methods, transforms, tablespaces, column
//! storage, statistics targets and privileges, type privileges, default privileges, security
//! labels; owners; whether a materialized view is populated; the absence of schema `public`.
//!
//! [`builder`] declares a `Schema` in Rust (what `#[derive(retort::Table)]` expands to), in the
//! same printed forms, so a declared schema equals an introspected one.
//!
//! Invariant: this module never touches a connection.

pub mod builder;
mod model;
mod name;
mod object;

pub use model::*;
pub use name::{ParseNameError, QualName};
pub use object::CatalogObject;
