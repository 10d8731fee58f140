//! Retort's own SQL on a client: statements and text rows, errors mapped to [`RunError`].

use tokio_postgres::{Client, SimpleQueryMessage};

use super::{lock, RunError};
use crate::db::query_error;

pub(super) async fn exec(client: &Client, sql: &str) -> Result<(), RunError> {
    client.batch_execute(sql).await.map_err(|e| {
        if lock::is_lock_lost(&e) {
            RunError::LockLost
        } else {
            bookkeeping_error(&e)
        }
    })
}

/// An error of retort's own bookkeeping SQL: a missing privilege says so (exit 6), anything
/// else is a query error.
pub(super) fn bookkeeping_error(e: &tokio_postgres::Error) -> RunError {
    match e.as_db_error() {
        Some(db) if db.code().code() == "42501" => RunError::Access {
            detail: db.message().to_string(),
        },
        _ => RunError::Db(query_error(e, None)),
    }
}

pub(super) async fn query_rows(
    client: &Client,
    sql: &str,
) -> Result<Vec<Vec<Option<String>>>, RunError> {
    let msgs = client
        .simple_query(sql)
        .await
        .map_err(|e| bookkeeping_error(&e))?;
    Ok(msgs
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
            }
            _ => None,
        })
        .collect())
}

pub(super) async fn query_col(client: &Client, sql: &str) -> Result<Vec<Option<String>>, RunError> {
    Ok(query_rows(client, sql)
        .await?
        .into_iter()
        .map(|mut r| if r.is_empty() { None } else { r.swap_remove(0) })
        .collect())
}

/// Send `sql` (several statements) as one simple query, counting in `completed` the statements
/// the server reported complete before it stopped: an error without a position (`relation
/// "tenantz" does not exist`) is then still known to be the next statement.
pub(super) async fn batch_counting(
    client: &Client,
    sql: &str,
    completed: &std::sync::atomic::AtomicUsize,
) -> Result<(), tokio_postgres::Error> {
    use futures_core::Stream;
    let stream = client.simple_query_raw(sql).await?;
    let mut stream = std::pin::pin!(stream);
    while let Some(message) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
        if let SimpleQueryMessage::CommandComplete(_) = message? {
            completed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
    Ok(())
}

/// Whether the server is a Citus node (its catalog `pg_dist_partition` exists). Citus fails some
/// DDL on distributed tables sent several statements to a query string (`ALTER TABLE ... ADD
/// CONSTRAINT`: "cannot insert multiple commands into a prepared statement", from a worker), so
/// there a transactional revision is sent one statement at a time, still in one transaction.
pub(super) async fn is_citus(client: &Client) -> Result<bool, RunError> {
    let rows = client
        .simple_query("SELECT pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL")
        .await
        .map_err(|e| bookkeeping_error(&e))?;
    Ok(rows
        .iter()
        .any(|m| matches!(m, SimpleQueryMessage::Row(r) if r.get(0) == Some("t"))))
}
