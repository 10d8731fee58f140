//! `stamp` and `resolve`: set the version rows without running a revision, under the lock;
//! `ensure_version`: make the tables without setting any.

use std::collections::BTreeSet;

use tokio_postgres::Client;

use super::query::{exec, query_rows};
use super::{lock, Migrator, Observer, RunError, RunReport};
use crate::db::Endpoint;
use crate::plan::{self, Direction};

impl Migrator {
    /// Run `f` with the session lock held, and the tables present if anything is applied.
    pub(super) async fn locked<'a, T, F, Fut>(
        &'a self,
        url: &str,
        obs: &dyn Observer,
        f: F,
    ) -> Result<T, RunError>
    where
        F: FnOnce(Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, RunError>> + 'a,
    {
        let target = Endpoint::parse(url)?;
        let client = target.connect(&self.options.application_name).await?;
        // The lock goes with the connection: `f` consumes the client, and the server releases
        // the lock when the connection ends.
        let _lock =
            lock::SessionLock::acquire(&client, &self.options, self.tables.lock_key(), obs).await?;
        // With no version row nothing is applied, so there is nothing to accept or resolve: `f`
        // refuses, and the tables are not made for a command that changes nothing.
        self.check_version_table(&client).await?;
        if !self.read_heads(&client).await?.is_empty() || self.tables_exist(&client).await? {
            self.create_tables(&client, &self.tables.create_sql())
                .await?;
        }
        f(client).await
    }

    /// `ensure-version` (Alembic's `ensure_version`): make the version table and the applied
    /// log if they are missing, under the lock, changing nothing else. `true` when it made them.
    pub async fn ensure_version(&self, url: &str, obs: &dyn Observer) -> Result<bool, RunError> {
        let target = Endpoint::parse(url)?;
        let client = target.connect(&self.options.application_name).await?;
        let _lock =
            lock::SessionLock::acquire(&client, &self.options, self.tables.lock_key(), obs).await?;
        self.check_version_table(&client).await?;
        if self.tables_exist(&client).await? && self.version_table_exists(&client).await? {
            return Ok(false);
        }
        self.create_tables(&client, &self.tables.create_sql())
            .await?;
        Ok(true)
    }

    /// `stamp TARGET... [--purge]`: set the version rows without running anything.
    pub async fn stamp(
        &self,
        url: &str,
        targets: &[String],
        purge: bool,
        obs: &dyn Observer,
    ) -> Result<RunReport, RunError> {
        let target = Endpoint::parse(url)?;
        let client = target.connect(&self.options.application_name).await?;
        let _lock =
            lock::SessionLock::acquire(&client, &self.options, self.tables.lock_key(), obs).await?;
        // The targets are resolved before the tables are made: a refused stamp changes nothing.
        self.check_version_table(&client).await?;
        let heads = self.read_heads(&client).await?;
        let new_heads = plan::stamp(self.graph(), if purge { &[] } else { &heads }, targets)?;
        self.create_tables(&client, &self.tables.create_sql())
            .await?;
        {
            let mut sql = format!("BEGIN;\nDELETE FROM {};\n", self.tables.version_ident());
            for h in &new_heads {
                sql.push_str(
                    &self
                        .tables
                        .change_sql(&plan::VersionChange::Insert { version: h.clone() }),
                );
                let f = &self.graph().rev(self.graph().index_of(h).unwrap_or(0)).file;
                sql.push_str(&self.tables.log_sql(h, "stamp", "applied", None, &f.message));
            }
            sql.push_str("COMMIT;");
            exec(&client, &sql).await?;
            Ok(RunReport {
                steps: Vec::new(),
                heads_before: heads,
                heads_after: new_heads,
            })
        }
    }

    /// `resolve REV --applied|--rolled-back`: settle an interrupted non-transactional revision.
    pub async fn resolve(
        &self,
        url: &str,
        revision: &str,
        applied: bool,
        obs: &dyn Observer,
    ) -> Result<RunReport, RunError> {
        self.locked(url, obs, |client| async move {
            let no_run = || RunError::Usage {
                message: format!("revision {revision} has no interrupted run to resolve"),
                help: Some("`retort resolve` is only for a non-transactional revision that stopped part-way".into()),
            };
            if !self.tables_exist(&client).await? {
                return Err(no_run());
            }
            let rows = query_rows(
                &client,
                &format!("SELECT revision, direction FROM {} WHERE status IN ('started', 'failed') ORDER BY id", self.tables.history_ident()),
            )
            .await?;
            let full = self
                .graph()
                .get_revision(Some(revision))
                .map_err(|e| RunError::Target(e.into_target_error(crate::resolve::Context::Other)))?
                .map(|i| self.graph().id(i).to_string())
                .unwrap_or_default();
            let Some(row) = rows.iter().find(|r| r[0].as_deref() == Some(full.as_str())) else {
                return Err(no_run());
            };
            let heads = self.read_heads(&client).await?;
            let mut sql = String::from("BEGIN;\n");
            if applied {
                let direction = if row[1].as_deref() == Some("down") { Direction::Down } else { Direction::Up };
                let idx = self.graph().index_of(&full).unwrap_or(0);
                let set: BTreeSet<String> = heads.iter().cloned().collect();
                for c in plan::step_changes(self.graph(), &set, idx, direction)? {
                    sql.push_str(&self.tables.change_sql(&c));
                }
                sql.push_str(&self.tables.finish_sql(&full, "resolved-applied"));
            } else {
                sql.push_str(&self.tables.finish_sql(&full, "resolved-rolled-back"));
            }
            sql.push_str("COMMIT;");
            exec(&client, &sql).await?;
            let after = self.read_heads(&client).await?;
            Ok(RunReport {
                steps: Vec::new(),
                heads_before: heads,
                heads_after: after,
            })
        })
        .await
    }
}
