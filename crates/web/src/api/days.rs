//! A crossing day: the proposed plan with the reason of every pick and of
//! everyone left out, the coordinator's overrides, confirmation, the
//! confirmed manifest (names: every view is audited), the gate and the
//! end-of-day reconciliation.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use corridor_domain::{
    CrossingDay, Direction, GateOutcome, Permission, PersonId, ReasonCatalogue, Scope, Text,
};
use corridor_planner::{DayPlan, Method};
use corridor_store::{
    EntryState, Manifest, NewAuditEntry, OverrideKind, PlanningInputs, Reconciliation, method_name,
    parse_method,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::params::{given, parse_crossing, parse_date, parse_direction};
use crate::api::reasons::{CodedReason, parse_reason};
use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(plan))
        .routes(routes!(add_override))
        .routes(routes!(confirm))
        .routes(routes!(manifest))
        .routes(routes!(gate))
        .routes(routes!(reconciliation))
}

/// A crossing day; without `date`, the next operating day from today.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    /// e.g. `rafah`; default the first registered crossing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossing: Option<String>,
    /// `YYYY-MM-DD`; default the next operating day from today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `outbound` (default) or `inbound`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// `optimal` (default) or `greedy` (outbound only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

impl DayQuery {
    /// The day and direction asked for, with the defaults filled in.
    async fn resolve(&self, state: &AppState) -> Result<(CrossingDay, Direction), AppError> {
        let direction = parse_direction(self.direction.as_deref())?;
        let day = resolve_day(
            state,
            self.crossing.as_deref(),
            self.date.as_deref(),
            Some(direction),
        )
        .await?;
        Ok((day, direction))
    }
}

/// Resolves a day: the crossing (default the first registered) and the
/// date (default [`corridor_domain::Crossing::next_crossing_day`] from today, for
/// `direction` or for either when `None`).
pub async fn resolve_day(
    state: &AppState,
    crossing: Option<&str>,
    date: Option<&str>,
    direction: Option<Direction>,
) -> Result<CrossingDay, AppError> {
    let reference = state.store.reference().await?;
    let crossing = match given(crossing) {
        Some(text) => parse_crossing(text)?,
        None => reference
            .crossings
            .first()
            .map(|c| c.id.clone())
            .ok_or_else(|| {
                AppError::bad_request(
                    "crossing",
                    "no crossing is registered yet; load reference data first",
                )
            })?,
    };
    let Some(known) = reference.crossings.iter().find(|c| c.id == crossing) else {
        let names: Vec<&str> = reference.crossings.iter().map(|c| c.id.as_str()).collect();
        return Err(AppError::bad_request(
            "crossing",
            format!(
                "no crossing '{crossing}' is registered; known crossings: {}",
                names.join(", ")
            ),
        ));
    };
    let date = match given(date) {
        Some(text) => parse_date("date", text)?,
        None => known.next_crossing_day(&reference.quotas, direction, state.clock.today()),
    };
    Ok(CrossingDay { crossing, date })
}

fn parse_method_field(text: Option<&str>) -> Result<Method, AppError> {
    match given(text) {
        None => Ok(Method::Optimal),
        Some(text) => parse_method(text).ok_or_else(|| {
            AppError::bad_request(
                "method",
                format!("unknown method '{text}'; use optimal or greedy"),
            )
        }),
    }
}

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

fn plan_view(inputs: &PlanningInputs, plan: Option<&DayPlan>, method: Method) -> PlanView {
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
async fn plan(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<DayQuery>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(plan_for(&state, &identity, &query).await?))
}

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
}

/// Records an override (audited) and returns the plan with it.
pub async fn override_for(
    state: &AppState,
    identity: &Identity,
    request: &OverrideRequest,
) -> Result<PlanView, AppError> {
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
                "{}; say why in up to 500 characters: the reason is shown on the plan and kept in the audit log",
                invalid.problem
            ),
        )
    })?;
    let (inputs, plan) = state
        .store
        .override_plan(
            &corridor_store::OverrideChange {
                crossing: crossing.clone(),
                date,
                direction,
                person: person.clone(),
                kind,
                reason: reason.clone(),
            },
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok(plan_view(&inputs, Some(&plan), Method::Optimal))
}

