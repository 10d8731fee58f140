//! Range types (`CREATE TYPE ... AS RANGE`) and their multiranges, as pg_dump's
//! `dumpRangeType` prints them. A canonical function takes and returns the range itself: the
//! shell type made before it is added to the model with the dependencies (`schema::shell_type`),
//! and such a range's drop cascades to it, as a base type's does to its I/O functions.

use super::Kind;

macro_rules! name {
    () => {
        "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.typname)"
    };
}

pub(crate) const KIND: Kind = Kind {
    name: "range type",
    catalog: "pg_type",
    from: concat!(
        "FROM pg_catalog.pg_type o JOIN pg_catalog.pg_namespace n ON n.oid = o.typnamespace \
         JOIN pg_catalog.pg_range r ON r.rngtypid = o.oid \
         JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype \
         CROSS JOIN LATERAL pg_catalog.to_jsonb(r) rj WHERE o.typtype = 'r' AND ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.typname",
    definition: concat!(
        "'CREATE TYPE ' || ",
        name!(),
        " || ' AS RANGE (' || pg_catalog.concat_ws(', ', \
           'subtype = ' || pg_catalog.format_type(r.rngsubtype, NULL), \
           (SELECT 'multirange_type_name = ' || pg_catalog.quote_ident(mn.nspname) || '.' || pg_catalog.quote_ident(mt.typname) \
              FROM pg_catalog.pg_type mt JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace \
              WHERE mt.oid = (rj->>'rngmultitypid')::pg_catalog.oid), \
           (SELECT 'subtype_opclass = ' || pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(c.opcname) \
              FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.opcnamespace \
              WHERE c.oid = r.rngsubopc AND NOT c.opcdefault), \
           CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN \
             (SELECT 'collation = ' || pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(c.collname) \
              FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.collnamespace WHERE c.oid = r.rngcollation) END, \
           CASE WHEN r.rngcanonical <> 0 THEN 'canonical = ' || r.rngcanonical::pg_catalog.regproc::text END, \
           CASE WHEN r.rngsubdiff <> 0 THEN 'subtype_diff = ' || r.rngsubdiff::pg_catalog.regproc::text END) || ');'"
    ),
    drop: concat!(
        "'DROP TYPE ' || ",
        name!(),
        " || CASE WHEN r.rngcanonical <> 0 THEN ' CASCADE' ELSE '' END || ';'"
    ),
    comment_on: concat!("'TYPE ' || ", name!()),
    grant_on: concat!("'TYPE ' || ", name!()),
    acl: Some(("o.typacl", "o.typowner", "T")),
};
