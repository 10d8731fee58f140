//! Accounts: sign-up of a tenant with its first admin, login, logout, `me`, and the tenant's
//! users. Every step of authentication is an audit event (`user.auth`), login failures of a
//! known account included (status `failure`); no password or token is ever logged, and a
//! token is returned once, by the request that made it.

use axum::extract::State;
use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::password::{self, Password};
use super::auth::token;
use super::error::ErrorBody;
use super::handlers::TenantWithSubscription;
use super::tx::{
    audited, current_tenant, in_tenant, required, Audited, Caller, Created, Event, Insert, Reply,
    Scope, LIST_LIMIT,
};
use super::{ApiError, AppState, Json, RequestMeta};
use crate::models::{ApiToken, EventType, Subscription, Tenant, TokenKind, User, UserRole};

/// Length of the free trial a new tenant starts with.
const TRIAL_DAYS: i64 = 14;
/// How long a login session lasts.
pub const SESSION_HOURS: i64 = 12;

/// A trimmed, lowercased e-mail address, or 400.
fn email(value: &str) -> Result<String, ApiError> {
    let email = value.trim().to_lowercase();
    match email.split_once('@') {
        Some((user, domain)) if !user.is_empty() && !domain.is_empty() => Ok(email),
        _ => Err(ApiError::BadRequest(format!(
            "email must be an e-mail address, not {value:?}"
        ))),
    }
}

fn hours_from_now(hours: i64) -> Result<Timestamp, ApiError> {
    Timestamp::now()
        .checked_add(SignedDuration::from_hours(hours))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
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

impl NewTenant {
    fn check(&self) -> Result<(), ApiError> {
        required("name", &self.name)?;
        email(&self.email)?;
        let slug_ok = !self.slug.is_empty()
            && self
                .slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !slug_ok {
            return Err(ApiError::BadRequest(
                "slug must be lowercase letters, digits and '-'".into(),
            ));
        }
        Ok(())
    }
}

/// A user to create: the first admin of a sign-up, or one an admin adds.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    #[schema(value_type = String, format = Password, min_length = 10, max_length = 256)]
    pub password: Password,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    /// Ignored at sign-up (the first user is an admin); `member` when left out.
    pub role: Option<UserRole>,
}

