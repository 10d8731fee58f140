//! The TimescaleDB branch of the initial revision: `audit_events` is a hypertable where the
//! server loads TimescaleDB, and the same plain table, with a NOTICE saying so, where it does not.

mod support;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;

use retort::devdb::{LocalCluster, DEFAULT_PORT};
use serde_json::json;
use support::{Server, BIN};

/// `builtenv migrate upgrade head` on `url`: (success, stderr).
fn migrate_with_binary(url: &str) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["migrate", "upgrade", "head"])
        .env("DATABASE_URL", url)
        .output()
        .expect("run builtenv");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn without_timescaledb_audit_events_stays_a_plain_table() {
    // The shared test server does not preload TimescaleDB (whether or not it is installed).
    let db = retort_test_support::fresh_database().await;
    let (ok, stderr) = migrate_with_binary(&db.url);
    assert!(ok, "{stderr}");
    assert!(
        stderr
            .contains("NOTICE: TimescaleDB hypertable skipped, audit_events stays a plain table: "),
        "{stderr}"
    );
    assert!(stderr.contains("Applied 6 revisions"), "{stderr}");
    let client = db.connect().await;
    let kind: String = client
        .query_one(
            "SELECT relkind::text FROM pg_class WHERE oid = 'audit_events'::regclass",
            &[],
        )
        .await
        .expect("relkind")
        .get(0);
    assert_eq!(kind, "r");
    let extensions: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'",
            &[],
        )
        .await
        .expect("extensions")
        .get(0);
    assert_eq!(extensions, 0);
    let pk: String = client
        .query_one(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'pk_audit_events'",
            &[],
        )
        .await
        .expect("pk")
        .get(0);
    assert_eq!(pk, "PRIMARY KEY (tenant_id, id, \"timestamp\")");
}

