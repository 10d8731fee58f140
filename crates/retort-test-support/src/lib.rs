//! Test support: a fresh, empty PostgreSQL database for every test that needs one.
//!
//! ```no_run
//! # async fn example() {
//! let db = retort_test_support::fresh_database().await;
//! let client = retort_test_support::connect(&db.url).await;
//! client.batch_execute("CREATE TABLE t (id int)").await.unwrap();
//! # }
//! ```
//!
//! Which server:
//! - `RETORT_TEST_DATABASE_URL`, if set: a database on a server where this role may
//!   `CREATE DATABASE` (e.g. `retort dev url` of a running `retort dev` cluster);
//! - otherwise one throwaway cluster per test process, made by [`retort::devdb::LocalCluster`] in a
//!   temporary directory, with test settings (no fsync), listening only on a Unix socket in that
//!   directory. When running as root, it runs as the `postgres` (else `nobody`) user.
//!
//! The throwaway cluster cannot outlive the test process: it is started under a watchdog
//! ([`LocalCluster::start_attached`]) whose stdin is a pipe that only this process can write to.
//! When the process exits — test run over, panic, abort, even SIGKILL — the kernel closes that
//! pipe, the watchdog reads end-of-file, shuts the server down (SIGINT: fast shutdown) and
//! deletes the temporary directory. Nothing depends on destructors, which statics never run.
//!
//! Each test binary that uses it pays for one `initdb` and server start (about a second or two),
//! once; under cargo-nextest, which runs every test in a process of its own, that is per test, so
//! point `RETORT_TEST_DATABASE_URL` at a running server there.

use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use retort::devdb::{AttachedServer, LocalCluster, DEFAULT_PORT};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls};

/// Names the server to use instead of a throwaway one.
pub const DATABASE_URL_ENV: &str = "RETORT_TEST_DATABASE_URL";

/// Retries of `CREATE DATABASE` when another session holds the template (each attempt already
/// waits 5 s inside PostgreSQL for it to go away).
const CREATE_RETRIES: u32 = 12;

/// A fresh database on the test server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestDatabase {
    /// The database's URL, for tokio-postgres and retort.
    pub url: String,
    /// Its name: `retort_test_` and 16 random hex digits.
    pub name: String,
    /// The URL of the database the test server was named by (`postgres` on a throwaway server),
    /// as a superuser or a role that may create databases.
    pub admin_url: String,
}

impl TestDatabase {
    /// A connection to this database (see [`connect`]).
    pub async fn connect(&self) -> Client {
        connect(&self.url).await
    }
}

/// The server of this test process: started on first use, shared by every test in it.
#[derive(Debug)]
pub struct TestServer {
    admin_url: String,
    local: Option<LocalServer>,
}

#[derive(Debug)]
struct LocalServer {
    cluster: LocalCluster,
    server: AttachedServer,
    startup: Duration,
}

impl TestServer {
    /// The URL of the administrative database (see [`TestDatabase::admin_url`]).
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// The URL of another database on the same server.
    pub fn url_for(&self, database: &str) -> String {
        match &self.local {
            Some(local) => local.cluster.url(database),
            None => with_database(&self.admin_url, database),
        }
    }

    /// The throwaway server's postmaster (`None` with `RETORT_TEST_DATABASE_URL`).
    pub fn postmaster_pid(&self) -> Option<u32> {
        self.local.as_ref().map(|l| l.server.pid())
    }

    /// The throwaway server's directory, deleted when the process exits.
    pub fn cluster_dir(&self) -> Option<&Path> {
        self.local.as_ref().map(|l| l.cluster.dir())
    }

    /// How long making and starting the throwaway server took.
    pub fn startup_time(&self) -> Option<Duration> {
        self.local.as_ref().map(|l| l.startup)
    }

