//! Default privileges (`ALTER DEFAULT PRIVILEGES`): one object per role, schema (or none) and
//! kind of object. Its "definition" is the statements that turn PostgreSQL's defaults into
//! the stored ones (grants added, and for a role's global entry, built-in defaults revoked);
//! its "drop" is the statements that turn them back.

use super::Kind;

/// `ALTER DEFAULT PRIVILEGES FOR ROLE r [IN SCHEMA s] `.
macro_rules! prefix {
    () => {
        "'ALTER DEFAULT PRIVILEGES FOR ROLE ' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(o.defaclrole)) \
         || COALESCE(' IN SCHEMA ' || pg_catalog.quote_ident(n.nspname), '')"
    };
}

/// `TABLES`, `SEQUENCES`...
macro_rules! objects {
    () => {
        "CASE o.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS' \
         WHEN 'T' THEN 'TYPES' WHEN 'n' THEN 'SCHEMAS' ELSE 'LARGE OBJECTS' END"
    };
}

/// The built-in defaults of the entry's role and kind (none for an entry of a schema, which
/// only adds).
macro_rules! builtin {
    () => {
        "(SELECT bd.grantee, bd.privilege_type, bd.is_grantable FROM pg_catalog.aclexplode(pg_catalog.acldefault(\
             CASE o.defaclobjtype WHEN 'S' THEN 's' ELSE o.defaclobjtype END, o.defaclrole)) bd \
           WHERE o.defaclnamespace = 0)"
    };
}

/// The stored entries.
macro_rules! stored {
    () => {
        "(SELECT sd.grantee, sd.privilege_type, sd.is_grantable FROM pg_catalog.aclexplode(o.defaclacl) sd)"
    };
}

/// `GRANT p ON kind TO g` for entries in `$a` not in `$b`, then `REVOKE` for those in `$b`
/// not in `$a`.
macro_rules! statements {
    ($a:ident, $b:ident) => {
        concat!(
            "COALESCE((SELECT pg_catalog.string_agg(",
            prefix!(),
            " || ' ' || x.t || ';', E'\\n' ORDER BY x.k, x.t) FROM (\
               SELECT 1 AS k, 'GRANT ' || g.privilege_type || ' ON ' || ",
            objects!(),
            " || ' TO ' || CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) END \
                 || CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END AS t \
               FROM (",
            $a!(),
            " EXCEPT ",
            $b!(),
            ") g UNION ALL \
               SELECT 0, 'REVOKE ' || r.privilege_type || ' ON ' || ",
            objects!(),
            " || ' FROM ' || CASE WHEN r.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.grantee)) END \
               FROM (SELECT b.grantee, b.privilege_type FROM ",
            $b!(),
            " b EXCEPT SELECT a.grantee, a.privilege_type FROM ",
            $a!(),
            " a) r) x), '')"
        )
    };
}

pub(crate) const KIND: Kind = Kind {
    name: "default privileges",
    catalog: "pg_default_acl",
    from: concat!(
        "FROM pg_catalog.pg_default_acl o LEFT JOIN pg_catalog.pg_namespace n ON n.oid = o.defaclnamespace \
         WHERE CASE WHEN o.defaclnamespace = 0 THEN pg_catalog.cardinality($1::text[]) = 0 ELSE ",
        ns_filter!(),
        " END"
    ),
    schema: "COALESCE(n.nspname, '')",
    identity: concat!(
        "'for ' || pg_catalog.pg_get_userbyid(o.defaclrole) || ' on ' || pg_catalog.lower(",
        objects!(),
        ")"
    ),
    definition: statements!(stored, builtin),
    drop: statements!(builtin, stored),
    comment_on: "NULL",
    grant_on: "NULL",
    acl: None,
};
