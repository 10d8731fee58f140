//! One page per table and view: everything the model holds about it.

use std::collections::{BTreeMap, BTreeSet};

use crate::schema::{ConstraintKind, Grant, QualName, Table, View};
use crate::svg::escape;

use super::page::{code, grid, page};
use super::{table_file, DocInput};

/// A link from one table page to another's.
fn link(name: &QualName) -> String {
    format!(
        "<a href=\"../{}\">{}.{}</a>",
        table_file(name),
        escape(&name.schema),
        escape(&name.name)
    )
}

fn grants(grants: &BTreeSet<Grant>) -> Vec<Vec<String>> {
    grants
        .iter()
        .map(|g| {
            vec![
                escape(&g.grantee),
                escape(&g.privilege),
                if g.with_grant_option {
                    "yes".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect()
}

fn comment(text: Option<&String>) -> String {
    text.map(|c| format!("<p>{}</p>\n", escape(c)))
        .unwrap_or_default()
}

/// Incoming foreign keys: referenced table → (referencing table, constraint, columns).
type Incoming<'a> = BTreeMap<&'a QualName, Vec<(&'a QualName, &'a str, String)>>;

fn incoming<'a>(input: &'a DocInput) -> Incoming<'a> {
    let mut out: Incoming = BTreeMap::new();
    for (name, t) in &input.schema.tables {
        for (cname, c) in &t.constraints {
            if let Some(to) = &c.references {
                out.entry(to)
                    .or_default()
                    .push((name, cname, c.columns.join(", ")));
            }
        }
    }
    out
}

// Long: the table page's sections, in the order the page shows them.
fn table_body(name: &QualName, t: &Table, referenced_by: &[(&QualName, &str, String)]) -> String {
    let mut keys: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in t.constraints.values() {
        let mark = match c.kind {
            ConstraintKind::PrimaryKey => "PK",
            ConstraintKind::ForeignKey => "FK",
            ConstraintKind::Unique => "UK",
            _ => continue,
        };
        for col in &c.columns {
            keys.entry(col.as_str()).or_default().push(mark);
        }
    }
    let columns: Vec<Vec<String>> = t
        .columns
        .iter()
        .map(|c| {
            let default = c
                .default
                .clone()
                .or_else(|| {
                    c.generated
                        .as_ref()
                        .map(|g| format!("GENERATED ALWAYS AS ({g}) STORED"))
                })
                .or_else(|| {
                    c.identity.as_ref().map(|i| {
                        format!(
                            "identity ({})",
                            if i.always { "always" } else { "by default" }
                        )
                    })
                })
                .unwrap_or_default();
            vec![
                format!(
                    "<span class=\"key\">{}</span>",
                    keys.get(c.name.as_str())
                        .map(|k| k.join(" "))
                        .unwrap_or_default()
                ),
                format!("<b>{}</b>", escape(&c.name)),
                code(&c.data_type),
                if c.not_null {
                    "NOT NULL".into()
                } else {
                    String::new()
                },
                code(&default),
                escape(c.comment.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    let constraints: Vec<Vec<String>> = t
        .constraints
        .iter()
        .map(|(n, c)| {
            vec![
                escape(n),
                code(&c.definition),
                c.references.as_ref().map(link).unwrap_or_default(),
            ]
        })
        .collect();
    let indexes: Vec<Vec<String>> = t
        .indexes
        .iter()
        .map(|(n, i)| vec![escape(n), code(&i.definition)])
        .collect();
    let triggers: Vec<Vec<String>> = t
        .triggers
        .iter()
        .map(|(n, tr)| vec![escape(n), code(&tr.definition)])
        .collect();
    let policies: Vec<Vec<String>> = t
        .policies
        .iter()
        .map(|(n, p)| {
            vec![
                escape(n),
                escape(&p.command),
                escape(&p.roles.join(", ")),
                code(p.using.as_deref().unwrap_or("")),
                code(p.with_check.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    let refs: Vec<Vec<String>> = referenced_by
        .iter()
        .map(|(from, cname, cols)| vec![link(from), escape(cname), escape(cols)])
        .collect();
    let mut body = format!("<h1>{}.{}</h1>\n", escape(&name.schema), escape(&name.name));
    body.push_str(&comment(t.comment.as_ref()));
    if t.row_security {
        body.push_str("<p class=\"muted\">Row-level security enabled.</p>\n");
    }
    body.push_str(&grid(
        "Columns",
        &["key", "name", "type", "null", "default", "comment"],
        &columns,
    ));
    body.push_str(&grid(
        "Constraints",
        &["name", "definition", "references"],
        &constraints,
    ));
    body.push_str(&grid(
        "Referenced by",
        &["table", "constraint", "columns"],
        &refs,
    ));
    body.push_str(&grid("Indexes", &["name", "definition"], &indexes));
    body.push_str(&grid("Triggers", &["name", "definition"], &triggers));
    body.push_str(&grid(
        "Policies",
        &["name", "command", "roles", "using", "with check"],
        &policies,
    ));
    body.push_str(&grid(
        "Grants",
        &["grantee", "privilege", "grant option"],
        &grants(&t.grants),
    ));
    body
}

fn view_body(name: &QualName, v: &View) -> String {
    let kind = if v.materialized {
        "materialized view"
    } else {
        "view"
    };
    let columns: Vec<Vec<String>> = v
        .columns
        .iter()
        .map(|c| {
            vec![
                format!("<b>{}</b>", escape(&c.name)),
                code(&c.data_type),
                escape(c.comment.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    let deps: Vec<Vec<String>> = v
        .depends_on
        .iter()
        .map(|d| vec![escape(&format!("{}.{}", d.schema, d.name))])
        .collect();
    let indexes: Vec<Vec<String>> = v
        .indexes
        .iter()
        .map(|(n, i)| vec![escape(n), code(&i.definition)])
        .collect();
    let mut body = format!(
        "<h1>{}.{} <span class=\"muted\">{kind}</span></h1>\n",
        escape(&name.schema),
        escape(&name.name)
    );
    body.push_str(&comment(v.comment.as_ref()));
    body.push_str(&grid("Columns", &["name", "type", "comment"], &columns));
    body.push_str(&format!(
        "<h2>Definition</h2>\n<pre>{}</pre>\n",
        escape(v.definition.trim())
    ));
    body.push_str(&grid("Depends on", &["view or function"], &deps));
    body.push_str(&grid("Indexes", &["name", "definition"], &indexes));
    body.push_str(&grid(
        "Grants",
        &["grantee", "privilege", "grant option"],
        &grants(&v.grants),
    ));
    body
}

/// (file, html) of every table and view page.
pub(super) fn table_pages(input: &DocInput) -> Vec<(String, String)> {
    let refs = incoming(input);
    let mut out = Vec::new();
    for (name, t) in &input.schema.tables {
        let body = table_body(name, t, refs.get(name).map(Vec::as_slice).unwrap_or(&[]));
        out.push((
            table_file(name),
            page(
                &input.title,
                &format!("{}.{}", name.schema, name.name),
                1,
                &body,
            ),
        ));
    }
    for (name, v) in &input.schema.views {
        out.push((
            table_file(name),
            page(
                &input.title,
                &format!("{}.{}", name.schema, name.name),
                1,
                &view_body(name, v),
            ),
        ));
    }
    out
}
