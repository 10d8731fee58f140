//! Building a [`Schema`] in Rust: the desired schema that `retort check` and autogenerate
//! compare with a database (as SQLAlchemy models are for Alembic). `#[derive(retort::Table)]`
//! and `#[derive(retort::Enum)]` (crate `retort-derive`) write these calls for model structs.
//!
//! ```
//! # extern crate retort_schema as retort;
//! use retort::schema::builder::{Action, Column, Index, SchemaBuilder, TableBuilder};
//!
//! let schema = SchemaBuilder::new()
//!     .extension("pg_trgm", "1.6")
//!     .enum_type("public", "tier", &["starter", "pro"])
//!     .table(
//!         TableBuilder::new("public", "tenants")
//!             .column(Column::new("id", "uuid").primary_key().default("gen_random_uuid()"))
//!             .column(Column::new("slug", "varchar(64)").not_null().unique())
//!             .column(Column::new("tier", "tier").not_null().default("'starter'")),
//!     )
//!     .table(
//!         TableBuilder::new("public", "users")
//!             .column(Column::new("id", "bigint").identity(true).primary_key())
//!             .column(
//!                 Column::new("tenant_id", "uuid")
//!                     .not_null()
//!                     .references("tenants(id)")
//!                     .on_delete(Action::Cascade),
//!             )
//!             .column(Column::new("bio", "text"))
//!             .index(Index::on(&["bio gin_trgm_ops"]).using("gin")),
//!     )
//!     .build()
//!     .expect("valid");
//! let users = &schema.tables[&retort::schema::QualName::new("public", "users")];
//! assert_eq!(
//!     users.constraints["users_tenant_id_fkey"].definition,
//!     "FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE"
//! );
//! assert_eq!(
//!     users.indexes["users_bio_idx"].definition,
//!     "CREATE INDEX users_bio_idx ON public.users USING gin (bio public.gin_trgm_ops)"
//! );
//! ```
//!
//! **Equal to introspection.** The model built is meant to equal, field for field, what
//! `retort::introspect` reads from a database where the schema was created, so that a diff of
//! the two is empty. The builder therefore prints what PostgreSQL prints: types as
//! `format_type` (`varchar(255)` → `character varying(255)`), constraint and index definitions
//! as `pg_get_constraintdef` and `pg_get_indexdef` (every name qualified, as under the empty
//! `search_path` introspection uses), functions as `pg_get_functiondef`, triggers as
//! `pg_get_triggerdef`; names it is not given are chosen as PostgreSQL chooses them
//! (`tenants_pkey`, `users_email_key`, `users_tenant_id_fkey`, `users_a_check`, `users_a_b_idx`,
//! cut to 63 bytes and numbered on collisions the same way) or, with
//! [`Naming::Conventional`], as SQLAlchemy's usual naming convention does (`pk_users`,
//! `uq_users_email`, `fk_users_tenant_id_tenants`, `ix_users_email`, `ck_users_a`).
//!
//! Canonicalised by the builder: type names; defaults that are literals, numbers, booleans and
//! SQL value functions (see [`expr`]); names. **Written by you in PostgreSQL's printed form**
//! (the builder cannot parse SQL expressions): check, policy, trigger-condition, partial-index
//! and generated-column expressions (`(amount >= (0)::numeric)`, `(tenant_id =
//! public.current_tenant())`), other default expressions (`public.uuid_generate_v4()`; functions
//! in `pg_catalog`, such as `now()` and `gen_random_uuid()`, unqualified), a collation
//! (`pg_catalog."C"`), a non-default operator class of a type outside `pg_catalog`
//! (`gin_trgm_ops` of `pg_trgm` is qualified for you when the extension is declared). Copy such
//! text from `retort schema dump --format json`; a test that builds the schema, loads it and
//! introspects it back (as `crates/retort/tests/schema_builder.rs` and builtenv's
//! `tests/models.rs` do) shows any drift.
//!
//! The derives (`#[derive(retort::Table)]`, what they refuse at compile time) are shown, and
//! their examples tested, in the `retort` crate's documentation ("Models").
//!
//! Values that depend on the server: an extension's version, and `public`'s privileges and
//! comment ([`SchemaBuilder::new`] has PostgreSQL 15's: `USAGE` for `PUBLIC`, and 'standard
//! public schema'; PostgreSQL 14 and older also grant `CREATE`).

