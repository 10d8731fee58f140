//! The HTTP API.
//!
//! | route | who | what |
//! | --- | --- | --- |
//! | `GET /healthz` | anyone | 200 while the process runs |
//! | `GET /docs` | anyone | the API reference page, made by the browser from the document |
//! | `GET /openapi.json` | anyone | the OpenAPI 3.1 document of every route below ([`openapi`]) |
//! | `GET /metrics` | anyone | Prometheus text: requests, latency per route, pool, migration state |
//! | `GET /readyz` | anyone | 200 when the database is reachable and at the migrations' head, else 503 saying which |
//! | `POST /signup` | anyone | a tenant, its trial subscription and its first admin (rate-limited per address) |
//! | `POST /login` | anyone | e-mail and password for a session token (rate-limited) |
//! | `POST /logout` | any credential | revokes the credential used |
//! | `GET /me` | any credential | the caller's tenant, user, role and credential |
//! | `GET /tenants/{id}` | any role | the tenant and its subscription |
//! | `GET, POST /tenants/{id}/projects` | any role; POST admin, member | list, create |
//! | `GET, PATCH /tenants/{id}/projects/{project_id}` | any role (see [`handlers::update_project`]) | read, change |
//! | `GET, POST /tenants/{id}/documents` | any role; POST admin, member | list (`?q=` searches extracted text), register |
//! | `GET /tenants/{id}/audit-events` | admin | the latest 100 events |
//! | `GET, POST /tenants/{id}/users` | admin | list, add a user |
//! | `GET, POST /tenants/{id}/api-tokens` | admin | list, make a token for a machine |
//! | `DELETE /tenants/{id}/api-tokens/{token_id}` | admin | revoke it |
//!
//! Credentials are bearer tokens ([`auth`]). The tenant of a request is its principal's: a
//! `{id}` naming another tenant is 404. Every `/tenants` request runs in one transaction as the
//! `builtenv_app` role with `app.tenant_id` set to that tenant
//! ([`crate::db::tenant_transaction`]): row-level security, not the handlers' SQL, keeps tenants
//! apart. Every write records an audit event in the same transaction. Errors have one JSON shape
//! ([`ApiError`]).

mod accounts;
pub mod auth;
mod error;
mod handlers;
mod metrics;
pub mod openapi;
mod tokens;
mod tx;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use std::time::Duration;

use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use retort::runner::Migrator;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

pub use error::ApiError;

use crate::db::{Pool, PoolError};
use crate::models::UserRole;
use auth::limiter::LoginLimiter;

/// Limits of every request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body (BODY_LIMIT_BYTES): 413 beyond.
    pub body_bytes: usize,
    /// Longest a request may take (REQUEST_TIMEOUT_MS): 503 beyond.
    pub request_timeout: Duration,
    /// Sign-ups per client address per hour (SIGNUP_LIMIT_PER_HOUR; 0: not limited): 429
    /// beyond, across every instance.
    pub signups_per_hour: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            signups_per_hour: auth::limiter::SIGNUPS_PER_ADDRESS.max,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<StateInner>,
}

struct StateInner {
    pool: Pool,
    migrator: Migrator,
    url: String,
    limits: Limits,
    limiter: LoginLimiter,
    metrics: metrics::Metrics,
    /// Seen at head once (see [`AppState::readiness`]).
    ready: AtomicBool,
    /// `serve --migrate` is upgrading the database right now.
    migrating: AtomicBool,
}

/// Where the database stands, for `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// The database's revisions differ from the head of the embedded migrations.
    Behind {
        current: Vec<String>,
        heads: Vec<String>,
        /// This process is migrating the database (`serve --migrate`); if not, someone has to.
        migrating: bool,
    },
    Unreachable(String),
}

impl AppState {
    pub fn new(pool: Pool, migrator: Migrator, url: String, limits: Limits) -> Self {
        Self {
            inner: Arc::new(StateInner {
                pool,
                migrator,
                url,
                limits,
                limiter: LoginLimiter::default().signups_per_address(limits.signups_per_hour),
                metrics: metrics::Metrics::default(),
                ready: AtomicBool::new(false),
                migrating: AtomicBool::new(false),
            }),
        }
    }

    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    pub(crate) fn limiter(&self) -> &LoginLimiter {
        &self.inner.limiter
    }

    pub(crate) fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    /// (seen at head, migrating now), without asking the database.
    pub(crate) fn migration_state(&self) -> (bool, bool) {
        (
            self.was_ready(),
            self.inner.migrating.load(Ordering::Acquire),
        )
    }

    /// Says that this process is migrating the database (or has stopped).
    pub fn set_migrating(&self, on: bool) {
        self.inner.migrating.store(on, Ordering::Release);
    }

    /// Whether the database was at head once: what the API routes need.
    fn was_ready(&self) -> bool {
        self.inner.ready.load(Ordering::Acquire)
    }

