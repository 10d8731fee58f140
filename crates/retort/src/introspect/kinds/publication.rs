//! Publications (`CREATE PUBLICATION`): for all tables or for listed tables (with column
//! lists and row filters, PostgreSQL 15; read through `to_jsonb` so that older servers work too), and what they publish. Publications of whole schemas
//! (`FOR TABLES IN SCHEMA`) are reported as unsupported.

use super::Kind;

pub(crate) const KIND: Kind = Kind {
    name: "publication",
    catalog: "pg_publication",
    from: "FROM pg_catalog.pg_publication o CROSS JOIN LATERAL pg_catalog.to_jsonb(o) j \
           WHERE pg_catalog.cardinality($1::text[]) = 0",
    schema: "''",
    identity: "o.pubname",
    definition: "CASE WHEN NOT o.puballtables AND EXISTS (SELECT 1 FROM pg_catalog.pg_publication_tables pt \
           WHERE pt.pubname = o.pubname AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel pr \
             JOIN pg_catalog.pg_class pc ON pc.oid = pr.prrelid JOIN pg_catalog.pg_namespace pcn ON pcn.oid = pc.relnamespace \
             WHERE pr.prpubid = o.oid AND ((pcn.nspname = pt.schemaname AND pc.relname = pt.tablename) OR pc.relkind = 'p'))) \
        THEN NULL ELSE \
        'CREATE PUBLICATION ' || pg_catalog.quote_ident(o.pubname) || CASE WHEN o.puballtables THEN ' FOR ALL TABLES' ELSE '' END \
        || ' WITH (publish = ' || pg_catalog.quote_literal(pg_catalog.concat_ws(', ', CASE WHEN o.pubinsert THEN 'insert' END, \
             CASE WHEN o.pubupdate THEN 'update' END, CASE WHEN o.pubdelete THEN 'delete' END, \
             CASE WHEN o.pubtruncate THEN 'truncate' END)) \
        || CASE WHEN (j->>'pubviaroot')::bool THEN ', publish_via_partition_root = true' ELSE '' END || ');' \
        || COALESCE((SELECT pg_catalog.string_agg(E'\\nALTER PUBLICATION ' || pg_catalog.quote_ident(o.pubname) || ' ADD TABLE ONLY ' \
             || pg_catalog.quote_ident(rn.nspname) || '.' || pg_catalog.quote_ident(rc.relname) \
             || CASE WHEN pj->>'prattrs' IS NULL THEN '' ELSE ' (' || (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(an), ', ') \
                  FROM pg_catalog.jsonb_array_elements_text(ptj->'attnames') an) || ')' END \
             || COALESCE(' WHERE (' || (ptj->>'rowfilter') || ')', '') || ';', '' \
             ORDER BY rn.nspname, rc.relname) \
           FROM pg_catalog.pg_publication_rel pr JOIN pg_catalog.pg_class rc ON rc.oid = pr.prrelid \
           JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
           CROSS JOIN LATERAL pg_catalog.to_jsonb(pr) pj \
           LEFT JOIN LATERAL (SELECT pg_catalog.to_jsonb(pt) AS ptj FROM pg_catalog.pg_publication_tables pt \
             WHERE pt.pubname = o.pubname AND pt.schemaname = rn.nspname AND pt.tablename = rc.relname) ptl ON true \
           WHERE pr.prpubid = o.oid), '') END",
    drop: "'DROP PUBLICATION ' || pg_catalog.quote_ident(o.pubname) || ';'",
    comment_on: "'PUBLICATION ' || pg_catalog.quote_ident(o.pubname)",
    grant_on: "NULL",
    acl: None,
};
