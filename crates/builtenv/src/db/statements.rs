//! Prepared statements kept per pooled connection: a statement's SQL is parsed and described
//! once per connection (one round trip, the first time), then each use is one Bind/Execute
//! round trip. Without it every `query(&str)` of tokio-postgres is two round trips (Parse and
//! Describe, then Bind and Execute) plus a Close, and PostgreSQL parses the text again.
//!
//! The SQL texts are the handlers' constants (and the few shapes of [`crate::api`]'s INSERT
//! builder), so the set is small; a connection keeps at most [`MAX`] and starts afresh beyond.
//! A statement PostgreSQL no longer accepts — its result columns changed under it (a migration
//! by another process added a column to a `SELECT *` table: "cached plan must not change result
//! type") or it is gone — is forgotten when its use fails, so the next use prepares it again:
//! the request that met it fails once per connection, as any request racing a migration may.
//!
//! Prepared statements are session objects, not transactional, and PostgreSQL re-checks
//! permissions and row-level security (which depends on the role: `SET LOCAL ROLE`) and
//! re-plans when the role or the schema changes, so a statement prepared in one tenant's
//! transaction is safe to use in another's: `app.tenant_id` is read when it runs.

use std::collections::HashMap;
use std::sync::Mutex;

use postgres_types::ToSql;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Row, Statement};

/// Most statements a connection keeps.
pub const MAX: usize = 256;

/// The statements prepared on one connection, by SQL text.
#[derive(Default)]
pub struct Statements {
    by_sql: Mutex<HashMap<String, Statement>>,
}

impl Statements {
    fn get(&self, sql: &str) -> Option<Statement> {
        self.by_sql.lock().ok()?.get(sql).cloned()
    }

    fn keep(&self, sql: &str, statement: &Statement) {
        if let Ok(mut by_sql) = self.by_sql.lock() {
            if by_sql.len() >= MAX {
                by_sql.clear();
            }
            by_sql.insert(sql.to_string(), statement.clone());
        }
    }

    fn forget(&self, sql: &str) {
        if let Ok(mut by_sql) = self.by_sql.lock() {
            by_sql.remove(sql);
        }
    }

    /// How many are kept (for tests).
    pub fn len(&self) -> usize {
        self.by_sql.lock().map(|s| s.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A connection with its statements: `query`, `query_one`, `query_opt` and `execute` as on a
/// [`Client`], with the SQL's statement prepared once per connection.
#[derive(Clone, Copy)]
pub struct Cached<'a> {
    pub(crate) client: &'a Client,
    pub(crate) statements: &'a Statements,
}

/// Whether `error` says the prepared statement itself is stale.
fn stale(error: &tokio_postgres::Error) -> bool {
    matches!(
        error.code(),
        Some(&SqlState::FEATURE_NOT_SUPPORTED) | Some(&SqlState::INVALID_SQL_STATEMENT_NAME)
    )
}

impl Cached<'_> {
    /// The statement of `sql` on this connection: kept, or prepared now and kept.
    pub async fn statement(&self, sql: &str) -> Result<Statement, tokio_postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement);
        }
        let statement = self.client.prepare(sql).await?;
        self.statements.keep(sql, &statement);
        Ok(statement)
    }

    /// `result`, forgetting the statement of `sql` if it failed for being stale.
    fn checked<T>(
        &self,
        sql: &str,
        result: Result<T, tokio_postgres::Error>,
    ) -> Result<T, tokio_postgres::Error> {
        if let Err(e) = &result {
            if stale(e) {
                self.statements.forget(sql);
            }
        }
        result
    }

    pub async fn query(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, tokio_postgres::Error> {
        let statement = self.statement(sql).await?;
        self.checked(sql, self.client.query(&statement, params).await)
    }

    pub async fn query_one(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, tokio_postgres::Error> {
        let statement = self.statement(sql).await?;
        self.checked(sql, self.client.query_one(&statement, params).await)
    }

    pub async fn query_opt(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, tokio_postgres::Error> {
        let statement = self.statement(sql).await?;
        self.checked(sql, self.client.query_opt(&statement, params).await)
    }

    pub async fn execute(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, tokio_postgres::Error> {
        let statement = self.statement(sql).await?;
        self.checked(sql, self.client.execute(&statement, params).await)
    }
}
