//! The catalog queries of introspection: one constant per object kind, each returning every
//! object of that kind in the chosen schemas (`$1`: schema names, empty for all non-system
//! schemas). Values come from PostgreSQL's own renderers, under an empty `search_path` so that
//! every name they print is schema-qualified. The catalog objects' query is built from their
//! kinds (`introspect::kinds`).

use std::sync::LazyLock;

/// Which namespaces (aliased `n`) are read: not the system ones, and those of `$1` if any.
macro_rules! ns_filter {
    () => {
        "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
         AND n.nspname !~ '^pg_(toast_)?temp_' \
         AND (pg_catalog.cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))"
    };
}

/// Not a member of an extension (`pg_depend` deptype `e`): `$catalog` is the object's catalog,
/// `$oid` its OID column.
macro_rules! not_ext {
    ($catalog:literal, $oid:literal) => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend xd WHERE xd.classid = 'pg_catalog.",
            $catalog,
            "'::pg_catalog.regclass AND xd.objid = ",
            $oid,
            " AND xd.deptype = 'e')"
        )
    };
}

/// The grants of an ACL as `grantee|privilege|grantable` texts, the owner's own left out unless
/// they differ from the owner's default (all privileges, no grant option: then each of the
/// owner's privileges is read, marked `|owner`, as pg_dump dumps them after `REVOKE ALL ... FROM
/// owner`). A NULL ACL is the object type's default (`$kind` as for `acldefault`); for tables,
/// sequences and schemas that grants the owner alone, so no grant is read for it there.
/// `grants!(column ...)` reads a column's ACL, whose owner entries are always left out.
macro_rules! grants {
    ($acl:literal, $owner:literal, "f") => {
        concat!(
            "ARRAY(SELECT (CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END) \
             || '|' || a.privilege_type || '|' || a.is_grantable::text",
            owner_mark!($owner),
            " FROM pg_catalog.aclexplode(COALESCE(",
            $acl,
            ", pg_catalog.acldefault('f', ",
            $owner,
            "))) a WHERE a.grantee <> ",
            $owner,
            " OR ",
            owner_acl_differs!($acl, $owner, "f"),
            " ORDER BY 1)"
        )
    };
    (column $acl:literal, $owner:literal) => {
        concat!(
            "CASE WHEN ",
            $acl,
            " IS NULL THEN '{}'::text[] ELSE \
             ARRAY(SELECT (CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END) \
             || '|' || a.privilege_type || '|' || a.is_grantable::text \
             FROM pg_catalog.aclexplode(",
            $acl,
            ") a WHERE a.grantee <> ",
            $owner,
            " ORDER BY 1) END"
        )
    };
    ($acl:literal, $owner:literal, $kind:literal) => {
        concat!(
            "CASE WHEN ",
            $acl,
            " IS NULL THEN '{}'::text[] ELSE \
             ARRAY(SELECT (CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END) \
             || '|' || a.privilege_type || '|' || a.is_grantable::text",
            owner_mark!($owner),
            " FROM pg_catalog.aclexplode(",
            $acl,
            ") a WHERE a.grantee <> ",
            $owner,
            " OR ",
            owner_acl_differs!($acl, $owner, $kind),
            " ORDER BY 1) END"
        )
    };
}

/// `|owner` after a grant to the object's owner (see [`grants!`]).
macro_rules! owner_mark {
    ($owner:literal) => {
        concat!(
            " || CASE WHEN a.grantee = ",
            $owner,
            " THEN '|owner' ELSE '' END"
        )
    };
}

/// Whether the owner's entries of a non-NULL ACL differ from those of the kind's default ACL.
macro_rules! owner_acl_differs {
    ($acl:literal, $owner:literal, $kind:literal) => {
        concat!(
            "(",
            $acl,
            " IS NOT NULL AND ARRAY(SELECT DISTINCT o.privilege_type || o.is_grantable::text \
             FROM pg_catalog.aclexplode(",
            $acl,
            ") o WHERE o.grantee = ",
            $owner,
            " ORDER BY 1) IS DISTINCT FROM ARRAY(SELECT DISTINCT o.privilege_type || o.is_grantable::text \
             FROM pg_catalog.aclexplode(pg_catalog.acldefault('",
            $kind,
            "', ",
            $owner,
            ")) o WHERE o.grantee = ",
            $owner,
            " ORDER BY 1))"
        )
    };
}

