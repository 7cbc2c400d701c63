//! After confirmation: the day's standby list and amendments of its
//! manifest (fill freed places from standby, add a party, remove one).

use axum::Json;
use axum::extract::State;
use corridor_domain::{FacilityId, Permission, PersonId, Text};
use corridor_store::{Amended, Amendment, EntryState, FreedPlaces, StandbyEntry};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::DayQuery;
use crate::api::params::{parse_crossing, parse_date, parse_direction};
use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

/// A party on the standby list (ids only).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StandbyPartyView {
    pub rank: u32,
    /// The patient, or the returnee.
    pub person: String,
    pub companions: Vec<String>,
    pub people: u32,
    /// The party's priority score (0 inbound).
    pub score: u64,
    pub reason: String,
    pub facility: Option<String>,
    /// Still cleared and on no manifest: a fill may take the party.
    pub available: bool,
}

/// The standby list of a confirmed manifest and its places.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StandbyView {
    pub crossing: String,
    pub date: String,
    pub direction: String,
    /// The day's places now (the quota, or the cap when lower).
    pub places: u32,
    /// People still expected or crossed.
    pub holding: u32,
    /// Places a fill may take.
    pub free: u32,
    /// The people whose places were freed so far, counted by why
    /// (`declined`, `unreachable`, `no-show`, `turned-back`, `removed`).
    pub freed: Vec<FreedCountView>,
    pub parties: Vec<StandbyPartyView>,
}

/// How many people's places were freed for one reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FreedCountView {
    pub state: String,
    pub people: u32,
}

/// The freed places counted by why, in the order of [`EntryState::ALL`].
fn freed_counts(freed: &FreedPlaces) -> Vec<FreedCountView> {
    EntryState::ALL
        .iter()
        .filter_map(|state| {
            let people = freed.freed.iter().filter(|e| e.state == *state).count();
            (people > 0).then(|| FreedCountView {
                state: state.as_str().to_string(),
                people: u32::try_from(people).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

fn party_view(entry: &StandbyEntry) -> StandbyPartyView {
    StandbyPartyView {
        rank: entry.rank,
        person: entry.person.to_string(),
        companions: entry.companions.iter().map(ToString::to_string).collect(),
        people: entry.people,
        score: entry.score,
        reason: entry.reason.clone(),
        facility: entry.facility.as_ref().map(ToString::to_string),
        available: entry.available,
    }
}

/// The standby list of a day, as the plan page and the API show it.
pub async fn standby_for(
    state: &AppState,
    identity: &Identity,
    query: &DayQuery,
) -> Result<StandbyView, AppError> {
    identity.require(Permission::PlanDays)?;
    let (day, direction) = query.resolve(state).await?;
    let entries = state
        .store
        .standby(&day.crossing, day.date, direction)
        .await?;
    let freed = state
        .store
        .freed_places(&day.crossing, day.date, direction)
        .await?;
    Ok(StandbyView {
        crossing: day.crossing.to_string(),
        date: day.date.to_string(),
        direction: direction.to_string(),
        places: freed.places,
        holding: freed.holding,
        free: freed.free(),
        freed: freed_counts(&freed),
        parties: entries.iter().map(party_view).collect(),
    })
}

/// The ranked standby list of a confirmed manifest: the parties the same
/// rules pick next, with their scores and reasons.
#[utoipa::path(get, path = "/api/v1/plan/standby", tag = "crossing days", params(DayQuery),
    responses((status = 200, body = StandbyView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn standby(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<DayQuery>,
) -> ApiResult<Json<StandbyView>> {
    Ok(Json(standby_for(&state, &identity, &query).await?))
}

/// An amendment of a confirmed manifest: `kind` is `fill`, `add` (with
/// `person`, optionally `facility`) or `remove` (with `person` and `reason`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct AmendRequest {
    pub crossing: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `outbound` (default) or `inbound`.
    #[serde(default)]
    pub direction: Option<String>,
    pub kind: String,
    #[serde(default)]
    pub person: Option<String>,
    #[serde(default)]
    pub facility: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A party an amendment put on or took off.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendedPartyView {
    pub person: String,
    pub companions: Vec<String>,
    pub facility: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendedView {
    /// The amendment's number within the manifest.
    pub number: u32,
    pub kind: String,
    pub parties: Vec<AmendedPartyView>,
    /// Places still free after it.
    pub free: u32,
}

fn required<'a>(
    field: &'static str,
    value: Option<&'a str>,
    what: &str,
) -> Result<&'a str, AppError> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| AppError::bad_request(field, format!("is required: {what}")))
}

/// The amendment a request asks for, its fields checked.
pub fn amendment_of(request: &AmendRequest) -> Result<Amendment, AppError> {
    let person = |what: &str| -> Result<PersonId, AppError> {
        Ok(PersonId::parse(required(
            "person",
            request.person.as_deref(),
            what,
        )?)?)
    };
    match corridor_domain::AmendmentKind::parse(&request.kind)? {
        corridor_domain::AmendmentKind::Fill => Ok(Amendment::Fill),
        corridor_domain::AmendmentKind::Add => Ok(Amendment::Add {
            person: person("the id of the cleared patient or returnee to add")?,
            facility: match request.facility.as_deref().map(str::trim) {
                Some(facility) if !facility.is_empty() => Some(FacilityId::parse(facility)?),
                _ => None,
            },
        }),
        corridor_domain::AmendmentKind::Remove => Ok(Amendment::Remove {
            person: person("the id of the patient or returnee whose party to remove")?,
            reason: Text::parse(
                "reason",
                required(
                    "reason",
                    request.reason.as_deref(),
                    "say why the party is removed",
                )?,
                500,
            )?,
        }),
    }
}

/// Amends a confirmed manifest, as the plan page and the API do.
pub async fn amend_for(
    state: &AppState,
    identity: &Identity,
    request: &AmendRequest,
) -> Result<Amended, AppError> {
    identity.require(Permission::PlanDays)?;
    let crossing = parse_crossing(&request.crossing)?;
    let date = parse_date("date", &request.date)?;
    let direction = parse_direction(request.direction.as_deref())?;
    let amendment = amendment_of(request)?;
    Ok(state
        .store
        .amend_manifest(
            &crossing,
            date,
            direction,
            &amendment,
            state.clock.now(),
            identity.username(),
        )
        .await?)
}

/// Fills the freed places of a confirmed manifest from its standby list,
/// or adds or removes a party by hand: one audited transaction that checks
/// every rule of the day again.
#[utoipa::path(post, path = "/api/v1/plan/amend", tag = "crossing days",
    request_body = AmendRequest,
    responses((status = 200, body = AmendedView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem)))]
pub(super) async fn amend(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<AmendRequest>,
) -> ApiResult<Json<AmendedView>> {
    let amended = amend_for(&state, &identity, &request).await?;
    Ok(Json(AmendedView {
        number: amended.number,
        kind: amended.kind.to_string(),
        parties: amended
            .parties
            .iter()
            .map(|p| AmendedPartyView {
                person: p.person.to_string(),
                companions: p.companions.iter().map(ToString::to_string).collect(),
                facility: p.facility.as_ref().map(ToString::to_string),
            })
            .collect(),
        free: amended.free,
    }))
}
