//! `fresh_database` against the process's test server.

use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

use retort::devdb::LocalCluster;
use retort_test_support::{connect, fresh_database, server};
use tokio_postgres::config::Host;

/// User relations in the current database (tables, views, sequences, …).
async fn user_relations(client: &tokio_postgres::Client) -> i64 {
    let row = client
        .query_one(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') \
             AND n.nspname NOT LIKE 'pg_toast%'",
            &[],
        )
        .await
        .expect("count relations");
    row.get(0)
}

#[tokio::test]
async fn two_databases_are_distinct_and_empty() {
    let a = fresh_database().await;
    let b = fresh_database().await;
    assert_ne!(a.name, b.name);
    assert_ne!(a.url, b.url);
    assert!(a.name.starts_with("retort_test_"), "{}", a.name);

    let ca = a.connect().await;
    let cb = connect(&b.url).await;
    for (client, db) in [(&ca, &a), (&cb, &b)] {
        let name: String = client
            .query_one("SELECT current_database()", &[])
            .await
            .expect("current_database")
            .get(0);
        assert_eq!(name, db.name);
        assert_eq!(user_relations(client).await, 0, "{} is not empty", db.name);
    }
    ca.batch_execute("CREATE TABLE only_in_a (id int)")
        .await
        .expect("create table");
    assert_eq!(user_relations(&ca).await, 1);
    assert_eq!(
        user_relations(&cb).await,
        0,
        "a table of one database shows in the other"
    );

    if let Some(startup) = server().startup_time() {
        eprintln!("throwaway server ready in {startup:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_fresh_databases() {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        tasks.spawn(async {
            let db = fresh_database().await;
            let client = db.connect().await;
            client
                .batch_execute("CREATE TABLE t (id int)")
                .await
                .expect("create");
            db.name
        });
    }
    let mut names = BTreeSet::new();
    while let Some(name) = tasks.join_next().await {
        names.insert(name.expect("task"));
    }
    assert_eq!(names.len(), 20);
}

#[tokio::test]
async fn admin_url_is_a_superuser_on_the_server() {
    let admin = connect(server().admin_url()).await;
    let row = admin
        .query_one(
            "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await
        .expect("query");
    assert!(row.get::<_, bool>(0));
    if server().postmaster_pid().is_some() {
        // The throwaway server listens on its socket only.
        let row = admin
            .query_one("SHOW listen_addresses", &[])
            .await
            .expect("show");
        assert_eq!(row.get::<_, String>(0), "");
        let row = admin.query_one("SHOW fsync", &[]).await.expect("show");
        assert_eq!(row.get::<_, String>(0), "off");
    }
}

#[test]
fn cluster_url_is_a_unix_socket_for_tokio_postgres() {
    let cluster = LocalCluster::new(Path::new("/tmp/retort test/pg"))
        .expect("PostgreSQL binaries")
        .with_settings(true, 6543);
    let url = cluster.url("my_db");
    let config = tokio_postgres::Config::from_str(&url).expect("tokio-postgres parses the URL");
    assert_eq!(
        config.get_hosts(),
        &[Host::Unix("/tmp/retort test/pg".into())],
        "{url}"
    );
    assert_eq!(config.get_ports(), &[6543]);
    assert_eq!(config.get_dbname(), Some("my_db"));
    assert_eq!(config.get_user(), Some("postgres"));
}
