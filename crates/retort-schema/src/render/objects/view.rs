//! Views and materialized views, their placeholders and column defaults.

use std::collections::BTreeSet;

use super::*;

pub fn create_view(name: &QualName, v: &View) -> String {
    let body = view_body(v);
    let mut out = if v.materialized {
        format!(
            "CREATE MATERIALIZED VIEW {}{} AS\n{body}\nWITH NO DATA;\n",
            name.sql(),
            with_options(&v.options)
        )
    } else {
        format!(
            "CREATE VIEW {}{} AS\n{body};\n",
            name.sql(),
            with_options(&v.options)
        )
    };
    out.push_str(&view_defaults(name, &[], &v.columns));
    if v.materialized {
        for c in &v.columns {
            out.push_str(&column_settings(name, None, c));
        }
    }
    let kind = if v.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    comment(&mut out, v.comment.as_ref(), || {
        format!("{kind} {}", name.sql())
    });
    for c in &v.columns {
        comment(&mut out, c.comment.as_ref(), || {
            format!("COLUMN {}.{}", name.sql(), quote_ident(&c.name))
        });
    }
    out
}

/// `ALTER VIEW ... ALTER COLUMN ... SET/DROP DEFAULT` of the view columns whose default differs
/// between `old` and `new` (a column missing from `old` had none).
pub fn view_defaults(name: &QualName, old: &[Column], new: &[Column]) -> String {
    let mut out = String::new();
    for c in new {
        let before = old
            .iter()
            .find(|o| o.name == c.name)
            .and_then(|o| o.default.as_ref());
        if before == c.default.as_ref() {
            continue;
        }
        let col = format!(
            "ALTER VIEW {} ALTER COLUMN {}",
            name.sql(),
            quote_ident(&c.name)
        );
        default_change(&mut out, &col, c.default.as_ref());
    }
    out
}

/// The grants on a view's columns (as on a table's: `SELECT ("col")`).
pub fn view_column_grants(v: &View) -> BTreeSet<Grant> {
    v.columns.iter().flat_map(column_grants).collect()
}

/// A view with the columns of `v`, all NULL: what stands for it while what it reads is made
/// (`replace`: over the view itself, taking its dependencies away before a drop).
pub fn view_placeholder(name: &QualName, v: &View, replace: bool) -> String {
    let columns: Vec<String> = v
        .columns
        .iter()
        .map(|c| {
            let collate = c
                .collation
                .as_ref()
                .map(|k| format!(" COLLATE {k}"))
                .unwrap_or_default();
            format!("NULL::{}{collate} AS {}", c.data_type, quote_ident(&c.name))
        })
        .collect();
    format!(
        "CREATE {}VIEW {} AS\nSELECT {};\n",
        if replace { "OR REPLACE " } else { "" },
        name.sql(),
        columns.join(", ")
    )
}

pub fn drop_view(name: &QualName, v: &View) -> String {
    format!(
        "DROP {} {};\n",
        if v.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        },
        name.sql()
    )
}
