//! Read-only commands: `current`, `is_at_head` (readiness) and `status`.

use std::collections::{BTreeMap, BTreeSet};

use tokio_postgres::Client;

use super::query::query_rows;
use super::{Migrator, RevisionState, RevisionStatus, RunError};
use crate::db::Endpoint;
use crate::graph::RevIdx;
use crate::plan;

impl Migrator {
    pub(super) async fn connect(&self, url: &str) -> Result<Client, RunError> {
        Ok(Endpoint::parse(url)?
            .connect(&self.options.application_name)
            .await?)
    }

    /// `current`: the version rows.
    pub async fn current(&self, url: &str) -> Result<Vec<String>, RunError> {
        let client = self.connect(url).await?;
        self.read_heads(&client).await
    }

    /// Whether the database is at the script directory's heads (nothing left to upgrade): for
    /// readiness checks.
    pub async fn is_at_head(&self, url: &str) -> Result<bool, RunError> {
        let heads = self.current(url).await?;
        self.check_known(&heads)?;
        Ok(plan::upgrade(self.graph(), &heads, "heads")?
            .steps
            .is_empty())
    }

    /// `status`: every revision, oldest first, applied or pending.
    pub async fn status(&self, url: &str) -> Result<(Vec<String>, Vec<RevisionStatus>), RunError> {
        let client = self.connect(url).await?;
        let heads = self.read_heads(&client).await?;
        let (recorded, applied_at) = if self.tables_exist(&client).await? {
            let at = query_rows(
                &client,
                &format!(
                    "SELECT DISTINCT ON (revision) revision, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', direction FROM {} WHERE direction IN ('up', 'stamp') AND status IN ('applied', 'resolved-applied') ORDER BY revision, id DESC",
                    self.tables.history_ident()
                ),
            )
            .await?;
            (
                self.recorded_checksums(&client).await?,
                at.into_iter()
                    .filter_map(|r| Some((r[0].clone()?, (r[1].clone()?, r[2].clone()?))))
                    .collect::<BTreeMap<_, _>>(),
            )
        } else {
            (BTreeMap::new(), BTreeMap::new())
        };
        let applied: BTreeSet<RevIdx> = self.applied_set(&heads).into_iter().collect();
        let all: Vec<RevIdx> = (0..self.graph().len()).collect();
        let mut order = self.graph().newest_first(&all);
        order.reverse();
        let rows = order
            .into_iter()
            .map(|i| {
                let f = &self.graph().rev(i).file;
                let is_applied = applied.contains(&i);
                let logged = applied_at.get(&f.id).filter(|_| is_applied);
                RevisionStatus {
                    revision: f.id.clone(),
                    message: f.message.clone(),
                    applied: is_applied,
                    state: match logged {
                        _ if !is_applied => RevisionState::Pending,
                        Some((_, direction)) if direction == "up" => RevisionState::Applied,
                        _ => RevisionState::Stamped,
                    },
                    applied_at: logged.map(|(at, _)| at.clone()),
                    checksum_ok: if is_applied {
                        recorded.get(&f.id).map(|c| *c == f.checksum)
                    } else {
                        None
                    },
                }
            })
            .collect();
        Ok((heads, rows))
    }
}
