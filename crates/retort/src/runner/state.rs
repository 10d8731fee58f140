//! The database's migration state: the version table and applied log, read and checked before
//! anything runs (unknown rows, overlaps, interrupted revisions, changed files).

use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::query::{exec, query_col, query_rows};
use super::run::RunCtx;
use super::{lock, LockMode, Migrator, RunError};
use crate::db::query_error;
use crate::graph::RevIdx;

impl Migrator {
    /// A table with the version table's name that is not one: refuse before touching anything.
    pub(super) async fn check_version_table(&self, client: &Client) -> Result<(), RunError> {
        let columns = query_col(
            client,
            &format!(
                "SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass({}) AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                crate::sql::quote_literal(&self.tables.version_ident())
            ),
        )
        .await?;
        let columns: Vec<String> = columns.into_iter().flatten().collect();
        if !columns.is_empty() && !columns.iter().any(|c| c.starts_with("version_num ")) {
            return Err(RunError::NotAVersionTable {
                table: self.tables.version_ident(),
                columns: columns.join(", "),
            });
        }
        Ok(())
    }

    /// Version rows naming revisions that are not in the script directory.
    pub(super) fn check_known(&self, heads: &[String]) -> Result<(), RunError> {
        let unknown: Vec<String> = heads
            .iter()
            .filter(|h| self.graph().index_of(h).is_none())
            // A row no revision could have (blank, too long, odd characters) is shown quoted.
            .map(|h| match crate::script::check_revision_id(h) {
                Ok(()) => h.clone(),
                Err(_) => format!("{h:?}"),
            })
            .collect();
        if !unknown.is_empty() {
            return Err(RunError::UnknownApplied { revisions: unknown });
        }
        // A row and a row of one of its ancestors (along down_revision; a dependency on another
        // branch may have its own row): Alembic would call it an overlap of requested targets.
        let idxs: Vec<RevIdx> = heads
            .iter()
            .filter_map(|h| self.graph().index_of(h))
            .collect();
        for &i in &idxs {
            for a in self.graph().ancestors(&[i], false) {
                if a != i && idxs.contains(&a) {
                    return Err(RunError::OverlappingRows {
                        revision: self.graph().id(i).to_string(),
                        ancestor: self.graph().id(a).to_string(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Create the version table and log if absent; a missing privilege says which and what to do.
    pub(super) async fn create_tables(&self, client: &Client, sql: &str) -> Result<(), RunError> {
        self.check_version_table(client).await?;
        let result = client.batch_execute(sql).await;
        if result.is_err() {
            // In transaction mode `sql` ran in the lock's transaction.
            let _ = client.batch_execute("ROLLBACK").await;
        }
        match result {
            Ok(()) => Ok(()),
            Err(e) if lock::is_lock_lost(&e) => Err(RunError::LockLost),
            Err(e) if e.code().is_some_and(|c| c.code() == "42501") => {
                let detail = e
                    .as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_string());
                Err(RunError::Privilege {
                    detail,
                    tables: format!(
                        "{} and {}",
                        self.tables.version_ident(),
                        self.tables.history_ident()
                    ),
                })
            }
            Err(e) if e.code().is_some_and(|c| c.code() == "25006") => Err(RunError::ReadOnly {
                detail: e
                    .as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_string()),
            }),
            Err(e) => Err(RunError::Db(query_error(&e, None))),
        }
    }

    /// Version rows; empty if the version table does not exist yet.
    pub async fn read_heads(&self, client: &Client) -> Result<Vec<String>, RunError> {
        let exists = query_col(
            client,
            &format!(
                "SELECT to_regclass({})::text",
                crate::sql::quote_literal(&self.tables.version_ident())
            ),
        )
        .await?;
        if exists.first().is_none_or(Option::is_none) {
            return Ok(Vec::new());
        }
        Ok(query_col(
            client,
            &format!("SELECT version_num FROM {}", self.tables.version_ident()),
        )
        .await?
        .into_iter()
        .flatten()
        .collect())
    }

    /// Stop on interrupted non-transactional revisions, unknown version rows, changed files.
    pub(super) async fn check_state(
        &self,
        client: &Client,
        heads: &[String],
    ) -> Result<(), RunError> {
        self.check_known(heads)?;
        self.check_unfinished(client).await?;
        if !self.options.allow_changed {
            let report = self.verify_with(client, heads).await?;
            if !report.changed.is_empty() {
                return Err(RunError::Changed {
                    revisions: report.changed,
                });
            }
        }
        Ok(())
    }

    /// A non-transactional revision logged `started` (or `failed`) and never finished: in
    /// session mode it was interrupted (the lock excludes a run still going); in transaction
    /// mode another run may still be running it.
    pub(super) async fn check_unfinished(&self, client: &Client) -> Result<(), RunError> {
        let rows = query_rows(
            client,
            &format!("SELECT revision, direction, status FROM {} WHERE status IN ('started', 'failed') ORDER BY id LIMIT 1", self.tables.history_ident()),
        )
        .await?;
        let Some(row) = rows.first() else {
            return Ok(());
        };
        let revision = row[0].clone().unwrap_or_default();
        let path = self.graph().index_of(&revision).map_or_else(
            || "file missing".to_string(),
            |i| crate::util::display_path(&self.graph().rev(i).file.path),
        );
        let direction = row[1].clone().unwrap_or_default();
        if self.options.lock_mode == LockMode::Transaction && row[2].as_deref() == Some("started") {
            return Err(RunError::Unfinished {
                revision,
                path,
                direction,
            });
        }
        Err(RunError::Interrupted {
            revision,
            path,
            direction,
        })
    }

    /// In transaction mode, under the lock at the start of a step's transaction: the version
    /// rows; a refusal if a non-transactional revision was started and not finished (another
    /// run may be running it right now, outside the lock); this transaction's timeouts.
    pub(super) async fn read_heads_locked(
        &self,
        run: &RunCtx<'_>,
    ) -> Result<Vec<String>, RunError> {
        let client = run.client;
        let heads = self.read_heads(client).await?;
        self.check_unfinished(client).await?;
        let set = self.timeouts_sql(true);
        if !set.is_empty() {
            exec(client, &set).await?;
        }
        if let Some(w) = run.watch {
            w.set_pid(client).await?;
        }
        Ok(heads)
    }

    pub(super) async fn recorded_checksums(
        &self,
        client: &Client,
    ) -> Result<BTreeMap<String, String>, RunError> {
        let rows = query_rows(
            client,
            &format!(
                "SELECT DISTINCT ON (revision) revision, checksum FROM {} WHERE direction IN ('up', 'accept') AND status IN ('applied', 'resolved-applied') AND checksum IS NOT NULL ORDER BY revision, id DESC",
                self.tables.history_ident()
            ),
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((r[0].clone()?, r[1].clone()?)))
            .collect())
    }

    pub(super) fn applied_set(&self, heads: &[String]) -> Vec<RevIdx> {
        let idx: Vec<RevIdx> = heads
            .iter()
            .filter_map(|h| self.graph().index_of(h))
            .collect();
        let mut applied = self.graph().ancestors(&idx, true);
        applied.sort_unstable();
        applied
    }

    /// Whether the version table exists.
    pub(super) async fn version_table_exists(&self, client: &Client) -> Result<bool, RunError> {
        let r = query_col(
            client,
            &format!(
                "SELECT to_regclass({})::text",
                crate::sql::quote_literal(&self.tables.version_ident())
            ),
        )
        .await?;
        Ok(r.first().is_some_and(Option::is_some))
    }

    pub(super) async fn tables_exist(&self, client: &Client) -> Result<bool, RunError> {
        let r = query_col(
            client,
            &format!(
                "SELECT to_regclass({})::text",
                crate::sql::quote_literal(&self.tables.history_ident())
            ),
        )
        .await?;
        Ok(r.first().is_some_and(Option::is_some))
    }
}
