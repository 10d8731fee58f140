//! Documented process exit codes, shared by the CLI and anything embedding retort.
//! The table is repeated in the README; a test keeps the two in step.

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
    /// `retort.toml` is missing, unreadable or invalid.
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
            ExitCode::CheckFailed => "a check found differences or pending work",
            ExitCode::Usage => "bad command-line usage",
            ExitCode::Config => "retort.toml missing or invalid",
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
