//! Cancelling a confirmed crossing day: the crossing did not open.

use axum::Json;
use axum::extract::State;
use corridor_domain::{Permission, Text};
use corridor_store::DayCancelled;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::ApiJson;
use crate::api::params::{parse_crossing, parse_date, parse_direction};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CancelRequest {
    pub crossing: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `outbound` (default) or `inbound`.
    #[serde(default)]
    pub direction: Option<String>,
    /// Why the day is cancelled, at most 500 characters; kept with each
    /// person's record.
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CancelledView {
    /// The parties taken off (named by their patient or returnee).
    pub parties: Vec<String>,
    pub people: u32,
    /// Notices queued to the parties taken off and those on standby.
    pub notices: u32,
}

/// Cancels a confirmed day, as the API and the plan page do.
pub async fn cancel_for(
    state: &AppState,
    identity: &Identity,
    request: &CancelRequest,
) -> Result<DayCancelled, AppError> {
    identity.require(Permission::PlanDays)?;
    let crossing = parse_crossing(&request.crossing)?;
    let date = parse_date("date", &request.date)?;
    let direction = parse_direction(request.direction.as_deref())?;
    let reason = match request.reason.as_deref().map(str::trim) {
        Some(reason) if !reason.is_empty() => Text::parse("reason", reason, 500)?,
        _ => {
            return Err(AppError::bad_request(
                "reason",
                "reason is required: say why the day is cancelled (each party's record keeps it)",
            ));
        }
    };
    Ok(state
        .store
        .cancel_day(
            &crossing,
            date,
            direction,
            &reason,
            state.clock.now(),
            identity.username(),
        )
        .await?)
}

/// Cancels a confirmed day: every party still expected goes back on the
/// list as cleared (beds released), the standby list ends, and every
/// party taken off or on standby is sent a notice. People who crossed stay
/// crossed; the manifest stays, marked cancelled.
#[utoipa::path(post, path = "/api/v1/plan/cancel", tag = "crossing days",
    request_body = CancelRequest,
    responses((status = 200, body = CancelledView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn cancel(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<CancelRequest>,
) -> ApiResult<Json<CancelledView>> {
    let cancelled = cancel_for(&state, &identity, &request).await?;
    Ok(Json(CancelledView {
        parties: cancelled.parties.iter().map(ToString::to_string).collect(),
        people: cancelled.people,
        notices: cancelled.notices,
    }))
}
