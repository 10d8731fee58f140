//! What `retort lint` asks of a database: which revisions are not applied yet, and how big
//! each table is (to leave empty tables alone and rank findings by what they would block).

use std::collections::{BTreeMap, BTreeSet};

use super::query::query_rows;
use super::{Migrator, RunError};
use crate::graph::RevIdx;
use crate::lint::TableSize;

/// Every table's size: `schema.name` → bytes of its heap (0: empty; indexes left out, as an
/// empty table's indexes still take a page) and estimated rows. A partitioned table has no heap
/// of its own, so it is left out (no size: never taken for empty).
const SIZES: &str = "SELECT n.nspname || '.' || c.relname, pg_relation_size(c.oid), \
     greatest(c.reltuples, 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg\\_toast%'";

impl Migrator {
    /// The revisions not applied to the database at `url` (oldest first), and its table sizes.
    pub async fn lint_context(
        &self,
        url: &str,
    ) -> Result<(Vec<RevIdx>, BTreeMap<String, TableSize>), RunError> {
        let client = self.connect(url).await?;
        let heads = self.read_heads(&client).await?;
        self.check_known(&heads)?;
        let applied: BTreeSet<RevIdx> = self.applied_set(&heads).into_iter().collect();
        let pending = (0..self.graph().len())
            .filter(|i| !applied.contains(i))
            .collect();
        let sizes = query_rows(&client, SIZES)
            .await?
            .into_iter()
            .filter_map(|r| {
                let num = |i: usize| r.get(i)?.as_deref()?.parse::<i64>().ok();
                let size = TableSize {
                    bytes: num(1)?,
                    rows: num(2)?,
                };
                Some((r.first()?.clone()?, size))
            })
            .collect();
        Ok((pending, sizes))
    }
}
