//! builtenv: the BuiltEnvironment.ai backend. Its database is migrated by retort, as a library,
//! from revision files embedded in the binary.
//!
//! - [`models`]: the tables and enum types as Rust types, the desired schema of `builtenv
//!   migrate check` and `builtenv migrate revision --autogenerate`;
//! - [`citus`]: where each table goes on a Citus cluster, and which layout `check` expects;
//! - [`db`]: which database (DATABASE_URL or retort's local dev database), a small connection
//!   pool, and the per-request transaction that row-level security relies on;
//! - [`api`]: the HTTP API (axum): health, readiness, tenants, projects, documents;
//! - [`serve`]: `builtenv serve [--migrate]`;
//! - [`telemetry`]: logs (`tracing`, text or JSON with `LOG_FORMAT=json`);
//! - [`migrate`]: what `serve --migrate` prints; `builtenv migrate <retort command>` itself is the
//!   `retort` CLI (`retort_cli::main_with_models_fitted`, in `main.rs`).

pub mod api;
pub mod citus;
pub mod db;
pub mod migrate;
pub mod models;
pub mod serve;
pub mod telemetry;

use std::path::Path;

use retort::config::Config;
use retort::project::Project;

/// The revision files of `migrations/`, embedded at compile time.
pub static MIGRATIONS: &[(&str, &str)] = retort::embed_migrations!("migrations");

/// The crate's `retort.toml`, embedded too, so that `builtenv migrate` and the `retort` CLI run
/// in this crate's folder agree on the version table and the rest.
const RETORT_TOML: &str = include_str!("../retort.toml");

/// The PostgreSQL role every API request runs as (created by the initial revision).
pub const APP_ROLE: &str = "builtenv_app";

/// retort's settings for the embedded project, rooted at the current directory: revision paths
/// in messages read `migrations/...`, and the local dev database lives in `./.retort/pg`.
pub fn config() -> Result<Config, retort::config::ConfigError> {
    Config::parse(RETORT_TOML, Path::new("./retort.toml"), |name| {
        std::env::var(name).ok()
    })
}

/// The embedded project: config, revision files and their graph.
pub fn project() -> Result<Project, retort::project::Error> {
    Project::from_embedded(config()?, MIGRATIONS)
}
