//! [`Snapshot`]: the database's schema as sorted catalog lines.

use std::collections::BTreeSet;
use std::fmt;

use crate::db::Endpoint;
use crate::runner::Migrator;

use super::KitError;

/// The catalog queries of [`schema_snapshot`]; `$1` is the list of relation names to leave out.
const SNAPSHOT_QUERIES: &[&str] = &[
    // schemas, with owner and privileges
    "SELECT format('schema %s owner=%s acl=%s', n.nspname, pg_get_userbyid(n.nspowner), n.nspacl)
     FROM pg_namespace n
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'",
    "SELECT format('extension %s %s schema=%s', e.extname, e.extversion, n.nspname)
     FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace",
    // relations (tables, indexes, sequences, views...) with row security and privileges
    "SELECT format('relation %s.%s kind=%s persistence=%s rls=%s force_rls=%s acl=%s options=%s',
                   n.nspname, c.relname, c.relkind, c.relpersistence, c.relrowsecurity,
                   c.relforcerowsecurity, c.relacl, c.reloptions)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       AND NOT (c.relname LIKE ANY ($1))",
    // columns, and their order
    "SELECT format('column %s.%s.%s %s not_null=%s default=%s identity=%s generated=%s collation=%s acl=%s',
                   n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                   a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
                   a.attcollation::regcollation, a.attacl)
     FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attnum > 0 AND NOT a.attisdropped
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       AND NOT (c.relname LIKE ANY ($1))",
    "SELECT format('column order %s.%s: %s', n.nspname, c.relname,
                   string_agg(a.attname, ', ' ORDER BY a.attnum))
     FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE a.attnum > 0 AND NOT a.attisdropped
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       AND NOT (c.relname LIKE ANY ($1))
     GROUP BY n.nspname, c.relname",
    // constraints of tables and domains
    "SELECT format('constraint %s.%s on %s: %s deferrable=%s deferred=%s validated=%s',
                   n.nspname, co.conname,
                   coalesce(co.conrelid::regclass::text, co.contypid::regtype::text),
                   pg_get_constraintdef(co.oid), co.condeferrable, co.condeferred,
                   co.convalidated)
     FROM pg_constraint co
     JOIN pg_namespace n ON n.oid = co.connamespace
     LEFT JOIN pg_class c ON c.oid = co.conrelid
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       AND NOT (coalesce(c.relname, '') LIKE ANY ($1))",
    "SELECT format('index %s valid=%s', pg_get_indexdef(i.indexrelid), i.indisvalid)
     FROM pg_index i
     JOIN pg_class c ON c.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       AND NOT (c.relname LIKE ANY ($1))",
    // types other than tables' row types and arrays; enums with their labels in order
    "SELECT format('type %s.%s kind=%s labels=%s base=%s not_null=%s default=%s acl=%s',
                   n.nspname, t.typname, t.typtype,
                   (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                    FROM pg_enum e WHERE e.enumtypid = t.oid),
                   nullif(t.typbasetype, 0)::regtype, t.typnotnull, t.typdefault, t.typacl)
     FROM pg_type t
     JOIN pg_namespace n ON n.oid = t.typnamespace
     LEFT JOIN pg_class c ON c.oid = t.typrelid
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       AND t.typcategory <> 'A'
       AND (t.typrelid = 0 OR c.relkind = 'c')",
    // functions and procedures, by signature, with a digest of their body
    "SELECT format('function %s.%s(%s) returns %s kind=%s lang=%s volatility=%s strict=%s security_definer=%s config=%s acl=%s body_md5=%s',
                   n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
                   pg_get_function_result(p.oid), p.prokind, l.lanname, p.provolatile,
                   p.proisstrict, p.prosecdef, p.proconfig, p.proacl, md5(p.prosrc))
     FROM pg_proc p
     JOIN pg_namespace n ON n.oid = p.pronamespace
     JOIN pg_language l ON l.oid = p.prolang
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
    "SELECT format('trigger %s enabled=%s', pg_get_triggerdef(tg.oid), tg.tgenabled)
     FROM pg_trigger tg
     JOIN pg_class c ON c.oid = tg.tgrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE NOT tg.tgisinternal
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
    "SELECT format('policy %s.%s %s permissive=%s command=%s roles=%s using=%s check=%s',
                   schemaname, tablename, policyname, permissive, cmd, roles, qual, with_check)
     FROM pg_policies",
    "SELECT format('default privileges role=%s schema=%s objtype=%s acl=%s',
                   pg_get_userbyid(d.defaclrole), d.defaclnamespace::regnamespace,
                   d.defaclobjtype, d.defaclacl)
     FROM pg_default_acl d",
    "SELECT format('event trigger %s on %s enabled=%s function=%s',
                   evtname, evtevent, evtenabled, evtfoid::regproc)
     FROM pg_event_trigger",
];

