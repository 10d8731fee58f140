//! The runner: applies a [`Plan`](crate::plan::Plan) to a database.
//!
//! Invariants:
//! - Before reading the version table, the migration lock is held (a session advisory lock on
//!   its own connection, or, in `lock_mode = "transaction"`, a transaction advisory lock taken in
//!   each migration's transaction, with the version rows re-read under it).
//! - A transactional revision's SQL, its version-row changes and its applied-log row commit in
//!   one transaction (one round trip): a crash leaves all of them or none.
//! - A non-transactional revision is logged as `started` before its first statement and
//!   finished with its version-row change after its last; a run that finds a `started` (or
//!   `failed`) row stops and names the revision and how to recover.
//!
//! One file per job: [`options`](RunOptions), [`events`](Event), `run` (the run loop of
//! upgrade/downgrade), `preflight`, `apply` (one step), `state` (reading and checking the
//! version rows), `verify`, `status`, `stamp` (stamp and resolve), `watch` (the blocker watch),
//! `query` (retort's own SQL), `lock`, `tables`, `offline`, `error`.

mod apply;
mod error;
mod events;
mod lint_context;
mod lock;
mod offline;
mod options;
mod preflight;
mod query;
mod report;
mod run;
mod stamp;
mod state;
mod status;
mod tables;
mod verify;
mod watch;

pub use crate::config::LockMode;
pub use error::{
    Blocker, FailedStatement, LockHolder, MigrationFailed, RevisionUnusable, RunError,
};
pub use events::{Event, Observer, Quiet};
pub use options::RunOptions;
pub use report::{AppliedStep, RevisionState, RevisionStatus, RunReport, VerifyReport};
pub use tables::{VersionTables, RETORT_VERSION};

use crate::graph::RevisionGraph;
use crate::project::Project;

/// Applies revisions of a project to databases.
#[derive(Debug, Clone)]
pub struct Migrator {
    project: Project,
    tables: VersionTables,
    options: RunOptions,
}

impl Migrator {
    /// A migrator for `project`. `lock_mode = "transaction"` in its retort.toml wins over
    /// `options` (a session lock cannot work where the config says connections are pooled).
    pub fn new(project: Project, mut options: RunOptions) -> Self {
        if project.config.lock_mode == LockMode::Transaction {
            options.lock_mode = LockMode::Transaction;
        }
        if options.server_lock_timeout.is_none() {
            options
                .server_lock_timeout
                .clone_from(&project.config.lock_timeout);
        }
        if options.server_statement_timeout.is_none() {
            options
                .server_statement_timeout
                .clone_from(&project.config.statement_timeout);
        }
        let tables = VersionTables::from_config(&project.config);
        Self {
            project,
            tables,
            options,
        }
    }

    pub fn graph(&self) -> &RevisionGraph {
        &self.project.graph
    }

    pub fn tables(&self) -> &VersionTables {
        &self.tables
    }

    pub fn options(&self) -> &RunOptions {
        &self.options
    }
}
