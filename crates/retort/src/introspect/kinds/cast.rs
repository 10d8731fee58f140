//! Casts (`CREATE CAST`) made by the schema: with a function, without one, or through I/O.
//! Casts the system or an extension made, and those a type made for itself, are not read.

use super::Kind;

macro_rules! casted {
    () => {
        "'(' || pg_catalog.format_type(o.castsource, NULL) || ' AS ' || pg_catalog.format_type(o.casttarget, NULL) || ')'"
    };
}

pub(crate) const KIND: Kind = Kind {
    name: "cast",
    catalog: "pg_cast",
    from: "FROM pg_catalog.pg_cast o WHERE o.oid >= 16384 AND (pg_catalog.cardinality($1::text[]) = 0 \
           OR EXISTS (SELECT 1 FROM pg_catalog.pg_type ct JOIN pg_catalog.pg_namespace cn ON cn.oid = ct.typnamespace \
             WHERE ct.oid IN (o.castsource, o.casttarget) AND cn.nspname = ANY ($1::text[])))",
    schema: "''",
    identity: casted!(),
    definition: concat!(
        "'CREATE CAST ' || ",
        casted!(),
        " || CASE o.castmethod WHEN 'f' THEN ' WITH FUNCTION ' || o.castfunc::pg_catalog.regprocedure::text \
           WHEN 'i' THEN ' WITH INOUT' ELSE ' WITHOUT FUNCTION' END \
         || CASE o.castcontext WHEN 'a' THEN ' AS ASSIGNMENT' WHEN 'i' THEN ' AS IMPLICIT' ELSE '' END || ';'"
    ),
    drop: concat!("'DROP CAST ' || ", casted!(), " || ';'"),
    comment_on: concat!("'CAST ' || ", casted!()),
    grant_on: "NULL",
    acl: None,
};
