//! The tables and enum types of the BuiltEnvironment.ai database, as Rust types.
//!
//! These are the source of truth the initial revision was written from: one struct per table,
//! one field per column in column order, one enum per PostgreSQL enum type. They carry no schema
//! attributes yet; each field's doc states what a schema derive (retort's autogenerate) has to
//! know beyond the Rust type — defaults, uniqueness, foreign keys, indexes. The type mapping is:
//! `Uuid` → uuid, `String` → text, `bool` → boolean, `i32` → integer, `i64` → bigint,
//! `Decimal` → numeric(10,2), `Timestamp` → timestamp with time zone, `serde_json::Value` →
//! jsonb, `IpAddr` → inet, `Option<T>` → nullable, anything else NOT NULL.
//!
//! Conventions every table follows (see the initial revision): `id uuid DEFAULT
//! uuid_generate_v4()` primary key; `tenant_id` NOT NULL referencing `tenants(id)` ON DELETE
//! CASCADE, covered by an index whose first column it is; `created_at`/`updated_at` DEFAULT
//! now(), `updated_at` kept by the trigger `trg_<table>_updated_at`; row-level security policy
//! `tenant_isolation` on `tenant_id` (on `id` for tenants).

use std::net::IpAddr;

use jiff::Timestamp;
use postgres_types::{FromSql, ToSql};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use uuid::Uuid;

/// A PostgreSQL enum type mirrored by a Rust enum.
pub trait PgEnum: Sized + 'static {
    /// The type's name in PostgreSQL.
    const TYPE_NAME: &'static str;
    /// Its labels, in their sort order.
    const LABELS: &'static [&'static str];
    /// Every variant, in the same order as [`PgEnum::LABELS`].
    const ALL: &'static [Self];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSql, FromSql)]
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
    const TYPE_NAME: &'static str = "subscriptionstatus";
    const LABELS: &'static [&'static str] = &[
        "trialing",
        "active",
        "past_due",
        "canceled",
        "unpaid",
        "incomplete",
        "incomplete_expired",
    ];
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSql, FromSql)]
#[serde(rename_all = "snake_case")]
#[postgres(name = "subscriptiontier", rename_all = "snake_case")]
pub enum SubscriptionTier {
    Starter,
    Professional,
    Enterprise,
}

impl PgEnum for SubscriptionTier {
    const TYPE_NAME: &'static str = "subscriptiontier";
    const LABELS: &'static [&'static str] = &["starter", "professional", "enterprise"];
    const ALL: &'static [Self] = &[Self::Starter, Self::Professional, Self::Enterprise];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSql, FromSql)]
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
    const TYPE_NAME: &'static str = "projectstatus";
    const LABELS: &'static [&'static str] = &[
        "draft",
        "in_review",
        "ai_analysis_complete",
        "engineer_review",
        "validated",
        "submitted",
        "approved",
        "archived",
    ];
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSql, FromSql)]
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
    const TYPE_NAME: &'static str = "documenttype";
    const LABELS: &'static [&'static str] = &[
        "architectural",
        "structural",
        "mechanical",
        "electrical",
        "fire_safety",
        "accessibility",
        "building_control",
        "technical_spec",
        "report",
        "other",
    ];
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSql, FromSql)]
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
    const TYPE_NAME: &'static str = "documentstatus";
    const LABELS: &'static [&'static str] = &[
        "uploaded",
        "processing",
        "indexed",
        "ai_analysis_complete",
        "ready_for_review",
        "engineer_review",
        "validated",
        "error",
    ];
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSql, FromSql)]
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
    const TYPE_NAME: &'static str = "eventtype";
    const LABELS: &'static [&'static str] = &[
        "user.auth",
        "user.action",
        "document.upload",
        "document.process",
        "ai.analysis",
        "ai.agent",
        "compliance.check",
        "engineer.review",
        "subscription",
        "system",
    ];
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

/// Every enum type, as (type name, labels): what the database must hold.
pub const ENUM_TYPES: &[(&str, &[&str])] = &[
    (SubscriptionStatus::TYPE_NAME, SubscriptionStatus::LABELS),
    (SubscriptionTier::TYPE_NAME, SubscriptionTier::LABELS),
    (ProjectStatus::TYPE_NAME, ProjectStatus::LABELS),
    (DocumentType::TYPE_NAME, DocumentType::LABELS),
    (DocumentStatus::TYPE_NAME, DocumentStatus::LABELS),
    (EventType::TYPE_NAME, EventType::LABELS),
];

/// Every table, in dependency order (a table after those it references).
pub const TABLES: &[&str] = &[
    Tenant::TABLE,
    User::TABLE,
    Subscription::TABLE,
    Project::TABLE,
    Document::TABLE,
    AuditEvent::TABLE,
];

