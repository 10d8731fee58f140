//! Text search parsers, templates, dictionaries and configurations (with their token
//! mappings), as pg_dump's `dumpTSParser`, `dumpTSTemplate`, `dumpTSDictionary` and
//! `dumpTSConfig` print them.

use super::Kind;

macro_rules! qualified {
    ($col:literal) => {
        concat!(
            "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(",
            $col,
            ")"
        )
    };
}

pub(crate) const PARSER: Kind = Kind {
    name: "text search parser",
    catalog: "pg_ts_parser",
    from: concat!(
        "FROM pg_catalog.pg_ts_parser o JOIN pg_catalog.pg_namespace n ON n.oid = o.prsnamespace WHERE ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.prsname",
    definition: concat!(
        "'CREATE TEXT SEARCH PARSER ' || ",
        qualified!("o.prsname"),
        " || ' (START = ' || o.prsstart::pg_catalog.regproc::text || ', GETTOKEN = ' || o.prstoken::pg_catalog.regproc::text \
         || ', END = ' || o.prsend::pg_catalog.regproc::text || ', LEXTYPES = ' || o.prslextype::pg_catalog.regproc::text \
         || CASE WHEN o.prsheadline <> 0 THEN ', HEADLINE = ' || o.prsheadline::pg_catalog.regproc::text ELSE '' END || ');'"
    ),
    drop: concat!("'DROP TEXT SEARCH PARSER ' || ", qualified!("o.prsname"), " || ';'"),
    comment_on: concat!("'TEXT SEARCH PARSER ' || ", qualified!("o.prsname")),
    grant_on: "NULL",
    acl: None,
};

pub(crate) const TEMPLATE: Kind = Kind {
    name: "text search template",
    catalog: "pg_ts_template",
    from: concat!(
        "FROM pg_catalog.pg_ts_template o JOIN pg_catalog.pg_namespace n ON n.oid = o.tmplnamespace WHERE ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.tmplname",
    definition: concat!(
        "'CREATE TEXT SEARCH TEMPLATE ' || ",
        qualified!("o.tmplname"),
        " || ' (' || CASE WHEN o.tmplinit <> 0 THEN 'INIT = ' || o.tmplinit::pg_catalog.regproc::text || ', ' ELSE '' END \
         || 'LEXIZE = ' || o.tmpllexize::pg_catalog.regproc::text || ');'"
    ),
    drop: concat!("'DROP TEXT SEARCH TEMPLATE ' || ", qualified!("o.tmplname"), " || ';'"),
    comment_on: concat!("'TEXT SEARCH TEMPLATE ' || ", qualified!("o.tmplname")),
    grant_on: "NULL",
    acl: None,
};

pub(crate) const DICTIONARY: Kind = Kind {
    name: "text search dictionary",
    catalog: "pg_ts_dict",
    from: concat!(
        "FROM pg_catalog.pg_ts_dict o JOIN pg_catalog.pg_namespace n ON n.oid = o.dictnamespace \
         JOIN pg_catalog.pg_ts_template t ON t.oid = o.dicttemplate \
         JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace WHERE ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.dictname",
    definition: concat!(
        "'CREATE TEXT SEARCH DICTIONARY ' || ",
        qualified!("o.dictname"),
        " || ' (TEMPLATE = ' || pg_catalog.quote_ident(tn.nspname) || '.' || pg_catalog.quote_ident(t.tmplname) \
         || COALESCE(', ' || o.dictinitoption, '') || ');'"
    ),
    drop: concat!("'DROP TEXT SEARCH DICTIONARY ' || ", qualified!("o.dictname"), " || ';'"),
    comment_on: concat!("'TEXT SEARCH DICTIONARY ' || ", qualified!("o.dictname")),
    grant_on: "NULL",
    acl: None,
};

pub(crate) const CONFIGURATION: Kind = Kind {
    name: "text search configuration",
    catalog: "pg_ts_config",
    from: concat!(
        "FROM pg_catalog.pg_ts_config o JOIN pg_catalog.pg_namespace n ON n.oid = o.cfgnamespace \
         JOIN pg_catalog.pg_ts_parser p ON p.oid = o.cfgparser \
         JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace WHERE ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.cfgname",
    definition: concat!(
        "'CREATE TEXT SEARCH CONFIGURATION ' || ",
        qualified!("o.cfgname"),
        " || ' (PARSER = ' || pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.prsname) || ');' \
         || COALESCE((SELECT pg_catalog.string_agg(E'\\nALTER TEXT SEARCH CONFIGURATION ' || ",
        qualified!("o.cfgname"),
        " || ' ADD MAPPING FOR ' || mt.alias || ' WITH ' || mt.dicts || ';', '' ORDER BY mt.tok) \
           FROM (SELECT m.maptokentype AS tok, \
             (SELECT tt.alias FROM pg_catalog.ts_token_type(o.cfgparser) tt WHERE tt.tokid = m.maptokentype) AS alias, \
             pg_catalog.string_agg(m.mapdict::pg_catalog.regdictionary::text, ', ' ORDER BY m.mapseqno) AS dicts \
             FROM pg_catalog.pg_ts_config_map m WHERE m.mapcfg = o.oid GROUP BY m.maptokentype) mt), '')"
    ),
    drop: concat!("'DROP TEXT SEARCH CONFIGURATION ' || ", qualified!("o.cfgname"), " || ';'"),
    comment_on: concat!("'TEXT SEARCH CONFIGURATION ' || ", qualified!("o.cfgname")),
    grant_on: "NULL",
    acl: None,
};
