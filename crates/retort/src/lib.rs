//! retort: PostgreSQL schema migrations.
//!
//! The pipeline, one module per stage (see ARCHITECTURE.md):
//! [`config`] → [`script`] (revision files) → [`graph`] (revision graph) → [`resolve`] (what a
//! target names) → [`plan`] (ordered steps and version-row changes). All of these are pure:
//! none opens a database connection.

pub mod author;
pub mod autogen;
/// `#[derive(retort::Table)]` and `#[derive(retort::Enum)]`: model structs and enums as a
/// [`schema::builder`] declaration (see the `retort-derive` crate for the attributes).
pub use retort_derive::{Enum, Table};
/// Embed a script directory in the binary: `Project::from_embedded(config, embed_migrations!("migrations"))`.
pub use retort_macros::embed_migrations;
/// The PostgreSQL client retort uses (what `#[retort(from_row)]` code reads rows with).
pub use tokio_postgres;

pub mod config;
pub mod db;
pub mod devdb;
pub mod diff;
pub mod doc;
pub mod erd;
pub mod exit;
pub mod graph;
pub mod inspect;
pub mod introspect;
pub mod lanes;
pub mod lint;
pub mod local;
pub mod plan;
pub mod project;
pub mod render;
pub mod resolve;
pub mod runner;
pub mod schema;
pub mod script;
pub mod sql;
pub mod suggest;
pub mod svg;
pub mod testkit;
pub mod trace;
pub mod util;

/// The old name of [`resolve`], kept for code written before the rename.
#[doc(hidden)]
pub use resolve as target;
