//! Rules (`CREATE RULE`) other than the `_RETURN` rules of views, with their enabled state.

use super::Kind;

macro_rules! relation {
    () => {
        "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)"
    };
}

pub(crate) const KIND: Kind = Kind {
    name: "rule",
    catalog: "pg_rewrite",
    from: concat!(
        "FROM pg_catalog.pg_rewrite o JOIN pg_catalog.pg_class c ON c.oid = o.ev_class \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE o.rulename <> '_RETURN' AND ",
        ns_filter!()
    ),
    schema: "n.nspname",
    identity: "o.rulename || ' on ' || c.relname",
    definition: concat!(
        "pg_catalog.pg_get_ruledef(o.oid) || CASE o.ev_enabled WHEN 'O' THEN '' ELSE E'\\nALTER TABLE ' || ",
        relation!(),
        " || CASE o.ev_enabled WHEN 'D' THEN ' DISABLE' WHEN 'R' THEN ' ENABLE REPLICA' ELSE ' ENABLE ALWAYS' END \
         || ' RULE ' || pg_catalog.quote_ident(o.rulename) || ';' END"
    ),
    drop: concat!(
        "'DROP RULE ' || pg_catalog.quote_ident(o.rulename) || ' ON ' || ",
        relation!(),
        " || ';'"
    ),
    comment_on: concat!(
        "'RULE ' || pg_catalog.quote_ident(o.rulename) || ' ON ' || ",
        relation!()
    ),
    grant_on: "NULL",
    acl: None,
};
