//! The kinds of [`CatalogObject`](crate::schema::CatalogObject): one file each, holding the
//! catalog query that finds every object of the kind and renders its `CREATE` statements as
//! pg_dump does (`pg_dump.c`'s `dumpCollation`, `dumpAgg`, `dumpOpr`...), its `DROP`, and what
//! `COMMENT ON` and `GRANT ON` name. All kinds are read by one query ([`objects_query`]), and
//! their dependencies join those of the other objects ([`dependency_objects`]), so the number
//! of queries does not grow with the kinds.
//!
//! Each kind's query selects from its catalog aliased `o` (and `n` for the namespace), so the
//! shared columns (comment, dependents, extension membership) are computed once for all.
//! Objects of a modelled kind that use a feature the rendering does not cover get a NULL
//! definition and are reported as unsupported, never rendered wrong.

/// `OPTIONS (name 'value', ...)` of an options array (text expression), or `''`.
macro_rules! options_clause {
    ($arr:literal) => {
        concat!(
            "COALESCE(' OPTIONS (' || (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(op.option_name) \
             || ' ' || pg_catalog.quote_literal(op.option_value), ', ') FROM pg_catalog.pg_options_to_table(",
            $arr,
            ") op) || ')', '')"
        )
    };
}

mod aggregate;
mod base_type;
mod cast;
mod collation;
mod conversion;
mod default_privileges;
mod event_trigger;
mod foreign;
mod operator;
mod operator_class;
mod publication;
mod range;
mod rule;
mod statistics;
mod system;
mod text_search;

use std::sync::LazyLock;

