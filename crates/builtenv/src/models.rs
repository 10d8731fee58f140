//! The tables and enum types of the BuiltEnvironment.ai database, as Rust types: the source of
//! truth of the schema, as SQLAlchemy models are for Alembic. One struct per table, one field
//! per column in column order, one enum per PostgreSQL enum type; `#[derive(retort::Table)]`
//! and `#[derive(retort::Enum)]` make them retort's schema, and [`schema`] adds what is not a
//! column (the functions, triggers, row-level security and grants) to give the whole desired
//! schema, which `tests/models.rs` proves equal to what the migrations make.
//!
//! Column types follow the Rust types: `Uuid` → uuid, `String` → text, `bool` → boolean, `i32`
//! → integer, `i64` → bigint, `Decimal` → numeric(10,2) (by attribute), `Timestamp` →
//! timestamp with time zone, `serde_json::Value` → jsonb, `IpAddr` → inet, an enum → its type,
//! `Option<T>` → nullable, anything else NOT NULL. Names follow the migrations' convention
//! ([`Naming::Conventional`]: `pk_<table>`, `uq_<table>_<columns>`,
//! `fk_<table>_<columns>_<referenced table>`, `ix_<table>_<columns>`).
//!
//! Conventions every table follows (see the initial revision): `id uuid DEFAULT
//! uuid_generate_v4()`, the primary key `(tenant_id, id)` (`id` for tenants; every key of a
//! tenant's table starts with tenant_id since revision 6d2f8a41c9e3, so that Citus can shard it
//! by tenant: [`schema_on_citus`]); `tenant_id` NOT NULL referencing `tenants(id)` ON DELETE
//! CASCADE, covered by an index whose first column it is; `created_at`/`updated_at` DEFAULT
//! now(), `updated_at` kept by the trigger `trg_<table>_updated_at`; row-level security policy
//! `tenant_isolation` on `tenant_id` (on `id` for tenants).
//!
//! `audit_events` is described in its plain-table form. Where the server has TimescaleDB the
//! initial revision makes it a hypertable, which adds objects of TimescaleDB's (the extension,
//! its schemas and chunk tables, the `ts_insert_blocker` trigger) that are not part of this
//! model; [`without_timescaledb`] takes them out of an introspected schema before comparing.

use std::net::IpAddr;

use jiff::Timestamp;
use postgres_types::{FromSql, ToSql};
use retort::schema::builder::{
    FunctionBuilder, Naming, Policy, SchemaBuilder, TableModel, Trigger,
};
use retort::schema::{QualName, Schema};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The role the service runs its requests as (`SET LOCAL ROLE builtenv_app`).
pub const APP_ROLE: &str = "builtenv_app";