/// A type's grants (`t`: its `pg_type` row), NULL while its ACL is the default; the owner's as
/// in [`grants!`].
macro_rules! type_grants {
    () => {
        concat!(
            "CASE WHEN t.typacl IS NULL THEN NULL ELSE ARRAY(SELECT (CASE WHEN a.grantee = 0 THEN 'PUBLIC' \
             ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END) || '|' || a.privilege_type || '|' || a.is_grantable::text",
            owner_mark!("t.typowner"),
            " FROM pg_catalog.aclexplode(t.typacl) a WHERE a.grantee <> t.typowner OR ",
            owner_acl_differs!("t.typacl", "t.typowner", "T"),
            " ORDER BY 1) END AS grants"
        )
    };
}

/// A collation other than the type's default (`$typcoll`: the type's collation, from a join), as
/// `schema."name"`; NULL otherwise.
macro_rules! collation {
    ($coll:literal, $typcoll:literal) => {
        concat!(
            "CASE WHEN ",
            $coll,
            " <> 0 AND ",
            $coll,
            " <> ",
            $typcoll,
            " THEN (SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) \
             FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
             WHERE co.oid = ",
            $coll,
            ") END"
        )
    };
}

/// A comment (`pg_description`) of an object: `$catalog`, `$oid`, `$sub` (column number or 0).
/// A relation's storage parameters in PostgreSQL's order, then its TOAST table's (`toast.`).
macro_rules! reloptions {
    () => {
        "ARRAY(SELECT z.o FROM (SELECT x.o, 0 AS s, x.i \
           FROM pg_catalog.unnest(c.reloptions) WITH ORDINALITY x(o, i) UNION ALL \
           SELECT 'toast.' || y.o, 1, y.i FROM pg_catalog.pg_class tc, \
             pg_catalog.unnest(tc.reloptions) WITH ORDINALITY y(o, i) \
           WHERE tc.oid = c.reltoastrelid) z ORDER BY z.s, z.i)"
    };
}

/// A column's attribute options (`n_distinct=100`), without the `pg_attver` entry that some
/// server builds keep there for themselves (pg_dump leaves it out too).
macro_rules! attoptions {
    () => {
        "ARRAY(SELECT o FROM pg_catalog.unnest(a.attoptions) o WHERE o NOT LIKE 'pg\\_attver=%')"
    };
}

macro_rules! comment {
    ($catalog:literal, $oid:literal, $sub:literal) => {
        concat!(
            "(SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.classoid = 'pg_catalog.",
            $catalog,
            "'::pg_catalog.regclass AND ds.objoid = ",
            $oid,
            " AND ds.objsubid = ",
            $sub,
            ")"
        )
    };
}

/// Opens the snapshot every query reads.
pub const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
/// Ends it.
pub const COMMIT: &str = "COMMIT";
/// With two connections: the first's snapshot, for the second (`SET TRANSACTION SNAPSHOT`).
pub const EXPORT_SNAPSHOT: &str = "SELECT pg_catalog.pg_export_snapshot()";

/// An empty search_path for this transaction (so renderers qualify every name), the server
/// version, and whether Citus's catalog is there (then `introspect::distribution`'s query runs
/// too).
/// Parallel plans are off: on catalog queries their workers' start-up costs more than they save.
pub const SETUP: &str = "SELECT pg_catalog.set_config('search_path', '', true)::text \
     || pg_catalog.set_config('max_parallel_workers_per_gather', '0', true) \
     || pg_catalog.set_config('jit', 'off', true) AS settings, \
     pg_catalog.current_setting('server_version_num')::int4 AS server_version, \
     pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL AS citus";

pub const SCHEMAS: &str = concat!(
    "SELECT n.nspname::text AS name, ",
    comment!("pg_namespace", "n.oid", "0"),
    " AS comment, ",
    grants!("n.nspacl", "n.nspowner", "n"),
    " AS grants FROM pg_catalog.pg_namespace n WHERE ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_namespace", "n.oid"),
    " ORDER BY 1"
);