/// `tenants`: a customer organisation. Row-level security on `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    /// Unique (index `ix_tenants_slug`).
    pub slug: String,
    pub email: String,
    pub phone: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    /// Default 'United Kingdom'.
    pub country: String,
    /// Default true.
    pub is_active: bool,
    /// Default true.
    pub is_trial: bool,
    /// Default 3.
    pub max_users: i32,
    /// Default 5.
    pub max_projects: i32,
    /// Default 10.
    pub max_storage_gb: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub trial_ends_at: Option<Timestamp>,
}

/// `users`: an account of a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    /// Unique together with `id` (`uq_users_tenant_id_id`), the target of tenant-checked
    /// foreign keys.
    pub tenant_id: Uuid,
    /// Unique (index `ix_users_email`).
    pub email: String,
    #[serde(skip_serializing)]
    pub hashed_password: String,
    /// Default true.
    pub is_active: bool,
    /// Default false.
    pub is_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub job_title: Option<String>,
    /// Default false.
    pub is_engineer: bool,
    pub engineer_registration_number: Option<String>,
    pub engineer_qualification: Option<String>,
    /// Default 'user'.
    pub role: String,
    pub last_login_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// `subscriptions`: a tenant's Stripe subscription (one per tenant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: Uuid,
    /// Unique (`uq_subscriptions_tenant_id`).
    pub tenant_id: Uuid,
    /// Unique.
    pub stripe_customer_id: Option<String>,
    /// Unique.
    pub stripe_subscription_id: Option<String>,
    pub stripe_price_id: Option<String>,
    /// Default starter.
    pub tier: SubscriptionTier,
    /// Default trialing; indexed.
    pub status: SubscriptionStatus,
    /// Default 'monthly'.
    pub billing_cycle: String,
    /// numeric(10,2), default 0.
    pub amount: Decimal,
    /// Default 'GBP'.
    pub currency: String,
    pub current_period_start: Option<Timestamp>,
    pub current_period_end: Option<Timestamp>,
    pub trial_start: Option<Timestamp>,
    pub trial_end: Option<Timestamp>,
    pub canceled_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// Default '{}'.
    pub usage_data: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// `projects`: a building project of a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: Uuid,
    /// Unique together with `id` (`uq_projects_tenant_id_id`).
    pub tenant_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub reference_number: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    /// Default 'United Kingdom'.
    pub country: String,
    pub project_type: Option<String>,
    pub building_use: Option<String>,
    /// Default draft; indexed with tenant_id.
    pub status: ProjectStatus,
    /// Default '{}'.
    pub compliance_summary: serde_json::Value,
    pub engineer_validated: Option<serde_json::Value>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// `documents`: an uploaded file of a project and what the AI made of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// References `projects` through (tenant_id, project_id) ON DELETE CASCADE, so a document
    /// can only belong to a project of its own tenant.
    pub project_id: Uuid,
    pub filename: String,
    pub original_filename: String,
    pub file_path: String,
    pub file_size: i64,
    pub mime_type: Option<String>,
    pub file_extension: Option<String>,
    /// Default other.
    pub document_type: DocumentType,
    /// Default uploaded; indexed with tenant_id.
    pub status: DocumentStatus,
    /// Trigram-indexed (`ix_documents_extracted_text_trgm`, gin_trgm_ops) for text search.
    pub extracted_text: Option<String>,
    pub page_count: Option<i32>,
    /// Default '{}'.
    pub ai_analysis: serde_json::Value,
    /// Default '{}'.
    pub compliance_findings: serde_json::Value,
    pub vector_indexed: Option<serde_json::Value>,
    pub engineer_notes: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub processed_at: Option<Timestamp>,
    /// Hex SHA-256 of the file, for finding duplicates; indexed with tenant_id (revision
    /// b7e24d90c1a5, built CONCURRENTLY).
    pub content_hash: Option<String>,
}

/// `audit_events`: what happened, who or what did it. A TimescaleDB hypertable on `timestamp`
/// where available; the primary key is (id, timestamp) either way. Append-only for the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// References `users` through (tenant_id, user_id) ON DELETE SET NULL (user_id).
    pub user_id: Option<Uuid>,
    /// Indexed.
    pub event_type: EventType,
    pub action: String,
    /// Default 'success'.
    pub status: String,
    pub description: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub actor_type: Option<String>,
    pub actor_id: Option<String>,
    pub ai_metadata: Option<serde_json::Value>,
    pub ip_address: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// Default now(); indexed, and with tenant_id.
    pub timestamp: Timestamp,
}

impl Tenant {
    pub const TABLE: &'static str = "tenants";

