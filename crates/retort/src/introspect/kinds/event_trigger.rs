//! Event triggers (`CREATE EVENT TRIGGER`), with their tag filter and enabled state; made last,
//! as pg_dump does, so they do not fire on the statements that make the rest.

use super::Kind;

pub(crate) const KIND: Kind = Kind {
    name: "event trigger",
    catalog: "pg_event_trigger",
    from: "FROM pg_catalog.pg_event_trigger o WHERE pg_catalog.cardinality($1::text[]) = 0",
    schema: "''",
    identity: "o.evtname",
    definition: "'CREATE EVENT TRIGGER ' || pg_catalog.quote_ident(o.evtname) || ' ON ' || pg_catalog.quote_ident(o.evtevent) \
        || COALESCE(' WHEN TAG IN (' || (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(tg), ', ') \
             FROM pg_catalog.unnest(o.evttags) tg) || ')', '') \
        || ' EXECUTE FUNCTION ' || o.evtfoid::pg_catalog.regproc::text || '();' \
        || CASE o.evtenabled WHEN 'O' THEN '' ELSE E'\\nALTER EVENT TRIGGER ' || pg_catalog.quote_ident(o.evtname) \
             || CASE o.evtenabled WHEN 'D' THEN ' DISABLE' WHEN 'R' THEN ' ENABLE REPLICA' ELSE ' ENABLE ALWAYS' END || ';' END",
    drop: "'DROP EVENT TRIGGER ' || pg_catalog.quote_ident(o.evtname) || ';'",
    comment_on: "'EVENT TRIGGER ' || pg_catalog.quote_ident(o.evtname)",
    grant_on: "NULL",
    acl: None,
};