/// A database's schema as sorted lines, one per object (schemas and their privileges,
/// extensions, relations, columns and their order, constraints, indexes, types, functions,
/// triggers, policies, default privileges, event triggers). Two databases holding the same schema
/// give equal snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub lines: Vec<String>,
}

impl Snapshot {
    /// The lines only in `self` (`-`) and only in `other` (`+`), one per line; empty when equal.
    pub fn diff(&self, other: &Snapshot) -> String {
        let a: BTreeSet<&String> = self.lines.iter().collect();
        let b: BTreeSet<&String> = other.lines.iter().collect();
        let mut out = String::new();
        for l in a.difference(&b) {
            out.push_str(&format!("- {l}\n"));
        }
        for l in b.difference(&a) {
            out.push_str(&format!("+ {l}\n"));
        }
        out
    }

    /// Whether a line contains `text`.
    pub fn contains(&self, text: &str) -> bool {
        self.lines.iter().any(|l| l.contains(text))
    }
}

impl fmt::Display for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            writeln!(f, "{l}")?;
        }
        Ok(())
    }
}

/// The schema of the database `client` is connected to, leaving out the relations whose names
/// match the LIKE patterns in `exclude` (see [`bookkeeping_patterns`]).
pub async fn schema_snapshot(
    client: &tokio_postgres::Client,
    exclude: &[String],
) -> Result<Snapshot, KitError> {
    let mut lines = BTreeSet::new();
    for query in SNAPSHOT_QUERIES {
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = if query.contains("$1") {
            vec![&exclude]
        } else {
            Vec::new()
        };
        let rows = client
            .query(*query, &params)
            .await
            .map_err(|e| KitError::Snapshot {
                message: crate::db::query_error(&e, None).to_string(),
                query,
            })?;
        for row in rows {
            let line: Option<String> = row.get(0);
            lines.insert(line.unwrap_or_default());
        }
    }
    Ok(Snapshot {
        lines: lines.into_iter().collect(),
    })
}

/// [`schema_snapshot`] of the database at `url`, on a new connection, without `migrator`'s
/// version tables. A new connection each time: a session that saw an extension dropped and
/// created again by another session may keep stale state of it (TimescaleDB then fails every
/// query with "could not open relation with OID ...").
pub async fn snapshot_at(migrator: &Migrator, url: &str) -> Result<Snapshot, KitError> {
    let client = Endpoint::parse(url)?.connect("retort testkit").await?;
    schema_snapshot(&client, &bookkeeping_patterns(migrator)).await
}

/// LIKE patterns for the migrator's bookkeeping: its two tables and what is named after them
/// (their keys, the log's sequence).
pub fn bookkeeping_patterns(migrator: &Migrator) -> Vec<String> {
    let tables = migrator.tables();
    [&tables.version, &tables.history]
        .into_iter()
        .map(|t| format!("{}%", t.replace('_', "\\_")))
        .collect()
}
