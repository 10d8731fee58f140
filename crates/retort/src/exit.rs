//! Documented process exit codes, shared by the CLI and anything embedding retort, and the one
//! mapping from every stage's error to its code ([`HasExitCode`]). The table is repeated in the
//! README; a test keeps the two in step.

/// Why a retort command stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    /// Success.
    Ok = 0,
    /// A check found something (e.g. `retort check` found pending operations).
    CheckFailed = 1,
    /// Bad command-line usage (unknown flag, missing argument).
    Usage = 2,
    /// `retort.toml` is missing, unreadable or invalid, or a database URL is not one.
    Config = 3,
    /// The script directory has problems (bad headers, missing parents, cycles, duplicates).
    Script = 4,
    /// A target or revision could not be resolved (unknown id, ambiguous prefix, several heads).
    Target = 5,
    /// The database could not be reached or refused the connection.
    Connection = 6,
    /// A migration failed and was rolled back.
    Migration = 7,
    /// The migration lock was not obtained in time, or was lost (a transaction pooler).
    Lock = 8,
    /// Applied revisions differ from their files (checksums), or need recovery.
    Verify = 9,
    /// A file could not be read or written, or an external program failed.
    Io = 10,
    /// A migration's statement was stopped by the server's `lock_timeout` or
    /// `statement_timeout` (retort.toml) and rolled back.
    Timeout = 11,
    /// The diff cannot express a change (`unsupported: ...`): write that part by hand.
    Unsupported = 12,
}

impl ExitCode {
    pub const ALL: [ExitCode; 13] = [
        ExitCode::Ok,
        ExitCode::CheckFailed,
        ExitCode::Usage,
        ExitCode::Config,
        ExitCode::Script,
        ExitCode::Target,
        ExitCode::Connection,
        ExitCode::Migration,
        ExitCode::Lock,
        ExitCode::Verify,
        ExitCode::Io,
        ExitCode::Timeout,
        ExitCode::Unsupported,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn describe(self) -> &'static str {
        match self {
            ExitCode::Ok => "success",
            ExitCode::CheckFailed => "a check found differences or pending work (also: a database not at head for `check` and `revision --autogenerate`)",
            ExitCode::Usage => "bad command-line usage",
            ExitCode::Config => "retort.toml missing or invalid, or an invalid database URL",
            ExitCode::Script => "script directory invalid",
            ExitCode::Target => "target or revision not resolved",
            ExitCode::Connection => "database unreachable, connection refused or lost",
            ExitCode::Migration => "a migration failed and was rolled back",
            ExitCode::Lock => "migration lock not obtained in time, or lost",
            ExitCode::Verify => "applied revisions differ from their files, or need recovery",
            ExitCode::Io => "file or external program error",
            ExitCode::Timeout => {
                "a statement hit lock_timeout or statement_timeout and was rolled back"
            }
            ExitCode::Unsupported => "the diff cannot express a change (unsupported)",
        }
    }
}

/// An error that ends a command with a documented exit code. Every stage's error type implements
/// it, here and only here, so the whole error → exit code mapping reads in one place; the CLI and
/// embedding programs (builtenv) call it instead of mapping errors themselves.
pub trait HasExitCode {
    fn exit_code(&self) -> ExitCode;
}

/// `HasExitCode` for errors that always end with the same code.
macro_rules! always {
    ($($ty:ty => $code:ident,)*) => {$(
        impl HasExitCode for $ty {
            fn exit_code(&self) -> ExitCode {
                ExitCode::$code
            }
        }
    )*};
}

always! {
    crate::config::ConfigError => Config,
    crate::resolve::TargetError => Target,
    crate::introspect::IntrospectError => Connection,
    // The local dev database could not be made or started.
    crate::local::LocalError => Connection,
    crate::devdb::DevDbError => Connection,
}

/// Connecting or talking to a server outside a migration (a migration's failed query is
/// `RunError::Db`, mapped below); a URL that is no URL is a configuration error, whatever gave it.
impl HasExitCode for crate::db::DbError {
    fn exit_code(&self) -> ExitCode {
        match self {
            crate::db::DbError::InvalidUrl { .. } => ExitCode::Config,
            _ => ExitCode::Connection,
        }
    }
}