mod build_table;
mod distribution;
pub mod expr;
mod function;
pub mod names;
mod table;
pub mod types;

use std::collections::{BTreeMap, BTreeSet};

pub use function::{FunctionBuilder, Volatility};
pub use table::{
    Action, Check, Column, ForeignKey, Index, IndexKey, Key, Policy, TableBuilder, Timing, Trigger,
};

use crate::schema::{EnumType, Extension, Function, Grant, Namespace, QualName, Schema};
use crate::sql::quote_literal;
use names::{quote_identifier, quote_qualified};
use types::SqlType;

/// A model struct: what `#[derive(retort::Table)]` implements.
pub trait TableModel {
    /// The PostgreSQL schema of the table.
    const SCHEMA: &'static str;
    /// The table's name.
    const TABLE: &'static str;
    /// Its columns, in order.
    const COLUMNS: &'static [&'static str];
    /// The table as declared by the struct's fields and attributes.
    fn table() -> TableBuilder;
}

/// A Rust type stored in a column of one PostgreSQL type. `#[derive(retort::Enum)]`
/// implements it; implement it for your own newtypes.
pub trait PgType {
    /// The type as SQL spells it (`text`, `public.tier`).
    fn pg_type() -> String;
}

/// A Rust enum mirroring a PostgreSQL enum type: what `#[derive(retort::Enum)]` implements.
pub trait PgEnum {
    const SCHEMA: &'static str;
    const NAME: &'static str;
    /// The labels, in their sort order.
    const LABELS: &'static [&'static str];
}

macro_rules! pg_types {
    ($($t:ty => $name:literal),* $(,)?) => {
        $(impl PgType for $t {
            fn pg_type() -> String {
                $name.to_string()
            }
        })*
    };
}

pg_types! {
    String => "text",
    &str => "text",
    bool => "boolean",
    i16 => "smallint",
    i32 => "integer",
    i64 => "bigint",
    f32 => "real",
    f64 => "double precision",
    Vec<u8> => "bytea",
    serde_json::Value => "jsonb",
    std::net::IpAddr => "inet",
    jiff::Timestamp => "timestamp with time zone",
    jiff::Zoned => "timestamp with time zone",
    jiff::civil::DateTime => "timestamp without time zone",
    jiff::civil::Date => "date",
    jiff::civil::Time => "time without time zone",
    jiff::Span => "interval",
}

/// How names the declaration does not give are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Naming {
    /// As PostgreSQL chooses them (`t_pkey`, `t_a_key`, `t_a_fkey`, `t_a_check`, `t_a_idx`).
    #[default]
    Postgres,
    /// SQLAlchemy's usual convention: `pk_t`, `uq_t_a_b`, `fk_t_a_b_<referenced table>`,
    /// `ck_t_a`, `ix_t_a_b` (cut to 63 bytes; a name already taken numbered `ix_t_a1`).
    Conventional,
}

/// Why a declaration does not make a schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    #[error("type {input:?}: {why}")]
    Type { input: String, why: String },
    #[error("{table}: {what}")]
    Table { table: String, what: String },
    #[error("{0} is declared twice")]
    Duplicate(String),
    #[error("function {function}: {what}")]
    Function { function: String, what: String },
}