/// A PostgreSQL enum type mirrored by a Rust enum: its name and labels come from
/// `#[derive(retort::Enum)]` (which reads the `#[postgres(...)]` attributes).
pub trait PgEnum: retort::schema::builder::PgEnum + Sized + 'static {
    /// Every variant, in the order of the type's labels.
    const ALL: &'static [Self];
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSql,
    FromSql,
    retort::Enum,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[postgres(name = "subscriptionstatus", rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Trialing,
    Active,
    PastDue,
    Canceled,
    Unpaid,
    Incomplete,
    IncompleteExpired,
}

impl PgEnum for SubscriptionStatus {
    const ALL: &'static [Self] = &[
        Self::Trialing,
        Self::Active,
        Self::PastDue,
        Self::Canceled,
        Self::Unpaid,
        Self::Incomplete,
        Self::IncompleteExpired,
    ];
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSql,
    FromSql,
    retort::Enum,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[postgres(name = "subscriptiontier", rename_all = "snake_case")]
pub enum SubscriptionTier {
    Starter,
    Professional,
    Enterprise,
}

impl PgEnum for SubscriptionTier {
    const ALL: &'static [Self] = &[Self::Starter, Self::Professional, Self::Enterprise];
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSql,
    FromSql,
    retort::Enum,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[postgres(name = "projectstatus", rename_all = "snake_case")]
pub enum ProjectStatus {
    Draft,
    InReview,
    AiAnalysisComplete,
    EngineerReview,
    Validated,
    Submitted,
    Approved,
    Archived,
}

impl PgEnum for ProjectStatus {
    const ALL: &'static [Self] = &[
        Self::Draft,
        Self::InReview,
        Self::AiAnalysisComplete,
        Self::EngineerReview,
        Self::Validated,
        Self::Submitted,
        Self::Approved,
        Self::Archived,
    ];
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSql,
    FromSql,
    retort::Enum,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[postgres(name = "documenttype", rename_all = "snake_case")]
pub enum DocumentType {
    Architectural,
    Structural,
    Mechanical,
    Electrical,
    FireSafety,
    Accessibility,
    BuildingControl,
    TechnicalSpec,
    Report,
    Other,
}

impl PgEnum for DocumentType {
    const ALL: &'static [Self] = &[
        Self::Architectural,
        Self::Structural,
        Self::Mechanical,
        Self::Electrical,
        Self::FireSafety,
        Self::Accessibility,
        Self::BuildingControl,
        Self::TechnicalSpec,
        Self::Report,
        Self::Other,
    ];
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSql,
    FromSql,
    retort::Enum,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[postgres(name = "documentstatus", rename_all = "snake_case")]
pub enum DocumentStatus {
    Uploaded,
    Processing,
    Indexed,
    AiAnalysisComplete,
    ReadyForReview,
    EngineerReview,
    Validated,
    Error,
}

impl PgEnum for DocumentStatus {
    const ALL: &'static [Self] = &[
        Self::Uploaded,
        Self::Processing,
        Self::Indexed,
        Self::AiAnalysisComplete,
        Self::ReadyForReview,
        Self::EngineerReview,
        Self::Validated,
        Self::Error,
    ];
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSql,
    FromSql,
    retort::Enum,
    utoipa::ToSchema,
)]
#[postgres(name = "eventtype")]
pub enum EventType {
    #[serde(rename = "user.auth")]
    #[postgres(name = "user.auth")]
    UserAuth,
    #[serde(rename = "user.action")]
    #[postgres(name = "user.action")]
    UserAction,
    #[serde(rename = "document.upload")]
    #[postgres(name = "document.upload")]
    DocumentUpload,
    #[serde(rename = "document.process")]
    #[postgres(name = "document.process")]
    DocumentProcess,
    #[serde(rename = "ai.analysis")]
    #[postgres(name = "ai.analysis")]
    AiAnalysis,
    #[serde(rename = "ai.agent")]
    #[postgres(name = "ai.agent")]
    AiAgent,
    #[serde(rename = "compliance.check")]
    #[postgres(name = "compliance.check")]
    ComplianceCheck,
    #[serde(rename = "engineer.review")]
    #[postgres(name = "engineer.review")]
    EngineerReview,
    #[serde(rename = "subscription")]
    #[postgres(name = "subscription")]
    Subscription,
    #[serde(rename = "system")]
    #[postgres(name = "system")]
    System,
}

impl PgEnum for EventType {
    const ALL: &'static [Self] = &[
        Self::UserAuth,
        Self::UserAction,
        Self::DocumentUpload,
        Self::DocumentProcess,
        Self::AiAnalysis,
        Self::AiAgent,
        Self::ComplianceCheck,
        Self::EngineerReview,
        Self::Subscription,
        Self::System,
    ];
}

/// What a user may do inside its tenant (see `crate::auth::Role` for what each route asks for).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSql,
    FromSql,
    retort::Enum,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[postgres(name = "userrole", rename_all = "snake_case")]
pub enum UserRole {
    /// Everything, including users, API tokens and the audit trail.
    Admin,
    /// Projects and documents.
    Member,
    /// A chartered engineer: also moves projects into the review states only engineers sign.
    Engineer,
}

impl PgEnum for UserRole {
    const ALL: &'static [Self] = &[Self::Admin, Self::Member, Self::Engineer];
}

