//! Races and faults against real PostgreSQL (RELIABILITY.md, "Races and faults"): an upgrade
//! racing a downgrade, a lock holder killed, sessions terminated and servers restarted
//! mid-migration, server lock and statement timeouts, read-only databases, a full disk.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use retort::config::Config;
use retort::devdb::{LocalCluster, DEFAULT_PORT};
use retort::exit::{ExitCode, HasExitCode};
use retort::project::Project;
use retort::runner::{Event, LockMode, Migrator, Observer, Quiet, RunError, RunOptions};
use retort_test_support::projects::{self, GenRev};
use retort_test_support::{connect, fresh_database, one};

fn migrator(dir: &Path, options: RunOptions) -> Migrator {
    let config = Config::load(&dir.join("retort.toml")).expect("config");
    Migrator::new(Project::open(config).expect("project"), options)
}

fn with_mode(mode: LockMode) -> RunOptions {
    RunOptions {
        lock_mode: mode,
        ..RunOptions::default()
    }
}

/// The counter project's state: version rows, counter, applied ids in order, and the applied log
/// (`revision:direction:status`, oldest first).
async fn state(url: &str) -> (String, String, String, String) {
    (
        one(url, "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM retort_version").await,
        one(url, "SELECT coalesce((SELECT n::text FROM counter), 'no table')").await,
        one(url, "SELECT coalesce(string_agg(id, ',' ORDER BY id), '') FROM applied").await,
        one(url, "SELECT coalesce(string_agg(revision || ':' || direction || ':' || status, ',' ORDER BY id), '') FROM retort_history").await,
    )
}

/// Assert the counter project is exactly at `r000..=r{k}` of a chain: version row, counter and
/// applied ids agree (each revision's effect once, nothing of a later one).
async fn assert_at(url: &str, k: usize) {
    let (version, n, applied, _) = state(url).await;
    assert_eq!(version, format!("r{k:03}"), "version row");
    assert_eq!(n, (k + 1).to_string(), "counter");
    let want: Vec<String> = (0..=k).map(|i| format!("r{i:03}")).collect();
    assert_eq!(applied, want.join(","), "applied ids");
}

