//! retort's pure pipeline, re-exported by the `retort` crate under the same paths (use `retort`).
//!
//! [`config`] → [`script`] (revision files) → [`graph`] (revision graph) → [`resolve`] (what a
//! target names) → [`plan`] (ordered steps and version-row changes), with [`inspect`],
//! [`project`], [`lanes`], [`author`] and [`lint`] over them and the helpers [`util`],
//! [`suggest`], [`sql`] and [`svg`]. None of it can open a database connection: this crate
//! depends on no PostgreSQL client (ARCHITECTURE.md, "Crates and layers").

pub mod author;
pub mod config;
pub mod graph;
pub mod inspect;
pub mod lanes;
pub mod lint;
pub mod plan;
pub mod project;
pub mod resolve;
pub mod script;
pub mod sql;
pub mod suggest;
pub mod svg;
pub mod util;
