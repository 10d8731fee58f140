//! Request handlers. Each runs its own SQL in one tenant transaction through [`in_tenant`] (or
//! [`audited`], which also writes its audit events; see [`crate::db::tenant_transaction`]);
//! none filters by tenant in its SQL: row-level security does, so a missing filter cannot leak.

use axum::extract::State;
use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use postgres_types::ToSql;
use serde::Deserialize;
use tokio_postgres::{Row, Transaction};
use uuid::Uuid;

use super::{ApiError, AppState, Json, Path, Query, RequestMeta};
use crate::db::tenant_transaction;
use crate::models::{
    AuditEvent, Document, DocumentType, EventType, Project, ProjectStatus, Subscription, Tenant,
};

/// Length of the free trial a new tenant starts with.
const TRIAL_DAYS: i64 = 14;
/// Most rows a list returns.
const LIST_LIMIT: i64 = 100;

type Created<T> = (StatusCode, axum::Json<T>);
type Reply<T> = axum::Json<T>;

/// `INSERT INTO table (given columns) VALUES (...) RETURNING *`: columns left out get their
/// database default. Column names are constants of this module, never request data.
struct Insert<'a> {
    table: &'static str,
    values: Vec<(&'static str, &'a (dyn ToSql + Sync))>,
}

impl<'a> Insert<'a> {
    fn into(table: &'static str) -> Self {
        Self {
            table,
            values: Vec::new(),
        }
    }

    fn set(mut self, column: &'static str, value: &'a (dyn ToSql + Sync)) -> Self {
        self.values.push((column, value));
        self
    }

    fn set_opt<T: ToSql + Sync>(self, column: &'static str, value: &'a Option<T>) -> Self {
        match value {
            Some(v) => self.set(column, v),
            None => self,
        }
    }

    async fn returning(self, tx: &Transaction<'_>) -> Result<Row, tokio_postgres::Error> {
        let columns: Vec<&str> = self.values.iter().map(|(c, _)| *c).collect();
        let placeholders: Vec<String> = (1..=self.values.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({}) RETURNING *",
            self.table,
            columns.join(", "),
            placeholders.join(", ")
        );
        let params: Vec<&(dyn ToSql + Sync)> = self.values.iter().map(|(_, v)| *v).collect();
        tx.query_one(&sql, &params).await
    }
}

/// An audit event of the current request.
struct Event {
    event_type: EventType,
    action: &'static str,
    resource_type: &'static str,
    resource_id: Uuid,
    description: String,
}

async fn record(
    tx: &Transaction<'_>,
    tenant_id: Uuid,
    meta: &RequestMeta,
    event: Event,
) -> Result<(), tokio_postgres::Error> {
    let resource_id = event.resource_id.to_string();
    Insert::into(AuditEvent::TABLE)
        .set("tenant_id", &tenant_id)
        .set("event_type", &event.event_type)
        .set("action", &event.action)
        .set("resource_type", &event.resource_type)
        .set("resource_id", &resource_id)
        .set("actor_type", &"api")
        .set("description", &event.description)
        .set_opt("ip_address", &meta.ip)
        .set_opt("user_agent", &meta.user_agent)
        .returning(tx)
        .await
        .map(|_| ())
}

/// The shape of every handler, in one place: a connection from the pool, the tenant's
/// transaction (row-level security on: see [`tenant_transaction`]), the handler's own SQL
/// (`work`), commit. Any error rolls the transaction back.
async fn in_tenant<T>(
    state: &AppState,
    tenant_id: Uuid,
    work: impl AsyncFnOnce(&Transaction<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut client = state.pool().get().await?;
    let tx = tenant_transaction(&mut client, tenant_id).await?;
    let reply = work(&tx).await?;
    tx.commit().await?;
    Ok(reply)
}

/// What a changing handler's work gives back: its reply and the audit events it owes.
struct Audited<T> {
    reply: T,
    events: Vec<Event>,
}

impl<T> Audited<T> {
    fn new(reply: T, event: Event) -> Self {
        Self {
            reply,
            events: vec![event],
        }
    }

    /// One more audit event, after the others.
    fn and(mut self, event: Event) -> Self {
        self.events.push(event);
        self
    }
}

/// [`in_tenant`] for a handler that changes something: its audit events (with the request's
/// address and user agent) are written in the same transaction, after the work, before the
/// commit.
async fn audited<T>(
    state: &AppState,
    tenant_id: Uuid,
    meta: &RequestMeta,
    work: impl AsyncFnOnce(&Transaction<'_>) -> Result<Audited<T>, ApiError>,
) -> Result<T, ApiError> {
    in_tenant(state, tenant_id, async |tx| {
        let done = work(tx).await?;
        for event in done.events {
            record(tx, tenant_id, meta, event).await?;
        }
        Ok(done.reply)
    })
    .await
}

/// The tenant of the transaction, or 404: under row-level security `tenants` holds at most
/// that one row.
async fn current_tenant(tx: &Transaction<'_>) -> Result<Tenant, ApiError> {
    let row = tx
        .query_opt("SELECT * FROM tenants", &[])
        .await?
        .ok_or_else(|| ApiError::NotFound("tenant not found".into()))?;
    Ok(Tenant::from_row(&row)?)
}

fn required(field: &str, value: &str) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        return Err(ApiError::BadRequest(format!("{field} must not be empty")));
    }
    Ok(())
}

