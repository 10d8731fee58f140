//! The limits that keep a slow database or a slow request from piling up: the pool's wait
//! timeout, the tenant transaction's statement timeout (LOCAL: gone with the transaction), and
//! the request timeout, each ending in 503.

mod support;

use std::time::{Duration, Instant};

use builtenv::api::ApiError;
use builtenv::db::{tenant_transaction, PoolError, PoolSettings};
use serde_json::json;
use support::{raw, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_wait_statement_and_request_timeouts() {
    let (db, pool) = support::pool_at_head(PoolSettings {
        size: 1,
        wait: Duration::from_millis(200),
        statement_timeout: Duration::from_millis(100),
    })
    .await;

    // The one connection is lent: the next request waits 200 ms, then gives up.
    let mut held = pool.get().await.expect("first connection");
    let started = Instant::now();
    let second = pool.get().await;
    assert!(
        matches!(second, Err(PoolError::Timeout(..))),
        "{:?}",
        second.err()
    );
    assert!(started.elapsed() >= Duration::from_millis(200));
    let status = pool.status();
    assert_eq!((status.size, status.in_use, status.waiting), (1, 1, 0));

    // A statement over the timeout is cancelled: 503 for the API.
    let tenant = uuid::Uuid::new_v4();
    let tx = tenant_transaction(&mut held, tenant).await.expect("begin");
    let err = tx
        .execute("SELECT pg_sleep(2)", &[])
        .await
        .expect_err("cancelled by statement_timeout");
    assert_eq!(ApiError::from(err).status(), 503);
    drop(tx);
    // SET LOCAL: the connection is back to the server's default after the transaction.
    let after: String = held
        .query_one("SHOW statement_timeout", &[])
        .await
        .expect("show")
        .get(0);
    assert_eq!(after, "0");
    drop(held);
    assert!(pool.get().await.is_ok(), "the connection went back");

    // A request over REQUEST_TIMEOUT_MS is dropped with 503 in the JSON error shape (a
    // sign-up hashes a password with argon2: well over 1 ms) and nothing it did stays.
    let mut server = Server::spawn_with(&db.url, &["serve"], &[("REQUEST_TIMEOUT_MS", "1")]);
    server.wait_ready().await;
    let addr = server.addr().await;
    let body = json!({
        "tenant": {"name": "A", "slug": "a", "email": "a@a.test"},
        "admin": {"email": "admin@a.test", "password": "long enough password"}
    })
    .to_string();
    let r = raw(&addr, "POST", "/signup", &[], Some(&body))
        .await
        .expect("request");
    assert_eq!(
        (r.status, &r.json["code"]),
        (503, &json!("unavailable")),
        "{}",
        r.json
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let tenants: i64 = db
        .connect()
        .await
        .query_one("SELECT count(*) FROM tenants", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(tenants, 0);
}