pub const EXTENSIONS: &str = concat!(
    "SELECT x.extname::text AS name, n.nspname::text AS schema, x.extversion AS version, ",
    comment!("pg_extension", "x.oid", "0"),
    " AS comment, ARRAY(SELECT rx.extname::text FROM pg_catalog.pg_depend rd \
       JOIN pg_catalog.pg_extension rx ON rx.oid = rd.refobjid \
       WHERE rd.classid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND rd.objid = x.oid \
       AND rd.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass ORDER BY 1) AS requires, \
     ARRAY(SELECT p.target FROM pg_catalog.pg_extension_update_paths(x.extname) p \
       WHERE p.source = x.extversion AND p.path IS NOT NULL ORDER BY 1) AS update_targets \
     FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace \
     WHERE x.oid >= 16384 AND ",
    ns_filter!(),
    " ORDER BY 1"
);

pub const ENUMS: &str = concat!(
    "SELECT n.nspname::text AS schema, t.typname::text AS name, \
     ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels, ",
    comment!("pg_type", "t.oid", "0"),
    " AS comment, ",
    type_grants!(),
    " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     WHERE t.typtype = 'e' AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_type", "t.oid"),
    " ORDER BY 1, 2"
);

pub const DOMAINS: &str = concat!(
    "SELECT n.nspname::text AS schema, t.typname::text AS name, \
     COALESCE(pg_catalog.format_type(t.typbasetype, t.typtypmod), '') AS base_type, ",
    collation!("t.typcollation", "bt.typcollation"),
    " AS collation, pg_catalog.pg_get_expr(t.typdefaultbin, 'pg_catalog.pg_type'::pg_catalog.regclass) AS default_value, \
     t.typnotnull AS not_null, ",
    comment!("pg_type", "t.oid", "0"),
    " AS comment, ",
    type_grants!(),
    " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype \
     WHERE t.typtype = 'd' AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_type", "t.oid"),
    " ORDER BY 1, 2"
);

pub const DOMAIN_CONSTRAINTS: &str = concat!(
    "SELECT n.nspname::text AS schema, t.typname::text AS type_name, c.conname::text AS name, \
     COALESCE(pg_catalog.pg_get_constraintdef(c.oid), '') AS definition, ",
    comment!("pg_constraint", "c.oid", "0"),
    " AS comment FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_type t ON t.oid = c.contypid \
     JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     WHERE c.contype = 'c' AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_type", "t.oid"),
    " ORDER BY 1, 2, 3"
);

pub const COMPOSITES: &str = concat!(
    "SELECT n.nspname::text AS schema, t.typname::text AS name, a.attname::text AS attribute, \
     COALESCE(pg_catalog.format_type(a.atttypid, a.atttypmod), '') AS data_type, ",
    collation!("a.attcollation", "at.typcollation"),
    " AS collation, ",
    comment!("pg_class", "c.oid", "a.attnum"),
    " AS attribute_comment, ",
    comment!("pg_type", "t.oid", "0"),
    " AS comment, ",
    type_grants!(),
    " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_class c ON c.oid = t.typrelid AND c.relkind = 'c' \
     JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
     LEFT JOIN pg_catalog.pg_type at ON at.oid = a.atttypid \
     WHERE ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_type", "t.oid"),
    " ORDER BY 1, 2, a.attnum"
);

/// Sequences, with what owns them: `a` (OWNED BY) or `i` (an identity column's).
pub const SEQUENCES: &str = concat!(
    "SELECT n.nspname::text AS schema, c.relname::text AS name, \
     COALESCE(pg_catalog.format_type(s.seqtypid, NULL), '') AS data_type, \
     s.seqstart AS seq_start, s.seqincrement AS seq_increment, s.seqmin AS seq_min, s.seqmax AS seq_max, \
     s.seqcache AS seq_cache, s.seqcycle AS seq_cycle, c.relpersistence = 'u' AS unlogged, \
     tn.nspname::text AS owner_schema, tc.relname::text AS owner_table, ta.attname::text AS owner_column, \
     dep.deptype::text AS deptype, ",
    comment!("pg_class", "c.oid", "0"),
    " AS comment, ",
    grants!("c.relacl", "c.relowner", "s"),
    " AS grants FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass \
       AND dep.objid = c.oid AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass \
       AND dep.refobjsubid > 0 AND dep.deptype IN ('a', 'i') \
     LEFT JOIN pg_catalog.pg_class tc ON tc.oid = dep.refobjid \
     LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace \
     LEFT JOIN pg_catalog.pg_attribute ta ON ta.attrelid = tc.oid AND ta.attnum = dep.refobjsubid \
     WHERE ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_class", "c.oid"),
    " ORDER BY 1, 2"
);

