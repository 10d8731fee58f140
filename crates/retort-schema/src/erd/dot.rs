//! Graphviz DOT text: one HTML-like table per entity with a port per column, a cluster per
//! schema, foreign keys from the referencing columns to the referenced ones.

use std::fmt::Write as _;

use crate::schema::QualName;
use crate::svg::escape;

use super::model::{Entity, EntityKind, Erd, LinkKind};

fn id(name: &QualName) -> String {
    dot_string(&format!("{}.{}", name.schema, name.name))
}

fn dot_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn kind_word(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Table => "",
        EntityKind::View => " (view)",
        EntityKind::MaterializedView => " (materialized view)",
        EntityKind::Enum => " (enum)",
    }
}

fn label(e: &Entity) -> String {
    let mut t = format!(
        "<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\"><tr><td colspan=\"3\" bgcolor=\"#dfe8f6\"><b>{}</b>{}</td></tr>",
        escape(&e.name.name),
        kind_word(e.kind)
    );
    for (i, r) in e.rows.iter().enumerate() {
        let _ = write!(
            t,
            "<tr><td port=\"c{i}\" align=\"left\">{}</td><td align=\"left\">{}</td><td align=\"left\">{}{}</td></tr>",
            escape(&r.keys.join(" ")),
            escape(&r.name),
            escape(&r.data_type),
            if r.not_null { " NOT NULL" } else { "" }
        );
    }
    t.push_str("</table>>");
    t
}

/// The port of `column` in entity `e`, if it is drawn.
fn port(erd: &Erd, name: &QualName, column: Option<&String>) -> String {
    let Some(column) = column else {
        return String::new();
    };
    erd.entities
        .iter()
        .find(|e| &e.name == name && e.kind != EntityKind::Enum)
        .and_then(|e| e.rows.iter().position(|r| &r.name == column))
        .map(|i| format!(":c{i}"))
        .unwrap_or_default()
}

/// DOT text of the diagram.
pub fn erd_dot(erd: &Erd) -> String {
    let mut out = format!(
        "digraph erd {{\n  graph [rankdir=LR, label={}, labelloc=t, fontname=\"Helvetica\"];\n  node [shape=plaintext, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
        dot_string(&erd.title)
    );
    for (schema, members) in erd.clusters() {
        let _ = writeln!(
            out,
            "  subgraph {} {{\n    label={};",
            dot_string(&format!("cluster_{schema}")),
            dot_string(&schema)
        );
        for i in members {
            let e = &erd.entities[i];
            let _ = writeln!(out, "    {} [label={}];", id(&e.name), label(e));
        }
        out.push_str("  }\n");
    }
    for l in &erd.links {
        let attrs = match l.kind {
            LinkKind::ForeignKey { optional, .. } => format!(
                "label={}, arrowhead={}",
                dot_string(&l.name),
                if optional { "teeodot" } else { "teetee" }
            ),
            LinkKind::Reads => "style=dashed, arrowhead=open".to_string(),
        };
        let _ = writeln!(
            out,
            "  {}{} -> {}{} [{attrs}];",
            id(&l.from),
            port(erd, &l.from, l.from_columns.first()),
            id(&l.to),
            port(erd, &l.to, l.to_columns.first())
        );
    }
    out.push_str("}\n");
    out
}
