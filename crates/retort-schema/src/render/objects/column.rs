//! A column's settings (storage, statistics, compression, options) and privileges.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::*;

/// `{alter} SET DEFAULT ...;` (the expression as it parses back), or `{alter} DROP DEFAULT;`
/// when there is none: a column's, a view column's or a domain's default changed.
pub fn default_change(out: &mut String, alter: &str, default: Option<&String>) {
    let _ = match default {
        Some(d) => writeln!(
            out,
            "{alter} SET DEFAULT {};",
            crate::render::reparse::stable(d)
        ),
        None => writeln!(out, "{alter} DROP DEFAULT;"),
    };
}

/// Replica identity and `CLUSTER ON`, when not the defaults.
/// What the diff or a dump sets on a column after making it: storage, statistics target,
/// compression, each against `old` (absent: a new column, with the defaults).
pub fn column_settings(table: &QualName, old: Option<&Column>, new: &Column) -> String {
    let mut out = String::new();
    let unchanged = old.and_then(|o| o.storage.as_ref()) == new.storage.as_ref()
        && old.and_then(|o| o.statistics) == new.statistics
        && old.and_then(|o| o.compression.as_ref()) == new.compression.as_ref()
        && old.map_or(&[][..], |o| &o.options[..]) == &new.options[..];
    if unchanged {
        // Most columns: nothing to name.
        return out;
    }
    let col = format!(
        "ALTER TABLE ONLY {} ALTER COLUMN {}",
        table.sql(),
        quote_ident(&new.name)
    );
    if old.and_then(|o| o.storage.as_ref()) != new.storage.as_ref() {
        match &new.storage {
            Some(s) => {
                let _ = writeln!(out, "{col} SET STORAGE {s};");
            }
            // The type's own, which only the server knows (PostgreSQL 15 has no SET STORAGE
            // DEFAULT).
            None => {
                let _ = writeln!(
                    out,
                    "DO $retort$BEGIN EXECUTE pg_catalog.format(\
                     'ALTER TABLE ONLY %s ALTER COLUMN %I SET STORAGE %s', {}, {}, \
                     (SELECT CASE t.typstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' \
                     WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END \
                     FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
                     WHERE a.attrelid = {}::pg_catalog.regclass AND a.attname = {})); END$retort$;",
                    quote_literal(&table.sql()),
                    quote_literal(&new.name),
                    quote_literal(&table.sql()),
                    quote_literal(&new.name)
                );
            }
        }
    }
    if old.and_then(|o| o.statistics) != new.statistics {
        let _ = writeln!(
            out,
            "{col} SET STATISTICS {};",
            new.statistics.unwrap_or(-1)
        );
    }
    if old.and_then(|o| o.compression.as_ref()) != new.compression.as_ref() {
        let _ = writeln!(
            out,
            "{col} SET COMPRESSION {};",
            new.compression.as_deref().unwrap_or("DEFAULT")
        );
    }
    let old_options = old.map_or(&[][..], |o| &o.options[..]);
    out.push_str(&crate::sql::options_change(&col, old_options, &new.options));
    out
}

/// A column's privileges as grants on the table (`SELECT ("col")`).
pub fn column_grants(column: &Column) -> BTreeSet<Grant> {
    column
        .grants
        .iter()
        .map(|g| Grant {
            privilege: format!("{} ({})", g.privilege, quote_ident(&column.name)),
            ..g.clone()
        })
        .collect()
}
