//! The target database's model cache (issue 21): `check` and `revision --autogenerate` reuse the
//! model read before while the database's catalogs are unchanged, keyed by a fingerprint of
//! the catalog row versions (`retort::introspect::FINGERPRINT`). Every kind of change a
//! migration or a hand makes moves the fingerprint; reading data, `ANALYZE` and `VACUUM` do
//! not; a reused model equals a fresh read. On a real PostgreSQL.

use retort::autogen::{read_database, read_database_cached, ModelCache};
use retort::introspect::{current_fingerprint, introspect_reusing, IntrospectOptions};
use retort::runner::VersionTables;

/// The two tests share the server's roles (the fingerprint includes role names): one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const SETUP: &str = "CREATE ROLE retort_fp_reader; \
    CREATE TYPE mood AS ENUM ('sad', 'ok'); \
    CREATE TABLE t (id bigint PRIMARY KEY, name text, m mood); \
    CREATE SEQUENCE s; \
    CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; \
    CREATE VIEW v AS SELECT id FROM t;";

/// Statements that change what introspection reads, each after the ones before it.
const CHANGES: &[&str] = &[
    "CREATE TABLE u (id int)",
    "ALTER TABLE t ADD COLUMN extra int",
    "ALTER TABLE t ALTER COLUMN extra TYPE bigint",
    "ALTER TABLE t ALTER COLUMN extra SET DEFAULT 7",
    "UPDATE t SET extra = 0; ALTER TABLE t ALTER COLUMN extra SET NOT NULL",
    "ALTER TABLE t ALTER COLUMN extra SET STATISTICS 500",
    "COMMENT ON COLUMN t.name IS 'the name'",
    "COMMENT ON COLUMN t.name IS 'another name'",
    "GRANT SELECT ON t TO retort_fp_reader",
    "GRANT UPDATE (name) ON t TO retort_fp_reader",
    "CREATE INDEX t_name ON t (name)",
    "ALTER INDEX t_name RENAME TO t_name_ix",
    "ALTER TABLE t CLUSTER ON t_name_ix",
    "ALTER TABLE t REPLICA IDENTITY FULL",
    "ALTER TABLE t SET (fillfactor = 70)",
    "ALTER TABLE t ADD CONSTRAINT name_short CHECK (length(name) < 100) NOT VALID",
    "ALTER TABLE t VALIDATE CONSTRAINT name_short",
    "CREATE OR REPLACE VIEW v AS SELECT id FROM t",
    "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2'",
    "ALTER FUNCTION f() SET search_path = ''",
    "ALTER TYPE mood ADD VALUE 'happy'",
    "ALTER SEQUENCE s INCREMENT BY 5",
    "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY p ON t USING (id > 0)",
    "CREATE TRIGGER tr BEFORE UPDATE ON u FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    "ALTER TABLE u DISABLE TRIGGER tr",
    "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO retort_fp_reader",
    "ALTER ROLE retort_fp_reader RENAME TO retort_fp_reader2",
    "CREATE SCHEMA other",
    "ALTER TABLE u SET SCHEMA other",
    "CREATE EXTENSION IF NOT EXISTS pgcrypto",
    "DROP TABLE other.u",
];

/// Statements that change no definition.
const NO_CHANGE: &[&str] = &[
    "INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b')",
    "SELECT nextval('s')",
    "ANALYZE t",
    "VACUUM t",
    "SELECT 1",
];

#[tokio::test]
async fn every_kind_of_change_moves_the_fingerprint_and_data_does_not() {
    let _serial = SERIAL.lock().await;
    let db = retort_test_support::fresh_database().await;
    let client = db.connect().await;
    client.batch_execute(SETUP).await.expect("setup");
    let mut before = current_fingerprint(&client).await.expect("fingerprint");
    assert!(!before.is_empty());
    // A second session sees the same fingerprint.
    let other = db.connect().await;
    assert_eq!(
        current_fingerprint(&other).await.expect("fingerprint"),
        before
    );
    for statement in NO_CHANGE {
        client.batch_execute(statement).await.expect(statement);
        let after = current_fingerprint(&client).await.expect("fingerprint");
        assert_eq!(after, before, "{statement} changed the fingerprint");
    }
    for statement in CHANGES {
        client.batch_execute(statement).await.expect(statement);
        let after = current_fingerprint(&client).await.expect("fingerprint");
        assert_ne!(after, before, "{statement} left the fingerprint unchanged");
        before = after;
    }
    // Role names are the server's, not the database's: clean up for the other tests.
    client
        .batch_execute("DROP OWNED BY retort_fp_reader2; DROP ROLE retort_fp_reader2")
        .await
        .expect("drop role");
}

#[tokio::test]
async fn a_reused_model_equals_a_fresh_read_and_a_change_is_read_again() {
    let _serial = SERIAL.lock().await;
    let db = retort_test_support::fresh_database().await;
    let client = db.connect().await;
    client
        .batch_execute("CREATE TABLE a (id bigint PRIMARY KEY, note text DEFAULT 'x')")
        .await
        .expect("setup");
    let project = tempfile::tempdir().expect("tempdir");
    let cache = ModelCache::in_project(project.path());
    let (options, tables) = (
        IntrospectOptions::default(),
        VersionTables::new(None, "retort_version"),
    );
    let url = db.url.clone();

    let first = read_database_cached(&url, &options, &tables, Some(&cache))
        .await
        .expect("read");
    assert_eq!(
        first,
        read_database(&url, &options, &tables).await.expect("read")
    );
    let entries = || std::fs::read_dir(cache.dir()).map_or(0, |d| d.count());
    assert_eq!(entries(), 1, "the target's model is stored");

    // Unchanged: the fingerprint finds the stored model and no other query runs.
    let fp = current_fingerprint(&client).await.expect("fingerprint");
    let mut asked = Vec::new();
    let got = introspect_reusing(&client, None, &options, |f| {
        asked.push(f.to_string());
        Some(retort::schema::Schema::default())
    })
    .await
    .expect("reuse");
    assert!(got.reused);
    assert_eq!(asked, vec![fp.clone()]);
    let again = read_database_cached(&url, &options, &tables, Some(&cache))
        .await
        .expect("read");
    assert_eq!(again, first);
    assert_eq!(entries(), 1, "a reused model is not stored again");

    // Changed: read again, equal to a read without the cache.
    client
        .batch_execute("ALTER TABLE a ALTER COLUMN note SET DEFAULT 'y'")
        .await
        .expect("change");
    let changed = read_database_cached(&url, &options, &tables, Some(&cache))
        .await
        .expect("read");
    assert_ne!(changed, first);
    assert_eq!(
        changed,
        read_database(&url, &options, &tables).await.expect("read")
    );
}