pub const TABLES: &str = concat!(
    "SELECT n.nspname::text AS schema, c.relname::text AS name, c.relpersistence = 'u' AS unlogged, \
     CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key, \
     pn.nspname::text AS parent_schema, pc.relname::text AS parent_name, \
     CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partition_bound, ",
    reloptions!(),
    " AS options, c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security, \
     c.relreplident::text AS replica_identity, ",
    comment!("pg_class", "c.oid", "0"),
    " AS comment, ",
    grants!("c.relacl", "c.relowner", "r"),
    " AS grants, ARRAY(SELECT hn.nspname::text FROM pg_catalog.pg_inherits h \
       JOIN pg_catalog.pg_class hc ON hc.oid = h.inhparent JOIN pg_catalog.pg_namespace hn ON hn.oid = hc.relnamespace \
       WHERE h.inhrelid = c.oid AND NOT c.relispartition ORDER BY h.inhseqno) AS parent_schemas, \
     ARRAY(SELECT hc.relname::text FROM pg_catalog.pg_inherits h \
       JOIN pg_catalog.pg_class hc ON hc.oid = h.inhparent \
       WHERE h.inhrelid = c.oid AND NOT c.relispartition ORDER BY h.inhseqno) AS parent_names, \
     tn.nspname::text AS of_type_schema, tt.typname::text AS of_type_name, tsp.spcname::text AS tablespace",
    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_catalog.pg_tablespace tsp ON tsp.oid = c.reltablespace \
     LEFT JOIN pg_catalog.pg_type tt ON tt.oid = c.reloftype \
     LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tt.typnamespace \
     LEFT JOIN pg_catalog.pg_inherits i ON i.inhrelid = c.oid AND c.relispartition \
     LEFT JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent \
     LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace \
     WHERE c.relkind IN ('r', 'p') AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_class", "c.oid"),
    " ORDER BY 1, 2"
);

/// Columns of tables, views and materialized views. A default cannot refer to columns, so it is
/// rendered without its table (`pg_get_expr(..., 0)`: the same text, without opening every table;
/// five times faster); a generated column's expression, which does, with it.
pub const COLUMNS: &str = concat!(
    "SELECT n.nspname::text AS schema, c.relname::text AS relation, a.attname::text AS name, \
     COALESCE(pg_catalog.format_type(a.atttypid, a.atttypmod), '') AS data_type, a.attnotnull AS not_null, \
     pg_catalog.pg_get_expr(ad.adbin, CASE WHEN a.attgenerated <> '' THEN ad.adrelid ELSE 0 END) AS expression, \
     a.attidentity::text AS identity, a.attgenerated::text AS generated, ",
    collation!("a.attcollation", "ty.typcollation"),
    " AS collation, ",
    comment!("pg_class", "c.oid", "a.attnum"),
    " AS comment, a.attinhcount > 0 AND NOT c.relispartition AS inherited, a.attislocal AS is_local, \
     CASE WHEN a.attstorage <> ty.typstorage THEN CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' \
       WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END END AS storage, \
     CASE WHEN COALESCE(a.attstattarget::int, -1) >= 0 THEN a.attstattarget::int END AS statistics, \
     CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END AS compression, ",
    grants!(column "a.attacl", "c.relowner"),
    " AS grants, ",
    attoptions!(),
    " AS options \
     FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
     JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
     WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm') AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_class", "c.oid"),
    " ORDER BY 1, 2, a.attnum"
);

/// [`COLUMNS`] for PostgreSQL 13, which has no `attcompression`. (Reading it through
/// `to_jsonb(a)` on every server instead made the whole row a JSON value per column: more than
/// half of the query's time.)
pub static COLUMNS_PG13: LazyLock<String> =
    LazyLock::new(|| COLUMNS.replace(COMPRESSION_PG14, "CASE NULL::\"char\" WHEN"));

