//! Who am I, and the waiting list at a glance.

use axum::Json;
use axum::extract::State;
use corridor_domain::Permission;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::ApiUser;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(summary))
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
        organisation: user.organisation,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct TierCountView {
    pub tier: String,
    pub count: u64,
}

/// The waiting list at a glance, computed from the registry as of `today`.
#[derive(Serialize, ToSchema)]
pub struct Summary {
    /// The date the figures are computed for.
    pub today: String,
    /// Where the figures come from.
    pub source: String,
    pub waiting_patients: u64,
    pub waiting_by_tier: Vec<TierCountView>,
    pub waiting_children: u64,
    pub waiting_companions: u64,
    pub median_wait_days: Option<i64>,
    pub longest_wait_days: Option<i64>,
    pub waiting_over_a_year: u64,
    pub died_while_waiting: u64,
    pub died_by_tier: Vec<TierCountView>,
    pub evacuated_patients: u64,
    pub waiting_returnees: u64,
    pub returnees_crossed: u64,
}

/// Waiting-list figures (aggregates only; every role).
#[utoipa::path(get, path = "/api/v1/summary", tag = "dashboard",
    responses((status = 200, body = Summary), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn summary(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
) -> ApiResult<Json<Summary>> {
    identity.require(Permission::ViewAggregates)?;
    let summary = state.store.waiting_summary(state.clock.today()).await?;
    let tiers = |counts: &[corridor_store::TierCount]| {
        counts
            .iter()
            .map(|c| TierCountView {
                tier: c.tier.as_str().to_string(),
                count: c.count,
            })
            .collect()
    };
    Ok(Json(Summary {
        today: summary.today.to_string(),
        source: "computed from the corridor registry".to_string(),
        waiting_patients: summary.waiting_patients,
        waiting_by_tier: tiers(&summary.waiting_by_tier),
        waiting_children: summary.waiting_children,
        waiting_companions: summary.waiting_companions,
        median_wait_days: summary.median_wait_days,
        longest_wait_days: summary.longest_wait_days,
        waiting_over_a_year: summary.waiting_over_a_year,
        died_while_waiting: summary.died_while_waiting,
        died_by_tier: tiers(&summary.died_by_tier),
        evacuated_patients: summary.evacuated_patients,
        waiting_returnees: summary.waiting_returnees,
        returnees_crossed: summary.returnees_crossed,
    }))
}
