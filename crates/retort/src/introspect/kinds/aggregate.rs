//! Aggregates (`CREATE AGGREGATE`): plain, moving-aggregate, with combine, serial and
//! deserial functions, ordered-set and hypothetical-set, as pg_dump's `dumpAgg` prints them.

use super::Kind;

/// `schema.name(args)`, with `*` for no arguments and `ORDER BY` for ordered-set aggregates.
macro_rules! signature {
    () => {
        "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) || '(' \
         || CASE WHEN p.pronargs = 0 THEN '*' ELSE pg_catalog.pg_get_function_identity_arguments(p.oid) END || ')'"
    };
}

/// `NAME = function` when set.
macro_rules! func {
    ($label:literal, $col:literal) => {
        concat!(
            "CASE WHEN ",
            $col,
            " <> 0 THEN '",
            $label,
            " = ' || ",
            $col,
            "::pg_catalog.regproc::text END"
        )
    };
}

/// `FINALFUNC_MODIFY = ...` when not the default for the kind of aggregate.
macro_rules! modify {
    ($label:literal, $col:literal, $fn:literal) => {
        concat!(
            "CASE WHEN ",
            $fn,
            " <> 0 AND ",
            $col,
            " <> (CASE WHEN a.aggkind = 'n' THEN 'r' ELSE 'w' END) THEN '",
            $label,
            " = ' || CASE ",
            $col,
            " WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END"
        )
    };
}

pub(crate) const KIND: Kind = Kind {
    name: "aggregate",
    catalog: "pg_proc",
    from: concat!(
        "FROM pg_catalog.pg_proc o JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = o.oid \
         JOIN pg_catalog.pg_proc p ON p.oid = o.oid \
         JOIN pg_catalog.pg_namespace n ON n.oid = o.pronamespace WHERE o.prokind = 'a' AND ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'",
    definition: concat!(
        "'CREATE AGGREGATE ' || ",
        signature!(),
        " || ' (' || pg_catalog.concat_ws(', ', ",
        func!("SFUNC", "a.aggtransfn"),
        ", 'STYPE = ' || pg_catalog.format_type(a.aggtranstype, NULL), \
         CASE WHEN a.aggtransspace <> 0 THEN 'SSPACE = ' || a.aggtransspace END, ",
        func!("FINALFUNC", "a.aggfinalfn"),
        ", CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END, ",
        modify!("FINALFUNC_MODIFY", "a.aggfinalmodify", "a.aggfinalfn"),
        ", 'INITCOND = ' || pg_catalog.quote_literal(a.agginitval), ",
        func!("COMBINEFUNC", "a.aggcombinefn"),
        ", ",
        func!("SERIALFUNC", "a.aggserialfn"),
        ", ",
        func!("DESERIALFUNC", "a.aggdeserialfn"),
        ", ",
        func!("MSFUNC", "a.aggmtransfn"),
        ", ",
        func!("MINVFUNC", "a.aggminvtransfn"),
        ", CASE WHEN a.aggmtranstype <> 0 THEN 'MSTYPE = ' || pg_catalog.format_type(a.aggmtranstype, NULL) END, \
         CASE WHEN a.aggmtransspace <> 0 THEN 'MSSPACE = ' || a.aggmtransspace END, ",
        func!("MFINALFUNC", "a.aggmfinalfn"),
        ", CASE WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END, ",
        modify!("MFINALFUNC_MODIFY", "a.aggmfinalmodify", "a.aggmfinalfn"),
        ", 'MINITCOND = ' || pg_catalog.quote_literal(a.aggminitval), \
         CASE WHEN a.aggsortop <> 0 THEN 'SORTOP = ' || (SELECT 'OPERATOR(' || pg_catalog.quote_ident(sn.nspname) || '.' || so.oprname || ')' \
           FROM pg_catalog.pg_operator so JOIN pg_catalog.pg_namespace sn ON sn.oid = so.oprnamespace WHERE so.oid = a.aggsortop) END, \
         CASE WHEN a.aggkind = 'h' THEN 'HYPOTHETICAL' END, \
         CASE p.proparallel WHEN 's' THEN 'PARALLEL = safe' WHEN 'r' THEN 'PARALLEL = restricted' END) || ');'"
    ),
    drop: concat!(
        "'DROP AGGREGATE ' || ",
        signature!(),
        " || ';'"
    ),
    comment_on: concat!("'AGGREGATE ' || ", signature!()),
    grant_on: "'FUNCTION ' || p.oid::pg_catalog.regprocedure::text",
    acl: Some(("p.proacl", "p.proowner", "f")),
};