/// What [`COLUMNS_PG13`] replaces.
const COMPRESSION_PG14: &str = "CASE a.attcompression WHEN";

/// The columns' query for a server of `version` (`server_version_num`).
pub fn columns_query(version: i32) -> &'static str {
    if version < 140_000 {
        COLUMNS_PG13.as_str()
    } else {
        COLUMNS
    }
}

pub const CONSTRAINTS: &str = concat!(
    "SELECT n.nspname::text AS schema, c.relname::text AS table_name, co.conname::text AS name, \
     co.contype::text AS kind, \
     CASE WHEN co.contype IN ('p', 'u') AND ic.reloptions IS NOT NULL \
       THEN pg_catalog.regexp_replace(COALESCE(pg_catalog.pg_get_constraintdef(co.oid), ''), '( DEFERRABLE.*)?$', \
         ' WITH (' || (SELECT pg_catalog.string_agg(pg_catalog.split_part(o, '=', 1) || '=' || \
           pg_catalog.quote_literal(pg_catalog.substr(o, pg_catalog.strpos(o, '=') + 1)), ', ') \
           FROM pg_catalog.unnest(ic.reloptions) o) || ')\\1') \
       ELSE COALESCE(pg_catalog.pg_get_constraintdef(co.oid), '') END AS definition, \
     ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(co.conkey) WITH ORDINALITY k(num, ord) \
       JOIN pg_catalog.pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns, \
     fn.nspname::text AS ref_schema, fc.relname::text AS ref_table, co.condeferrable AS deferrable, \
     co.condeferred AS deferred, co.convalidated AS validated, co.connoinherit AS no_inherit, \
     co.conislocal AS is_local, co.conparentid <> 0 AS has_parent, \
     pin.nspname::text AS parent_index_schema, pi.relname::text AS parent_index, ",
    comment!("pg_constraint", "co.oid", "0"),
    " AS comment FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_catalog.pg_class fc ON fc.oid = co.confrelid \
     LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace \
     LEFT JOIN pg_catalog.pg_inherits ii ON ii.inhrelid = co.conindid AND co.contype IN ('p', 'u', 'x') \
     LEFT JOIN pg_catalog.pg_class ic ON ic.oid = co.conindid AND co.contype IN ('p', 'u') \
     LEFT JOIN pg_catalog.pg_class pi ON pi.oid = ii.inhparent \
     LEFT JOIN pg_catalog.pg_namespace pin ON pin.oid = pi.relnamespace \
     WHERE c.relkind IN ('r', 'p') AND co.contype IN ('c', 'p', 'u', 'f', 'x') AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_class", "c.oid"),
    " ORDER BY 1, 2, 3"
);

/// Indexes of tables and materialized views, with whether a constraint owns them. (The predicate
/// of a partial index is read from the definition, which ends with it: `pg_get_expr` on it would
/// open every table again.)
pub const INDEXES: &str = concat!(
    "SELECT n.nspname::text AS schema, t.relname::text AS table_name, ic.relname::text AS name, \
     CASE WHEN k.oid IS NULL THEN pg_catalog.pg_get_indexdef(i.indexrelid) END AS definition, \
     i.indisunique AS is_unique, am.amname::text AS method, \
     i.indpred IS NOT NULL AS partial, \
     pn.nspname::text AS parent_schema, pc.relname::text AS parent_name, i.indisclustered AS clustered, \
     i.indisreplident AS replica_identity, k.oid IS NOT NULL AS backs_constraint, t.relkind = 'm' AS on_matview, ",
    comment!("pg_class", "ic.oid", "0"),
    " AS comment, ARRAY(SELECT ia.attnum::int FROM pg_catalog.pg_attribute ia WHERE ia.attrelid = i.indexrelid \
       AND ia.attstattarget >= 0 ORDER BY ia.attnum) AS statistics_columns, \
     ARRAY(SELECT ia.attstattarget::int FROM pg_catalog.pg_attribute ia WHERE ia.attrelid = i.indexrelid \
       AND ia.attstattarget >= 0 ORDER BY ia.attnum) AS statistics_targets, \
     (SELECT its.spcname::text FROM pg_catalog.pg_tablespace its WHERE its.oid = ic.reltablespace) AS tablespace \
     FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
     LEFT JOIN pg_catalog.pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid \
       AND k.contype IN ('p', 'u', 'x') \
     JOIN pg_catalog.pg_class t ON t.oid = i.indrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace \
     JOIN pg_catalog.pg_am am ON am.oid = ic.relam \
     LEFT JOIN pg_catalog.pg_inherits ii ON ii.inhrelid = i.indexrelid \
     LEFT JOIN pg_catalog.pg_class pc ON pc.oid = ii.inhparent \
     LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace \
     WHERE t.relkind IN ('r', 'p', 'm') AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_class", "t.oid"),
    " ORDER BY 1, 2, 3"
);

