//! A project-local PostgreSQL cluster made from the system's PostgreSQL binaries.
//!
//! Used by `retort dev start|stop|status|url|reset` and by the test harness
//! (`retort-test-support`). Synchronous: everything runs through `std::process`.
//!
//! A cluster directory `DIR` (e.g. `<project>/.retort/pg`, mode 0700) holds:
//!
//! | path | what |
//! | --- | --- |
//! | `DIR/retort-cluster` | marker: the directory is retort's, so [`LocalCluster::reset`] may delete it |
//! | `DIR/data/` | the data directory (`PGDATA`), made by `initdb -A trust -U postgres -E UTF8 --no-locale` |
//! | `DIR/data/retort.conf` | settings rewritten at every start (port, socket, tuning), included from `postgresql.conf` |
//! | `DIR/.s.PGSQL.<port>` | the server's only listening socket: no TCP (`listen_addresses = ''`) |
//! | `DIR/server.log` | the server's log |
//! | `DIR/commands.log` | what `initdb` and `pg_ctl` printed |
//!
//! PostgreSQL refuses to run as root. When retort runs as root, the server programs run as the
//! `postgres` user (else `nobody`) through `runuser` (else `su`), and `DIR` belongs to that user.
//!
//! Files: this one (the cluster's life: init, start, stop, status, reset), `binaries.rs`,
//! `settings.rs`, `server.rs` (pid file, readiness), `owner.rs` (directory, user, logged
//! commands), `attached.rs` (the test harness's server), `url.rs`, `error.rs`.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use miette::Diagnostic;

mod attached;
mod binaries;
mod error;
mod owner;
mod server;
mod settings;
#[cfg(test)]
mod tests;
mod url;

pub use attached::AttachedServer;
use binaries::{find_bin_dir_in, find_program, pg_config_bindir, VERSIONED_ROOTS};
use error::{io_err, tail_lines};
pub use error::{DevDbError, LogTail};
use owner::{running_as_root, unprivileged_user, RunAs};
use server::process_alive;
use url::socket_url;

/// The port used unless [`LocalCluster::with_settings`] says otherwise. The server listens only on
/// a socket in its own directory, so clusters in different directories never collide on it.
pub const DEFAULT_PORT: u16 = 5432;
/// The superuser `initdb` creates; every URL connects as it (trust authentication).
pub const SUPERUSER: &str = "postgres";
/// Environment variable naming the directory of the PostgreSQL binaries; checked before anything else.
pub const BIN_DIR_ENV: &str = "RETORT_PG_BIN_DIR";

const MARKER: &str = "retort-cluster";
const DATA: &str = "data";
const SERVER_LOG: &str = "server.log";
const COMMANDS_LOG: &str = "commands.log";
const SETTINGS_FILE: &str = "retort.conf";
const START_TIMEOUT: Duration = Duration::from_secs(60);
const LOG_TAIL_LINES: usize = 15;
/// `sizeof(sun_path) - 1`: the longest path a Unix socket can have.
#[cfg(target_os = "linux")]
const SOCKET_PATH_MAX: usize = 107;
#[cfg(not(target_os = "linux"))]
const SOCKET_PATH_MAX: usize = 103;

/// What [`LocalCluster::status`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterStatus {
    /// No data directory yet.
    NotInitialized,
    /// Initialized, no server running.
    Stopped,
    /// A server runs on the data directory.
    Running { pid: u32 },
}

impl fmt::Display for ClusterStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClusterStatus::NotInitialized => f.write_str("not initialized"),
            ClusterStatus::Stopped => f.write_str("stopped"),
            ClusterStatus::Running { pid } => write!(f, "running (pid {pid})"),
        }
    }
}

/// A PostgreSQL cluster in a directory of its own, reachable only through a Unix socket there.
#[derive(Debug, Clone)]
pub struct LocalCluster {
    dir: PathBuf,
    bin_dir: PathBuf,
    port: u16,
    fsync: bool,
    extra: Vec<(String, String)>,
    run_as: Option<RunAs>,
}

