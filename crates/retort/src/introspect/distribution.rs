//! Citus's catalog (`pg_dist_partition`, `pg_dist_colocation`, `pg_dist_shard`): which tables
//! are distributed or reference tables, and which relations are shards, left out of the model.
//!
//! The query names Citus's catalog tables, so it would not even plan without them: it runs only
//! where the setup query found `pg_catalog.pg_dist_partition` (one query more than without
//! Citus, whatever the number of tables).

use std::collections::BTreeMap;

use tokio_postgres::Row;

use crate::schema::distribution::{canonical_colocation, Distribution};
use crate::schema::{QualName, Schema};

/// Rows `kind, schema, name, partmethod, repmodel, autoconverted, column, colocationid,
/// shardcount`: `table` for each table in Citus's metadata, `shard` for each shard relation
/// present in this database (the coordinator holds reference tables' shards, and shards of
/// distributed tables when it has some).
pub const DISTRIBUTION: &str = concat!(
    "SELECT 'table', n.nspname::text, c.relname::text, p.partmethod::text, p.repmodel::text, \
       COALESCE(p.autoconverted, false), \
       CASE WHEN p.partmethod = 'h' THEN pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) END, \
       p.colocationid, g.shardcount \
     FROM pg_catalog.pg_dist_partition p JOIN pg_catalog.pg_class c ON c.oid = p.logicalrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_catalog.pg_dist_colocation g ON g.colocationid = p.colocationid \
     WHERE ",
    ns_filter!(),
    " UNION ALL \
     SELECT 'shard', n.nspname::text, c.relname::text || '_' || s.shardid::text, '', '', false, NULL, 0, 0 \
     FROM pg_catalog.pg_dist_shard s JOIN pg_catalog.pg_class c ON c.oid = s.logicalrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE ",
    ns_filter!(),
    " AND pg_catalog.to_regclass(pg_catalog.quote_ident(n.nspname) || '.' \
       || pg_catalog.quote_ident(c.relname::text || '_' || s.shardid::text)) IS NOT NULL \
     ORDER BY 1, 2, 3"
);

/// The rows of [`DISTRIBUTION`] where Citus is installed (`citus`), else none, without a query.
pub(super) async fn query(
    c: &super::CountingClient<'_>,
    citus: bool,
    p: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<Row>, super::IntrospectError> {
    if citus {
        c.query("distribution (Citus)", DISTRIBUTION, p).await
    } else {
        Ok(Vec::new())
    }
}

/// The distribution of each table into `s`, shard relations out of it; what the model does not
/// cover (append- or range-distributed tables, single-shard tables, local tables added to
/// Citus's metadata by hand) into `unsupported`.
pub(super) fn apply(s: &mut Schema, unsupported: &mut Vec<String>, rows: &[Row]) {
    // Colocation group id → its tables, for the canonical partner (the group's first table).
    let mut groups: BTreeMap<i32, QualName> = BTreeMap::new();
    let mut distributed: Vec<(QualName, String, i32, i32)> = Vec::new();
    for row in rows {
        let name = QualName::new(row.get::<_, String>(1), row.get::<_, String>(2));
        if row.get::<_, String>(0) == "shard" {
            s.tables.remove(&name);
            continue;
        }
        let Some(t) = s.tables.get_mut(&name) else {
            continue;
        };
        // A partition follows its parent's distribution.
        if t.partition_of.is_some() {
            continue;
        }
        let method: String = row.get(3);
        let repmodel: String = row.get(4);
        let autoconverted: bool = row.get(5);
        match (
            method.as_str(),
            repmodel.as_str(),
            row.get::<_, Option<String>>(6),
        ) {
            ("n", "t", _) => t.distribution = Some(Distribution::Reference),
            ("h", _, Some(column)) => {
                let group: i32 = row.get(7);
                let shards: Option<i32> = row.get(8);
                let first = groups.entry(group).or_insert_with(|| name.clone());
                if name < *first {
                    *first = name.clone();
                }
                distributed.push((name, column, group, shards.unwrap_or(0)));
            }
            // Citus made it a local table of its metadata by itself (a foreign key to a
            // reference table): still a plain table.
            ("n", "s", _) if autoconverted => {}
            _ => unsupported.push(format!(
                "Citus table {name} (distribution method {method}, replication model \
                 {repmodel}{})",
                if method == "n" {
                    ": a local or single-shard table of Citus's metadata"
                } else {
                    ""
                }
            )),
        }
    }
    for (name, column, group, shard_count) in distributed {
        let partner = groups.get(&group).filter(|first| **first != name).cloned();
        if let Some(t) = s.tables.get_mut(&name) {
            t.distribution = Some(Distribution::Distributed {
                column,
                shard_count,
                colocate_with: partner,
            });
        }
    }
    // Already canonical; this only keeps one definition of the form.
    canonical_colocation(s);
}
