//! One line per request for the operator: method, route template, status,
//! latency and the signed-in user. Nothing else from the request is
//! logged: not the raw path or query string (a query may hold a name), not
//! the body, not a person's data.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;

use crate::error::ErrorId;

/// The route of a request that matched none.
pub const UNMATCHED: &str = "(unmatched)";

/// Who made the request, filled in by the identity extractors once they
/// know; the access line is written after the handler, from here.
#[derive(Clone, Default)]
pub struct RequestUser(Arc<OnceLock<String>>);

impl RequestUser {
    pub fn set(&self, username: &str) {
        let _ = self.0.set(username.to_string());
    }
}

/// Writes the access line of every request, and runs the request in a span
/// named after its route, so that an error logged while answering it says
/// which route it was.
pub async fn access_log(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_string();
    let user = RequestUser::default();
    request.extensions_mut().insert(user.clone());
    let span = tracing::info_span!("request", %method, %route);
    let response = next.run(request).instrument(span).await;
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_millis() as u64;
    let user = user.0.get().map_or("-", String::as_str);
    match response.extensions().get::<ErrorId>() {
        Some(ErrorId(error_id)) => {
            tracing::info!(%method, %route, status, latency_ms, %user, %error_id, "request");
        }
        None => tracing::info!(%method, %route, status, latency_ms, %user, "request"),
    }
    response
}
