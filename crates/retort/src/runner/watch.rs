//! The blocker watch: with a server timeout set, a second connection samples what blocks the
//! migrating session, so that a timeout can name the blocking pid.

use std::time::Duration;

use tokio_postgres::Client;

use super::query::{query_col, query_rows};
use super::{Blocker, RunError};
use crate::db::Endpoint;

/// A second connection watching what blocks the migrating session (`pg_blocking_pids`), opened
/// only when a server timeout is configured, so that a timeout can name the blocker: once the
/// statement has been cancelled it no longer waits, and its own session's transaction is aborted.
pub(super) struct Watch {
    client: Client,
    /// The migrating session's backend pid (per transaction in transaction mode: behind a
    /// pooler each transaction may run on another server connection).
    pid: std::sync::atomic::AtomicI32,
}

/// How often the watch asks what blocks the migrating session.
const WATCH_EVERY: Duration = Duration::from_millis(50);

impl Watch {
    /// Open the watch's own connection (named after the run's, with ` (watch)`).
    pub(super) async fn connect(
        target: &Endpoint,
        application_name: &str,
    ) -> Result<Self, RunError> {
        Ok(Self {
            client: target
                .connect(&format!("{application_name} (watch)"))
                .await?,
            pid: std::sync::atomic::AtomicI32::new(0),
        })
    }

    pub(super) async fn set_pid(&self, client: &Client) -> Result<(), RunError> {
        let pid = query_col(client, "SELECT pg_backend_pid()")
            .await?
            .into_iter()
            .flatten()
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        self.pid.store(pid, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    pub(super) async fn blockers(&self) -> Vec<Blocker> {
        let pid = self.pid.load(std::sync::atomic::Ordering::Relaxed);
        if pid == 0 {
            return Vec::new();
        }
        let rows = query_rows(
            &self.client,
            &format!(
                "SELECT a.pid::text, coalesce(a.application_name, ''), coalesce(a.usename::text, ''), coalesce(a.state, ''), left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 80) \
                 FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids({pid})) ORDER BY a.pid"
            ),
        )
        .await
        .unwrap_or_default();
        rows.into_iter()
            .filter_map(|r| {
                Some(Blocker {
                    pid: r[0].as_deref()?.parse().ok()?,
                    application_name: r[1].clone().unwrap_or_default(),
                    user: r[2].clone().unwrap_or_default(),
                    state: r[3].clone().unwrap_or_default(),
                    query: r[4].clone().unwrap_or_default(),
                })
            })
            .collect()
    }
}

/// Run `fut` (a migration's statements) while the watch, if any, samples what blocks it; the
/// last sessions seen blocking it come back with the result.
pub(super) async fn watched<F>(
    watch: Option<&Watch>,
    fut: F,
) -> (Result<(), tokio_postgres::Error>, Vec<Blocker>)
where
    F: std::future::Future<Output = Result<(), tokio_postgres::Error>>,
{
    let Some(w) = watch else {
        return (fut.await, Vec::new());
    };
    let mut fut = std::pin::pin!(fut);
    let mut last = Vec::new();
    loop {
        tokio::select! {
            r = &mut fut => return (r, last),
            () = tokio::time::sleep(WATCH_EVERY) => {
                let now = w.blockers().await;
                if !now.is_empty() {
                    last = now;
                }
            }
        }
    }
}