/// What kind of credential a row of `api_tokens` is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSql,
    FromSql,
    retort::Enum,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[postgres(name = "tokenkind", rename_all = "snake_case")]
pub enum TokenKind {
    /// Made by `POST /login` for a user, ended by `POST /logout`.
    Session,
    /// Made by an admin for a machine; acts with its own role, not a user's.
    Api,
}

impl PgEnum for TokenKind {
    const ALL: &'static [Self] = &[Self::Session, Self::Api];
}

/// The labels of an enum type.
const fn labels<E: retort::schema::builder::PgEnum>() -> (&'static str, &'static [&'static str]) {
    (E::NAME, E::LABELS)
}

/// Every enum type, as (type name, labels): what the database must hold.
pub const ENUM_TYPES: &[(&str, &[&str])] = &[
    labels::<SubscriptionStatus>(),
    labels::<SubscriptionTier>(),
    labels::<ProjectStatus>(),
    labels::<DocumentType>(),
    labels::<DocumentStatus>(),
    labels::<EventType>(),
    labels::<UserRole>(),
    labels::<TokenKind>(),
];

/// Every table, in dependency order (a table after those it references).
pub const TABLES: &[&str] = &[
    Tenant::TABLE,
    User::TABLE,
    Subscription::TABLE,
    Project::TABLE,
    Document::TABLE,
    AuditEvent::TABLE,
    ApiToken::TABLE,
    RateLimit::TABLE,
];

/// `tenants`: a customer organisation. Row-level security on `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, retort::Table, utoipa::ToSchema)]
#[retort(table = "tenants", from_row)]
pub struct Tenant {
    #[retort(primary_key, default = "public.uuid_generate_v4()")]
    pub id: Uuid,
    pub name: String,
    #[retort(unique_index)]
    pub slug: String,
    pub email: String,
    pub phone: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    #[retort(default = "'United Kingdom'")]
    pub country: String,
    #[retort(default = "true")]
    pub is_active: bool,
    #[retort(default = "true")]
    pub is_trial: bool,
    #[retort(default = "3")]
    pub max_users: i32,
    #[retort(default = "5")]
    pub max_projects: i32,
    #[retort(default = "10")]
    pub max_storage_gb: i32,
    #[retort(default = "now()")]
    pub created_at: Timestamp,
    #[retort(default = "now()")]
    pub updated_at: Timestamp,
    pub trial_ends_at: Option<Timestamp>,
}

/// `users`: an account of a tenant, keyed by `(tenant_id, id)` (the target of tenant-checked
/// foreign keys). Its e-mail is unique across tenants: login finds the account by it before the
/// tenant is known, which is why `users` is a reference table on Citus ([`citus_layout`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, retort::Table, utoipa::ToSchema)]
#[retort(table = "users", from_row, primary_key = "tenant_id, id")]
pub struct User {
    #[retort(default = "public.uuid_generate_v4()")]
    pub id: Uuid,
    #[retort(references = "tenants(id)", on_delete = "cascade")]
    pub tenant_id: Uuid,
    #[retort(unique_index)]
    pub email: String,
    #[serde(skip_serializing)]
    #[schema(ignore)]
    pub hashed_password: String,
    #[retort(default = "true")]
    pub is_active: bool,
    #[retort(default = "false")]
    pub is_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub job_title: Option<String>,
    #[retort(default = "false")]
    pub is_engineer: bool,
    pub engineer_registration_number: Option<String>,
    pub engineer_qualification: Option<String>,
    #[retort(default = "'member'")]
    pub role: UserRole,
    pub last_login_at: Option<Timestamp>,
    #[retort(default = "now()")]
    pub created_at: Timestamp,
    #[retort(default = "now()")]
    pub updated_at: Timestamp,
}

/// `subscriptions`: a tenant's Stripe subscription (one per tenant). Its Stripe ids are unique
/// within the tenant (revision 6d2f8a41c9e3: every key of a tenant table starts with tenant_id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, retort::Table, utoipa::ToSchema)]
#[retort(
    table = "subscriptions",
    from_row,
    primary_key = "tenant_id, id",
    unique = "tenant_id, stripe_customer_id",
    unique = "tenant_id, stripe_subscription_id"
)]
pub struct Subscription {
    #[retort(default = "public.uuid_generate_v4()")]
    pub id: Uuid,
    #[retort(unique, references = "tenants(id)", on_delete = "cascade")]
    pub tenant_id: Uuid,
    pub stripe_customer_id: Option<String>,
    pub stripe_subscription_id: Option<String>,
    pub stripe_price_id: Option<String>,
    #[retort(default = "'starter'")]
    pub tier: SubscriptionTier,
    #[retort(default = "'trialing'", index)]
    pub status: SubscriptionStatus,
    #[retort(default = "'monthly'")]
    pub billing_cycle: String,
    #[retort(precision = 10, scale = 2, default = "0")]
    #[schema(value_type = String)]
    pub amount: Decimal,
    #[retort(default = "'GBP'")]
    pub currency: String,
    pub current_period_start: Option<Timestamp>,
    pub current_period_end: Option<Timestamp>,
    pub trial_start: Option<Timestamp>,
    pub trial_end: Option<Timestamp>,
    pub canceled_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    #[retort(default = "'{}'")]
    pub usage_data: serde_json::Value,
    #[retort(default = "now()")]
    pub created_at: Timestamp,
    #[retort(default = "now()")]
    pub updated_at: Timestamp,
}

