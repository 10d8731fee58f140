//! Why a cluster operation failed: [`DevDbError`], with the tail of the log that says why.

use super::*;

/// Why a cluster operation failed. Each message says what to do; where a PostgreSQL program
/// failed, the last lines of its log follow the message.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[non_exhaustive]
pub enum DevDbError {
    #[error(
        "no PostgreSQL server binaries found (looked for initdb in {searched}); install them with \
         `apt-get install postgresql` or `brew install postgresql@15`, or set RETORT_PG_BIN_DIR to \
         their directory"
    )]
    NoBinaries { searched: String },
    #[error(
        "RETORT_PG_BIN_DIR is {0}, which lacks initdb, pg_ctl or postgres; point it at the bin \
         directory of a PostgreSQL installation or unset it"
    )]
    BadBinDir(PathBuf),
    #[error("could not {action} {path}: {source}; check the path and its permissions")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("could not run {program}: {source}; check that it is installed and executable")]
    Spawn { program: String, source: io::Error },
    #[error(
        "running as root, but there is neither a `postgres` nor a `nobody` user to run PostgreSQL \
         as (it refuses root); create one (`useradd --system postgres`) or run as a non-root user"
    )]
    NoUnprivilegedUser,
    #[error(
        "PostgreSQL refuses to run as root, so it runs as user {user}, who cannot enter {path}; \
         use a cluster directory under /tmp or run as a non-root user"
    )]
    NotReachable { user: String, path: PathBuf },
    #[error(
        "{0} is neither empty nor a retort cluster directory; refusing to touch it: choose another \
         directory or remove it yourself"
    )]
    NotOurs(PathBuf),
    #[error("no cluster in {0}; initialize it first")]
    NotInitialized(PathBuf),
    #[error("{0} already holds a cluster; reset it to start over")]
    AlreadyInitialized(PathBuf),
    #[error("the cluster in {dir} is already running (pid {pid}); stop it first")]
    AlreadyRunning { dir: PathBuf, pid: u32 },
    #[error("the cluster in {dir} is running on port {running}, not {wanted}; stop it first")]
    OtherPort {
        dir: PathBuf,
        running: u16,
        wanted: u16,
    },
    #[error(
        "the socket path {path} is {len} bytes, longer than Unix sockets allow ({max}); use a \
         cluster directory with a shorter path"
    )]
    SocketPathTooLong {
        path: PathBuf,
        len: usize,
        max: usize,
    },
    #[error(
        "invalid setting name {0:?}: PostgreSQL settings are letters, digits, `_` and `.`; fix \
         the name"
    )]
    BadSetting(String),
    #[error("initdb failed in {dir}; fix the cause shown in the log, then reset the cluster{log}")]
    InitFailed { dir: PathBuf, log: LogTail },
    #[error("the PostgreSQL server in {dir} did not start: {reason}; fix the cause shown in the log, or reset the cluster{log}")]
    StartFailed {
        dir: PathBuf,
        reason: String,
        log: LogTail,
    },
    #[error(
        "the PostgreSQL server in {dir} did not accept connections within {secs} s; check the log \
         below, stop it, and start it again{log}"
    )]
    StartTimeout {
        dir: PathBuf,
        secs: u64,
        log: LogTail,
    },
    #[error("the PostgreSQL server in {dir} did not stop; check the log below and stop it by hand (pid in {dir}/data/postmaster.pid){log}")]
    StopFailed { dir: PathBuf, log: LogTail },
}

/// The last lines of a log file, shown after an error's message (nothing when the log is empty).
#[derive(Debug, Clone, Default)]
pub struct LogTail {
    pub path: PathBuf,
    pub lines: Vec<String>,
}

impl LogTail {
    pub(super) fn read(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            lines: tail_lines(path, LOG_TAIL_LINES),
        }
    }
}

impl fmt::Display for LogTail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lines.is_empty() {
            return Ok(());
        }
        write!(f, "\n  last lines of {}:", self.path.display())?;
        for line in &self.lines {
            write!(f, "\n  | {line}")?;
        }
        Ok(())
    }
}

pub(super) fn io_err<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(io::Error) -> DevDbError + 'a {
    move |source| DevDbError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// The last `n` lines of a (log) file; nothing if it cannot be read.
pub(super) fn tail_lines(path: &Path, n: usize) -> Vec<String> {
    const WINDOW: u64 = 16 * 1024;
    let Ok(mut file) = File::open(path) else {
        return Vec::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if file
        .seek(SeekFrom::Start(len.saturating_sub(WINDOW)))
        .is_err()
    {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    if file.read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}
