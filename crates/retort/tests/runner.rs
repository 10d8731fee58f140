//! The runner against real PostgreSQL: applying, reverting, failures, checksums, locks,
//! non-transactional revisions, offline scripts, concurrency.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use retort::config::Config;
use retort::exit::HasExitCode;
use retort::plan::Direction;
use retort::project::Project;
use retort::runner::{LockMode, Migrator, Quiet, RunError, RunOptions};
use retort_test_support::{connect, fresh_database, rows};

/// A revision to write: id, parents, up SQL, down SQL (None: no down section), transactional.
struct Rev<'a> {
    id: &'a str,
    down: &'a [&'a str],
    up: &'a str,
    down_sql: Option<&'a str>,
    transactional: bool,
}

fn rev<'a>(id: &'a str, down: &'a [&'a str], up: &'a str, down_sql: &'a str) -> Rev<'a> {
    Rev {
        id,
        down,
        up,
        down_sql: Some(down_sql),
        transactional: true,
    }
}

fn write_project(dir: &Path, config_extra: &str, revs: &[Rev<'_>]) {
    std::fs::create_dir_all(dir.join("migrations")).expect("mkdir");
    std::fs::write(
        dir.join("retort.toml"),
        format!("script_location = \"migrations\"\n{config_extra}"),
    )
    .expect("config");
    for (i, r) in revs.iter().enumerate() {
        let mut text = format!(
            "-- revision: {}\n-- down_revision: {}\n-- message: revision {}\n-- transactional: {}\n\n-- retort:up\n{}\n",
            r.id,
            r.down.join(", "),
            r.id,
            r.transactional,
            r.up
        );
        if let Some(d) = r.down_sql {
            text.push_str(&format!("\n-- retort:down\n{d}\n"));
        }
        std::fs::write(dir.join(format!("migrations/{i:04}_{}.sql", r.id)), text).expect("write");
    }
}

fn migrator(dir: &Path, options: RunOptions) -> Migrator {
    let config = Config::load(&dir.join("retort.toml")).expect("config");
    Migrator::new(Project::open(config).expect("project"), options)
}

async fn version_rows(url: &str) -> Vec<String> {
    if rows(url, "SELECT to_regclass('retort_version') IS NOT NULL").await != ["t"] {
        return Vec::new();
    }
    rows(url, "SELECT version_num FROM retort_version ORDER BY 1").await
}

#[tokio::test]
async fn upgrade_downgrade_and_bookkeeping() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_project(
        dir.path(),
        "",
        &[
            rev("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;"),
            rev("b2", &["a1"], "CREATE TABLE b (id int);", "DROP TABLE b;"),
            rev("c3", &["b2"], "CREATE TABLE c (id int);", "DROP TABLE c;"),
        ],
    );
    let m = migrator(dir.path(), RunOptions::default());
    let report = m.upgrade(&db.url, "b2", &Quiet).await.expect("upgrade");
    assert_eq!(report.steps.len(), 2);
    assert_eq!(version_rows(&db.url).await, ["b2"]);
    let report = m.upgrade(&db.url, "head", &Quiet).await.expect("upgrade");
    assert_eq!(
        report
            .steps
            .iter()
            .map(|s| s.revision.as_str())
            .collect::<Vec<_>>(),
        ["c3"]
    );
    assert_eq!(
        rows(
            &db.url,
            "SELECT count(*) FROM pg_tables WHERE tablename IN ('a','b','c')"
        )
        .await,
        ["3"]
    );
    // Nothing left to do.
    assert!(m
        .upgrade(&db.url, "head", &Quiet)
        .await
        .expect("noop")
        .steps
        .is_empty());
    // The log has one row per applied revision, with the file's checksum.
    let log = rows(&db.url, "SELECT revision, direction, status, length(checksum), retort_version FROM retort_history ORDER BY id").await;
    assert_eq!(
        log,
        [
            "a1|up|applied|64|0.1.0",
            "b2|up|applied|64|0.1.0",
            "c3|up|applied|64|0.1.0"
        ]
    );
    m.downgrade(&db.url, "-1", &Quiet).await.expect("downgrade");
    assert_eq!(version_rows(&db.url).await, ["b2"]);
    m.downgrade(&db.url, "base", &Quiet)
        .await
        .expect("downgrade");
    assert!(version_rows(&db.url).await.is_empty());
    assert_eq!(
        rows(
            &db.url,
            "SELECT count(*) FROM pg_tables WHERE tablename IN ('a','b','c')"
        )
        .await,
        ["0"]
    );
    let (heads, status) = m.status(&db.url).await.expect("status");
    assert!(heads.is_empty());
    assert!(status.iter().all(|s| !s.applied));
}

