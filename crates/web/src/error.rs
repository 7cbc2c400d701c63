//! Errors of a request, answered as RFC 9457 problem documents by the API
//! and as a page by the screens. The message always says what to do.

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use corridor_store::{StoreError, Thing};
use serde::Serialize;
use tower_sessions::Session;

use crate::state::AppState;

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
    /// The request body is over the size limit.
    #[error("{0}")]
    TooLarge(String),
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_seconds: u64,
    },
    /// A failure of the server, not of the request. The text is for the
    /// log only: the user is told that it was logged, and under which id.
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
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the user reads. An internal failure's own text stays in the log.
    pub fn detail(&self) -> String {
        match self {
            AppError::Unauthenticated { detail } => detail.clone(),
            AppError::Internal(_) => {
                "the server failed to answer; the error was logged for the administrator. Try again in a moment"
                    .to_string()
            }
            other => other.to_string(),
        }
    }
}

/// The id of one server failure: logged with the error and returned to the
/// user (problem document and error page), so the administrator can find
/// the log line the user quotes. Also a response extension, for the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorId(pub String);

impl ErrorId {
    /// Logs `error` (what failed, no personal data) under a new id.
    pub fn log(error: &str) -> ErrorId {
        let id = ErrorId(crate::auth::token::random_hex(6));
        tracing::error!(error_id = %id.0, error, "request failed");
        id
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
            StoreError::NotFound { thing, .. } => AppError::NotFound(match screen_hint(thing) {
                Some(hint) => format!("{error}; {hint}"),
                None => error.to_string(),
            }),
            StoreError::Transition { .. }
            | StoreError::Stage { .. }
            | StoreError::Conflict { .. }
            | StoreError::Exists { .. }
            | StoreError::Refused(_)
            | StoreError::AlreadyConfirmed { .. }
            | StoreError::ChangedMeanwhile(_) => AppError::Conflict(error.to_string()),
            StoreError::UnknownOrganisation { field, .. } => {
                AppError::bad_request(field, error.to_string())
            }
            StoreError::DayRule { detail, .. } => AppError::BadRequest {
                detail,
                field: None,
            },
            StoreError::Invalid { ref invalid, .. } => AppError::BadRequest {
                field: Some(invalid.field.to_string()),
                detail: error.to_string(),
            },
            StoreError::UnsupportedUrl { .. }
            | StoreError::Open { .. }
            | StoreError::Migrate(_)
            | StoreError::Corrupt { .. }
            | StoreError::Backup(_)
            | StoreError::Export(_)
            | StoreError::Database(_) => AppError::Internal(error.to_string()),
        }
    }
}

/// The screen that shows what exists of a kind, for a "not found".
fn screen_hint(thing: Thing) -> Option<&'static str> {
    Some(match thing {
        Thing::Person => "search the Waiting list for the right id",
        Thing::Consignment => "the Aid pipeline lists the consignments",
        Thing::Crossing | Thing::CrossingRules => "the Day plan lists the crossings",
        Thing::Facility | Thing::Country | Thing::BedOffer => {
            "the Beds screen lists the facilities and countries"
        }
        Thing::Organisation => "the Organisations screen lists them",
        Thing::Account => "the Users screen lists the accounts",
        Thing::ApiToken => "the API tokens screen lists the active tokens",
        Thing::ClearanceBatch => "the Clearance screen lists the batches",
        Thing::Contact => "the person's record lists their contacts",
        Thing::AssemblyPoint => "the Call list shows the day's assembly points",
        Thing::Notice => "check the notice key or gateway id the delivery report names",
        Thing::ReasonCode | Thing::Figure => return None,
    })
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
    /// With a server failure (5xx): the id under which it was logged; give
    /// it to the administrator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
}

impl Problem {
    /// A problem with only a status and what to do.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank".to_string(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            break_glass: None,
            retry_after_seconds: None,
            error_id: None,
        }
    }
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
        let error_id = internal_error_id(&error);
        let problem = Problem {
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
            error_id: error_id.as_ref().map(|id| id.0.clone()),
            ..Problem::new(status, error.detail())
        };
        with_error_id(problem_response(status, &problem), error_id)
    }
}

/// Logs an internal failure and gives its id; `None` for the user's errors.
fn internal_error_id(error: &AppError) -> Option<ErrorId> {
    match error {
        AppError::Internal(what) => Some(ErrorId::log(what)),
        _ => None,
    }
}