impl HasExitCode for crate::lint::LintError {
    fn exit_code(&self) -> ExitCode {
        use crate::lint::LintError;
        match self {
            LintError::Syntax { .. } => ExitCode::Script,
            LintError::UnknownRule { .. } | LintError::NoReason { .. } => ExitCode::Config,
            // `#[non_exhaustive]` across the crate line; a new kind of lint error belongs above.
            _ => ExitCode::Config,
        }
    }
}

impl HasExitCode for crate::script::ScriptError {
    fn exit_code(&self) -> ExitCode {
        use crate::script::ScriptError;
        match self {
            ScriptError::Io { .. } | ScriptError::Write { .. } => ExitCode::Io,
            ScriptError::MissingDirectory { .. } | ScriptError::Problems { .. } => ExitCode::Script,
            // `#[non_exhaustive]` across the crate line; a new kind of script error belongs above.
            _ => ExitCode::Script,
        }
    }
}

impl HasExitCode for crate::project::Error {
    fn exit_code(&self) -> ExitCode {
        use crate::project::Error;
        match self {
            Error::Config(e) => e.exit_code(),
            Error::Script(e) => e.exit_code(),
            Error::Target(e) => e.exit_code(),
            // `#[non_exhaustive]` across the crate line; a new stage's error belongs above.
            _ => ExitCode::Config,
        }
    }
}

impl HasExitCode for crate::runner::RunError {
    fn exit_code(&self) -> ExitCode {
        use crate::db::DbError;
        use crate::runner::RunError;
        match self {
            // No SQLSTATE: the connection closed; 57P0x: the server ended the session; 08: a
            // connection exception.
            RunError::Db(DbError::Query { code, .. })
                if code
                    .as_deref()
                    .is_none_or(|c| c.starts_with("57P0") || c.starts_with("08")) =>
            {
                ExitCode::Connection
            }
            RunError::Db(DbError::Query { .. }) => ExitCode::Migration,
            RunError::Db(e) => e.exit_code(),
            RunError::Target(e) => e.exit_code(),
            RunError::Migration(m) if m.timeout.is_some() => ExitCode::Timeout,
            RunError::Migration(m) if m.connection_lost => ExitCode::Connection,
            RunError::Migration(_) => ExitCode::Migration,
            RunError::Unusable(_) => ExitCode::Script,
            RunError::LockTimeout { .. } | RunError::LockLost => ExitCode::Lock,
            RunError::Changed { .. }
            | RunError::Interrupted { .. }
            | RunError::Unfinished { .. }
            | RunError::UnknownApplied { .. }
            | RunError::OverlappingRows { .. }
            | RunError::NotAVersionTable { .. } => ExitCode::Verify,
            RunError::Usage { .. } => ExitCode::Usage,
            RunError::Privilege { .. } | RunError::Access { .. } | RunError::ReadOnly { .. } => {
                ExitCode::Connection
            }
        }
    }
}

impl HasExitCode for crate::autogen::AutogenError {
    fn exit_code(&self) -> ExitCode {
        use crate::autogen::AutogenError;
        match self {
            AutogenError::Db(e) => e.exit_code(),
            AutogenError::Introspect(e) => e.exit_code(),
            AutogenError::Scratch { .. } => ExitCode::Connection,
            AutogenError::NoFiles { .. } | AutogenError::Read { .. } => ExitCode::Io,
            AutogenError::Load { .. } => ExitCode::Migration,
            // Pending revisions: work left to do, as `check` reports it.
            AutogenError::NotUpToDate => ExitCode::CheckFailed,
            AutogenError::NoDesiredSchema => ExitCode::Config,
        }
    }
}

impl HasExitCode for crate::autogen::ReplayError {
    fn exit_code(&self) -> ExitCode {
        use crate::autogen::ReplayError;
        match self {
            ReplayError::Autogen(e) => e.exit_code(),
            ReplayError::Run(e) => e.exit_code(),
        }
    }
}

impl HasExitCode for crate::diff::DiffError {
    fn exit_code(&self) -> ExitCode {
        match self {
            crate::diff::DiffError::BadRename { .. } => ExitCode::Usage,
            // Whatever else the diff refuses, it cannot express.
            _ => ExitCode::Unsupported,
        }
    }
}