    /// Ready when the database answers and its version rows are exactly the migrations'
    /// heads. Once at head, being behind is not checked again (a later deploy's migration must
    /// not take running instances out of service), but reachability is, each time.
    pub async fn readiness(&self) -> Readiness {
        if self.was_ready() {
            return match self.ping().await {
                Ok(()) => Readiness::Ready,
                Err(e) => Readiness::Unreachable(e),
            };
        }
        let graph = self.inner.migrator.graph();
        let heads: BTreeSet<String> = graph.ids(graph.heads()).into_iter().collect();
        match self.inner.migrator.current(&self.inner.url).await {
            Ok(current) => {
                let current: BTreeSet<String> = current.into_iter().collect();
                if current == heads {
                    self.inner.ready.store(true, Ordering::Release);
                    Readiness::Ready
                } else {
                    Readiness::Behind {
                        current: current.into_iter().collect(),
                        heads: heads.into_iter().collect(),
                        migrating: self.inner.migrating.load(Ordering::Acquire),
                    }
                }
            }
            Err(e) => Readiness::Unreachable(e.to_string()),
        }
    }

    /// `SELECT 1` on a pooled connection.
    async fn ping(&self) -> Result<(), String> {
        let client = self.pool().get().await.map_err(|e| e.to_string())?;
        client
            .simple_query("SELECT 1")
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

impl From<PoolError> for ApiError {
    fn from(e: PoolError) -> Self {
        ApiError::Unavailable(e.to_string())
    }
}

/// The application: every route, with its state.
/// Admins only.
const ADMIN: &[UserRole] = &[UserRole::Admin];

/// The layer of a method that only `roles` may call ([`auth::require_role`]).
macro_rules! only {
    ($roles:expr) => {
        axum::middleware::from_fn(|p: auth::Principal, r: Request, n: Next| {
            auth::require_role($roles, p, r, n)
        })
    };
}

pub fn router(state: AppState) -> Router {
    // Every authenticated route is open to every role unless `only!` says otherwise; the
    // OpenAPI document says the same (tests/openapi.rs proves they agree).
    let authenticated = Router::new()
        .route("/me", get(accounts::me))
        .route("/logout", post(accounts::logout))
        .route("/tenants/{tenant_id}", get(handlers::get_tenant))
        .route(
            "/tenants/{tenant_id}/projects",
            get(handlers::list_projects)
                .merge(post(handlers::create_project).route_layer(only!(handlers::WRITERS))),
        )
        .route(
            "/tenants/{tenant_id}/projects/{project_id}",
            get(handlers::get_project).patch(handlers::update_project),
        )
        .route(
            "/tenants/{tenant_id}/documents",
            get(handlers::list_documents)
                .merge(post(handlers::create_document).route_layer(only!(handlers::WRITERS))),
        )
        .route(
            "/tenants/{tenant_id}/audit-events",
            get(handlers::list_audit_events).route_layer(only!(ADMIN)),
        )
        .route(
            "/tenants/{tenant_id}/users",
            get(accounts::list_users)
                .post(accounts::create_user)
                .route_layer(only!(ADMIN)),
        )
        .route(
            "/tenants/{tenant_id}/api-tokens",
            get(tokens::list_api_tokens)
                .post(tokens::create_api_token)
                .route_layer(only!(ADMIN)),
        )
        .route(
            "/tenants/{tenant_id}/api-tokens/{token_id}",
            delete(tokens::revoke_api_token).route_layer(only!(ADMIN)),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_principal,
        ));
    let api = Router::new()
        .route("/signup", post(accounts::signup))
        .route("/login", post(accounts::login))
        .merge(authenticated)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_ready,
        ));
    let limits = state.inner.limits;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/docs", get(openapi::reference))
        .merge(api)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            request_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The span of a request: method, route template, path (without the query, which may hold
/// search text) and request id.
fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    tracing::info_span!(
        "request",
        method = %request.method(),
        route,
        path = request.uri().path(),
        request_id = id,
    )
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}

/// 503 for a request that takes longer than [`Limits::request_timeout`] (what it was doing is
/// dropped: its transaction, if any, rolls back).
async fn request_timeout(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.inner.limits.request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            ApiError::Unavailable(format!("the request took longer than {limit:?}")).into_response()
        }
    }
}

async fn healthz() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.readiness().await {
        Readiness::Ready => axum::Json(serde_json::json!({ "status": "ready" })).into_response(),
        Readiness::Behind {
            current,
            heads,
            migrating,
        } => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({
                "status": if migrating { "migrating" } else { "behind" },
                "current": current,
                "heads": heads,
                "hint": if migrating {
                    "this instance is upgrading the database"
                } else {
                    "nobody is migrating from here: run `builtenv migrate upgrade head` or `builtenv serve --migrate`"
                },
            })),
        )
            .into_response(),
        Readiness::Unreachable(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "status": "database unreachable", "error": error })),
        )
            .into_response(),
    }
}

/// API routes answer 503 until the database is migrated: their SQL expects the head schema.
async fn require_ready(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if state.was_ready() {
        return next.run(request).await;
    }
    match state.readiness().await {
        Readiness::Ready => next.run(request).await,
        _ => {
            ApiError::Unavailable("the database is not migrated to head yet".into()).into_response()
        }
    }
}

/// `axum::Json`, `Path` and `Query`, whose rejections answer `{"error": ...}` like every other
/// error of the API.
pub struct Json<T>(pub T);
pub struct Path<T>(pub T);
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// Who sent a request, for audit events.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<std::net::IpAddr>,
    pub user_agent: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            ip: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
            user_agent: parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        })
    }
}