pub fn with_error_id(mut response: Response, error_id: Option<ErrorId>) -> Response {
    if let Some(id) = error_id {
        response.extensions_mut().insert(id);
    }
    response
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
        let error_id = internal_error_id(&error);
        // The page is rendered by `uniform_errors`, which knows the session
        // and so draws the signed-in user's navigation around it.
        let mut response = status.into_response();
        response
            .extensions_mut()
            .insert(ErrorPageDetail(error.detail()));
        with_error_id(response, error_id)
    }
}

/// What an error page says, left on the response by [`PageError`] for
/// [`uniform_errors`] to render.
#[derive(Debug, Clone)]
struct ErrorPageDetail(String);

/// What a request too large is told.
pub fn too_large_detail() -> String {
    format!(
        "the request body is larger than {} MiB; send less at once",
        crate::auth::csrf::MAX_FORM_BYTES / (1024 * 1024)
    )
}

/// An error for the API (a problem document) or for a browser (a page).
pub fn error_response(is_api: bool, error: AppError) -> Response {
    if is_api {
        ApiError(error).into_response()
    } else {
        PageError(error).into_response()
    }
}

/// Addresses that match no route: a problem document under `/api/`, a
/// page in the application's frame elsewhere.
pub async fn not_found(uri: Uri) -> Response {
    let is_api = uri.path().starts_with("/api/");
    error_response(
        is_api,
        AppError::NotFound(if is_api {
            "there is no API route at this address; the routes are listed in /api/openapi.json"
                .to_string()
        } else {
            "there is no page at this address; check it, or start again from the dashboard"
                .to_string()
        }),
    )
}

/// How much of a plain-text error body is read to quote it.
const QUOTED_BODY_BYTES: usize = 4 * 1024;

/// Every error is answered as a problem document (API) or a page (screens),
/// including those made before a handler runs — axum's rejections of a path,
/// query string or body, 405 and 415, the body size limit's 413 — which
/// answer in plain text. Those are rewritten here with a detail that says
/// what to do; a server failure is logged under an id the answer carries.
/// Error pages are drawn here, in the frame of the user signed in (the
/// session layer runs outside this one, so the session is known).
pub async fn uniform_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let method = request.method().clone();
    let session = request.extensions().get::<Session>().cloned();
    let words = crate::i18n::words_of(request.extensions());
    let mut response = next.run(request).await;
    let status = response.status();
    if let Some(ErrorPageDetail(detail)) = response.extensions_mut().remove::<ErrorPageDetail>() {
        let error_id = response.extensions().get::<ErrorId>().cloned();
        let page = crate::pages::error_page(
            &state,
            session.as_ref(),
            words,
            status,
            &detail,
            error_id.as_ref(),
        )
        .await;
        return with_error_id(page, error_id);
    }
    if !(status.is_client_error() || status.is_server_error()) || is_answered(&response) {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let bytes = to_bytes(response.into_body(), QUOTED_BODY_BYTES)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    let quoted = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_lowercase()
    } else {
        text
    };
    let detail = match status {
        StatusCode::PAYLOAD_TOO_LARGE => too_large_detail(),
        StatusCode::METHOD_NOT_ALLOWED => match allow.as_ref().and_then(|a| a.to_str().ok()) {
            Some(allowed) => format!("this address does not take {method}; it takes {allowed}"),
            None => format!("this address does not take {method}"),
        },
        StatusCode::NOT_FOUND => "there is nothing at this address; check it".to_string(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            format!("the request body is not in a format this address takes: {quoted}")
        }
        _ => format!("the request is not what this address takes: {quoted}"),
    };
    let error_id = status
        .is_server_error()
        .then(|| ErrorId::log(&format!("{status} {quoted}")));
    let detail = match &error_id {
        Some(_) => AppError::Internal(String::new()).detail(),
        None => detail,
    };
    let answer = if is_api {
        let problem = Problem {
            error_id: error_id.as_ref().map(|id| id.0.clone()),
            ..Problem::new(status, detail)
        };
        problem_response(status, &problem)
    } else {
        crate::pages::error_page(
            &state,
            session.as_ref(),
            words,
            status,
            &detail,
            error_id.as_ref(),
        )
        .await
    };
    let mut answer = with_error_id(answer, error_id);
    if let Some(allow) = allow {
        answer.headers_mut().insert(header::ALLOW, allow);
    }
    answer
}

/// Whether an error was already answered as a problem document or a page.
fn is_answered(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.starts_with("application/problem+json") || value.starts_with("text/html")
        })
}