/// Triggers written by the user (not internal, not cloned onto partitions from a parent's).
pub const TRIGGERS: &str = concat!(
    "SELECT n.nspname::text AS schema, c.relname::text AS table_name, t.tgname::text AS name, \
     COALESCE(pg_catalog.pg_get_triggerdef(t.oid), '') AS definition, t.tgenabled::text AS enabled, \
     t.tgparentid <> 0 AS cloned, ",
    comment!("pg_trigger", "t.oid", "0"),
    " AS comment FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE NOT t.tgisinternal AND (t.tgparentid = 0 OR t.tgenabled <> (SELECT pt.tgenabled \
       FROM pg_catalog.pg_trigger pt WHERE pt.oid = t.tgparentid)) AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_class", "c.oid"),
    " ORDER BY 1, 2, 3"
);

pub const POLICIES: &str = concat!(
    "SELECT n.nspname::text AS schema, c.relname::text AS table_name, p.polname::text AS name, \
     p.polpermissive AS permissive, p.polcmd::text AS command, \
     ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(r)::text END \
       FROM pg_catalog.unnest(p.polroles) r ORDER BY 1) AS roles, \
     pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expr, \
     pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr, ",
    comment!("pg_policy", "p.oid", "0"),
    " AS comment FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_class", "c.oid"),
    " ORDER BY 1, 2, 3"
);

/// Views and materialized views.
pub const VIEWS: &str = concat!(
    "SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind = 'm' AS materialized, \
     COALESCE(pg_catalog.pg_get_viewdef(c.oid), '') AS definition, ",
    reloptions!(),
    " AS options, ",
    comment!("pg_class", "c.oid", "0"),
    " AS comment, ",
    grants!("c.relacl", "c.relowner", "r"),
    " AS grants FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('v', 'm') AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_class", "c.oid"),
    " ORDER BY 1, 2"
);

/// Functions and procedures (aggregates are catalog objects; a range type's constructors are
/// its own).
pub const FUNCTIONS: &str = concat!(
    "SELECT n.nspname::text AS schema, p.proname::text AS name, \
     COALESCE(pg_catalog.pg_get_function_identity_arguments(p.oid), '') AS arguments, \
     p.prokind = 'p' AS is_procedure, COALESCE(pg_catalog.pg_get_functiondef(p.oid), '') AS definition, ",
    comment!("pg_proc", "p.oid", "0"),
    " AS comment, ",
    grants!("p.proacl", "p.proowner", "f"),
    " AS grants FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
     WHERE p.prokind IN ('f', 'p', 'w') AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_proc", "p.oid"),
    " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend id WHERE id.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass \
       AND id.objid = p.oid AND id.deptype = 'i') ORDER BY 1, 2, 3"
);