#[tokio::test]
async fn failing_statement_rolls_back_its_revision_and_points_at_the_line() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_project(
        dir.path(),
        "",
        &[
            rev("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;"),
            rev(
                "b2",
                &["a1"],
                "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nSELECT nosuchcol\n  FROM b;",
                "DROP TABLE b;",
            ),
        ],
    );
    let m = migrator(dir.path(), RunOptions::default());
    let err = m
        .upgrade(&db.url, "head", &Quiet)
        .await
        .expect_err("b2 fails");
    let RunError::Migration(failed) = &err else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(failed.revision, "b2");
    assert_eq!(failed.sqlstate.as_deref(), Some("42703"));
    assert!(
        failed.location.ends_with("0001_b2.sql:9:8"),
        "{}",
        failed.location
    );
    // a1 stays applied; nothing of b2 remains.
    assert_eq!(version_rows(&db.url).await, ["a1"]);
    assert_eq!(
        rows(
            &db.url,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'b'"
        )
        .await,
        ["0"]
    );
    assert_eq!(err.exit_code(), retort::exit::ExitCode::Migration);
    let shown = format!("{:?}", miette::Report::new(err))
        .replace(&dir.path().display().to_string(), "[dir]");
    insta::with_settings!({filters => vec![(r"\x1b\[[0-9;]*m", "")]}, {
        insta::assert_snapshot!(shown);
    });
}

#[tokio::test]
async fn single_transaction_is_all_or_nothing() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_project(
        dir.path(),
        "",
        &[
            rev("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;"),
            rev("b2", &["a1"], "SELECT 1/0;", ""),
        ],
    );
    let m = migrator(
        dir.path(),
        RunOptions {
            single_transaction: true,
            ..RunOptions::default()
        },
    );
    let err = m.upgrade(&db.url, "head", &Quiet).await.expect_err("fails");
    assert!(err.to_string().contains("division by zero"), "{err}");
    assert!(version_rows(&db.url).await.is_empty());
    assert_eq!(
        rows(
            &db.url,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'a'"
        )
        .await,
        ["0"]
    );
}

#[tokio::test]
async fn changed_files_are_refused_until_accepted() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_project(
        dir.path(),
        "",
        &[rev("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;")],
    );
    migrator(dir.path(), RunOptions::default())
        .upgrade(&db.url, "head", &Quiet)
        .await
        .expect("upgrade");
    write_project(
        dir.path(),
        "",
        &[
            rev("a1", &[], "CREATE TABLE a (id bigint);", "DROP TABLE a;"),
            rev("b2", &["a1"], "CREATE TABLE b (id int);", "DROP TABLE b;"),
        ],
    );
    let m = migrator(dir.path(), RunOptions::default());
    let err = m
        .upgrade(&db.url, "head", &Quiet)
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, RunError::Changed { revisions } if revisions == &["a1"]),
        "{err:?}"
    );
    assert_eq!(err.exit_code(), retort::exit::ExitCode::Verify);
    let report = m.verify(&db.url).await.expect("verify");
    assert_eq!(report.changed, ["a1"]);
    m.accept(&db.url, &["a1".to_string()], &Quiet)
        .await
        .expect("accept");
    assert!(m.verify(&db.url).await.expect("verify").changed.is_empty());
    m.upgrade(&db.url, "head", &Quiet)
        .await
        .expect("now it runs");
    assert_eq!(version_rows(&db.url).await, ["b2"]);
    // --allow-changed runs despite a change.
    write_project(
        dir.path(),
        "",
        &[
            rev(
                "a1",
                &[],
                "CREATE TABLE a (id int); -- edited again",
                "DROP TABLE a;",
            ),
            rev("b2", &["a1"], "CREATE TABLE b (id int);", "DROP TABLE b;"),
        ],
    );
    let m = migrator(
        dir.path(),
        RunOptions {
            allow_changed: true,
            ..RunOptions::default()
        },
    );
    m.downgrade(&db.url, "a1", &Quiet).await.expect("allowed");
}