    fn start() -> Result<Self, String> {
        if let Some(url) = std::env::var(DATABASE_URL_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            return Ok(Self {
                admin_url: url,
                local: None,
            });
        }
        Self::start_local().map_err(|reason| {
            format!(
                "retort-test-support: could not start a throwaway PostgreSQL server: {reason}\n\
                 Install the PostgreSQL server (`bash .ci/install-postgres.sh` does), or set \
                 {DATABASE_URL_ENV} to a database on a server where you may CREATE DATABASE."
            )
        })
    }

    fn start_local() -> Result<Self, String> {
        let started = Instant::now();
        let dir = tempfile::Builder::new()
            .prefix("retort-pg-")
            .tempdir()
            .map_err(|e| format!("could not create a temporary directory: {e}"))?
            .keep();
        let result = LocalCluster::new(&dir).and_then(|cluster| {
            let cluster = cluster.with_settings(false, DEFAULT_PORT);
            cluster.init()?;
            let server = cluster.start_attached(true)?;
            Ok((cluster, server))
        });
        match result {
            Ok((cluster, server)) => Ok(Self {
                admin_url: cluster.url("postgres"),
                local: Some(LocalServer {
                    cluster,
                    server,
                    startup: started.elapsed(),
                }),
            }),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                Err(e.to_string())
            }
        }
    }
}

/// The server of this test process, started on first use (blocking, about a second or two).
/// Panics, in every test that asks, with what to do if no server can be had.
pub fn server() -> &'static TestServer {
    static SERVER: OnceLock<Result<TestServer, String>> = OnceLock::new();
    match SERVER.get_or_init(TestServer::start) {
        Ok(server) => server,
        Err(message) => panic!("{message}"),
    }
}

/// A new, empty database on the test server. Safe to call from concurrent tests and processes:
/// creations in this process take turns, and one that finds the template busy (SQLSTATE 55006,
/// another session connected to `template1`) is retried.
pub async fn fresh_database() -> TestDatabase {
    // One at a time in this process: concurrent CREATE DATABASE from one template contend.
    static CREATE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let server = server();
    let admin = connect(server.admin_url()).await;
    let _turn = CREATE.lock().await;
    let mut attempt = 0;
    loop {
        let name = format!("retort_test_{}", retort::script::new_revision_id(16));
        match admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
        {
            Ok(()) => {
                return TestDatabase {
                    url: server.url_for(&name),
                    name,
                    admin_url: server.admin_url().to_string(),
                }
            }
            Err(e) if attempt < CREATE_RETRIES && is_retryable(&e) => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
            }
            Err(e) => panic!(
                "retort-test-support: CREATE DATABASE {name} failed on {}: {}",
                server.admin_url(),
                describe(&e)
            ),
        }
    }
}

/// Connects to `url` (no TLS) and spawns the connection's task on the current runtime.
/// Panics with the URL and the server's message if it cannot connect.
pub async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "retort-test-support: could not connect to {url}: {}",
                describe(&e)
            )
        });
    tokio::spawn(async move {
        // Ends with an error when the test's runtime shuts down first; nothing to report then.
        let _ = connection.await;
    });
    client
}

/// Template busy (another session in it), or the random name already taken.
/// The rows `sql` returns on a new connection to `url`, each as its columns' text joined by `|`
/// (NULL as `NULL`).
pub async fn rows(url: &str, sql: &str) -> Vec<String> {
    let c = connect(url).await;
    c.simple_query(sql)
        .await
        .expect("query")
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                (0..r.len())
                    .map(|i| r.get(i).unwrap_or("NULL"))
                    .collect::<Vec<_>>()
                    .join("|"),
            ),
            _ => None,
        })
        .collect()
}

/// The first of [`rows`] (empty when there is none).
pub async fn one(url: &str, sql: &str) -> String {
    rows(url, sql).await.into_iter().next().unwrap_or_default()
}

fn is_retryable(error: &tokio_postgres::Error) -> bool {
    matches!(
        error.code(),
        Some(code) if *code == SqlState::OBJECT_IN_USE || *code == SqlState::DUPLICATE_DATABASE
    )
}

/// The server's message with its SQLSTATE, or the client's error.
fn describe(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} {}: {}", db.severity(), db.code().code(), db.message()),
        None => error.to_string(),
    }
}

