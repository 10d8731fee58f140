//! Procedural languages, access methods and transforms made by the schema (not by an
//! extension, and not built in).

use super::Kind;

pub(crate) const LANGUAGE: Kind = Kind {
    name: "language",
    catalog: "pg_language",
    from: "FROM pg_catalog.pg_language o WHERE o.oid >= 16384 AND pg_catalog.cardinality($1::text[]) = 0",
    schema: "''",
    identity: "o.lanname",
    definition: "'CREATE ' || CASE WHEN o.lanpltrusted THEN 'TRUSTED ' ELSE '' END || 'LANGUAGE ' || pg_catalog.quote_ident(o.lanname) \
        || ' HANDLER ' || o.lanplcallfoid::pg_catalog.regproc::text \
        || CASE WHEN o.laninline <> 0 THEN ' INLINE ' || o.laninline::pg_catalog.regproc::text ELSE '' END \
        || CASE WHEN o.lanvalidator <> 0 THEN ' VALIDATOR ' || o.lanvalidator::pg_catalog.regproc::text ELSE '' END || ';'",
    drop: "'DROP LANGUAGE ' || pg_catalog.quote_ident(o.lanname) || ';'",
    comment_on: "'LANGUAGE ' || pg_catalog.quote_ident(o.lanname)",
    grant_on: "'LANGUAGE ' || pg_catalog.quote_ident(o.lanname)",
    acl: Some(("o.lanacl", "o.lanowner", "l")),
};

pub(crate) const ACCESS_METHOD: Kind = Kind {
    name: "access method",
    catalog: "pg_am",
    from: "FROM pg_catalog.pg_am o WHERE o.oid >= 16384 AND pg_catalog.cardinality($1::text[]) = 0",
    schema: "''",
    identity: "o.amname",
    definition: "'CREATE ACCESS METHOD ' || pg_catalog.quote_ident(o.amname) || ' TYPE ' \
        || CASE o.amtype WHEN 'i' THEN 'INDEX' ELSE 'TABLE' END || ' HANDLER ' || o.amhandler::pg_catalog.regproc::text || ';'",
    drop: "'DROP ACCESS METHOD ' || pg_catalog.quote_ident(o.amname) || ';'",
    comment_on: "'ACCESS METHOD ' || pg_catalog.quote_ident(o.amname)",
    grant_on: "NULL",
    acl: None,
};

macro_rules! transform {
    () => {
        "'FOR ' || pg_catalog.format_type(o.trftype, NULL) || ' LANGUAGE ' || pg_catalog.quote_ident(l.lanname)"
    };
}

pub(crate) const TRANSFORM: Kind = Kind {
    name: "transform",
    catalog: "pg_transform",
    from: "FROM pg_catalog.pg_transform o JOIN pg_catalog.pg_language l ON l.oid = o.trflang \
           WHERE pg_catalog.cardinality($1::text[]) = 0",
    schema: "''",
    identity: "pg_catalog.format_type(o.trftype, NULL) || ' language ' || l.lanname",
    definition: concat!(
        "'CREATE TRANSFORM ' || ",
        transform!(),
        " || ' (' || pg_catalog.concat_ws(', ', \
           CASE WHEN o.trffromsql <> 0 THEN 'FROM SQL WITH FUNCTION ' || o.trffromsql::pg_catalog.regprocedure::text END, \
           CASE WHEN o.trftosql <> 0 THEN 'TO SQL WITH FUNCTION ' || o.trftosql::pg_catalog.regprocedure::text END) || ');'"
    ),
    drop: concat!("'DROP TRANSFORM ' || ", transform!(), " || ';'"),
    comment_on: concat!("'TRANSFORM ' || ", transform!()),
    grant_on: "NULL",
    acl: None,
};
