//! The JSON API under `/api/v1`: the same capabilities and roles as the
//! screens, for integrations (with an API token) and scripts.
//!
//! Every handler is annotated with `#[utoipa::path]`, and the router is an
//! `OpenApiRouter`, so the OpenAPI document is generated from the handlers
//! that are actually routed.

mod account;
pub mod aid;
pub mod audit;
pub mod beds;
pub mod calls;
pub mod clearance;
pub mod contacts;
pub mod dashboard;
pub mod days;
pub mod exports;
pub mod figures;
pub mod forecasts;
pub mod notices;
pub mod organisations;
pub mod params;
pub mod people;
pub mod reasons;
pub mod registry;
pub mod returnees;
pub mod users;

use corridor_domain::Paging;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::error::{ApiError, AppError};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "corridor",
        description = "The corridor API: the medical-evacuation waiting list, clearance, crossing days, the gate, receiving beds, aid trucks and forecasts. \
            Authenticate with an API token (`Authorization: Bearer <token>`, created by an admin) or the session cookie of the web application \
            (then send the session's CSRF token in `X-CSRF-Token` with every change). Errors are RFC 9457 problem documents.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&SecuritySchemes),
    security(("token" = []), ("session" = [])),
    components(schemas(crate::error::Problem))
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("corridor_session"))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(account::router())
        .merge(dashboard::router())
        .merge(forecasts::router())
        .merge(figures::router())
        .merge(people::router())
        .merge(contacts::router())
        .merge(calls::router())
        .merge(notices::router())
        .merge(clearance::router())
        .merge(days::router())
        .merge(users::router())
        .merge(organisations::router())
        .merge(audit::router())
        .merge(aid::router())
        .merge(registry::router())
        .merge(beds::router())
        .merge(reasons::router())
        .merge(returnees::router())
        .merge(exports::router())
}

/// JSON body whose rejection is a problem document naming what is wrong.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        axum::Json::<T>::from_request(request, state)
            .await
            .map(|axum::Json(value)| ApiJson(value))
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    return ApiError(AppError::TooLarge(crate::error::too_large_detail()));
                }
                ApiError(AppError::BadRequest {
                    detail: format!(
                        "the request body is not what this route takes: {}",
                        rejection.body_text()
                    ),
                    field: None,
                })
            })
    }
}

/// Query string whose rejection is a problem document.
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection| {
                ApiError(AppError::BadRequest {
                    detail: format!(
                        "the query string is not what this route takes: {}",
                        rejection.body_text()
                    ),
                    field: None,
                })
            })
    }
}

/// Default and largest page sizes of every list.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 500;

/// The page a list query asks for (`page`, `per_page`), checked the same
/// way for every list.
pub fn paging(page: Option<u64>, per_page: Option<u32>) -> Result<Paging, AppError> {
    Ok(Paging::parse(
        page.unwrap_or(1),
        per_page.unwrap_or(DEFAULT_PAGE_SIZE),
        MAX_PAGE_SIZE,
        "per_page",
    )?)
}
