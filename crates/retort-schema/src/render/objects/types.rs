//! Enums, domains, composite types and their grants.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::*;

pub fn create_enum(name: &QualName, e: &EnumType) -> String {
    let labels: Vec<String> = e.labels.iter().map(|l| quote_literal(l)).collect();
    let mut out = format!(
        "CREATE TYPE {} AS ENUM ({});\n",
        name.sql(),
        labels.join(", ")
    );
    comment(&mut out, e.comment.as_ref(), || {
        format!("TYPE {}", name.sql())
    });
    out
}

pub fn create_domain(name: &QualName, d: &Domain) -> String {
    let mut out = format!("CREATE DOMAIN {} AS {}", name.sql(), d.base_type);
    if let Some(c) = &d.collation {
        let _ = write!(out, " COLLATE {c}");
    }
    if let Some(def) = &d.default {
        let _ = write!(out, " DEFAULT {}", crate::render::reparse::stable(def));
    }
    if d.not_null {
        out.push_str(" NOT NULL");
    }
    // CREATE DOMAIN takes no NOT VALID: such checks are added after.
    let (valid, not_valid): (Vec<_>, Vec<_>) = d
        .checks
        .iter()
        .partition(|(_, def)| !def.ends_with(" NOT VALID"));
    for (cname, def) in valid {
        let def = crate::render::reparse::stable(def);
        let _ = write!(out, "\n    CONSTRAINT {} {def}", quote_ident(cname));
    }
    out.push_str(";\n");
    for (cname, def) in not_valid {
        let _ = writeln!(
            out,
            "ALTER DOMAIN {} ADD CONSTRAINT {} {def};",
            name.sql(),
            quote_ident(cname)
        );
    }
    comment(&mut out, d.comment.as_ref(), || {
        format!("DOMAIN {}", name.sql())
    });
    for (cname, text) in &d.constraint_comments {
        comment(&mut out, Some(text), || {
            format!("CONSTRAINT {} ON DOMAIN {}", quote_ident(cname), name.sql())
        });
    }
    out
}

pub fn create_composite(name: &QualName, t: &CompositeType) -> String {
    let attrs: Vec<String> = t
        .attributes
        .iter()
        .map(|a| {
            let mut s = format!("    {} {}", quote_ident(&a.name), a.data_type);
            if let Some(c) = &a.collation {
                let _ = write!(s, " COLLATE {c}");
            }
            s
        })
        .collect();
    let mut out = if attrs.is_empty() {
        format!("CREATE TYPE {} AS ();\n", name.sql())
    } else {
        format!(
            "CREATE TYPE {} AS (\n{}\n);\n",
            name.sql(),
            attrs.join(",\n")
        )
    };
    comment(&mut out, t.comment.as_ref(), || {
        format!("TYPE {}", name.sql())
    });
    for a in &t.attributes {
        comment(&mut out, a.comment.as_ref(), || {
            format!("COLUMN {}.{}", name.sql(), quote_ident(&a.name))
        });
    }
    out
}

/// `DROP TYPE` of an enum, domain (`DROP DOMAIN`) or composite type.
pub fn drop_type(name: &QualName, domain: bool) -> String {
    format!(
        "DROP {} {};\n",
        if domain { "DOMAIN" } else { "TYPE" },
        name.sql()
    )
}

/// Every object's grants, by kind then name.
/// The privileges of an enum, domain or composite type when set: PUBLIC's default USAGE
/// revoked, then what it grants.
pub fn type_grants(name: &QualName, set: Option<&BTreeSet<Grant>>) -> String {
    match set {
        None => String::new(),
        Some(set) => format!(
            "REVOKE ALL ON TYPE {} FROM PUBLIC;\n{}",
            name.sql(),
            grants(&format!("TYPE {}", name.sql()), set)
        ),
    }
}
