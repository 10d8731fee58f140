//! Runner errors. A failed statement points at the revision file's line and column (mapped from
//! PostgreSQL's error position), shows the line with a caret, SQLSTATE, detail and hint.

use std::path::Path;

use miette::{Diagnostic, NamedSource, SourceSpan};

use crate::db::DbError;
use crate::resolve::TargetError;

/// A statement of a revision failed.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{location}: revision {revision} failed: {message}")]
pub struct MigrationFailed {
    pub revision: String,
    /// `path:line:column`, or the path when PostgreSQL gave no position.
    pub location: String,
    /// PostgreSQL's message with its SQLSTATE.
    pub message: String,
    pub sqlstate: Option<String>,
    /// The server's `lock_timeout` or `statement_timeout` stopped the statement: which, and its
    /// value (e.g. `lock_timeout = 500ms`).
    pub timeout: Option<String>,
    /// The sessions that were blocking the statement when it stopped (seen by a second
    /// connection while it ran; only watched when a server timeout is set).
    pub blocked_by: Vec<Blocker>,
    /// The connection ended while the revision ran (terminated, server shut down or restarted,
    /// network): it did not commit, unless the connection dropped during the commit itself.
    pub connection_lost: bool,
    #[help]
    pub help: Option<String>,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: Option<SourceSpan>,
}

/// Where a failed statement was: in which revision file, and how it was sent.
#[derive(Debug, Clone, Copy)]
pub struct FailedStatement<'a> {
    pub revision: &'a str,
    pub path: &'a Path,
    /// The revision file's whole text.
    pub file_text: &'a str,
    /// The SQL sent, from the failed statement on.
    pub sql: &'a str,
    /// Byte offset of `sql` in the file.
    pub sql_offset_in_file: usize,
    /// Characters sent before `sql` in the same query string (PostgreSQL positions count from
    /// the string's start).
    pub prefix_chars: usize,
    /// The statement is known without a position from PostgreSQL (sent on its own, or found
    /// by counting the statements the server completed before it): point at its start.
    pub statement_alone: bool,
}

impl MigrationFailed {
    /// Build from a database error raised while running the statement `at`; `rolled_back` says
    /// what was undone.
    pub fn new(at: &FailedStatement<'_>, err: &tokio_postgres::Error, rolled_back: &str) -> Self {
        let FailedStatement {
            revision,
            path,
            file_text,
            sql,
            sql_offset_in_file,
            prefix_chars,
            statement_alone,
        } = *at;
        let shown = crate::util::display_path(path);
        let db = err.as_db_error();
        let connection_lost = is_connection_lost(err);
        let (message, sqlstate) = match db {
            Some(d) => (
                format!("{} (SQLSTATE {})", d.message(), d.code().code()),
                Some(d.code().code().to_string()),
            ),
            None => (format!("lost the database connection: {err}"), None),
        };
        let mut help = Vec::new();
        if let Some(d) = db.and_then(|d| d.detail()) {
            help.push(format!("detail: {d}"));
        }
        if let Some(h) = db.and_then(|d| d.hint()) {
            help.push(format!("hint: {h}"));
        }
        if let Some(w) = db.and_then(|d| d.where_()) {
            help.push(format!("context: {w}"));
        }
        help.push(rolled_back.to_string());
        let position = db.and_then(|d| match d.position() {
            Some(tokio_postgres::error::ErrorPosition::Original(p)) => Some(*p as usize),
            _ => None,
        });
        // 1-based character position in the query string -> byte offset in the file.
        let byte_in_sql = position
            .and_then(|p| p.checked_sub(1 + prefix_chars))
            .and_then(|chars| sql.char_indices().nth(chars).map(|(b, _)| b));
        // Without a position, a statement run on its own is still known: point at its start.
        let byte_in_sql = byte_in_sql.or(if statement_alone { Some(0) } else { None });
        let (location, span) = match byte_in_sql {
            Some(b) => {
                let at = sql_offset_in_file + b;
                let at = at.min(file_text.len());
                let line = file_text[..at].matches('\n').count() + 1;
                let line_start = file_text[..at].rfind('\n').map_or(0, |i| i + 1);
                let col = file_text[line_start..at].chars().count() + 1;
                let word_end = file_text[at..]
                    .find(|c: char| c.is_whitespace() || c == ';' || c == '(' || c == ',')
                    .map_or(file_text.len(), |e| at + e.max(1));
                (
                    format!("{shown}:{line}:{col}"),
                    Some(SourceSpan::from(at..word_end)),
                )
            }
            None => (shown.clone(), None),
        };
        Self {
            revision: revision.to_string(),
            location,
            message,
            sqlstate,
            timeout: None,
            blocked_by: Vec::new(),
            connection_lost,
            help: Some(help.join("\n")),
            src: NamedSource::new(
                shown,
                if span.is_some() {
                    file_text.to_string()
                } else {
                    String::new()
                },
            ),
            span,
        }
    }
}

