//! What a request can end in, as an HTTP status and a JSON body `{"error": "..."}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tokio_postgres::error::SqlState;

#[derive(Debug)]
pub enum ApiError {
    NotFound(String),
    BadRequest(String),
    Conflict(String),
    Forbidden(String),
    /// The database is unreachable or not migrated yet.
    Unavailable(String),
    Internal(String),
    /// A request axum could not extract (bad JSON, bad path): its status and text.
    Rejected(StatusCode, String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Rejected(status, _) => *status,
        }
    }

    fn message(&self) -> &str {
        match self {
            ApiError::NotFound(m)
            | ApiError::BadRequest(m)
            | ApiError::Conflict(m)
            | ApiError::Forbidden(m)
            | ApiError::Unavailable(m)
            | ApiError::Internal(m)
            | ApiError::Rejected(_, m) => m,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(m) | ApiError::Unavailable(m) = &self {
            eprintln!("builtenv: request failed: {m}");
        }
        let body = serde_json::json!({ "error": self.message() });
        (self.status(), Json(body)).into_response()
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> Self {
        let Some(db) = e.as_db_error() else {
            return ApiError::Unavailable(format!("database connection: {e}"));
        };
        let text = match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        };
        let code = db.code();
        if *code == SqlState::UNIQUE_VIOLATION {
            ApiError::Conflict(text)
        } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
            // Also what a reference to another tenant's row gives: the keys include tenant_id.
            ApiError::NotFound(format!("a referenced row does not exist: {}", db.message()))
        } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            ApiError::Forbidden(db.message().to_string())
        } else if [
            SqlState::NOT_NULL_VIOLATION,
            SqlState::CHECK_VIOLATION,
            SqlState::INVALID_TEXT_REPRESENTATION,
            SqlState::STRING_DATA_RIGHT_TRUNCATION,
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
        ]
        .contains(code)
        {
            ApiError::BadRequest(text)
        } else {
            ApiError::Internal(format!("{text} (SQLSTATE {})", code.code()))
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
