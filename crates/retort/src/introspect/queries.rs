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

/// The grants of an ACL as `grantee|privilege|grantable` texts, the owner's own left out. A NULL
/// ACL is the object type's default (`$kind` as for `acldefault`); for tables, sequences and
/// schemas that grants the owner alone, so no grant is read for it there.
macro_rules! grants {
    ($acl:literal, $owner:literal, "f") => {
        concat!(
            "ARRAY(SELECT (CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END) \
             || '|' || a.privilege_type || '|' || a.is_grantable::text \
             FROM pg_catalog.aclexplode(COALESCE(",
            $acl,
            ", pg_catalog.acldefault('f', ",
            $owner,
            "))) a WHERE a.grantee <> ",
            $owner,
            " ORDER BY 1)"
        )
    };
    ($acl:literal, $owner:literal, $kind:literal) => {
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

/// An empty search_path for this transaction (so renderers qualify every name), and the server
/// version.
/// Parallel plans are off: on catalog queries their workers' start-up costs more than they save.
pub const SETUP: &str = "SELECT pg_catalog.set_config('search_path', '', true)::text \
     || pg_catalog.set_config('max_parallel_workers_per_gather', '0', true) \
     || pg_catalog.set_config('jit', 'off', true), \
     pg_catalog.current_setting('server_version_num')::int4";

pub const SCHEMAS: &str = concat!(
    "SELECT n.nspname::text, ",
    comment!("pg_namespace", "n.oid", "0"),
    ", ",
    grants!("n.nspacl", "n.nspowner", "n"),
    " FROM pg_catalog.pg_namespace n WHERE ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_namespace", "n.oid"),
    " ORDER BY 1"
);

pub const EXTENSIONS: &str = concat!(
    "SELECT x.extname::text, n.nspname::text, x.extversion, ",
    comment!("pg_extension", "x.oid", "0"),
    ", ARRAY(SELECT rx.extname::text FROM pg_catalog.pg_depend rd \
       JOIN pg_catalog.pg_extension rx ON rx.oid = rd.refobjid \
       WHERE rd.classid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND rd.objid = x.oid \
       AND rd.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass ORDER BY 1) \
     FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace \
     WHERE x.oid >= 16384 AND ",
    ns_filter!(),
    " ORDER BY 1"
);

pub const ENUMS: &str = concat!(
    "SELECT n.nspname::text, t.typname::text, \
     ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder), ",
    comment!("pg_type", "t.oid", "0"),
    ", CASE WHEN t.typacl IS NULL THEN NULL ELSE ARRAY(SELECT (CASE WHEN a.grantee = 0 THEN 'PUBLIC' \
       ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END) || '|' || a.privilege_type || '|' || a.is_grantable::text \
       FROM pg_catalog.aclexplode(t.typacl) a WHERE a.grantee <> t.typowner ORDER BY 1) END",
    " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     WHERE t.typtype = 'e' AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_type", "t.oid"),
    " ORDER BY 1, 2"
);

pub const DOMAINS: &str = concat!(
    "SELECT n.nspname::text, t.typname::text, COALESCE(pg_catalog.format_type(t.typbasetype, t.typtypmod), ''), ",
    collation!("t.typcollation", "bt.typcollation"),
    ", pg_catalog.pg_get_expr(t.typdefaultbin, 'pg_catalog.pg_type'::pg_catalog.regclass), t.typnotnull, ",
    comment!("pg_type", "t.oid", "0"),
    ", CASE WHEN t.typacl IS NULL THEN NULL ELSE ARRAY(SELECT (CASE WHEN a.grantee = 0 THEN 'PUBLIC' \
       ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END) || '|' || a.privilege_type || '|' || a.is_grantable::text \
       FROM pg_catalog.aclexplode(t.typacl) a WHERE a.grantee <> t.typowner ORDER BY 1) END",
    " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype \
     WHERE t.typtype = 'd' AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_type", "t.oid"),
    " ORDER BY 1, 2"
);

pub const DOMAIN_CONSTRAINTS: &str = concat!(
    "SELECT n.nspname::text, t.typname::text, c.conname::text, COALESCE(pg_catalog.pg_get_constraintdef(c.oid), ''), ",
    comment!("pg_constraint", "c.oid", "0"),
    " FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_type t ON t.oid = c.contypid \
     JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     WHERE c.contype = 'c' AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_type", "t.oid"),
    " ORDER BY 1, 2, 3"
);