impl MigrationFailed {
    /// Name the server timeout that stopped the statement (`lock_timeout = 2s`) and the sessions
    /// that were blocking it, in the message, with what to do in the help.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Option<String>, blocked_by: Vec<Blocker>) -> Self {
        let Some(t) = timeout else {
            return self;
        };
        let setting = t.split(' ').next().unwrap_or("lock_timeout").to_string();
        let mut first_help = match blocked_by.first() {
            Some(b) => {
                self.message = format!(
                    "{} after {t}, blocked by {}",
                    self.message,
                    blocked_by
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                );
                format!("wait for pid {} to finish (or end it: SELECT pg_terminate_backend({})), then run again; or raise {setting} in retort.toml", b.pid, b.pid)
            }
            None => {
                self.message = format!(
                    "{} after {t} (no other session was blocking it)",
                    self.message
                );
                format!("the statement itself ran longer than {t}: raise {setting} in retort.toml, or make the statement faster")
            }
        };
        if let Some(h) = &self.help {
            first_help = format!("{first_help}\n{h}");
        }
        self.help = Some(first_help);
        self.timeout = Some(t);
        self.blocked_by = blocked_by;
        self
    }
}

/// Whether an error means the session is gone: no server message (the socket closed), the
/// server ending it (SQLSTATE 57P01-57P03: terminated, shutdown, crash) or a connection
/// exception (class 08).
pub(crate) fn is_connection_lost(err: &tokio_postgres::Error) -> bool {
    match err.as_db_error() {
        None => true,
        Some(d) => {
            let c = d.code().code();
            c.starts_with("57P0") || c.starts_with("08")
        }
    }
}

/// A session that blocked a migration's statement (from `pg_blocking_pids`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Blocker {
    pub pid: i32,
    pub application_name: String,
    pub user: String,
    /// `pg_stat_activity.state`: `active`, `idle in transaction`...
    pub state: String,
    /// Its current or last statement, whitespace collapsed, cut at 80 characters.
    pub query: String,
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} ({}, user {}, {}: {})",
            self.pid,
            if self.application_name.is_empty() {
                "no application_name"
            } else {
                &self.application_name
            },
            self.user,
            self.state,
            self.query
        )
    }
}

/// A revision that holds no SQL for the direction asked, or transaction control where it
/// would break atomicity, or a script the splitter cannot read.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{location}: {message}")]
pub struct RevisionUnusable {
    pub location: String,
    pub message: String,
    #[help]
    pub help: Option<String>,
}

/// Who holds the migration lock.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LockHolder {
    pub pid: i32,
    pub application_name: String,
    pub user: String,
    /// When its session started (PostgreSQL's text form).
    pub since: String,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} ({}, user {}, since {})",
            self.pid,
            if self.application_name.is_empty() {
                "no application_name"
            } else {
                &self.application_name
            },
            self.user,
            self.since
        )
    }
}