impl LocalCluster {
    /// The directory of the PostgreSQL server binaries (`initdb`, `pg_ctl`, `postgres`), tried in
    /// this order: `$RETORT_PG_BIN_DIR`; `initdb` on `PATH` (symlinks followed to the real
    /// directory); `pg_config --bindir`; the newest `/usr/lib/postgresql/*/bin` (or Homebrew's
    /// `postgresql@*`).
    pub fn find_bin_dir() -> Result<PathBuf, DevDbError> {
        let path_var = std::env::var_os("PATH");
        find_bin_dir_in(
            std::env::var_os(BIN_DIR_ENV).map(PathBuf::from),
            path_var.as_deref(),
            || pg_config_bindir(path_var.as_deref()),
            VERSIONED_ROOTS,
        )
    }

    /// A cluster in `dir` (made absolute; nothing is created yet), with dev settings on
    /// [`DEFAULT_PORT`]. Fails when no binaries are found, or when running as root with no user
    /// to run PostgreSQL as.
    pub fn new(dir: &Path) -> Result<Self, DevDbError> {
        let dir = std::path::absolute(dir).map_err(|source| DevDbError::Io {
            action: "resolve",
            path: dir.to_path_buf(),
            source,
        })?;
        let bin_dir = Self::find_bin_dir()?;
        let run_as = if running_as_root() {
            Some(unprivileged_user()?)
        } else {
            None
        };
        Ok(Self {
            dir,
            bin_dir,
            port: DEFAULT_PORT,
            fsync: true,
            extra: Vec::new(),
            run_as,
        })
    }

    /// `fsync: true` is for development: PostgreSQL's defaults, `max_connections = 100`.
    /// `fsync: false` is for tests: no syncing (`fsync`, `synchronous_commit`,
    /// `full_page_writes` off; `initdb --no-sync`), `max_connections = 200`,
    /// `shared_buffers = 64MB`. Takes effect at the next start.
    pub fn with_settings(mut self, fsync: bool, port: u16) -> Self {
        self.fsync = fsync;
        self.port = port;
        self
    }

