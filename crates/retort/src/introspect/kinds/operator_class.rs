//! Operator families and classes (`CREATE OPERATOR FAMILY`, `CREATE OPERATOR CLASS`, and the
//! family's loose members by `ALTER OPERATOR FAMILY ... ADD`), as pg_dump's `dumpOpfamily` and
//! `dumpOpclass` print them. A family that only its same-named class made is not an object of
//! its own: the class makes it, and dropping the class drops it. A class with no member of its
//! own and no storage type gets `STORAGE` its input type, a no-op that pg_dump prints too, since
//! `AS` needs one item.

use super::Kind;

macro_rules! family_name {
    () => {
        "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.opfname) || ' USING ' || pg_catalog.quote_ident(am.amname)"
    };
}

macro_rules! class_name {
    () => {
        "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.opcname) || ' USING ' || pg_catalog.quote_ident(am.amname)"
    };
}

/// `OPERATOR n op(types) [FOR ORDER BY family]` members of family `$fam`, those whose
/// dependency on `$owner` is of type `$deptype` (`i`: a class's own, `a`: the family's loose
/// ones), each prefixed by `$prefix`.
macro_rules! members {
    ($fam:literal, $owner_class:literal, $owner:literal, $deptype:literal, $prefix:literal, $sep:literal) => {
        concat!(
            "(SELECT pg_catalog.string_agg(m.t, ",
            $sep,
            " ORDER BY m.k) FROM (\
             SELECT 1 AS g, ao.amopstrategy AS s, ",
            $prefix,
            " || 'OPERATOR ' || ao.amopstrategy || ' ' || ao.amopopr::pg_catalog.regoperator::text \
               || CASE WHEN ao.amoppurpose = 'o' THEN ' FOR ORDER BY ' || (SELECT pg_catalog.quote_ident(sfn.nspname) || '.' || pg_catalog.quote_ident(sf.opfname) \
                  FROM pg_catalog.pg_opfamily sf JOIN pg_catalog.pg_namespace sfn ON sfn.oid = sf.opfnamespace WHERE sf.oid = ao.amopsortfamily) ELSE '' END AS t, \
               (1, ao.amopstrategy, ao.amoplefttype, ao.amoprighttype) AS k \
             FROM pg_catalog.pg_amop ao JOIN pg_catalog.pg_depend md ON md.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass \
               AND md.objid = ao.oid AND md.refclassid = 'pg_catalog.",
            $owner_class,
            "'::pg_catalog.regclass AND md.refobjid = ",
            $owner,
            " AND md.deptype = '",
            $deptype,
            "' WHERE ao.amopfamily = ",
            $fam,
            " UNION ALL SELECT 2, ap.amprocnum, ",
            $prefix,
            " || 'FUNCTION ' || ap.amprocnum || ' (' || pg_catalog.format_type(ap.amproclefttype, NULL) || ', ' \
               || pg_catalog.format_type(ap.amprocrighttype, NULL) || ') ' || ap.amproc::pg_catalog.regprocedure::text, \
               (2, ap.amprocnum, ap.amproclefttype, ap.amprocrighttype) \
             FROM pg_catalog.pg_amproc ap JOIN pg_catalog.pg_depend md ON md.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass \
               AND md.objid = ap.oid AND md.refclassid = 'pg_catalog.",
            $owner_class,
            "'::pg_catalog.regclass AND md.refobjid = ",
            $owner,
            " AND md.deptype = '",
            $deptype,
            "' WHERE ap.amprocfamily = ",
            $fam,
            ") m)"
        )
    };
}

