//! retort: PostgreSQL schema migrations.
//!
//! The pipeline, one module per stage (see ARCHITECTURE.md):
//! [`config`] → [`script`] (revision files) → [`graph`] (revision graph) → [`resolve`] (what a
//! target names) → [`plan`] (ordered steps and version-row changes). All of these are pure:
//! none opens a database connection. They live in the crates `retort-core` and `retort-schema`
//! (the schema model, [`render`], [`diff`]), which depend on no PostgreSQL client, and are
//! re-exported here under the same paths; this crate adds what talks to PostgreSQL ([`db`],
//! [`introspect`], [`runner`], [`devdb`], [`local`], [`autogen`], [`trace`], [`testkit`]) and
//! [`exit`].
//!
//! ## Models
//!
//! [`Table`] and [`Enum`] derive a [`schema::builder`] declaration from a struct or an enum:
//!
//! ```
//! use retort::schema::builder::{SchemaBuilder, TableModel};
//!
//! #[derive(retort::Table)]
//! #[retort(table = "t")]
//! struct T {
//!     #[retort(primary_key, references = "u(id)", on_delete = "cascade")]
//!     a: i32,
//!     b: Option<String>,
//! }
//! assert_eq!((T::TABLE, T::COLUMNS), ("t", &["a", "b"][..]));
//! let s = SchemaBuilder::new().model::<T>().build().expect("valid");
//! assert_eq!(s.tables.len(), 1);
//! ```
//!
//! The derives refuse, at compile time, what they cannot turn into a declaration:
//!
//! ```compile_fail
//! #[derive(retort::Table)]
//! struct T {
//!     #[retort(on_delete = "cascade")] // no `references`
//!     a: i32,
//! }
//! ```
//!
//! ```compile_fail
//! #[derive(retort::Table)]
//! struct T {
//!     #[retort(references = "u(id)", on_delete = "explode")] // not a referential action
//!     a: i32,
//! }
//! ```
//!
//! ```compile_fail
//! #[derive(retort::Table)]
//! #[retort(index(columns = "a", using = "gin", fast))] // no such index option
//! struct T {
//!     a: i32,
//! }
//! ```
//!
//! ```compile_fail
//! #[derive(retort::Table)]
//! #[retort(reference, distributed_by = "a")] // Citus: one or the other
//! struct T {
//!     a: i32,
//! }
//! ```
//!
//! ```compile_fail
//! #[derive(retort::Table)]
//! #[retort(colocate_with = "tenants")] // Citus: colocated by which column?
//! struct T {
//!     a: i32,
//! }
//! ```
//!
//! ```compile_fail
//! #[derive(retort::Enum)]
//! enum E {
//!     A(i32), // not a unit variant
//! }
//! ```

pub mod autogen;
/// `#[derive(retort::Table)]` and `#[derive(retort::Enum)]`: model structs and enums as a
/// [`schema::builder`] declaration (see the `retort-derive` crate for the attributes).
pub use retort_derive::{Enum, Table};
/// Embed a script directory in the binary: `Project::from_embedded(config, embed_migrations!("migrations"))`.
pub use retort_macros::embed_migrations;
/// The PostgreSQL client retort uses (what `#[retort(from_row)]` code reads rows with).
pub use tokio_postgres;

pub mod db;
pub mod devdb;
pub mod exit;
pub mod introspect;
pub mod local;
pub mod runner;
pub mod testkit;
pub mod trace;

// The pure crates' modules, under the paths users (and the derive's generated code) name.
#[doc(inline)]
pub use retort_core::{
    author, config, graph, inspect, lanes, lint, plan, project, resolve, script, sql, suggest, svg,
    util,
};
#[doc(inline)]
pub use retort_schema::{diff, doc, erd, render, schema};