/// The TimescaleDB library of the PostgreSQL that LocalCluster runs, if installed: looked for in
/// `pg_config --pkglibdir` (the pg_config beside the server, else on PATH) and in `BIN/../lib`
/// (a relocated Debian tree, as with RETORT_PG_BIN_DIR).
fn timescaledb_library() -> Result<PathBuf, String> {
    let bin = LocalCluster::find_bin_dir().map_err(|e| e.to_string())?;
    let pg_config = Some(bin.join("pg_config"))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("pg_config"));
    let mut candidates: Vec<PathBuf> = Command::new(&pg_config)
        .arg("--pkglibdir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .into_iter()
        .collect();
    candidates.push(bin.join("../lib"));
    candidates
        .iter()
        .map(|dir| dir.join("timescaledb.so"))
        .find(|lib| lib.is_file())
        .ok_or_else(|| format!("no timescaledb.so in {candidates:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_timescaledb_audit_events_is_a_hypertable() {
    if let Err(why) = timescaledb_library() {
        // Written to stderr directly, past the test harness's capture, so that it shows.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED with_timescaledb_audit_events_is_a_hypertable: TimescaleDB is not installed \
             in this PostgreSQL ({why}); `bash .ci/install-timescaledb.sh` installs it"
        );
        return;
    }
    let dir = tempfile::Builder::new()
        .prefix("builtenv-tsdb-")
        .tempdir()
        .expect("tempdir")
        .keep();
    let cluster = LocalCluster::new(&dir)
        .expect("PostgreSQL binaries")
        .with_settings(false, DEFAULT_PORT)
        .with_setting("shared_preload_libraries", "timescaledb")
        .with_setting("timescaledb.telemetry_level", "off");
    cluster.init().expect("initdb");
    // Stopped, and its directory removed, when this test ends however it ends.
    let _server = cluster.start_attached(true).unwrap_or_else(|e| {
        panic!(
            "TimescaleDB is installed but the server does not start with it preloaded (a build \
             for another PostgreSQL minor version? .ci/install-timescaledb.sh checks): {e}"
        )
    });
    let admin = retort_test_support::connect(&cluster.url("postgres")).await;
    for name in ["app", "kit"] {
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create database");
    }
    let url = cluster.url("app");

    let (ok, stderr) = migrate_with_binary(&url);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("NOTICE: audit_events is a TimescaleDB hypertable on \"timestamp\""),
        "{stderr}"
    );
    let owner = retort_test_support::connect(&url).await;
    let row = owner
        .query_one(
            "SELECT h.hypertable_name::text, d.column_name::text
             FROM timescaledb_information.hypertables h
             JOIN timescaledb_information.dimensions d USING (hypertable_schema, hypertable_name)",
            &[],
        )
        .await
        .expect("hypertable");
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, String>(1)),
        ("audit_events".to_string(), "timestamp".to_string())
    );

    // The API writes audit events into the hypertable as builtenv_app (creating its first
    // chunk), and row-level security holds on it.
    let mut server = Server::spawn(&url, &["serve"]);
    server.wait_ready().await;
    let addr = server.addr().await;
    let mut tenants = Vec::new();
    for slug in ["alpha", "bravo"] {
        tenants.push(support::sign_up(&addr, slug).await);
    }
    for tenant in &tenants {
        let (status, events) = support::http_as(
            &addr,
            &tenant.token,
            "GET",
            &format!("/tenants/{}/audit-events", tenant.tenant_id),
            None,
        )
        .await;
        assert_eq!(status, 200);
        let events = events.as_array().expect("array");
        // tenant.create, subscription.create, user.signup, login.
        assert_eq!(events.len(), 4, "{events:?}");
        assert!(events
            .iter()
            .all(|e| e["tenant_id"] == json!(tenant.tenant_id)));
    }
    let tenants: Vec<String> = tenants.into_iter().map(|t| t.tenant_id).collect();
    let chunks: i64 = owner
        .query_one(
            "SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'audit_events'",
            &[],
        )
        .await
        .expect("chunks")
        .get(0);
    assert!(chunks >= 1);
    let total: i64 = owner
        .query_one("SELECT count(*) FROM audit_events", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(total, 8);
    // As the service's role for tenant A, straight at the hypertable.
    owner
        .batch_execute(&format!(
            "BEGIN; SET LOCAL ROLE builtenv_app; SELECT set_config('app.tenant_id', '{}', true)",
            tenants[0]
        ))
        .await
        .expect("as service");
    let seen: i64 = owner
        .query_one("SELECT count(*) FROM audit_events", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(seen, 4);
    let err = owner
        .batch_execute(&format!(
            "INSERT INTO audit_events (tenant_id, event_type, action) VALUES ('{}', 'system', 'x')",
            tenants[1]
        ))
        .await
        .expect_err("B's event refused");
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
    );
    owner.batch_execute("ROLLBACK").await.expect("rollback");
    drop(server);

    // The models describe audit_events as a plain table: with TimescaleDB's own objects (the
    // extension, its schemas and chunks, the insert blocker) left out, the hypertable database
    // equals them too.
    let read = retort::introspect::introspect(&owner, &Default::default())
        .await
        .expect("introspect");
    assert!(read.extensions.contains_key("timescaledb"));
    let read = builtenv::models::without_timescaledb(support::without_version_tables(read));
    retort_test_support::assert_schema_eq(&builtenv::models::schema(), &read);
    // And `builtenv migrate check` says so (its models leave TimescaleDB's objects out of the
    // database's side the same way), chunks and all.
    let check = Command::new(BIN)
        .args(["migrate", "check"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("run builtenv");
    assert_eq!(
        (
            check.status.code(),
            String::from_utf8_lossy(&check.stdout).into_owned()
        ),
        (Some(0), "No new upgrade operations detected.\n".to_string()),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    // The migration kit, TimescaleDB branch: each revision reversible, the models match the
    // hypertable database (TimescaleDB's own objects ignored), and downgrade base leaves the
    // database as it was (extension included).
    let kit_url = cluster.url("kit");
    let migrator = support::migrator();
    let (empty, head) =
        retort::testkit::up_down_up_each_revision_but(&migrator, &kit_url, &["9a4e1b7c3f52"])
            .await
            .expect("each revision up, down, up");
    assert!(
        head.lines
            .iter()
            .any(|l| l.starts_with("extension timescaledb 2.28.3")),
        "{head}"
    );
    retort::testkit::model_matches_head(
        &migrator,
        &kit_url,
        &builtenv::models::schema(),
        &retort::testkit::ModelCheck {
            ignore: Some(builtenv::models::without_timescaledb),
            ..Default::default()
        },
    )
    .await
    .expect("the models match the hypertable database");
    retort::testkit::downgrade_to_base_restores(&migrator, &kit_url, &empty)
        .await
        .expect("downgrade base restores the schema");
}
