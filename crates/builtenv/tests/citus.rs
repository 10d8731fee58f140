//! builtenv on a Citus cluster (a coordinator and two workers on this machine, issue 18): the
//! runner works against the coordinator (its lock, version table and log live there), the
//! revisions go up, down and up again, `check` finds no difference from the models (Citus's own
//! objects are not part of the schema), and four racing `serve --migrate` migrate once.
//! Skipped, with a message, where Citus is not installed (`bash .ci/install-citus.sh`).

mod support;

use std::process::Command;

use retort_test_support::citus::CitusCluster;
use support::{http, Server, BIN};

/// `builtenv migrate ARGS` on `url`: (exit code, stdout, stderr).
fn migrate(url: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .arg("migrate")
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .expect("run builtenv");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builtenv_on_a_citus_coordinator() {
    let Some(cluster) = CitusCluster::start_or_skip("builtenv_on_a_citus_coordinator") else {
        return;
    };
    let url = cluster.database("app").await.expect("citus database");

    let (code, _, err) = migrate(&url, &["upgrade", "head"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Applied 4 revisions"), "{err}");
    let (code, out, err) = migrate(&url, &["check"]);
    assert_eq!(code, 0, "check is clean on the coordinator: {out}{err}");

    // The version rows are on the coordinator only; the workers know nothing of them.
    for (i, node) in cluster.node_urls("app").iter().enumerate() {
        let client = retort_test_support::connect(node).await;
        let version = client
            .query_opt("SELECT to_regclass('retort_version')::text", &[])
            .await
            .expect("query")
            .and_then(|r| r.get::<_, Option<String>>(0));
        assert_eq!(version.is_some(), i == 0, "node {i}: {version:?}");
    }

    let (code, _, err) = migrate(&url, &["downgrade", "base"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = migrate(&url, &["upgrade", "head"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = migrate(&url, &["check"]);
    assert_eq!(code, 0, "{out}{err}");

    // Four replicas of a deploy against the coordinator of an empty database: one migrates.
    let race = cluster.database("race").await.expect("citus database");
    let mut servers: Vec<Server> = (0..4)
        .map(|_| Server::spawn(&race, &["serve", "--migrate"]))
        .collect();
    for server in &mut servers {
        server.wait_ready().await;
        assert_eq!(
            http(&server.addr().await, "GET", "/healthz", None).await.0,
            200
        );
    }
    let client = retort_test_support::connect(&race).await;
    let applied: i64 = client
        .query_one(
            "SELECT count(*) FROM retort_history WHERE direction = 'up' AND status = 'applied'",
            &[],
        )
        .await
        .expect("log")
        .get(0);
    assert_eq!(applied, 4, "each revision applied once");
}
