//! Mermaid `erDiagram` text (GitHub renders it in Markdown). Mermaid's attribute types and
//! names are single words, so other characters become `_` (`character_varying(255)`); entity
//! names are quoted `schema.name`.

use std::fmt::Write as _;

use crate::schema::QualName;

use super::model::{EntityKind, Erd, LinkKind};

fn word(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '(' | ')' | '[' | ']') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

fn entity(name: &QualName) -> String {
    // Mermaid's quoted names cannot hold a double quote.
    format!(
        "\"{}.{}\"",
        name.schema.replace('"', "'"),
        name.name.replace('"', "'")
    )
}

/// Mermaid text of the diagram.
pub fn erd_mermaid(erd: &Erd) -> String {
    let mut out = String::from("erDiagram\n");
    for e in &erd.entities {
        let _ = writeln!(out, "    {} {{", entity(&e.name));
        for r in &e.rows {
            if e.kind == EntityKind::Enum {
                let _ = writeln!(out, "        enum {}", word(&r.name));
                continue;
            }
            let mut line = format!("        {} {}", word(&r.data_type), word(&r.name));
            if !r.keys.is_empty() {
                let _ = write!(line, " {}", r.keys.join(", "));
            }
            if r.not_null {
                line.push_str(" \"NOT NULL\"");
            }
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out, "    }}");
    }
    for l in &erd.links {
        let (shape, label) = match l.kind {
            // Referenced side first: exactly one (or zero or one when optional) parent, zero
            // or more (or zero or one when unique) children.
            LinkKind::ForeignKey { optional, unique } => (
                format!(
                    "{}--{}",
                    if optional { "|o" } else { "||" },
                    if unique { "o|" } else { "o{" }
                ),
                format!("{} ({})", l.name, l.from_columns.join(", ")),
            ),
            LinkKind::Reads => ("}o..o{".to_string(), "reads".to_string()),
        };
        let _ = writeln!(
            out,
            "    {} {shape} {} : \"{}\"",
            entity(&l.to),
            entity(&l.from),
            label.replace('"', "'")
        );
    }
    out
}
