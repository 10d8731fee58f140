//! How a run behaves: [`RunOptions`].

use std::time::Duration;

use super::{LockMode, RETORT_VERSION};

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Give up waiting for the lock after this long (`None`: wait forever).
    pub lock_timeout: Option<Duration>,
    pub lock_mode: LockMode,
    /// Run even if applied revisions' files changed.
    pub allow_changed: bool,
    /// One transaction for the whole run.
    pub single_transaction: bool,
    /// `application_name` of retort's sessions.
    pub application_name: String,
    /// Record this tag in the applied log's message (`upgrade --tag`).
    pub tag: Option<String>,
    /// Send a transactional revision's statements one by one (inside its transaction), so that
    /// each gets its own [`Event::Statement`] with its duration (`-v`). Off by default: one round
    /// trip per revision is faster.
    pub per_statement: bool,
    /// PostgreSQL's `lock_timeout` for the migrations' statements (`"5s"`); `None`: the
    /// server's. Taken from retort.toml's `lock_timeout` when unset.
    pub server_lock_timeout: Option<String>,
    /// PostgreSQL's `statement_timeout` for the migrations' statements; from retort.toml's
    /// `statement_timeout` when unset.
    pub server_statement_timeout: Option<String>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            lock_timeout: None,
            lock_mode: LockMode::Session,
            allow_changed: false,
            single_transaction: false,
            application_name: format!("retort {RETORT_VERSION}"),
            tag: None,
            per_statement: false,
            server_lock_timeout: None,
            server_statement_timeout: None,
        }
    }
}
