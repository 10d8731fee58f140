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

mod build;
mod build_function;
mod build_table;
mod distribution;
mod error;
pub mod expr;
mod function;
mod index_def;
mod lists;
mod model;
pub mod names;
mod naming;
mod schema_builder;
mod sql_text;
mod table;
#[cfg(test)]
mod tests;
mod trigger_def;
pub mod types;

pub use error::BuildError;
pub use function::{FunctionBuilder, Volatility};
pub use lists::split_list;
pub use model::{PgEnum, PgType, TableModel};
pub use naming::Naming;
pub use schema_builder::SchemaBuilder;
pub use table::{
    Action, Check, Column, ForeignKey, Index, IndexKey, Key, Policy, TableBuilder, Timing, Trigger,
};
