//! Four `builtenv serve --migrate` started at once on an empty database, as four replicas of a
//! deploy: retort's lock lets one migrate, the others wait and find nothing to do, and all four
//! become ready.

mod support;

use support::{http, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_instances_migrate_once_and_all_become_ready() {
    let db = retort_test_support::fresh_database().await;
    let started = std::time::Instant::now();
    // Spawned back to back, before any is waited for.
    let mut servers: Vec<Server> = (0..4)
        .map(|_| Server::spawn(&db.url, &["serve", "--migrate"]))
        .collect();
    for server in &mut servers {
        server.wait_ready().await;
        let (status, _) = http(&server.addr().await, "GET", "/healthz", None).await;
        assert_eq!(status, 200);
    }
    eprintln!("4 instances ready in {:?}", started.elapsed());

    let client = db.connect().await;
    let rows = client
        .query(
            "SELECT revision, direction, status, count(*) FROM retort_history \
             GROUP BY 1, 2, 3 ORDER BY 1",
            &[],
        )
        .await
        .expect("applied log");
    let log: Vec<(String, String, String, i64)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    let applied = |rev: &str| (rev.to_string(), "up".into(), "applied".into(), 1);
    assert_eq!(
        log,
        [
            applied("3a9f1c2e7b64"),
            applied("5c1d8e2f4a90"),
            applied("6d2f8a41c9e3"),
            applied("8e3b6f1a2d47"),
            applied("9a4e1b7c3f52"),
            applied("b7e24d90c1a5")
        ],
        "one applied-log row per revision"
    );
    let version: Vec<String> = client
        .query("SELECT version_num FROM retort_version", &[])
        .await
        .expect("version")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(version, ["9a4e1b7c3f52"]);

    // An instance may answer ready (the database is at head) a moment before its own `upgrade`
    // has taken the lock and found nothing to do: wait for each to say what it did.
    for server in &servers {
        let waited = std::time::Instant::now();
        while !server.stderr().contains("builtenv: migrations: ") {
            assert!(waited.elapsed() < support::STARTUP, "{}", server.stderr());
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    let outputs: Vec<String> = servers.iter().map(Server::stderr).collect();
    let migrated = outputs
        .iter()
        .filter(|o| o.contains("Applied 6 revisions"))
        .count();
    let nothing = outputs
        .iter()
        .filter(|o| o.contains("Nothing to upgrade: the database is at 9a4e1b7c3f52"))
        .count();
    assert_eq!((migrated, nothing), (1, 3), "{outputs:#?}");
}

/// Without `--migrate`, serve answers /healthz but not /readyz until someone migrates; then it
/// becomes ready without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_only_at_head() {
    let db = retort_test_support::fresh_database().await;
    let mut server = Server::spawn(&db.url, &["serve"]);
    let addr = server.addr().await;
    assert_eq!(http(&addr, "GET", "/healthz", None).await.0, 200);
    let (status, body) = http(&addr, "GET", "/readyz", None).await;
    assert_eq!(status, 503, "{body}");
    // Nobody migrates from this instance: it says so, rather than "migrating".
    assert_eq!(body["status"], "behind");
    assert_eq!(body["heads"], serde_json::json!(["9a4e1b7c3f52"]));
    // The API refuses while the schema is not there.
    let (status, _) = http(
        &addr,
        "POST",
        "/signup",
        Some(&serde_json::json!({"tenant": {"name": "A", "slug": "a", "email": "a@a.test"}})),
    )
    .await;
    assert_eq!(status, 503);

    retort::runner::Migrator::upgrade(
        &support::migrator(),
        &db.url,
        "3a9f1c2e7b64",
        &retort::runner::Quiet,
    )
    .await
    .expect("first revision");
    let (status, body) = http(&addr, "GET", "/readyz", None).await;
    assert_eq!(status, 503);
    assert_eq!(body["current"], serde_json::json!(["3a9f1c2e7b64"]));

    support::migrate_to_head(&db.url).await;
    server.wait_ready().await;
}

/// A failed migration ends `serve --migrate` with retort's exit code for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_migration_stops_the_server() {
    let db = retort_test_support::fresh_database().await;
    // The table the initial revision creates first is in the way.
    db.connect()
        .await
        .batch_execute("CREATE TABLE tenants (id int)")
        .await
        .expect("setup");
    let mut server = Server::spawn(&db.url, &["serve", "--migrate"]);
    let code = server.exit_code().await;
    assert_eq!(code, Some(7), "{}", server.stderr());
    assert!(
        server
            .stderr()
            .contains("relation \"tenants\" already exists"),
        "{}",
        server.stderr()
    );
}
