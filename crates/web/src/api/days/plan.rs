//! The day's plan: what the planner proposes, with the reason of every pick
//! and of everyone left out, and its confirmation as the manifest.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use corridor_domain::{Direction, FacilityId, Permission, PersonId};
use corridor_planner::policy::days_waited;
use corridor_planner::{DayPlan, Method};
use corridor_store::{OverrideKind, PlanningInputs, method_name};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::manifest::{ManifestView, Names, manifest_view};
use super::{DayQuery, parse_method_field};
use crate::api::params::{parse_crossing, parse_date, parse_direction};
use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

/// Who a person on the plan or left out is, as a coordinator sorts them.
/// Empty for a companion listed on their own.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct PersonFacts {
    /// `critical`, `urgent` or `routine` (patients).
    pub tier: Option<String>,
    /// Days since referral (patients) or registration (returnees), on the day.
    pub days_waited: Option<i64>,
    /// The specialty of the bed the patient needs.
    pub specialty: Option<String>,
    /// `child` (under 18 on the day) or `adult`.
    pub age_group: Option<String>,
    /// The person and the companions who would travel with them.
    pub party_size: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PickView {
    pub person: String,
    pub companions: Vec<String>,
    pub facility: Option<String>,
    /// The party's priority score: the patient's priority score for each
    /// person in it (the policy's value).
    pub value: u64,
    /// Why the planner put this party on the plan.
    pub reason: String,
    pub facts: PersonFacts,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeftOutView {
    pub person: String,
    /// Why this cleared person is not on the plan.
    pub reason: String,
    pub facts: PersonFacts,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideView {
    pub person: String,
    /// `include` or `exclude`.
    pub kind: String,
    pub reason: String,
    /// The receiving facility chosen for a patient put on the plan.
    pub facility: Option<String>,
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
    /// The crossing lets out only as many people as came in on the day:
    /// the outbound plan waits for the confirmed inbound manifest.
    pub entries_equal_exits: bool,
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

fn age_group(is_child: bool) -> String {
    if is_child { "child" } else { "adult" }.to_string()
}

/// The facts of every cleared patient and returnee of the day.
fn facts_by_person(inputs: &PlanningInputs) -> HashMap<&PersonId, PersonFacts> {
    let removed: Vec<&PersonId> = inputs
        .overrides
        .iter()
        .filter(|o| o.kind == OverrideKind::Exclude)
        .map(|o| &o.person)
        .collect();
    let max_companions = inputs.day_rules().max_companions;
    let patients = inputs.patients.iter().map(|p| {
        let companions = p.companions.iter().filter(|c| !removed.contains(c)).count() as u32;
        let facts = PersonFacts {
            tier: Some(p.tier.as_str().to_string()),
            days_waited: Some(days_waited(p.referral_date, inputs.date)),
            specialty: Some(p.specialty.as_str().to_string()),
            age_group: Some(age_group(p.is_child)),
            party_size: Some(1 + companions.min(max_companions)),
        };
        (&p.id, facts)
    });
    let returnees = inputs.returnees.iter().map(|r| {
        let facts = PersonFacts {
            days_waited: Some(days_waited(r.registered_on, inputs.date)),
            age_group: Some(age_group(r.is_child)),
            party_size: Some(1),
            ..PersonFacts::default()
        };
        (&r.id, facts)
    });
    patients.chain(returnees).collect()
}

/// A facility with free beds a patient may take on the day, which the
/// coordinator may choose when putting them on the plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacilityChoice {
    pub id: String,
    pub name: String,
    /// Free beds of the patient's specialty on the day, before the plan.
    pub free: u32,
}

/// The facilities with a free bed of the patient's specialty on the day
/// that they may take (one requiring a return guarantee only if their
/// referral has one), most free beds first; none for a returnee.
pub fn facility_choices(
    inputs: &PlanningInputs,
    person: &PersonId,
    names: &HashMap<FacilityId, String>,
) -> Vec<FacilityChoice> {
    let Some(patient) = inputs.patients.iter().find(|p| p.id == *person) else {
        return Vec::new();
    };
    let mut choices: Vec<FacilityChoice> = Vec::new();
    for beds in inputs.beds.iter().filter(|b| {
        b.specialty == patient.specialty
            && b.free > 0
            && (patient.return_guarantee || !b.requires_return_guarantee)
    }) {
        match choices.iter_mut().find(|c| c.id == beds.facility.as_str()) {
            Some(choice) => choice.free += beds.free,
            None => choices.push(FacilityChoice {
                id: beds.facility.to_string(),
                name: names
                    .get(&beds.facility)
                    .cloned()
                    .unwrap_or_else(|| beds.facility.to_string()),
                free: beds.free,
            }),
        }
    }
    choices.sort_by(|a, b| b.free.cmp(&a.free).then_with(|| a.id.cmp(&b.id)));
    choices
}

pub(super) fn plan_view(
    inputs: &PlanningInputs,
    plan: Option<&DayPlan>,
    method: Method,
) -> PlanView {
    let facts = facts_by_person(inputs);
    let facts_of = |person: &PersonId| facts.get(person).cloned().unwrap_or_default();
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
        entries_equal_exits: inputs
            .rules
            .as_ref()
            .is_some_and(|rules| rules.entries_equal_exits),
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
                        facts: PersonFacts {
                            party_size: Some(1 + pick.companions.len() as u32),
                            ..facts_of(&pick.person)
                        },
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
                        facts: facts_of(&l.person),
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
                facility: o.facility.as_ref().map(ToString::to_string),
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
    Ok(plan_and_inputs(state, identity, query).await?.1)
}

/// The plan of a day as [`plan_for`] gives it, with what it was planned from.
pub async fn plan_and_inputs(
    state: &AppState,
    identity: &Identity,
    query: &DayQuery,
) -> Result<(PlanningInputs, PlanView), AppError> {
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
        return Ok((inputs, view));
    }
    if inputs.closed_reason.is_some() {
        let view = plan_view(&inputs, None, method);
        return Ok((inputs, view));
    }
    let plan = inputs
        .plan(method)
        .map_err(|error| AppError::Conflict(format!("the day cannot be planned: {error}")))?;
    let view = plan_view(&inputs, Some(&plan), method);
    Ok((inputs, view))
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
