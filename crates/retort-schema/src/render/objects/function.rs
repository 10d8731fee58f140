//! Functions and procedures, and their grants.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::*;

pub fn create_function(schema: &str, f: &Function) -> String {
    let mut out = f.definition.trim_end().to_string();
    out.push_str(";\n");
    let kind = if f.procedure { "PROCEDURE" } else { "FUNCTION" };
    comment(&mut out, f.comment.as_ref(), || {
        format!("{kind} {}", f.signature(schema))
    });
    out
}

pub fn drop_function(schema: &str, f: &Function) -> String {
    let kind = if f.procedure { "PROCEDURE" } else { "FUNCTION" };
    format!("DROP {kind} {};\n", f.signature(schema))
}

/// A function's grants: PUBLIC may execute a new function, so that one is revoked when the
/// model does not have it.
pub fn function_grants(schema: &str, f: &Function) -> String {
    let kind = if f.procedure { "PROCEDURE" } else { "FUNCTION" };
    let what = format!("{kind} {}", f.signature(schema));
    let public = Grant {
        grantee: "PUBLIC".to_string(),
        privilege: "EXECUTE".to_string(),
        with_grant_option: false,
        owner: false,
    };
    let mut out = String::new();
    if !f.grants.contains(&public) {
        let _ = writeln!(out, "REVOKE EXECUTE ON {what} FROM PUBLIC;");
    }
    let rest: BTreeSet<Grant> = f.grants.iter().filter(|g| **g != public).cloned().collect();
    out.push_str(&grants(&what, &rest));
    out
}
