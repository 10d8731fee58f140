//! What a request can end in: an HTTP status and one JSON shape,
//! `{"error": "<what went wrong>", "code": "<machine-readable>"[, "field": "<the field>"]}`.
//!
//! | status | code | when |
//! | --- | --- | --- |
//! | 400 | `bad_request` | a value breaks a rule (empty name, bad slug, short password, bad UUID) |
//! | 401 | `unauthorized` | no credential, or one unknown, expired or revoked; a wrong password |
//! | 403 | `forbidden` | the credential's role may not do this |
//! | 404 | `not_found` | no such row in the caller's tenant (another tenant's rows are not found) |
//! | 409 | `conflict` | a unique value taken (`field` names it) |
//! | 413 | `payload_too_large` | the body is over the limit |
//! | 415, 422 | `unsupported_media_type`, `unprocessable` | a body that is not the JSON expected |
//! | 429 | `too_many_requests` | login attempts over the limit (Retry-After says when to retry) |
//! | 500 | `internal` | a bug; details are logged, not returned |
//! | 503 | `unavailable` | database unreachable or not migrated, pool exhausted, request timeout |

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tokio_postgres::error::{DbError, SqlState};

/// The body of every error response (for the API document; [`ApiError`] writes it).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for people.
    pub error: String,
    /// What went wrong, for programs: `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `conflict`, `payload_too_large`, `unsupported_media_type`, `unprocessable`,
    /// `too_many_requests`, `internal`, `unavailable`.
    pub code: String,
    /// On a 409: the field whose value is taken.
    pub field: Option<String>,
}

#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized(String),
    Forbidden(String),
    NotFound(String),
    /// A unique value is taken: which field, and the message.
    Conflict {
        field: Option<String>,
        message: String,
    },
    /// Too many attempts: the message, and seconds until the next may succeed.
    TooManyRequests {
        message: String,
        retry_after: u64,
    },
    /// The database is unreachable or not migrated yet, the pool has no connection free, or
    /// the request took too long.
    Unavailable(String),
    /// A bug or an unexpected database error: logged, answered without details.
    Internal(String),
    /// A request axum could not extract (bad JSON, body too large): its status and text.
    Rejected(StatusCode, String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Rejected(status, _) => *status,
        }
    }

    fn code(&self) -> &'static str {
        match self.status() {
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::CONFLICT => "conflict",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
            StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
            StatusCode::SERVICE_UNAVAILABLE => "unavailable",
            StatusCode::INTERNAL_SERVER_ERROR => "internal",
            _ => "error",
        }
    }

    /// The message the client sees.
    fn message(&self) -> &str {
        match self {
            ApiError::Internal(_) => {
                "internal error (the x-request-id header names it in the logs)"
            }
            ApiError::BadRequest(m)
            | ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict { message: m, .. }
            | ApiError::TooManyRequests { message: m, .. }
            | ApiError::Unavailable(m)
            | ApiError::Rejected(_, m) => m,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(m) => tracing::error!(error = %m, "request failed"),
            ApiError::Unavailable(m) => tracing::warn!(error = %m, "request refused"),
            _ => {}
        }
        let mut body = serde_json::json!({ "error": self.message(), "code": self.code() });
        if let ApiError::Conflict {
            field: Some(field), ..
        } = &self
        {
            body["field"] = serde_json::Value::from(field.as_str());
        }
        let mut response = (self.status(), Json(body)).into_response();
        match &self {
            ApiError::Unauthorized(_) => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::TooManyRequests { retry_after, .. } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            _ => {}
        }
        response
    }
}

/// The field a unique constraint or index guards: its name without the `uq_<table>_` or
/// `ix_<table>_` prefix of the naming convention (`ix_tenants_slug` → `slug`).
fn unique_field(db: &DbError) -> Option<String> {
    let (constraint, table) = (db.constraint()?, db.table()?);
    ["uq", "ix"]
        .iter()
        .find_map(|p| constraint.strip_prefix(&format!("{p}_{table}_")))
        .map(str::to_string)
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> Self {
        let Some(db) = e.as_db_error() else {
            return ApiError::Unavailable(format!("database connection: {e}"));
        };
        // The server's DETAIL is never passed on: it can quote whole rows (hashes included).
        let code = db.code();
        if *code == SqlState::UNIQUE_VIOLATION {
            let field = unique_field(db);
            let message = match &field {
                Some(f) => format!("{f} is already taken"),
                None => "a unique value is already taken".into(),
            };
            ApiError::Conflict { field, message }
        } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
            // Also what a reference to another tenant's row gives: the keys include tenant_id.
            ApiError::NotFound("a referenced row does not exist".into())
        } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            ApiError::Forbidden(db.message().to_string())
        } else if *code == SqlState::NOT_NULL_VIOLATION {
            ApiError::BadRequest(format!("{} is required", db.column().unwrap_or("a value")))
        } else if *code == SqlState::QUERY_CANCELED {
            ApiError::Unavailable("the database statement took too long and was cancelled".into())
        } else if [
            SqlState::CHECK_VIOLATION,
            SqlState::INVALID_TEXT_REPRESENTATION,
            SqlState::STRING_DATA_RIGHT_TRUNCATION,
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
        ]
        .contains(code)
        {
            ApiError::BadRequest(db.message().to_string())
        } else {
            ApiError::Internal(format!("{} (SQLSTATE {})", db.message(), code.code()))
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        ApiError::Rejected(r.status(), r.body_text())
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(r: axum::extract::rejection::PathRejection) -> Self {
        ApiError::Rejected(r.status(), r.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(r: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::Rejected(r.status(), r.body_text())
    }
}

impl From<retort::db::DbError> for ApiError {
    fn from(e: retort::db::DbError) -> Self {
        ApiError::Unavailable(e.to_string())
    }
}
