//! Errors of a request, answered as RFC 9457 problem documents by the API
//! and as a page by the screens. The message always says what to do.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use corridor_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input; `field` names the form field or query parameter.
    #[error("{detail}")]
    BadRequest {
        detail: String,
        field: Option<String>,
    },
    #[error("sign in first: this needs an account")]
    Unauthenticated { detail: String },
    #[error("{0}")]
    Forbidden(String),
    /// A personal record outside the user's scope: they may break the glass.
    #[error(
        "{person} is outside your scope; state a reason to break the glass, which is recorded and shown to the admin"
    )]
    OutOfScope { person: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_seconds: u64,
    },
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn bad_request(field: &str, detail: impl Into<String>) -> AppError {
        AppError::BadRequest {
            detail: detail.into(),
            field: Some(field.to_string()),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::OutOfScope { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn detail(&self) -> String {
        match self {
            AppError::Unauthenticated { detail } => detail.clone(),
            other => other.to_string(),
        }
    }
}

/// A value that did not parse names its field, which becomes the problem's `field`.
impl From<corridor_domain::InvalidValue> for AppError {
    fn from(invalid: corridor_domain::InvalidValue) -> AppError {
        AppError::BadRequest {
            detail: invalid.to_string(),
            field: Some(invalid.field.to_string()),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::NotFound(id) => {
                AppError::NotFound(format!("no person with id {id} is registered"))
            }
            StoreError::Transition { .. }
            | StoreError::Conflict { .. }
            | StoreError::Duplicate(_)
            | StoreError::AlreadyConfirmed { .. } => AppError::Conflict(error.to_string()),
            StoreError::Invalid(detail) => AppError::BadRequest {
                detail,
                field: None,
            },
            StoreError::UnsupportedUrl { .. }
            | StoreError::Open { .. }
            | StoreError::Migrate(_)
            | StoreError::Corrupt { .. }
            | StoreError::Database(_) => {
                tracing::error!(%error, "database error");
                AppError::Internal(
                    "the database failed to answer; the error was logged for the administrator. \
                     Try again in a moment"
                        .to_string(),
                )
            }
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status code says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong and what to do about it.
    pub detail: String,
    /// The input field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Where to state a reason to see a record outside one's scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub break_glass: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

/// An error answered as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(error: E) -> ApiError {
        ApiError(error.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        let status = error.status();
        let problem = Problem {
            kind: "about:blank".to_string(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: error.detail(),
            field: match &error {
                AppError::BadRequest { field, .. } => field.clone(),
                _ => None,
            },
            break_glass: match &error {
                AppError::OutOfScope { person } => {
                    Some(format!("/api/v1/people/{person}/break-glass"))
                }
                _ => None,
            },
            retry_after_seconds: match &error {
                AppError::TooManyRequests {
                    retry_after_seconds,
                    ..
                } => Some(*retry_after_seconds),
                _ => None,
            },
        };
        problem_response(status, &problem)
    }
}

pub fn problem_response(status: StatusCode, problem: &Problem) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// An error answered as a page; an unauthenticated request goes to sign-in.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> PageError {
        PageError(error.into())
    }
}

pub type PageResult<T> = Result<T, PageError>;

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let error = self.0;
        if let AppError::Unauthenticated { .. } = error {
            return Redirect::to("/sign-in").into_response();
        }
        let status = error.status();
        crate::pages::error_page(status, &error.detail())
    }
}
