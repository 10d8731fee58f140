//! Column storage, statistics targets, compression, attribute options and column-level
//! privileges, index statistics targets and storage parameters, on real
//! PostgreSQL: set on a new table and on a new column, changed, reset to the defaults (up, second
//! diff empty, down; SQL snapshotted), and round-tripped through a whole-schema rendering.

mod schema_common;

use retort::diff::DiffOptions;
use schema_common::{diff_scenario, round_trip, Pool};

const PLAIN: &str = "CREATE TABLE docs (id int PRIMARY KEY, body text, data jsonb, n int);";

const SET: &str =
    "CREATE TABLE docs (id int PRIMARY KEY, body text, data jsonb, n int, extra text);
     ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL, ALTER COLUMN n SET STATISTICS 500,
       ALTER COLUMN data SET COMPRESSION pglz, ALTER COLUMN extra SET STORAGE MAIN;
     GRANT SELECT (id, body), UPDATE (body) ON docs TO app_reader;
     GRANT INSERT (extra) ON docs TO app_reader WITH GRANT OPTION;";

const CHANGED: &str =
    "CREATE TABLE docs (id int PRIMARY KEY, body text, data jsonb, n int, extra text);
     ALTER TABLE docs ALTER COLUMN body SET STORAGE MAIN, ALTER COLUMN n SET STATISTICS 50;
     GRANT SELECT (id) ON docs TO app_reader;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_on_new_columns_and_back() {
    let text = diff_scenario(PLAIN, SET, DiffOptions::default()).await;
    insta::assert_snapshot!(text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_changed_and_reset() {
    let text = diff_scenario(SET, CHANGED, DiffOptions::default()).await;
    insta::assert_snapshot!(text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_on_a_new_table() {
    let text = diff_scenario("SELECT 1;", SET, DiffOptions::default()).await;
    insta::assert_snapshot!(text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_round_trip() {
    let pool = Pool::default();
    let roles =
        "DO $$BEGIN CREATE ROLE app_reader; EXCEPTION WHEN duplicate_object THEN NULL; END$$;";
    let rt = round_trip(&pool, &format!("{roles} {SET}"))
        .await
        .expect("round trip");
    let docs = &rt.model.tables[&retort::schema::QualName::new("public", "docs")];
    let body = docs
        .columns
        .iter()
        .find(|c| c.name == "body")
        .expect("body");
    assert_eq!(body.storage.as_deref(), Some("EXTERNAL"));
    assert_eq!(body.grants.len(), 2, "{:?}", body.grants);
}

/// Attribute options (`n_distinct`), the statistics target of an index's expression column, and
/// storage parameters in an order `SET` alone cannot give (PostgreSQL keeps them as given, and
/// its dumps print them so).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attribute_options_index_statistics_and_storage_parameter_order() {
    let old = "CREATE TABLE t (id int, v text) WITH (fillfactor = 50, autovacuum_enabled = true);
         CREATE INDEX t_lower ON t (lower(v));";
    let new = "CREATE TABLE t (id int, v text)
           WITH (autovacuum_enabled = true, fillfactor = 70, toast.autovacuum_enabled = false);
         ALTER TABLE t ALTER COLUMN v SET (n_distinct = 100);
         CREATE INDEX t_lower ON t (lower(v));
         ALTER INDEX t_lower ALTER COLUMN 1 SET STATISTICS 500;
         CREATE INDEX t_upper ON t (upper(v));
         ALTER INDEX t_upper ALTER COLUMN 1 SET STATISTICS 50;";
    let text = diff_scenario(old, new, DiffOptions::default()).await;
    insta::assert_snapshot!(text);
}
