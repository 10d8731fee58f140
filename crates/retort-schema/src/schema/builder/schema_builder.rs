//! [`SchemaBuilder`]: the schema being declared, with its namespaces, extensions, enum types,
//! tables and functions ([`SchemaBuilder::build`], in `build.rs`, makes the model).

use std::collections::{BTreeMap, BTreeSet};

use super::{FunctionBuilder, Naming, PgEnum, TableBuilder, TableModel};
use crate::schema::{EnumType, Extension, Grant, Namespace, QualName};

/// A schema being declared; [`SchemaBuilder::build`] makes the model.
#[derive(Debug, Clone)]
pub struct SchemaBuilder {
    pub(super) naming: Naming,
    pub(super) namespaces: BTreeMap<String, Namespace>,
    pub(super) extensions: BTreeMap<String, Extension>,
    pub(super) enums: Vec<(QualName, EnumType)>,
    pub(super) tables: Vec<TableBuilder>,
    pub(super) functions: Vec<FunctionBuilder>,
}

impl Default for SchemaBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// Comments `CREATE EXTENSION` sets from the control files of the contrib extensions.
const EXTENSION_COMMENTS: &[(&str, &str)] = &[
    ("btree_gin", "support for indexing common datatypes in GIN"),
    (
        "btree_gist",
        "support for indexing common datatypes in GiST",
    ),
    ("citext", "data type for case-insensitive character strings"),
    ("hstore", "data type for storing sets of (key, value) pairs"),
    (
        "pg_trgm",
        "text similarity measurement and index searching based on trigrams",
    ),
    ("pgcrypto", "cryptographic functions"),
    (
        "uuid-ossp",
        "generate universally unique identifiers (UUIDs)",
    ),
];

/// Every privilege `GRANT ALL` gives on a table.
pub(super) const TABLE_PRIVILEGES: &[&str] = &[
    "DELETE",
    "INSERT",
    "REFERENCES",
    "SELECT",
    "TRIGGER",
    "TRUNCATE",
    "UPDATE",
];

impl SchemaBuilder {
    /// A schema holding `public` as PostgreSQL 15 and later make it (see the module docs).
    pub fn new() -> Self {
        let mut b = Self::empty();
        b.namespaces.insert(
            "public".to_string(),
            Namespace {
                comment: Some("standard public schema".to_string()),
                grants: BTreeSet::from([grant("PUBLIC", "USAGE")]),
            },
        );
        b
    }

    /// A schema holding nothing, not even `public`.
    pub fn empty() -> Self {
        Self {
            naming: Naming::Postgres,
            namespaces: BTreeMap::new(),
            extensions: BTreeMap::new(),
            enums: Vec::new(),
            tables: Vec::new(),
            functions: Vec::new(),
        }
    }

    pub fn naming(mut self, naming: Naming) -> Self {
        self.naming = naming;
        self
    }

    /// `CREATE SCHEMA name`.
    pub fn namespace(mut self, name: impl Into<String>) -> Self {
        self.namespaces.entry(name.into()).or_default();
        self
    }

    pub fn namespace_comment(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.namespaces.entry(name.into()).or_default().comment = Some(text.into());
        self
    }

    /// `GRANT privileges ON SCHEMA schema TO grantee`.
    pub fn grant_on_namespace<S: AsRef<str>>(
        mut self,
        schema: impl Into<String>,
        privileges: &[S],
        grantee: &str,
    ) -> Self {
        let ns = self.namespaces.entry(schema.into()).or_default();
        for p in privileges {
            ns.grants.insert(grant(grantee, &p.as_ref().to_uppercase()));
        }
        self
    }

    /// `CREATE EXTENSION name VERSION version` in schema `public` (the version is the server's:
    /// the default version of the extension's control file when none is asked for). Its
    /// comment is the one its control file gives, for the contrib extensions retort knows.
    pub fn extension(self, name: &str, version: &str) -> Self {
        let comment = EXTENSION_COMMENTS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| (*c).to_string());
        self.extension_in(name, "public", version, comment)
    }

    /// An extension in another schema, with the comment it sets (or none).
    pub fn extension_in(
        mut self,
        name: &str,
        schema: &str,
        version: &str,
        comment: Option<String>,
    ) -> Self {
        self.extensions.insert(
            name.to_string(),
            Extension {
                schema: schema.to_string(),
                version: version.to_string(),
                comment,
                requires: Vec::new(),
                update_targets: None,
            },
        );
        self
    }

    /// `CREATE TYPE schema.name AS ENUM (labels)`.
    pub fn enum_type<S: AsRef<str>>(
        mut self,
        schema: impl Into<String>,
        name: impl Into<String>,
        labels: &[S],
    ) -> Self {
        self.enums.push((
            QualName::new(schema, name),
            EnumType {
                labels: labels.iter().map(|l| l.as_ref().to_string()).collect(),
                comment: None,
                grants: None,
            },
        ));
        self
    }

    /// `COMMENT ON TYPE` of an enum type declared before.
    pub fn enum_comment(
        mut self,
        schema: impl Into<String>,
        name: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        let key = QualName::new(schema, name);
        if let Some((_, e)) = self.enums.iter_mut().find(|(n, _)| *n == key) {
            e.comment = Some(text.into());
        }
        self
    }

    /// The enum type of a `#[derive(retort::Enum)]` enum.
    pub fn pg_enum<E: PgEnum>(self) -> Self {
        self.enum_type(E::SCHEMA, E::NAME, E::LABELS)
    }

    pub fn table(mut self, table: TableBuilder) -> Self {
        self.tables.push(table);
        self
    }

    /// The table of a `#[derive(retort::Table)]` struct, as declared.
    pub fn model<T: TableModel>(self) -> Self {
        self.table(T::table())
    }

    /// The table of a model struct, changed by `f` first (policies, triggers, grants...).
    pub fn model_with<T: TableModel>(self, f: impl FnOnce(TableBuilder) -> TableBuilder) -> Self {
        self.table(f(T::table()))
    }

    pub fn function(mut self, function: FunctionBuilder) -> Self {
        self.functions.push(function);
        self
    }
}

pub(super) fn grant(grantee: &str, privilege: &str) -> Grant {
    Grant {
        grantee: grantee.to_string(),
        privilege: privilege.to_string(),
        with_grant_option: false,
        owner: false,
    }
}