/// `projects`: a building project of a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, retort::Table, utoipa::ToSchema)]
#[retort(
    table = "projects",
    from_row,
    primary_key = "tenant_id, id",
    index = "tenant_id, status"
)]
pub struct Project {
    #[retort(default = "public.uuid_generate_v4()")]
    pub id: Uuid,
    #[retort(references = "tenants(id)", on_delete = "cascade")]
    pub tenant_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub reference_number: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    #[retort(default = "'United Kingdom'")]
    pub country: String,
    pub project_type: Option<String>,
    pub building_use: Option<String>,
    #[retort(default = "'draft'")]
    pub status: ProjectStatus,
    #[retort(default = "'{}'")]
    pub compliance_summary: serde_json::Value,
    pub engineer_validated: Option<serde_json::Value>,
    #[retort(default = "now()")]
    pub created_at: Timestamp,
    #[retort(default = "now()")]
    pub updated_at: Timestamp,
}

/// `documents`: an uploaded file of a project and what the AI made of it. It references its
/// project through `(tenant_id, project_id)`, so a document can only belong to a project of
/// its own tenant; `extracted_text` is trigram-indexed for text search; `content_hash` (hex
/// SHA-256 of the file, for finding duplicates) came with revision b7e24d90c1a5, its index
/// built CONCURRENTLY.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, retort::Table, utoipa::ToSchema)]
#[retort(
    table = "documents",
    from_row,
    primary_key = "tenant_id, id",
    foreign_key(
        columns = "tenant_id, project_id",
        references = "projects(tenant_id, id)",
        on_delete = "cascade"
    ),
    index = "tenant_id, project_id",
    index = "tenant_id, status",
    index(
        name = "ix_documents_extracted_text_trgm",
        columns = "extracted_text gin_trgm_ops",
        using = "gin"
    ),
    index = "tenant_id, content_hash"
)]
pub struct Document {
    #[retort(default = "public.uuid_generate_v4()")]
    pub id: Uuid,
    #[retort(references = "tenants(id)", on_delete = "cascade")]
    pub tenant_id: Uuid,
    pub project_id: Uuid,
    pub filename: String,
    pub original_filename: String,
    pub file_path: String,
    pub file_size: i64,
    pub mime_type: Option<String>,
    pub file_extension: Option<String>,
    #[retort(default = "'other'")]
    pub document_type: DocumentType,
    #[retort(default = "'uploaded'")]
    pub status: DocumentStatus,
    pub extracted_text: Option<String>,
    pub page_count: Option<i32>,
    #[retort(default = "'{}'")]
    pub ai_analysis: serde_json::Value,
    #[retort(default = "'{}'")]
    pub compliance_findings: serde_json::Value,
    pub vector_indexed: Option<serde_json::Value>,
    pub engineer_notes: Option<String>,
    #[retort(default = "now()")]
    pub created_at: Timestamp,
    #[retort(default = "now()")]
    pub updated_at: Timestamp,
    pub processed_at: Option<Timestamp>,
    pub content_hash: Option<String>,
}

