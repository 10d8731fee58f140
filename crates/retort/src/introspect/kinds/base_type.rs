//! Base types (`CREATE TYPE t (INPUT = ..., OUTPUT = ...)`), as pg_dump's `dumpBaseType` prints
//! them, and shell types (`CREATE TYPE t;`) that no definition completed, as `dumpShellType`
//! does. A base type's I/O functions take or return the type itself, so the type and its
//! functions depend on each other: the shell that comes first is added to the model after the
//! dependencies are read (`schema::shell_type`), as pg_dump's `repairTypeFuncLoop` does. The
//! drop cascades, for the same reason: no order of plain drops removes a type and its I/O
//! functions.

use super::Kind;

macro_rules! name {
    () => {
        "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.typname)"
    };
}

/// `,\n    KEY = value` of a function reference (a `regproc` column), when it is set.
macro_rules! func_option {
    ($key:literal, $col:literal) => {
        concat!(
            "CASE WHEN ",
            $col,
            "::pg_catalog.oid <> 0 THEN E',\\n    ",
            $key,
            " = ' || ",
            $col,
            "::pg_catalog.regproc::text ELSE '' END"
        )
    };
}

pub(crate) const BASE: Kind = Kind {
    name: "base type",
    catalog: "pg_type",
    from: concat!(
        "FROM pg_catalog.pg_type o JOIN pg_catalog.pg_namespace n ON n.oid = o.typnamespace \
         CROSS JOIN LATERAL pg_catalog.to_jsonb(o) tj \
         WHERE o.typtype = 'b' AND o.typisdefined AND ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.typname",
    definition: concat!(
        "'CREATE TYPE ' || ",
        name!(),
        " || E' (\\n    INTERNALLENGTH = ' || CASE WHEN o.typlen = -1 THEN 'variable' ELSE o.typlen::text END \
         || E',\\n    INPUT = ' || o.typinput::text || E',\\n    OUTPUT = ' || o.typoutput::text || ",
        func_option!("RECEIVE", "o.typreceive"),
        " || ",
        func_option!("SEND", "o.typsend"),
        " || ",
        func_option!("TYPMOD_IN", "o.typmodin"),
        " || ",
        func_option!("TYPMOD_OUT", "o.typmodout"),
        " || ",
        func_option!("ANALYZE", "o.typanalyze"),
        // SUBSCRIPT: PostgreSQL 14 and later.
        " || CASE WHEN COALESCE(tj->>'typsubscript', '-') <> '-' THEN E',\\n    SUBSCRIPT = ' || (tj->>'typsubscript') ELSE '' END \
         || CASE WHEN o.typcollation <> 0 THEN E',\\n    COLLATABLE = true' ELSE '' END \
         || COALESCE(E',\\n    DEFAULT = ' || pg_catalog.quote_literal(o.typdefault), '') \
         || CASE WHEN o.typelem <> 0 THEN E',\\n    ELEMENT = ' || pg_catalog.format_type(o.typelem, NULL) ELSE '' END \
         || CASE WHEN o.typcategory::text <> 'U' THEN E',\\n    CATEGORY = ' || pg_catalog.quote_literal(o.typcategory::text) ELSE '' END \
         || CASE WHEN o.typispreferred THEN E',\\n    PREFERRED = true' ELSE '' END \
         || CASE WHEN o.typdelim::text <> ',' THEN E',\\n    DELIMITER = ' || pg_catalog.quote_literal(o.typdelim::text) ELSE '' END \
         || E',\\n    ALIGNMENT = ' || CASE o.typalign WHEN 'c' THEN 'char' WHEN 's' THEN 'int2' WHEN 'i' THEN 'int4' ELSE 'double' END \
         || E',\\n    STORAGE = ' || CASE o.typstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external' WHEN 'm' THEN 'main' ELSE 'extended' END \
         || CASE WHEN o.typbyval THEN E',\\n    PASSEDBYVALUE' ELSE '' END || E'\\n);'"
    ),
    drop: concat!("'DROP TYPE ' || ", name!(), " || ' CASCADE;'"),
    comment_on: concat!("'TYPE ' || ", name!()),
    grant_on: concat!("'TYPE ' || ", name!()),
    acl: Some(("o.typacl", "o.typowner", "T")),
};

/// A shell type that stays one (`CREATE TYPE t;` with nothing after it). Those a base type or a
/// range type needs are not read here: they are the type's own (see the module comment).
pub(crate) const SHELL: Kind = Kind {
    name: "shell type",
    catalog: "pg_type",
    from: concat!(
        "FROM pg_catalog.pg_type o JOIN pg_catalog.pg_namespace n ON n.oid = o.typnamespace \
         WHERE o.typtype = 'p' AND NOT o.typisdefined AND ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.typname",
    definition: concat!("'CREATE TYPE ' || ", name!(), " || ';'"),
    drop: concat!("'DROP TYPE ' || ", name!(), " || ';'"),
    comment_on: concat!("'TYPE ' || ", name!()),
    grant_on: "NULL",
    acl: None,
};