#[tokio::test]
async fn non_transactional_revisions_run_statement_by_statement_and_recover() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let revs = [
        rev("a1", &[], "CREATE TABLE a (id int, v text);", "DROP TABLE a;"),
        Rev {
            id: "b2",
            down: &["a1"],
            up: "CREATE INDEX CONCURRENTLY a_id ON a (id);\n-- a comment; with a semicolon\nCREATE INDEX CONCURRENTLY a_v ON a (v);",
            down_sql: Some("DROP INDEX CONCURRENTLY a_v;\nDROP INDEX CONCURRENTLY a_id;"),
            transactional: false,
        },
    ];
    write_project(dir.path(), "", &revs);
    let m = migrator(dir.path(), RunOptions::default());
    m.upgrade(&db.url, "head", &Quiet)
        .await
        .expect("concurrent index builds outside a transaction");
    assert_eq!(
        rows(
            &db.url,
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'a'"
        )
        .await,
        ["2"]
    );
    assert_eq!(version_rows(&db.url).await, ["b2"]);
    m.downgrade(&db.url, "a1", &Quiet).await.expect("down");
    assert_eq!(
        rows(
            &db.url,
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'a'"
        )
        .await,
        ["0"]
    );

    // The second statement fails: the first stays, the revision is marked failed, the next run
    // stops with the recovery error until `resolve`.
    let broken = [
        rev("a1", &[], "CREATE TABLE a (id int, v text);", "DROP TABLE a;"),
        Rev {
            id: "b2",
            down: &["a1"],
            up: "CREATE INDEX CONCURRENTLY a_id ON a (id);\nCREATE INDEX CONCURRENTLY a_v ON a (nosuch);",
            down_sql: Some("DROP INDEX CONCURRENTLY a_id;"),
            transactional: false,
        },
    ];
    write_project(dir.path(), "", &broken);
    let m = migrator(
        dir.path(),
        RunOptions {
            allow_changed: true,
            ..RunOptions::default()
        },
    );
    let err = m
        .upgrade(&db.url, "head", &Quiet)
        .await
        .expect_err("second statement fails");
    let RunError::Migration(f) = &err else {
        panic!("{err:?}")
    };
    // PostgreSQL gives no position for this error: the location is the failing statement.
    assert!(f.location.ends_with("0001_b2.sql:8:1"), "{}", f.location);
    assert_eq!(
        rows(
            &db.url,
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'a'"
        )
        .await,
        ["1"]
    );
    let err = m.upgrade(&db.url, "head", &Quiet).await.expect_err("stops");
    assert!(
        matches!(&err, RunError::Interrupted { revision, .. } if revision == "b2"),
        "{err:?}"
    );
    assert!(format!("{:?}", miette::Report::new(err)).contains("retort resolve b2 --applied"));
    // The operator finishes by hand and records it as applied.
    connect(&db.url)
        .await
        .batch_execute("CREATE INDEX a_v ON a (v)")
        .await
        .expect("by hand");
    m.resolve(&db.url, "b2", true, &Quiet)
        .await
        .expect("resolve");
    assert_eq!(version_rows(&db.url).await, ["b2"]);
    assert!(m
        .upgrade(&db.url, "head", &Quiet)
        .await
        .expect("clean")
        .steps
        .is_empty());
}

#[tokio::test]
async fn revisions_that_cannot_run_are_refused_before_anything_runs() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_project(
        dir.path(),
        "",
        &[
            rev("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;"),
            rev(
                "b2",
                &["a1"],
                "CREATE TABLE b (id int);\nCOMMIT;\nCREATE TABLE c (id int);",
                "",
            ),
        ],
    );
    let m = migrator(dir.path(), RunOptions::default());
    let err = m
        .upgrade(&db.url, "head", &Quiet)
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("contains `COMMIT`"), "{err}");
    assert!(
        version_rows(&db.url).await.is_empty(),
        "nothing ran, not even a1"
    );
    write_project(
        dir.path(),
        "",
        &[
            Rev {
                id: "a1",
                down: &[],
                up: "CREATE TABLE a (id int);",
                down_sql: None,
                transactional: true,
            },
            rev("b2", &["a1"], "SELECT $x$ never closed;", ""),
        ],
    );
    let m = migrator(dir.path(), RunOptions::default());
    let err = m
        .upgrade(&db.url, "head", &Quiet)
        .await
        .expect_err("refused");
    assert!(
        err.to_string()
            .contains("unterminated dollar-quoted string"),
        "{err}"
    );
    m.upgrade(&db.url, "a1", &Quiet).await.expect("a1 alone");
    let err = m
        .downgrade(&db.url, "base", &Quiet)
        .await
        .expect_err("no down section");
    assert!(
        err.to_string().contains("has no `-- retort:down` section"),
        "{err}"
    );
}