/// `audit_events`: what happened, who or what did it. A TimescaleDB hypertable on `timestamp`
/// where available (see the module documentation); the primary key is (tenant_id, id, timestamp) either
/// way, led by tenant_id. Append-only for the service. `user_id` is not a foreign key (since
/// revision 6d2f8a41c9e3): an audit trail keeps the id of whoever acted, and Citus cannot SET
/// NULL a column of a key holding the distribution column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, retort::Table, utoipa::ToSchema)]
#[retort(
    table = "audit_events",
    from_row,
    primary_key = "tenant_id, id, timestamp",
    index = "tenant_id, timestamp DESC",
    index = "tenant_id, user_id",
    index = "event_type",
    index = "timestamp DESC"
)]
pub struct AuditEvent {
    #[retort(default = "public.uuid_generate_v4()")]
    pub id: Uuid,
    #[retort(references = "tenants(id)", on_delete = "cascade")]
    pub tenant_id: Uuid,
    pub user_id: Option<Uuid>,
    pub event_type: EventType,
    pub action: String,
    #[retort(default = "'success'")]
    pub status: String,
    pub description: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub actor_type: Option<String>,
    pub actor_id: Option<String>,
    pub ai_metadata: Option<serde_json::Value>,
    #[schema(value_type = Option<String>)]
    pub ip_address: Option<IpAddr>,
    pub user_agent: Option<String>,
    #[retort(default = "now()")]
    pub timestamp: Timestamp,
}

/// `api_tokens`: a credential, a user's login session or a machine's API token (revision
/// 5c1d8e2f4a90). Only the SHA-256 of the token is stored (`token_hash`, hex): the token itself
/// is shown once, when made; it names its tenant (`bte_<tenant>_<secret>`), and its hash is
/// unique within the tenant. A token is valid until `expires_at` unless `revoked_at` is set;
/// rows are revoked, never deleted, by the service. A session's user is referenced through
/// `(tenant_id, user_id)` (deleting the user deletes its sessions); an API token has no user and
/// acts with its own `role`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, retort::Table, utoipa::ToSchema)]
#[retort(
    table = "api_tokens",
    from_row,
    primary_key = "tenant_id, id",
    unique = "tenant_id, token_hash",
    foreign_key(
        columns = "tenant_id, user_id",
        references = "users(tenant_id, id)",
        on_delete = "cascade"
    ),
    index = "tenant_id, user_id"
)]
pub struct ApiToken {
    #[retort(default = "public.uuid_generate_v4()")]
    pub id: Uuid,
    #[retort(references = "tenants(id)", on_delete = "cascade")]
    pub tenant_id: Uuid,
    pub user_id: Option<Uuid>,
    pub kind: TokenKind,
    pub name: Option<String>,
    pub role: UserRole,
    #[serde(skip_serializing)]
    #[schema(ignore)]
    pub token_hash: String,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    #[retort(default = "now()")]
    pub created_at: Timestamp,
    #[retort(default = "now()")]
    pub updated_at: Timestamp,
}

/// `rate_limits`: the hits of each key in its current window — failed logins
/// (`account:<e-mail>`, `address:<ip>`) and sign-ups (`signup:<ip>`) — shared by every instance
/// of the service so that the limits hold across replicas (revision 8e3b6f1a2d47; see
/// `api/auth/limiter.rs`). Not a tenant's data: no `tenant_id`, no row-level security, no grant
/// to `builtenv_app` (login and sign-up write it as the connection's own role, before any
/// tenant is known). A row whose window has ended counts from zero again; such rows are deleted
/// by the next count (`window_start` is indexed for that). UNLOGGED: the counters write no WAL
/// and are not replicated; a crash or a failover empties them, which only restarts the windows.
#[derive(Debug, Clone, PartialEq, retort::Table)]
#[retort(table = "rate_limits", from_row, index = "window_start")]
pub struct RateLimit {
    #[retort(primary_key)]
    pub key: String,
    #[retort(default = "now()")]
    pub window_start: Timestamp,
    pub hits: i64,
}

