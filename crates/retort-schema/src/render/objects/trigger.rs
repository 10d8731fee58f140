//! Triggers and their enabled states.

use super::*;

pub fn create_trigger(table: &QualName, name: &str, t: &Trigger) -> String {
    let mut out = format!("{};\n", crate::render::reparse::stable(&t.definition));
    if t.enabled != "O" {
        out.push_str(&trigger_state(table, name, &t.enabled));
    }
    comment(&mut out, t.comment.as_ref(), || {
        format!("TRIGGER {} ON {}", quote_ident(name), table.sql())
    });
    out
}

/// `DISABLE TRIGGER`, `ENABLE ALWAYS TRIGGER`...: what sets trigger state `enabled` (`O`, `D`,
/// `R`, `A`).
pub fn trigger_state_clause(enabled: &str) -> &'static str {
    match enabled {
        "D" => "DISABLE TRIGGER",
        "R" => "ENABLE REPLICA TRIGGER",
        "A" => "ENABLE ALWAYS TRIGGER",
        _ => "ENABLE TRIGGER",
    }
}

/// `ALTER TABLE t DISABLE TRIGGER name` (or the other states).
pub fn trigger_state(table: &QualName, name: &str, enabled: &str) -> String {
    format!(
        "ALTER TABLE {} {} {};\n",
        table.sql(),
        trigger_state_clause(enabled),
        quote_ident(name)
    )
}

pub fn drop_trigger(table: &QualName, name: &str) -> String {
    format!("DROP TRIGGER {} ON {};\n", quote_ident(name), table.sql())
}
