//! Reading a database's schema into the [`Schema`](crate::schema::Schema) model.
//!
//! A fixed list of catalog queries ([`queries::ALL`]), each returning every object of one kind
//! for the chosen schemas, whatever their number; they are sent at once (pipelined) and run in
//! one read-only repeatable-read transaction with an empty `search_path`, so every name
//! PostgreSQL's renderers print is qualified. [`introspect_parallel`] shares them between two
//! connections in one exported snapshot. Objects that belong to extensions are left out (`pg_depend` deptype `e`); objects
//! the model does not cover are listed in `Schema::unsupported`.
//!
//! Invariant: the number of queries does not depend on the number of objects.

#[macro_use]
pub mod queries;
mod distribution;
mod kinds;
mod read;
mod reuse;

pub use reuse::{current_fingerprint, introspect_reusing, Fingerprinted, FINGERPRINT};

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row};

use crate::schema::Schema;

/// The oldest PostgreSQL whose catalogs introspection reads (`pg_trigger.tgparentid`).
pub const MIN_SERVER_VERSION: i32 = 130_000;

/// What to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntrospectOptions {
    /// PostgreSQL schemas to read; empty: every non-system schema.
    pub schemas: Vec<String>,
}

/// Why introspection failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum IntrospectError {
    #[error("introspection query \"{query}\" failed: {message}")]
    Query {
        query: &'static str,
        message: String,
        /// SQLSTATE, when the server answered.
        code: Option<String>,
    },

    #[error("PostgreSQL {major} is too old: retort reads PostgreSQL 13 and later")]
    #[diagnostic(help("upgrade the server, or dump it with pg_dump --schema-only"))]
    ServerTooOld {
        /// The server's major version.
        major: i32,
    },
}

/// Counts the queries it runs, so a test can assert their number.
pub struct CountingClient<'a> {
    client: &'a Client,
    count: AtomicUsize,
}

impl<'a> CountingClient<'a> {
    pub fn new(client: &'a Client) -> Self {
        Self {
            client,
            count: AtomicUsize::new(0),
        }
    }

    /// Queries run so far.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    async fn query(
        &self,
        name: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, IntrospectError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.client
            .query(sql, params)
            .await
            .map_err(|e| query_error(name, &e))
    }

    async fn execute(&self, name: &'static str, sql: &str) -> Result<(), IntrospectError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.client
            .batch_execute(sql)
            .await
            .map_err(|e| query_error(name, &e))
    }
}

fn query_error(name: &'static str, e: &tokio_postgres::Error) -> IntrospectError {
    match e.as_db_error() {
        Some(db) => IntrospectError::Query {
            query: name,
            message: db.message().replace('\n', " "),
            code: Some(db.code().code().to_string()),
        },
        None => IntrospectError::Query {
            query: name,
            message: e.to_string().replace('\n', " "),
            code: None,
        },
    }
}

/// Read the schema of the database `client` is connected to. Runs its own read-only transaction:
/// call it outside any transaction of the caller's.
pub async fn introspect(
    client: &Client,
    options: &IntrospectOptions,
) -> Result<Schema, IntrospectError> {
    let counting = CountingClient::new(client);
    introspect_counted(&counting, options).await
}

/// [`introspect`] through a [`CountingClient`], which then tells how many queries ran.
pub async fn introspect_counted(
    client: &CountingClient<'_>,
    options: &IntrospectOptions,
) -> Result<Schema, IntrospectError> {
    client.execute("begin", queries::BEGIN).await?;
    let result = read::read(client, None, options).await;
    // Read-only: ending it either way changes nothing.
    let end = client.execute("commit", queries::COMMIT).await;
    let schema = result?;
    end?;
    Ok(schema)
}

/// [`introspect`] over two connections to the same database, in one snapshot (exported by the
/// first, imported by the second, as `pg_dump -j` does): the server does the work on two cores.
/// The same queries, and 5 more: the second transaction, the snapshot, the second setup.
pub async fn introspect_parallel(
    first: &Client,
    second: &Client,
    options: &IntrospectOptions,
) -> Result<Schema, IntrospectError> {
    let (a, b) = (CountingClient::new(first), CountingClient::new(second));
    introspect_parallel_counted(&a, &b, options).await
}

/// [`introspect_parallel`] through [`CountingClient`]s.
pub async fn introspect_parallel_counted(
    first: &CountingClient<'_>,
    second: &CountingClient<'_>,
    options: &IntrospectOptions,
) -> Result<Schema, IntrospectError> {
    first.execute("begin", queries::BEGIN).await?;
    let result = parallel_in_transaction(first, second, options).await;
    let end = first.execute("commit", queries::COMMIT).await;
    let schema = result?;
    end?;
    Ok(schema)
}

/// The reading of [`introspect_parallel_counted`] inside `first`'s open repeatable-read
/// transaction: its snapshot exported to `second`, the queries shared between the two.
async fn parallel_in_transaction(
    first: &CountingClient<'_>,
    second: &CountingClient<'_>,
    options: &IntrospectOptions,
) -> Result<Schema, IntrospectError> {
    let rows = first
        .query("export snapshot", queries::EXPORT_SNAPSHOT, &[])
        .await?;
    let snapshot: String = rows.first().map(|r| r.get(0)).unwrap_or_default();
    second.execute("begin", queries::BEGIN).await?;
    let result = async {
        second
            .execute(
                "import snapshot",
                &format!(
                    "SET TRANSACTION SNAPSHOT {}",
                    crate::sql::quote_literal(&snapshot)
                ),
            )
            .await?;
        read::read(first, Some(second), options).await
    }
    .await;
    let end = second.execute("commit", queries::COMMIT).await;
    let schema = result?;
    end?;
    Ok(schema)
}