/// Puts a person on a day's plan or keeps them off it, with a reason
/// (audited); an override the planner cannot honour is refused and not kept.
#[utoipa::path(post, path = "/api/v1/plan/overrides", tag = "crossing days",
    request_body = OverrideRequest,
    responses((status = 200, body = PlanView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the day's manifest is already confirmed")))]
async fn add_override(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<OverrideRequest>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(override_for(&state, &identity, &request).await?))
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
async fn confirm(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<ConfirmRequest>,
) -> ApiResult<Json<ManifestView>> {
    Ok(Json(confirm_for(&state, &identity, &request).await?))
}

/// One person on a manifest.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub person: String,
    pub role: String,
    /// Only on the audited manifest read, and only within the reader's scope.
    pub name: Option<String>,
    pub birth_year: Option<i16>,
    /// `expected`, `crossed`, `turned-back`, `no-show` or `removed`.
    pub state: String,
    /// Why the person did not cross: code and label (the note is in the person's record).
    pub state_reason: Option<CodedReason>,
}

/// A patient with the companions who travel with them, or a returnee.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyView {
    pub number: usize,
    pub head: MemberView,
    pub companions: Vec<MemberView>,
    pub facility: Option<String>,
    pub facility_name: Option<String>,
    pub specialty: Option<String>,
    /// Why the party is on the manifest.
    pub reason: String,
    /// Nobody in the party has an outcome yet.
    pub expected: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ManifestView {
    pub crossing: String,
    pub date: String,
    pub direction: String,
    pub method: String,
    pub places: u32,
    pub people: usize,
    pub confirmed_at: String,
    pub confirmed_by: String,
    pub notes: Vec<String>,
    pub parties: Vec<PartyView>,
}

/// What the audited read adds to a manifest: names, birth years,
/// specialties and facility names.
#[derive(Debug, Default)]
struct Names {
    people: HashMap<PersonId, (Option<String>, i16, Option<String>)>,
    facilities: HashMap<String, String>,
}

fn manifest_view(manifest: &Manifest, names: &Names, reasons: &ReasonCatalogue) -> ManifestView {
    let member = |entry: &corridor_store::ManifestEntry| {
        let known = names.people.get(&entry.person);
        MemberView {
            person: entry.person.to_string(),
            role: entry.role.as_str().to_string(),
            name: known.and_then(|(name, _, _)| name.clone()),
            birth_year: known.map(|(_, year, _)| *year),
            state: entry.state.as_str().to_string(),
            state_reason: entry
                .state_reason
                .as_ref()
                .map(|reason| CodedReason::of(reasons, reason)),
        }
    };
    let mut parties: Vec<PartyView> = Vec::new();
    for entry in &manifest.entries {
        if entry.party == entry.person {
            let facility = entry.facility.as_ref().map(ToString::to_string);
            parties.push(PartyView {
                number: parties.len() + 1,
                head: member(entry),
                companions: Vec::new(),
                facility_name: facility
                    .as_ref()
                    .and_then(|f| names.facilities.get(f).cloned()),
                facility,
                specialty: names
                    .people
                    .get(&entry.person)
                    .and_then(|(_, _, specialty)| specialty.clone()),
                reason: entry.reason.clone(),
                expected: entry.state == EntryState::Expected,
            });
        } else if let Some(party) = parties
            .iter_mut()
            .rev()
            .find(|p| p.head.person == entry.party.as_str())
        {
            party.expected &= entry.state == EntryState::Expected;
            party.companions.push(member(entry));
        }
    }
    ManifestView {
        crossing: manifest.crossing.to_string(),
        date: manifest.date.to_string(),
        direction: manifest.direction.as_str().to_string(),
        method: manifest.method.clone(),
        places: manifest.places,
        people: manifest.entries.len(),
        confirmed_at: manifest.confirmed_at.to_string(),
        confirmed_by: manifest.confirmed_by.clone(),
        notes: manifest.notes.clone(),
        parties,
    }
}

/// Reads the names of the people on manifests and writes one
/// `manifest.read` audit entry per manifest, listing the ids shown. Names
/// are shown only to users whose scope is every record.
async fn named_manifests(
    state: &AppState,
    identity: &Identity,
    manifests: &[Manifest],
) -> Result<Vec<ManifestView>, AppError> {
    let mut names = Names::default();
    let show_names = identity.user.scope == Scope::All;
    if show_names {
        for facility in state.store.reference().await?.facilities {
            names
                .facilities
                .insert(facility.id.to_string(), facility.name.as_str().to_string());
        }
    }
    for manifest in manifests {
        for entry in &manifest.entries {
            if let Some(record) = state.store.person(&entry.person).await? {
                let person = &record.person;
                names.people.insert(
                    entry.person.clone(),
                    (
                        person
                            .name
                            .as_ref()
                            .filter(|_| show_names)
                            .map(|n| n.as_str().to_string()),
                        person.birth_year.year(),
                        person.referral().map(|r| r.specialty.as_str().to_string()),
                    ),
                );
            }
        }
        state
            .store
            .record(&NewAuditEntry {
                at: state.clock.now(),
                actor: identity.username().to_string(),
                action: "manifest.read".to_string(),
                subject: format!("{} {} {}", manifest.crossing, manifest.date, manifest.direction),
                detail: serde_json::json!({
                    "via": identity.via.as_str(),
                    "names": show_names,
                    "people": manifest.entries.iter().map(|e| e.person.as_str()).collect::<Vec<_>>(),
                }),
            })
            .await?;
    }
    let reasons = state.store.reason_codes().await?;
    Ok(manifests
        .iter()
        .map(|m| manifest_view(m, &names, &reasons))
        .collect())
}

/// The confirmed manifest of a day with names; the read is audited.
pub async fn read_manifest(
    state: &AppState,
    identity: &Identity,
    query: &DayQuery,
) -> Result<ManifestView, AppError> {
    identity.require(Permission::ViewManifests)?;
    let (day, direction) = query.resolve(state).await?;
    let manifest = state
        .store
        .manifest(&day.crossing, day.date, direction)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "no {direction} manifest is confirmed for {} on {}; the coordinator confirms the day's plan first",
                day.crossing, day.date
            ))
        })?;
    Ok(
        named_manifests(state, identity, std::slice::from_ref(&manifest))
            .await?
            .remove(0),
    )
}