#[tokio::test]
async fn lock_timeout_names_the_holder() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_project(
        dir.path(),
        "",
        &[rev("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;")],
    );
    let m = migrator(
        dir.path(),
        RunOptions {
            lock_timeout: Some(Duration::from_millis(300)),
            ..RunOptions::default()
        },
    );
    // The same key held in another database of the server (a run migrating that one) is not
    // this database's holder.
    let elsewhere = connect(&fresh_database().await.url).await;
    elsewhere
        .batch_execute(&format!(
            "SET application_name = 'other-database'; SELECT pg_advisory_lock({})",
            m.tables().lock_key()
        ))
        .await
        .expect("lock elsewhere");
    let holder = connect(&db.url).await;
    holder
        .batch_execute("SET application_name = 'deploy-42'")
        .await
        .expect("set");
    holder
        .batch_execute(&format!(
            "SELECT pg_advisory_lock({})",
            m.tables().lock_key()
        ))
        .await
        .expect("lock");
    let err = m
        .upgrade(&db.url, "head", &Quiet)
        .await
        .expect_err("times out");
    let RunError::LockTimeout {
        holder: Some(h), ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(h.application_name, "deploy-42");
    assert_eq!(err.exit_code(), retort::exit::ExitCode::Lock);
    assert!(version_rows(&db.url).await.is_empty());
    // Released: it goes through.
    holder
        .batch_execute(&format!(
            "SELECT pg_advisory_unlock({})",
            m.tables().lock_key()
        ))
        .await
        .expect("unlock");
    m.upgrade(&db.url, "head", &Quiet).await.expect("upgrade");
}

/// Tasks racing in one process, as many as processes race in `runner_cli.rs`.
const RACERS: usize = 16;

