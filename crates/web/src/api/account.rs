//! Who am I: the account making the request and what it may do.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub scope: String,
    pub organisation: Option<String>,
    pub permissions: Vec<String>,
}

/// The account making the request and what it may do.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(ApiUser(identity): ApiUser) -> ApiResult<Json<Me>> {
    let user = identity.user;
    Ok(Json(Me {
        permissions: user
            .role
            .permissions()
            .iter()
            .map(|p| p.as_str().to_string())
            .collect(),
        username: user.username,
        display_name: user.display_name,
        role: user.role.as_str().to_string(),
        scope: user.scope.as_str().to_string(),
        organisation: user.organisation.map(|id| id.to_string()),
    }))
}