/// `url` with its database replaced by `database` (URL or `key=value` form).
fn with_database(url: &str, database: &str) -> String {
    let url = url.trim();
    for scheme in ["postgresql://", "postgres://"] {
        if let Some(rest) = url.strip_prefix(scheme) {
            let (main, query) = match rest.find('?') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let authority = main.split('/').next().unwrap_or(main);
            return format!("{scheme}{authority}/{database}{query}");
        }
    }
    // key=value: a later dbname overrides an earlier one.
    format!("{url} dbname={database}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_replaced_in_urls() {
        assert_eq!(
            with_database("postgres://u:p@h:5433/admin?sslmode=disable", "t1"),
            "postgres://u:p@h:5433/t1?sslmode=disable"
        );
        assert_eq!(
            with_database("postgresql://u@h", "t1"),
            "postgresql://u@h/t1"
        );
        assert_eq!(
            with_database("postgresql://postgres@%2Ftmp%2Fx:5432/postgres", "t1"),
            "postgresql://postgres@%2Ftmp%2Fx:5432/t1"
        );
        assert_eq!(
            with_database("host=/tmp dbname=postgres", "t1"),
            "host=/tmp dbname=postgres dbname=t1"
        );
        for url in [
            with_database("postgres://u:p@h:5433/admin?sslmode=disable", "t1"),
            with_database("host=/tmp dbname=postgres", "t1"),
        ] {
            let config: tokio_postgres::Config = url.parse().expect("parses");
            assert_eq!(config.get_dbname(), Some("t1"), "{url}");
        }
    }
}

/// Real Alembic, in a virtualenv from PyPI, for differential tests.
pub mod citus;
mod schema_diff;
pub use schema_diff::{assert_schema_eq, schema_differences};

pub mod alembic {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// The repository root.
    pub fn repo_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .canonicalize()
            .expect("repo root")
    }

    /// Python of the Alembic virtualenv (`RETORT_ALEMBIC_PYTHON`, or created once at
    /// `target/alembic-venv` by `tests/alembic_diff/setup_venv.sh`). Panics with what to install
    /// when it cannot be made: a differential test never passes without Alembic.
    pub fn python() -> PathBuf {
        if let Some(p) = std::env::var_os("RETORT_ALEMBIC_PYTHON") {
            return PathBuf::from(p);
        }
        let root = repo_root();
        let venv = root.join("target/alembic-venv");
        // Several test binaries may get here at once: one creates the venv, the others wait.
        std::fs::create_dir_all(root.join("target")).expect("target dir");
        let out = Command::new("flock")
            .arg(root.join("target/alembic-venv.setup-lock"))
            .arg("bash")
            .arg(root.join("tests/alembic_diff/setup_venv.sh"))
            .arg(&venv)
            .output()
            .expect("run setup_venv.sh");
        assert!(
            out.status.success(),
            "could not set up the Alembic virtualenv (needs python3-venv and PyPI):\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        venv.join("bin/python")
    }

    /// Run `tests/alembic_diff/gen_stamps.py`: `graphs` random graphs with `steps` stamp
    /// commands each, run by Alembic; returns the directory and its case folders in order.
    pub fn generate_stamp_cases(
        graphs: usize,
        steps: usize,
        seed: usize,
    ) -> (tempfile::TempDir, Vec<PathBuf>) {
        run_generator(
            "gen_stamps.py",
            &[
                "--graphs",
                &graphs.to_string(),
                "--steps",
                &steps.to_string(),
                "--seed",
                &seed.to_string(),
            ],
            graphs,
        )
    }

    fn run_generator(
        script: &str,
        args: &[&str],
        expect: usize,
    ) -> (tempfile::TempDir, Vec<PathBuf>) {
        let work = tempfile::tempdir().expect("tempdir");
        let out = Command::new(python())
            .arg(repo_root().join("tests/alembic_diff").join(script))
            .arg("--out")
            .arg(work.path())
            .args(args)
            .output()
            .expect("run the generator");
        assert!(
            out.status.success(),
            "{script} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut cases: Vec<PathBuf> = std::fs::read_dir(work.path())
            .expect("cases")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("expected.json").is_file())
            .collect();
        cases.sort();
        assert_eq!(cases.len(), expect, "one case per graph");
        (work, cases)
    }

    /// Run `tests/alembic_diff/gen_cases.py` into a new temporary directory: `graphs` random
    /// graphs with `targets` upgrade/downgrade steps each, run by Alembic; returns the directory
    /// and its `case_NNN` folders in order.
    pub fn generate_cases(
        graphs: usize,
        targets: usize,
        seed: usize,
    ) -> (tempfile::TempDir, Vec<PathBuf>) {
        let (graphs_arg, targets_arg, seed_arg) =
            (graphs.to_string(), targets.to_string(), seed.to_string());
        run_generator(
            "gen_cases.py",
            &[
                "--graphs",
                &graphs_arg,
                "--targets",
                &targets_arg,
                "--seed",
                &seed_arg,
            ],
            graphs,
        )
    }
}