/// The body of `builtenv_set_updated_at()`: updated_at is kept by the database, whoever writes
/// the row.
const SET_UPDATED_AT: &str = "\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND\n";

/// The body of `builtenv_current_tenant_id()`: the tenant named by the `app.tenant_id` setting
/// (none when it is unset).
const CURRENT_TENANT_ID: &str = " SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid ";

/// The whole desired schema: extensions, enum types, tables (from the models), the updated_at
/// trigger function and triggers, row-level security with the `tenant_isolation` policy on
/// every table, and the grants to `builtenv_app`. Extension versions are PostgreSQL 15's.
/// Every table stays on its server: a single node, with or without TimescaleDB.
pub fn schema() -> Schema {
    build(false)
}

/// [`schema`] as revision 9a4e1b7c3f52 lays it out on a Citus coordinator with workers: the
/// tables distributed by tenant or copied to every node ([`crate::citus::placed`]).
pub fn schema_on_citus() -> Schema {
    let mut schema = build(true);
    crate::citus::partitioned_audit_events(&mut schema);
    schema
}

/// What `migrate check` leaves out of a database's schema: TimescaleDB's objects
/// ([`without_timescaledb`]) and the monthly partitions of `audit_events` on Citus
/// ([`crate::citus::without_time_partitions`]).
pub fn not_modelled(schema: Schema) -> Schema {
    crate::citus::without_time_partitions(without_timescaledb(schema))
}

fn build(citus: bool) -> Schema {
    use crate::citus::placed;
    // Everything but audit_events is updated in place, and has its updated_at kept.
    fn touched<T: TableModel>(b: SchemaBuilder, grants: &[&str], citus: bool) -> SchemaBuilder {
        b.model_with::<T>(|t| {
            let trigger = format!("trg_{}_updated_at", T::TABLE);
            let t = secured(t, "tenant_id", grants).trigger(
                Trigger::new(trigger, "builtenv_set_updated_at")
                    .before()
                    .on_update(),
            );
            placed(t, T::TABLE, citus)
        })
    }
    fn secured(
        t: retort::schema::builder::TableBuilder,
        tenant_column: &str,
        grants: &[&str],
    ) -> retort::schema::builder::TableBuilder {
        let check = format!("({tenant_column} = public.builtenv_current_tenant_id())");
        t.row_security()
            .policy(
                Policy::new("tenant_isolation")
                    .using(check.clone())
                    .with_check(check),
            )
            .grant(grants, APP_ROLE)
    }
    const READ_WRITE: &[&str] = &["SELECT", "INSERT", "UPDATE", "DELETE"];
    let b = SchemaBuilder::new()
        .naming(Naming::Conventional)
        .grant_on_namespace("public", &["USAGE"], APP_ROLE)
        .extension("uuid-ossp", "1.1")
        .extension("pg_trgm", "1.6")
        .pg_enum::<SubscriptionStatus>()
        .pg_enum::<SubscriptionTier>()
        .pg_enum::<ProjectStatus>()
        .pg_enum::<DocumentType>()
        .pg_enum::<DocumentStatus>()
        .pg_enum::<EventType>()
        .pg_enum::<UserRole>()
        .pg_enum::<TokenKind>()
        .function(FunctionBuilder::new(
            "public",
            "builtenv_set_updated_at",
            "trigger",
            "plpgsql",
            SET_UPDATED_AT,
        ))
        .function(
            FunctionBuilder::new(
                "public",
                "builtenv_current_tenant_id",
                "uuid",
                "sql",
                CURRENT_TENANT_ID,
            )
            .stable(),
        )
        .model_with::<Tenant>(|t| {
            let t = secured(t, "id", &["SELECT", "INSERT", "UPDATE"]).trigger(
                Trigger::new("trg_tenants_updated_at", "builtenv_set_updated_at")
                    .before()
                    .on_update(),
            );
            placed(t, Tenant::TABLE, citus)
        });
    let b = touched::<User>(b, READ_WRITE, citus);
    let b = touched::<Subscription>(b, READ_WRITE, citus);
    let b = touched::<Project>(b, READ_WRITE, citus);
    let b = touched::<Document>(b, READ_WRITE, citus);
    let b = b.model_with::<AuditEvent>(|t| {
        let t = secured(t, "tenant_id", &["SELECT", "INSERT"]);
        placed(t, AuditEvent::TABLE, citus)
    });
    touched::<ApiToken>(b, &["SELECT", "INSERT", "UPDATE"], citus)
        // Counters only: no WAL for an attack's writes; a crash empties the table.
        .model_with::<RateLimit>(retort::schema::builder::TableBuilder::unlogged)
        .build()
        .expect("the models declare a valid schema (tested by models::tests)")
}