pub const COMPOSITES: &str = concat!(
    "SELECT n.nspname::text, t.typname::text, a.attname::text, \
     COALESCE(pg_catalog.format_type(a.atttypid, a.atttypmod), ''), ",
    collation!("a.attcollation", "at.typcollation"),
    ", ",
    comment!("pg_class", "c.oid", "a.attnum"),
    ", ",
    comment!("pg_type", "t.oid", "0"),
    ", CASE WHEN t.typacl IS NULL THEN NULL ELSE ARRAY(SELECT (CASE WHEN a.grantee = 0 THEN 'PUBLIC' \
       ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END) || '|' || a.privilege_type || '|' || a.is_grantable::text \
       FROM pg_catalog.aclexplode(t.typacl) a WHERE a.grantee <> t.typowner ORDER BY 1) END",
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
    "SELECT n.nspname::text, c.relname::text, COALESCE(pg_catalog.format_type(s.seqtypid, NULL), ''), \
     s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, c.relpersistence = 'u', \
     tn.nspname::text, tc.relname::text, ta.attname::text, dep.deptype::text, ",
    comment!("pg_class", "c.oid", "0"),
    ", ",
    grants!("c.relacl", "c.relowner", "s"),
    " FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid \
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
    "SELECT n.nspname::text, c.relname::text, c.relpersistence = 'u', \
     CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, \
     pn.nspname::text, pc.relname::text, \
     CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END, ",
    reloptions!(),
    ", c.relrowsecurity, c.relforcerowsecurity, c.relreplident::text, ",
    comment!("pg_class", "c.oid", "0"),
    ", ",
    grants!("c.relacl", "c.relowner", "r"),
    ", ARRAY(SELECT hn.nspname::text FROM pg_catalog.pg_inherits h \
       JOIN pg_catalog.pg_class hc ON hc.oid = h.inhparent JOIN pg_catalog.pg_namespace hn ON hn.oid = hc.relnamespace \
       WHERE h.inhrelid = c.oid AND NOT c.relispartition ORDER BY h.inhseqno), \
     ARRAY(SELECT hc.relname::text FROM pg_catalog.pg_inherits h \
       JOIN pg_catalog.pg_class hc ON hc.oid = h.inhparent \
       WHERE h.inhrelid = c.oid AND NOT c.relispartition ORDER BY h.inhseqno), \
     tn.nspname::text, tt.typname::text, tsp.spcname::text",
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
    "SELECT n.nspname::text, c.relname::text, a.attname::text, \
     COALESCE(pg_catalog.format_type(a.atttypid, a.atttypmod), ''), a.attnotnull, \
     pg_catalog.pg_get_expr(ad.adbin, CASE WHEN a.attgenerated <> '' THEN ad.adrelid ELSE 0 END), \
     a.attidentity::text, a.attgenerated::text, ",
    collation!("a.attcollation", "ty.typcollation"),
    ", ",
    comment!("pg_class", "c.oid", "a.attnum"),
    ", a.attinhcount > 0 AND NOT c.relispartition, a.attislocal, \
     CASE WHEN a.attstorage <> ty.typstorage THEN CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' \
       WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END END, \
     CASE WHEN COALESCE(a.attstattarget::int, -1) >= 0 THEN a.attstattarget::int END, \
     CASE pg_catalog.to_jsonb(a)->>'attcompression' WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END, ",
    grants!("a.attacl", "c.relowner", "r"),
    ", ",
    attoptions!(),
    " \
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

pub const CONSTRAINTS: &str = concat!(
    "SELECT n.nspname::text, c.relname::text, co.conname::text, co.contype::text, \
     COALESCE(pg_catalog.pg_get_constraintdef(co.oid), ''), \
     ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(co.conkey) WITH ORDINALITY k(num, ord) \
       JOIN pg_catalog.pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.num ORDER BY k.ord), \
     fn.nspname::text, fc.relname::text, co.condeferrable, co.condeferred, co.convalidated, \
     co.connoinherit, co.conislocal, co.conparentid <> 0, pin.nspname::text, pi.relname::text, ",
    comment!("pg_constraint", "co.oid", "0"),
    " FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_catalog.pg_class fc ON fc.oid = co.confrelid \
     LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace \
     LEFT JOIN pg_catalog.pg_inherits ii ON ii.inhrelid = co.conindid AND co.contype IN ('p', 'u', 'x') \
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
    "SELECT n.nspname::text, t.relname::text, ic.relname::text, \
     CASE WHEN k.oid IS NULL THEN pg_catalog.pg_get_indexdef(i.indexrelid) END, \
     i.indisunique, am.amname::text, \
     i.indpred IS NOT NULL, \
     pn.nspname::text, pc.relname::text, i.indisclustered, i.indisreplident, \
     k.oid IS NOT NULL, t.relkind = 'm', ",
    comment!("pg_class", "ic.oid", "0"),
    ", ARRAY(SELECT ia.attnum::int FROM pg_catalog.pg_attribute ia WHERE ia.attrelid = i.indexrelid \
       AND ia.attstattarget >= 0 ORDER BY ia.attnum), \
     ARRAY(SELECT ia.attstattarget::int FROM pg_catalog.pg_attribute ia WHERE ia.attrelid = i.indexrelid \
       AND ia.attstattarget >= 0 ORDER BY ia.attnum), \
     (SELECT its.spcname::text FROM pg_catalog.pg_tablespace its WHERE its.oid = ic.reltablespace) \
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
    "SELECT n.nspname::text, c.relname::text, t.tgname::text, COALESCE(pg_catalog.pg_get_triggerdef(t.oid), ''), \
     t.tgenabled::text, ",
    comment!("pg_trigger", "t.oid", "0"),
    " FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_class", "c.oid"),
    " ORDER BY 1, 2, 3"
);

