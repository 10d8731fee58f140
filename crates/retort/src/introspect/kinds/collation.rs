//! Collations (`CREATE COLLATION`), libc and ICU, deterministic or not; the locale fields are
//! read through `to_jsonb` so that the columns of PostgreSQL 13 to 17 all work.

use super::Kind;

pub(crate) const KIND: Kind = Kind {
    name: "collation",
    catalog: "pg_collation",
    from: concat!(
        "FROM pg_catalog.pg_collation o JOIN pg_catalog.pg_namespace n ON n.oid = o.collnamespace \
         CROSS JOIN LATERAL pg_catalog.to_jsonb(o) j WHERE ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.collname",
    definition: "'CREATE COLLATION ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.collname) \
        || ' (provider = ' || CASE o.collprovider WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' ELSE 'libc' END \
        || CASE WHEN NOT o.collisdeterministic THEN ', deterministic = false' ELSE '' END \
        || CASE WHEN o.collprovider IN ('i', 'b') \
             THEN ', locale = ' || pg_catalog.quote_literal(COALESCE(j->>'colllocale', j->>'colliculocale', j->>'collcollate')) \
           WHEN j->>'collcollate' = j->>'collctype' THEN ', locale = ' || pg_catalog.quote_literal(j->>'collcollate') \
           ELSE ', lc_collate = ' || pg_catalog.quote_literal(j->>'collcollate') \
             || ', lc_ctype = ' || pg_catalog.quote_literal(j->>'collctype') END \
        || COALESCE(', rules = ' || pg_catalog.quote_literal(j->>'collicurules'), '') || ');'",
    drop: "'DROP COLLATION ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.collname) || ';'",
    comment_on: "'COLLATION ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.collname)",
    grant_on: "NULL",
    acl: None,
};