/// Wait until a session other than ours is running a statement containing `needle`.
async fn wait_for_query(url: &str, needle: &str) -> i32 {
    let start = Instant::now();
    loop {
        let pid = one(url, &format!("SELECT pid FROM pg_stat_activity WHERE query LIKE '%{needle}%' AND pid <> pg_backend_pid() AND state = 'active' LIMIT 1")).await;
        if let Ok(pid) = pid.parse() {
            return pid;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never saw the query {needle}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Records how long each run waited for the lock.
#[derive(Default)]
struct Waits(Mutex<Vec<Duration>>);

impl Observer for Waits {
    fn event(&self, e: &Event) {
        if let Event::LockAcquired { waited } = e {
            self.0.lock().expect("lock").push(*waited);
        }
    }
}

impl Waits {
    fn first(&self) -> Duration {
        self.0
            .lock()
            .expect("lock")
            .first()
            .copied()
            .unwrap_or_default()
    }
}

/// `upgrade head` and `downgrade r009` released at the same moment on a database at r029, four
/// rounds per lock mode: both succeed, the end state is one of the two targets with exactly that
/// target's effects, and in session mode the second planned from the first's end (it waited).
async fn upgrade_races_downgrade(mode: LockMode) {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    projects::write(dir.path(), "", &projects::chain(60));
    let m = Arc::new(migrator(dir.path(), with_mode(mode)));
    m.upgrade(&db.url, "r029", &Quiet).await.expect("setup");
    let holder = connect(&db.url).await;
    let key = m.tables().lock_key();
    let mut ends = Vec::new();
    for _round in 0..4 {
        holder
            .batch_execute(&format!("SELECT pg_advisory_lock({key})"))
            .await
            .expect("hold");
        let (mu, md) = (Arc::clone(&m), Arc::clone(&m));
        let (uu, ud) = (db.url.clone(), db.url.clone());
        let up = tokio::spawn(async move { mu.upgrade(&uu, "head", &Quiet).await });
        let down = tokio::spawn(async move { md.downgrade(&ud, "r009", &Quiet).await });
        tokio::time::sleep(Duration::from_millis(300)).await;
        holder
            .batch_execute(&format!("SELECT pg_advisory_unlock({key})"))
            .await
            .expect("release");
        let up = up.await.expect("task").expect("upgrade succeeds");
        let down = down.await.expect("task").expect("downgrade succeeds");
        let (version, ..) = state(&db.url).await;
        let k = match version.as_str() {
            "r059" => 59,
            "r009" => 9,
            other => panic!("end state {other} is neither target"),
        };
        assert_at(&db.url, k).await;
        // Net effect of both runs' steps: from r029 to the end state.
        assert_eq!(
            up.steps.len() as i64 - down.steps.len() as i64,
            k as i64 - 29,
            "{mode:?}: up {} steps, down {} steps",
            up.steps.len(),
            down.steps.len()
        );
        if mode == LockMode::Session {
            // One ran whole, then the other from its end: 30 and 50, or 20 and 50.
            assert!(
                (up.steps.len(), down.steps.len()) == (30, 50)
                    || (up.steps.len(), down.steps.len()) == (50, 20),
                "interleaved: up {} down {}",
                up.steps.len(),
                down.steps.len()
            );
        }
        ends.push(version);
        m.upgrade(&db.url, "r029", &Quiet).await.ok();
        m.downgrade(&db.url, "r029", &Quiet).await.ok();
        assert_at(&db.url, 29).await;
    }
    eprintln!("{mode:?}: end states {ends:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_racing_downgrade_session_lock() {
    upgrade_races_downgrade(LockMode::Session).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_racing_downgrade_transaction_lock() {
    upgrade_races_downgrade(LockMode::Transaction).await;
}

/// A chain whose revision `sleeper` sleeps for as long as the `sleep_for` table says (made by
/// r000 with `seconds`), marked `/* sleep-here */` for [`wait_for_query`].
fn chain_with_sleeper(n: usize, sleeper: usize, seconds: u32) -> Vec<GenRev> {
    let mut revs = projects::chain(n);
    revs[0].up.push_str(&format!(
        " CREATE TABLE sleep_for (s float8); INSERT INTO sleep_for VALUES ({seconds});"
    ));
    revs[0].down_sql.push_str(" DROP TABLE sleep_for;");
    revs[sleeper]
        .up
        .push_str(" SELECT pg_sleep((SELECT s FROM sleep_for)) /* sleep-here */;");
    revs
}

/// The lock holder's session ends (terminated mid-migration, or its process killed while idle):
/// the waiter proceeds at once; the terminated run gets a clear error (connection lost, exit 6),
/// its revision is not half-recorded, and the waiter applies it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_holder_terminated_mid_migration_and_the_waiter_proceeds() {
    for mode in [LockMode::Session, LockMode::Transaction] {
        let db = fresh_database().await;
        let dir = tempfile::tempdir().expect("tempdir");
        projects::write(dir.path(), "", &chain_with_sleeper(20, 10, 600));
        let m = Arc::new(migrator(dir.path(), with_mode(mode)));
        let first = {
            let (m, url) = (Arc::clone(&m), db.url.clone());
            tokio::spawn(async move { m.upgrade(&url, "head", &Quiet).await })
        };
        let pid = wait_for_query(&db.url, "sleep-here").await;
        let waits = Arc::new(Waits::default());
        let second = {
            let (m, url, w) = (Arc::clone(&m), db.url.clone(), Arc::clone(&waits));
            tokio::spawn(async move { m.upgrade(&url, "head", &*w).await })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!second.is_finished(), "{mode:?}: the second run waits");
        // The second run must not sleep again once it gets there.
        connect(&db.url)
            .await
            .batch_execute(&format!(
                "UPDATE sleep_for SET s = 0; SELECT pg_terminate_backend({pid})"
            ))
            .await
            .expect("terminate");
        let err = first
            .await
            .expect("task")
            .expect_err("the terminated run fails");
        assert_eq!(err.exit_code(), ExitCode::Connection, "{err:?}");
        let RunError::Migration(f) = &err else {
            panic!("{err:?}")
        };
        assert!(f.connection_lost && f.revision == "r010", "{f:?}");
        assert!(
            f.message
                .contains("terminating connection due to administrator command"),
            "{}",
            f.message
        );
        if mode == LockMode::Session {
            let shown = format!("exit 6: {:?}", miette::Report::new(err))
                .replace(&dir.path().display().to_string(), "[dir]");
            insta::with_settings!({filters => vec![(r"\x1b\[[0-9;]*m", "")]}, {
                insta::assert_snapshot!("connection_lost", shown);
            });
        }
        let report = second.await.expect("task").expect("the waiter proceeds");
        assert_eq!(report.steps.len(), 10, "{mode:?}: r010..r019");
        assert!(waits.first() >= Duration::from_millis(400), "{mode:?}");
        assert_at(&db.url, 19).await;
        let (.., log) = state(&db.url).await;
        assert_eq!(log.matches("r010:up:applied").count(), 1, "{log}");
        assert!(!log.contains("started"), "{log}");
    }
}

/// A session holding the migration lock whose client process is killed while idle: the server
/// ends the session, releasing the lock, and the waiting run proceeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_holder_process_killed_and_the_waiter_proceeds() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    projects::write(dir.path(), "", &projects::chain(5));
    let m = migrator(dir.path(), RunOptions::default());
    let key = m.tables().lock_key();
    let mut psql = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &db.url])
        .env("PGAPPNAME", "holder")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("psql");
    {
        use std::io::Write;
        let stdin = psql.stdin.as_mut().expect("stdin");
        writeln!(stdin, "SELECT pg_advisory_lock({key});").expect("write");
        stdin.flush().expect("flush");
    }
    let start = Instant::now();
    while one(
        &db.url,
        &format!(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = {}",
            (key as u64) & 0xffff_ffff
        ),
    )
    .await
        != "1"
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "psql never took the lock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let waits = Arc::new(Waits::default());
    let run = {
        let (url, w) = (db.url.clone(), Arc::clone(&waits));
        let m = m.clone();
        tokio::spawn(async move { m.upgrade(&url, "head", &*w).await })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!run.is_finished(), "waits for the holder");
    psql.kill().expect("SIGKILL psql");
    let _ = psql.wait();
    run.await.expect("task").expect("proceeds");
    assert!(waits.first() >= Duration::from_millis(300));
    assert_at(&db.url, 4).await;
}

/// A cluster of this test's own, for restarting without disturbing the other tests' server.
struct OwnCluster {
    cluster: LocalCluster,
    server: Option<retort::devdb::AttachedServer>,
}

impl OwnCluster {
    /// `remove_after`: its directory goes when this process ends (else after a [`restart`]
    /// with `last`).
    fn start(remove_after: bool) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("retort-restart-")
            .tempdir()
            .expect("tempdir")
            .keep();
        let cluster = LocalCluster::new(&dir)
            .expect("binaries")
            .with_settings(false, DEFAULT_PORT);
        cluster.init().expect("initdb");
        let server = cluster.start_attached(remove_after).expect("start");
        Self {
            cluster,
            server: Some(server),
        }
    }

    /// Shut the server down (`immediate`: SIGQUIT, no checkpoint, crash recovery at the next
    /// start; else SIGINT, a fast shutdown) and start it again; `last`: its directory goes when
    /// this process ends.
    fn restart(&mut self, immediate: bool, last: bool) {
        let server = self.server.take().expect("running");
        if immediate {
            let _ = std::process::Command::new("kill")
                .args(["-QUIT", &server.pid().to_string()])
                .status();
        }
        server.stop(); // SIGINT (fast shutdown) if still running, and wait for the exit
        self.server = Some(self.cluster.start_attached(last).expect("restart"));
    }
}