/// One kind: SQL expressions over its catalog row `o`.
pub(crate) struct Kind {
    /// The kind's name in keys and messages: `collation`.
    pub name: &'static str,
    /// Its catalog: `pg_collation`.
    pub catalog: &'static str,
    /// `FROM ... WHERE ...`, the object aliased `o`; filtered to the chosen schemas.
    pub from: &'static str,
    /// Its schema (text), `''` outside schemas.
    pub schema: &'static str,
    /// What names it within its kind and schema (text).
    pub identity: &'static str,
    /// Its `CREATE` statements (text; NULL when it uses something not rendered).
    pub definition: &'static str,
    /// Its `DROP` statements.
    pub drop: &'static str,
    /// What `COMMENT ON` names, or `NULL`.
    pub comment_on: &'static str,
    /// What `GRANT ON` names, or `NULL`; then `acl` and `owner` too.
    pub grant_on: &'static str,
    /// `(acl, owner, acldefault kind)` when it has grants.
    pub acl: Option<(&'static str, &'static str, &'static str)>,
}

/// Every kind, in no particular order (objects are sorted by their dependencies).
pub(crate) const KINDS: &[&Kind] = &[
    &collation::KIND,
    &aggregate::KIND,
    &operator::KIND,
    &operator_class::FAMILY,
    &operator_class::CLASS,
    &cast::KIND,
    &conversion::KIND,
    &text_search::PARSER,
    &text_search::TEMPLATE,
    &text_search::DICTIONARY,
    &text_search::CONFIGURATION,
    &range::KIND,
    &base_type::BASE,
    &base_type::SHELL,
    &rule::KIND,
    &statistics::KIND,
    &event_trigger::KIND,
    &foreign::WRAPPER,
    &foreign::SERVER,
    &foreign::USER_MAPPING,
    &foreign::TABLE,
    &publication::KIND,
    &default_privileges::KIND,
    &system::LANGUAGE,
    &system::ACCESS_METHOD,
    &system::TRANSFORM,
];

/// The identity columns of one kind: catalog, OID, schema, key name.
fn ident_branch(k: &Kind) -> String {
    format!(
        "SELECT 'pg_catalog.{cat}'::pg_catalog.regclass AS classid, o.oid AS objid, \
         ({schema})::text AS sch, '{kind} ' || ({identity})::text AS nm {from}",
        cat = k.catalog,
        schema = k.schema,
        kind = k.name,
        identity = k.identity,
        from = k.from,
    )
}

/// The grants of an ACL, as `grantee|privilege|grantable`, the owner's own left out; a NULL ACL
/// is the kind's default. A relation's (a foreign table's) column privileges are among them, as
/// privilege `SELECT (column)`: what `GRANT` and `REVOKE` take.
fn grants_sql(k: &Kind) -> String {
    const GRANTEE: &str = "(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END)";
    let Some((acl, owner, default)) = k.acl else {
        return "'{}'::text[]".to_string();
    };
    let columns = if k.catalog == "pg_class" {
        format!(
            " UNION ALL SELECT {GRANTEE} || '|' || a.privilege_type || ' (' || pg_catalog.quote_ident(ca.attname) || ')|' \
             || a.is_grantable::text FROM pg_catalog.pg_attribute ca CROSS JOIN LATERAL pg_catalog.aclexplode(ca.attacl) a \
             WHERE ca.attrelid = o.oid AND ca.attnum > 0 AND NOT ca.attisdropped AND a.grantee <> {owner}"
        )
    } else {
        String::new()
    };
    format!(
        "ARRAY(SELECT g.t FROM (SELECT {GRANTEE} || '|' || a.privilege_type || '|' || a.is_grantable::text AS t \
         FROM pg_catalog.aclexplode(COALESCE({acl}, pg_catalog.acldefault('{default}', {owner}))) a \
         WHERE a.grantee <> {owner}{columns}) g ORDER BY 1)"
    )
}

fn object_branch(k: &Kind) -> String {
    format!(
        "SELECT 'pg_catalog.{cat}'::pg_catalog.regclass AS classid, o.oid AS objid, \
         '{kind}'::text AS kind, ({schema})::text AS sch, '{kind} ' || ({identity})::text AS nm, \
         ({definition})::text AS def, ({drop})::text AS drp, ({comment_on})::text AS comment_on, \
         ({grant_on})::text AS grant_on, {grants} AS grants {from}",
        cat = k.catalog,
        kind = k.name,
        schema = k.schema,
        identity = k.identity,
        definition = k.definition,
        drop = k.drop,
        comment_on = k.comment_on,
        grant_on = k.grant_on,
        grants = grants_sql(k),
        from = k.from,
    )
}

/// Not a member of an extension, and not made by another object (a range type's multirange,
/// casts and constructors; an operator class's own family).
const OWN_OBJECT: &str = "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend xd \
     WHERE xd.classid = u.classid AND xd.objid = u.objid AND xd.deptype IN ('e', 'i'))";

/// Dependents that the diff cannot make again with the object (all but functions, views' rules,
/// other catalog objects, and a foreign table's own constraints and defaults; but a user mapping
/// holding a password and a foreign table that inherits, which the model does not hold, are
/// such dependents), as a JSON array of
/// `[description, schema, relation]`: how PostgreSQL describes each, and the table, view or
/// materialized view it belongs to (NULLs when none).
const USED_BY: &str = "(SELECT pg_catalog.json_agg(pg_catalog.json_build_array(x.what, rn.nspname, rc.relname) \
       ORDER BY x.what)::text \
     FROM (SELECT DISTINCT pg_catalog.pg_describe_object(ud.classid, ud.objid, ud.objsubid) AS what, \
       CASE ud.classid \
         WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN CASE WHEN EXISTS (SELECT 1 \
           FROM pg_catalog.pg_class uf WHERE uf.oid = ud.objid AND uf.relkind = 'f') THEN NULL \
           ELSE COALESCE((SELECT ui.indrelid FROM pg_catalog.pg_index ui WHERE ui.indexrelid = ud.objid), ud.objid) END \
         WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN (SELECT NULLIF(uc.conrelid, 0) \
           FROM pg_catalog.pg_constraint uc WHERE uc.oid = ud.objid) \
         WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN (SELECT ua.adrelid \
           FROM pg_catalog.pg_attrdef ua WHERE ua.oid = ud.objid) \
         WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN (SELECT ut.tgrelid \
           FROM pg_catalog.pg_trigger ut WHERE ut.oid = ud.objid) \
         WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN (SELECT up.polrelid \
           FROM pg_catalog.pg_policy up WHERE up.oid = ud.objid) END AS rel \
     FROM pg_catalog.pg_depend ud WHERE ud.refclassid = u.classid AND ud.refobjid = u.objid \
     AND ud.deptype = 'n' AND ud.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass, \
       'pg_catalog.pg_constraint'::pg_catalog.regclass, 'pg_catalog.pg_attrdef'::pg_catalog.regclass, \
       'pg_catalog.pg_type'::pg_catalog.regclass, 'pg_catalog.pg_trigger'::pg_catalog.regclass, \
       'pg_catalog.pg_policy'::pg_catalog.regclass, 'pg_catalog.pg_index'::pg_catalog.regclass, \
       'pg_catalog.pg_user_mapping'::pg_catalog.regclass) \
     AND NOT (ud.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND (ud.objid = u.objid OR EXISTS (SELECT 1 \
       FROM pg_catalog.pg_class vc WHERE vc.oid = ud.objid AND vc.relkind IN ('v', 'f') \
       AND NOT (vc.relkind = 'f' AND EXISTS (SELECT 1 FROM pg_catalog.pg_inherits vi WHERE vi.inhrelid = vc.oid))))) \
     AND NOT (ud.classid = 'pg_catalog.pg_user_mapping'::pg_catalog.regclass AND NOT EXISTS (SELECT 1 \
       FROM pg_catalog.pg_user_mappings vm CROSS JOIN LATERAL pg_catalog.pg_options_to_table(vm.umoptions) vo \
       WHERE vm.umid = ud.objid AND vo.option_name ~* 'password')) \
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint uk WHERE ud.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass \
       AND uk.oid = ud.objid AND uk.conrelid = u.objid AND u.classid = 'pg_catalog.pg_class'::pg_catalog.regclass) \
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attrdef ua WHERE ud.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass \
       AND ua.oid = ud.objid AND ua.adrelid = u.objid AND u.classid = 'pg_catalog.pg_class'::pg_catalog.regclass)) x \
     LEFT JOIN pg_catalog.pg_class rc ON rc.oid = x.rel \
     LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace)";

/// The query that reads every object of every kind: kind, schema, key name, definition, drop,
/// comment target, comment, grant target, grants, dependents it cannot remake.
pub(crate) static OBJECTS: LazyLock<String> = LazyLock::new(|| {
    let branches: Vec<String> = KINDS.iter().map(|k| object_branch(k)).collect();
    format!(
        "SELECT u.kind, u.sch, u.nm, u.def, u.drp, u.comment_on, \
         (SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.classoid = u.classid \
           AND ds.objoid = u.objid AND ds.objsubid = 0) AS comment, u.grant_on, u.grants, {USED_BY} AS used_by \
         FROM ({}) u WHERE {OWN_OBJECT} ORDER BY 2, 3",
        branches.join(" UNION ALL ")
    )
});

/// `classid, objid, 'obj', sch, nm` of every catalog object (and of the array types of the
/// types among them), for the dependency query.
pub(crate) fn dependency_objects() -> String {
    let branches: Vec<String> = KINDS.iter().map(|k| ident_branch(k)).collect();
    format!(
        "SELECT u.classid, u.objid, 'obj'::text AS kind, u.sch, u.nm FROM ({b}) u WHERE {OWN_OBJECT} \
         UNION ALL SELECT u.classid, at.oid, 'obj', u.sch, u.nm FROM ({b}) u \
         JOIN pg_catalog.pg_type et ON u.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND et.oid = u.objid \
         JOIN pg_catalog.pg_type at ON at.oid = et.typarray",
        b = branches.join(" UNION ALL ")
    )
}

#[cfg(test)]
mod tests {
    use super::KINDS;
    use crate::schema::{CatalogObject, QualName};

    #[test]
    fn every_kind_is_described_by_its_name() {
        for k in KINDS {
            let key = QualName::new("s", format!("{} x(int)", k.name));
            assert_eq!(
                CatalogObject::describe(&key),
                format!("{} s.x(int)", k.name),
                "{}",
                k.name
            );
        }
    }

    #[test]
    fn every_kind_has_its_own_name() {
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len());
    }
}
