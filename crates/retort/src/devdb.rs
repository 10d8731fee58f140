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

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use miette::Diagnostic;

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
/// Where versioned installations live: (directory, prefix of the entries), newest version wins.
const VERSIONED_ROOTS: &[(&str, &str)] = &[
    ("/usr/lib/postgresql", ""), // Debian, Ubuntu: /usr/lib/postgresql/15/bin
    ("/opt/homebrew/opt", "postgresql@"), // Homebrew (Apple silicon): keg-only, not on PATH
    ("/usr/local/opt", "postgresql@"), // Homebrew (Intel)
];

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
    fn read(path: &Path) -> Self {
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

/// The unprivileged user the server programs run as when retort runs as root.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RunAs {
    user: String,
    uid: u32,
    gid: u32,
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

    /// Starts the server as a child of a watchdog tied to this process, and waits until it
    /// accepts connections. The server is stopped (fast shutdown) when the returned handle is
    /// dropped or when this process ends in any way, SIGKILL included; then, with
    /// `remove_dir_after`, the whole cluster directory is deleted.
    ///
    /// How: the watchdog is `sh` (as the cluster's user) whose stdin is a pipe; only this process
    /// holds the write end (close-on-exec, so no other child inherits it), and the kernel closes
    /// it when this process exits. The watchdog starts `postgres` in the background, blocks
    /// reading its stdin, and on end-of-file sends the postmaster SIGINT, waits for it (SIGQUIT
    /// after 30 s) and removes the directory. It runs in its own process group, so a Ctrl-C
    /// meant for this process does not kill it before it has cleaned up.
    pub fn start_attached(&self, remove_dir_after: bool) -> Result<AttachedServer, DevDbError> {
        self.check_startable()?;
        if let ClusterStatus::Running { pid } = self.status() {
            return Err(DevDbError::AlreadyRunning {
                dir: self.dir.clone(),
                pid,
            });
        }
        self.write_settings()?;
        let postgres = self.bin_dir.join("postgres");
        let data = self.data_dir();
        let log = self.server_log();
        let remove: &OsStr = if remove_dir_after {
            self.dir.as_os_str()
        } else {
            "".as_ref()
        };
        let mut command = self.owner_command(
            Path::new("/bin/sh"),
            &[
                "-c".as_ref(),
                WATCHDOG_SCRIPT.as_ref(),
                "retort-pg-watchdog".as_ref(),
                log.as_os_str(),
                remove,
                postgres.as_os_str(),
                "-D".as_ref(),
                data.as_os_str(),
            ],
        );
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(self.open_commands_log()?)
            .process_group(0);
        let mut watchdog = command.spawn().map_err(|source| DevDbError::Spawn {
            program: "/bin/sh (the server's watchdog)".to_string(),
            source,
        })?;
        let lifeline = watchdog.stdin.take();
        let mut first_line = String::new();
        if let Some(stdout) = watchdog.stdout.take() {
            // The watchdog prints the postmaster's pid, then nothing more.
            let _ = BufReader::new(stdout).read_line(&mut first_line);
        }
        let mut server = AttachedServer {
            pid: 0,
            watchdog,
            lifeline,
        };
        let Ok(pid) = first_line.trim().parse::<u32>() else {
            let err = DevDbError::StartFailed {
                dir: self.dir.clone(),
                reason: "its watchdog did not start it".to_string(),
                log: LogTail::read(&self.commands_log()),
            };
            drop(server);
            return Err(err);
        };
        server.pid = pid;
        match self.wait_ready(pid) {
            Ok(()) => Ok(server),
            Err(err) => {
                drop(server); // stops what is left of the server
                Err(err)
            }
        }
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

    /// The settings written to `retort.conf`, in order (later ones win).
    fn settings(&self) -> Vec<(String, String)> {
        let mut settings = vec![
            ("listen_addresses".to_string(), String::new()),
            ("port".to_string(), self.port.to_string()),
            (
                "unix_socket_directories".to_string(),
                self.dir.to_string_lossy().into_owned(),
            ),
        ];
        let tuning: &[(&str, &str)] = if self.fsync {
            &[("max_connections", "100")]
        } else {
            &[
                ("fsync", "off"),
                ("synchronous_commit", "off"),
                ("full_page_writes", "off"),
                ("max_connections", "200"),
                ("shared_buffers", "64MB"),
            ]
        };
        settings.extend(tuning.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        settings.extend(self.extra.iter().cloned());
        settings
    }

    fn settings_file_text(&self) -> Result<String, DevDbError> {
        let mut text = String::from("# Written by retort at every start; edits are overwritten.\n");
        for (key, value) in self.settings() {
            let valid = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if !valid {
                return Err(DevDbError::BadSetting(key));
            }
            text.push_str(&format!("{key} = '{}'\n", value.replace('\'', "''")));
        }
        Ok(text)
    }

    fn write_settings(&self) -> Result<(), DevDbError> {
        let path = self.data_dir().join(SETTINGS_FILE);
        fs::write(&path, self.settings_file_text()?).map_err(io_err("write", &path))?;
        self.give_to_owner(&path)
    }

    fn check_startable(&self) -> Result<(), DevDbError> {
        if !self.is_initialized() {
            return Err(DevDbError::NotInitialized(self.dir.clone()));
        }
        let socket = self.dir.join(format!(".s.PGSQL.{}", self.port));
        let len = socket.as_os_str().len();
        if len > SOCKET_PATH_MAX {
            return Err(DevDbError::SocketPathTooLong {
                path: socket,
                len,
                max: SOCKET_PATH_MAX,
            });
        }
        Ok(())
    }

    /// Line `index` (0-based) of `postmaster.pid`: pid, data dir, start time, port, socket dir,
    /// listen address, shared memory key, status.
    fn postmaster_pid_line(&self, index: usize) -> Option<String> {
        let text = fs::read_to_string(self.data_dir().join("postmaster.pid")).ok()?;
        text.lines().nth(index).map(|l| l.trim().to_string())
    }

    fn running_port(&self) -> Option<u16> {
        self.postmaster_pid_line(3)?.parse().ok()
    }

    /// Waits until the postmaster `pid` reports "ready" in `postmaster.pid` (as `pg_ctl -w` does).
    fn wait_ready(&self, pid: u32) -> Result<(), DevDbError> {
        let started = Instant::now();
        loop {
            let ours = self
                .postmaster_pid_line(0)
                .and_then(|l| l.parse::<u32>().ok())
                == Some(pid);
            if ours && self.postmaster_pid_line(7).as_deref() == Some("ready") {
                return Ok(());
            }
            if !process_alive(pid) {
                return Err(DevDbError::StartFailed {
                    dir: self.dir.clone(),
                    reason: "the server exited".to_string(),
                    log: LogTail::read(&self.server_log()),
                });
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(DevDbError::StartTimeout {
                    dir: self.dir.clone(),
                    secs: START_TIMEOUT.as_secs(),
                    log: LogTail::read(&self.server_log()),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the directory is retort's: it has the marker, or is empty.
    fn is_ours(&self) -> Result<bool, DevDbError> {
        if self.dir.join(MARKER).exists() {
            return Ok(true);
        }
        let mut entries = fs::read_dir(&self.dir).map_err(io_err("read", &self.dir))?;
        Ok(entries.next().is_none())
    }

    /// Creates the directory (mode 0700) with its marker; when root, gives it to the user the
    /// server runs as and checks that this user can reach it.
    fn prepare_dir(&self) -> Result<(), DevDbError> {
        fs::create_dir_all(&self.dir).map_err(io_err("create", &self.dir))?;
        if !self.is_ours()? {
            return Err(DevDbError::NotOurs(self.dir.clone()));
        }
        fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700))
            .map_err(io_err("set permissions of", &self.dir))?;
        let marker = self.dir.join(MARKER);
        fs::write(
            &marker,
            "A PostgreSQL cluster made by retort (see retort::devdb); `retort dev reset` may delete this directory.\n",
        )
        .map_err(io_err("write", &marker))?;
        self.give_to_owner(&self.dir)?;
        self.give_to_owner(&marker)?;
        if let Some(run_as) = &self.run_as {
            self.check_reachable(run_as)?;
        }
        Ok(())
    }

    fn check_reachable(&self, run_as: &RunAs) -> Result<(), DevDbError> {
        let can = |test: &str, path: &Path| {
            self.owner_command(Path::new("test"), &[test.as_ref(), path.as_os_str()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .map_err(|source| DevDbError::Spawn {
                    program: "runuser".to_string(),
                    source,
                })
        };
        if can("-w", &self.dir)? {
            return Ok(());
        }
        // Name the first directory on the way that the user cannot traverse.
        let mut blocked = self.dir.clone();
        for ancestor in self.dir.ancestors().collect::<Vec<_>>().into_iter().rev() {
            if !can("-x", ancestor)? {
                blocked = ancestor.to_path_buf();
                break;
            }
        }
        Err(DevDbError::NotReachable {
            user: run_as.user.clone(),
            path: blocked,
        })
    }

    /// When root: chown `path` to the user the server runs as.
    fn give_to_owner(&self, path: &Path) -> Result<(), DevDbError> {
        match &self.run_as {
            Some(r) => std::os::unix::fs::chown(path, Some(r.uid), Some(r.gid))
                .map_err(io_err("change the owner of", path)),
            None => Ok(()),
        }
    }

    fn open_commands_log(&self) -> Result<File, DevDbError> {
        let path = self.commands_log();
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io_err("open", &path))?;
        self.give_to_owner(&path)?;
        Ok(file)
    }

    /// Runs a PostgreSQL program as the cluster's user, its output appended to `commands.log`.
    fn run_logged(&self, program: &str, args: &[&OsStr]) -> Result<ExitStatus, DevDbError> {
        let mut log = self.open_commands_log()?;
        let shown: Vec<_> = args.iter().map(|a| a.to_string_lossy()).collect();
        let _ = writeln!(log, "$ {program} {}", shown.join(" "));
        let out = log
            .try_clone()
            .map_err(io_err("open", &self.commands_log()))?;
        let path = self.bin_dir.join(program);
        self.owner_command(&path, args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(log)
            .status()
            .map_err(|source| DevDbError::Spawn {
                program: path.display().to_string(),
                source,
            })
    }

    /// `program args` as the cluster's user: directly, or (when root) through `runuser -u USER --`,
    /// else `su -s /bin/sh -c 'exec …' USER`. Runs in `/`, which every user can enter.
    fn owner_command(&self, program: &Path, args: &[&OsStr]) -> Command {
        let mut command = match &self.run_as {
            None => {
                let mut c = Command::new(program);
                c.args(args);
                c
            }
            Some(run_as) => match find_program("runuser") {
                Some(runuser) => {
                    let mut c = Command::new(runuser);
                    c.args(["-u", &run_as.user, "--"]).arg(program).args(args);
                    c
                }
                None => {
                    let mut line = b"exec ".to_vec();
                    line.extend(shell_quote(program.as_os_str()));
                    for arg in args {
                        line.push(b' ');
                        line.extend(shell_quote(arg));
                    }
                    let mut c = Command::new("su");
                    c.args(["-s", "/bin/sh", "-c"])
                        .arg(OsString::from_vec(line))
                        .arg(&run_as.user);
                    c
                }
            },
        };
        command.current_dir("/");
        command
    }
}

/// The watchdog of [`LocalCluster::start_attached`]. Arguments: log file, directory to remove
/// afterwards (or empty), the postmaster's command line.
const WATCHDOG_SCRIPT: &str = r#"
trap '' HUP INT QUIT
log=$1 remove=$2
shift 2
"$@" </dev/null >>"$log" 2>&1 &
pid=$!
echo "$pid"
exec >/dev/null
# Blocks until every writer of our stdin is gone: the process that started us holds the only one.
while read -r _; do :; done
kill -INT "$pid" 2>/dev/null
# A fast shutdown that takes over 30 s becomes an immediate one.
( trap 'kill "$s" 2>/dev/null; exit' TERM; sleep 30 & s=$!; wait "$s"; kill -QUIT "$pid" 2>/dev/null ) &
wait "$pid"
kill "$!" 2>/dev/null
if [ -n "$remove" ]; then rm -rf -- "$remove"; fi
"#;

/// A server started by [`LocalCluster::start_attached`]. It runs until this handle is dropped
/// or [`stop`](AttachedServer::stop)ped, or until the process holding it exits, however it exits.
#[derive(Debug)]
pub struct AttachedServer {
    pid: u32,
    watchdog: Child,
    lifeline: Option<ChildStdin>,
}

impl AttachedServer {
    /// The postmaster's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Stops the server and waits until it is gone (and its directory removed, if asked).
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if self.lifeline.take().is_some() {
            let _ = self.watchdog.wait();
        }
    }
}

impl Drop for AttachedServer {
    fn drop(&mut self) {
        self.shut_down();
    }
}

// ----- free helpers -----

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> DevDbError + 'a {
    move |source| DevDbError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// `postgresql://postgres@<percent-encoded socket dir>:<port>/<database>`.
fn socket_url(socket_dir: &Path, port: u16, database: &str) -> String {
    format!(
        "postgresql://{SUPERUSER}@{}:{port}/{}",
        percent_encode(socket_dir.as_os_str().as_bytes()),
        percent_encode(database.as_bytes())
    )
}

/// Percent-encodes every byte but RFC 3986's unreserved characters.
fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `'…'` with each `'` as `'\''`: one word for any POSIX shell.
fn shell_quote(arg: &OsStr) -> Vec<u8> {
    let mut out = vec![b'\''];
    for &b in arg.as_bytes() {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

/// Whether `dir` holds the programs a cluster needs.
fn is_bin_dir(dir: &Path) -> bool {
    ["initdb", "pg_ctl", "postgres"]
        .iter()
        .all(|p| dir.join(p).is_file())
}

/// [`LocalCluster::find_bin_dir`] with its inputs given: the override, `PATH`, a way to ask
/// `pg_config`, and the roots of versioned installations.
fn find_bin_dir_in(
    override_dir: Option<PathBuf>,
    path_var: Option<&OsStr>,
    pg_config: impl FnOnce() -> Option<PathBuf>,
    versioned_roots: &[(&str, &str)],
) -> Result<PathBuf, DevDbError> {
    if let Some(dir) = override_dir.filter(|d| !d.as_os_str().is_empty()) {
        return if is_bin_dir(&dir) {
            Ok(dir)
        } else {
            Err(DevDbError::BadBinDir(dir))
        };
    }
    for entry in path_var.map(std::env::split_paths).into_iter().flatten() {
        let initdb = entry.join("initdb");
        if !initdb.is_file() {
            continue;
        }
        // /usr/local/bin/initdb may be a symlink into the real bin directory.
        let real_dir = fs::canonicalize(&initdb)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        for dir in real_dir.into_iter().chain([entry]) {
            if is_bin_dir(&dir) {
                return Ok(dir);
            }
        }
    }
    if let Some(dir) = pg_config().filter(|d| is_bin_dir(d)) {
        return Ok(dir);
    }
    let mut best: Option<(Vec<u32>, PathBuf)> = None;
    for (root, prefix) in versioned_roots {
        let Ok(entries) = fs::read_dir(root) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(version) = name
                .to_str()
                .and_then(|n| n.strip_prefix(prefix))
                .and_then(parse_version)
            else {
                continue;
            };
            let bin = entry.path().join("bin");
            if is_bin_dir(&bin) && best.as_ref().is_none_or(|(v, _)| version > *v) {
                best = Some((version, bin));
            }
        }
    }
    if let Some((_, dir)) = best {
        return Ok(dir);
    }
    let roots: Vec<String> = versioned_roots
        .iter()
        .map(|(root, prefix)| format!("{root}/{prefix}*/bin"))
        .collect();
    Err(DevDbError::NoBinaries {
        searched: format!("PATH, pg_config --bindir, {}", roots.join(", ")),
    })
}

/// `15` → `[15]`, `9.6` → `[9, 6]`; anything else (e.g. `16devel`) is no version.
fn parse_version(text: &str) -> Option<Vec<u32>> {
    text.split('.').map(|part| part.parse().ok()).collect()
}

/// The first `name` on `PATH`, or in the sbin directories root's PATH usually has.
fn find_program(name: &str) -> Option<PathBuf> {
    let path_var = std::env::var_os("PATH");
    path_var
        .as_deref()
        .map(std::env::split_paths)
        .into_iter()
        .flatten()
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn pg_config_bindir(path_var: Option<&OsStr>) -> Option<PathBuf> {
    let pg_config = path_var
        .map(std::env::split_paths)
        .into_iter()
        .flatten()
        .map(|dir| dir.join("pg_config"))
        .find(|p| p.is_file())?;
    let output = Command::new(pg_config)
        .arg("--bindir")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| PathBuf::from(text.trim()))
}

/// Whether the effective user is root (asked of `id -u` once).
fn running_as_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| id(&["-u"]) == Some(0))
}

/// `id ARGS` as a number.
fn id(args: &[&str]) -> Option<u32> {
    let output = Command::new("id")
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok()?.trim().parse().ok()
}

/// The user PostgreSQL runs as when we are root: `postgres`, else `nobody`.
fn unprivileged_user() -> Result<RunAs, DevDbError> {
    ["postgres", "nobody"]
        .iter()
        .find_map(|user| {
            Some(RunAs {
                user: user.to_string(),
                uid: id(&["-u", user]).filter(|&uid| uid != 0)?,
                gid: id(&["-g", user])?,
            })
        })
        .ok_or(DevDbError::NoUnprivilegedUser)
}

/// Whether process `pid` exists and is not a zombie.
fn process_alive(pid: u32) -> bool {
    let proc_dir = Path::new("/proc");
    if proc_dir.join("self").exists() {
        return match fs::read_to_string(proc_dir.join(pid.to_string()).join("stat")) {
            // "pid (comm) S ...": the state follows the last ')'.
            Ok(stat) => stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.trim_start().chars().next())
                .is_some_and(|state| !matches!(state, 'Z' | 'X' | 'x')),
            Err(_) => false,
        };
    }
    Command::new("ps")
        .args(["-o", "stat=", "-p", &pid.to_string()])
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .is_some_and(|s| !s.trim().is_empty() && !s.trim().starts_with('Z'))
}

/// The last `n` lines of a (log) file; nothing if it cannot be read.
fn tail_lines(path: &Path, n: usize) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_bin_dir(dir: &Path) -> PathBuf {
        fs::create_dir_all(dir).expect("mkdir");
        for program in ["initdb", "pg_ctl", "postgres"] {
            fs::write(dir.join(program), "#!/bin/sh\n").expect("write");
        }
        dir.to_path_buf()
    }

    fn cluster(dir: &str, fsync: bool) -> LocalCluster {
        LocalCluster {
            dir: PathBuf::from(dir),
            bin_dir: PathBuf::from("/usr/bin"),
            port: DEFAULT_PORT,
            fsync,
            extra: Vec::new(),
            run_as: None,
        }
    }

    #[test]
    fn url_encodes_the_socket_directory_as_host() {
        let c = cluster("/work/my app/.retort/pg", true);
        assert_eq!(
            c.url("app"),
            "postgresql://postgres@%2Fwork%2Fmy%20app%2F.retort%2Fpg:5432/app"
        );
        let c = cluster("/tmp/x", true).with_settings(false, 6543);
        assert_eq!(
            c.url("a b/c"),
            "postgresql://postgres@%2Ftmp%2Fx:6543/a%20b%2Fc"
        );
    }

    #[test]
    fn settings_file_for_dev_and_tests() {
        let dev =
            cluster("/tmp/it's", true).with_setting("shared_preload_libraries", "timescaledb");
        let text = dev.settings_file_text().expect("valid");
        assert!(text.contains("listen_addresses = ''\n"), "{text}");
        assert!(text.contains("port = '5432'\n"), "{text}");
        assert!(
            text.contains("unix_socket_directories = '/tmp/it''s'\n"),
            "{text}"
        );
        assert!(text.contains("max_connections = '100'\n"), "{text}");
        assert!(!text.contains("fsync"), "{text}");
        assert!(
            text.ends_with("shared_preload_libraries = 'timescaledb'\n"),
            "{text}"
        );

        let test = cluster("/tmp/t", false).with_settings(false, 5433);
        let text = test.settings_file_text().expect("valid");
        for line in [
            "port = '5433'",
            "fsync = 'off'",
            "synchronous_commit = 'off'",
            "full_page_writes = 'off'",
            "max_connections = '200'",
            "shared_buffers = '64MB'",
        ] {
            assert!(text.contains(line), "{line} missing from {text}");
        }

        let bad = cluster("/tmp/t", true).with_setting("fsync = off\nport", "1");
        assert!(matches!(
            bad.settings_file_text(),
            Err(DevDbError::BadSetting(_))
        ));
    }

    #[test]
    fn bin_dir_order_override_path_pg_config_versions() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        let on_path = fake_bin_dir(&root.join("path-bin"));
        let from_pg_config = fake_bin_dir(&root.join("pg-config-bin"));
        let versions = root.join("lib/postgresql");
        for v in ["9.6", "10", "15", "16devel"] {
            fake_bin_dir(&versions.join(v).join("bin"));
        }
        fs::create_dir_all(versions.join("17")).expect("mkdir"); // no bin: skipped
        let overridden = fake_bin_dir(&root.join("override"));
        let versions_str = versions.to_str().expect("utf-8");
        let roots = [(versions_str, "")];
        let path_var = std::env::join_paths([root.join("empty"), on_path.clone()]).expect("join");

        let find = |override_dir: Option<PathBuf>, path: Option<&OsStr>, pg: Option<PathBuf>| {
            find_bin_dir_in(override_dir, path, || pg, &roots)
        };
        let pg = Some(from_pg_config.clone());
        assert_eq!(
            find(Some(overridden.clone()), Some(&path_var), pg.clone()).expect("found"),
            overridden
        );
        assert!(matches!(
            find(Some(root.join("empty")), Some(&path_var), pg.clone()),
            Err(DevDbError::BadBinDir(_))
        ));
        assert_eq!(
            find(None, Some(&path_var), pg.clone()).expect("found"),
            on_path
        );
        assert_eq!(find(None, None, pg.clone()).expect("found"), from_pg_config);
        assert_eq!(
            find(None, None, Some(root.join("empty"))).expect("found"),
            versions.join("15/bin")
        );
        let none = find_bin_dir_in(None, None, || None, &[]).expect_err("nothing there");
        let message = none.to_string();
        assert!(message.contains("apt-get install postgresql"), "{message}");
        assert!(message.contains("brew install postgresql@15"), "{message}");
    }

    #[test]
    fn bin_dir_on_path_follows_symlinks() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let real = fake_bin_dir(&tmp.path().join("lib/postgresql/15/bin"));
        let links = tmp.path().join("local-bin");
        fs::create_dir_all(&links).expect("mkdir");
        // Like /usr/local/bin here: initdb, pg_ctl, postgres linked, pg_isready not.
        std::os::unix::fs::symlink(real.join("initdb"), links.join("initdb")).expect("symlink");
        let path_var = links.clone().into_os_string();
        let found = find_bin_dir_in(None, Some(&path_var), || None, &[]).expect("found");
        assert_eq!(found, fs::canonicalize(&real).expect("canonical"));
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(parse_version("10") > parse_version("9.6"));
        assert_eq!(parse_version("16devel"), None);
        assert_eq!(parse_version("15"), Some(vec![15]));
    }

    #[test]
    fn shell_quoting_survives_quotes() {
        let quoted = shell_quote(OsStr::new("it's a $test"));
        assert_eq!(quoted, b"'it'\\''s a $test'".to_vec());
        let out = Command::new("sh")
            .arg("-c")
            .arg(OsString::from_vec(
                [b"printf %s ".to_vec(), quoted].concat(),
            ))
            .output()
            .expect("sh");
        assert_eq!(out.stdout, b"it's a $test");
    }

    #[test]
    fn log_tail_keeps_last_lines() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("log");
        let text: String = (1..=40).map(|i| format!("line {i}\n")).collect();
        fs::write(&path, text).expect("write");
        let tail = LogTail::read(&path);
        assert_eq!(tail.lines.len(), LOG_TAIL_LINES);
        assert_eq!(tail.lines.last().map(String::as_str), Some("line 40"));
        assert!(tail.to_string().contains("\n  | line 26"));
        assert_eq!(LogTail::read(&tmp.path().join("missing")).to_string(), "");
    }

    #[test]
    fn status_of_a_missing_cluster() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let c = cluster(tmp.path().to_str().expect("utf-8"), true);
        assert_eq!(c.status(), ClusterStatus::NotInitialized);
        assert!(matches!(c.start(), Err(DevDbError::NotInitialized(_))));
        assert!(c.stop().is_ok());
    }

    #[test]
    fn own_process_is_alive() {
        assert!(process_alive(std::process::id()));
        assert!(!process_alive(u32::MAX - 1));
    }

    #[test]
    fn socket_path_length_is_checked() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let long = tmp.path().join("x".repeat(120));
        let c = cluster(long.to_str().expect("utf-8"), true);
        fs::create_dir_all(c.data_dir()).expect("mkdir");
        fs::write(c.data_dir().join("PG_VERSION"), "15\n").expect("write");
        assert!(matches!(
            c.start(),
            Err(DevDbError::SocketPathTooLong { .. })
        ));
    }
}