/// 200 revisions with two forks and their merges, each incrementing a counter and inserting its
/// id under a unique key: run by 16 concurrent tasks, every revision must apply exactly once, and
/// the version rows and applied log must equal a single run's.
async fn concurrent_counter(
    mode: LockMode,
    pgbouncer: Option<&retort_test_support::pgbouncer::PgBouncer>,
) {
    use retort_test_support::projects;
    let mut db = fresh_database().await;
    let single = fresh_database().await;
    if let Some(b) = pgbouncer {
        // The racers go through the pooler; the checks below too, which is fine.
        db.url = b.url(&db.name);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    projects::write(dir.path(), "", &projects::branchy(200));
    let m = Arc::new(migrator(
        dir.path(),
        RunOptions {
            lock_mode: mode,
            ..RunOptions::default()
        },
    ));
    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let m = Arc::clone(&m);
        let url = db.url.clone();
        tasks.push(tokio::spawn(async move {
            m.upgrade(&url, "head", &Quiet).await.map(|r| r.steps.len())
        }));
    }
    let mut applied = 0;
    for t in tasks {
        applied += t.await.expect("task").expect("every task succeeds");
    }
    assert_eq!(applied, 200, "each revision applied by exactly one task");
    assert_eq!(rows(&db.url, "SELECT n FROM counter").await, ["200"]);
    assert_eq!(rows(&db.url, "SELECT count(*) FROM applied").await, ["200"]);
    m.upgrade(&single.url, "head", &Quiet)
        .await
        .expect("single run");
    assert_eq!(version_rows(&db.url).await, version_rows(&single.url).await);
    assert_eq!(version_rows(&db.url).await, ["r199"]);
    let log = "SELECT revision, direction, status FROM retort_history ORDER BY revision";
    assert_eq!(rows(&db.url, log).await, rows(&single.url, log).await);
    assert_eq!(
        rows(
            &db.url,
            "SELECT count(*), count(DISTINCT revision) FROM retort_history"
        )
        .await,
        ["200|200"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_tasks_session_lock() {
    concurrent_counter(LockMode::Session, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_tasks_transaction_lock() {
    concurrent_counter(LockMode::Transaction, None).await;
}

/// The same through PgBouncer in transaction pooling mode with 4 server connections for 16
/// racers (skipped with a message when pgbouncer is not installed; `.ci/run` installs it and
/// sets RETORT_REQUIRE_PGBOUNCER so that it runs there).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_tasks_transaction_lock_through_pgbouncer() {
    let Some(bouncer) = retort_test_support::pgbouncer::start_or_skip(
        "sixteen_tasks_transaction_lock_through_pgbouncer",
        4,
    ) else {
        return;
    };
    concurrent_counter(LockMode::Transaction, Some(&bouncer)).await;
}

/// The default session lock through that pooler cannot work: the lock stays on one server
/// connection while each transaction may run on another. Every transaction of a run checks
/// that its session holds the lock and is the run's, so each racer either succeeds or stops
/// with "lost the migration lock" (exit 8), and no revision is ever applied twice. (Without the
/// check, racers applied the same revisions: unique violations on `applied`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn session_lock_through_pgbouncer_is_refused_not_doubled() {
    use retort_test_support::projects;
    let Some(bouncer) = retort_test_support::pgbouncer::start_or_skip(
        "session_lock_through_pgbouncer_is_refused_not_doubled",
        4,
    ) else {
        return;
    };
    let db = fresh_database().await;
    let url = bouncer.url(&db.name);
    let dir = tempfile::tempdir().expect("tempdir");
    projects::write(dir.path(), "", &projects::chain(100));
    // A session lock taken twice on one pooled server connection (it is re-entrant) and
    // released once stays there: a bounded wait keeps a racer from waiting on it forever.
    let m = Arc::new(migrator(
        dir.path(),
        RunOptions {
            lock_timeout: Some(Duration::from_secs(5)),
            ..RunOptions::default()
        },
    ));
    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let (m, url) = (Arc::clone(&m), url.clone());
        tasks.push(tokio::spawn(async move {
            m.upgrade(&url, "head", &Quiet).await.map(|r| r.steps.len())
        }));
    }
    let (mut applied, mut lost) = (0, 0);
    for t in tasks {
        match t.await.expect("task") {
            Ok(n) => applied += n,
            Err(RunError::LockLost | RunError::LockTimeout { .. }) => lost += 1,
            Err(e) => panic!("only success or a lost lock: {e:?}"),
        }
    }
    // Whatever got applied, got applied once, and the version row agrees.
    let (n, ids) = if rows(&db.url, "SELECT to_regclass('counter') IS NOT NULL").await == ["t"] {
        (
            rows(&db.url, "SELECT n FROM counter").await,
            rows(&db.url, "SELECT count(*) FROM applied").await,
        )
    } else {
        (vec!["0".to_string()], vec!["0".to_string()])
    };
    assert_eq!(n, ids, "counter and applied ids agree");
    let k: usize = n[0].parse().expect("n");
    if k > 0 {
        assert_eq!(version_rows(&db.url).await, [format!("r{:03}", k - 1)]);
    }
    eprintln!("through pgbouncer, session lock: {applied} steps applied, {lost} of {RACERS} runs stopped by the guard (or a lock left on a pooled connection)");
    insta::with_settings!({filters => vec![(r"\x1b\[[0-9;]*m", "")]}, {
        insta::assert_snapshot!(
            "lock_lost",
            format!(
                "exit {}: {:?}",
                RunError::LockLost.exit_code().code(),
                miette::Report::new(RunError::LockLost)
            )
        );
    });
    // Stopping pgbouncer closes its server connections, and any session lock left on one.
    // A direct connection then finishes the job.
    drop(bouncer);
    migrator(dir.path(), RunOptions::default())
        .upgrade(&db.url, "head", &Quiet)
        .await
        .expect("finishes");
    assert_eq!(rows(&db.url, "SELECT n FROM counter").await, ["100"]);
}

#[tokio::test]
async fn branches_merges_stamp_and_version_schema() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_project(
        dir.path(),
        "version_table = \"My Versions\"\nversion_table_schema = \"Ops \\\"x\\\"\"\n",
        &[
            rev("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;"),
            rev("b2", &["a1"], "CREATE TABLE b (id int);", "DROP TABLE b;"),
            rev("c3", &["a1"], "CREATE TABLE c (id int);", "DROP TABLE c;"),
            rev(
                "d4",
                &["b2", "c3"],
                "CREATE TABLE d (id int);",
                "DROP TABLE d;",
            ),
        ],
    );
    let m = migrator(dir.path(), RunOptions::default());
    let read = || async {
        rows(
            &db.url,
            "SELECT version_num FROM \"Ops \"\"x\"\"\".\"My Versions\" ORDER BY 1",
        )
        .await
    };
    m.upgrade(&db.url, "b2", &Quiet).await.expect("b2");
    m.upgrade(&db.url, "c3", &Quiet).await.expect("c3");
    assert_eq!(read().await, ["b2", "c3"]);
    m.upgrade(&db.url, "heads", &Quiet).await.expect("merge");
    assert_eq!(read().await, ["d4"]);
    m.downgrade(&db.url, "d4-1", &Quiet)
        .await
        .expect_err("ambiguous walk down from a merge");
    m.downgrade(&db.url, "c3", &Quiet).await.expect("unmerge");
    assert_eq!(read().await, ["b2", "c3"]);
    m.stamp(&db.url, &["a1".into()], true, &Quiet)
        .await
        .expect("stamp");
    assert_eq!(read().await, ["a1"]);
    m.stamp(&db.url, &["heads".into()], false, &Quiet)
        .await
        .expect("stamp");
    assert_eq!(read().await, ["d4"]);
    assert_eq!(m.current(&db.url).await.expect("current"), ["d4"]);
}

#[tokio::test]
async fn offline_script_through_psql_equals_online() {
    let online = fresh_database().await;
    let offline = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_project(
        dir.path(),
        "",
        &[
            rev(
                "a1",
                &[],
                "CREATE TABLE a (id int PRIMARY KEY, v text);",
                "DROP TABLE a;",
            ),
            rev(
                "b2",
                &["a1"],
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;",
                "DROP FUNCTION f();",
            ),
            Rev {
                id: "c3",
                down: &["b2"],
                up: "CREATE INDEX CONCURRENTLY a_v ON a (v);",
                down_sql: Some("DROP INDEX CONCURRENTLY a_v;"),
                transactional: false,
            },
        ],
    );
    let m = migrator(dir.path(), RunOptions::default());
    m.upgrade(&online.url, "head", &Quiet)
        .await
        .expect("online");
    let script = m.offline(Direction::Up, "head").expect("offline script");
    let file = dir.path().join("up.sql");
    std::fs::write(&file, &script).expect("write");
    let psql = std::process::Command::new("psql")
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &offline.url,
            "-f",
        ])
        .arg(&file)
        .output()
        .expect("psql");
    assert!(
        psql.status.success(),
        "psql failed: {}\n{script}",
        String::from_utf8_lossy(&psql.stderr)
    );
    assert_eq!(
        version_rows(&online.url).await,
        version_rows(&offline.url).await
    );
    let schema = "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname NOT LIKE 'retort_%' ORDER BY 1";
    assert_eq!(
        rows(&online.url, schema).await,
        rows(&offline.url, schema).await
    );
    assert_eq!(
        rows(
            &online.url,
            "SELECT revision, direction, status FROM retort_history ORDER BY id"
        )
        .await,
        rows(
            &offline.url,
            "SELECT revision, direction, status FROM retort_history ORDER BY id"
        )
        .await
    );
    // And back down, offline.
    let down = m
        .offline(Direction::Down, "head:base")
        .expect("down script");
    std::fs::write(&file, &down).expect("write");
    let psql = std::process::Command::new("psql")
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &offline.url,
            "-f",
        ])
        .arg(&file)
        .output()
        .expect("psql");
    assert!(
        psql.status.success(),
        "{}",
        String::from_utf8_lossy(&psql.stderr)
    );
    assert!(version_rows(&offline.url).await.is_empty());
    insta::assert_snapshot!(script.replace(&dir.path().display().to_string(), "[dir]"));
}