/// An introspected schema without what TimescaleDB adds when `audit_events` is a hypertable:
/// the `timescaledb` extension, its `_timescaledb_*` and `timescaledb_*` schemas and what is in
/// them (chunks, and the notices of their inheritance from the hypertable), and the
/// `ts_insert_blocker` trigger of the hypertable.
pub fn without_timescaledb(mut schema: Schema) -> Schema {
    let ours = |s: &str| s.starts_with("_timescaledb") || s.starts_with("timescaledb_");
    schema.extensions.remove("timescaledb");
    schema.schemas.retain(|name, _| !ours(name));
    schema.tables.retain(|q, _| !ours(&q.schema));
    schema.views.retain(|q, _| !ours(&q.schema));
    schema.sequences.retain(|q, _| !ours(&q.schema));
    schema.functions.retain(|q, _| !ours(&q.schema));
    schema.objects.retain(|q, _| !ours(&q.schema));
    // Chunks (tables inheriting from the hypertable, in `_timescaledb_internal`) went with their
    // schema above; older notices of their inheritance too.
    schema.unsupported.retain(|u| !u.contains("_timescaledb"));
    if let Some(t) = schema
        .tables
        .get_mut(&QualName::new("public", AuditEvent::TABLE))
    {
        t.triggers.remove("ts_insert_blocker");
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;
    use retort::schema::builder::PgEnum as _;

    fn labels_match<E: PgEnum + Serialize>() {
        assert_eq!(E::ALL.len(), E::LABELS.len(), "{}", E::NAME);
        for (variant, label) in E::ALL.iter().zip(E::LABELS) {
            let json = serde_json::to_value(variant).expect("serialize");
            assert_eq!(json, serde_json::Value::from(*label), "{}", E::NAME);
        }
    }

    #[test]
    fn serde_names_are_the_postgres_labels() {
        labels_match::<SubscriptionStatus>();
        labels_match::<SubscriptionTier>();
        labels_match::<ProjectStatus>();
        labels_match::<DocumentType>();
        labels_match::<DocumentStatus>();
        labels_match::<EventType>();
        labels_match::<UserRole>();
        labels_match::<TokenKind>();
    }

    #[test]
    fn the_models_declare_a_schema() {
        let s = schema();
        assert_eq!(s.tables.len(), TABLES.len());
        assert_eq!(s.enums.len(), ENUM_TYPES.len());
        let users = &s.tables[&QualName::new("public", User::TABLE)];
        assert_eq!(
            users.constraints["fk_users_tenant_id_tenants"].definition,
            "FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE"
        );
        assert_eq!(
            SubscriptionStatus::LABELS,
            [
                "trialing",
                "active",
                "past_due",
                "canceled",
                "unpaid",
                "incomplete",
                "incomplete_expired"
            ]
        );
        assert_eq!(EventType::NAME, "eventtype");
        assert_eq!(EventType::LABELS[0], "user.auth");
    }
}