/// The confirmed manifest of a day: parties, names, companions,
/// destinations and what happened at the gate. Personal data: every read
/// is written to the audit log (`manifest.read`, listing the ids).
#[utoipa::path(get, path = "/api/v1/manifests", tag = "crossing days", params(DayQuery),
    responses((status = 200, body = ManifestView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn manifest(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<DayQuery>,
) -> ApiResult<Json<ManifestView>> {
    Ok(Json(read_manifest(&state, &identity, &query).await?))
}

/// The day's confirmed manifests (both directions, names, audited) and the reconciliation.
pub struct GateDay {
    pub day: CrossingDay,
    pub manifests: Vec<ManifestView>,
    pub reconciliation: ReconciliationView,
}

pub async fn gate_day(
    state: &AppState,
    identity: &Identity,
    crossing: Option<&str>,
    date: Option<&str>,
) -> Result<GateDay, AppError> {
    identity.require(Permission::WorkGate)?;
    let day = resolve_day(state, crossing, date, None).await?;
    let reconciliation = state.store.reconciliation(&day.crossing, day.date).await?;
    let manifests = named_manifests(state, identity, &reconciliation.manifests).await?;
    let reasons = state.store.reason_codes().await?;
    Ok(GateDay {
        reconciliation: reconciliation_view(&reconciliation, &reasons),
        manifests,
        day,
    })
}

/// What happened at the gate to a party.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct GateRequest {
    pub crossing: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The patient (for their whole party) or the returnee.
    pub person: String,
    /// `crossed`, `turned-back` (with a reason code) or `no-show`.
    pub outcome: String,
    /// A code of `GET /api/v1/reasons?kind=turned-back` (required) or
    /// `?kind=no-show` (`not-known` when left out); none for `crossed`.
    #[serde(default)]
    pub reason_code: Option<String>,
    /// What the code does not say; required with `other`. It stays in the
    /// person's record and never leaves in a report or an export.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GateRecorded {
    /// The party: the patient or returnee first, then companions.
    pub people: Vec<String>,
    pub outcome: String,
}

/// Records an outcome for a party at the gate (audited).
pub async fn record_outcome(
    state: &AppState,
    identity: &Identity,
    request: &GateRequest,
) -> Result<GateRecorded, AppError> {
    identity.require(Permission::WorkGate)?;
    let crossing = parse_crossing(&request.crossing)?;
    let date = parse_date("date", &request.date)?;
    let person = PersonId::parse(request.person.trim())
        .map_err(|invalid| AppError::bad_request("person", invalid.to_string()))?;
    identity.may_change_person(state, &person).await?;
    let outcome = GateOutcome::parse(request.outcome.trim()).map_err(|_| {
        AppError::bad_request(
            "outcome",
            format!(
                "unknown outcome '{}'; use crossed, turned-back or no-show",
                request.outcome.trim()
            ),
        )
    })?;
    let (code, note) = (
        given(request.reason_code.as_deref()),
        given(request.note.as_deref()),
    );
    let reason = match outcome.reason_kind() {
        Some(kind) => Some(parse_reason(
            &state.store.reason_codes().await?,
            kind,
            code,
            note,
            str::to_string,
        )?),
        None if code.is_some() || note.is_some() => {
            return Err(AppError::bad_request(
                if code.is_some() {
                    "reason_code"
                } else {
                    "note"
                },
                format!(
                    "{person} crossed: a crossing takes no reason; leave reason_code and note out"
                ),
            ));
        }
        None => None,
    };
    let recorded = state
        .store
        .record_gate(
            &corridor_store::GateRecording {
                crossing: crossing.clone(),
                date,
                person: person.clone(),
                outcome,
                reason: reason.clone(),
            },
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok(GateRecorded {
        people: recorded.people.iter().map(ToString::to_string).collect(),
        outcome: recorded.state.as_str().to_string(),
    })
}

/// Records what happened to a party on a confirmed manifest: crossed,
/// turned back (with a reason) or no-show. A returnee crosses only with
/// luggage that keeps the rules in force.
#[utoipa::path(post, path = "/api/v1/gate", tag = "crossing days",
    request_body = GateRequest,
    responses((status = 200, body = GateRecorded), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn gate(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<GateRequest>,
) -> ApiResult<Json<GateRecorded>> {
    Ok(Json(record_outcome(&state, &identity, &request).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DirectionCount {
    pub direction: String,
    pub places: u32,
    pub planned: usize,
    pub crossed: usize,
    pub turned_back: usize,
    pub no_show: usize,
    pub removed: usize,
    /// No outcome recorded yet.
    pub expected: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BackOnTheList {
    pub person: String,
    pub role: String,
    pub state: String,
    /// Code and label (the note is in the person's record).
    pub reason: Option<CodedReason>,
}

/// What was planned and what happened on a crossing day.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationView {
    pub crossing: String,
    pub date: String,
    pub directions: Vec<DirectionCount>,
    pub entered: usize,
    pub exited: usize,
    /// The rule in force requires entries to equal exits each day.
    pub entries_must_equal_exits: bool,
    pub back_on_the_list: Vec<BackOnTheList>,
    pub not_recorded: usize,
}

fn reconciliation_view(
    reconciliation: &Reconciliation,
    reasons: &ReasonCatalogue,
) -> ReconciliationView {
    ReconciliationView {
        crossing: reconciliation.crossing.to_string(),
        date: reconciliation.date.to_string(),
        directions: reconciliation
            .manifests
            .iter()
            .map(|m| DirectionCount {
                direction: m.direction.as_str().to_string(),
                places: m.places,
                planned: m.entries.len(),
                crossed: m.count(EntryState::Crossed),
                turned_back: m.count(EntryState::TurnedBack),
                no_show: m.count(EntryState::NoShow),
                removed: m.count(EntryState::Removed),
                expected: m.count(EntryState::Expected),
            })
            .collect(),
        entered: reconciliation.crossed(Direction::Inbound),
        exited: reconciliation.crossed(Direction::Outbound),
        entries_must_equal_exits: reconciliation
            .rules
            .as_ref()
            .is_some_and(|r| r.entries_equal_exits),
        back_on_the_list: reconciliation
            .back_on_the_list()
            .into_iter()
            .map(|e| BackOnTheList {
                person: e.person.to_string(),
                role: e.role.as_str().to_string(),
                state: e.state.as_str().to_string(),
                reason: e
                    .state_reason
                    .as_ref()
                    .map(|reason| CodedReason::of(reasons, reason)),
            })
            .collect(),
        not_recorded: reconciliation
            .manifests
            .iter()
            .map(|m| m.count(EntryState::Expected))
            .sum(),
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GateQuery {
    /// e.g. `rafah`; default the first registered crossing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossing: Option<String>,
    /// `YYYY-MM-DD`; default the next operating day from today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// The end-of-day reconciliation (ids only).
pub async fn reconcile(
    state: &AppState,
    identity: &Identity,
    query: &GateQuery,
) -> Result<ReconciliationView, AppError> {
    identity.require(Permission::ViewManifests)?;
    let day = resolve_day(
        state,
        query.crossing.as_deref(),
        query.date.as_deref(),
        None,
    )
    .await?;
    let reconciliation = state.store.reconciliation(&day.crossing, day.date).await?;
    if reconciliation.manifests.is_empty() {
        return Err(AppError::NotFound(format!(
            "no manifest is confirmed for {} on {}; there is nothing to reconcile",
            day.crossing, day.date
        )));
    }
    let reasons = state.store.reason_codes().await?;
    Ok(reconciliation_view(&reconciliation, &reasons))
}

/// End of day: planned against happened per direction, entries against
/// exits, and who goes back on the list.
#[utoipa::path(get, path = "/api/v1/gate/reconciliation", tag = "crossing days", params(GateQuery),
    responses((status = 200, body = ReconciliationView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn reconciliation(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<GateQuery>,
) -> ApiResult<Json<ReconciliationView>> {
    Ok(Json(reconcile(&state, &identity, &query).await?))
}
