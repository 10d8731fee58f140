//! API tokens for machines (admin only): made with a name, a role and a lifetime, shown once,
//! listed without their secret, revoked. Each change is an audit event (`user.auth`).

use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::token;
use super::error::ErrorBody;
use super::tx::{required, Audited, Created, Event, Insert, Reply, Scope, LIST_LIMIT};
use super::{ApiError, Json, Path};
use crate::models::{ApiToken, EventType, TokenKind, UserRole};

/// Lifetime of a token when none is asked for.
pub const DEFAULT_DAYS: i64 = 90;
/// Longest lifetime a token may have.
pub const MAX_DAYS: i64 = 365;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    pub name: String,
    /// `member` when left out.
    pub role: Option<UserRole>,
    /// 1 to [`MAX_DAYS`]; [`DEFAULT_DAYS`] when left out.
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedApiToken {
    /// The bearer token: shown this once, stored only as its SHA-256.
    pub token: String,
    #[serde(flatten)]
    pub api_token: ApiToken,
}

/// `POST /tenants/{id}/api-tokens` (admin).
#[utoipa::path(
    post,
    path = "/tenants/{tenant_id}/api-tokens",
    tag = "api-tokens",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant")),
    request_body = NewApiToken,
    responses((status = 201, body = CreatedApiToken), (status = 400, description = "a value breaks a rule", body = ErrorBody), (status = 401, description = "no valid credential", body = ErrorBody), (status = 403, description = "the credential's role may not", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody), (status = 422, description = "the body is not the JSON expected", body = ErrorBody)),
    security(("bearer" = ["admin"]))
)]
pub async fn create_api_token(
    scope: Scope,
    Json(body): Json<NewApiToken>,
) -> Result<Created<CreatedApiToken>, ApiError> {
    required("name", &body.name)?;
    let days = body.expires_in_days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::BadRequest(format!(
            "expires_in_days must be 1 to {MAX_DAYS}"
        )));
    }
    let expires_at = Timestamp::now()
        .checked_add(SignedDuration::from_hours(days * 24))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let role = body.role.unwrap_or(UserRole::Member);
    let tenant_id = scope.tenant_id();
    let new = token::generate(tenant_id);
    scope
        .write(async |tx| {
            let row = Insert::into(ApiToken::TABLE)
                .set("tenant_id", &tenant_id)
                .set("kind", &TokenKind::Api)
                .set("name", &body.name)
                .set("role", &role)
                .set("token_hash", &new.hash)
                .set("expires_at", &expires_at)
                .returning(tx)
                .await?;
            let api_token = ApiToken::from_row(&row)?;
            let event = Event {
                event_type: EventType::UserAuth,
                action: "token.create",
                resource_type: ApiToken::TABLE,
                resource_id: api_token.id,
                description: format!("created API token {:?} ({role:?}, {days} days)", body.name)
                    .to_lowercase(),
            };
            let reply = CreatedApiToken {
                token: new.secret.clone(),
                api_token,
            };
            Ok(Audited::created(reply, event))
        })
        .await
}

/// `GET /tenants/{id}/api-tokens` (admin): the tenant's API tokens, revoked and expired ones
/// included, without their secrets.
#[utoipa::path(
    get,
    path = "/tenants/{tenant_id}/api-tokens",
    tag = "api-tokens",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant")),
    responses((status = 200, body = Vec<ApiToken>), (status = 401, description = "no valid credential", body = ErrorBody), (status = 403, description = "the credential's role may not", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody)),
    security(("bearer" = ["admin"]))
)]
pub async fn list_api_tokens(scope: Scope) -> Result<Reply<Vec<ApiToken>>, ApiError> {
    let sql = "SELECT * FROM api_tokens WHERE tenant_id = $1 AND kind = 'api' \
               ORDER BY created_at, id LIMIT $2";
    let tenant_id = scope.tenant_id();
    scope
        .list(sql, &[&tenant_id, &LIST_LIMIT], ApiToken::from_row)
        .await
}

/// `DELETE /tenants/{id}/api-tokens/{token_id}` (admin): revokes the token (204); 404 when it
/// is not an API token of the tenant's or is revoked already.
#[utoipa::path(
    delete,
    path = "/tenants/{tenant_id}/api-tokens/{token_id}",
    tag = "api-tokens",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant"), ("token_id" = Uuid, Path)),
    responses((status = 204, description = "revoked"), (status = 401, description = "no valid credential", body = ErrorBody), (status = 403, description = "the credential's role may not", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody)),
    security(("bearer" = ["admin"]))
)]
pub async fn revoke_api_token(
    scope: Scope,
    Path((_, token_id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let tenant_id = scope.tenant_id();
    scope
        .write(async |tx| {
            let row = tx
                .query_opt(
                    "UPDATE api_tokens SET revoked_at = now() WHERE tenant_id = $1 AND id = $2 \
                     AND kind = 'api' AND revoked_at IS NULL RETURNING name",
                    &[&tenant_id, &token_id],
                )
                .await?
                .ok_or_else(|| ApiError::NotFound("API token not found".into()))?;
            let name: Option<String> = row.get(0);
            let event = Event {
                event_type: EventType::UserAuth,
                action: "token.revoke",
                resource_type: ApiToken::TABLE,
                resource_id: token_id,
                description: format!("revoked API token {:?}", name.unwrap_or_default()),
            };
            Ok(Audited::new(StatusCode::NO_CONTENT, event))
        })
        .await
}
