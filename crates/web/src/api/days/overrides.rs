//! The coordinator's overrides: a person put on the day's plan or kept
//! off it, with a reason.

use axum::Json;
use axum::extract::State;
use corridor_domain::{Direction, FacilityId, Permission, PersonId, Text};
use corridor_planner::Method;
use corridor_store::OverrideKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::plan::{PlanView, plan_view};
use crate::api::ApiJson;
use crate::api::params::{parse_crossing, parse_date, parse_direction};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

/// A coordinator's override of a day's plan.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct OverrideRequest {
    pub crossing: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `outbound` (default) or `inbound`.
    #[serde(default)]
    pub direction: Option<String>,
    /// A patient or returnee (companions travel with their patient).
    pub person: String,
    /// `add` (put on the plan if they fit), `remove` (keep off this day) or `withdraw` (undo an earlier override).
    pub action: String,
    /// Why: shown on the plan and written to the audit log.
    pub reason: String,
    /// With `add` on an outbound day, the receiving facility: one with a
    /// free bed of the patient's specialty on the day that they may take.
    /// Empty or absent: the planner chooses.
    #[serde(default)]
    pub facility: Option<String>,
}

/// The plan after an override, and whom it displaced.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideResult {
    #[serde(flatten)]
    pub plan: PlanView,
    /// Patients on the plan before the override and not after it (other
    /// than the person overridden): the people it displaced.
    pub displaced: Vec<String>,
}

/// Records an override (audited) and returns the plan with it, and whom it
/// displaced.
pub async fn override_for(
    state: &AppState,
    identity: &Identity,
    request: &OverrideRequest,
) -> Result<OverrideResult, AppError> {
    identity.require(Permission::PlanDays)?;
    let crossing = parse_crossing(&request.crossing)?;
    let date = parse_date("date", &request.date)?;
    let direction = parse_direction(request.direction.as_deref())?;
    let person = PersonId::parse(request.person.trim())
        .map_err(|invalid| AppError::bad_request("person", invalid.to_string()))?;
    identity.may_change_person(state, &person).await?;
    let kind = match request.action.trim() {
        "add" => Some(OverrideKind::Include),
        "remove" => Some(OverrideKind::Exclude),
        "withdraw" => None,
        other => {
            return Err(AppError::bad_request(
                "action",
                format!("unknown action '{other}'; use add, remove or withdraw"),
            ));
        }
    };
    let reason = Text::parse("reason", request.reason.trim(), 500).map_err(|invalid| {
        AppError::bad_request(
            "reason",
            format!(
                "the reason {}; say why in up to 500 characters: the reason is shown on the plan and kept in the audit log",
                invalid.problem
            ),
        )
    })?;
    let facility = match request.facility.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(_) if kind != Some(OverrideKind::Include) => {
            return Err(AppError::bad_request(
                "facility",
                "a receiving facility is chosen only when adding someone to the plan; leave it empty",
            ));
        }
        Some(_) if direction == Direction::Inbound => {
            return Err(AppError::bad_request(
                "facility",
                "people coming in have no receiving facility; leave it empty",
            ));
        }
        Some(text) => Some(
            FacilityId::parse(text)
                .map_err(|invalid| AppError::bad_request("facility", invalid.to_string()))?,
        ),
    };
    let outcome = state
        .store
        .override_plan(
            &corridor_store::OverrideChange {
                crossing: crossing.clone(),
                date,
                direction,
                person: person.clone(),
                kind,
                reason: reason.clone(),
                facility,
            },
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok(OverrideResult {
        plan: plan_view(&outcome.inputs, Some(&outcome.plan), Method::Optimal),
        displaced: outcome.displaced.iter().map(ToString::to_string).collect(),
    })
}

/// Puts a person on a day's plan (optionally at a chosen receiving
/// facility) or keeps them off it, with a reason (audited); an override the
/// planner cannot honour is refused and not kept. The answer is the plan
/// with the override and the patients it displaced.
#[utoipa::path(post, path = "/api/v1/plan/overrides", tag = "crossing days",
    request_body = OverrideRequest,
    responses((status = 200, body = OverrideResult), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the day's manifest is already confirmed")))]
pub(super) async fn add_override(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<OverrideRequest>,
) -> ApiResult<Json<OverrideResult>> {
    Ok(Json(override_for(&state, &identity, &request).await?))
}