/// Inserts `user` as `(tenant, user id)` (the id is chosen first, for the audit events that
/// name it), with `role` and its password `hash`.
async fn insert_user(
    tx: &crate::db::TenantTx<'_>,
    (tenant_id, user_id): (Uuid, Uuid),
    user: &NewUser,
    role: UserRole,
    hash: &str,
) -> Result<User, ApiError> {
    let address = email(&user.email)?;
    let is_engineer = role == UserRole::Engineer;
    let row = Insert::into(User::TABLE)
        .set("id", &user_id)
        .set("tenant_id", &tenant_id)
        .set("email", &address)
        .set("hashed_password", &hash)
        .set_opt("first_name", &user.first_name)
        .set_opt("last_name", &user.last_name)
        .set_opt("job_title", &user.job_title)
        .set("role", &role)
        .set("is_engineer", &is_engineer)
        .returning(tx)
        .await?;
    Ok(User::from_row(&row)?)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    pub tenant: NewTenant,
    pub admin: NewUser,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignedUp {
    #[serde(flatten)]
    pub tenant: TenantWithSubscription,
    pub admin: User,
}

/// `POST /signup`: a tenant, its trial subscription (starter tier, trialing) and its first
/// user, an admin, with an audit event for each. Log in next (`POST /login`). Sign-ups are
/// counted per client address, across every instance (429 past the limit, before the password
/// is hashed).
#[utoipa::path(
    post,
    path = "/signup",
    tag = "accounts",
    request_body = SignUp,
    responses((status = 201, body = SignedUp), (status = 400, description = "a value breaks a rule", body = ErrorBody), (status = 409, description = "a unique value is taken; `field` names it", body = ErrorBody), (status = 422, description = "the body is not the JSON expected", body = ErrorBody), (status = 429, description = "too many sign-ups from this address (Retry-After)", body = ErrorBody))
)]
pub async fn signup(
    State(state): State<AppState>,
    meta: RequestMeta,
    Json(body): Json<SignUp>,
) -> Result<Created<SignedUp>, ApiError> {
    body.tenant.check()?;
    email(&body.admin.email)?;
    body.admin.password.check_policy()?;
    signup_limited(&state, &meta).await?;
    let hash = password::hash(body.admin.password.clone()).await?;
    let (id, user_id) = (Uuid::new_v4(), Uuid::new_v4());
    let now = Timestamp::now();
    let trial_end = hours_from_now(TRIAL_DAYS * 24)?;
    let t = &body.tenant;
    let caller = Caller::user(id, user_id, &meta);
    audited(&state, &caller, async |tx| {
        let tenant = Insert::into(Tenant::TABLE)
            .set("id", &id)
            .set("name", &t.name)
            .set("slug", &t.slug)
            .set("email", &t.email)
            .set_opt("phone", &t.phone)
            .set_opt("address_line1", &t.address_line1)
            .set_opt("address_line2", &t.address_line2)
            .set_opt("city", &t.city)
            .set_opt("postcode", &t.postcode)
            .set_opt("country", &t.country)
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
        let admin = insert_user(tx, (id, user_id), &body.admin, UserRole::Admin, &hash).await?;
        let events = [
            Event {
                event_type: EventType::UserAction,
                action: "tenant.create",
                resource_type: Tenant::TABLE,
                resource_id: id,
                description: format!("created tenant {}", tenant.slug),
            },
            Event {
                event_type: EventType::Subscription,
                action: "subscription.create",
                resource_type: Subscription::TABLE,
                resource_id: subscription.id,
                description: format!("started a {TRIAL_DAYS}-day trial"),
            },
            Event {
                event_type: EventType::UserAuth,
                action: "user.signup",
                resource_type: User::TABLE,
                resource_id: admin.id,
                description: format!("signed up {} as admin", admin.email),
            },
        ];
        let reply = SignedUp {
            tenant: TenantWithSubscription {
                tenant,
                subscription: Some(subscription),
            },
            admin,
        };
        let [a, b, c] = events;
        Ok(Audited::created(reply, a).and(b).and(c))
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub email: String,
    #[schema(value_type = String, format = Password, min_length = 10, max_length = 256)]
    pub password: Password,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoggedIn {
    /// The session's bearer token: shown this once.
    pub token: String,
    pub token_id: Uuid,
    pub expires_at: Timestamp,
    pub tenant_id: Uuid,
    pub user: User,
}

/// An account found by e-mail, before its password is checked.
struct Account {
    user_id: Uuid,
    tenant_id: Uuid,
    hash: String,
}

/// The active user of an active tenant with this e-mail. Runs as the connection's own role,
/// outside row-level security: the tenant is what is being looked for.
async fn find_account(state: &AppState, email: &str) -> Result<Option<Account>, ApiError> {
    let client = state.pool().get().await?;
    let row = client
        .query_opt(
            "SELECT u.id, u.tenant_id, u.hashed_password FROM users u \
             JOIN tenants t ON t.id = u.tenant_id \
             WHERE u.email = $1 AND u.is_active AND t.is_active",
            &[&email],
        )
        .await?;
    Ok(row.map(|r| Account {
        user_id: r.get(0),
        tenant_id: r.get(1),
        hash: r.get(2),
    }))
}

/// Counts a login attempt ([`LoginLimiter`](super::auth::limiter::LoginLimiter), shared by
/// every instance): the account's count, or 429 when the account or the address has used up
/// its failures.
async fn limited(state: &AppState, email: &str, meta: &RequestMeta) -> Result<i64, ApiError> {
    let client = state.pool().get().await?;
    state
        .limiter()
        .attempt(&client, email, meta.ip)
        .await?
        .map_err(|retry_after| {
            tracing::warn!(%email, ip = ?meta.ip, "login refused: too many failed attempts");
            too_many("failed logins for this account or address", retry_after)
        })
}

/// 429: too many `what`, and when to try again.
fn too_many(what: &str, retry_after: u64) -> ApiError {
    ApiError::TooManyRequests {
        message: format!("too many {what}; retry in {retry_after} s"),
        retry_after,
    }
}

/// Counts a sign-up against its address; 429 past the limit (before the password is hashed).
async fn signup_limited(state: &AppState, meta: &RequestMeta) -> Result<(), ApiError> {
    let client = state.pool().get().await?;
    state
        .limiter()
        .signup(&client, meta.ip)
        .await?
        .map_err(|retry_after| {
            tracing::warn!(ip = ?meta.ip, "sign-up refused: too many from this address");
            too_many("sign-ups from this address", retry_after)
        })
}

/// `POST /login`: e-mail and password for a session token (valid [`SESSION_HOURS`] hours).
/// Failures are counted per account and address, across every instance of the service, each
/// attempt before its password is checked (429 past the limit, concurrent attempts included); a
/// wrong password and an unknown e-mail get the same 401 after the same work.
#[utoipa::path(
    post,
    path = "/login",
    tag = "accounts",
    request_body = Login,
    responses((status = 200, body = LoggedIn), (status = 400, description = "a value breaks a rule", body = ErrorBody), (status = 401, description = "wrong e-mail or password", body = ErrorBody), (status = 422, description = "the body is not the JSON expected", body = ErrorBody), (status = 429, description = "too many failed logins (Retry-After)", body = ErrorBody))
)]
pub async fn login(
    State(state): State<AppState>,
    meta: RequestMeta,
    Json(body): Json<Login>,
) -> Result<Reply<LoggedIn>, ApiError> {
    let address = email(&body.email)?;
    let failures = limited(&state, &address, &meta).await?;
    let account = find_account(&state, &address).await?;
    let stored = account.as_ref().map(|a| a.hash.clone());
    let ok = password::verify(body.password, stored).await;
    let Some(account) = account else {
        tracing::info!(email = %address, ip = ?meta.ip, failures, "login failed: no such account");
        return Err(wrong_password());
    };
    let caller = Caller::user(account.tenant_id, account.user_id, &meta);
    if !ok {
        tracing::info!(email = %address, ip = ?meta.ip, failures, "login failed: wrong password");
        in_tenant(&state, account.tenant_id, async |tx| {
            let event = login_event("login.failed", account.user_id, "wrong password");
            Ok(event.record(tx, &caller, "failure").await?)
        })
        .await?;
        return Err(wrong_password());
    }
    {
        let client = state.pool().get().await?;
        state
            .limiter()
            .succeeded(&client, &address, meta.ip)
            .await?;
    }
    let new = token::generate(account.tenant_id);
    let expires_at = hours_from_now(SESSION_HOURS)?;
    audited(&state, &caller, async |tx| {
        let row = tx
            .query_one(
                "UPDATE users SET last_login_at = now() WHERE tenant_id = $1 AND id = $2 \
                 RETURNING *",
                &[&account.tenant_id, &account.user_id],
            )
            .await?;
        let user = User::from_row(&row)?;
        let row = Insert::into(ApiToken::TABLE)
            .set("tenant_id", &account.tenant_id)
            .set("user_id", &account.user_id)
            .set("kind", &TokenKind::Session)
            .set("role", &user.role)
            .set("token_hash", &new.hash)
            .set("expires_at", &expires_at)
            .returning(tx)
            .await?;
        let session = ApiToken::from_row(&row)?;
        let reply = LoggedIn {
            token: new.secret.clone(),
            token_id: session.id,
            expires_at,
            tenant_id: account.tenant_id,
            user,
        };
        let event = login_event("login", account.user_id, "logged in");
        Ok(Audited::new(axum::Json(reply), event))
    })
    .await
}

fn wrong_password() -> ApiError {
    ApiError::Unauthorized("wrong e-mail or password".into())
}

fn login_event(action: &'static str, user_id: Uuid, description: &str) -> Event {
    Event {
        event_type: EventType::UserAuth,
        action,
        resource_type: User::TABLE,
        resource_id: user_id,
        description: description.to_string(),
    }
}

/// `POST /logout`: revokes the credential the request was made with (204).
#[utoipa::path(
    post,
    path = "/logout",
    tag = "accounts",
    responses((status = 204, description = "the credential is revoked"), (status = 401, description = "no valid credential", body = ErrorBody)),
    security(("bearer" = ["admin", "member", "engineer"]))
)]
pub async fn logout(scope: Scope) -> Result<StatusCode, ApiError> {
    let (tenant_id, token_id) = (scope.tenant_id(), scope.principal.token_id);
    scope
        .write(async |tx| {
            tx.execute(
                "UPDATE api_tokens SET revoked_at = now() WHERE tenant_id = $1 AND id = $2",
                &[&tenant_id, &token_id],
            )
            .await?;
            let event = Event {
                event_type: EventType::UserAuth,
                action: "logout",
                resource_type: ApiToken::TABLE,
                resource_id: token_id,
                description: "logged out: credential revoked".into(),
            };
            Ok(Audited::new(StatusCode::NO_CONTENT, event))
        })
        .await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Credential {
    pub id: Uuid,
    pub kind: TokenKind,
    pub expires_at: Timestamp,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub tenant: Tenant,
    /// The user of a session; `null` for an API token.
    pub user: Option<User>,
    pub role: UserRole,
    pub credential: Credential,
}

/// `GET /me`: the caller's tenant, user, role and credential.
#[utoipa::path(
    get,
    path = "/me",
    tag = "accounts",
    responses((status = 200, body = Me), (status = 401, description = "no valid credential", body = ErrorBody)),
    security(("bearer" = ["admin", "member", "engineer"]))
)]
pub async fn me(scope: Scope) -> Result<Reply<Me>, ApiError> {
    let principal = &scope.principal;
    scope
        .read(async |tx| {
            let tenant = current_tenant(tx, principal.tenant_id).await?;
            let user = match principal.user_id {
                Some(id) => tx
                    .query_opt(
                        "SELECT * FROM users WHERE tenant_id = $1 AND id = $2",
                        &[&principal.tenant_id, &id],
                    )
                    .await?
                    .map(|r| User::from_row(&r))
                    .transpose()?,
                None => None,
            };
            Ok(axum::Json(Me {
                tenant,
                user,
                role: principal.role,
                credential: Credential {
                    id: principal.token_id,
                    kind: principal.kind,
                    expires_at: principal.expires_at,
                },
            }))
        })
        .await
}