#[tokio::test]
async fn connection_errors_are_one_line_and_hide_the_password() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_project(dir.path(), "", &[rev("a1", &[], "SELECT 1;", "")]);
    let m = migrator(dir.path(), RunOptions::default());
    let missing = db.url.replace(&db.name, "no_such_db");
    let err = m
        .upgrade(&missing, "head", &Quiet)
        .await
        .expect_err("missing db");
    assert!(
        err.to_string()
            .contains("database \"no_such_db\" does not exist"),
        "{err}"
    );
    assert_eq!(err.exit_code(), retort::exit::ExitCode::Connection);
    let err = m
        .upgrade(
            "postgres://app:hunter2@127.0.0.1:1/app?connect_timeout=2",
            "head",
            &Quiet,
        )
        .await
        .expect_err("refused");
    let shown = format!("{:?}", miette::Report::new(err));
    assert!(
        shown.contains("cannot reach the database server at 127.0.0.1:1/app"),
        "{shown}"
    );
    assert!(!shown.contains("hunter2"), "{shown}");
    let err = m
        .upgrade("postgres://app:hunter2@host:notaport/app", "head", &Quiet)
        .await
        .expect_err("bad url");
    assert!(!format!("{:?}", miette::Report::new(err)).contains("hunter2"));
}