    /// One more `key = value` server setting (e.g. `shared_preload_libraries`, `timescaledb`),
    /// written after the built-in ones so it overrides them. Takes effect at the next start.
    pub fn with_setting(mut self, key: &str, value: &str) -> Self {
        self.extra.push((key.to_string(), value.to_string()));
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the server puts its socket: the cluster directory.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The user the server runs as, when retort runs as root (else the current user).
    pub fn run_as(&self) -> Option<&str> {
        self.run_as.as_ref().map(|r| r.user.as_str())
    }

    /// The server's log file.
    pub fn server_log(&self) -> PathBuf {
        self.dir.join(SERVER_LOG)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join(DATA)
    }

    fn commands_log(&self) -> PathBuf {
        self.dir.join(COMMANDS_LOG)
    }

    /// Whether `initdb` has made the data directory.
    pub fn is_initialized(&self) -> bool {
        self.data_dir().join("PG_VERSION").is_file()
    }

    /// A URL for `database` that tokio-postgres, libpq and psql accept: the socket directory,
    /// percent-encoded, as host, e.g. `postgresql://postgres@%2Fsrv%2Fapp%2F.retort%2Fpg:5432/app`.
    pub fn url(&self, database: &str) -> String {
        socket_url(&self.dir, self.port, database)
    }

    /// Creates the directory and runs `initdb`. Fails if a cluster is already there.
    pub fn init(&self) -> Result<(), DevDbError> {
        if self.is_initialized() {
            return Err(DevDbError::AlreadyInitialized(self.dir.clone()));
        }
        self.prepare_dir()?;
        let data = self.data_dir();
        if data.exists() {
            // Left over from an initdb that was interrupted; initdb wants it absent or empty.
            fs::remove_dir_all(&data).map_err(io_err("remove", &data))?;
        }
        let mut args: Vec<&OsStr> = vec![
            "-D".as_ref(),
            data.as_os_str(),
            "-A".as_ref(),
            "trust".as_ref(),
            "-U".as_ref(),
            SUPERUSER.as_ref(),
            "-E".as_ref(),
            "UTF8".as_ref(),
            "--no-locale".as_ref(),
        ];
        if !self.fsync {
            args.push("--no-sync".as_ref());
        }
        let status = self.run_logged("initdb", &args)?;
        if !status.success() {
            return Err(DevDbError::InitFailed {
                dir: self.dir.clone(),
                log: LogTail::read(&self.commands_log()),
            });
        }
        let conf = data.join("postgresql.conf");
        let mut file = OpenOptions::new()
            .append(true)
            .open(&conf)
            .map_err(io_err("open", &conf))?;
        writeln!(
            file,
            "\n# Written by retort at every start: port, socket, tuning.\ninclude_if_exists = '{SETTINGS_FILE}'"
        )
        .map_err(io_err("write", &conf))?;
        Ok(())
    }

    /// Starts the server in the background (`pg_ctl start`) and waits until it accepts
    /// connections. Does nothing if it is already running on this port.
    pub fn start(&self) -> Result<(), DevDbError> {
        self.check_startable()?;
        if let ClusterStatus::Running { .. } = self.status() {
            return match self.running_port() {
                Some(running) if running != self.port => Err(DevDbError::OtherPort {
                    dir: self.dir.clone(),
                    running,
                    wanted: self.port,
                }),
                _ => Ok(()),
            };
        }
        self.write_settings()?;
        let data = self.data_dir();
        let log = self.server_log();
        let timeout = START_TIMEOUT.as_secs().to_string();
        let status = self.run_logged(
            "pg_ctl",
            &[
                "start".as_ref(),
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-w".as_ref(),
                "-t".as_ref(),
                timeout.as_ref(),
                "-s".as_ref(),
            ],
        )?;
        if status.success() {
            return Ok(());
        }
        // pg_ctl's own verdict, e.g. "pg_ctl: could not start server".
        let reason = tail_lines(&self.commands_log(), 4)
            .into_iter()
            .rev()
            .find_map(|line| line.strip_prefix("pg_ctl: ").map(str::to_string))
            .unwrap_or_else(|| format!("pg_ctl start ended with {status}"));
        if reason.contains("in time") {
            return Err(DevDbError::StartTimeout {
                dir: self.dir.clone(),
                secs: START_TIMEOUT.as_secs(),
                log: LogTail::read(&log),
            });
        }
        Err(DevDbError::StartFailed {
            dir: self.dir.clone(),
            reason,
            log: LogTail::read(&log),
        })
    }

    /// Stops the server (`pg_ctl stop -m fast`). Does nothing if it is not running.
    pub fn stop(&self) -> Result<(), DevDbError> {
        if !matches!(self.status(), ClusterStatus::Running { .. }) {
            return Ok(());
        }
        let data = self.data_dir();
        let timeout = START_TIMEOUT.as_secs().to_string();
        let status = self.run_logged(
            "pg_ctl",
            &[
                "stop".as_ref(),
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "fast".as_ref(),
                "-w".as_ref(),
                "-t".as_ref(),
                timeout.as_ref(),
                "-s".as_ref(),
            ],
        )?;
        if status.success() || !matches!(self.status(), ClusterStatus::Running { .. }) {
            return Ok(());
        }
        Err(DevDbError::StopFailed {
            dir: self.dir.clone(),
            log: LogTail::read(&self.server_log()),
        })
    }

    /// Whether there is a cluster and whether a server runs on it (by `postmaster.pid` and the
    /// process it names).
    pub fn status(&self) -> ClusterStatus {
        if !self.is_initialized() {
            return ClusterStatus::NotInitialized;
        }
        match self.postmaster_pid_line(0).and_then(|l| l.parse().ok()) {
            Some(pid) if process_alive(pid) => ClusterStatus::Running { pid },
            _ => ClusterStatus::Stopped,
        }
    }

    /// Stops the server, deletes the cluster directory, initializes a new cluster and starts it.
    pub fn reset(&self) -> Result<(), DevDbError> {
        self.stop()?;
        if self.dir.exists() {
            if !self.is_ours()? {
                return Err(DevDbError::NotOurs(self.dir.clone()));
            }
            fs::remove_dir_all(&self.dir).map_err(io_err("remove", &self.dir))?;
        }
        self.init()?;
        self.start()
    }

    // ----- helpers -----
}