/// `POST /tenants/{id}/users` (admin): another user of the tenant, `member` unless a role is
/// given.
#[utoipa::path(
    post,
    path = "/tenants/{tenant_id}/users",
    tag = "users",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant")),
    request_body = NewUser,
    responses((status = 201, body = User), (status = 400, description = "a value breaks a rule", body = ErrorBody), (status = 401, description = "no valid credential", body = ErrorBody), (status = 403, description = "the credential's role may not", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody), (status = 409, description = "a unique value is taken; `field` names it", body = ErrorBody), (status = 422, description = "the body is not the JSON expected", body = ErrorBody)),
    security(("bearer" = ["admin"]))
)]
pub async fn create_user(
    scope: Scope,
    Json(body): Json<NewUser>,
) -> Result<Created<User>, ApiError> {
    email(&body.email)?;
    body.password.check_policy()?;
    let hash = password::hash(body.password.clone()).await?;
    let role = body.role.unwrap_or(UserRole::Member);
    let ids = (scope.tenant_id(), Uuid::new_v4());
    scope
        .write(async |tx| {
            let user = insert_user(tx, ids, &body, role, &hash).await?;
            let event = Event {
                event_type: EventType::UserAuth,
                action: "user.create",
                resource_type: User::TABLE,
                resource_id: user.id,
                description: format!("added {} as {role:?}", user.email).to_lowercase(),
            };
            Ok(Audited::created(user, event))
        })
        .await
}

/// `GET /tenants/{id}/users` (admin): the tenant's users, oldest first.
#[utoipa::path(
    get,
    path = "/tenants/{tenant_id}/users",
    tag = "users",
    params(("tenant_id" = Uuid, Path, description = "the caller's tenant")),
    responses((status = 200, body = Vec<User>), (status = 401, description = "no valid credential", body = ErrorBody), (status = 403, description = "the credential's role may not", body = ErrorBody), (status = 404, description = "not found in the caller's tenant (another tenant's id included)", body = ErrorBody)),
    security(("bearer" = ["admin"]))
)]
pub async fn list_users(scope: Scope) -> Result<Reply<Vec<User>>, ApiError> {
    let sql = "SELECT * FROM users WHERE tenant_id = $1 ORDER BY created_at, id LIMIT $2";
    let tenant_id = scope.tenant_id();
    scope
        .list(sql, &[&tenant_id, &LIST_LIMIT], User::from_row)
        .await
}
