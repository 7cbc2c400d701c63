//! The day's plan: what the planner proposes, with the reason of every pick
//! and of everyone left out, and its confirmation as the manifest.

use axum::Json;
use axum::extract::State;
use corridor_domain::{Direction, Permission};
use corridor_planner::{DayPlan, Method};
use corridor_store::{PlanningInputs, method_name};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::manifest::{ManifestView, Names, manifest_view};
use super::{DayQuery, parse_method_field};
use crate::api::params::{parse_crossing, parse_date, parse_direction};
use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct PickView {
    pub person: String,
    pub companions: Vec<String>,
    pub facility: Option<String>,
    pub value: u64,
    /// Why the planner put this party on the plan.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeftOutView {
    pub person: String,
    /// Why this cleared person is not on the plan.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideView {
    pub person: String,
    /// `include` or `exclude`.
    pub kind: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CapView {
    pub places: u32,
    pub reason: String,
}

/// The proposed manifest of a day, or the confirmed one.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub crossing: String,
    pub date: String,
    pub direction: String,
    pub method: String,
    /// The policy the planner follows, in words.
    pub policy: String,
    /// Why nobody can cross on this day in this direction, when so.
    pub closed_reason: Option<String>,
    pub quota: u32,
    pub cap: Option<CapView>,
    pub max_companions: u32,
    pub places_available: u32,
    pub places_used: u32,
    pub objective: u64,
    pub notes: Vec<String>,
    pub picks: Vec<PickView>,
    /// Every cleared person left out, the most valuable first.
    pub left_out: Vec<LeftOutView>,
    pub overrides: Vec<OverrideView>,
    /// The day's manifest once confirmed (ids only; the names are on the printable manifest).
    pub confirmed: Option<ManifestView>,
}

pub(super) fn plan_view(
    inputs: &PlanningInputs,
    plan: Option<&DayPlan>,
    method: Method,
) -> PlanView {
    PlanView {
        crossing: inputs.crossing.to_string(),
        date: inputs.date.to_string(),
        direction: inputs.direction.as_str().to_string(),
        method: method_name(method).to_string(),
        policy: match inputs.direction {
            Direction::Outbound => corridor_planner::POLICY_TEXT,
            Direction::Inbound => corridor_planner::INBOUND_POLICY_TEXT,
        }
        .to_string(),
        closed_reason: inputs.closed_reason.clone(),
        quota: inputs.quota,
        cap: inputs.cap.as_ref().map(|(places, reason)| CapView {
            places: *places,
            reason: reason.clone(),
        }),
        max_companions: inputs.day_rules().max_companions,
        places_available: plan.map_or(0, |p| p.places_available),
        places_used: plan.map_or(0, |p| p.places_used),
        objective: plan.map_or(0, |p| p.objective),
        notes: plan.map(|p| p.notes.clone()).unwrap_or_default(),
        picks: plan
            .map(|p| {
                p.picks
                    .iter()
                    .map(|pick| PickView {
                        person: pick.person.to_string(),
                        companions: pick.companions.iter().map(ToString::to_string).collect(),
                        facility: pick.facility.as_ref().map(ToString::to_string),
                        value: pick.value,
                        reason: pick.reason.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        left_out: plan
            .map(|p| {
                inputs
                    .left_out_by_value(p)
                    .into_iter()
                    .map(|l| LeftOutView {
                        person: l.person.to_string(),
                        reason: l.reason.to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        overrides: inputs
            .overrides
            .iter()
            .map(|o| OverrideView {
                person: o.person.to_string(),
                kind: o.kind.as_str().to_string(),
                reason: o.reason.clone(),
            })
            .collect(),
        confirmed: None,
    }
}

/// The plan of a day: proposed (with reasons) or, once confirmed, the manifest.
pub async fn plan_for(
    state: &AppState,
    identity: &Identity,
    query: &DayQuery,
) -> Result<PlanView, AppError> {
    identity.require(Permission::PlanDays)?;
    let (day, direction) = query.resolve(state).await?;
    let method = parse_method_field(query.method.as_deref())?;
    let inputs = state
        .store
        .planning_inputs(&day.crossing, day.date, direction)
        .await?;
    if inputs.confirmed {
        let manifest = state
            .store
            .manifest(&day.crossing, day.date, direction)
            .await?
            .ok_or_else(|| {
                AppError::Internal("a confirmed manifest could not be read".to_string())
            })?;
        let mut view = plan_view(&inputs, None, method);
        let reasons = state.store.reason_codes().await?;
        view.confirmed = Some(manifest_view(&manifest, &Names::default(), &reasons));
        return Ok(view);
    }
    if inputs.closed_reason.is_some() {
        return Ok(plan_view(&inputs, None, method));
    }
    let plan = inputs
        .plan(method)
        .map_err(|error| AppError::Conflict(format!("the day cannot be planned: {error}")))?;
    Ok(plan_view(&inputs, Some(&plan), method))
}

/// The proposed manifest of a day with the reason of every pick and of
/// every cleared person left out, the quota and caps and the overrides;
/// once confirmed, the confirmed manifest (ids only).
#[utoipa::path(get, path = "/api/v1/plan", tag = "crossing days", params(DayQuery),
    responses((status = 200, body = PlanView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn plan(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<DayQuery>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(plan_for(&state, &identity, &query).await?))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ConfirmRequest {
    pub crossing: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `outbound` (default) or `inbound`.
    #[serde(default)]
    pub direction: Option<String>,
    /// `optimal` (default) or `greedy`.
    #[serde(default)]
    pub method: Option<String>,
}

/// Confirms the day's plan as its manifest.
pub async fn confirm_for(
    state: &AppState,
    identity: &Identity,
    request: &ConfirmRequest,
) -> Result<ManifestView, AppError> {
    identity.require(Permission::PlanDays)?;
    let crossing = parse_crossing(&request.crossing)?;
    let date = parse_date("date", &request.date)?;
    let direction = parse_direction(request.direction.as_deref())?;
    let method = parse_method_field(request.method.as_deref())?;
    let (manifest, _) = state
        .store
        .confirm_plan(
            &crossing,
            date,
            direction,
            method,
            state.clock.now(),
            identity.username(),
        )
        .await?;
    let reasons = state.store.reason_codes().await?;
    Ok(manifest_view(&manifest, &Names::default(), &reasons))
}

/// Confirms the plan of a day: everyone on it is scheduled and each
/// patient's bed is held, in one audited transaction. A day is confirmed once.
#[utoipa::path(post, path = "/api/v1/plan/confirm", tag = "crossing days",
    request_body = ConfirmRequest,
    responses((status = 200, body = ManifestView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "the day's manifest is already confirmed")))]
pub(super) async fn confirm(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<ConfirmRequest>,
) -> ApiResult<Json<ManifestView>> {
    Ok(Json(confirm_for(&state, &identity, &request).await?))
}