// ----- tenants -----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    pub name: String,
    pub slug: String,
    pub email: String,
    pub phone: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, serde::Serialize)]
pub struct TenantWithSubscription {
    pub tenant: Tenant,
    pub subscription: Option<Subscription>,
}

/// `POST /tenants`: the tenant and its trial subscription (starter tier, trialing), with an
/// audit event for each.
pub async fn create_tenant(
    State(state): State<AppState>,
    meta: RequestMeta,
    Json(body): Json<NewTenant>,
) -> Result<Created<TenantWithSubscription>, ApiError> {
    required("name", &body.name)?;
    required("email", &body.email)?;
    if body.slug.is_empty()
        || !body
            .slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(ApiError::BadRequest(
            "slug must be lowercase letters, digits and '-'".into(),
        ));
    }
    let id = Uuid::new_v4();
    let now = Timestamp::now();
    let trial_end = now
        .checked_add(SignedDuration::from_hours(TRIAL_DAYS * 24))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    audited(&state, id, &meta, async |tx| {
        let tenant = Insert::into(Tenant::TABLE)
            .set("id", &id)
            .set("name", &body.name)
            .set("slug", &body.slug)
            .set("email", &body.email)
            .set_opt("phone", &body.phone)
            .set_opt("address_line1", &body.address_line1)
            .set_opt("address_line2", &body.address_line2)
            .set_opt("city", &body.city)
            .set_opt("postcode", &body.postcode)
            .set_opt("country", &body.country)
            .set("trial_ends_at", &trial_end)
            .returning(tx)
            .await?;
        let tenant = Tenant::from_row(&tenant)?;
        let subscription = Insert::into(Subscription::TABLE)
            .set("tenant_id", &id)
            .set("trial_start", &now)
            .set("trial_end", &trial_end)
            .returning(tx)
            .await?;
        let subscription = Subscription::from_row(&subscription)?;
        let created = Event {
            event_type: EventType::UserAction,
            action: "tenant.create",
            resource_type: Tenant::TABLE,
            resource_id: id,
            description: format!("created tenant {}", tenant.slug),
        };
        let trial = Event {
            event_type: EventType::Subscription,
            action: "subscription.create",
            resource_type: Subscription::TABLE,
            resource_id: subscription.id,
            description: format!("started a {TRIAL_DAYS}-day trial"),
        };
        let reply = TenantWithSubscription {
            tenant,
            subscription: Some(subscription),
        };
        Ok(Audited::new((StatusCode::CREATED, axum::Json(reply)), created).and(trial))
    })
    .await
}

/// `GET /tenants/{id}`.
pub async fn get_tenant(
    State(state): State<AppState>,
    Path(tenant_id): Path<Uuid>,
) -> Result<Reply<TenantWithSubscription>, ApiError> {
    in_tenant(&state, tenant_id, async |tx| {
        let tenant = current_tenant(tx).await?;
        let subscription = tx
            .query_opt("SELECT * FROM subscriptions", &[])
            .await?
            .map(|r| Subscription::from_row(&r))
            .transpose()?;
        Ok(axum::Json(TenantWithSubscription {
            tenant,
            subscription,
        }))
    })
    .await
}

// ----- projects -----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    pub name: String,
    pub description: Option<String>,
    pub reference_number: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub country: Option<String>,
    pub project_type: Option<String>,
    pub building_use: Option<String>,
    pub status: Option<ProjectStatus>,
}

