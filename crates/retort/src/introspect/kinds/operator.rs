//! Operators (`CREATE OPERATOR`), with commutator, negator, selectivity estimators, and the
//! MERGES and HASHES flags, as pg_dump's `dumpOpr` prints them. A shell operator (no function:
//! made by PostgreSQL when another operator names it as its commutator or negator before it
//! exists) is left out, as pg_dump leaves it out: nothing can use it, and making the operator that
//! names it makes it again.

use super::Kind;

/// `OPERATOR(schema.op)` of the operator whose OID is in `$col`.
macro_rules! operator_ref {
    ($label:literal, $col:literal) => {
        concat!(
            "(SELECT '",
            $label,
            " = OPERATOR(' || pg_catalog.quote_ident(rn.nspname) || '.' || ro.oprname || ')' \
             FROM pg_catalog.pg_operator ro JOIN pg_catalog.pg_namespace rn ON rn.oid = ro.oprnamespace WHERE ro.oid = ",
            $col,
            ")"
        )
    };
}

macro_rules! arg {
    ($col:literal) => {
        concat!(
            "CASE WHEN ",
            $col,
            " = 0 THEN 'NONE' ELSE pg_catalog.format_type(",
            $col,
            ", NULL) END"
        )
    };
}

macro_rules! signature {
    () => {
        concat!(
            "pg_catalog.quote_ident(n.nspname) || '.' || o.oprname || ' (' || ",
            arg!("o.oprleft"),
            " || ', ' || ",
            arg!("o.oprright"),
            " || ')'"
        )
    };
}

pub(crate) const KIND: Kind = Kind {
    name: "operator",
    catalog: "pg_operator",
    from: concat!(
        "FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace \
         WHERE o.oprcode <> 0 AND ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: concat!(
        "o.oprname || '(' || ",
        arg!("o.oprleft"),
        " || ', ' || ",
        arg!("o.oprright"),
        " || ')'"
    ),
    definition: concat!(
        "'CREATE OPERATOR ' || pg_catalog.quote_ident(n.nspname) || '.' || o.oprname || ' (' || pg_catalog.concat_ws(', ', \
         'FUNCTION = ' || o.oprcode::pg_catalog.regproc::text, \
         CASE WHEN o.oprleft <> 0 THEN 'LEFTARG = ' || pg_catalog.format_type(o.oprleft, NULL) END, \
         CASE WHEN o.oprright <> 0 THEN 'RIGHTARG = ' || pg_catalog.format_type(o.oprright, NULL) END, ",
        operator_ref!("COMMUTATOR", "o.oprcom"),
        ", ",
        operator_ref!("NEGATOR", "o.oprnegate"),
        ", CASE WHEN o.oprrest <> 0 THEN 'RESTRICT = ' || o.oprrest::pg_catalog.regproc::text END, \
         CASE WHEN o.oprjoin <> 0 THEN 'JOIN = ' || o.oprjoin::pg_catalog.regproc::text END, \
         CASE WHEN o.oprcanmerge THEN 'MERGES' END, CASE WHEN o.oprcanhash THEN 'HASHES' END) || ');'"
    ),
    drop: concat!("'DROP OPERATOR ' || ", signature!(), " || ';'"),
    comment_on: concat!("'OPERATOR ' || ", signature!()),
    grant_on: "NULL",
    acl: None,
};