/// Whether family `$fam` is only the one its same-named class `$cls` made: no loose member and
/// no other class.
macro_rules! implicit_family {
    ($fam:literal) => {
        concat!(
            "(EXISTS (SELECT 1 FROM pg_catalog.pg_opclass ic JOIN pg_catalog.pg_opfamily iff ON iff.oid = ic.opcfamily \
               WHERE ic.opcfamily = ",
            $fam,
            " AND ic.opcname = iff.opfname AND ic.opcnamespace = iff.opfnamespace) \
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_opclass ic JOIN pg_catalog.pg_opfamily iff ON iff.oid = ic.opcfamily \
               WHERE ic.opcfamily = ",
            $fam,
            " AND (ic.opcname <> iff.opfname OR ic.opcnamespace <> iff.opfnamespace)) \
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend ld WHERE ld.refclassid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass \
               AND ld.refobjid = ",
            $fam,
            " AND ld.deptype = 'a' AND ld.classid IN ('pg_catalog.pg_amop'::pg_catalog.regclass, 'pg_catalog.pg_amproc'::pg_catalog.regclass)))"
        )
    };
}

pub(crate) const FAMILY: Kind = Kind {
    name: "operator family",
    catalog: "pg_opfamily",
    from: concat!(
        "FROM pg_catalog.pg_opfamily o JOIN pg_catalog.pg_namespace n ON n.oid = o.opfnamespace \
         JOIN pg_catalog.pg_am am ON am.oid = o.opfmethod WHERE NOT ",
        implicit_family!("o.oid"),
        " AND ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.opfname || ' using ' || am.amname",
    definition: concat!(
        "'CREATE OPERATOR FAMILY ' || ",
        family_name!(),
        " || ';' || COALESCE(E'\\nALTER OPERATOR FAMILY ' || ",
        family_name!(),
        " || ' ADD' || ",
        members!("o.oid", "pg_opfamily", "o.oid", "a", "E'\\n    '", "','"),
        " || ';', '')"
    ),
    drop: concat!("'DROP OPERATOR FAMILY ' || ", family_name!(), " || ';'"),
    comment_on: concat!("'OPERATOR FAMILY ' || ", family_name!()),
    grant_on: "NULL",
    acl: None,
};

pub(crate) const CLASS: Kind = Kind {
    name: "operator class",
    catalog: "pg_opclass",
    from: concat!(
        "FROM pg_catalog.pg_opclass o JOIN pg_catalog.pg_namespace n ON n.oid = o.opcnamespace \
         JOIN pg_catalog.pg_am am ON am.oid = o.opcmethod \
         JOIN pg_catalog.pg_opfamily f ON f.oid = o.opcfamily \
         JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace WHERE ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.opcname || ' using ' || am.amname",
    definition: concat!(
        "'CREATE OPERATOR CLASS ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.opcname) \
         || E'\\n    ' || CASE WHEN o.opcdefault THEN 'DEFAULT ' ELSE '' END || 'FOR TYPE ' || pg_catalog.format_type(o.opcintype, NULL) \
         || ' USING ' || pg_catalog.quote_ident(am.amname) \
         || CASE WHEN f.opfname <> o.opcname OR f.opfnamespace <> o.opcnamespace \
              THEN ' FAMILY ' || pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(f.opfname) ELSE '' END \
         || ' AS' || COALESCE(NULLIF(pg_catalog.concat_ws(',', ",
        members!("o.opcfamily", "pg_opclass", "o.oid", "i", "E'\\n    '", "','"),
        ", CASE WHEN o.opckeytype <> 0 THEN E'\\n    STORAGE ' || pg_catalog.format_type(o.opckeytype, NULL) END), ''), \
           E'\\n    STORAGE ' || pg_catalog.format_type(o.opcintype, NULL)) || ';'"
    ),
    drop: concat!(
        "CASE WHEN ",
        implicit_family!("o.opcfamily"),
        " THEN 'DROP OPERATOR FAMILY ' || pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(f.opfname) \
           || ' USING ' || pg_catalog.quote_ident(am.amname) ELSE 'DROP OPERATOR CLASS ' || ",
        class_name!(),
        " END || ';'"
    ),
    comment_on: concat!("'OPERATOR CLASS ' || ", class_name!()),
    grant_on: "NULL",
    acl: None,
};
