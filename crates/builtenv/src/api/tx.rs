//! The shape every handler shares: a connection from the pool, the tenant's transaction
//! (row-level security on: see [`tenant_transaction`]), the handler's own SQL, its audit events,
//! commit. Any error rolls the transaction back.
//!
//! A handler of a tenant route takes a [`Scope`] (the principal, where the request came from,
//! the state) and gives it only its own SQL: [`Scope::read`] for a reading, [`Scope::write`] for
//! a change with its audit events, [`Scope::list`] for a list of rows. `POST /signup` and
//! `POST /login`, which have no principal yet, use [`in_tenant`] and [`audited`] themselves.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use postgres_types::ToSql;
use tokio_postgres::Row;
use uuid::Uuid;

use super::auth::Principal;
use super::{ApiError, AppState, RequestMeta};
use crate::db::{tenant_transaction, TenantTx};
use crate::models::{AuditEvent, EventType, Tenant};

/// Most rows a list returns.
pub(super) const LIST_LIMIT: i64 = 100;

pub(super) type Created<T> = (StatusCode, axum::Json<T>);
pub(super) type Reply<T> = axum::Json<T>;

/// `INSERT INTO table (given columns) VALUES (...) RETURNING *`: columns left out get their
/// database default. Column names are constants of the handlers, never request data.
pub(super) struct Insert<'a> {
    table: &'static str,
    values: Vec<(&'static str, &'a (dyn ToSql + Sync))>,
}

impl<'a> Insert<'a> {
    pub(super) fn into(table: &'static str) -> Self {
        Self {
            table,
            values: Vec::new(),
        }
    }

    pub(super) fn set(mut self, column: &'static str, value: &'a (dyn ToSql + Sync)) -> Self {
        self.values.push((column, value));
        self
    }

    pub(super) fn set_opt<T: ToSql + Sync>(
        self,
        column: &'static str,
        value: &'a Option<T>,
    ) -> Self {
        match value {
            Some(v) => self.set(column, v),
            None => self,
        }
    }

    pub(super) async fn returning(self, tx: &TenantTx<'_>) -> Result<Row, tokio_postgres::Error> {
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

/// Who did what a request does, for its audit events: the tenant, the acting user or token
/// (`actor_type` `user` with the user's id, `api_token` with the token's), and where the
/// request came from.
pub(super) struct Caller<'a> {
    pub tenant_id: Uuid,
    pub user_id: Option<Uuid>,
    pub actor_type: &'static str,
    pub actor_id: Option<Uuid>,
    pub meta: &'a RequestMeta,
}

impl<'a> Caller<'a> {
    /// The authenticated principal of a request.
    pub(super) fn of(principal: &Principal, meta: &'a RequestMeta) -> Self {
        match principal.user_id {
            Some(user) => Self::user(principal.tenant_id, user, meta),
            None => Self {
                tenant_id: principal.tenant_id,
                user_id: None,
                actor_type: "api_token",
                actor_id: Some(principal.token_id),
                meta,
            },
        }
    }

