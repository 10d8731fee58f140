//! Foreign data: wrappers, servers, user mappings and foreign tables, as pg_dump's
//! `dumpForeignDataWrapper`, `dumpForeignServer`, `dumpUserMappings` and `dumpTableSchema`
//! print them. A user mapping that holds a password is reported, never read into the model
//! (it would be printed); a foreign table that is a partition or inherits is reported too.

use super::Kind;

pub(crate) const WRAPPER: Kind = Kind {
    name: "foreign-data wrapper",
    catalog: "pg_foreign_data_wrapper",
    from: "FROM pg_catalog.pg_foreign_data_wrapper o WHERE pg_catalog.cardinality($1::text[]) = 0",
    schema: "''",
    identity: "o.fdwname",
    definition: concat!(
        "'CREATE FOREIGN DATA WRAPPER ' || pg_catalog.quote_ident(o.fdwname) \
         || CASE WHEN o.fdwhandler <> 0 THEN ' HANDLER ' || o.fdwhandler::pg_catalog.regproc::text ELSE '' END \
         || CASE WHEN o.fdwvalidator <> 0 THEN ' VALIDATOR ' || o.fdwvalidator::pg_catalog.regproc::text ELSE '' END || ",
        options_clause!("o.fdwoptions"),
        " || ';'"
    ),
    drop: "'DROP FOREIGN DATA WRAPPER ' || pg_catalog.quote_ident(o.fdwname) || ';'",
    comment_on: "'FOREIGN DATA WRAPPER ' || pg_catalog.quote_ident(o.fdwname)",
    grant_on: "'FOREIGN DATA WRAPPER ' || pg_catalog.quote_ident(o.fdwname)",
    acl: Some(("o.fdwacl", "o.fdwowner", "F")),
};

pub(crate) const SERVER: Kind = Kind {
    name: "server",
    catalog: "pg_foreign_server",
    from: "FROM pg_catalog.pg_foreign_server o JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = o.srvfdw \
           WHERE pg_catalog.cardinality($1::text[]) = 0",
    schema: "''",
    identity: "o.srvname",
    definition: concat!(
        "'CREATE SERVER ' || pg_catalog.quote_ident(o.srvname) \
         || COALESCE(' TYPE ' || pg_catalog.quote_literal(o.srvtype), '') \
         || COALESCE(' VERSION ' || pg_catalog.quote_literal(o.srvversion), '') \
         || ' FOREIGN DATA WRAPPER ' || pg_catalog.quote_ident(w.fdwname) || ",
        options_clause!("o.srvoptions"),
        " || ';'"
    ),
    drop: "'DROP SERVER ' || pg_catalog.quote_ident(o.srvname) || ';'",
    comment_on: "'SERVER ' || pg_catalog.quote_ident(o.srvname)",
    grant_on: "'FOREIGN SERVER ' || pg_catalog.quote_ident(o.srvname)",
    acl: Some(("o.srvacl", "o.srvowner", "S")),
};

macro_rules! mapping {
    () => {
        "'FOR ' || CASE WHEN o.umuser = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(o.umuser)) END \
         || ' SERVER ' || pg_catalog.quote_ident(o.srvname)"
    };
}

pub(crate) const USER_MAPPING: Kind = Kind {
    name: "user mapping",
    catalog: "pg_user_mapping",
    // The view, not the catalog: `pg_user_mapping` is readable by superusers only.
    from: "FROM (SELECT um.umid AS oid, um.umuser, um.srvname, um.umoptions FROM pg_catalog.pg_user_mappings um) o \
           WHERE pg_catalog.cardinality($1::text[]) = 0",
    schema: "''",
    identity: "CASE WHEN o.umuser = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(o.umuser)::text END || ' server ' || o.srvname",
    definition: concat!(
        "CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_options_to_table(o.umoptions) po WHERE po.option_name ~* 'password') \
         THEN NULL ELSE 'CREATE USER MAPPING ' || ",
        mapping!(),
        " || ",
        options_clause!("o.umoptions"),
        " || ';' END"
    ),
    drop: concat!("'DROP USER MAPPING ' || ", mapping!(), " || ';'"),
    comment_on: "NULL",
    grant_on: "NULL",
    acl: None,
};

macro_rules! table {
    () => {
        "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.relname)"
    };
}

pub(crate) const TABLE: Kind = Kind {
    name: "foreign table",
    catalog: "pg_class",
    from: concat!(
        "FROM pg_catalog.pg_class o JOIN pg_catalog.pg_namespace n ON n.oid = o.relnamespace \
         JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = o.oid \
         JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver WHERE o.relkind = 'f' AND ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.relname",
    definition: concat!(
        "CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = o.oid) THEN NULL ELSE \
         'CREATE FOREIGN TABLE ' || ",
        table!(),
        " || ' (' || COALESCE((SELECT pg_catalog.string_agg(E'\\n    ' || x.t, ',' ORDER BY x.k) FROM ( \
           SELECT (0, a.attnum::int, '') AS k, pg_catalog.quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod) \
             || CASE WHEN a.attfdwoptions IS NULL THEN '' ELSE ",
        options_clause!("a.attfdwoptions"),
        " END \
             || COALESCE((SELECT ' COLLATE ' || pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) \
                FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
                JOIN pg_catalog.pg_type at ON at.oid = a.atttypid \
                WHERE co.oid = a.attcollation AND a.attcollation <> at.typcollation), '') \
             || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END \
             || COALESCE((SELECT ' DEFAULT ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) FROM pg_catalog.pg_attrdef ad \
                WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum), '') AS t \
           FROM pg_catalog.pg_attribute a WHERE a.attrelid = o.oid AND a.attnum > 0 AND NOT a.attisdropped \
           UNION ALL SELECT (1, 0, k.conname::text), 'CONSTRAINT ' || pg_catalog.quote_ident(k.conname) || ' ' || pg_catalog.pg_get_constraintdef(k.oid) \
           FROM pg_catalog.pg_constraint k WHERE k.conrelid = o.oid) x), '') \
         || E'\\n) SERVER ' || pg_catalog.quote_ident(s.srvname) || ",
        options_clause!("ft.ftoptions"),
        " || ';' END"
    ),
    drop: concat!("'DROP FOREIGN TABLE ' || ", table!(), " || ';'"),
    comment_on: concat!("'FOREIGN TABLE ' || ", table!()),
    grant_on: concat!("'TABLE ' || ", table!()),
    acl: Some(("o.relacl", "o.relowner", "r")),
};