/// Generated projects for race and fault tests.
pub mod projects {
    use std::path::Path;

    /// One generated revision: id, parents and SQL.
    #[derive(Debug, Clone)]
    pub struct GenRev {
        pub id: String,
        pub down: Vec<String>,
        pub up: String,
        /// Undoes `up` exactly.
        pub down_sql: String,
        pub transactional: bool,
    }

    /// `n` (at least 60) counter revisions `r000`...: a trunk, a fork into three branches,
    /// their merge, a second fork into two and its merge, then a trunk to a single head. Each
    /// revision increments `counter.n` and inserts its id into `applied` (a primary key, so a
    /// revision applied twice fails). `r000` creates both tables.
    pub fn branchy(n: usize) -> Vec<GenRev> {
        assert!(n >= 60, "branchy needs 60 revisions or more");
        let id = |i: usize| format!("r{i:03}");
        // Revision indexes: trunk 0..t1, branches of the first fork, merge m1, trunk to t2,
        // two branches, merge m2, trunk to the end.
        let t1 = n / 5;
        let fork1 = (n * 2) / 5 - t1; // revisions on the three branches together
        let m1 = t1 + fork1;
        let t2 = m1 + 1 + n / 10;
        let fork2 = n / 5;
        let m2 = t2 + fork2;
        let mut last1 = vec![id(t1 - 1); 3];
        let mut last2 = vec![id(t2 - 1); 2];
        (0..n)
            .map(|i| {
                let down = if i == 0 {
                    Vec::new()
                } else if (t1..m1).contains(&i) {
                    // Branch k of the first fork: t1 + k, t1 + k + 3, ... (interleaved files).
                    let k = (i - t1) % 3;
                    vec![std::mem::replace(&mut last1[k], id(i))]
                } else if i == m1 {
                    last1.clone()
                } else if (t2..m2).contains(&i) {
                    let k = (i - t2) % 2;
                    vec![std::mem::replace(&mut last2[k], id(i))]
                } else if i == m2 {
                    last2.clone()
                } else {
                    vec![id(i - 1)]
                };
                GenRev {
                    id: id(i),
                    down,
                    up: counter_sql(i),
                    down_sql: counter_down_sql(i),
                    transactional: true,
                }
            })
            .collect()
    }

    /// `n` counter revisions in a line.
    pub fn chain(n: usize) -> Vec<GenRev> {
        (0..n)
            .map(|i| GenRev {
                id: format!("r{i:03}"),
                down: if i == 0 {
                    Vec::new()
                } else {
                    vec![format!("r{:03}", i - 1)]
                },
                up: counter_sql(i),
                down_sql: counter_down_sql(i),
                transactional: true,
            })
            .collect()
    }