    /// A user of `tenant_id` (one signing up or logging in: not authenticated by a token yet).
    pub(super) fn user(tenant_id: Uuid, user_id: Uuid, meta: &'a RequestMeta) -> Self {
        Self {
            tenant_id,
            user_id: Some(user_id),
            actor_type: "user",
            actor_id: Some(user_id),
            meta,
        }
    }
}

/// An audit event of the current request.
pub(super) struct Event {
    pub event_type: EventType,
    pub action: &'static str,
    pub resource_type: &'static str,
    pub resource_id: Uuid,
    pub description: String,
}

impl Event {
    /// Writes the event, by `caller`, with `status` (`success` or `failure`).
    pub(super) async fn record(
        self,
        tx: &TenantTx<'_>,
        caller: &Caller<'_>,
        status: &'static str,
    ) -> Result<(), tokio_postgres::Error> {
        let resource_id = self.resource_id.to_string();
        let actor_id = caller.actor_id.map(|id| id.to_string());
        Insert::into(AuditEvent::TABLE)
            .set("tenant_id", &caller.tenant_id)
            .set_opt("user_id", &caller.user_id)
            .set("event_type", &self.event_type)
            .set("action", &self.action)
            .set("status", &status)
            .set("resource_type", &self.resource_type)
            .set("resource_id", &resource_id)
            .set("actor_type", &caller.actor_type)
            .set_opt("actor_id", &actor_id)
            .set("description", &self.description)
            .set_opt("ip_address", &caller.meta.ip)
            .set_opt("user_agent", &caller.meta.user_agent)
            .returning(tx)
            .await
            .map(|_| ())
    }
}

/// Runs `work` in one transaction of `tenant_id`'s: see the module documentation.
pub(super) async fn in_tenant<T>(
    state: &AppState,
    tenant_id: Uuid,
    work: impl AsyncFnOnce(&TenantTx<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut client = state.pool().get().await?;
    let tx = tenant_transaction(&mut client, tenant_id).await?;
    let reply = work(&tx).await?;
    tx.commit().await?;
    Ok(reply)
}

/// What a changing handler's work gives back: its reply and the audit events it owes.
pub(super) struct Audited<T> {
    reply: T,
    events: Vec<Event>,
}

impl<T> Audited<T> {
    pub(super) fn new(reply: T, event: Event) -> Self {
        Self {
            reply,
            events: vec![event],
        }
    }

    /// One more audit event, after the others.
    pub(super) fn and(mut self, event: Event) -> Self {
        self.events.push(event);
        self
    }
}

impl<V> Audited<Created<V>> {
    /// `201 Created` with `value` as the JSON body.
    pub(super) fn created(value: V, event: Event) -> Self {
        Self::new((StatusCode::CREATED, axum::Json(value)), event)
    }
}

/// [`in_tenant`] for a handler that changes something: its audit events (by `caller`) are
/// written in the same transaction, after the work, before the commit.
pub(super) async fn audited<T>(
    state: &AppState,
    caller: &Caller<'_>,
    work: impl AsyncFnOnce(&TenantTx<'_>) -> Result<Audited<T>, ApiError>,
) -> Result<T, ApiError> {
    in_tenant(state, caller.tenant_id, async |tx| {
        let done = work(tx).await?;
        for event in done.events {
            event.record(tx, caller, "success").await?;
        }
        Ok(done.reply)
    })
    .await
}

/// What the handler of a tenant route works with: the authenticated principal, where the
/// request came from (for audit events) and the state. Extracted after
/// [`super::auth::require_principal`] has let the request in.
pub(super) struct Scope {
    state: AppState,
    pub principal: Principal,
    meta: RequestMeta,
}

impl FromRequestParts<AppState> for Scope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = Principal::from_request_parts(parts, state).await?;
        let Ok(meta) = RequestMeta::from_request_parts(parts, state).await;
        Ok(Self {
            state: state.clone(),
            principal,
            meta,
        })
    }
}

impl Scope {
    /// The principal's tenant.
    pub(super) fn tenant_id(&self) -> Uuid {
        self.principal.tenant_id
    }

    /// Runs `work` in the tenant's transaction ([`in_tenant`]).
    pub(super) async fn read<T>(
        &self,
        work: impl AsyncFnOnce(&TenantTx<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        in_tenant(&self.state, self.tenant_id(), work).await
    }

    /// Runs `work` in the tenant's transaction and writes its audit events, by the principal,
    /// before the commit ([`audited`]).
    pub(super) async fn write<T>(
        &self,
        work: impl AsyncFnOnce(&TenantTx<'_>) -> Result<Audited<T>, ApiError>,
    ) -> Result<T, ApiError> {
        audited(&self.state, &Caller::of(&self.principal, &self.meta), work).await
    }

    /// The rows of `sql` as `from_row` reads them, in the tenant's transaction; 404 when the
    /// tenant is not there ([`current_tenant`]). The tenant's row and the rows are asked for
    /// together (pipelined on the connection: one round trip for both).
    pub(super) async fn list<T>(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        from_row: fn(&Row) -> Result<T, tokio_postgres::Error>,
    ) -> Result<Reply<Vec<T>>, ApiError> {
        let tenant_id = self.tenant_id();
        self.read(async |tx| {
            let (tenant, rows) = tokio::join!(current_tenant(tx, tenant_id), tx.query(sql, params));
            tenant?;
            let items = rows?.iter().map(from_row).collect::<Result<_, _>>()?;
            Ok(axum::Json(items))
        })
        .await
    }
}

/// The tenant of the transaction, `tenant_id`, or 404 (row-level security shows no other).
pub(super) async fn current_tenant(tx: &TenantTx<'_>, tenant_id: Uuid) -> Result<Tenant, ApiError> {
    let row = tx
        .query_opt("SELECT * FROM tenants WHERE id = $1", &[&tenant_id])
        .await?
        .ok_or_else(|| ApiError::NotFound("tenant not found".into()))?;
    Ok(Tenant::from_row(&row)?)
}

/// 400 when `value` is blank.
pub(super) fn required(field: &str, value: &str) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        return Err(ApiError::BadRequest(format!("{field} must not be empty")));
    }
    Ok(())
}
