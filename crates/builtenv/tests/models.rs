//! The models are the schema: a database migrated to head by the embedded revisions,
//! introspected, equals `builtenv::models::schema()` field for field (what `retort check` will
//! assert). A failure lists each differing field: either the models or a migration changed
//! without the other.

mod support;

use retort::introspect::{introspect, IntrospectOptions};
use retort::schema::Schema;
use retort_test_support::assert_schema_eq;

/// The schema without retort's own tables (the version table and its log, with the log's
/// sequence): bookkeeping, not the application's schema.
fn without_version_tables(mut schema: Schema) -> Schema {
    let ours = |name: &str| name == "retort_version" || name == "retort_history";
    schema.tables.retain(|q, _| !ours(&q.name));
    schema
        .sequences
        .retain(|_, s| !s.owned_by.as_ref().is_some_and(|(t, _)| ours(&t.name)));
    schema
}

#[tokio::test]
async fn the_migrated_database_equals_the_models() {
    let db = retort_test_support::fresh_database().await;
    support::migrate_to_head(&db.url).await;
    let client = db.connect().await;
    let read = introspect(&client, &IntrospectOptions::default())
        .await
        .expect("introspect");
    let read = builtenv::models::without_timescaledb(without_version_tables(read));
    assert!(read.unsupported.is_empty(), "{:?}", read.unsupported);
    assert_schema_eq(&builtenv::models::schema(), &read);
}
