//! The index page (every table, view and enum by schema), the ERD page, and the search index.

use std::fmt::Write as _;

use crate::erd::{erd_model, erd_svg, ErdOptions};
use crate::svg::escape;

use super::history::anchor;
use super::page::page;
use super::{table_file, DocInput};

pub(super) fn index_page(input: &DocInput) -> String {
    let s = input.schema;
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"muted\">{} tables, {} views, {} enums{}. <a href=\"erd.html\">ERD</a> · <a href=\"history.html\">History</a></p>\n",
        escape(&input.title),
        s.tables.len(),
        s.views.len(),
        s.enums.len(),
        input.graph.map(|g| format!(", {} revisions", g.len())).unwrap_or_default()
    );
    let mut schemas: Vec<&String> = s
        .tables
        .keys()
        .chain(s.views.keys())
        .chain(s.enums.keys())
        .map(|n| &n.schema)
        .collect();
    schemas.sort();
    schemas.dedup();
    for schema in schemas {
        let _ = writeln!(body, "<h2>{}</h2>\n<ul>", escape(schema));
        for (name, t) in s.tables.iter().filter(|(n, _)| &n.schema == schema) {
            let _ = writeln!(
                body,
                "<li><a href=\"{}\">{}</a> <span class=\"muted\">{} columns{}</span></li>",
                table_file(name),
                escape(&name.name),
                t.columns.len(),
                t.comment
                    .as_ref()
                    .map(|c| format!(" · {}", escape(c)))
                    .unwrap_or_default()
            );
        }
        for (name, v) in s.views.iter().filter(|(n, _)| &n.schema == schema) {
            let kind = if v.materialized {
                "materialized view"
            } else {
                "view"
            };
            let _ = writeln!(
                body,
                "<li><a href=\"{}\">{}</a> <span class=\"muted\">{kind}</span></li>",
                table_file(name),
                escape(&name.name)
            );
        }
        for (name, e) in s.enums.iter().filter(|(n, _)| &n.schema == schema) {
            let _ = writeln!(
                body,
                "<li>{} <span class=\"muted\">enum: {}</span></li>",
                escape(&name.name),
                escape(&e.labels.join(", "))
            );
        }
        body.push_str("</ul>\n");
    }
    page(&input.title, "Tables", 0, &body)
}

pub(super) fn erd_page(input: &DocInput) -> String {
    let erd = erd_model(
        input.schema,
        &ErdOptions {
            title: input.title.clone(),
            ..ErdOptions::default()
        },
    );
    let body = format!(
        "<h1>Entity-relationship diagram</h1>\n<div class=\"erd\">\n{}</div>\n",
        erd_svg(&erd)
    );
    page(&input.title, "ERD", 0, &body)
}

/// `var RETORT_INDEX = [...]`: one entry per table, view, column and revision (a script, so
/// that it loads from the file system, where `fetch` is refused).
pub(super) fn search_index(input: &DocInput) -> String {
    let mut items: Vec<serde_json::Value> = Vec::new();
    let mut push = |label: String, text: String, href: String| {
        items.push(serde_json::json!({ "label": label, "text": text, "href": href }));
    };
    for (name, t) in &input.schema.tables {
        let full = format!("{}.{}", name.schema, name.name);
        push(full.clone(), full.clone(), table_file(name));
        for c in &t.columns {
            push(
                format!("{full}.{} ({})", c.name, c.data_type),
                format!("{full}.{}", c.name),
                table_file(name),
            );
        }
    }
    for name in input.schema.views.keys() {
        let full = format!("{}.{}", name.schema, name.name);
        push(format!("{full} (view)"), full, table_file(name));
    }
    if let Some(graph) = input.graph {
        for r in graph.revisions() {
            push(
                format!("{} {}", r.id(), r.file.message),
                format!("{} {}", r.id(), r.file.message),
                format!("history.html#{}", anchor(r.id())),
            );
        }
    }
    format!(
        "var RETORT_INDEX = {};\n",
        serde_json::to_string(&items).unwrap_or_else(|_| "[]".into())
    )
}
