//! The handlers of a tenant's data: the tenant, projects, documents, audit events. Each takes
//! its tenant from the authenticated [`Principal`] (the path's `{tenant_id}` has been checked
//! to be the same by [`super::auth::require_principal`]), checks the principal's role, and runs
//! its own SQL in one tenant transaction through its [`Scope`] (`write` also records its audit
//! events; see [`crate::db::tenant_transaction`]). Every query names its tenant (`tenant_id =
//! $1`): on Citus that makes it a single-shard (router) query, elsewhere an index lookup;
//! row-level security still decides what is seen, so a missing filter cannot leak.

use postgres_types::ToSql;
use serde::Deserialize;
use uuid::Uuid;

use super::error::ErrorBody;
use super::tx::{
    current_tenant, required, Audited, Created, Event, Insert, Reply, Scope, LIST_LIMIT,
};
use super::{ApiError, Json, Path, Query};
use crate::models::{
    AuditEvent, Document, DocumentType, EventType, Project, ProjectStatus, Subscription, Tenant,
    UserRole,
};

/// Roles that may change projects and documents (the router checks them on the POST routes;
/// `update_project` on a change of name or description).
pub(super) const WRITERS: &[UserRole] = &[UserRole::Admin, UserRole::Member];
/// Project states only an engineer may move a project into: they are an engineer's signature.
const ENGINEER_STATES: &[ProjectStatus] = &[ProjectStatus::Validated, ProjectStatus::Approved];

// ----- tenants -----

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TenantWithSubscription {
    pub tenant: Tenant,
    pub subscription: Option<Subscription>,
}

/// `GET /tenants/{id}`.
#[utoipa::path(
    get,
    path = "/tenants/{tenant_id}",
    tag = "tenants",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant")),
    responses((status = 200, body = TenantWithSubscription), (status = 401, description = "no valid credential", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody)),
    security(("bearer" = ["admin", "member", "engineer"]))
)]
pub async fn get_tenant(scope: Scope) -> Result<Reply<TenantWithSubscription>, ApiError> {
    let tenant_id = scope.tenant_id();
    scope
        .read(async |tx| {
            let tenant = current_tenant(tx, tenant_id).await?;
            let subscription = tx
                .query_opt(
                    "SELECT * FROM subscriptions WHERE tenant_id = $1",
                    &[&tenant_id],
                )
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
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
#[utoipa::path(
    get,
    path = "/tenants/{tenant_id}/projects",
    tag = "projects",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant")),
    responses((status = 200, body = Vec<Project>), (status = 401, description = "no valid credential", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody)),
    security(("bearer" = ["admin", "member", "engineer"]))
)]
pub async fn list_projects(scope: Scope) -> Result<Reply<Vec<Project>>, ApiError> {
    let sql = "SELECT * FROM projects WHERE tenant_id = $1 ORDER BY created_at, id LIMIT $2";
    let tenant_id = scope.tenant_id();
    scope
        .list(sql, &[&tenant_id, &LIST_LIMIT], Project::from_row)
        .await
}

/// `POST /tenants/{id}/projects`.
#[utoipa::path(
    post,
    path = "/tenants/{tenant_id}/projects",
    tag = "projects",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant")),
    request_body = NewProject,
    responses((status = 201, body = Project), (status = 400, description = "a value breaks a rule", body = ErrorBody), (status = 401, description = "no valid credential", body = ErrorBody), (status = 403, description = "the credential's role may not", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody), (status = 422, description = "the body is not the JSON expected", body = ErrorBody)),
    security(("bearer" = ["admin", "member"]))
)]
pub async fn create_project(
    scope: Scope,
    Json(body): Json<NewProject>,
) -> Result<Created<Project>, ApiError> {
    let tenant_id = scope.tenant_id();
    required("name", &body.name)?;
    scope
        .write(async |tx| {
            current_tenant(tx, tenant_id).await?;
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
            Ok(Audited::created(project, event))
        })
        .await
}

/// `GET /tenants/{id}/projects/{project_id}`.
#[utoipa::path(
    get,
    path = "/tenants/{tenant_id}/projects/{project_id}",
    tag = "projects",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant"), ("project_id" = Uuid, Path)),
    responses((status = 200, body = Project), (status = 401, description = "no valid credential", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody)),
    security(("bearer" = ["admin", "member", "engineer"]))
)]
pub async fn get_project(
    scope: Scope,
    Path((_, project_id)): Path<(Uuid, Uuid)>,
) -> Result<Reply<Project>, ApiError> {
    let tenant_id = scope.tenant_id();
    scope
        .read(async |tx| {
            let row = tx
                .query_opt(
                    "SELECT * FROM projects WHERE tenant_id = $1 AND id = $2",
                    &[&tenant_id, &project_id],
                )
                .await?
                .ok_or_else(|| ApiError::NotFound("project not found".into()))?;
            Ok(axum::Json(Project::from_row(&row)?))
        })
        .await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub status: Option<ProjectStatus>,
}