pub const POLICIES: &str = concat!(
    "SELECT n.nspname::text, c.relname::text, p.polname::text, p.polpermissive, p.polcmd::text, \
     ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(r)::text END \
       FROM pg_catalog.unnest(p.polroles) r ORDER BY 1), \
     pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), ",
    comment!("pg_policy", "p.oid", "0"),
    " FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_class", "c.oid"),
    " ORDER BY 1, 2, 3"
);

/// Views and materialized views.
pub const VIEWS: &str = concat!(
    "SELECT n.nspname::text, c.relname::text, c.relkind = 'm', COALESCE(pg_catalog.pg_get_viewdef(c.oid), ''), \
     ",
    reloptions!(),
    ", ",
    comment!("pg_class", "c.oid", "0"),
    ", ",
    grants!("c.relacl", "c.relowner", "r"),
    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('v', 'm') AND ",
    ns_filter!(),
    " AND ",
    not_ext!("pg_class", "c.oid"),
    " ORDER BY 1, 2"
);

/// Functions and procedures (aggregates are catalog objects; a range type's constructors are
/// its own).
pub const FUNCTIONS: &str = concat!(
    "SELECT n.nspname::text, p.proname::text, COALESCE(pg_catalog.pg_get_function_identity_arguments(p.oid), ''), \
     p.prokind = 'p', COALESCE(pg_catalog.pg_get_functiondef(p.oid), ''), ",
    comment!("pg_proc", "p.oid", "0"),
    ", ",
    grants!("p.proacl", "p.proowner", "f"),
    " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
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
         SELECT DISTINCT a.kind, a.sch, a.nm, b.kind, b.sch, b.nm \
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
/// from [`super::kinds`]'s query.)
pub const UNSUPPORTED: &str = concat!(
    "SELECT COALESCE(u.d, '(unnamed object)') FROM ( \
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
       WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('v', 'm', 'f') \
       AND ((a.attstorage <> t.typstorage AND c.relkind <> 'f') \
         OR COALESCE(a.attstattarget::int, -1) >= 0 OR ",
    attoptions!(),
    " <> '{}') AND ",
    ns_filter!(),
    " UNION ALL \
     SELECT 'pg_catalog.pg_seclabel'::pg_catalog.regclass, 0, \
       'security label on ' || pg_catalog.pg_describe_object(o.classoid, o.objoid, o.objsubid) \
       FROM pg_catalog.pg_seclabel o \
     ) u WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend xd \
       WHERE xd.classid = u.classid AND xd.objid = u.objid AND xd.deptype = 'e') \
     ORDER BY 1"
);

/// Every query, by name, in the order they run on one connection (the test of the query count
/// reads its length). With two, [`EXPORT_SNAPSHOT`], a second `BEGIN`, `SET TRANSACTION
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
