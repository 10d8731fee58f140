//! Publications (`CREATE PUBLICATION`): for all tables, for whole schemas (`FOR TABLES IN
//! SCHEMA`, PostgreSQL 15) or for listed tables (with column lists and row filters, PostgreSQL
//! 15; read through `to_jsonb` so that older servers work too), and what they publish.

use super::Kind;

/// The schemas a publication `o` publishes whole, each name hex-encoded, as a text array
/// (`pg_publication_namespace` is PostgreSQL 15's, so it is read through a query string run only
/// where it exists; hex keeps every name intact through XML).
macro_rules! published_schemas {
    () => {
        "(CASE WHEN pg_catalog.to_regclass('pg_catalog.pg_publication_namespace') IS NULL THEN '{}'::text[] \
          ELSE pg_catalog.xpath('//h/text()', pg_catalog.query_to_xml(pg_catalog.format( \
            'SELECT pg_catalog.encode(pg_catalog.convert_to(n.nspname, ''UTF8''), ''hex'') AS h \
             FROM pg_catalog.pg_publication_namespace pn JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid \
             WHERE pn.pnpubid = %s ORDER BY n.nspname', o.oid), false, false, ''))::text[] END)"
    };
}

/// The row filter of a published table `pr` (`pg_publication_rel.prqual`, PostgreSQL 15's, read
/// through a query string as above, hex-encoded). Not `pg_publication_tables.rowfilter`, which
/// is empty for a table that a schema the publication lists holds too.
macro_rules! row_filter {
    () => {
        "(CASE WHEN pj->>'prqual' IS NOT NULL THEN pg_catalog.convert_from(pg_catalog.decode((pg_catalog.xpath('//e/text()', \
          pg_catalog.query_to_xml(pg_catalog.format( \
            'SELECT pg_catalog.encode(pg_catalog.convert_to(pg_catalog.pg_get_expr(prqual, prrelid), ''UTF8''), ''hex'') AS e \
             FROM pg_catalog.pg_publication_rel WHERE oid = %s', pr.oid), false, false, '')))[1]::text, 'hex'), 'UTF8') END)"
    };
}

pub(crate) const KIND: Kind = Kind {
    name: "publication",
    catalog: "pg_publication",
    from: "FROM pg_catalog.pg_publication o CROSS JOIN LATERAL pg_catalog.to_jsonb(o) j \
           WHERE pg_catalog.cardinality($1::text[]) = 0",
    schema: "''",
    identity: "o.pubname",
    definition: concat!(
        "CASE WHEN NOT o.puballtables AND EXISTS (SELECT 1 FROM pg_catalog.pg_publication_tables pt \
           WHERE pt.pubname = o.pubname AND NOT pg_catalog.encode(pg_catalog.convert_to(pt.schemaname, 'UTF8'), 'hex') = ANY (",
        published_schemas!(),
        ") AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel pr \
             JOIN pg_catalog.pg_class pc ON pc.oid = pr.prrelid JOIN pg_catalog.pg_namespace pcn ON pcn.oid = pc.relnamespace \
             WHERE pr.prpubid = o.oid AND ((pcn.nspname = pt.schemaname AND pc.relname = pt.tablename) OR pc.relkind = 'p'))) \
        THEN NULL ELSE \
        'CREATE PUBLICATION ' || pg_catalog.quote_ident(o.pubname) || CASE WHEN o.puballtables THEN ' FOR ALL TABLES' ELSE '' END \
        || COALESCE(' FOR TABLES IN SCHEMA ' || (SELECT pg_catalog.string_agg(pg_catalog.quote_ident( \
             pg_catalog.convert_from(pg_catalog.decode(h, 'hex'), 'UTF8')), ', ' ORDER BY h) FROM pg_catalog.unnest(",
        published_schemas!(),
        ") h), '') \
        || ' WITH (publish = ' || pg_catalog.quote_literal(pg_catalog.concat_ws(', ', CASE WHEN o.pubinsert THEN 'insert' END, \
             CASE WHEN o.pubupdate THEN 'update' END, CASE WHEN o.pubdelete THEN 'delete' END, \
             CASE WHEN o.pubtruncate THEN 'truncate' END)) \
        || CASE WHEN (j->>'pubviaroot')::bool THEN ', publish_via_partition_root = true' ELSE '' END || ');' \
        || COALESCE((SELECT pg_catalog.string_agg(E'\\nALTER PUBLICATION ' || pg_catalog.quote_ident(o.pubname) || ' ADD TABLE ONLY ' \
             || pg_catalog.quote_ident(rn.nspname) || '.' || pg_catalog.quote_ident(rc.relname) \
             || CASE WHEN pj->>'prattrs' IS NULL THEN '' ELSE ' (' || (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(an), ', ') \
                  FROM pg_catalog.jsonb_array_elements_text(ptj->'attnames') an) || ')' END \
             || COALESCE(' WHERE (' || ",
        row_filter!(),
        " || ')', '') || ';', '' \
             ORDER BY rn.nspname, rc.relname) \
           FROM pg_catalog.pg_publication_rel pr JOIN pg_catalog.pg_class rc ON rc.oid = pr.prrelid \
           JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
           CROSS JOIN LATERAL pg_catalog.to_jsonb(pr) pj \
           LEFT JOIN LATERAL (SELECT pg_catalog.to_jsonb(pt) AS ptj FROM pg_catalog.pg_publication_tables pt \
             WHERE pt.pubname = o.pubname AND pt.schemaname = rn.nspname AND pt.tablename = rc.relname) ptl ON true \
           WHERE pr.prpubid = o.oid), '') END"
    ),
    drop: "'DROP PUBLICATION ' || pg_catalog.quote_ident(o.pubname) || ';'",
    comment_on: "'PUBLICATION ' || pg_catalog.quote_ident(o.pubname)",
    grant_on: "NULL",
    acl: None,
};