/// The objects of the dependency query other than catalog objects: `classid, objid, kind, sch,
/// nm`.
const DEPENDENCY_OBJECTS: &str = concat!(
    "SELECT 'pg_catalog.pg_class'::pg_catalog.regclass AS classid, c.oid AS objid, \
         CASE WHEN c.relkind = 'c' THEN 'type' ELSE 'rel' END AS kind, n.nspname::text AS sch, c.relname::text AS nm \
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'c') AND ",
    ns_filter!(),
    " UNION ALL \
       SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid, \
         CASE WHEN tc.relkind IS NULL OR tc.relkind = 'c' THEN 'type' ELSE 'rel' END, n.nspname::text, \
         COALESCE(tc.relname, t.typname)::text \
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
       LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid \
       WHERE (t.typtype IN ('e', 'd') OR t.typrelid <> 0) AND ",
    ns_filter!(),
    " UNION ALL \
       SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, at.oid, \
         CASE WHEN tc.relkind IS NULL OR tc.relkind = 'c' THEN 'type' ELSE 'rel' END, n.nspname::text, \
         COALESCE(tc.relname, t.typname)::text \
       FROM pg_catalog.pg_type at JOIN pg_catalog.pg_type t ON t.oid = at.typelem AND t.typarray = at.oid \
       JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
       LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid \
       WHERE (t.typtype IN ('e', 'd') OR t.typrelid <> 0) AND ",
    ns_filter!(),
    " UNION ALL \
       SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, 'fn', n.nspname::text, \
         p.proname || '(' || COALESCE(pg_catalog.pg_get_function_identity_arguments(p.oid), '') || ')' \
       FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
       WHERE p.prokind IN ('f', 'p', 'w') AND ",
    ns_filter!(),
    " UNION ALL \
       SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass, r.oid, 'rel', n.nspname::text, c.relname::text \
       FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class \
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
       WHERE c.relkind IN ('v', 'm') AND ",
    ns_filter!(),
    " UNION ALL \
       SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass, k.oid, 'type', n.nspname::text, t.typname::text \
       FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_type t ON t.oid = k.contypid \
       JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
       WHERE ",
    ns_filter!(),
    ""
);

/// Dependencies between modelled objects, from `pg_depend`, each side named by its kind (`rel`
/// for tables, views and materialized views; `type`; `fn`; `obj` for catalog objects), schema
/// and name (`name(args)` for functions). View bodies are their `pg_rewrite` rules; domain
/// checks their constraints; array types stand for their element type. Catalog objects also
/// follow automatic dependencies (an operator class on its family, a statistics object on its
/// table). A view that reads its own columns depends on itself (every view's rule also names
/// its own relation as a whole, which is not that).
pub static DEPENDENCIES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH objs AS ({DEPENDENCY_OBJECTS} UNION ALL {}) \
         SELECT DISTINCT a.kind AS from_kind, a.sch AS from_schema, a.nm AS from_name, \
           b.kind AS to_kind, b.sch AS to_schema, b.nm AS to_name \
         FROM pg_catalog.pg_depend d \
         JOIN objs a ON a.classid = d.classid AND a.objid = d.objid \
         JOIN objs b ON b.classid = d.refclassid AND b.objid = d.refobjid \
         WHERE (d.deptype = 'n' OR (d.deptype = 'a' AND a.kind = 'obj')) \
           AND ((a.kind, a.sch, a.nm) <> (b.kind, b.sch, b.nm) \
             OR (d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.refobjsubid <> 0)) \
           AND (d.classid <> 'pg_catalog.pg_class'::pg_catalog.regclass OR a.kind IN ('type', 'obj')) \
         ORDER BY 1, 2, 3, 4, 5, 6",
        super::kinds::dependency_objects()
    )
});