/// `GET /tenants/{id}/projects`: the tenant's projects, oldest first.
pub async fn list_projects(
    State(state): State<AppState>,
    Path(tenant_id): Path<Uuid>,
) -> Result<Reply<Vec<Project>>, ApiError> {
    in_tenant(&state, tenant_id, async |tx| {
        current_tenant(tx).await?;
        let rows = tx
            .query(
                "SELECT * FROM projects ORDER BY created_at, id LIMIT $1",
                &[&LIST_LIMIT],
            )
            .await?;
        let projects = rows
            .iter()
            .map(Project::from_row)
            .collect::<Result<_, _>>()?;
        Ok(axum::Json(projects))
    })
    .await
}

/// `POST /tenants/{id}/projects`.
pub async fn create_project(
    State(state): State<AppState>,
    Path(tenant_id): Path<Uuid>,
    meta: RequestMeta,
    Json(body): Json<NewProject>,
) -> Result<Created<Project>, ApiError> {
    required("name", &body.name)?;
    audited(&state, tenant_id, &meta, async |tx| {
        current_tenant(tx).await?;
        let row = Insert::into(Project::TABLE)
            .set("tenant_id", &tenant_id)
            .set("name", &body.name)
            .set_opt("description", &body.description)
            .set_opt("reference_number", &body.reference_number)
            .set_opt("address_line1", &body.address_line1)
            .set_opt("address_line2", &body.address_line2)
            .set_opt("city", &body.city)
            .set_opt("postcode", &body.postcode)
            .set_opt("country", &body.country)
            .set_opt("project_type", &body.project_type)
            .set_opt("building_use", &body.building_use)
            .set_opt("status", &body.status)
            .returning(tx)
            .await?;
        let project = Project::from_row(&row)?;
        let event = Event {
            event_type: EventType::UserAction,
            action: "project.create",
            resource_type: Project::TABLE,
            resource_id: project.id,
            description: format!("created project {}", project.name),
        };
        Ok(Audited::new(
            (StatusCode::CREATED, axum::Json(project)),
            event,
        ))
    })
    .await
}

