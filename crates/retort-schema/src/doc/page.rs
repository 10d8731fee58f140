//! The frame of every page: header with the site's links and the search box.

use crate::svg::escape;

/// A page at `depth` folders below the site's root (`../` that many times to reach it).
pub(super) fn page(site_title: &str, title: &str, depth: usize, body: &str) -> String {
    let root = "../".repeat(depth);
    format!(
        concat!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
            "<title>{title} · {site}</title>\n<link rel=\"stylesheet\" href=\"{root}assets/style.css\">\n",
            "</head>\n<body data-root=\"{root}\">\n<header><a class=\"title\" href=\"{root}index.html\">{site}</a>",
            "<a href=\"{root}index.html\">Tables</a><a href=\"{root}erd.html\">ERD</a>",
            "<a href=\"{root}history.html\">History</a>",
            "<span><input id=\"search\" type=\"search\" placeholder=\"Search tables, columns, revisions\" autocomplete=\"off\">",
            "<div id=\"results\" style=\"display:none\"></div></span></header>\n<main>\n{body}</main>\n",
            "<script src=\"{root}assets/search-index.js\"></script>\n<script src=\"{root}assets/search.js\"></script>\n",
            "</body>\n</html>\n"
        ),
        title = escape(title),
        site = escape(site_title),
        root = root,
        body = body,
    )
}

/// An HTML table: a header row and rows of already-escaped cells; nothing when no rows.
pub(super) fn grid(heading: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut out = format!("<h2>{}</h2>\n<table class=\"grid\">\n<tr>", escape(heading));
    for h in header {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{cell}</td>"));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// `text` escaped in a `<code>`, or empty.
pub(super) fn code(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("<code>{}</code>", escape(text))
    }
}
