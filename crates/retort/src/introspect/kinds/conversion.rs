//! Encoding conversions (`CREATE [DEFAULT] CONVERSION`).

use super::Kind;

macro_rules! name {
    () => {
        "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.conname)"
    };
}

pub(crate) const KIND: Kind = Kind {
    name: "conversion",
    catalog: "pg_conversion",
    from: concat!(
        "FROM pg_catalog.pg_conversion o JOIN pg_catalog.pg_namespace n ON n.oid = o.connamespace WHERE ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.conname",
    definition: concat!(
        "'CREATE ' || CASE WHEN o.condefault THEN 'DEFAULT ' ELSE '' END || 'CONVERSION ' || ",
        name!(),
        " || ' FOR ' || pg_catalog.quote_literal(pg_catalog.pg_encoding_to_char(o.conforencoding)) \
         || ' TO ' || pg_catalog.quote_literal(pg_catalog.pg_encoding_to_char(o.contoencoding)) \
         || ' FROM ' || o.conproc::pg_catalog.regproc::text || ';'"
    ),
    drop: concat!("'DROP CONVERSION ' || ", name!(), " || ';'"),
    comment_on: concat!("'CONVERSION ' || ", name!()),
    grant_on: "NULL",
    acl: None,
};
