//! Tablespaces of tables, partitioned tables, partitions, indexes and key constraints, on real
//! PostgreSQL: referred to by name (never made: they belong to the cluster), set on what is
//! made, moved on what stays (`SET TABLESPACE`), and back (up, second diff empty, down; SQL
//! snapshotted), and round-tripped through a whole-schema rendering.

mod schema_common;

use retort::diff::DiffOptions;
use retort::schema::QualName;
use retort_test_support::fresh_database;
use schema_common::{diff_scenario, round_trip, Pool};

/// Two tablespaces in the test cluster's data directory (`allow_in_place_tablespaces`, a
/// superuser setting of PostgreSQL 15), made by whichever test comes first.
async fn tablespaces() {
    let db = fresh_database().await;
    let client = db.connect().await;
    client
        .batch_execute("SET allow_in_place_tablespaces = on")
        .await
        .expect("allow in-place tablespaces");
    for name in ["retort_fast", "retort_slow"] {
        let made = client
            .batch_execute(&format!("CREATE TABLESPACE {name} LOCATION ''"))
            .await;
        if let Err(e) = made {
            let text = e.as_db_error().map(|d| d.message().to_string());
            assert!(
                text.as_deref()
                    .is_some_and(|m| m.contains("already exists")),
                "CREATE TABLESPACE {name}: {e:?}"
            );
        }
    }
}

const OLD: &str = "CREATE TABLE t (id int PRIMARY KEY, v text) TABLESPACE retort_slow;
     CREATE INDEX t_v ON t (v) WHERE v > 'a';
     CREATE TABLE p (id int) PARTITION BY LIST (id);";

const NEW: &str = "CREATE TABLE t (id int, v text,
       CONSTRAINT t_pkey PRIMARY KEY (id) USING INDEX TABLESPACE retort_fast) TABLESPACE retort_fast;
     CREATE INDEX t_v ON t (v) TABLESPACE retort_slow WHERE v > 'a';
     CREATE TABLE p (id int) PARTITION BY LIST (id) TABLESPACE retort_slow;
     CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1) TABLESPACE retort_fast;
     CREATE TABLE n (a int UNIQUE USING INDEX TABLESPACE retort_slow) TABLESPACE retort_fast;
     CREATE INDEX n_a ON n (a) TABLESPACE retort_fast;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tablespaces_set_moved_and_back() {
    tablespaces().await;
    let text = diff_scenario(OLD, NEW, DiffOptions::default()).await;
    insta::assert_snapshot!(text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tablespaces_round_trip() {
    tablespaces().await;
    let pool = Pool::default();
    let rt = round_trip(&pool, NEW).await.expect("round trip");
    let t = &rt.model.tables[&QualName::new("public", "t")];
    assert_eq!(t.tablespace.as_deref(), Some("retort_fast"));
    assert_eq!(t.indexes["t_v"].tablespace.as_deref(), Some("retort_slow"));
    assert_eq!(
        t.constraints["t_pkey"].tablespace.as_deref(),
        Some("retort_fast")
    );
    assert!(rt.rendering.contains("TABLESPACE \"retort_slow\" WHERE"));
}
