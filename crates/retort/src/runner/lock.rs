//! The migration lock: a PostgreSQL advisory lock keyed on the version table.

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use super::events::emit;
use super::query::{exec, query_rows};
use super::{Event, LockHolder, Observer, RunError, RunOptions};

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
    /// The pid of the server session that took it.
    pid: String,
}

/// The `pg_locks` condition of the advisory lock `key` (its two halves; `objsubid` 1: a bigint
/// key).
fn lock_match(key: i64) -> String {
    let k = key as u64;
    let (hi, lo) = (k >> 32, k & 0xffff_ffff);
    format!(
        "locktype = 'advisory' AND granted AND classid = {hi} AND objid = {lo} AND objsubid = 1"
    )
}

impl SessionLock {
    /// Take the lock, refusing to take it "again" on a session that already holds it (the lock
    /// is re-entrant within a session: behind a transaction pooler, another run's attempt can
    /// land on the server connection holding it), and note which session took it, in the same
    /// statement, so that [`SessionLock::guard`] can check every transaction against it.
    pub(crate) async fn acquire(
        client: &Client,
        options: &RunOptions,
        key: i64,
        obs: &dyn Observer,
    ) -> Result<Self, RunError> {
        let row = poll(
            client,
            options,
            key,
            obs,
            &format!(
                "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks WHERE {} AND pid = pg_backend_pid()) THEN false ELSE pg_try_advisory_lock({key}) END, pg_backend_pid()::text",
                lock_match(key)
            ),
            None,
        )
        .await?;
        Ok(Self {
            key,
            pid: row.get(1).cloned().flatten().unwrap_or_default(),
        })
    }

    /// SQL that starts each transaction of a session-mode run: it fails with SQLSTATE `RT001`
    /// unless the session running it is the one that took the lock (same pid) and still holds
    /// it. Connected directly this always holds; behind a pooler in transaction mode (PgBouncer
    /// `pool_mode = transaction`), where each transaction may run on another server
    /// connection, the lock stays on the one that took it, and without the guard two runs would
    /// each believe they held it and apply the same revisions. (Nor does it hold after a
    /// revision's `DISCARD ALL` or `pg_advisory_unlock_all()`, which release the lock.) About
    /// 0.1 ms per transaction.
    pub(crate) fn guard(&self) -> String {
        format!(
            "DO $retort$ BEGIN IF pg_backend_pid()::text IS DISTINCT FROM {pid} \
             OR NOT EXISTS (SELECT 1 FROM pg_locks WHERE {lock} AND pid = pg_backend_pid()) \
             THEN RAISE EXCEPTION 'retort: this session does not hold the migration lock' USING ERRCODE = '{LOCK_LOST}'; \
             END IF; END $retort$;\n",
            pid = crate::sql::quote_literal(&self.pid),
            lock = lock_match(self.key),
        )
    }

    pub(crate) async fn release(self, client: &Client) {
        let _ = client
            .batch_execute(&format!("SELECT pg_advisory_unlock({})", self.key))
            .await;
    }
}

/// SQLSTATE of the session guard's error.
const LOCK_LOST: &str = "RT001";

/// Whether `e` is the session guard's error.
pub(crate) fn is_lock_lost(e: &tokio_postgres::Error) -> bool {
    e.code().is_some_and(|c| c.code() == LOCK_LOST)
}

/// `lock_mode = "transaction"`: open a transaction holding the transaction advisory lock `key`.
/// Polled with `pg_try_advisory_xact_lock` in short transactions, like the session lock, rather
/// than blocking in `pg_advisory_xact_lock`: a waiter holds no pooled server connection while it
/// waits, `--lock-timeout` and the holder reports work as in session mode, the server's own
/// `lock_timeout` does not apply, and the run holding the lock, which takes it again right after
/// each commit, keeps it until it has finished instead of alternating with a waiter step by step
/// (an upgrade racing a downgrade would otherwise undo each other's steps indefinitely).
pub(crate) async fn begin_locked(
    client: &Client,
    options: &RunOptions,
    key: i64,
    obs: &dyn Observer,
) -> Result<(), RunError> {
    poll(
        client,
        options,
        key,
        obs,
        &format!("BEGIN; SELECT pg_try_advisory_xact_lock({key})"),
        Some("ROLLBACK"),
    )
    .await
    .map(drop)
}

/// Run `attempt` (whose last row's first column says whether the lock was taken) until it says
/// yes, backing off and reporting who holds the lock; `after_miss` undoes a failed attempt.
/// Returns that last row.
async fn poll(
    client: &Client,
    options: &RunOptions,
    key: i64,
    obs: &dyn Observer,
    attempt: &str,
    after_miss: Option<&str>,
) -> Result<Vec<Option<String>>, RunError> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(2);
    let mut next_report = start + Duration::from_secs(1);
    loop {
        let got = query_rows(client, attempt).await;
        let got = match got {
            Ok(g) => g,
            Err(e) => {
                if let Some(sql) = after_miss {
                    let _ = client.batch_execute(sql).await;
                }
                return Err(e);
            }
        };
        let row = got.into_iter().last().unwrap_or_default();
        if row.first().cloned().flatten().as_deref() == Some("t") {
            emit(
                obs,
                Event::LockAcquired {
                    waited: start.elapsed(),
                },
            );
            return Ok(row);
        }
        if let Some(sql) = after_miss {
            exec(client, sql).await?;
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

/// The session holding the advisory lock `key` in this database, if any. (`pg_locks` shows
/// every database's locks, and the same key is held in another database by a run migrating
/// that one: it does not block this run and must not be named.)
pub(crate) async fn holder(client: &Client, key: i64) -> Option<LockHolder> {
    let k = key as u64;
    let (hi, lo) = (k >> 32, k & 0xffff_ffff);
    let rows = query_rows(
        client,
        &format!(
            "SELECT a.pid::text, coalesce(a.application_name, ''), coalesce(a.usename::text, ''), to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.classid = {hi} AND l.objid = {lo} AND l.objsubid = 1 LIMIT 1"
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
