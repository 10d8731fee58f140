//! Extended statistics objects (`CREATE STATISTICS`), with their statistics target.

use super::Kind;

macro_rules! name {
    () => {
        "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.stxname)"
    };
}

pub(crate) const KIND: Kind = Kind {
    name: "statistics",
    catalog: "pg_statistic_ext",
    from: concat!(
        "FROM pg_catalog.pg_statistic_ext o JOIN pg_catalog.pg_namespace n ON n.oid = o.stxnamespace \
         CROSS JOIN LATERAL pg_catalog.to_jsonb(o) j WHERE ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.stxname",
    definition: concat!(
        "pg_catalog.pg_get_statisticsobjdef(o.oid) || ';' \
         || CASE WHEN (j->>'stxstattarget')::int >= 0 THEN E'\\nALTER STATISTICS ' || ",
        name!(),
        " || ' SET STATISTICS ' || (j->>'stxstattarget') || ';' ELSE '' END"
    ),
    drop: concat!("'DROP STATISTICS ' || ", name!(), " || ';'"),
    comment_on: concat!("'STATISTICS ' || ", name!()),
    grant_on: "NULL",
    acl: None,
};
