//! A migration test kit: checks every project's migrations should pass, for any retort project.
//! (Kept in builtenv's tests for now; meant to move into retort.)
//!
//! - [`assert_single_head`]: the graph has one head (two heads mean a missing merge);
//! - [`assert_each_revision_reversible`]: from an empty database, each revision in turn is
//!   upgraded, downgraded and upgraded again, and the schema after each step equals the one the
//!   step should give (its down restores what was there before it; its up works again after it);
//! - [`assert_downgrade_to_base_restores`]: from head, `downgrade base` leaves the schema as it
//!   was before the first upgrade.
//!
//! "The schema" is [`schema_snapshot`]: one line per object of the database's catalog (schemas
//! and their privileges, extensions, relations, columns, constraints, indexes, types, functions,
//! triggers, policies, default privileges, event triggers), without OIDs or anything else that
//! differs between two databases holding the same schema. The migrator's own version tables are
//! left out.
#![allow(dead_code)]

use std::collections::BTreeSet;

use retort::runner::{Migrator, Quiet};

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

/// The database's schema as sorted lines (see the module documentation), leaving out the
/// relations whose names match the LIKE patterns in `exclude`.
pub async fn schema_snapshot(client: &tokio_postgres::Client, exclude: &[String]) -> Vec<String> {
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
            .unwrap_or_else(|e| panic!("snapshot query failed: {e:?}\n{query}"));
        for row in rows {
            let line: Option<String> = row.get(0);
            lines.insert(line.unwrap_or_default());
        }
    }
    lines.into_iter().collect()
}

/// [`schema_snapshot`] on a new connection to `url`. A new one each time: a session that saw an
/// extension dropped and created again by another session may keep stale state of it (TimescaleDB
/// then fails every query with "could not open relation with OID ...").
pub async fn snapshot_at(url: &str, exclude: &[String]) -> Vec<String> {
    let client = retort_test_support::connect(url).await;
    schema_snapshot(&client, exclude).await
}

/// LIKE patterns for the migrator's bookkeeping: its two tables and what belongs to them.
pub fn bookkeeping_patterns(migrator: &Migrator) -> Vec<String> {
    let tables = migrator.tables();
    [&tables.version, &tables.history]
        .into_iter()
        .map(|t| format!("{}%", t.replace('_', "\\_")))
        .collect()
}

/// Panics with the lines only in `expected` and only in `actual`, when they differ.
pub fn assert_same_schema(what: &str, expected: &[String], actual: &[String]) {
    if expected == actual {
        return;
    }
    let e: BTreeSet<&String> = expected.iter().collect();
    let a: BTreeSet<&String> = actual.iter().collect();
    let mut diff = String::new();
    for l in e.difference(&a) {
        diff.push_str(&format!("- {l}\n"));
    }
    for l in a.difference(&e) {
        diff.push_str(&format!("+ {l}\n"));
    }
    panic!("{what}: the schema differs (- expected, + actual):\n{diff}");
}

/// The graph has exactly one head.
pub fn assert_single_head(migrator: &Migrator) {
    let g = migrator.graph();
    let heads = g.ids(g.heads());
    assert_eq!(
        heads.len(),
        1,
        "the migrations have {} heads ({}); merge them (`retort merge heads -m ...`)",
        heads.len(),
        heads.join(", ")
    );
}

/// The revisions from base to head, in the order an upgrade applies them.
pub fn revisions_in_order(migrator: &Migrator) -> Vec<String> {
    let g = migrator.graph();
    let all: Vec<usize> = (0..g.len()).collect();
    let mut order = g.newest_first(&all);
    order.reverse();
    order.into_iter().map(|i| g.id(i).to_string()).collect()
}

/// From an empty database at `url`, for each revision R in order (its predecessor P, or base):
/// upgrade to R (schema S_R), downgrade to P (schema must equal S_P), upgrade to R again (must
/// equal S_R). Ends at head. Returns the schema before the first revision and at head.
pub async fn assert_each_revision_reversible(
    migrator: &Migrator,
    url: &str,
) -> (Vec<String>, Vec<String>) {
    let exclude = bookkeeping_patterns(migrator);
    let mut previous = "base".to_string();
    let empty = snapshot_at(url, &exclude).await;
    let mut before = empty.clone();
    for rev in revisions_in_order(migrator) {
        migrator
            .upgrade(url, &rev, &Quiet)
            .await
            .unwrap_or_else(|e| panic!("upgrade to {rev}: {e:?}"));
        let after = snapshot_at(url, &exclude).await;
        assert_ne!(
            before, after,
            "revision {rev} changed nothing in the schema"
        );
        migrator
            .downgrade(url, &previous, &Quiet)
            .await
            .unwrap_or_else(|e| panic!("downgrade of {rev} to {previous}: {e:?}"));
        assert_same_schema(
            &format!("after downgrading {rev} to {previous}"),
            &before,
            &snapshot_at(url, &exclude).await,
        );
        migrator
            .upgrade(url, &rev, &Quiet)
            .await
            .unwrap_or_else(|e| panic!("upgrade to {rev} again: {e:?}"));
        assert_same_schema(
            &format!("after upgrading to {rev} a second time"),
            &after,
            &snapshot_at(url, &exclude).await,
        );
        before = after;
        previous = rev;
    }
    (empty, before)
}

/// From wherever the database is, upgrade to head, then `downgrade base`: the schema must be
/// `expected` (the schema of the database before it was ever migrated).
pub async fn assert_downgrade_to_base_restores(
    migrator: &Migrator,
    url: &str,
    expected: &[String],
) {
    let exclude = bookkeeping_patterns(migrator);
    migrator
        .upgrade(url, "head", &Quiet)
        .await
        .unwrap_or_else(|e| panic!("upgrade head: {e:?}"));
    migrator
        .downgrade(url, "base", &Quiet)
        .await
        .unwrap_or_else(|e| panic!("downgrade base: {e:?}"));
    assert_same_schema(
        "after downgrade base",
        expected,
        &snapshot_at(url, &exclude).await,
    );
    let current = migrator.current(url).await.expect("current");
    assert!(current.is_empty(), "version rows left: {current:?}");
}