/// The server shut down (fast, then immediate) while a revision runs: a clear error (connection
/// lost, exit 6), nothing of the revision recorded, and a rerun after the restart finishes with
/// each revision applied once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restarted_mid_run() {
    let mut own = OwnCluster::start(false);
    let admin = connect(&own.cluster.url("postgres")).await;
    admin
        .batch_execute("CREATE DATABASE restart_test")
        .await
        .expect("createdb");
    drop(admin);
    let url = own.cluster.url("restart_test");
    let dir = tempfile::tempdir().expect("tempdir");
    projects::write(dir.path(), "", &chain_with_sleeper(30, 12, 600));
    let m = Arc::new(migrator(dir.path(), RunOptions::default()));
    let mut seen = Vec::new();
    for (immediate, last) in [(false, false), (true, true)] {
        let run = {
            let (m, url) = (Arc::clone(&m), url.clone());
            tokio::spawn(async move { m.upgrade(&url, "head", &Quiet).await })
        };
        wait_for_query(&url, "sleep-here").await;
        // tokio-postgres clients live on this runtime: restart from a blocking thread.
        let restarted = tokio::task::spawn_blocking(move || {
            own.restart(immediate, last);
            own
        });
        let err = run.await.expect("task").expect_err("the run fails");
        own = restarted.await.expect("restart");
        assert_eq!(err.exit_code(), ExitCode::Connection, "{err:?}");
        let RunError::Migration(f) = &err else {
            panic!("{err:?}")
        };
        assert!(f.connection_lost && f.revision == "r012", "{f:?}");
        seen.push(format!(
            "{}: {}",
            if immediate { "immediate" } else { "fast" },
            f.message
        ));
        assert_at(&url, 11).await;
        let (.., log) = state(&url).await;
        assert!(!log.contains("r012"), "nothing of r012 recorded: {log}");
    }
    connect(&url)
        .await
        .batch_execute("UPDATE sleep_for SET s = 0")
        .await
        .expect("no more sleeping");
    m.upgrade(&url, "head", &Quiet).await.expect("rerun");
    assert_at(&url, 29).await;
    eprintln!("{seen:#?}");
}