#[tokio::test]
async fn missing_privilege_is_explained() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_project(
        dir.path(),
        "",
        &[rev("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;")],
    );
    let admin = connect(&db.url).await;
    let role = format!("app_{}", &db.name[db.name.len() - 8..]);
    admin
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN; REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
        ))
        .await
        .expect("role");
    let url = db.url.replacen("postgres@", &format!("{role}@"), 1);
    let err = migrator(dir.path(), RunOptions::default())
        .upgrade(&url, "head", &Quiet)
        .await
        .expect_err("no privilege");
    assert!(matches!(err, RunError::Privilege { .. }), "{err:?}");
    let shown = format!("{:?}", miette::Report::new(err));
    assert!(
        shown.contains("permission denied for schema public"),
        "{shown}"
    );
    assert!(shown.contains("GRANT CREATE ON SCHEMA"), "{shown}");
}

/// Every refusal of the runner, as the user sees it.
#[tokio::test]
async fn runner_error_messages() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let show = |e: RunError| {
        let code = e.exit_code().code();
        format!("exit {code}: {:?}\n", miette::Report::new(e))
            .replace(&dir.path().display().to_string(), "[dir]")
    };
    let mut out = String::new();
    write_project(
        dir.path(),
        "",
        &[
            rev("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;"),
            Rev {
                id: "b2",
                down: &["a1"],
                up: "CREATE INDEX CONCURRENTLY ai ON a (id);",
                down_sql: None,
                transactional: false,
            },
        ],
    );
    let m = migrator(
        dir.path(),
        RunOptions {
            single_transaction: true,
            ..RunOptions::default()
        },
    );
    out.push_str(&show(
        m.upgrade(&db.url, "head", &Quiet)
            .await
            .expect_err("non-tx in single"),
    ));
    let m = migrator(dir.path(), RunOptions::default());
    m.upgrade(&db.url, "head", &Quiet).await.expect("upgrade");
    out.push_str(&show(
        m.downgrade(&db.url, "base", &Quiet)
            .await
            .expect_err("no down"),
    ));
    // A changed file.
    write_project(
        dir.path(),
        "",
        &[
            rev("a1", &[], "CREATE TABLE a (id bigint);", "DROP TABLE a;"),
            Rev {
                id: "b2",
                down: &["a1"],
                up: "CREATE INDEX CONCURRENTLY ai ON a (id);",
                down_sql: None,
                transactional: false,
            },
        ],
    );
    let m = migrator(dir.path(), RunOptions::default());
    out.push_str(&show(
        m.upgrade(&db.url, "head", &Quiet)
            .await
            .expect_err("changed"),
    ));
    // A version row naming a revision that is not in the files.
    connect(&db.url)
        .await
        .batch_execute("INSERT INTO retort_version VALUES ('zz9')")
        .await
        .expect("insert");
    out.push_str(&show(
        m.upgrade(&db.url, "head", &Quiet)
            .await
            .expect_err("unknown"),
    ));
    connect(&db.url)
        .await
        .batch_execute("DELETE FROM retort_version WHERE version_num = 'zz9'")
        .await
        .expect("delete");
    // Transaction control and an unterminated quote.
    write_project(
        dir.path(),
        "",
        &[
            rev("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;"),
            Rev {
                id: "b2",
                down: &["a1"],
                up: "CREATE INDEX CONCURRENTLY ai ON a (id);",
                down_sql: Some(""),
                transactional: false,
            },
            rev("c3", &["b2"], "SELECT 1;\nCOMMIT;", ""),
        ],
    );
    let m = migrator(
        dir.path(),
        RunOptions {
            allow_changed: true,
            ..RunOptions::default()
        },
    );
    out.push_str(&show(
        m.upgrade(&db.url, "head", &Quiet)
            .await
            .expect_err("commit"),
    ));
    write_project(
        dir.path(),
        "",
        &[
            rev("a1", &[], "CREATE TABLE a (id int);", "DROP TABLE a;"),
            Rev {
                id: "b2",
                down: &["a1"],
                up: "CREATE INDEX CONCURRENTLY ai ON a (id);",
                down_sql: Some(""),
                transactional: false,
            },
            rev("c3", &["b2"], "SELECT 1;\nSELECT $fn$ unterminated", ""),
        ],
    );
    let m = migrator(
        dir.path(),
        RunOptions {
            allow_changed: true,
            lock_timeout: Some(Duration::from_millis(200)),
            ..RunOptions::default()
        },
    );
    out.push_str(&show(
        m.upgrade(&db.url, "head", &Quiet)
            .await
            .expect_err("unterminated"),
    ));
    // The lock held elsewhere.
    let holder = connect(&db.url).await;
    holder
        .batch_execute("SET application_name = 'other deploy'")
        .await
        .expect("set");
    holder
        .batch_execute(&format!(
            "SELECT pg_advisory_lock({})",
            m.tables().lock_key()
        ))
        .await
        .expect("lock");
    out.push_str(&show(
        m.upgrade(&db.url, "head", &Quiet).await.expect_err("lock"),
    ));
    insta::with_settings!({filters => vec![
        (r"pid \d+", "pid [pid]"),
        // Who holds the lock: the test's session, or on a loaded machine sometimes still the
        // previous run's (its unlock and the holder's lock race with the status view).
        (r"\((other deploy|retort [0-9.]+), user", "([application], user"),
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", "[time]"),
        (r"after \d+\.\ds", "after [t]s"),
    ]}, {
        insta::assert_snapshot!(out);
    });
}

