//! Which database, connections to it, and the transaction every API request runs in
//! ([`tenant_transaction`]).

mod statements;
mod tenant_tx;

pub use statements::{Cached, Statements};
pub use tenant_tx::{tenant_transaction, TenantTx};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use retort::config::{Config, UrlSource};
use retort::db::{DbError, Endpoint};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::Client;

/// The database URL ([`retort::local::database_url`]: `given` (--database-url), else
/// `DATABASE_URL`, else retort.toml's `database_url`, else the local dev database of the current
/// directory (`./.retort/pg`), made from the system's PostgreSQL binaries and started on first
/// use; what was done is printed on stderr).
pub async fn database_url(
    given: Option<&str>,
    config: &Config,
) -> Result<(String, UrlSource), retort::local::LocalError> {
    let mut notes = Vec::new();
    let found = retort::local::database_url(config, given, &mut notes).await?;
    for note in notes {
        // The notes name the retort CLI's command; here it is builtenv's.
        eprintln!(
            "builtenv: {}",
            note.replace("`retort dev stop`", "`builtenv migrate dev stop`")
        );
    }
    Ok(found)
}

/// How the pool behaves.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    /// Connections in use at most (POOL_SIZE).
    pub size: usize,
    /// How long a request waits for a connection before it is refused with 503 (POOL_WAIT_MS).
    pub wait: Duration,
    /// The `statement_timeout` of every tenant transaction (STATEMENT_TIMEOUT_MS).
    pub statement_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            size: 10,
            wait: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(10),
        }
    }
}

/// Why no connection could be had.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("no database connection free within {0:?} (all {1} in use)")]
    Timeout(Duration, usize),
    #[error(transparent)]
    Connect(#[from] DbError),
}

/// A few reusable connections: at most `size` in use at once; idle ones are kept for the next
/// request; a request waits at most `wait` for one. Connections are made by retort's
/// [`Endpoint`], so URLs mean the same as for retort (socket directories, PG* environment
/// variables, connect_timeout).
#[derive(Clone)]
pub struct Pool {
    inner: Arc<PoolInner>,
}

struct PoolInner {
    target: Endpoint,
    settings: PoolSettings,
    idle: Mutex<Vec<Conn>>,
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
}

/// A connection and the statements prepared on it.
struct Conn {
    client: Client,
    statements: Statements,
}

/// A connection taken from a [`Pool`]; it goes back when dropped (unless it broke), with its
/// prepared statements ([`PooledClient::cached`]).
pub struct PooledClient {
    conn: Option<Conn>,
    inner: Arc<PoolInner>,
    _permit: OwnedSemaphorePermit,
}

/// What the pool is doing, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStatus {
    pub size: usize,
    pub in_use: usize,
    pub idle: usize,
    pub waiting: usize,
}

impl Pool {
    pub fn new(url: &str, settings: PoolSettings) -> Result<Self, DbError> {
        let size = settings.size.max(1);
        Ok(Self {
            inner: Arc::new(PoolInner {
                target: Endpoint::parse(url)?,
                settings: PoolSettings { size, ..settings },
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(size)),
                waiting: AtomicUsize::new(0),
            }),
        })
    }

    pub fn status(&self) -> PoolStatus {
        let size = self.inner.settings.size;
        PoolStatus {
            size,
            in_use: size - self.inner.permits.available_permits(),
            idle: self.inner.idle.lock().map(|i| i.len()).unwrap_or(0),
            waiting: self.inner.waiting.load(Ordering::Relaxed),
        }
    }

    /// An idle connection, or a new one; waits while `size` are in use, at most `wait`.
    pub async fn get(&self) -> Result<PooledClient, PoolError> {
        let settings = self.inner.settings;
        self.inner.waiting.fetch_add(1, Ordering::Relaxed);
        let acquired = tokio::time::timeout(
            settings.wait,
            Arc::clone(&self.inner.permits).acquire_owned(),
        )
        .await;
        self.inner.waiting.fetch_sub(1, Ordering::Relaxed);
        let permit = acquired
            .map_err(|_| PoolError::Timeout(settings.wait, settings.size))?
            .expect("the pool's semaphore is never closed");
        let reused = loop {
            let next = self
                .inner
                .idle
                .lock()
                .map(|mut idle| idle.pop())
                .ok()
                .flatten();
            match next {
                Some(conn) if conn.client.is_closed() => continue,
                other => break other,
            }
        };
        let conn = match reused {
            Some(conn) => conn,
            None => Conn {
                client: self.inner.target.connect("builtenv").await?,
                statements: Statements::default(),
            },
        };
        Ok(PooledClient {
            conn: Some(conn),
            inner: Arc::clone(&self.inner),
            _permit: permit,
        })
    }
}

impl PooledClient {
    fn conn(&self) -> &Conn {
        self.conn.as_ref().expect("present until dropped")
    }

    /// The connection with its prepared statements: each SQL text is prepared once per
    /// connection ([`statements`]).
    pub fn cached(&self) -> Cached<'_> {
        let conn = self.conn();
        Cached {
            client: &conn.client,
            statements: &conn.statements,
        }
    }

    /// The `statement_timeout` of the pool's tenant transactions.
    pub fn statement_timeout(&self) -> Duration {
        self.inner.settings.statement_timeout
    }
}

impl std::ops::Deref for PooledClient {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.conn().client
    }
}

impl Drop for PooledClient {
    fn drop(&mut self) {
        // A transaction dropped unfinished has queued its ROLLBACK on the connection already,
        // ahead of anything the next user sends.
        if let Some(conn) = self.conn.take().filter(|c| !c.client.is_closed()) {
            if let Ok(mut idle) = self.inner.idle.lock() {
                idle.push(conn);
            }
        }
    }
}
