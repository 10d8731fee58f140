//! Entity-relationship diagrams of a [`Schema`](crate::schema::Schema): tables with their
//! columns (type, NOT NULL, key markers), foreign keys as edges with their columns, enums,
//! views with what they read; clustered by PostgreSQL schema.
//!
//! `model.rs` picks what is drawn (filters by schema and table pattern), `mermaid.rs` and
//! `dot.rs` write the text formats, `layout.rs` places the boxes (layers by foreign key, in Rust:
//! no Graphviz needed), `route.rs` routes the edges around them, `svg.rs` draws them and
//! `html.rs` wraps them in a page. Pure and deterministic: the same schema gives the same bytes.

mod dot;
mod html;
mod layout;
mod mermaid;
mod model;
mod reads;
mod route;
mod svg;

pub use dot::erd_dot;
pub use html::erd_html;
pub use mermaid::erd_mermaid;
pub use model::{erd_model, Entity, EntityKind, EntityRow, Erd, ErdOptions, Link, LinkKind};
pub use svg::erd_svg;

#[cfg(test)]
pub(crate) mod tests;
