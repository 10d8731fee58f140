//! The migration lock: a PostgreSQL advisory lock keyed on the version table.

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use super::{emit, query_col, query_rows, Event, LockHolder, Observer, RunError, RunOptions};

/// Where the lock lives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LockMode {
    /// A session advisory lock on a dedicated connection, held for the whole run.
    #[default]
    Session,
    /// A transaction advisory lock taken in each migration's transaction, with the version rows
    /// re-read under it: works behind PgBouncer in transaction pooling, where session state
    /// does not survive between transactions.
    Transaction,
}

/// How often to say who holds the lock while waiting.
const REPORT_EVERY: Duration = Duration::from_secs(3);

/// A held session lock; released explicitly, or by the server when the connection ends.
///
/// It is taken on the connection that runs the migrations, not on a separate one: if retort is
/// killed while the server is still executing a migration, the orphaned backend keeps the lock
/// until it has finished (committed or rolled back) and exited, so the next run cannot read the
/// version rows before that migration's outcome is known and run it a second time.
pub(crate) struct SessionLock {
    key: i64,
}

impl SessionLock {
    pub(crate) async fn acquire(
        client: &Client,
        options: &RunOptions,
        key: i64,
        obs: &dyn Observer,
    ) -> Result<Self, RunError> {
        let start = Instant::now();
        let mut delay = Duration::from_millis(2);
        let mut next_report = start + Duration::from_secs(1);
        loop {
            let got = query_col(client, &format!("SELECT pg_try_advisory_lock({key})")).await?;
            if got.first().and_then(Option::as_deref) == Some("t") {
                emit(
                    obs,
                    Event::LockAcquired {
                        waited: start.elapsed(),
                    },
                );
                return Ok(Self { key });
            }
            let waited = start.elapsed();
            if options.lock_timeout.is_some_and(|t| waited >= t) {
                return Err(RunError::LockTimeout {
                    waited_secs: waited.as_secs_f64(),
                    holder: holder(client, key).await,
                });
            }
            if Instant::now() >= next_report {
                emit(
                    obs,
                    Event::LockWaiting {
                        waited,
                        holder: holder(client, key).await,
                    },
                );
                next_report = Instant::now() + REPORT_EVERY;
            }
            let mut sleep = delay;
            if let Some(t) = options.lock_timeout {
                sleep = sleep.min(t.saturating_sub(waited).max(Duration::from_millis(1)));
            }
            tokio::time::sleep(sleep).await;
            delay = (delay * 2).min(Duration::from_millis(100));
        }
    }

    pub(crate) async fn release(self, client: &Client) {
        let _ = client
            .batch_execute(&format!("SELECT pg_advisory_unlock({})", self.key))
            .await;
    }
}

/// The session holding the advisory lock `key`, if any.
pub(crate) async fn holder(client: &Client, key: i64) -> Option<LockHolder> {
    let k = key as u64;
    let (hi, lo) = (k >> 32, k & 0xffff_ffff);
    let rows = query_rows(
        client,
        &format!(
            "SELECT a.pid::text, coalesce(a.application_name, ''), coalesce(a.usename::text, ''), to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {hi} AND l.objid = {lo} AND l.objsubid = 1 LIMIT 1"
        ),
    )
    .await
    .ok()?;
    let row = rows.into_iter().next()?;
    Some(LockHolder {
        pid: row[0].as_deref()?.parse().ok()?,
        application_name: row[1].clone().unwrap_or_default(),
        user: row[2].clone().unwrap_or_default(),
        since: row[3].clone().unwrap_or_default(),
    })
}