/// Who holds a row lock, as a blocker for the migration: an idle transaction in another session.
async fn hold_row_lock(url: &str) -> (tokio_postgres::Client, i32) {
    let c = connect(url).await;
    let pid = one_on(&c, "SELECT pg_backend_pid()")
        .await
        .parse()
        .expect("pid");
    c.batch_execute(
        "SET application_name = 'report-job'; BEGIN; SELECT * FROM accounts FOR UPDATE",
    )
    .await
    .expect("lock");
    (c, pid)
}

async fn one_on(c: &tokio_postgres::Client, sql: &str) -> String {
    c.simple_query(sql)
        .await
        .expect("query")
        .into_iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("").to_string()),
            _ => None,
        })
        .unwrap_or_default()
}

/// `lock_timeout` and `statement_timeout` from retort.toml: a statement blocked by another
/// session's lock fails after the timeout with an error naming that session's pid (exit 11), the
/// revision is rolled back, and the run goes through once the blocker is gone; a slow statement
/// on its own is named as such. Both lock modes; messages snapshotted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_timeouts_name_the_blocking_pid() {
    let mut shown = String::new();
    for mode in [LockMode::Session, LockMode::Transaction] {
        for (config, rev2) in [
            (
                "lock_timeout = \"300ms\"\n",
                "ALTER TABLE accounts ADD COLUMN note text;",
            ),
            (
                "statement_timeout = \"400ms\"\n",
                "UPDATE accounts SET id = id + 1;",
            ),
            ("statement_timeout = \"300ms\"\n", "SELECT pg_sleep(2);"),
        ] {
            let db = fresh_database().await;
            let dir = tempfile::tempdir().expect("tempdir");
            let mut revs = projects::chain(3);
            revs[0]
                .up
                .push_str(" CREATE TABLE accounts (id int); INSERT INTO accounts VALUES (1);");
            revs[2].up.push_str(&format!(" {rev2}"));
            let mode_line = if mode == LockMode::Transaction {
                "lock_mode = \"transaction\"\n"
            } else {
                ""
            };
            projects::write(dir.path(), &format!("{mode_line}{config}"), &revs);
            let m = migrator(dir.path(), RunOptions::default());
            m.upgrade(&db.url, "r001", &Quiet).await.expect("r001");
            let blocker = if rev2.starts_with("SELECT") {
                None
            } else {
                Some(hold_row_lock(&db.url).await)
            };
            let started = Instant::now();
            let err = m
                .upgrade(&db.url, "head", &Quiet)
                .await
                .expect_err("times out");
            assert!(started.elapsed() < Duration::from_secs(10));
            assert_eq!(err.exit_code(), ExitCode::Timeout, "{err:?}");
            let RunError::Migration(f) = &err else {
                panic!("{err:?}")
            };
            match &blocker {
                Some((_, pid)) => assert_eq!(
                    f.blocked_by.first().map(|b| b.pid),
                    Some(*pid),
                    "{mode:?} {config}: {f:?}"
                ),
                None => assert!(f.blocked_by.is_empty(), "{f:?}"),
            }
            assert_at(&db.url, 1).await;
            // Unwrapped (a pid's digits would move the line breaks), without colours.
            let mut report = String::new();
            let code = err.exit_code().code();
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(1000)
                .render_report(&mut report, &err)
                .expect("render");
            shown.push_str(&format!("--- {mode:?}, {config}exit {code}: {report}\n"));
            // Blocker gone: the same run goes through.
            drop(blocker);
            if rev2.starts_with("SELECT") {
                continue;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            m.upgrade(&db.url, "head", &Quiet).await.expect("through");
            assert_at(&db.url, 2).await;
        }
    }
    let shown = shown.replace(&std::env::temp_dir().display().to_string(), "[tmp]");
    insta::with_settings!({filters => vec![
        (r"\x1b\[[0-9;]*m", ""),
        (r"pid \d+", "pid [pid]"),
        (r"pg_terminate_backend\(\d+\)", "pg_terminate_backend([pid])"),
        (r"\[tmp\]/\.tmp[A-Za-z0-9]+", "[dir]"),
    ]}, {
        insta::assert_snapshot!(shown);
    });
}