/// A schema being declared; [`SchemaBuilder::build`] makes the model.
#[derive(Debug, Clone)]
pub struct SchemaBuilder {
    naming: Naming,
    namespaces: BTreeMap<String, Namespace>,
    extensions: BTreeMap<String, Extension>,
    enums: Vec<(QualName, EnumType)>,
    tables: Vec<TableBuilder>,
    functions: Vec<FunctionBuilder>,
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

/// Operator classes of extensions, qualified with the extension's schema when it is declared.
const EXTENSION_OPCLASSES: &[(&str, &str)] =
    &[("gin_trgm_ops", "pg_trgm"), ("gist_trgm_ops", "pg_trgm")];

/// Every privilege `GRANT ALL` gives on a table.
const TABLE_PRIVILEGES: &[&str] = &[
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

    /// The model: names chosen, everything in PostgreSQL's printed form.
    pub fn build(mut self) -> Result<Schema, BuildError> {
        self.tables = self.tables.into_iter().map(truncated).collect();
        let mut s = Schema {
            schemas: self.namespaces.clone(),
            extensions: self.extensions.clone(),
            ..Schema::default()
        };
        for (name, e) in &self.enums {
            if s.enums.insert(name.clone(), e.clone()).is_some() {
                return Err(BuildError::Duplicate(format!("type {name}")));
            }
        }
        // Names taken by what is named explicitly, per PostgreSQL schema, before any is chosen.
        let mut taken: BTreeMap<String, names::Namespace> = BTreeMap::new();
        for t in &self.tables {
            let ns = taken.entry(t.schema.clone()).or_default();
            if !ns.relations.insert(names::truncate_identifier(&t.name)) {
                return Err(BuildError::Duplicate(format!(
                    "table {}.{}",
                    t.schema, t.name
                )));
            }
            for k in t.primary_key.iter().chain(&t.uniques) {
                if let Some(n) = &k.name {
                    ns.relations.insert(names::truncate_identifier(n));
                    ns.constraints.insert(names::truncate_identifier(n));
                }
            }
            for n in t.foreign_keys.iter().filter_map(|f| f.name.as_ref()) {
                ns.constraints.insert(names::truncate_identifier(n));
            }
            for n in t.checks.iter().filter_map(|c| c.name.as_ref()) {
                ns.constraints.insert(names::truncate_identifier(n));
            }
            for n in t.indexes.iter().filter_map(|i| i.name.as_ref()) {
                ns.relations.insert(names::truncate_identifier(n));
            }
        }
        let primary_keys: BTreeMap<QualName, Vec<String>> = self
            .tables
            .iter()
            .filter_map(|t| {
                let pk = t
                    .primary_key
                    .as_ref()
                    .map(|k| k.columns.clone())
                    .or_else(|| {
                        let cols: Vec<String> = t
                            .columns
                            .iter()
                            .filter(|c| c.primary_key)
                            .map(|c| c.name.clone())
                            .collect();
                        (!cols.is_empty()).then_some(cols)
                    })?;
                Some((t.qualified_name(), pk))
            })
            .collect();
        let ctx = Context {
            naming: self.naming,
            extensions: &self.extensions,
            primary_keys: &primary_keys,
        };
        for t in &self.tables {
            let ns = taken.entry(t.schema.clone()).or_default();
            let mut table = ctx.table(t, ns)?;
            table.distribution = t.distribution_model().map_err(|what| BuildError::Table {
                table: t.qualified_name().to_string(),
                what,
            })?;
            s.tables.insert(t.qualified_name(), table);
        }
        distribution::finish(&mut s)?;
        for f in &self.functions {
            let (key, function) = function_model(f, &s)?;
            if s.functions.insert(key.clone(), function).is_some() {
                return Err(BuildError::Duplicate(format!("function {key}")));
            }
        }
        Ok(s)
    }
}

/// The table with every name cut to 63 bytes, as PostgreSQL stores (and so prints) them.
fn truncated(mut t: TableBuilder) -> TableBuilder {
    use names::truncate_identifier as cut;
    let cut_all = |v: &mut Vec<String>| v.iter_mut().for_each(|c| *c = cut(c));
    t.schema = cut(&t.schema);
    t.name = cut(&t.name);
    for c in &mut t.columns {
        c.name = cut(&c.name);
        if let Some(fk) = &mut c.references {
            cut_all(&mut fk.columns);
        }
    }
    for k in t.primary_key.iter_mut().chain(t.uniques.iter_mut()) {
        cut_all(&mut k.columns);
    }
    for fk in &mut t.foreign_keys {
        cut_all(&mut fk.columns);
    }
    for c in &mut t.checks {
        cut_all(&mut c.columns);
    }
    for i in &mut t.indexes {
        cut_all(&mut i.include);
    }
    for tr in &mut t.triggers {
        tr.name = cut(&tr.name);
    }
    for p in &mut t.policies {
        p.name = cut(&p.name);
    }
    t
}

/// Split a comma-separated list at the commas outside parentheses and quotes
/// (`"lower(a), b DESC"` → `["lower(a)", "b DESC"]`), items trimmed, empty ones dropped.
pub fn split_list(text: &str) -> Vec<String> {
    let (mut depth, mut quote) = (0i32, None::<char>);
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn grant(grantee: &str, privilege: &str) -> Grant {
    Grant {
        grantee: grantee.to_string(),
        privilege: privilege.to_string(),
        with_grant_option: false,
        owner: false,
    }
}

struct Context<'a> {
    naming: Naming,
    extensions: &'a BTreeMap<String, Extension>,
    primary_keys: &'a BTreeMap<QualName, Vec<String>>,
}

fn cols_sql(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| quote_identifier(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A table name as `fk_*`/`REFERENCES` parse it: `schema.table` or `table`, with its columns.
fn parse_target(target: &str, default_schema: &str) -> Option<(QualName, Vec<String>)> {
    let target = target.trim();
    let (table, cols) = match target.find('(') {
        Some(open) => {
            let inner = target[open + 1..].trim_end().strip_suffix(')')?;
            let cols = inner
                .split(',')
                .map(|c| c.trim().trim_matches('"').to_string())
                .filter(|c| !c.is_empty())
                .collect();
            (target[..open].trim(), cols)
        }
        None => (target, Vec::new()),
    };
    let parts: Vec<&str> = table
        .split('.')
        .map(|p| p.trim().trim_matches('"'))
        .collect();
    let cut = names::truncate_identifier;
    let qn = match parts.as_slice() {
        [t] => QualName::new(default_schema, cut(t)),
        [s, t] => QualName::new(cut(s), cut(t)),
        _ => return None,
    };
    Some((qn, cols))
}

impl Context<'_> {
    fn conventional(&self) -> bool {
        self.naming == Naming::Conventional
    }

    /// `pg_get_indexdef`.
    fn index_definition(
        &self,
        t: &TableBuilder,
        name: &str,
        i: &Index,
        keys: &[IndexKey],
    ) -> String {
        let ordered = i.method == "btree";
        let cols: Vec<String> = keys
            .iter()
            .map(|k| {
                let mut s = if !k.expression {
                    quote_identifier(&k.key)
                } else if looks_like_function(&k.key) {
                    k.key.clone()
                } else {
                    format!("({})", k.key)
                };
                if let Some(c) = &k.collation {
                    s.push_str(&format!(" COLLATE {c}"));
                }
                if let Some(o) = &k.opclass {
                    s.push(' ');
                    s.push_str(&self.opclass(o));
                }
                if ordered {
                    if k.desc {
                        s.push_str(" DESC");
                        if k.nulls_first == Some(false) {
                            s.push_str(" NULLS LAST");
                        }
                    } else if k.nulls_first == Some(true) {
                        s.push_str(" NULLS FIRST");
                    }
                }
                s
            })
            .collect();
        let mut d = format!(
            "CREATE {}INDEX {} ON {} USING {} ({})",
            if i.unique { "UNIQUE " } else { "" },
            quote_identifier(name),
            quote_qualified(&t.schema, &t.name),
            i.method,
            cols.join(", ")
        );
        if !i.include.is_empty() {
            d.push_str(&format!(" INCLUDE ({})", cols_sql(&i.include)));
        }
        if i.nulls_not_distinct {
            d.push_str(" NULLS NOT DISTINCT");
        }
        if !i.with.is_empty() {
            let opts: Vec<String> = i
                .with
                .iter()
                .map(|(k, v)| format!("{k}={}", quote_literal(v)))
                .collect();
            d.push_str(&format!(" WITH ({})", opts.join(", ")));
        }
        if let Some(p) = &i.predicate {
            d.push_str(&format!(" WHERE {p}"));
        }
        d
    }

    fn opclass(&self, o: &str) -> String {
        if o.contains('.') {
            return o.to_string();
        }
        match EXTENSION_OPCLASSES
            .iter()
            .find(|(name, _)| *name == o)
            .and_then(|(_, ext)| self.extensions.get(*ext))
        {
            Some(x) => quote_qualified(&x.schema, o),
            None => quote_identifier(o),
        }
    }
}

/// A name after SQLAlchemy's convention, cut to 63 bytes; numbered like PostgreSQL's if taken.
fn conventional(
    ns: &mut names::Namespace,
    prefix: &str,
    table: &str,
    columns: &str,
    referred: Option<&str>,
    is_index: bool,
) -> String {
    let mut name = format!("{prefix}_{table}");
    if !columns.is_empty() {
        name.push('_');
        name.push_str(columns);
    }
    if let Some(r) = referred {
        name.push('_');
        name.push_str(r);
    }
    let base = names::truncate_identifier(&name);
    let relation = is_index || prefix == "ix";
    let constraint = prefix != "ix";
    let mut name = base.clone();
    let mut pass = 0;
    while (relation && ns.relations.contains(&name))
        || (constraint && ns.constraints.contains(&name))
    {
        pass += 1;
        let suffix = pass.to_string();
        name = format!(
            "{}{suffix}",
            names::clip(&base, names::NAMEDATALEN - 1 - suffix.len())
        );
    }
    if relation {
        ns.relations.insert(name.clone());
    }
    if constraint {
        ns.constraints.insert(name.clone());
    }
    name
}

/// ` ON UPDATE|DELETE action`, nothing for `NO ACTION`.
fn action(out: &mut String, event: &str, a: &Action) {
    let text = match a {
        Action::NoAction => return,
        Action::Restrict => "RESTRICT".to_string(),
        Action::Cascade => "CASCADE".to_string(),
        Action::SetNull(cols) if cols.is_empty() => "SET NULL".to_string(),
        Action::SetNull(cols) => format!("SET NULL ({})", cols_sql(cols)),
        Action::SetDefault(cols) if cols.is_empty() => "SET DEFAULT".to_string(),
        Action::SetDefault(cols) => format!("SET DEFAULT ({})", cols_sql(cols)),
    };
    out.push_str(&format!(" ON {event} {text}"));
}

fn deferral(out: &mut String, deferrable: bool, initially_deferred: bool, not_valid: bool) {
    if deferrable {
        out.push_str(" DEFERRABLE");
    }
    if initially_deferred {
        out.push_str(" INITIALLY DEFERRED");
    }
    if not_valid {
        out.push_str(" NOT VALID");
    }
}

/// What PostgreSQL names an index column that is an expression: the function it calls, else
/// `expr`.
fn expression_name(expr: &str) -> String {
    if looks_like_function(expr) {
        let name = &expr[..expr.find('(').unwrap_or(expr.len())];
        name.rsplit('.')
            .next()
            .unwrap_or(name)
            .trim_matches('"')
            .to_string()
    } else {
        "expr".to_string()
    }
}

/// Whether `pg_get_indexdef` prints an index expression without extra parentheses: a plain
/// function call.
fn looks_like_function(expr: &str) -> bool {
    let name_end = expr
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '"'))
        .unwrap_or(expr.len());
    name_end > 0
        && expr[name_end..].starts_with('(')
        && expr.ends_with(')')
        && table_paren_closes_at_end(&expr[name_end..])
}

