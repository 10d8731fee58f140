//! retort's schema model and what works on it without a database, re-exported by the `retort`
//! crate under the same paths (use `retort`).
//!
//! [`schema`] (the model and its builder) → [`render`] (DDL), [`erd`] (pictures) → [`diff`]
//! (the operations from one model to another) → [`doc`] (the documentation site). None of it
//! can open a database connection: this crate depends on no PostgreSQL client; reading a model
//! from a database is `retort::introspect`'s (ARCHITECTURE.md, "Crates and layers").

// The helpers of the pure pipeline this crate builds on, under the paths its modules name.
use retort_core::{graph, lanes, lint, script, sql, svg, util};

pub mod diff;
pub mod doc;
pub mod erd;
pub mod render;
pub mod schema;
