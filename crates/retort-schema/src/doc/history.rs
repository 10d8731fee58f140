//! The history page: the revision graph as lanes, then each revision newest first with its
//! header and SQL.

use std::fmt::Write as _;

use crate::lanes::{graph_svg, LaneOptions};
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
