//! The revision graph drawn as lanes (as `git log --graph` does, but as a picture): one row per
//! revision, newest first, branches side by side, merges joining them, `depends_on` dashed.
//! Long linear runs are collapsed into one row (their first and last revisions kept), so a
//! history of 1,000 revisions stays readable.
//!
//! `rows.rs` chooses the rows (order and collapsed runs), `layout.rs` gives each row and edge its
//! lane, `draw.rs` writes SVG and HTML, `text.rs` box-drawing lines for a terminal. Pure and
//! deterministic: the same graph gives the same bytes.

mod draw;
mod layout;
mod rows;
mod text;

pub use draw::{graph_html, graph_svg};
pub use layout::{layout, Edge, LaneLayout};
pub use rows::{Row, RowKind};
pub use text::graph_text;

use std::collections::BTreeSet;

/// What to draw.
#[derive(Debug, Clone)]
pub struct LaneOptions {
    /// A linear run of more than this many plain revisions (one parent, one child, no label,
    /// no dependency, not current) keeps its first and last and collapses the rest into one
    /// row. `None`: never collapse.
    pub collapse_over: Option<usize>,
    /// The database's current revisions (ids), marked.
    pub current: BTreeSet<String>,
    /// The picture's title.
    pub title: String,
}

impl Default for LaneOptions {
    fn default() -> Self {
        Self {
            collapse_over: Some(6),
            current: BTreeSet::new(),
            title: "Revision graph".into(),
        }
    }
}

#[cfg(any(test, feature = "fixtures"))]
#[doc(hidden)]
pub mod fixtures;
#[cfg(test)]
mod tests;