    /// Revision `i`'s SQL: `r000` creates `counter` and `applied`; every revision increments the
    /// counter and inserts its id.
    pub fn counter_sql(i: usize) -> String {
        if i == 0 {
            "CREATE TABLE counter (n int); INSERT INTO counter VALUES (1); CREATE TABLE applied (id text PRIMARY KEY); INSERT INTO applied VALUES ('r000');".into()
        } else {
            format!("UPDATE counter SET n = n + 1; INSERT INTO applied VALUES ('r{i:03}');")
        }
    }

    /// What undoes [`counter_sql`]`(i)`.
    pub fn counter_down_sql(i: usize) -> String {
        if i == 0 {
            "DROP TABLE counter; DROP TABLE applied;".into()
        } else {
            format!("UPDATE counter SET n = n - 1; DELETE FROM applied WHERE id = 'r{i:03}';")
        }
    }

    /// Write `retort.toml` (with `config_extra`) and `migrations/` holding `revs` into `dir`.
    pub fn write(dir: &Path, config_extra: &str, revs: &[GenRev]) {
        std::fs::create_dir_all(dir.join("migrations")).expect("mkdir");
        std::fs::write(
            dir.join("retort.toml"),
            format!("script_location = \"migrations\"\n{config_extra}"),
        )
        .expect("config");
        for (i, r) in revs.iter().enumerate() {
            std::fs::write(
                dir.join(format!("migrations/{i:04}_{}.sql", r.id)),
                format!(
                    "-- revision: {}\n-- down_revision: {}\n-- message: step {i}\n-- transactional: {}\n\n-- retort:up\n{}\n\n-- retort:down\n{}\n",
                    r.id,
                    r.down.join(", "),
                    r.transactional,
                    r.up,
                    r.down_sql
                ),
            )
            .expect("write");
        }
    }
}

/// PgBouncer in transaction pooling mode in front of the test server, for `lock_mode =
/// "transaction"` tests.
pub mod pgbouncer {
    use std::io::{BufRead, BufReader};
    use std::os::unix::fs::MetadataExt;
    use std::path::PathBuf;
    use std::process::{Child, ChildStdin, Command, Stdio};
    use std::time::{Duration, Instant};

    /// Set (as `.ci/run` does) to make a missing pgbouncer a failure instead of a skip.
    pub const REQUIRE_ENV: &str = "RETORT_REQUIRE_PGBOUNCER";

    /// A running pgbouncer, stopped (and its directory removed) when dropped or when this
    /// process exits: like the test server, it runs under a watchdog that reads a pipe only this
    /// process holds.
    #[derive(Debug)]
    pub struct PgBouncer {
        dir: PathBuf,
        port: u16,
        watchdog: Child,
        lifeline: Option<ChildStdin>,
    }

    const PORT: u16 = 6432;

    const WATCHDOG: &str = r#"
dir=$1
shift
"$@" &
pid=$!
echo "$pid"
exec >/dev/null
while read -r _; do :; done
kill -INT "$pid" 2>/dev/null
wait "$pid"
rm -rf -- "$dir"
"#;

