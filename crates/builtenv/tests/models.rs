//! The models are the schema: a database migrated to head by the embedded revisions,
//! introspected, equals `builtenv::models::schema()` field for field (what `builtenv migrate
//! check` and `retort::testkit::model_matches_head` assert as "no operation between them"; this
//! test compares the models themselves). A failure lists each differing field: either the models
//! or a migration changed without the other.

mod support;

use retort::introspect::{introspect, IntrospectOptions};
use retort_test_support::assert_schema_eq;

#[tokio::test]
async fn the_migrated_database_equals_the_models() {
    let db = retort_test_support::fresh_database().await;
    support::migrate_to_head(&db.url).await;
    let client = db.connect().await;
    let read = introspect(&client, &IntrospectOptions::default())
        .await
        .expect("introspect");
    let read = builtenv::models::without_timescaledb(support::without_version_tables(read));
    assert!(read.unsupported.is_empty(), "{:?}", read.unsupported);
    assert_schema_eq(&builtenv::models::schema(), &read);
}