    pub fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            slug: row.try_get("slug")?,
            email: row.try_get("email")?,
            phone: row.try_get("phone")?,
            address_line1: row.try_get("address_line1")?,
            address_line2: row.try_get("address_line2")?,
            city: row.try_get("city")?,
            postcode: row.try_get("postcode")?,
            country: row.try_get("country")?,
            is_active: row.try_get("is_active")?,
            is_trial: row.try_get("is_trial")?,
            max_users: row.try_get("max_users")?,
            max_projects: row.try_get("max_projects")?,
            max_storage_gb: row.try_get("max_storage_gb")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            trial_ends_at: row.try_get("trial_ends_at")?,
        })
    }
}

impl User {
    pub const TABLE: &'static str = "users";

    pub fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            email: row.try_get("email")?,
            hashed_password: row.try_get("hashed_password")?,
            is_active: row.try_get("is_active")?,
            is_verified: row.try_get("is_verified")?,
            first_name: row.try_get("first_name")?,
            last_name: row.try_get("last_name")?,
            phone: row.try_get("phone")?,
            job_title: row.try_get("job_title")?,
            is_engineer: row.try_get("is_engineer")?,
            engineer_registration_number: row.try_get("engineer_registration_number")?,
            engineer_qualification: row.try_get("engineer_qualification")?,
            role: row.try_get("role")?,
            last_login_at: row.try_get("last_login_at")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl Subscription {
    pub const TABLE: &'static str = "subscriptions";

    pub fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            stripe_customer_id: row.try_get("stripe_customer_id")?,
            stripe_subscription_id: row.try_get("stripe_subscription_id")?,
            stripe_price_id: row.try_get("stripe_price_id")?,
            tier: row.try_get("tier")?,
            status: row.try_get("status")?,
            billing_cycle: row.try_get("billing_cycle")?,
            amount: row.try_get("amount")?,
            currency: row.try_get("currency")?,
            current_period_start: row.try_get("current_period_start")?,
            current_period_end: row.try_get("current_period_end")?,
            trial_start: row.try_get("trial_start")?,
            trial_end: row.try_get("trial_end")?,
            canceled_at: row.try_get("canceled_at")?,
            ended_at: row.try_get("ended_at")?,
            usage_data: row.try_get("usage_data")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl Project {
    pub const TABLE: &'static str = "projects";

    pub fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            reference_number: row.try_get("reference_number")?,
            address_line1: row.try_get("address_line1")?,
            address_line2: row.try_get("address_line2")?,
            city: row.try_get("city")?,
            postcode: row.try_get("postcode")?,
            country: row.try_get("country")?,
            project_type: row.try_get("project_type")?,
            building_use: row.try_get("building_use")?,
            status: row.try_get("status")?,
            compliance_summary: row.try_get("compliance_summary")?,
            engineer_validated: row.try_get("engineer_validated")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl Document {
    pub const TABLE: &'static str = "documents";

    pub fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            project_id: row.try_get("project_id")?,
            filename: row.try_get("filename")?,
            original_filename: row.try_get("original_filename")?,
            file_path: row.try_get("file_path")?,
            file_size: row.try_get("file_size")?,
            mime_type: row.try_get("mime_type")?,
            file_extension: row.try_get("file_extension")?,
            document_type: row.try_get("document_type")?,
            status: row.try_get("status")?,
            extracted_text: row.try_get("extracted_text")?,
            page_count: row.try_get("page_count")?,
            ai_analysis: row.try_get("ai_analysis")?,
            compliance_findings: row.try_get("compliance_findings")?,
            vector_indexed: row.try_get("vector_indexed")?,
            engineer_notes: row.try_get("engineer_notes")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            processed_at: row.try_get("processed_at")?,
            content_hash: row.try_get("content_hash")?,
        })
    }
}

impl AuditEvent {
    pub const TABLE: &'static str = "audit_events";

    pub fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            user_id: row.try_get("user_id")?,
            event_type: row.try_get("event_type")?,
            action: row.try_get("action")?,
            status: row.try_get("status")?,
            description: row.try_get("description")?,
            resource_type: row.try_get("resource_type")?,
            resource_id: row.try_get("resource_id")?,
            actor_type: row.try_get("actor_type")?,
            actor_id: row.try_get("actor_id")?,
            ai_metadata: row.try_get("ai_metadata")?,
            ip_address: row.try_get("ip_address")?,
            user_agent: row.try_get("user_agent")?,
            timestamp: row.try_get("timestamp")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels_match<E: PgEnum + Serialize>() {
        assert_eq!(E::ALL.len(), E::LABELS.len(), "{}", E::TYPE_NAME);
        for (variant, label) in E::ALL.iter().zip(E::LABELS) {
            let json = serde_json::to_value(variant).expect("serialize");
            assert_eq!(json, serde_json::Value::from(*label), "{}", E::TYPE_NAME);
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
    }
}
