//! Objects that PostgreSQL itself can print as a definition and that the diff treats as a whole:
//! collations, aggregates, operators and their classes and families, casts, conversions, text
//! search objects, range types, rules, statistics objects, event triggers, foreign-data wrappers,
//! servers, user mappings and foreign tables, publications, default privileges, procedural
//! languages, access methods and transforms.
//!
//! Each kind has one catalog query (`introspect::kinds`) that renders its `CREATE` statements as
//! pg_dump does; the model keeps that text, so two databases holding the same object give equal
//! models. A change to the definition is a drop and a create (the diff refuses when something it
//! cannot make again depends on the object); comments and grants change in place.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Grant, QualName};

/// One object of a kind the model keeps as its definition. Keyed in [`super::Schema::objects`]
/// by its schema (empty for objects outside schemas: casts, event triggers, foreign-data
/// wrappers, servers, user mappings, publications, languages, access methods, transforms) and
/// `"<kind> <identity>"` (`aggregate total_len(text)`, `cast (text AS public.mood)`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CatalogObject {
    /// `collation`, `aggregate`, `operator`, ... (see `introspect::kinds`).
    pub kind: String,
    /// The statements that make it, each ending in `;`.
    pub definition: String,
    /// The statements that remove it (for default privileges: those that restore the defaults).
    pub drop: String,
    /// What `COMMENT ON` names (`COLLATION public.ci`); absent for kinds without comments.
    pub comment_on: Option<String>,
    pub comment: Option<String>,
    /// What `GRANT ... ON` names (`TYPE public.floatrange`); absent for kinds without grants.
    pub grant_on: Option<String>,
    pub grants: BTreeSet<Grant>,
    /// Modelled objects it needs first (keys of the schema's maps).
    pub depends_on: BTreeSet<QualName>,
    /// What depends on it that the diff would have to drop and make again with it but cannot
    /// (columns, constraints, indexes, defaults), as PostgreSQL describes them.
    pub used_by: BTreeSet<Dependent>,
}

/// Something that depends on a catalog object and that the diff cannot make again with it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Dependent {
    /// As PostgreSQL describes it (`column c1 of table t0`).
    pub what: String,
    /// The table, view or materialized view it belongs to (a column's, an index's, a
    /// constraint's table); absent when it belongs to none (a domain's constraint, a type).
    pub relation: Option<QualName>,
}

/// Every kind's name, as keys begin with it.
pub const KIND_NAMES: &[&str] = &[
    "access method",
    "aggregate",
    "base type",
    "cast",
    "collation",
    "conversion",
    "default privileges",
    "event trigger",
    "foreign table",
    "foreign-data wrapper",
    "language",
    "operator",
    "operator class",
    "operator family",
    "publication",
    "range type",
    "rule",
    "server",
    "shell type",
    "statistics",
    "text search configuration",
    "text search dictionary",
    "text search parser",
    "text search template",
    "transform",
    "user mapping",
];

/// The kinds whose objects need tables, or act on the statements that make the rest: made
/// after the tables and views, dropped before them.
const LATE_KINDS: &[&str] = &[
    "rule",
    "statistics",
    "publication",
    "event trigger",
    "default privileges",
];

impl CatalogObject {
    /// Whether its kind is made after tables and views whatever it depends on.
    pub fn late_kind(&self) -> bool {
        LATE_KINDS.contains(&self.kind.as_str())
    }

    /// Whether it is made last and dropped first (event triggers fire on the statements around
    /// them; default privileges would change the grants of what is made after them).
    pub fn last(&self) -> bool {
        matches!(self.kind.as_str(), "event trigger" | "default privileges")
    }

    /// Whether, when it goes for good, it is dropped with the types, last, once no column uses
    /// it: collations and types that columns may have.
    pub fn goes_with_the_types(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "collation" | "range type" | "base type" | "shell type"
        )
    }

    /// A key's name split into its kind and the object's identity (`aggregate total_len(text)`
    /// → `aggregate`, `total_len(text)`); `None` for a name that starts with no kind.
    pub fn split_key(name: &str) -> Option<(&'static str, &str)> {
        KIND_NAMES
            .iter()
            .filter_map(|k| Some((*k, name.strip_prefix(k)?.strip_prefix(' ')?)))
            .max_by_key(|(k, _)| k.len())
    }

    /// `collation public.ci`, for summaries and messages.
    pub fn describe(key: &QualName) -> String {
        let (kind, identity) = Self::split_key(&key.name).unwrap_or(("object", &key.name));
        if key.schema.is_empty() {
            format!("{kind} {identity}")
        } else {
            format!("{kind} {}.{identity}", key.schema)
        }
    }
}
