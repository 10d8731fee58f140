//! The pooled connection under the tenant transaction: a tenant's settings never outlive its
//! transaction (committed or dropped unfinished), each SQL text is prepared once per
//! connection, and a statement made stale by a schema change is prepared again.

mod support;

use std::time::Duration;

use builtenv::db::{tenant_transaction, PoolSettings, PooledClient};
use tokio_postgres::error::SqlState;
use uuid::Uuid;

/// Outside any transaction: the connection's role, `app.tenant_id` and `statement_timeout`.
async fn session_state(client: &PooledClient) -> (String, String, String) {
    let row = client
        .query_one(
            "SELECT current_user::text, coalesce(current_setting('app.tenant_id', true), ''), \
             current_setting('statement_timeout')",
            &[],
        )
        .await
        .expect("session state");
    (row.get(0), row.get(1), row.get(2))
}

/// How many prepared statements of the session have the text `sql`.
async fn prepared(client: &PooledClient, sql: &str) -> i64 {
    client
        .query_one(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1",
            &[&sql],
        )
        .await
        .expect("pg_prepared_statements")
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_never_outlive_their_transaction_and_statements_are_prepared_once() {
    let (_db, pool) = support::pool_at_head(PoolSettings {
        size: 1,
        wait: Duration::from_secs(5),
        statement_timeout: Duration::from_millis(1500),
    })
    .await;
    let mut client = pool.get().await.expect("connection");
    let owner = session_state(&client).await;
    assert_eq!(owner.1, "", "no tenant before any transaction");
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let sql = "SELECT current_user::text, current_setting('app.tenant_id'), \
               current_setting('statement_timeout'), $1::int";

    // Committed: inside, the service role, the tenant and the timeout; after, none of them.
    let tx = tenant_transaction(&mut client, a).await.expect("begin");
    let row = tx.query_one(sql, &[&1i32]).await.expect("inside");
    let inside: (String, String, String) = (row.get(0), row.get(1), row.get(2));
    assert_eq!(
        inside,
        (
            builtenv::APP_ROLE.to_string(),
            a.to_string(),
            "1500ms".to_string()
        )
    );
    tx.commit().await.expect("commit");
    assert_eq!(session_state(&client).await, owner, "nothing of A's left");
    assert_eq!(prepared(&client, sql).await, 1, "kept for the next use");

    // Dropped unfinished (an error, a timeout, a panic): rolled back before the next use.
    let tx = tenant_transaction(&mut client, b).await.expect("begin");
    let row = tx.query_one(sql, &[&2i32]).await.expect("inside");
    assert_eq!(row.get::<_, String>(1), b.to_string());
    drop(tx);
    assert_eq!(session_state(&client).await, owner, "nothing of B's left");
    assert_eq!(prepared(&client, sql).await, 1, "the same statement again");

    // Back in the pool and out again: the same connection, its statement kept.
    drop(client);
    let client = pool.get().await.expect("connection");
    assert_eq!(session_state(&client).await, owner);
    assert_eq!(prepared(&client, sql).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_made_stale_by_a_migration_is_prepared_again() {
    let (db, pool) = support::pool_at_head(PoolSettings {
        size: 1,
        ..PoolSettings::default()
    })
    .await;
    let sql = "SELECT * FROM tenants WHERE id = $1";
    let tenant = Uuid::new_v4();
    let run = async || {
        let mut client = pool.get().await.expect("connection");
        let tx = tenant_transaction(&mut client, tenant)
            .await
            .expect("begin");
        let result = tx.query(sql, &[&tenant]).await.map(|rows| rows.len());
        drop(tx);
        result
    };
    assert_eq!(run().await.expect("first use"), 0);
    // Another process migrates: `SELECT *` now has one more column.
    let owner = retort_test_support::connect(&db.url).await;
    owner
        .batch_execute("ALTER TABLE tenants ADD COLUMN added_later int")
        .await
        .expect("alter");
    let stale = run()
        .await
        .expect_err("the kept statement's columns changed");
    assert_eq!(
        stale.code(),
        Some(&SqlState::FEATURE_NOT_SUPPORTED),
        "{stale:?}"
    );
    assert_eq!(run().await.expect("prepared again"), 0);
}