/// Everything a run can end in.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[non_exhaustive]
pub enum RunError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Db(#[from] DbError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Target(#[from] TargetError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Migration(Box<MigrationFailed>),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Unusable(#[from] RevisionUnusable),

    #[error("timed out after {waited_secs:.1}s waiting for the migration lock, held by {}", holder.as_ref().map_or_else(|| "another session".to_string(), |h| h.to_string()))]
    #[diagnostic(help(
        "another retort is migrating this database; wait for it, or raise --lock-timeout"
    ))]
    LockTimeout {
        waited_secs: f64,
        holder: Option<LockHolder>,
    },

    #[error("lost the migration lock: this run's transaction reached a database session that does not hold it, so it was rolled back (a connection pooler in transaction mode, such as PgBouncer's pool_mode = transaction, sends each transaction to any server connection, and a session lock stays on one)")]
    #[diagnostic(help("set lock_mode = \"transaction\" in retort.toml (made for transaction pooling), or connect to PostgreSQL directly or through a session-pooling port"))]
    LockLost,

    #[error("applied revision{} changed since {} applied: {}", if revisions.len() == 1 { "" } else { "s" }, if revisions.len() == 1 { "it was" } else { "they were" }, revisions.join(", "))]
    #[diagnostic(help("restore the files, or accept the new contents with `retort verify --accept REV` (or run with --allow-changed)"))]
    Changed { revisions: Vec<String> },

    #[error("revision {revision} ({path}) was interrupted while running {direction} (it is non-transactional, so some of its statements may have run)")]
    #[diagnostic(help("check the database; then `retort resolve {revision} --applied` if its changes are all in place (finish them by hand first), or `retort resolve {revision} --rolled-back` if none are"))]
    Interrupted {
        revision: String,
        path: String,
        direction: String,
    },

    #[error("revision {revision} ({path}) was started ({direction}) by another run that has not finished it: it is non-transactional, and with lock_mode = \"transaction\" it runs outside the migration lock, so retort cannot tell a run still going from one that died")]
    #[diagnostic(help("if another deploy is still running it, wait for it and run again; if not, check the database, then `retort resolve {revision} --applied` (finish its changes by hand first) or `retort resolve {revision} --rolled-back`"))]
    Unfinished {
        revision: String,
        path: String,
        direction: String,
    },

    #[error("the version table names revision{} {} that {} not in the script directory", if revisions.len() == 1 { "" } else { "s" }, revisions.join(", "), if revisions.len() == 1 { "is" } else { "are" })]
    #[diagnostic(help("restore the missing revision files (another branch of the code?), or `retort stamp` the database to a known revision"))]
    UnknownApplied { revisions: Vec<String> },

    #[error("the version table holds both {revision} and its ancestor {ancestor}; a database is at one revision per branch")]
    #[diagnostic(help("delete the ancestor's row, or `retort stamp --purge` the database to the revisions it is really at"))]
    OverlappingRows { revision: String, ancestor: String },

    #[error("table {table} is not a version table: it has ({columns}) instead of version_num varchar(32)")]
    #[diagnostic(help("set version_table in retort.toml to another name, or rename that table"))]
    NotAVersionTable { table: String, columns: String },

    #[error("the database is read-only: {detail}")]
    #[diagnostic(help("is this a standby, or is default_transaction_read_only on? Migrate the primary, or turn it off for the migrating role"))]
    ReadOnly { detail: String },

    #[error("cannot create retort's tables {tables}: {detail}")]
    #[diagnostic(help("grant the migrating role CREATE on the schema (GRANT CREATE ON SCHEMA public TO ...), or set version_table_schema to a schema it owns"))]
    Privilege { detail: String, tables: String },

    /// A privilege missing for retort's own queries (reading the version rows, writing the log).
    #[error("retort may not use its version table: {detail}")]
    #[diagnostic(help("grant the migrating role USAGE on the version table's schema and SELECT, INSERT, UPDATE, DELETE on retort's tables, or run as their owner"))]
    Access { detail: String },

    #[error("{message}")]
    Usage {
        message: String,
        #[help]
        help: Option<String>,
    },
}
