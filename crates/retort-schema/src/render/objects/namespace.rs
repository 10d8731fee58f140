//! Schemas and extensions.

use std::fmt::Write as _;

use super::*;

pub fn create_schema(name: &str, ns: &Namespace) -> String {
    let mut out = String::new();
    if name != "public" {
        let _ = writeln!(out, "CREATE SCHEMA {};", quote_ident(name));
    } else if ns.comment.is_none() {
        // A database's own public schema has a comment; this one's was removed.
        out.push_str("COMMENT ON SCHEMA \"public\" IS NULL;\n");
    }
    comment(&mut out, ns.comment.as_ref(), || {
        format!("SCHEMA {}", quote_ident(name))
    });
    out
}

pub fn drop_schema(name: &str) -> String {
    format!("DROP SCHEMA {};\n", quote_ident(name))
}

pub fn create_extension(name: &str, x: &Extension) -> String {
    let mut out = format!(
        "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {} VERSION {};\n",
        quote_ident(name),
        quote_ident(&x.schema),
        quote_literal(&x.version)
    );
    comment(&mut out, x.comment.as_ref(), || {
        format!("EXTENSION {}", quote_ident(name))
    });
    out
}

pub fn drop_extension(name: &str) -> String {
    format!("DROP EXTENSION {};\n", quote_ident(name))
}
