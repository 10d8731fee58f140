//! Catalog objects (operators, casts, text search, ...) as their own SQL, and their grants.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::*;

/// `GRANT`s on one object (`what`: `TABLE "s"."t"`, `SCHEMA "s"`...).
/// A catalog object's definition and comment (its grants come with the others').
pub fn create_object(o: &CatalogObject) -> String {
    let mut out = format!("{}\n", o.definition.trim_end());
    if let Some(on) = &o.comment_on {
        comment(&mut out, o.comment.as_ref(), || on.clone());
    }
    out
}

/// The privilege PUBLIC has on a new object of the kind `GRANT ... ON` names.
pub(super) fn public_default(grant_on: &str) -> Option<&'static str> {
    if grant_on.starts_with("TYPE ") || grant_on.starts_with("LANGUAGE ") {
        Some("USAGE")
    } else if grant_on.starts_with("FUNCTION ") {
        Some("EXECUTE")
    } else {
        None
    }
}

/// A catalog object's grants (all its grants are read, PUBLIC's default one included): what
/// differs from a new object's.
pub fn object_grants(o: &CatalogObject) -> String {
    let Some(on) = &o.grant_on else {
        return String::new();
    };
    let mut out = String::new();
    let default = public_default(on).map(|p| Grant {
        grantee: "PUBLIC".to_string(),
        privilege: p.to_string(),
        with_grant_option: false,
        owner: false,
    });
    if let Some(d) = &default {
        if !o.grants.contains(d) {
            let _ = writeln!(out, "REVOKE {} ON {on} FROM PUBLIC;", d.privilege);
        }
    }
    let rest: BTreeSet<Grant> = o
        .grants
        .iter()
        .filter(|g| Some(*g) != default.as_ref())
        .cloned()
        .collect();
    out.push_str(&grants(on, &rest));
    out
}