fn table_paren_closes_at_end(s: &str) -> bool {
    let (mut depth, mut quote) = (0i32, None::<char>);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return i == s.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// A function name as PostgreSQL prints it under an empty `search_path`: qualified, except in
/// `pg_catalog`; an unqualified one is in `default_schema`.
fn function_name(name: &str, default_schema: &str) -> String {
    match name.split_once('.') {
        Some(("pg_catalog", n)) => quote_identifier(n),
        Some((s, n)) => quote_qualified(s, n),
        None => quote_qualified(default_schema, name),
    }
}

/// `pg_get_triggerdef`.
fn trigger_definition(t: &TableBuilder, tr: &Trigger) -> String {
    let timing = match tr.timing {
        Timing::Before => "BEFORE",
        Timing::After => "AFTER",
        Timing::InsteadOf => "INSTEAD OF",
    };
    let mut events = Vec::new();
    if tr.insert {
        events.push("INSERT".to_string());
    }
    if tr.delete {
        events.push("DELETE".to_string());
    }
    if let Some(cols) = &tr.update {
        if cols.is_empty() {
            events.push("UPDATE".to_string());
        } else {
            events.push(format!("UPDATE OF {}", cols_sql(cols)));
        }
    }
    if tr.truncate {
        events.push("TRUNCATE".to_string());
    }
    let mut d = format!(
        "CREATE TRIGGER {} {timing} {} ON {} FOR EACH {}",
        quote_identifier(&tr.name),
        events.join(" OR "),
        quote_qualified(&t.schema, &t.name),
        if tr.row { "ROW" } else { "STATEMENT" }
    );
    if let Some(w) = &tr.when {
        d.push_str(&format!(" WHEN ({w})"));
    }
    let args: Vec<String> = tr.args.iter().map(|a| quote_literal(a)).collect();
    d.push_str(&format!(
        " EXECUTE FUNCTION {}({})",
        function_name(&tr.function, &t.schema),
        args.join(", ")
    ));
    d
}

/// The function's key in [`Schema::functions`] and its model.
// Long: every part of a function's declaration checked and rendered as pg_get_functiondef does.
fn function_model(f: &FunctionBuilder, s: &Schema) -> Result<(QualName, Function), BuildError> {
    let mut grants = BTreeSet::new();
    if f.public_execute {
        grants.insert(grant("PUBLIC", "EXECUTE"));
    }
    for role in &f.grants {
        grants.insert(grant(role, "EXECUTE"));
    }
    let mut depends_on = BTreeSet::new();
    let (identity, definition) = match &f.definition {
        Some((identity, definition)) => (identity.clone(), definition.clone()),
        None => {
            let err = |e: BuildError| BuildError::Function {
                function: format!("{}.{}", f.schema, f.name),
                what: e.to_string(),
            };
            let mut args = Vec::new();
            for (name, ty) in &f.args {
                let ty = SqlType::parse(ty, &f.schema).map_err(err)?;
                if let Some(u) = &ty.user_type {
                    depends_on.insert(u.clone());
                }
                args.push(if name.is_empty() {
                    ty.without_typmod()
                } else {
                    format!("{} {}", quote_identifier(name), ty.without_typmod())
                });
            }
            let args = args.join(", ");
            let returns = match f.returns.trim() {
                r if r.to_uppercase().starts_with("TABLE") => r.to_string(),
                r => {
                    let (setof, ty) = match r.get(..6) {
                        Some(p) if p.eq_ignore_ascii_case("setof ") => ("SETOF ", &r[6..]),
                        _ => ("", r),
                    };
                    let ty = SqlType::parse(ty, &f.schema).map_err(err)?;
                    if let Some(u) = &ty.user_type {
                        depends_on.insert(u.clone());
                    }
                    format!("{setof}{}", ty.without_typmod())
                }
            };
            let mut d = format!(
                "CREATE OR REPLACE FUNCTION {}({args})\n RETURNS {returns}\n LANGUAGE {}\n",
                quote_qualified(&f.schema, &f.name),
                quote_identifier(&f.language.to_lowercase())
            );
            let mut misc = String::new();
            match f.volatility {
                Volatility::Immutable => misc.push_str(" IMMUTABLE"),
                Volatility::Stable => misc.push_str(" STABLE"),
                Volatility::Volatile => {}
            }
            if let Some(p) = &f.parallel {
                misc.push_str(&format!(" PARALLEL {p}"));
            }
            if f.strict {
                misc.push_str(" STRICT");
            }
            if f.security_definer {
                misc.push_str(" SECURITY DEFINER");
            }
            if f.leakproof {
                misc.push_str(" LEAKPROOF");
            }
            if !misc.is_empty() {
                d.push_str(&misc);
                d.push('\n');
            }
            for (k, v) in &f.config {
                d.push_str(&format!(" SET {k} TO {v}\n"));
            }
            let mut tag = "$function".to_string();
            while f.body.contains(&tag) {
                tag.push('x');
            }
            tag.push('$');
            d.push_str(&format!("AS {tag}{}{tag}\n", f.body));
            (args_identity(&args), d)
        }
    };
    // Only the types of this schema are dependencies the model records.
    depends_on.retain(|q| {
        s.enums.contains_key(q)
            || s.domains.contains_key(q)
            || s.composites.contains_key(q)
            || s.tables.contains_key(q)
    });
    let key = QualName::new(f.schema.clone(), format!("{}({identity})", f.name));
    Ok((
        key,
        Function {
            name: f.name.clone(),
            identity_arguments: identity,
            procedure: false,
            definition,
            depends_on,
            comment: f.comment.clone(),
            grants,
        },
    ))
}

/// The identity arguments of `IN` arguments without defaults: the argument list itself.
fn args_identity(args: &str) -> String {
    args.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema as model;

    #[test]
    fn names_and_definitions_follow_postgres() {
        let s = SchemaBuilder::new()
            .extension("pg_trgm", "1.6")
            .table(
                TableBuilder::new("public", "t")
                    .column(Column::new("id", "uuid").primary_key())
                    .column(Column::new("a", "int").unique())
                    .column(Column::new("k", "text"))
                    .column(Column::new("timestamp", "int"))
                    .column(Column::new("b", "int"))
                    .column(Column::new("c", "int"))
                    .unique(Key::new(&["id", "a"]))
                    .index(Index::on(&["k gin_trgm_ops"]).using("gin"))
                    .index(
                        Index::on(&["\"timestamp\" DESC", "a NULLS FIRST", "b DESC NULLS LAST"])
                            .include(&["c"])
                            .with("fillfactor", "70"),
                    ),
            )
            .table(
                TableBuilder::new("public", "u")
                    .column(Column::new("a", "int").check("(a > 0)"))
                    .column(Column::new("b", "int"))
                    .column(Column::new("ref", "uuid"))
                    .check(Check::new(&["a", "b"], "(a > b)"))
                    .foreign_key(
                        ForeignKey::new(&["ref"], "t")
                            .on_delete(Action::SetNull(vec!["ref".into()]))
                            .on_update(Action::Cascade)
                            .deferrable(true),
                    )
                    .foreign_key(ForeignKey::new(&["ref", "a"], "t(id, a)").match_full())
                    .unique(Key::new(&["b"]).nulls_not_distinct())
                    .index(Index::on(&["a"]))
                    .index(Index::on(&["a"]))
                    .index(Index::on(&["lower((a)::text)", "((a + b))"]))
                    .index(Index::on(&["b"]).unique().predicate("(a > 0)")),
            )
            .build()
            .expect("builds");
        // Every line as PostgreSQL 15 printed it for the same DDL.
        let t = &s.tables[&QualName::new("public", "t")];
        let u = &s.tables[&QualName::new("public", "u")];
        let defs = |t: &model::Table| -> Vec<String> {
            t.constraints
                .iter()
                .map(|(n, c)| format!("{n}|{}", c.definition))
                .chain(t.indexes.values().map(|i| i.definition.clone()))
                .collect()
        };
        assert_eq!(
            defs(t),
            [
                "t_a_key|UNIQUE (a)",
                "t_id_a_key|UNIQUE (id, a)",
                "t_pkey|PRIMARY KEY (id)",
                "CREATE INDEX t_k_idx ON public.t USING gin (k public.gin_trgm_ops)",
                "CREATE INDEX t_timestamp_a_b_c_idx ON public.t USING btree (\"timestamp\" DESC, a NULLS FIRST, b DESC NULLS LAST) INCLUDE (c) WITH (fillfactor='70')",
            ]
        );
        assert_eq!(
            defs(u),
            [
                "u_a_check|CHECK ((a > 0))",
                "u_b_key|UNIQUE NULLS NOT DISTINCT (b)",
                "u_check|CHECK ((a > b))",
                "u_ref_a_fkey|FOREIGN KEY (ref, a) REFERENCES public.t(id, a) MATCH FULL",
                "u_ref_fkey|FOREIGN KEY (ref) REFERENCES public.t(id) ON UPDATE CASCADE ON DELETE SET NULL (ref) DEFERRABLE INITIALLY DEFERRED",
                "CREATE INDEX u_a_idx ON public.u USING btree (a)",
                "CREATE INDEX u_a_idx1 ON public.u USING btree (a)",
                "CREATE UNIQUE INDEX u_b_idx ON public.u USING btree (b) WHERE (a > 0)",
                "CREATE INDEX u_lower_expr_idx ON public.u USING btree (lower((a)::text), ((a + b)))",
            ]
        );
    }

    #[test]
    fn declarations_that_cannot_be_made_are_errors() {
        let one = |t: TableBuilder| SchemaBuilder::new().table(t).build();
        let t = || TableBuilder::new("public", "t").column(Column::new("a", "int"));
        let table_error = |r: Result<Schema, BuildError>| match r {
            Err(BuildError::Table { what, .. }) => what,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            table_error(one(t().primary_key(["b"]))),
            "primary key: no column b"
        );
        assert_eq!(
            table_error(one(t().foreign_key(ForeignKey::new(&["a"], "other")))),
            "foreign key to public.other: name its columns (it has no declared primary key)"
        );
        assert_eq!(
            table_error(one(t().foreign_key(ForeignKey::new(&["a"], "other(x, y)")))),
            "foreign key [\"a\"] → public.other: 1 columns reference 2"
        );
        assert_eq!(
            table_error(one(t().column(Column::new("a", "text")))),
            "column a is declared twice"
        );
        assert_eq!(
            table_error(one(t().index(Index::on(&["a NULLS MAYBE"])))),
            "index key \"a NULLS MAYBE\" does not parse"
        );
        assert_eq!(
            table_error(one(t().primary_key(["a"]).unique(["a"]))),
            "unique constraint on (a) is declared twice, or is the primary key"
        );
        assert!(matches!(
            one(TableBuilder::new("public", "t").column(Column::new("id", "serial"))),
            Err(BuildError::Type { .. })
        ));
        assert!(matches!(
            SchemaBuilder::new().table(t()).table(t()).build(),
            Err(BuildError::Duplicate(_))
        ));
    }

    #[test]
    fn functions_and_triggers_print_as_postgres_does() {
        let body = "\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND\n";
        let s = SchemaBuilder::new()
            .enum_type("public", "tier", &["a"])
            .function(FunctionBuilder::new(
                "public", "f1", "trigger", "plpgsql", body,
            ))
            .function(
                FunctionBuilder::new(
                    "public",
                    "g",
                    "SETOF tier",
                    "sql",
                    "select 'a'::public.tier",
                )
                .arg("a", "int")
                .arg("b", "text")
                .immutable()
                .parallel(true)
                .strict()
                .security_definer()
                .set("search_path", "''"),
            )
            .table(
                TableBuilder::new("public", "t")
                    .column(Column::new("a", "int"))
                    .column(Column::new("b", "int"))
                    .trigger(Trigger::new("tr1", "f1").before().on_update())
                    .trigger(
                        Trigger::new("tr2", "f1")
                            .after()
                            .on_update_of(&["a", "b"])
                            .on_delete()
                            .on_insert()
                            .args(&["x", "y"]),
                    )
                    .trigger(
                        Trigger::new("tr3", "f1")
                            .after()
                            .on_truncate()
                            .for_each_statement(),
                    )
                    .trigger(
                        Trigger::new("Tr5", "public.f1")
                            .on_update()
                            .when("(old.* IS DISTINCT FROM new.*)"),
                    ),
            )
            .build()
            .expect("builds");
        let f1 = &s.functions[&QualName::new("public", "f1()")];
        assert_eq!(
            f1.definition,
            "CREATE OR REPLACE FUNCTION public.f1()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND\n$function$\n"
        );
        let g = &s.functions[&QualName::new("public", "g(a integer, b text)")];
        assert_eq!(
            g.definition,
            "CREATE OR REPLACE FUNCTION public.g(a integer, b text)\n RETURNS SETOF public.tier\n LANGUAGE sql\n IMMUTABLE PARALLEL SAFE STRICT SECURITY DEFINER\n SET search_path TO ''\nAS $function$select 'a'::public.tier$function$\n"
        );
        assert_eq!(
            g.depends_on,
            BTreeSet::from([QualName::new("public", "tier")])
        );
        let t = &s.tables[&QualName::new("public", "t")];
        let defs: Vec<&str> = t.triggers.values().map(|t| t.definition.as_str()).collect();
        assert_eq!(
            defs,
            [
                "CREATE TRIGGER \"Tr5\" BEFORE UPDATE ON public.t FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION public.f1()",
                "CREATE TRIGGER tr1 BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION public.f1()",
                "CREATE TRIGGER tr2 AFTER INSERT OR DELETE OR UPDATE OF a, b ON public.t FOR EACH ROW EXECUTE FUNCTION public.f1('x', 'y')",
                "CREATE TRIGGER tr3 AFTER TRUNCATE ON public.t FOR EACH STATEMENT EXECUTE FUNCTION public.f1()",
            ]
        );
    }
}
