//! GRANT/REVOKE of every kind, and the grants section of a dump.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::*;

/// GRANTs of `grants` on `what`; when they hold the owner's own privileges, `REVOKE ALL ... FROM
/// owner` first (the owner's are then all listed, see [`Grant::owner`]).
pub fn grants(what: &str, grants: &BTreeSet<Grant>) -> String {
    let mut out = String::new();
    if let Some(owner) = grants.iter().find(|g| g.owner) {
        let _ = writeln!(out, "REVOKE ALL ON {what} FROM {};", role(&owner.grantee));
    }
    for g in grants {
        let _ = writeln!(
            out,
            "GRANT {} ON {what} TO {}{};",
            g.privilege,
            role(&g.grantee),
            if g.with_grant_option {
                " WITH GRANT OPTION"
            } else {
                ""
            }
        );
    }
    out
}

/// Whether PUBLIC holds USAGE alone among `grants` (as on a new database's public schema).
pub(super) fn has_only_public_usage(grants: &BTreeSet<Grant>) -> bool {
    let public: Vec<&Grant> = grants.iter().filter(|g| g.grantee == "PUBLIC").collect();
    matches!(public.as_slice(), [g] if g.privilege == "USAGE" && !g.with_grant_option)
}

pub fn all_grants(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for (name, ns) in &schema.schemas {
        if name == "public" && !has_only_public_usage(&ns.grants) {
            // A database's own public schema grants USAGE to PUBLIC; this one does not (only).
            out.push("REVOKE ALL ON SCHEMA \"public\" FROM PUBLIC;\n".to_string());
        }
        out.push(grants(&format!("SCHEMA {}", quote_ident(name)), &ns.grants));
    }
    for (name, s) in &schema.sequences {
        out.push(grants(&format!("SEQUENCE {}", name.sql()), &s.grants));
    }
    for (name, e) in &schema.enums {
        out.push(type_grants(name, e.grants.as_ref()));
    }
    for (name, d) in &schema.domains {
        out.push(type_grants(name, d.grants.as_ref()));
    }
    for (name, c) in &schema.composites {
        out.push(type_grants(name, c.grants.as_ref()));
    }
    for (name, t) in &schema.tables {
        let what = format!("TABLE {}", name.sql());
        out.push(grants(&what, &t.grants));
        for c in t.columns.iter().filter(|c| !c.grants.is_empty()) {
            out.push(grants(&what, &column_grants(c)));
        }
        out.push(identity_grants(t));
    }
    for (name, v) in &schema.views {
        out.push(grants(&format!("TABLE {}", name.sql()), &v.grants));
        out.push(grants(
            &format!("TABLE {}", name.sql()),
            &view_column_grants(v),
        ));
    }
    for (name, f) in &schema.functions {
        out.push(function_grants(&name.schema, f));
    }
    for o in schema.objects.values() {
        out.push(object_grants(o));
    }
    out
}