/// `default_transaction_read_only` on the database: a clear error before anything is written
/// (exit 6), in both lock modes, on a new database and on one with pending revisions.
#[tokio::test]
async fn read_only_database_is_a_clear_error() {
    let mut shown = String::new();
    for mode in [LockMode::Session, LockMode::Transaction] {
        let db = fresh_database().await;
        let dir = tempfile::tempdir().expect("tempdir");
        projects::write(dir.path(), "", &projects::chain(4));
        let m = migrator(dir.path(), with_mode(mode));
        let admin = connect(&db.url).await;
        let read_only = |on: bool| {
            format!(
                "ALTER DATABASE {} SET default_transaction_read_only = {}",
                db.name,
                if on { "on" } else { "off" }
            )
        };
        admin.batch_execute(&read_only(true)).await.expect("ro");
        let err = m
            .upgrade(&db.url, "head", &Quiet)
            .await
            .expect_err("read-only");
        assert!(matches!(err, RunError::ReadOnly { .. }), "{err:?}");
        assert_eq!(err.exit_code(), ExitCode::Connection);
        shown.push_str(&format!(
            "--- {mode:?}, new database\n{:?}\n",
            miette::Report::new(err)
        ));
        assert_eq!(
            one(
                &db.url,
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            )
            .await,
            "0"
        );
        admin.batch_execute(&read_only(false)).await.expect("rw");
        m.upgrade(&db.url, "r001", &Quiet).await.expect("r001");
        admin.batch_execute(&read_only(true)).await.expect("ro");
        let err = m
            .upgrade(&db.url, "head", &Quiet)
            .await
            .expect_err("read-only");
        assert!(matches!(err, RunError::ReadOnly { .. }), "{err:?}");
        shown.push_str(&format!(
            "--- {mode:?}, at r001 with revisions pending\n{:?}\n",
            miette::Report::new(err)
        ));
        assert_at(&db.url, 1).await;
        admin.batch_execute(&read_only(false)).await.expect("rw");
        m.upgrade(&db.url, "head", &Quiet)
            .await
            .expect("writable again");
        assert_at(&db.url, 3).await;
    }
    insta::with_settings!({filters => vec![(r"\x1b\[[0-9;]*m", "")]}, {
        insta::assert_snapshot!(shown);
    });
}

