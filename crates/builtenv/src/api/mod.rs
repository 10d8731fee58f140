//! The HTTP API.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /healthz` | 200 while the process runs |
//! | `GET /readyz` | 200 once the database is at the migrations' head (cached from then on), else 503 |
//! | `POST /tenants` | a tenant with its trial subscription |
//! | `GET /tenants/{id}` | the tenant and its subscription |
//! | `GET, POST /tenants/{id}/projects` | list, create |
//! | `GET, PATCH /tenants/{id}/projects/{project_id}` | read, change |
//! | `GET, POST /tenants/{id}/documents` | list (`?q=` searches extracted text), register |
//! | `GET /tenants/{id}/audit-events` | the latest 100 events |
//!
//! Every `/tenants` request runs in one transaction as the `builtenv_app` role with
//! `app.tenant_id` set to the tenant of its path ([`crate::db::tenant_transaction`]): row-level
//! security, not the handlers' SQL, keeps tenants apart. Every write records an audit event in
//! the same transaction. There is no authentication yet: the path names the tenant.

mod error;
mod handlers;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use retort::runner::Migrator;

pub use error::ApiError;

use crate::db::Pool;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<StateInner>,
}

struct StateInner {
    pool: Pool,
    migrator: Migrator,
    url: String,
    ready: AtomicBool,
}

/// Where the database stands, for `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// The database's revisions differ from the head of the embedded migrations.
    Behind {
        current: Vec<String>,
        heads: Vec<String>,
    },
    Unreachable(String),
}

impl AppState {
    pub fn new(pool: Pool, migrator: Migrator, url: String) -> Self {
        Self {
            inner: Arc::new(StateInner {
                pool,
                migrator,
                url,
                ready: AtomicBool::new(false),
            }),
        }
    }

    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    /// Ready once the database's version rows are exactly the migrations' heads; once seen,
    /// remembered (a later deploy's migration must not take running instances out of service).
    pub async fn readiness(&self) -> Readiness {
        if self.inner.ready.load(Ordering::Acquire) {
            return Readiness::Ready;
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
                    }
                }
            }
            Err(e) => Readiness::Unreachable(e.to_string()),
        }
    }
}

/// The application: every route, with its state.
pub fn router(state: AppState) -> Router {
    let tenants = Router::new()
        .route("/tenants", post(handlers::create_tenant))
        .route("/tenants/{tenant_id}", get(handlers::get_tenant))
        .route(
            "/tenants/{tenant_id}/projects",
            get(handlers::list_projects).post(handlers::create_project),
        )
        .route(
            "/tenants/{tenant_id}/projects/{project_id}",
            get(handlers::get_project).patch(handlers::update_project),
        )
        .route(
            "/tenants/{tenant_id}/documents",
            get(handlers::list_documents).post(handlers::create_document),
        )
        .route(
            "/tenants/{tenant_id}/audit-events",
            get(handlers::list_audit_events),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_ready,
        ));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(tenants)
        .with_state(state)
}

async fn healthz() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.readiness().await {
        Readiness::Ready => axum::Json(serde_json::json!({ "status": "ready" })).into_response(),
        Readiness::Behind { current, heads } => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({
                "status": "migrating",
                "current": current,
                "heads": heads,
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
