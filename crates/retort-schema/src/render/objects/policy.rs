//! Row-level security and policies.

use std::fmt::Write as _;

use super::*;

/// `ENABLE` / `FORCE ROW LEVEL SECURITY`, when set.
pub fn row_security(name: &QualName, t: &Table) -> String {
    let mut out = String::new();
    if t.row_security {
        let _ = writeln!(out, "ALTER TABLE {} ENABLE ROW LEVEL SECURITY;", name.sql());
    }
    if t.force_row_security {
        let _ = writeln!(out, "ALTER TABLE {} FORCE ROW LEVEL SECURITY;", name.sql());
    }
    out
}

pub fn create_policy(table: &QualName, name: &str, p: &Policy) -> String {
    let roles: Vec<String> = p.roles.iter().map(|r| role(r)).collect();
    let mut out = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        quote_ident(name),
        table.sql(),
        if p.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        p.command,
        if roles.is_empty() {
            "PUBLIC".to_string()
        } else {
            roles.join(", ")
        }
    );
    if let Some(u) = &p.using {
        let _ = write!(out, " USING ({})", crate::render::reparse::stable(u));
    }
    if let Some(c) = &p.with_check {
        let _ = write!(out, " WITH CHECK ({})", crate::render::reparse::stable(c));
    }
    out.push_str(";\n");
    comment(&mut out, p.comment.as_ref(), || {
        format!("POLICY {} ON {}", quote_ident(name), table.sql())
    });
    out
}

pub fn drop_policy(table: &QualName, name: &str) -> String {
    format!("DROP POLICY {} ON {};\n", quote_ident(name), table.sql())
}
