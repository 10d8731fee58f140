//! `#[derive(retort::Table)]` and `#[derive(retort::Enum)]`: model structs and enums as
//! retort's schema (`retort::schema::builder`), the way SQLAlchemy models are Alembic's
//! autogenerate source. Use them through the `retort` crate, which re-exports both; the code
//! they generate names `::retort::schema::builder`, so this crate depends on nothing of retort's.
//!
//! ```ignore
//! #[derive(retort::Table)]
//! #[retort(table = "users", index(columns = "tenant_id, status"))]
//! struct User {
//!     #[retort(primary_key, default = "gen_random_uuid()")]
//!     id: Uuid,
//!     #[retort(references = "tenants(id)", on_delete = "cascade")]
//!     tenant_id: Uuid,
//!     #[retort(unique, max_length = 255)]
//!     email: String,            // character varying(255) NOT NULL
//!     nickname: Option<String>, // text, nullable
//!     status: UserStatus,       // #[derive(retort::Enum)]: public.userstatus
//! }
//! ```
//!
//! Column types come from the Rust type, by its last path segment: `String` → `text` (with
//! `max_length = N`: `varchar(N)`), `i16`/`i32`/`i64` → `smallint`/`integer`/`bigint`, `f32`/`f64`
//! → `real`/`double precision`, `bool`, `Uuid` → `uuid`, `Decimal` → `numeric` (with `precision
//! = P, scale = S`: `numeric(P,S)`), `Timestamp`/`Zoned`/`OffsetDateTime`/`DateTime<Tz>` →
//! `timestamp with time zone`, `NaiveDateTime`/`PrimitiveDateTime`/`civil::DateTime` →
//! `timestamp without time zone`, `Date`/`NaiveDate` → `date`, `Time`/`NaiveTime` → `time
//! without time zone`, `Span` → `interval`, `Value`/`Json<T>` → `jsonb`, `IpAddr` → `inet`,
//! `Vec<u8>` → `bytea`, `Vec<T>` → `T[]`, `Option<T>` → nullable (anything else is `NOT NULL`),
//! any other type through its `retort::schema::builder::PgType` implementation (which
//! `#[derive(retort::Enum)]` writes). `sql_type = "..."` overrides all of this.
//!
//! Attributes of the struct: `table = "name"` (default: the struct's name in snake_case),
//! `schema = "name"` (default `public`), `comment`, `from_row` (also generate `fn
//! from_row(&tokio_postgres::Row) -> Result<Self, tokio_postgres::Error>`, reading each column
//! by name), and, repeatable, `primary_key = "a, b"`, `unique = "a, b"` or `unique(columns,
//! name, nulls_not_distinct, deferrable, initially_deferred)`, `index = "a, b DESC"` or
//! `index(columns, name, unique, using, include, predicate)` (each key as `IndexKey::parse`
//! reads it: `col [COLLATE c] [opclass] [DESC] [NULLS FIRST|LAST]`, or an expression),
//! `foreign_key(columns, references = "table(cols)", on_delete, on_update, name, match_full,
//! deferrable, initially_deferred)`, `check(columns, expr, name)`; Citus distribution:
//! `distributed_by = "column"` with optional `colocate_with = "table"` or `shard_count = N`, or
//! `reference` (see `retort::schema::builder`'s `TableBuilder::distributed_by`).
//!
//! Attributes of a field: `column = "name"`, `sql_type`, `max_length`, `precision`, `scale`,
//! `primary_key`, `unique`, `index`, `unique_index`, `references = "table(col)"` with
//! `on_delete`/`on_update` (`cascade`, `restrict`, `no action`, `set null [(cols)]`, `set
//! default [(cols)]`), `default = "..."`, `check = "(expr)"`, `identity` (or `identity = "by
//! default"`), `generated = "(expr)"`, `collate`, `comment`, `skip` (not a column).
//! Expressions are written as PostgreSQL prints them; see `retort::schema::builder`.

mod attrs;
mod expand;
mod rename;
mod types;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput, Error};

/// `impl retort::schema::builder::TableModel` for a struct with named fields: one column per
/// field, in order; and the inherent `const TABLE: &str`, the table's name. See the crate
/// documentation for the attributes.
#[proc_macro_derive(Table, attributes(retort))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::table(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// `impl retort::schema::builder::PgEnum` and `PgType` for a fieldless enum: a PostgreSQL enum
/// type whose labels are the variants, in order. Reads `#[postgres(name = "...", rename_all =
/// "...")]` and variants' `#[postgres(name = "...")]` (postgres-types' own attributes) when
/// present, so one declaration serves both; `#[retort(name, schema, rename_all)]` and
/// variants' `#[retort(label = "...")]` take precedence.
#[proc_macro_derive(Enum, attributes(retort))]
pub fn derive_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::pg_enum(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}
