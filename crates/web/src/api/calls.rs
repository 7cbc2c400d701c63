//! The call list of a confirmed crossing day: every party to reach with
//! its phones, assembly point and calls; the outcome of a call; the day's
//! assembly points and cut-off. Phone numbers and names are personal data:
//! the list needs `call-parties` (a role that sees names), shows names and
//! numbers only to a user whose scope is every record (as the manifest
//! does), and every read is audited (`calls.read`, listing the parties).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use corridor_domain::{
    CallRecording, CrossingDay, NewAssemblyPoint, Permission, PersonId, Scope, cut_off_passed,
    parse_cut_off,
};
use corridor_store::{CallAttempt, CallList, CallRecord, NewAuditEntry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::days::resolve_day;
use crate::api::params::{parse_crossing, parse_date};
use crate::api::people::parse_person_id;
use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, record))
        .routes(routes!(add_point))
        .routes(routes!(assign_point))
        .routes(routes!(set_cut_off))
        .routes(routes!(apply_cut_off))
}

/// A crossing day named in a request body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DayRequest {
    pub crossing: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewPointRequest {
    pub crossing: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Where the parties meet, e.g. "Nasser hospital gate".
    pub place: String,
    /// `HH:MM` on the crossing day.
    pub time: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AssignPointRequest {
    pub crossing: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The party, named by its patient or returnee.
    pub party: String,
    /// The number of one of the day's assembly points.
    pub point: u32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CutOffRequest {
    pub crossing: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM` the evening before, or `YYYY-MM-DD HH:MM`, UTC.
    pub cut_off: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CutOffView {
    /// `YYYY-MM-DD HH:MM`, UTC.
    pub cut_off: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CutOffAppliedView {
    /// The parties (patient or returnee) whose places were freed now.
    pub freed: Vec<String>,
}

/// A crossing day; without `date`, the next operating day from today.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallDayQuery {
    /// e.g. `rafah`; default the crossing evacuees leave by soonest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossing: Option<String>,
    /// `YYYY-MM-DD`; default the next operating day from today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PointView {
    pub number: u32,
    pub place: String,
    /// `HH:MM`.
    pub time: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhoneView {
    /// Whose record the number is on.
    pub person: String,
    pub phone: String,
    pub label: String,
    /// `ar` or `en`.
    pub language: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallView {
    pub attempt: u32,
    /// `confirmed`, `declined` or `unreachable`.
    pub outcome: String,
    /// Free text about the party; it stays with the party.
    pub reason: Option<String>,
    pub at: String,
    pub by: String,
}

impl CallView {
    fn of(call: &CallAttempt) -> CallView {
        CallView {
            attempt: call.attempt,
            outcome: call.outcome.as_str().to_string(),
            reason: call.reason.as_ref().map(ToString::to_string),
            at: call.at.to_string(),
            by: call.by.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallMemberView {
    pub person: String,
    pub role: String,
    /// Only to a user whose scope is every record.
    pub name: Option<String>,
    /// The manifest entry's state: `expected`, `declined`, `unreachable`, …
    pub state: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallPartyView {
    pub direction: String,
    /// The party's patient or returnee: name the party by it.
    pub head: CallMemberView,
    pub size: usize,
    pub members: Vec<CallMemberView>,
    /// Every member's numbers; empty for a user whose scope is not every
    /// record.
    pub phones: Vec<PhoneView>,
    pub point: Option<PointView>,
    /// Whether the party still holds its places.
    pub holds_places: bool,
    pub latest: Option<CallView>,
    /// How many calls are recorded: send it back as `seen_attempts`.
    pub attempts: u32,
    /// Every call, oldest first.
    pub calls: Vec<CallView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallListView {
    pub crossing: String,
    pub date: String,
    pub confirmed: bool,
    /// `YYYY-MM-DD HH:MM`, UTC.
    pub cut_off: String,
    /// The same instant in RFC 3339.
    pub cut_off_at: String,
    /// The cut-off was not set for the day: 22:00 UTC the evening before.
    pub cut_off_default: bool,
    pub cut_off_passed: bool,
    pub points: Vec<PointView>,
    pub parties: Vec<CallPartyView>,
    /// Parties whose places this read freed: the cut-off had passed.
    pub freed_now: Vec<String>,
    /// Whether names and phone numbers are shown (scope of every record).
    pub names: bool,
}

/// The call list of a day, for a user who may call parties; the read is
/// audited before anything is returned.
pub async fn call_list_for(
    state: &AppState,
    identity: &Identity,
    query: &CallDayQuery,
) -> Result<CallListView, AppError> {
    identity.require(Permission::CallParties)?;
    let day = resolve_day(
        state,
        query.crossing.as_deref(),
        query.date.as_deref(),
        None,
    )
    .await?;
    let now = state.clock.now();
    let list = state
        .store
        .call_list(&day.crossing, day.date, now, identity.username())
        .await?;
    let names = identity.user.scope == Scope::All;
    if list.confirmed {
        state
            .store
            .record(&NewAuditEntry {
                at: now,
                actor: identity.username().to_string(),
                action: "calls.read".to_string(),
                subject: format!("{} {}", day.crossing, day.date),
                detail: serde_json::json!({
                    "via": identity.via.as_str(),
                    "names": names,
                    "parties": list.parties.iter().map(|p| p.head().person.as_str()).collect::<Vec<_>>(),
                }),
            })
            .await?;
    }
    Ok(call_list_view(&list, names, now))
}

fn call_list_view(list: &CallList, names: bool, now: jiff::Timestamp) -> CallListView {
    let member = |m: &corridor_store::CallMember| CallMemberView {
        person: m.person.to_string(),
        role: m.role.as_str().to_string(),
        name: m
            .name
            .as_ref()
            .filter(|_| names)
            .map(|n| n.as_str().to_string()),
        state: m.state.as_str().to_string(),
    };
    let point = |p: &corridor_domain::AssemblyPoint| PointView {
        number: p.number,
        place: p.place.to_string(),
        time: p.time.to_string(),
    };
    CallListView {
        crossing: list.crossing.to_string(),
        date: list.date.to_string(),
        confirmed: list.confirmed,
        cut_off: list.cut_off.strftime("%Y-%m-%d %H:%M").to_string(),
        cut_off_at: jiff::tz::Offset::UTC
            .to_timestamp(list.cut_off)
            .map(|at| at.to_string())
            .unwrap_or_default(),
        cut_off_default: !list.cut_off_set,
        cut_off_passed: cut_off_passed(list.cut_off, now),
        points: list.points.iter().map(point).collect(),
        parties: list
            .parties
            .iter()
            .map(|party| CallPartyView {
                direction: party.direction.as_str().to_string(),
                head: member(party.head()),
                size: party.members.len(),
                members: party.members.iter().map(member).collect(),
                phones: party
                    .members
                    .iter()
                    .filter(|_| names)
                    .flat_map(|m| {
                        m.contacts.iter().map(|c| PhoneView {
                            person: m.person.to_string(),
                            phone: c.phone.to_string(),
                            label: c.label.to_string(),
                            language: c.language.as_str().to_string(),
                        })
                    })
                    .collect(),
                point: party.point.as_ref().map(point),
                holds_places: party.head().state == corridor_store::EntryState::Expected,
                latest: party.latest().map(CallView::of),
                attempts: party.attempts(),
                calls: party.calls.iter().map(CallView::of).collect(),
            })
            .collect(),
        freed_now: list.freed_now.iter().map(ToString::to_string).collect(),
        names,
    }
}

/// What a call to a party answered.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CallRequest {
    pub crossing: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The party's patient or returnee.
    pub party: String,
    /// `confirmed`, `declined` (with a reason) or `unreachable`.
    pub outcome: String,
    /// Why, in at most 200 characters; required with `declined`. It stays
    /// with the party and never leaves in a report or an export.
    #[serde(default)]
    pub reason: Option<String>,
    /// The `attempts` of the list this call was recorded from: a repeated
    /// request is then recorded once, and another outcome recorded
    /// meanwhile makes this one refused (409).
    #[serde(default)]
    pub seen_attempts: Option<u32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallRecordedView {
    pub party: String,
    pub attempt: u32,
    pub outcome: String,
    /// The people whose places were freed: back on the list as cleared,
    /// beds released.
    pub freed: Vec<String>,
    /// The same call was already recorded (a repeated request).
    pub repeated: bool,
}

pub async fn record_call_for(
    state: &AppState,
    identity: &Identity,
    request: &CallRequest,
) -> Result<CallRecordedView, AppError> {
    identity.require(Permission::CallParties)?;
    let crossing = parse_crossing(&request.crossing)?;
    let date = parse_date("date", &request.date)?;
    let party = parse_person_id(&request.party).map_err(|_| {
        AppError::bad_request("party", format!("'{}' is not a person id", request.party))
    })?;
    let recording = CallRecording::parse(&request.outcome, request.reason.as_deref())?;
    identity.may_change_person(state, &party).await?;
    let recorded = state
        .store
        .record_call(
            &CallRecord {
                crossing,
                date,
                party: party.clone(),
                recording,
                seen_attempts: request.seen_attempts,
            },
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok(CallRecordedView {
        party: party.to_string(),
        attempt: recorded.attempt,
        outcome: recorded.outcome.as_str().to_string(),
        freed: recorded.freed.iter().map(ToString::to_string).collect(),
        repeated: recorded.repeated,
    })
}

/// The day a form names (both fields required).
fn form_day(crossing: &str, date: &str) -> Result<CrossingDay, AppError> {
    Ok(CrossingDay {
        crossing: parse_crossing(crossing)?,
        date: parse_date("date", date)?,
    })
}

/// Adds an assembly point to a crossing day (the coordinator).
pub async fn add_point_for(
    state: &AppState,
    identity: &Identity,
    crossing: &str,
    date: &str,
    place: &str,
    time: &str,
) -> Result<PointView, AppError> {
    identity.require(Permission::PlanDays)?;
    let day = form_day(crossing, date)?;
    let point = NewAssemblyPoint::parse(place, time)?;
    let added = state
        .store
        .add_assembly_point(
            &day.crossing,
            day.date,
            &point,
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok(PointView {
        number: added.number,
        place: added.place.to_string(),
        time: added.time.to_string(),
    })
}

/// Gives a party another assembly point (the coordinator).
pub async fn assign_point_for(
    state: &AppState,
    identity: &Identity,
    crossing: &str,
    date: &str,
    party: &str,
    point: &str,
) -> Result<PointView, AppError> {
    identity.require(Permission::PlanDays)?;
    let day = form_day(crossing, date)?;
    let party: PersonId = parse_person_id(party)?;
    let number: u32 = corridor_domain::digits::latin_digits(point.trim())
        .parse()
        .map_err(|_| {
            AppError::bad_request(
                "point",
                format!(
                    "point: '{}' is not the number of an assembly point",
                    point.trim()
                ),
            )
        })?;
    let assigned = state
        .store
        .assign_assembly_point(
            &day.crossing,
            day.date,
            &party,
            number,
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok(PointView {
        number: assigned.number,
        place: assigned.place.to_string(),
        time: assigned.time.to_string(),
    })
}

/// Sets the day's cut-off (the coordinator): `HH:MM` the evening before,
/// or `YYYY-MM-DD HH:MM`, UTC.
pub async fn set_cut_off_for(
    state: &AppState,
    identity: &Identity,
    crossing: &str,
    date: &str,
    cut_off: &str,
) -> Result<String, AppError> {
    identity.require(Permission::PlanDays)?;
    let day = form_day(crossing, date)?;
    let at = parse_cut_off(day.date, cut_off)?;
    state
        .store
        .set_cut_off(
            &day.crossing,
            day.date,
            at,
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok(at.strftime("%Y-%m-%d %H:%M").to_string())
}

/// Applies the day's cut-off (whoever calls parties): the parties still
/// unreachable give up their places.
pub async fn apply_cut_off_for(
    state: &AppState,
    identity: &Identity,
    crossing: &str,
    date: &str,
) -> Result<Vec<String>, AppError> {
    identity.require(Permission::CallParties)?;
    let day = form_day(crossing, date)?;
    let freed = state
        .store
        .apply_cut_off(
            &day.crossing,
            day.date,
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok(freed.iter().map(ToString::to_string).collect())
}

/// The call list of a confirmed crossing day, both directions: each party
/// with its people, phone numbers, assembly point and calls. Personal
/// data: every read is written to the audit log (`calls.read`). After the
/// day's cut-off, a read frees the places of parties still unreachable.
#[utoipa::path(get, path = "/api/v1/calls", tag = "crossing days", params(CallDayQuery),
    responses((status = 200, body = CallListView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<CallDayQuery>,
) -> ApiResult<Json<CallListView>> {
    Ok(Json(call_list_for(&state, &identity, &query).await?))
}

/// Records what a call to a party answered: `confirmed` changes nothing;
/// `declined` (with a reason) frees the party's places at once, its people
/// back on the list as cleared and beds released; `unreachable` frees them
/// once the day's cut-off has passed.
#[utoipa::path(post, path = "/api/v1/calls", tag = "crossing days",
    request_body = CallRequest,
    responses((status = 200, body = CallRecordedView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn record(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<CallRequest>,
) -> ApiResult<Json<CallRecordedView>> {
    Ok(Json(record_call_for(&state, &identity, &request).await?))
}

/// Adds an assembly point to a confirmed crossing day (the coordinator).
#[utoipa::path(post, path = "/api/v1/calls/assembly-points", tag = "crossing days",
    request_body = NewPointRequest,
    responses((status = 201, body = PointView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn add_point(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<NewPointRequest>,
) -> ApiResult<(StatusCode, Json<PointView>)> {
    let point = add_point_for(
        &state,
        &identity,
        &request.crossing,
        &request.date,
        &request.place,
        &request.time,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(point)))
}

/// Gives a party of a confirmed day another of the day's assembly points
/// (the coordinator); every party meets at the first one otherwise.
#[utoipa::path(post, path = "/api/v1/calls/assignments", tag = "crossing days",
    request_body = AssignPointRequest,
    responses((status = 200, body = PointView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn assign_point(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<AssignPointRequest>,
) -> ApiResult<Json<PointView>> {
    Ok(Json(
        assign_point_for(
            &state,
            &identity,
            &request.crossing,
            &request.date,
            &request.party,
            &request.point.to_string(),
        )
        .await?,
    ))
}

/// Sets a confirmed day's cut-off (the coordinator): after it, a party
/// nobody could reach counts as free places.
#[utoipa::path(put, path = "/api/v1/calls/cut-off", tag = "crossing days",
    request_body = CutOffRequest,
    responses((status = 200, body = CutOffView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn set_cut_off(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<CutOffRequest>,
) -> ApiResult<Json<CutOffView>> {
    let cut_off = set_cut_off_for(
        &state,
        &identity,
        &request.crossing,
        &request.date,
        &request.cut_off,
    )
    .await?;
    Ok(Json(CutOffView { cut_off }))
}

/// Applies a day's cut-off now (whoever calls parties): the parties still
/// unreachable give up their places, as the first read after the cut-off
/// would.
#[utoipa::path(post, path = "/api/v1/calls/cut-off/apply", tag = "crossing days",
    request_body = DayRequest,
    responses((status = 200, body = CutOffAppliedView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn apply_cut_off(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<DayRequest>,
) -> ApiResult<Json<CutOffAppliedView>> {
    let freed = apply_cut_off_for(&state, &identity, &request.crossing, &request.date).await?;
    Ok(Json(CutOffAppliedView { freed }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_of_a_form_needs_both_fields() {
        assert!(form_day("rafah", "2026-02-02").is_ok());
        assert!(matches!(
            form_day("rafah", ""),
            Err(AppError::BadRequest { .. })
        ));
    }
}