/// With `per_statement` (`-v`), each statement is its own event with its duration, errors still
/// point at their line, and the revision stays atomic.
#[tokio::test]
async fn per_statement_events_and_atomicity() {
    use std::sync::Mutex;
    struct Collect(Mutex<Vec<String>>);
    impl retort::runner::Observer for Collect {
        fn event(&self, e: &retort::runner::Event) {
            if let retort::runner::Event::Statement { sql, .. } = e {
                self.0.lock().expect("lock").push(sql.clone());
            }
        }
    }
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_project(
        dir.path(),
        "",
        &[
            rev(
                "a1",
                &[],
                "CREATE TABLE a (id int);\n-- two\nINSERT INTO a VALUES (1);",
                "DROP TABLE a;",
            ),
            rev(
                "b2",
                &["a1"],
                "INSERT INTO a VALUES (2);\nINSERT INTO a VALUES ('x');",
                "",
            ),
        ],
    );
    let m = migrator(
        dir.path(),
        RunOptions {
            per_statement: true,
            ..RunOptions::default()
        },
    );
    let seen = Collect(Mutex::new(Vec::new()));
    let err = m
        .upgrade(&db.url, "head", &seen)
        .await
        .expect_err("b2 fails");
    assert_eq!(
        *seen.0.lock().expect("lock"),
        [
            "CREATE TABLE a (id int)",
            "-- two\nINSERT INTO a VALUES (1)",
            "INSERT INTO a VALUES (2)"
        ]
    );
    let RunError::Migration(f) = &err else {
        panic!("{err:?}")
    };
    assert!(f.location.ends_with("0001_b2.sql:8:23"), "{}", f.location);
    assert_eq!(
        rows(&db.url, "SELECT count(*) FROM a").await,
        ["1"],
        "b2's first insert rolled back with it"
    );
    assert_eq!(version_rows(&db.url).await, ["a1"]);
}

/// Server notices raised by a revision reach the observer, tagged with the revision; retort's
/// own ("relation already exists, skipping") do not.
#[tokio::test]
async fn notices_reach_the_observer() {
    use std::sync::Mutex;
    struct Collect(Mutex<Vec<String>>);
    impl retort::runner::Observer for Collect {
        fn event(&self, e: &retort::runner::Event) {
            if let retort::runner::Event::Notice {
                revision,
                severity,
                message,
            } = e
            {
                self.0
                    .lock()
                    .expect("lock")
                    .push(format!("{revision:?} {severity}: {message}"));
            }
        }
    }
    let db = fresh_database().await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_project(
        dir.path(),
        "",
        &[
            rev(
                "a1",
                &[],
                "DO $$ BEGIN RAISE NOTICE 'hypertable skipped'; END $$;",
                "",
            ),
            rev(
                "b2",
                &["a1"],
                "CREATE TABLE IF NOT EXISTS retort_version (version_num varchar(32));",
                "",
            ),
        ],
    );
    let m = migrator(dir.path(), RunOptions::default());
    let seen = Collect(Mutex::new(Vec::new()));
    m.upgrade(&db.url, "head", &seen).await.expect("upgrade");
    let seen = seen.0.into_inner().expect("lock");
    assert_eq!(seen[0], "Some(\"a1\") NOTICE: hypertable skipped");
    assert!(
        seen[1].starts_with("Some(\"b2\") NOTICE: relation \"retort_version\" already exists"),
        "{seen:?}"
    );
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(m.is_at_head(&db.url).await.expect("at head"));
    m.downgrade(&db.url, "-1", &Quiet).await.expect("down");
    assert!(!m.is_at_head(&db.url).await.expect("not at head"));
}