/// A revision that fills the disk: a tablespace on a 4 MB tmpfs (mounted here; skipped with a
/// message where mounting is not allowed). The error names the SQLSTATE (53100) and the file,
/// the revision is rolled back, and once there is room a rerun finishes.
#[tokio::test]
async fn disk_full_is_a_clear_error() {
    use std::os::unix::fs::MetadataExt;
    let mount = tempfile::tempdir().expect("mount point");
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(mount.path())
        .output();
    match mounted {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            eprintln!(
                "SKIPPED disk_full_is_a_clear_error: cannot mount a tmpfs here ({})",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return;
        }
        Err(e) => {
            eprintln!("SKIPPED disk_full_is_a_clear_error: no mount command ({e})");
            return;
        }
    }
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(mount.path().to_path_buf());
    // A cluster of its own (stopped before the unmount, declared after it): a tablespace is
    // cluster-wide, and the shared test server must never see this one.
    let own = OwnCluster::start(true);
    let owner = std::fs::metadata(own.cluster.dir()).expect("cluster dir");
    std::os::unix::fs::chown(mount.path(), Some(owner.uid()), Some(owner.gid())).expect("chown");
    let admin = connect(&own.cluster.url("postgres")).await;
    admin
        .batch_execute(&format!(
            "CREATE TABLESPACE full_ts LOCATION '{}'",
            mount.path().display()
        ))
        .await
        .expect("tablespace");
    admin
        .batch_execute("CREATE DATABASE disk_test")
        .await
        .expect("createdb");
    let url = own.cluster.url("disk_test");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut revs = projects::chain(3);
    revs[1].up.push_str(
        " CREATE TABLE big (v text) TABLESPACE full_ts; INSERT INTO big SELECT repeat('x', 1000) FROM generate_series(1, 20000);",
    );
    revs[1].down_sql.push_str(" DROP TABLE big;");
    projects::write(dir.path(), "", &revs);
    let m = migrator(dir.path(), RunOptions::default());
    let err = m
        .upgrade(&url, "head", &Quiet)
        .await
        .expect_err("disk full");
    let RunError::Migration(f) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(f.sqlstate.as_deref(), Some("53100"), "{f:?}");
    assert!(
        f.message.contains("No space left on device"),
        "{}",
        f.message
    );
    assert_eq!(err.exit_code(), ExitCode::Migration);
    assert_at(&url, 0).await;
    // Room again: a rerun finishes.
    let grown = std::process::Command::new("mount")
        .args(["-o", "remount,size=64m"])
        .arg(mount.path())
        .status()
        .expect("remount");
    assert!(grown.success());
    m.upgrade(&url, "head", &Quiet).await.expect("rerun");
    assert_at(&url, 2).await;
    drop(admin);
    drop(own);
}

