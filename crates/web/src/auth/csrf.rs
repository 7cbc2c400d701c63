//! CSRF protection for every state-changing request made with the session
//! cookie: the session's token must come back in the form field `csrf`
//! (in the action's query for a multipart file upload) or the header
//! `X-CSRF-Token`. Requests with an API token carry no ambient
//! credentials and need none.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::Method;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

use crate::auth::identity::SESSION_CSRF;
use crate::auth::token::random_hex;
use crate::error::{AppError, error_response, too_large_detail};

/// Form bodies are read whole to find the token; larger requests are
/// refused before this by the request size limit.
pub const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The session's CSRF token, created on first use.
pub async fn csrf_token(session: &Session) -> Result<String, AppError> {
    let existing: Option<String> = session
        .get(SESSION_CSRF)
        .await
        .map_err(|error| AppError::Internal(format!("cannot read the session: {error}")))?;
    if let Some(token) = existing {
        return Ok(token);
    }
    let token = random_hex(32);
    session
        .insert(SESSION_CSRF, token.clone())
        .await
        .map_err(|error| AppError::Internal(format!("cannot write the session: {error}")))?;
    Ok(token)
}

pub async fn check_csrf(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || request.headers().contains_key(AUTHORIZATION)
        // A delivery report carries no session: its signature is checked
        // by its handler.
        || request.uri().path() == crate::api::notices::DELIVERY_PATH
    {
        return next.run(request).await;
    }
    let is_api = request.uri().path().starts_with("/api/");
    let refuse = |detail: &str| error_response(is_api, AppError::Forbidden(detail.to_string()));
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return refuse("no session: reload the page and try again");
    };
    let expected: Option<String> = session.get(SESSION_CSRF).await.ok().flatten();
    let Some(expected) = expected else {
        return refuse(
            "this form was not opened in this browser session (CSRF check); reload the page and try again",
        );
    };
    if let Some(header) = request.headers().get("x-csrf-token") {
        if header.as_bytes() == expected.as_bytes() {
            return next.run(request).await;
        }
        return refuse(
            "the X-CSRF-Token header does not match this session; reload the page and try again",
        );
    }
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    // A file upload's body is not read here; its form carries the token in
    // its action's query instead (`?csrf=`).
    if content_type.starts_with("multipart/form-data") {
        let sent = request.uri().query().and_then(|query| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(query)
                .unwrap_or_default()
                .into_iter()
                .find_map(|(name, value)| (name == "csrf").then_some(value))
        });
        if sent.as_deref() != Some(expected.as_str()) {
            return refuse(
                "the upload form is out of date or was not sent from corridor (CSRF check failed); reload the page and try again",
            );
        }
        return next.run(request).await;
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form {
        return refuse(
            "a change made with the session cookie needs the X-CSRF-Token header (or a form with its csrf field)",
        );
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return error_response(is_api, AppError::TooLarge(too_large_detail())),
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let sent = fields
        .iter()
        .find(|(name, _)| name == "csrf")
        .map(|(_, value)| value.as_str());
    if sent != Some(expected.as_str()) {
        return refuse(
            "the form is out of date or was not sent from corridor (CSRF check failed); reload the page and try again",
        );
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