    impl PgBouncer {
        /// Start pgbouncer (`pool_mode = transaction`, `default_pool_size` server connections
        /// per database) in front of this process's throwaway test server. `Err` says why it
        /// cannot: no pgbouncer binary, or no throwaway server (`RETORT_TEST_DATABASE_URL`).
        pub fn start(default_pool_size: usize) -> Result<Self, String> {
            let bin = [
                "/usr/sbin/pgbouncer",
                "/usr/bin/pgbouncer",
                "/usr/local/bin/pgbouncer",
            ]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .or_else(|| {
                let out = Command::new("sh")
                    .args(["-c", "command -v pgbouncer"])
                    .output()
                    .ok()?;
                let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
                (!p.is_empty()).then(|| PathBuf::from(p))
            })
            .ok_or("pgbouncer is not installed (apt-get install pgbouncer; .ci/run installs it)")?;
            let server = super::server();
            let cluster_dir = server
                .cluster_dir()
                .ok_or("needs the throwaway test server (RETORT_TEST_DATABASE_URL is set)")?;
            let owner = std::fs::metadata(cluster_dir).map_err(|e| e.to_string())?;
            let dir = tempfile::Builder::new()
                .prefix("retort-pgb-")
                .tempdir()
                .map_err(|e| e.to_string())?
                .keep();
            let config = format!(
                "[databases]\n* = host={host} port={port}\n\n[pgbouncer]\nlisten_addr =\nlisten_port = {PORT}\nunix_socket_dir = {dir}\n\
                 auth_type = trust\nauth_file = {dir}/userlist.txt\npool_mode = transaction\n\
                 default_pool_size = {default_pool_size}\nmax_client_conn = 500\n\
                 logfile = {dir}/pgbouncer.log\npidfile = {dir}/pgbouncer.pid\n",
                host = cluster_dir.display(),
                port = retort::devdb::DEFAULT_PORT,
                dir = dir.display(),
            );
            std::fs::write(dir.join("pgbouncer.ini"), config).map_err(|e| e.to_string())?;
            std::fs::write(dir.join("userlist.txt"), "\"postgres\" \"\"\n")
                .map_err(|e| e.to_string())?;
            let root = owner.uid() != 0 && running_as_root();
            if root {
                for p in [
                    dir.clone(),
                    dir.join("pgbouncer.ini"),
                    dir.join("userlist.txt"),
                ] {
                    std::os::unix::fs::chown(&p, Some(owner.uid()), Some(owner.gid()))
                        .map_err(|e| e.to_string())?;
                }
            }
            let mut command = Command::new("/bin/sh");
            command.args(["-c", WATCHDOG, "retort-pgbouncer-watchdog"]);
            command.arg(&dir).arg(&bin);
            if root {
                // pgbouncer refuses to run as root; -u switches to the server's owner.
                let user = Command::new("id")
                    .args(["-nu", &owner.uid().to_string()])
                    .output()
                    .map_err(|e| e.to_string())?;
                command
                    .arg("-u")
                    .arg(String::from_utf8_lossy(&user.stdout).trim());
            }
            command
                .arg(dir.join("pgbouncer.ini"))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .process_group(0);
            use std::os::unix::process::CommandExt;
            let mut watchdog = command.spawn().map_err(|e| e.to_string())?;
            let lifeline = watchdog.stdin.take();
            let mut first = String::new();
            if let Some(out) = watchdog.stdout.take() {
                let _ = BufReader::new(out).read_line(&mut first);
            }
            let bouncer = Self {
                dir,
                port: PORT,
                watchdog,
                lifeline,
            };
            let socket = bouncer.dir.join(format!(".s.PGSQL.{PORT}"));
            let start = Instant::now();
            while !socket.exists() {
                if start.elapsed() > Duration::from_secs(20) {
                    let log = std::fs::read_to_string(bouncer.dir.join("pgbouncer.log"))
                        .unwrap_or_default();
                    return Err(format!("pgbouncer did not start:\n{log}"));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(bouncer)
        }

        /// The URL of `database` through pgbouncer.
        pub fn url(&self, database: &str) -> String {
            let host: String = self
                .dir
                .display()
                .to_string()
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            format!("postgresql://postgres@{host}:{}/{database}", self.port)
        }

        /// pgbouncer's log so far.
        pub fn log(&self) -> String {
            std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
        }
    }

    impl Drop for PgBouncer {
        fn drop(&mut self) {
            if self.lifeline.take().is_some() {
                let _ = self.watchdog.wait();
            }
        }
    }

    fn running_as_root() -> bool {
        rustix::process::geteuid().is_root()
    }

    /// pgbouncer for a test, or `None` after printing why the test skips; panics instead when
    /// [`REQUIRE_ENV`] is set.
    pub fn start_or_skip(test: &str, default_pool_size: usize) -> Option<PgBouncer> {
        match PgBouncer::start(default_pool_size) {
            Ok(b) => Some(b),
            Err(why) if std::env::var_os(REQUIRE_ENV).is_none() => {
                eprintln!("SKIPPED {test}: {why}");
                None
            }
            Err(why) => panic!("{test}: {REQUIRE_ENV} is set but pgbouncer cannot run: {why}"),
        }
    }
}
