//! `pg_get_triggerdef`: a trigger's definition.

use super::names::{quote_identifier, quote_qualified};
use super::sql_text::cols_sql;
use super::{TableBuilder, Timing, Trigger};
use crate::sql::quote_literal;

/// A function name as PostgreSQL prints it under an empty `search_path`: qualified, except in
/// `pg_catalog`; an unqualified one is in `default_schema`.
fn function_name(name: &str, default_schema: &str) -> String {
    match name.split_once('.') {
        Some(("pg_catalog", n)) => quote_identifier(n),
        Some((s, n)) => quote_qualified(s, n),
        None => quote_qualified(default_schema, name),
    }
}

/// `pg_get_triggerdef`.
pub(super) fn trigger_definition(t: &TableBuilder, tr: &Trigger) -> String {
    let timing = match tr.timing {
        Timing::Before => "BEFORE",
        Timing::After => "AFTER",
        Timing::InsteadOf => "INSTEAD OF",
    };
    let mut events = Vec::new();
    if tr.insert {
        events.push("INSERT".to_string());
    }
    if tr.delete {
        events.push("DELETE".to_string());
    }
    if let Some(cols) = &tr.update {
        if cols.is_empty() {
            events.push("UPDATE".to_string());
        } else {
            events.push(format!("UPDATE OF {}", cols_sql(cols)));
        }
    }
    if tr.truncate {
        events.push("TRUNCATE".to_string());
    }
    let mut d = format!(
        "CREATE TRIGGER {} {timing} {} ON {} FOR EACH {}",
        quote_identifier(&tr.name),
        events.join(" OR "),
        quote_qualified(&t.schema, &t.name),
        if tr.row { "ROW" } else { "STATEMENT" }
    );
    if let Some(w) = &tr.when {
        d.push_str(&format!(" WHEN ({w})"));
    }
    let args: Vec<String> = tr.args.iter().map(|a| quote_literal(a)).collect();
    d.push_str(&format!(
        " EXECUTE FUNCTION {}({})",
        function_name(&tr.function, &t.schema),
        args.join(", ")
    ));
    d
}
