//! `verify` and `verify --accept`: applied revisions' recorded checksums against their files.

use std::collections::BTreeSet;

use tokio_postgres::Client;

use super::query::exec;
use super::{Migrator, Observer, RunError, VerifyReport};
use crate::graph::RevIdx;

impl Migrator {
    pub(super) async fn verify_with(
        &self,
        client: &Client,
        heads: &[String],
    ) -> Result<VerifyReport, RunError> {
        let recorded = self.recorded_checksums(client).await?;
        let mut report = VerifyReport {
            unknown: heads
                .iter()
                .filter(|h| self.graph().index_of(h).is_none())
                .cloned()
                .collect(),
            ..VerifyReport::default()
        };
        for i in self.applied_set(heads) {
            let f = &self.graph().rev(i).file;
            match recorded.get(&f.id) {
                Some(c) if *c == f.checksum => report.ok.push(f.id.clone()),
                Some(_) => report.changed.push(f.id.clone()),
                None => report.unrecorded.push(f.id.clone()),
            }
        }
        Ok(report)
    }

    /// `verify`: applied revisions' recorded checksums against their files.
    pub async fn verify(&self, url: &str) -> Result<VerifyReport, RunError> {
        let client = self.connect(url).await?;
        let heads = self.read_heads(&client).await?;
        if self.tables_exist(&client).await? {
            self.verify_with(&client, &heads).await
        } else {
            Ok(VerifyReport::default())
        }
    }

    /// `verify --accept REV`: record the file's current checksum for applied revisions.
    pub async fn accept(
        &self,
        url: &str,
        revisions: &[String],
        obs: &dyn Observer,
    ) -> Result<Vec<String>, RunError> {
        self.locked(url, obs, |client| async move {
            let heads = self.read_heads(&client).await?;
            let applied: BTreeSet<RevIdx> = self.applied_set(&heads).into_iter().collect();
            let mut sql = String::from("BEGIN;\n");
            let mut done = Vec::new();
            for r in revisions {
                let idx = self.graph().get_revision(Some(r)).map_err(|e| {
                    RunError::Target(e.into_target_error(crate::resolve::Context::Other))
                })?;
                let Some(idx) = idx.filter(|i| applied.contains(i)) else {
                    return Err(RunError::Usage {
                        message: format!("revision {r} is not applied to this database"),
                        help: Some("`retort status` lists applied revisions".into()),
                    });
                };
                let f = &self.graph().rev(idx).file;
                sql.push_str(&self.tables.log_sql(
                    &f.id,
                    "accept",
                    "applied",
                    Some(&f.checksum),
                    "checksum accepted",
                ));
                done.push(f.id.clone());
            }
            sql.push_str("COMMIT;");
            exec(&client, &sql).await?;
            Ok(done)
        })
        .await
    }
}
