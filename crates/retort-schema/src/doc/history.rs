//! The history page: the revision graph as lanes, then each revision newest first with its
//! header, the statements its up section runs, what `retort lint` finds in them (the hazards),
//! and its SQL.

use std::fmt::Write as _;

use crate::lanes::{graph_svg, LaneOptions};
use crate::lint::{lint_section, Section, Settings};
use crate::script::RevisionFile;
use crate::svg::escape;

use super::page::page;
use super::DocInput;

/// The anchor of a revision on the history page.
pub(super) fn anchor(id: &str) -> String {
    format!("rev-{}", escape(id))
}

pub(super) fn history_page(input: &DocInput) -> String {
    let Some(graph) = input.graph else {
        return page(&input.title, "History", 0, "<h1>History</h1>\n<p class=\"muted\">No revision history: the site was made without a project.</p>\n");
    };
    let options = LaneOptions {
        title: format!("{} revisions", graph.len()),
        ..LaneOptions::default()
    };
    let mut body = format!(
        "<h1>History</h1>\n<div class=\"graph\">\n{}</div>\n",
        graph_svg(graph, &options)
    );
    let all: Vec<usize> = (0..graph.len()).collect();
    for idx in graph.newest_first(&all) {
        let r = graph.rev(idx);
        let f = &r.file;
        let _ = write!(
            body,
            "<section class=\"revision\" id=\"{}\">\n<h2><code>{}</code> {}</h2>\n<p class=\"muted\">",
            anchor(r.id()),
            escape(r.id()),
            escape(&f.message)
        );
        let parents: Vec<String> = f
            .down_revisions
            .iter()
            .map(|p| format!("<a href=\"#{}\"><code>{}</code></a>", anchor(p), escape(p)))
            .collect();
        let _ = write!(
            body,
            "parents: {}",
            if parents.is_empty() {
                "(base)".to_string()
            } else {
                parents.join(", ")
            }
        );
        if !f.depends_on.is_empty() {
            let _ = write!(body, " · depends on: {}", escape(&f.depends_on.join(", ")));
        }
        if !f.branch_labels.is_empty() {
            let _ = write!(body, " · labels: {}", escape(&f.branch_labels.join(", ")));
        }
        if let Some(created) = &f.created {
            let _ = write!(body, " · created {}", escape(created));
        }
        if !f.transactional {
            body.push_str(" · non-transactional");
        }
        body.push_str("</p>\n");
        operations(&mut body, f);
        hazards(&mut body, f);
        for (heading, sql) in [("Up", Some(&f.up_sql)), ("Down", f.down_sql.as_ref())] {
            match sql.map(|s| s.trim()) {
                Some("") => {
                    let _ = writeln!(body, "<h3>{heading}</h3>\n<p class=\"muted\">(empty)</p>");
                }
                Some(sql) => {
                    let _ = write!(body, "<h3>{heading}</h3>\n<pre>{}</pre>\n", escape(sql));
                }
                None => {}
            }
        }
        body.push_str("</section>\n");
    }
    page(&input.title, "History", 0, &body)
}

/// The first line of `text`, whitespace collapsed, cut at 100 characters.
fn headline(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("--"))
        .unwrap_or("");
    let words: Vec<&str> = line.split_whitespace().collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

/// The statements of the up section, one line each, numbered by their line in the file.
fn operations(body: &mut String, f: &RevisionFile) {
    let Ok(statements) = crate::sql::split_statements(&f.up_sql) else {
        return; // the SQL is shown below as it is; `retort lint` names the problem
    };
    if statements.is_empty() {
        return;
    }
    let _ = writeln!(
        body,
        "<h3>Operations ({})</h3>\n<ol class=\"ops\">",
        statements.len()
    );
    for st in &statements {
        let _ = writeln!(
            body,
            "<li><span class=\"muted\">line {}</span> <code>{}</code></li>",
            f.up_line + st.line - 1,
            escape(&headline(st.text))
        );
    }
    body.push_str("</ol>\n");
}

/// What `retort lint` (default severities, the file's own `-- retort:allow`) finds in the up
/// section: the revision's hazards for a live database.
fn hazards(body: &mut String, f: &RevisionFile) {
    let section = Section {
        path: crate::util::display_path(&f.path),
        text: &f.up_sql,
        first_line: f.up_line,
        transactional: f.transactional,
        revision: Some(f.id.clone()),
    };
    let Ok(findings) = lint_section(&section, &Settings::default()) else {
        return;
    };
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(
        body,
        "<h3>Hazards ({})</h3>\n<ul class=\"hazards\">",
        findings.len()
    );
    for h in &findings {
        let _ = writeln!(
            body,
            "<li class=\"{}\"><b>{}</b> <code>{}</code> line {}: {}</li>",
            h.severity.as_str(),
            h.severity.as_str(),
            escape(h.rule),
            h.line,
            escape(&h.message)
        );
    }
    body.push_str("</ul>\n");
}
