//! `retort upgrade` as processes against real PostgreSQL: racing deploys, killed processes,
//! and what the user sees.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use retort_test_support::{connect, fresh_database, one};

fn retort() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("retort"));
    c.env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .env_remove("RETORT_CONFIG");
    c
}

/// `n` revisions `r000`... in a line; `up(i)` gives each one's SQL and whether it is transactional.
fn write_chain(dir: &Path, n: usize, up: impl Fn(usize) -> (String, bool)) {
    std::fs::create_dir_all(dir.join("migrations")).expect("mkdir");
    std::fs::write(
        dir.join("retort.toml"),
        "script_location = \"migrations\"\n",
    )
    .expect("config");
    for i in 0..n {
        let (sql, transactional) = up(i);
        let down = if i == 0 {
            String::new()
        } else {
            format!("r{:03}", i - 1)
        };
        std::fs::write(
            dir.join(format!("migrations/{i:04}_r{i:03}.sql")),
            format!("-- revision: r{i:03}\n-- down_revision: {down}\n-- message: step {i}\n-- transactional: {transactional}\n\n-- retort:up\n{sql}\n\n-- retort:down\n"),
        )
        .expect("write");
    }
}

fn counter_sql(i: usize) -> String {
    if i == 0 {
        "CREATE TABLE counter (n int); INSERT INTO counter VALUES (1); CREATE TABLE applied (id text PRIMARY KEY); INSERT INTO applied VALUES ('r000');".into()
    } else {
        format!("UPDATE counter SET n = n + 1; INSERT INTO applied VALUES ('r{i:03}');")
    }
}

/// Processes racing, as many as tasks race in `retort/tests/runner.rs`.
const RACERS: usize = 16;

