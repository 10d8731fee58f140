//! `retort doc`: a static HTML site about a schema (and, when there is one, the project's
//! revision history), readable from the file system with no server and no network: every
//! asset is written from constants in the binary.
//!
//! `site` returns the files (relative path and contents); the caller writes them. Pages:
//! `index.html` (every table, view and enum, by schema), `tables/<schema>.<name>.html` (one per
//! table or view: columns, defaults, comments, constraints, indexes, triggers, policies,
//! grants, what it references and what references it), `erd.html`, `history.html` (the
//! revision graph and each revision's SQL), and `assets/` (style, search script, search
//! index). Pure and deterministic.

mod assets;
mod history;
mod index;
mod page;
mod table;

use std::collections::BTreeMap;

use crate::graph::RevisionGraph;
use crate::schema::Schema;

/// What the site is about.
pub struct DocInput<'a> {
    pub title: String,
    pub schema: &'a Schema,
    /// The project's revisions (with their SQL), when there is a project.
    pub graph: Option<&'a RevisionGraph>,
}

/// The files of the site: relative path (with `/`) to contents, sorted.
pub type Site = BTreeMap<String, String>;

/// Every page and asset of the site.
pub fn site(input: &DocInput) -> Site {
    let mut out = Site::new();
    out.insert("assets/style.css".into(), assets::STYLE.into());
    out.insert("assets/search.js".into(), assets::SEARCH.into());
    out.insert("assets/search-index.js".into(), index::search_index(input));
    out.insert("index.html".into(), index::index_page(input));
    out.insert("erd.html".into(), index::erd_page(input));
    out.insert("history.html".into(), history::history_page(input));
    for (name, html) in table::table_pages(input) {
        out.insert(name, html);
    }
    out
}

/// The page file of a table or view: `tables/<schema>.<name>.html`, characters other than
/// ASCII letters, digits, `_` and `-` written as `%XX` (so any name is a safe file name).
pub fn table_file(name: &crate::schema::QualName) -> String {
    let mut out = String::from("tables/");
    for (i, part) in [&name.schema, &name.name].into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        for b in part.bytes() {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out.push_str(".html");
    out
}

#[cfg(test)]
mod tests;