/// Everything the model does not cover, one readable line each. Each branch gives the object's
/// catalog and OID too, so that extension members are left out once, at the end. (Catalog
/// objects of a modelled kind that use something their rendering does not cover are reported
/// from [`super::kinds`]'s query.) The grants on system objects are compared with
/// `pg_init_privs` through joins, not a sub-select per `pg_catalog` function and column (that
/// cost 0.1–0.3 s on every introspection, whatever the size of the schema).
pub const UNSUPPORTED: &str = concat!(
    "SELECT COALESCE(u.d, '(unnamed object)') AS description FROM ( \
     SELECT 'pg_catalog.pg_class'::pg_catalog.regclass AS classid, c.oid AS objid, \
       'tablespace ' || pg_catalog.quote_ident(s.spcname) || ' of ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS d \
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
       JOIN pg_catalog.pg_tablespace s ON s.oid = c.reltablespace \
       WHERE c.reltablespace <> 0 AND c.relkind NOT IN ('r', 'p', 'i', 'I') AND ",
    ns_filter!(),
    " UNION ALL \
     SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid, \
       'column setting of ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) || '.' \
       || pg_catalog.quote_ident(a.attname) || ': ' \
       || CASE WHEN a.attstorage <> t.typstorage AND c.relkind <> 'f' THEN 'STORAGE' \
               WHEN a.attstattarget >= 0 THEN 'STATISTICS' ELSE 'options' END \
       FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
       WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('v', 'f') \
       AND ((a.attstorage <> t.typstorage AND c.relkind <> 'f') \
         OR COALESCE(a.attstattarget::int, -1) >= 0 OR ",
    attoptions!(),
    " <> '{}') AND ",
    ns_filter!(),
    " UNION ALL \
     SELECT 'pg_catalog.pg_seclabel'::pg_catalog.regclass, 0, \
       'security label on ' || pg_catalog.pg_describe_object(o.classoid, o.objoid, o.objsubid) \
       FROM pg_catalog.pg_seclabel o \
     UNION ALL \
     SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid, \
       'grants on system relation pg_catalog.' || pg_catalog.quote_ident(c.relname) \
       FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_init_privs ip \
         ON ip.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND ip.objoid = c.oid AND ip.objsubid = 0 \
       WHERE c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace \
       AND pg_catalog.cardinality($1::text[]) = 0 \
       AND (c.relacl IS DISTINCT FROM ip.initprivs \
         OR EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_init_privs ia \
             ON ia.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND ia.objoid = a.attrelid \
             AND ia.objsubid = a.attnum \
           WHERE a.attrelid = c.oid AND a.attnum > 0 AND a.attacl IS DISTINCT FROM ia.initprivs)) \
     UNION ALL \
     SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, \
       'grants on system function pg_catalog.' || p.oid::pg_catalog.regprocedure::text \
       FROM pg_catalog.pg_proc p LEFT JOIN pg_catalog.pg_init_privs ip \
         ON ip.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND ip.objoid = p.oid AND ip.objsubid = 0 \
       WHERE p.pronamespace = 'pg_catalog'::pg_catalog.regnamespace \
       AND pg_catalog.cardinality($1::text[]) = 0 \
       AND p.proacl IS DISTINCT FROM ip.initprivs \
     UNION ALL \
     SELECT 'pg_catalog.pg_subscription'::pg_catalog.regclass, s.oid, \
       'subscription ' || pg_catalog.quote_ident(s.subname) \
       FROM pg_catalog.pg_subscription s \
       WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()) \
       AND pg_catalog.cardinality($1::text[]) = 0 \
     ) u WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend xd \
       WHERE xd.classid = u.classid AND xd.objid = u.objid AND xd.deptype = 'e') \
     ORDER BY 1"
);

/// Every query, by name, in the order they run on one connection (the test of the query count
/// reads its length); on a database with Citus, its distribution query comes in addition. With two, [`EXPORT_SNAPSHOT`], a second `BEGIN`, `SET TRANSACTION
/// SNAPSHOT`, a second [`SETUP`] and a second `COMMIT` come in addition.
pub static ALL: LazyLock<Vec<(&str, &str)>> = LazyLock::new(|| {
    vec![
        ("begin", BEGIN),
        ("setup", SETUP),
        ("schemas", SCHEMAS),
        ("extensions", EXTENSIONS),
        ("enums", ENUMS),
        ("domains", DOMAINS),
        ("domain constraints", DOMAIN_CONSTRAINTS),
        ("composite types", COMPOSITES),
        ("sequences", SEQUENCES),
        ("tables", TABLES),
        ("columns", COLUMNS),
        ("constraints", CONSTRAINTS),
        ("indexes", INDEXES),
        ("triggers", TRIGGERS),
        ("policies", POLICIES),
        ("views", VIEWS),
        ("functions", FUNCTIONS),
        ("objects", super::kinds::OBJECTS.as_str()),
        ("dependencies", DEPENDENCIES.as_str()),
        ("unsupported objects", UNSUPPORTED),
        ("commit", COMMIT),
    ]
});

#[cfg(test)]
mod tests {
    #[test]
    fn the_postgresql_13_columns_query_reads_no_attcompression() {
        assert!(super::COLUMNS.contains(super::COMPRESSION_PG14));
        assert!(!super::COLUMNS_PG13.contains("attcompression"));
        assert_eq!(super::columns_query(130_000), super::COLUMNS_PG13.as_str());
        assert_eq!(super::columns_query(150_000), super::COLUMNS);
    }
}