/// `GET /tenants/{id}/projects/{project_id}`.
pub async fn get_project(
    State(state): State<AppState>,
    Path((tenant_id, project_id)): Path<(Uuid, Uuid)>,
) -> Result<Reply<Project>, ApiError> {
    in_tenant(&state, tenant_id, async |tx| {
        let row = tx
            .query_opt("SELECT * FROM projects WHERE id = $1", &[&project_id])
            .await?
            .ok_or_else(|| ApiError::NotFound("project not found".into()))?;
        Ok(axum::Json(Project::from_row(&row)?))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub status: Option<ProjectStatus>,
}

/// `PATCH /tenants/{id}/projects/{project_id}`: change name, description or status. Another
/// tenant's project is not found: row-level security hides it from the UPDATE.
pub async fn update_project(
    State(state): State<AppState>,
    Path((tenant_id, project_id)): Path<(Uuid, Uuid)>,
    meta: RequestMeta,
    Json(body): Json<ProjectChange>,
) -> Result<Reply<Project>, ApiError> {
    if let Some(name) = &body.name {
        required("name", name)?;
    }
    audited(&state, tenant_id, &meta, async |tx| {
        let row = tx
            .query_opt(
                "UPDATE projects SET name = COALESCE($2, name), \
                 description = COALESCE($3, description), status = COALESCE($4, status) \
                 WHERE id = $1 RETURNING *",
                &[&project_id, &body.name, &body.description, &body.status],
            )
            .await?
            .ok_or_else(|| ApiError::NotFound("project not found".into()))?;
        let project = Project::from_row(&row)?;
        let event = Event {
            event_type: EventType::UserAction,
            action: "project.update",
            resource_type: Project::TABLE,
            resource_id: project.id,
            description: format!("updated project {}", project.name),
        };
        Ok(Audited::new(axum::Json(project), event))
    })
    .await
}

// ----- documents -----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDocument {
    pub project_id: Uuid,
    pub filename: String,
    /// Defaults to `filename`.
    pub original_filename: Option<String>,
    pub file_path: String,
    pub file_size: i64,
    pub mime_type: Option<String>,
    pub file_extension: Option<String>,
    pub document_type: Option<DocumentType>,
    pub extracted_text: Option<String>,
    pub page_count: Option<i32>,
    /// Hex SHA-256 of the file.
    pub content_hash: Option<String>,
}

/// `POST /tenants/{id}/documents`: register an uploaded file of one of the tenant's projects.
pub async fn create_document(
    State(state): State<AppState>,
    Path(tenant_id): Path<Uuid>,
    meta: RequestMeta,
    Json(body): Json<NewDocument>,
) -> Result<Created<Document>, ApiError> {
    required("filename", &body.filename)?;
    required("file_path", &body.file_path)?;
    if body.file_size < 0 {
        return Err(ApiError::BadRequest(
            "file_size must not be negative".into(),
        ));
    }
    if let Some(hash) = &body.content_hash {
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ApiError::BadRequest(
                "content_hash must be 64 hex digits (SHA-256)".into(),
            ));
        }
    }
    let original = body
        .original_filename
        .clone()
        .unwrap_or_else(|| body.filename.clone());
    let extension = body.file_extension.clone().or_else(|| {
        std::path::Path::new(&body.filename)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
    });
    let content_hash = body.content_hash.as_ref().map(|h| h.to_ascii_lowercase());
    audited(&state, tenant_id, &meta, async |tx| {
        current_tenant(tx).await?;
        // Another tenant's project is invisible here, so this is 404 for it too (and the
        // foreign key on (tenant_id, project_id) would refuse it anyway).
        tx.query_opt("SELECT 1 FROM projects WHERE id = $1", &[&body.project_id])
            .await?
            .ok_or_else(|| ApiError::NotFound("project not found".into()))?;
        let row = Insert::into(Document::TABLE)
            .set("tenant_id", &tenant_id)
            .set("project_id", &body.project_id)
            .set("filename", &body.filename)
            .set("original_filename", &original)
            .set("file_path", &body.file_path)
            .set("file_size", &body.file_size)
            .set_opt("mime_type", &body.mime_type)
            .set_opt("file_extension", &extension)
            .set_opt("document_type", &body.document_type)
            .set_opt("extracted_text", &body.extracted_text)
            .set_opt("page_count", &body.page_count)
            .set_opt("content_hash", &content_hash)
            .returning(tx)
            .await?;
        let document = Document::from_row(&row)?;
        let event = Event {
            event_type: EventType::DocumentUpload,
            action: "document.register",
            resource_type: Document::TABLE,
            resource_id: document.id,
            description: format!("registered {}", document.original_filename),
        };
        Ok(Audited::new(
            (StatusCode::CREATED, axum::Json(document)),
            event,
        ))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentQuery {
    /// Text to find in the documents' extracted text (trigram index).
    pub q: Option<String>,
    pub project_id: Option<Uuid>,
}

/// `GET /tenants/{id}/documents[?q=text][&project_id=...]`: newest first.
pub async fn list_documents(
    State(state): State<AppState>,
    Path(tenant_id): Path<Uuid>,
    Query(query): Query<DocumentQuery>,
) -> Result<Reply<Vec<Document>>, ApiError> {
    let pattern = query.q.as_deref().map(|q| {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    let mut sql = String::from("SELECT * FROM documents WHERE true");
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::new();
    if let Some(p) = &pattern {
        params.push(p);
        sql.push_str(&format!(" AND extracted_text ILIKE ${}", params.len()));
    }
    if let Some(project_id) = &query.project_id {
        params.push(project_id);
        sql.push_str(&format!(" AND project_id = ${}", params.len()));
    }
    params.push(&LIST_LIMIT);
    sql.push_str(&format!(
        " ORDER BY created_at DESC, id LIMIT ${}",
        params.len()
    ));
    in_tenant(&state, tenant_id, async |tx| {
        current_tenant(tx).await?;
        let rows = tx.query(&sql, &params).await?;
        let documents = rows
            .iter()
            .map(Document::from_row)
            .collect::<Result<_, _>>()?;
        Ok(axum::Json(documents))
    })
    .await
}

// ----- audit events -----

/// `GET /tenants/{id}/audit-events`: the latest events, newest first.
pub async fn list_audit_events(
    State(state): State<AppState>,
    Path(tenant_id): Path<Uuid>,
) -> Result<Reply<Vec<AuditEvent>>, ApiError> {
    in_tenant(&state, tenant_id, async |tx| {
        current_tenant(tx).await?;
        let rows = tx
            .query(
                "SELECT * FROM audit_events ORDER BY \"timestamp\" DESC, id LIMIT $1",
                &[&LIST_LIMIT],
            )
            .await?;
        let events = rows
            .iter()
            .map(AuditEvent::from_row)
            .collect::<Result<_, _>>()?;
        Ok(axum::Json(events))
    })
    .await
}
