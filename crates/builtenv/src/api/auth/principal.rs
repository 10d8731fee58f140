//! Who a request is from, and what it may do.

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use uuid::Uuid;

use super::token;
use crate::api::{ApiError, AppState};
use crate::models::{TokenKind, UserRole};

/// The authenticated caller of a request: a user's session or a machine's API token, of one
/// tenant, with one role.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant_id: Uuid,
    /// The user of a session; `None` for an API token.
    pub user_id: Option<Uuid>,
    /// The credential (its row in `api_tokens`).
    pub token_id: Uuid,
    pub kind: TokenKind,
    /// The user's current role for a session, the token's for an API token.
    pub role: UserRole,
    pub expires_at: Timestamp,
}

impl Principal {
    /// 403 unless the principal's role is one of `allowed`.
    pub fn require(&self, allowed: &[UserRole]) -> Result<(), ApiError> {
        if allowed.contains(&self.role) {
            return Ok(());
        }
        let names: Vec<String> = allowed
            .iter()
            .map(|r| format!("{r:?}").to_lowercase())
            .collect();
        Err(ApiError::Forbidden(format!(
            "this needs the role {}; the credential's role is {}",
            names.join(" or "),
            format!("{:?}", self.role).to_lowercase()
        )))
    }

    /// The credential of `bearer` (the token's text), if it is valid: known, not revoked, not
    /// expired, its tenant active and (for a session) its user active. Runs as the
    /// connection's own role, outside row-level security: the tenant is not known yet. It is
    /// looked up within the tenant the token names (one shard on Citus); a token made before
    /// tokens named their tenant is looked up across tenants.
    async fn find(state: &AppState, bearer: &str) -> Result<Option<Self>, ApiError> {
        const SQL: &str = "SELECT t.id, t.tenant_id, t.user_id, t.kind, COALESCE(u.role, t.role), \
             t.expires_at FROM api_tokens t \
             JOIN tenants n ON n.id = t.tenant_id \
             LEFT JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() \
               AND n.is_active AND (t.user_id IS NULL OR u.is_active)";
        let client = state.pool().get().await?;
        let hash = token::hash(bearer);
        let row = match token::tenant_of(bearer) {
            Some(tenant) => {
                let sql = format!("{SQL} AND t.tenant_id = $2");
                client.cached().query_opt(&sql, &[&hash, &tenant]).await?
            }
            None => client.cached().query_opt(SQL, &[&hash]).await?,
        };
        Ok(row.map(|r| Self {
            token_id: r.get(0),
            tenant_id: r.get(1),
            user_id: r.get(2),
            kind: r.get(3),
            role: r.get(4),
            expires_at: r.get(5),
        }))
    }
}

/// Middleware of a route that only some roles may call: 403 for the others. Runs after
/// [`require_principal`] and before the handler's extractors (so a refused caller's body is
/// never read).
pub async fn require_role(
    roles: &'static [UserRole],
    principal: Principal,
    request: Request,
    next: Next,
) -> Response {
    match principal.require(roles) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

/// The token of `Authorization: Bearer <token>`.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Middleware of every authenticated route: 401 without a valid credential; then, when the
/// route has a `{tenant_id}`, 400 if it is not a UUID and 404 if it is not the principal's
/// tenant (as if it did not exist: no other tenant's existence shows); else the request goes on
/// with its [`Principal`].
pub async fn require_principal(
    State(state): State<AppState>,
    params: RawPathParams,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let principal = match bearer(&parts) {
        Some(token) => Principal::find(&state, token).await,
        None => Ok(None),
    };
    let principal = match principal {
        Ok(Some(p)) => p,
        Ok(None) => {
            return ApiError::Unauthorized(
                "a valid credential is needed: `Authorization: Bearer <token>` (POST /login)"
                    .into(),
            )
            .into_response()
        }
        Err(e) => return e.into_response(),
    };
    if let Some((_, id)) = params.iter().find(|(name, _)| *name == "tenant_id") {
        match id.parse::<Uuid>() {
            Ok(id) if id == principal.tenant_id => {}
            Ok(_) => return ApiError::NotFound("tenant not found".into()).into_response(),
            Err(e) => {
                return ApiError::BadRequest(format!(
                    "the tenant id in the path is not a UUID: {e}"
                ))
                .into_response()
            }
        }
    }
    parts.extensions.insert(principal);
    next.run(Request::from_parts(parts, body)).await
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| ApiError::Unauthorized("a valid credential is needed".into()))
    }
}