/// `PATCH /tenants/{id}/projects/{project_id}`: change name, description (admin, member) or
/// status (any role; `validated` and `approved` by an engineer only). Another tenant's project
/// is not found: row-level security hides it from the UPDATE.
#[utoipa::path(
    patch,
    path = "/tenants/{tenant_id}/projects/{project_id}",
    tag = "projects",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant"), ("project_id" = Uuid, Path)),
    request_body = ProjectChange,
    responses((status = 200, body = Project), (status = 400, description = "a value breaks a rule", body = ErrorBody), (status = 401, description = "no valid credential", body = ErrorBody), (status = 403, description = "the credential's role may not", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody), (status = 422, description = "the body is not the JSON expected", body = ErrorBody)),
    security(("bearer" = ["admin", "member", "engineer"]))
)]
pub async fn update_project(
    scope: Scope,
    Path((_, project_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<ProjectChange>,
) -> Result<Reply<Project>, ApiError> {
    if body.name.is_some() || body.description.is_some() {
        scope.principal.require(WRITERS)?;
    }
    if body.status.is_some_and(|s| ENGINEER_STATES.contains(&s)) {
        scope.principal.require(&[UserRole::Engineer])?;
    }
    if let Some(name) = &body.name {
        required("name", name)?;
    }
    let tenant_id = scope.tenant_id();
    scope
        .write(async |tx| {
            let row = tx
                .query_opt(
                    "UPDATE projects SET name = COALESCE($3, name), \
                 description = COALESCE($4, description), status = COALESCE($5, status) \
                 WHERE tenant_id = $1 AND id = $2 RETURNING *",
                    &[
                        &tenant_id,
                        &project_id,
                        &body.name,
                        &body.description,
                        &body.status,
                    ],
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
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
#[utoipa::path(
    post,
    path = "/tenants/{tenant_id}/documents",
    tag = "documents",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant")),
    request_body = NewDocument,
    responses((status = 201, body = Document), (status = 400, description = "a value breaks a rule", body = ErrorBody), (status = 401, description = "no valid credential", body = ErrorBody), (status = 403, description = "the credential's role may not", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody), (status = 422, description = "the body is not the JSON expected", body = ErrorBody)),
    security(("bearer" = ["admin", "member"]))
)]
pub async fn create_document(
    scope: Scope,
    Json(body): Json<NewDocument>,
) -> Result<Created<Document>, ApiError> {
    let tenant_id = scope.tenant_id();
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
    scope
        .write(async |tx| {
            current_tenant(tx, tenant_id).await?;
            // Another tenant's project is not found here, so this is 404 for it too (and the
            // foreign key on (tenant_id, project_id) would refuse it anyway).
            tx.query_opt(
                "SELECT 1 FROM projects WHERE tenant_id = $1 AND id = $2",
                &[&tenant_id, &body.project_id],
            )
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
            Ok(Audited::created(document, event))
        })
        .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DocumentQuery {
    /// Text to find in the documents' extracted text (trigram index).
    pub q: Option<String>,
    pub project_id: Option<Uuid>,
}

/// `GET /tenants/{id}/documents[?q=text][&project_id=...]`: newest first.
#[utoipa::path(
    get,
    path = "/tenants/{tenant_id}/documents",
    tag = "documents",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant"), DocumentQuery),
    responses((status = 200, body = Vec<Document>), (status = 401, description = "no valid credential", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody)),
    security(("bearer" = ["admin", "member", "engineer"]))
)]
pub async fn list_documents(
    scope: Scope,
    Query(query): Query<DocumentQuery>,
) -> Result<Reply<Vec<Document>>, ApiError> {
    let pattern = query.q.as_deref().map(|q| {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    let tenant_id = scope.tenant_id();
    let mut sql = String::from("SELECT * FROM documents WHERE tenant_id = $1");
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&tenant_id];
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
    scope.list(&sql, &params, Document::from_row).await
}

// ----- audit events -----

/// `GET /tenants/{id}/audit-events`: the latest events, newest first.
#[utoipa::path(
    get,
    path = "/tenants/{tenant_id}/audit-events",
    tag = "audit",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant")),
    responses((status = 200, body = Vec<AuditEvent>), (status = 401, description = "no valid credential", body = ErrorBody), (status = 403, description = "the credential's role may not", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody)),
    security(("bearer" = ["admin"]))
)]
pub async fn list_audit_events(scope: Scope) -> Result<Reply<Vec<AuditEvent>>, ApiError> {
    let sql = "SELECT * FROM audit_events WHERE tenant_id = $1 \
               ORDER BY \"timestamp\" DESC, id LIMIT $2";
    let tenant_id = scope.tenant_id();
    scope
        .list(sql, &[&tenant_id, &LIST_LIMIT], AuditEvent::from_row)
        .await
}