/// `RACERS` `retort upgrade head` processes on one empty database.
fn race(dir: &Path, url: &str, args: &[&str]) {
    let children: Vec<_> = (0..RACERS)
        .map(|_| {
            retort()
                .args(args)
                .args(["--database-url", url])
                .current_dir(dir)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "a racing process failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// 16 processes, 200 revisions with two forks and merges: each revision applied exactly once
/// (a counter, and ids under a unique key), every process exits 0, and the version rows and
/// applied log equal a single run's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_processes_race_and_each_revision_runs_once() {
    use retort_test_support::projects;
    let db = fresh_database().await;
    let single = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    projects::write(dir.path(), "", &projects::branchy(200));
    race(dir.path(), &db.url, &["upgrade", "head"]);
    assert_eq!(one(&db.url, "SELECT n FROM counter").await, "200");
    assert_eq!(one(&db.url, "SELECT count(*) FROM applied").await, "200");
    let out = retort()
        .args(["upgrade", "head", "--database-url", &single.url])
        .current_dir(dir.path())
        .output()
        .expect("single run");
    assert!(out.status.success());
    let versions = "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM retort_version";
    assert_eq!(one(&db.url, versions).await, "r199");
    assert_eq!(
        one(&db.url, versions).await,
        one(&single.url, versions).await
    );
    let log = "SELECT string_agg(revision || ':' || direction || ':' || status, ',' ORDER BY revision) FROM retort_history";
    assert_eq!(one(&db.url, log).await, one(&single.url, log).await);
    assert_eq!(
        one(
            &db.url,
            "SELECT count(*) = count(DISTINCT revision) FROM retort_history"
        )
        .await,
        "t"
    );
}

/// The same with `lock_mode = "transaction"` through PgBouncer in transaction pooling mode, 4
/// server connections for the 16 processes (skipped with a message when pgbouncer is not
/// installed; `.ci/run` installs it and sets RETORT_REQUIRE_PGBOUNCER so that it runs there).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_processes_through_pgbouncer_in_transaction_mode() {
    use retort_test_support::projects;
    let Some(bouncer) = retort_test_support::pgbouncer::start_or_skip(
        "sixteen_processes_through_pgbouncer_in_transaction_mode",
        4,
    ) else {
        return;
    };
    let db = fresh_database().await;
    let single = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    projects::write(
        dir.path(),
        "lock_mode = \"transaction\"\n",
        &projects::branchy(200),
    );
    race(dir.path(), &bouncer.url(&db.name), &["upgrade", "head"]);
    assert_eq!(one(&db.url, "SELECT n FROM counter").await, "200");
    assert_eq!(one(&db.url, "SELECT count(*) FROM applied").await, "200");
    let out = retort()
        .args(["upgrade", "head", "--database-url", &single.url])
        .current_dir(dir.path())
        .output()
        .expect("single run");
    assert!(out.status.success());
    let versions = "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM retort_version";
    assert_eq!(
        one(&db.url, versions).await,
        one(&single.url, versions).await
    );
    let log = "SELECT string_agg(revision || ':' || direction || ':' || status, ',' ORDER BY revision) FROM retort_history";
    assert_eq!(one(&db.url, log).await, one(&single.url, log).await);
    assert!(
        bouncer.log().contains("login attempt"),
        "the racers went through pgbouncer"
    );
}

/// Wait until the database is running a query that contains `needle`.
async fn wait_for_query(url: &str, needle: &str) {
    let start = Instant::now();
    loop {
        let n = one(url, &format!("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%{needle}%' AND pid <> pg_backend_pid() AND state = 'active'")).await;
        if n != "0" {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "never saw the query {needle}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Revisions of the kill-point project that sleep inside a statement, marked for
/// [`wait_for_query`]; `r060` is non-transactional (a statement, the sleep, a statement).
const SLEEPERS: [usize; 4] = [20, 45, 60, 80];

/// The kill-point project: 100 counter revisions; `SLEEPERS` sleep 0.2 s in a statement; a
/// trigger made by `r000` makes the bookkeeping (applied-log insert or update) of the revision
/// named by the database setting `retort_test.slow_rev` sleep 0.2 s.
fn kill_point_project(dir: &Path) {
    use retort_test_support::projects;
    let mut revs = projects::chain(100);
    revs[0].up.push_str(
        " CREATE FUNCTION slow_bookkeeping() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         IF NEW.revision = current_setting('retort_test.slow_rev', true) THEN PERFORM pg_sleep(0.2); END IF; \
         RETURN NEW; END $$; \
         CREATE TRIGGER slow_bookkeeping BEFORE INSERT OR UPDATE ON retort_history \
         FOR EACH ROW EXECUTE FUNCTION slow_bookkeeping();",
    );
    for i in SLEEPERS {
        revs[i].up = if i == 60 {
            "UPDATE counter SET n = n + 1;\nSELECT pg_sleep(0.2) /* sleep-r060 */;\nINSERT INTO applied VALUES ('r060');".into()
        } else {
            format!("{} SELECT pg_sleep(0.2) /* sleep-r{i:03} */;", revs[i].up)
        };
    }
    revs[60].transactional = false;
    projects::write(dir, "", &revs);
}

/// A small deterministic generator (xorshift64*), so that a failing seed can be rerun.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// Wait until retort's session sleeps (`pg_sleep`: in a revision or in the slow bookkeeping).
async fn wait_for_sleep(url: &str) {
    let start = Instant::now();
    while one(url, "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND application_name LIKE 'retort%' AND datname = current_database()").await == "0" {
        assert!(start.elapsed() < Duration::from_secs(60), "retort never slept");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// SIGKILL of `retort upgrade head` at 50 points of a 100-revision upgrade (RETORT_KILL_POINTS
/// for more, RETORT_KILL_SEED to replay): a third at a random time, a third inside a long
/// statement (`pg_sleep`; one of them non-transactional), a third during a revision's
/// bookkeeping. After each, a rerun reaches head with each revision's effect exactly once — or,
/// when the kill fell inside the non-transactional revision, stops with the recovery error (exit
/// 9), and after `retort resolve` the next run reaches head.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_fifty_points_then_rerun_applies_each_once() {
    let points: u64 = std::env::var("RETORT_KILL_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let seed: u64 = std::env::var("RETORT_KILL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_0008);
    let mut rng = Rng(seed.max(1));
    let dir = tempfile::tempdir().expect("tempdir");
    kill_point_project(dir.path());
    let upgrade = |url: &str| {
        retort()
            .args(["upgrade", "head", "--database-url", url])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    // A whole run, for its duration and as the reference.
    let reference = fresh_database().await;
    let t0 = Instant::now();
    assert!(upgrade(&reference.url)
        .wait_with_output()
        .expect("run")
        .status
        .success());
    let whole = t0.elapsed();
    let log = "SELECT string_agg(revision || ':' || direction, ',' ORDER BY revision) FROM retort_history WHERE status IN ('applied', 'resolved-applied')";
    let expected_log = one(&reference.url, log).await;
    let admin = connect(&reference.admin_url).await;
    let mut tally = std::collections::BTreeMap::<String, usize>::new();
    for p in 0..points {
        let db = fresh_database().await;
        let kind = match p % 3 {
            0 => {
                let delay = Duration::from_micros(rng.below(whole.as_micros() as u64 + 1));
                let mut child = upgrade(&db.url);
                tokio::time::sleep(delay).await;
                child.kill().expect("SIGKILL");
                let _ = child.wait();
                "at a random time"
            }
            1 => {
                let i = SLEEPERS[rng.below(SLEEPERS.len() as u64) as usize];
                let mut child = upgrade(&db.url);
                wait_for_query(&db.url, &format!("sleep-r{i:03}")).await;
                tokio::time::sleep(Duration::from_millis(rng.below(150))).await;
                child.kill().expect("SIGKILL");
                let _ = child.wait();
                "inside a long statement"
            }
            _ => {
                let i = 1 + rng.below(99) as usize;
                admin
                    .batch_execute(&format!(
                        "ALTER DATABASE {} SET retort_test.slow_rev = 'r{i:03}'",
                        db.name
                    ))
                    .await
                    .expect("slow bookkeeping");
                let mut child = upgrade(&db.url);
                wait_for_sleep(&db.url).await;
                child.kill().expect("SIGKILL");
                let _ = child.wait();
                admin
                    .batch_execute(&format!(
                        "ALTER DATABASE {} RESET retort_test.slow_rev",
                        db.name
                    ))
                    .await
                    .expect("reset");
                "during bookkeeping"
            }
        };
        let out = upgrade(&db.url).wait_with_output().expect("rerun");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let outcome = match out.status.code() {
            Some(0) => "rerun reached head",
            Some(9) => {
                // Only the non-transactional revision may be left part-way.
                assert!(
                    stderr.contains("revision r060 (migrations/0060_r060.sql) was interrupted"),
                    "point {p} ({kind}): {stderr}"
                );
                // Which of its statements ran: the counter says whether the first did, the
                // applied table whether the last did.
                let n: usize = one(&db.url, "SELECT n FROM counter")
                    .await
                    .parse()
                    .expect("n");
                let last = one(&db.url, "SELECT count(*) FROM applied WHERE id = 'r060'").await;
                let resolve = match (n, last.as_str()) {
                    (60, "0") => "--rolled-back",
                    (61, "0") => {
                        connect(&db.url)
                            .await
                            .batch_execute("INSERT INTO applied VALUES ('r060')")
                            .await
                            .expect("finish by hand");
                        "--applied"
                    }
                    (61, "1") => "--applied",
                    other => panic!("point {p}: r060 left {other:?}"),
                };
                let r = retort()
                    .args(["resolve", "r060", resolve, "--database-url", &db.url])
                    .current_dir(dir.path())
                    .output()
                    .expect("resolve");
                assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
                let again = upgrade(&db.url).wait_with_output().expect("rerun");
                assert!(
                    again.status.success(),
                    "point {p}: {}",
                    String::from_utf8_lossy(&again.stderr)
                );
                "recovery error, resolved, rerun reached head"
            }
            other => panic!("point {p} ({kind}): rerun exited {other:?}: {stderr}"),
        };
        assert_eq!(
            one(&db.url, "SELECT n FROM counter").await,
            "100",
            "point {p} ({kind})"
        );
        assert_eq!(one(&db.url, "SELECT count(*) FROM applied").await, "100");
        assert_eq!(
            one(
                &db.url,
                "SELECT string_agg(version_num, ',') FROM retort_version"
            )
            .await,
            "r099"
        );
        assert_eq!(one(&db.url, log).await, expected_log, "point {p} ({kind})");
        *tally.entry(format!("{kind}: {outcome}")).or_default() += 1;
        admin
            .batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", db.name))
            .await
            .expect("drop");
    }
    eprintln!(
        "{points} kill points (seed {seed}, a whole run {:.2}s): {tally:#?}",
        whole.as_secs_f64()
    );
    assert_eq!(tally.values().sum::<usize>() as u64, points);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_inside_a_non_transactional_revision_stops_the_next_run() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_chain(dir.path(), 8, |i| {
        if i == 5 {
            ("UPDATE counter SET n = n + 1;\nSELECT pg_sleep(1.5) /* kill-me-here */;\nINSERT INTO applied VALUES ('r005');".into(), false)
        } else {
            (counter_sql(i), true)
        }
    });
    let mut child = retort()
        .args(["upgrade", "head", "--database-url", &db.url])
        .current_dir(dir.path())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_for_query(&db.url, "kill-me-here").await;
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let out = retort()
        .args(["upgrade", "head", "--database-url", &db.url])
        .current_dir(dir.path())
        .output()
        .expect("rerun");
    assert_eq!(
        out.status.code(),
        Some(9),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The rerun may first wait for the killed run's backend to finish its statement.
    let stderr: String = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("retort: waiting for the migration lock"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(
        stderr.contains("revision r005 (migrations/0005_r005.sql) was interrupted"),
        "{stderr}"
    );
    assert!(stderr.contains("retort resolve r005 --applied"), "{stderr}");
    insta::assert_snapshot!("interrupted_non_transactional", stderr);
    // The first statement ran, the third did not: finish by hand, then resolve.
    assert_eq!(one(&db.url, "SELECT n FROM counter").await, "6");
    connect(&db.url)
        .await
        .batch_execute("INSERT INTO applied VALUES ('r005')")
        .await
        .expect("by hand");
    let out = retort()
        .args(["resolve", "r005", "--applied", "--database-url", &db.url])
        .current_dir(dir.path())
        .output()
        .expect("resolve");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = retort()
        .args(["upgrade", "head", "--database-url", &db.url])
        .current_dir(dir.path())
        .output()
        .expect("rerun");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(one(&db.url, "SELECT n FROM counter").await, "8");
    assert_eq!(one(&db.url, "SELECT count(*) FROM applied").await, "8");
}

/// `--statement-timeout` / `--db-lock-timeout` for one run: a revision stopped by one exits 11
/// and says which; a value PostgreSQL would not take is bad usage (exit 2).
#[tokio::test]
async fn timeout_flags() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_chain(dir.path(), 3, |i| {
        let mut sql = counter_sql(i);
        if i == 2 {
            sql.push_str(" SELECT pg_sleep(3);");
        }
        (sql, true)
    });
    let run = |args: &[&str]| {
        retort()
            .args(args)
            .args(["--database-url", &db.url])
            .current_dir(dir.path())
            .output()
            .expect("runs")
    };
    let out = run(&["upgrade", "head", "--statement-timeout", "300ms"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(11), "{stderr}");
    assert!(
        stderr.contains("after statement_timeout = 300ms (no other session was blocking it)"),
        "{stderr}"
    );
    assert_eq!(
        one(
            &db.url,
            "SELECT string_agg(version_num, ',') FROM retort_version"
        )
        .await,
        "r001"
    );
    let out = run(&["upgrade", "head", "--db-lock-timeout", "5 seconds"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--db-lock-timeout \"5 seconds\" is not a duration"),
        "{stderr}"
    );
    let out = run(&["upgrade", "head", "--db-lock-timeout", "2s"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn cli_transcripts() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_chain(dir.path(), 3, |i| (counter_sql(i), true));
    let run = |args: &[&str]| {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--database-url", &db.url]);
        let out = retort()
            .args(&full)
            .current_dir(dir.path())
            .output()
            .expect("runs");
        format!(
            "$ retort {}\nexit: {}\n{}{}\n",
            args.join(" "),
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let mut t = String::new();
    for args in [
        &["current"][..],
        &["upgrade", "r001"],
        &["current"],
        &["status"],
        &["history", "--indicate-current"],
        &["upgrade", "+5"],
        &["upgrade", "head"],
        &["upgrade", "head"],
        &["downgrade", "-1"],
        &["downgrade", "base"],
        &["stamp", "r001"],
        &["current", "-v"],
        &["verify"],
        &["upgrade", "nosuch"],
    ] {
        t.push_str(&run(args));
    }
    insta::with_settings!({filters => vec![
        (r"in \d+ ms", "in [N] ms"),
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}( UTC|[+-]\d{2}:\d{2})", "[time]"),
    ]}, {
        insta::assert_snapshot!("cli_transcripts", t);
    });
}

#[test]
fn offline_sql_needs_no_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_chain(dir.path(), 2, |i| (counter_sql(i), true));
    let out = retort()
        .args([
            "upgrade",
            "--sql",
            "head",
            "--database-url",
            "postgres://u:secret@nowhere.invalid/db",
        ])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sql = String::from_utf8_lossy(&out.stdout);
    assert!(sql.contains("INSERT INTO \"retort_version\" (version_num) VALUES ('r000');"));
    assert!(sql.contains(
        "UPDATE \"retort_version\" SET version_num = 'r001' WHERE version_num = 'r000';"
    ));
    assert!(!sql.contains("secret"));
    let out = retort()
        .args(["downgrade", "--sql", "base"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("requires <fromrev>:<torev>"));
}

#[test]
fn dev_database_is_created_used_and_stopped() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_chain(dir.path(), 2, |i| (counter_sql(i), true));
    let run = |args: &[&str]| {
        retort()
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("runs")
    };
    // No URL anywhere: upgrade creates and starts the project's own cluster, and says so.
    let out = run(&["upgrade", "head"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("created a local PostgreSQL cluster in .retort/pg"),
        "{stderr}"
    );
    let out = run(&["dev", "url"]);
    let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        url.starts_with("postgresql://postgres@") && url.ends_with("/retort_dev"),
        "{url}"
    );
    let out = run(&["current"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "r001 (head)");
    let out = run(&["dev", "status"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("running, pid "));
    assert!(run(&["dev", "stop"]).status.success());
    let out = run(&["dev", "status"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("stopped"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Starting again keeps the data.
    let out = run(&["current"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "r001 (head)",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(run(&["dev", "stop"]).status.success());
}
