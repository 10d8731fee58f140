//! `retort upgrade` as processes against real PostgreSQL: racing deploys, killed processes,
//! and what the user sees.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use retort_test_support::{connect, fresh_database};

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

async fn one(url: &str, sql: &str) -> String {
    let c = connect(url).await;
    c.simple_query(sql)
        .await
        .expect("query")
        .into_iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => {
                Some(r.get(0).unwrap_or("NULL").to_string())
            }
            _ => None,
        })
        .unwrap_or_default()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_inside_a_transactional_revision_then_rerun_applies_each_once() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_chain(dir.path(), 20, |i| {
        let mut sql = counter_sql(i);
        if i == 10 {
            sql.push_str(" SELECT pg_sleep(1.5) /* kill-me-here */;");
        }
        (sql, true)
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
    // The orphaned backend still holds the lock until its statement ends; the rerun waits for it.
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
    assert_eq!(one(&db.url, "SELECT n FROM counter").await, "20");
    assert_eq!(one(&db.url, "SELECT count(*) FROM applied").await, "20");
    assert_eq!(
        one(
            &db.url,
            "SELECT string_agg(version_num, ',') FROM retort_version"
        )
        .await,
        "r019"
    );
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