/// `lock_mode = "transaction"`: a non-transactional revision runs outside the lock (it cannot
/// run inside a transaction). A second run racing the first must never run it again alongside
/// it: it stops with the "unfinished" error (exit 9), the first finishes, and a later run finds
/// nothing to do. (Before the fix the second ran it concurrently: the counter moved twice.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_mode_never_runs_a_non_transactional_revision_twice() {
    for round in 0..4 {
        let db = fresh_database().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut revs = chain_with_sleeper(8, 5, 1);
        revs[5].up = "UPDATE counter SET n = n + 1;\nSELECT pg_sleep((SELECT s FROM sleep_for)) /* sleep-here */;\nINSERT INTO applied VALUES ('r005');".into();
        revs[5].transactional = false;
        projects::write(dir.path(), "lock_mode = \"transaction\"\n", &revs);
        let m = Arc::new(migrator(dir.path(), RunOptions::default()));
        m.upgrade(&db.url, "r004", &Quiet).await.expect("r004");
        // Both plan from r004 while the lock is held elsewhere; released, one starts r005 and
        // the other, taking the lock next, finds the version rows still at r004 as planned.
        let holder = connect(&db.url).await;
        let key = m.tables().lock_key();
        holder
            .batch_execute(&format!("SELECT pg_advisory_lock({key})"))
            .await
            .expect("hold");
        let runs: Vec<_> = (0..2)
            .map(|_| {
                let (m, url) = (Arc::clone(&m), db.url.clone());
                tokio::spawn(async move { m.upgrade(&url, "head", &Quiet).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300)).await;
        holder
            .batch_execute(&format!("SELECT pg_advisory_unlock({key})"))
            .await
            .expect("release");
        let mut ok = 0;
        let mut stopped = Vec::new();
        for r in runs {
            match r.await.expect("task") {
                Ok(_) => ok += 1,
                Err(e) => stopped.push(e),
            }
        }
        assert!(ok >= 1, "round {round}: {stopped:?}");
        for e in &stopped {
            assert!(
                matches!(e, RunError::Unfinished { revision, .. } if revision == "r005"),
                "round {round}: {e:?}"
            );
            assert_eq!(e.exit_code(), ExitCode::Verify);
        }
        assert_at(&db.url, 7).await;
        assert!(m
            .upgrade(&db.url, "head", &Quiet)
            .await
            .expect("clean")
            .steps
            .is_empty());
        if let Some(e) = stopped.pop() {
            if round == 0 {
                let shown = format!("{:?}", miette::Report::new(e))
                    .replace(&dir.path().display().to_string(), "[dir]");
                insta::with_settings!({filters => vec![(r"\x1b\[[0-9;]*m", "")]}, {
                    insta::assert_snapshot!(shown);
                });
            }
        }
    }
}

/// `--single-transaction` with `lock_mode = "transaction"`: the run's one transaction takes the
/// lock (it used to take none), so 8 racing tasks apply the 50 revisions once between them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_transaction_in_transaction_mode_takes_the_lock() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    projects::write(dir.path(), "", &projects::chain(50));
    let m = Arc::new(migrator(
        dir.path(),
        RunOptions {
            lock_mode: LockMode::Transaction,
            single_transaction: true,
            ..RunOptions::default()
        },
    ));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (m, url) = (Arc::clone(&m), db.url.clone());
            tokio::spawn(
                async move { m.upgrade(&url, "head", &Quiet).await.map(|r| r.steps.len()) },
            )
        })
        .collect();
    let mut applied = 0;
    for t in tasks {
        applied += t.await.expect("task").expect("every task succeeds");
    }
    assert_eq!(applied, 50);
    assert_at(&db.url, 49).await;
}
