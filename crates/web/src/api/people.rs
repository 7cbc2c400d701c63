//! The waiting list and personal records, within the user's scope.

use axum::Json;
use axum::extract::{Path, State};
use corridor_domain::search::SearchQuery;
use corridor_domain::{
    AgeGroup, BREAK_GLASS_HOURS, Permission, PersonId, PersonKind, Specialty, Status, Tier,
    parse_break_glass_reason,
};
use corridor_store::{
    BreakGlassGrant, Keyset, ListFilter, ListPosition, NewAuditEntry, RoleFilter, WaitFilter,
};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::params::given;
use crate::api::reasons::ReasonWithNote;
use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(show))
        .routes(routes!(break_glass))
}

/// Filters of the waiting list; lists are comma-separated.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `patients` (default), `companions`, `returnees` or `everyone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// e.g. `critical,urgent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// e.g. `denied,delayed`; default everyone still waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// e.g. `oncology`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialty: Option<String>,
    /// e.g. `0-4,5-17`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_group: Option<String>,
    /// Waited strictly more than this many days since referral.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waited_more_than: Option<String>,
    /// Waited strictly less than this many days since referral.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waited_less_than: Option<String>,
    /// Search: people whose id or name holds every word given, whatever
    /// the case and spacing, e.g. `amal haddad` or `P-7KQ2`; at most 100
    /// characters. Only people within the caller's scope are searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// From 1. Not with `after` or `before`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    /// The page after this row: a page's `next_after`, e.g.
    /// `urgent~2025-03-04~P-7KQ2M9XA`. A page stays where it was when rows
    /// come and go before it, and any depth is as quick as the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The page before this row: a page's `previous_before`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Rows per page, at most 500.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
}

/// One line of the waiting list. Only people within the caller's scope are
/// listed, and only roles that may read their records see the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRow {
    pub id: String,
    /// The name, where the registration recorded one.
    pub name: Option<String>,
    pub role: String,
    pub status: String,
    pub tier: Option<String>,
    pub specialty: Option<String>,
    pub age_group: String,
    pub referral_date: Option<String>,
    pub days_waiting: Option<i64>,
    pub companions: u32,
    pub companion_of: Option<String>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct PeoplePage {
    /// How many people match the filters in all.
    pub total: u64,
    /// The page of `per_page` rows this one falls in (a page reached with
    /// `after` or `before` may straddle two).
    pub page: u64,
    pub pages: u64,
    pub per_page: u32,
    /// How many matching people come before this page's first row.
    pub start: u64,
    pub rows: Vec<PersonRow>,
    /// Send as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
    /// Send as `before` for the previous page; absent on the first page.
    pub previous_before: Option<String>,
}

fn parse_list<T>(
    field: &str,
    text: &Option<String>,
    parse: impl Fn(&str) -> Result<T, corridor_domain::InvalidValue>,
) -> Result<Vec<T>, AppError> {
    let Some(text) = text.as_deref().filter(|t| !t.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    text.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            parse(part).map_err(|invalid| AppError::bad_request(field, invalid.to_string()))
        })
        .collect()
}

fn parse_days(field: &str, text: &Option<String>) -> Result<Option<u32>, AppError> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => corridor_domain::digits::latin_digits(text)
            .parse()
            .map(Some)
            .map_err(|_| {
                AppError::bad_request(
                    field,
                    format!("'{text}' is not a number of days; use a whole number such as 365"),
                )
            }),
    }
}

impl ListQuery {
    fn filter(&self) -> Result<ListFilter, AppError> {
        let role = match self.role.as_deref().map(str::trim).unwrap_or("") {
            "" | "patients" => RoleFilter::Patients,
            "companions" => RoleFilter::Companions,
            "returnees" => RoleFilter::Returnees,
            "everyone" => RoleFilter::Everyone,
            other => {
                return Err(AppError::bad_request(
                    "role",
                    format!(
                        "unknown value '{other}'; expected patients, companions, returnees or everyone"
                    ),
                ));
            }
        };
        let paging = crate::api::paging(self.page, self.per_page)?;
        let keyset = match (given(self.after.as_deref()), given(self.before.as_deref())) {
            (None, None) => None,
            (Some(_), Some(_)) => {
                return Err(AppError::bad_request(
                    "before",
                    "give after (the next page) or before (the previous page), not both",
                ));
            }
            (Some(after), None) => Some(Keyset::After(ListPosition::parse("after", after)?)),
            (None, Some(before)) => Some(Keyset::Before(ListPosition::parse("before", before)?)),
        };
        if keyset.is_some() && self.page.is_some() {
            return Err(AppError::bad_request(
                "page",
                "give a page number or after/before, not both",
            ));
        }
        Ok(ListFilter {
            role,
            statuses: parse_list("status", &self.status, Status::parse)?,
            tiers: parse_list("tier", &self.tier, Tier::parse)?,
            specialties: parse_list("specialty", &self.specialty, Specialty::parse)?,
            age_groups: parse_list("age_group", &self.age_group, AgeGroup::parse)?,
            children_only: false,
            wait: WaitFilter {
                more_than_days: parse_days("waited_more_than", &self.waited_more_than)?,
                less_than_days: parse_days("waited_less_than", &self.waited_less_than)?,
            },
            visible_to: None,
            search: SearchQuery::parse("q", self.q.as_deref().unwrap_or_default())?,
            limit: paging.per_page(),
            offset: paging.offset(),
            keyset,
        })
    }
}

/// A page of the waiting list within the user's scope.
pub async fn list_for(
    state: &AppState,
    identity: &Identity,
    query: &ListQuery,
) -> Result<PeoplePage, AppError> {
    identity.require(Permission::ViewPeople)?;
    let mut filter = query.filter()?;
    filter.visible_to = identity.visibility();
    let found = state.store.list(&filter, state.clock.today()).await?;
    let per_page = filter.limit;
    let end = found.start + found.rows.len() as u64;
    Ok(PeoplePage {
        total: found.total,
        page: found.start / u64::from(per_page) + 1,
        pages: found.total.div_ceil(u64::from(per_page)).max(1),
        per_page,
        start: found.start,
        next_after: found
            .rows
            .last()
            .filter(|_| end < found.total)
            .map(|row| row.position().to_string()),
        previous_before: found
            .rows
            .first()
            .filter(|_| found.start > 0)
            .map(|row| row.position().to_string()),
        rows: found
            .rows
            .into_iter()
            .map(|row| PersonRow {
                id: row.id.to_string(),
                name: row.name,
                role: row.role.as_str().to_string(),
                status: row.status.as_str().to_string(),
                tier: row.tier.map(|t| t.as_str().to_string()),
                specialty: row.specialty.map(|s| s.as_str().to_string()),
                age_group: row.age_group.as_str().to_string(),
                referral_date: row.referral_date.map(|d| d.to_string()),
                days_waiting: row.days_waiting,
                companions: row.companions,
                companion_of: row.companion_of.map(|id| id.to_string()),
            })
            .collect(),
    })
}

/// The waiting list, most urgent first, then longest waiting; only people
/// within the caller's scope. `q` searches ids and names; `after` and
/// `before` walk from page to page (the links `next_after` and
/// `previous_before`), `page` jumps to a page.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(ListQuery),
    responses((status = 200, body = PeoplePage), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<PeoplePage>> {
    Ok(Json(list_for(&state, &identity, &query).await?))
}

/// One event of a status timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub version: u32,
    pub at: String,
    pub actor: String,
    pub from: Option<String>,
    pub to: String,
    pub action: Option<String>,
    /// The reason of a denial, delay, unschedule or withdrawal: its code,
    /// label and note (the note is shown only here, in the person's record).
    pub reason: Option<ReasonWithNote>,
    /// A note kept with the event itself.
    pub note: Option<String>,
}

/// A personal record: reading it is written to the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub id: String,
    pub role: String,
    pub name: Option<String>,
    pub birth_year: i16,
    pub sex: String,
    pub legal_basis: String,
    pub status: String,
    /// Send it back as `expected_version` with a change.
    pub version: u32,
    pub clearance_attempt: u32,
    pub tier: Option<String>,
    pub specialty: Option<String>,
    pub condition: Option<String>,
    pub referral_date: Option<String>,
    /// The id of the referring organisation.
    pub referring_facility: Option<String>,
    pub referring_facility_name: Option<String>,
    pub return_guarantee: Option<bool>,
    pub companion_of: Option<String>,
    pub relationship: Option<String>,
    pub returning_from: Option<String>,
    pub booking: Option<String>,
    pub admitted_to: Option<String>,
    /// The name of the receiving facility admitted to.
    pub admitted_to_name: Option<String>,
    pub companions: Vec<String>,
    pub timeline: Vec<EventView>,
    /// The status changes the caller's role may make now (none on a record
    /// opened by breaking the glass).
    pub allowed_actions: Vec<String>,
    /// Set when the record is outside the caller's scope and opened by
    /// breaking the glass: they may read it until then, and change nothing.
    pub read_only_until: Option<String>,
}

pub fn parse_person_id(text: &str) -> Result<PersonId, AppError> {
    PersonId::parse(text).map_err(|invalid| AppError::bad_request("id", invalid.to_string()))
}

/// Checks scope, records the read in the audit log, and returns the record.
pub async fn read_person(
    state: &AppState,
    identity: &Identity,
    id: &PersonId,
) -> Result<PersonView, AppError> {
    let read_only_until = identity.may_read_person(state, id).await?;
    let record = state
        .store
        .person(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no person with id {id} is registered")))?;
    state
        .store
        .record(&NewAuditEntry {
            at: state.clock.now(),
            actor: identity.username().to_string(),
            action: "person.read".to_string(),
            subject: id.to_string(),
            detail: serde_json::json!({ "via": identity.via.as_str() }),
        })
        .await?;
    let person = &record.person;
    let referral = person.referral();
    let reasons = state.store.reason_codes().await?;
    let (companion_of, relationship, returning_from) = match &person.kind {
        PersonKind::Patient(_) => (None, None, None),
        PersonKind::Companion { of, relationship } => (
            Some(of.to_string()),
            Some(relationship.as_str().to_string()),
            None,
        ),
        PersonKind::Returnee { returning_from } => (None, None, Some(returning_from.to_string())),
    };
    Ok(PersonView {
        id: person.id.to_string(),
        role: person.role().as_str().to_string(),
        name: person.name.as_ref().map(|n| n.as_str().to_string()),
        birth_year: person.birth_year.year(),
        sex: person.sex.as_str().to_string(),
        legal_basis: person.legal_basis.as_str().to_string(),
        status: record.line.status.as_str().to_string(),
        version: record.line.version,
        clearance_attempt: record.line.clearance_attempt,
        tier: referral.map(|r| r.tier.as_str().to_string()),
        specialty: referral.map(|r| r.specialty.as_str().to_string()),
        condition: referral.map(|r| r.condition.as_str().to_string()),
        referral_date: referral.map(|r| r.referral_date.date().to_string()),
        referring_facility: referral.map(|r| r.referring_facility.as_str().to_string()),
        referring_facility_name: match referral {
            Some(referral) => state
                .store
                .organisations()
                .await?
                .into_iter()
                .find(|organisation| organisation.id == referral.referring_facility)
                .map(|organisation| organisation.name.to_string()),
            None => None,
        },
        return_guarantee: referral.map(|r| r.return_guarantee),
        companion_of,
        relationship,
        returning_from,
        booking: record
            .line
            .booking
            .as_ref()
            .map(|b| format!("{} on {}", b.crossing, b.date)),
        admitted_to: record.line.admitted_to.as_ref().map(|f| f.to_string()),
        admitted_to_name: match &record.line.admitted_to {
            Some(facility) => state
                .store
                .reference()
                .await?
                .facilities
                .iter()
                .find(|f| &f.id == facility)
                .map(|f| f.name.to_string()),
            None => None,
        },
        companions: record.companions.iter().map(|c| c.to_string()).collect(),
        timeline: record
            .events
            .iter()
            .map(|event| EventView {
                version: event.version,
                at: event.at.to_string(),
                actor: event.actor.clone(),
                from: event.from.map(|s| s.as_str().to_string()),
                to: event.to.as_str().to_string(),
                action: event.action.as_ref().map(|a| a.kind().as_str().to_string()),
                reason: event
                    .action
                    .as_ref()
                    .and_then(|a| a.reason())
                    .map(|reason| ReasonWithNote::of(&reasons, reason)),
                note: event.note.as_ref().map(|n| n.as_str().to_string()),
            })
            .collect(),
        allowed_actions: match read_only_until {
            Some(_) => Vec::new(),
            None => crate::api::registry::actions_for(identity, person.role(), &record.line)
                .into_iter()
                .map(|kind| kind.as_str().to_string())
                .collect(),
        },
        read_only_until: read_only_until.map(|until| until.to_string()),
    })
}

/// A person's record with their status timeline and the actions the caller
/// may take. The read is audited. Outside the caller's scope the answer is
/// 403 with a `break_glass` link.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people",
    params(("id" = String, Path, description = "Person id, e.g. P-000042")),
    responses((status = 200, body = PersonView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn show(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonView>> {
    let id = parse_person_id(&id)?;
    Ok(Json(read_person(&state, &identity, &id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BreakGlassRequest {
    /// Why the record is needed: recorded and shown to the admin.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakGlassView {
    pub person_id: String,
    pub reason: String,
    pub granted_at: String,
    /// The record may be read until then; it may never be changed.
    pub expires_at: String,
}

pub async fn break_glass_for(
    state: &AppState,
    identity: &Identity,
    id: &PersonId,
    reason: &str,
) -> Result<BreakGlassGrant, AppError> {
    identity.require(Permission::ViewPeople)?;
    let reason = parse_break_glass_reason(reason)?;
    if state.store.ownership(id).await?.is_none() {
        return Err(AppError::NotFound(format!(
            "no person with id {id} is registered"
        )));
    }
    let now = state.clock.now();
    let until = now
        .checked_add(SignedDuration::from_hours(BREAK_GLASS_HOURS))
        .unwrap_or(now);
    Ok(state
        .store
        .break_glass(identity.username(), id, reason.as_str(), now, until)
        .await?)
}

/// Opens one record outside the caller's scope for reading, for 8 hours,
/// with a reason (10 to 300 characters) that is audited and shown to the
/// admin. Changes to the record stay refused (403).
#[utoipa::path(post, path = "/api/v1/people/{id}/break-glass", tag = "people",
    params(("id" = String, Path, description = "Person id")),
    request_body = BreakGlassRequest,
    responses((status = 200, body = BreakGlassView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn break_glass(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<BreakGlassRequest>,
) -> ApiResult<Json<BreakGlassView>> {
    let id = parse_person_id(&id)?;
    let grant = break_glass_for(&state, &identity, &id, &request.reason).await?;
    Ok(Json(BreakGlassView {
        person_id: grant.person_id,
        reason: grant.reason,
        granted_at: grant.granted_at.to_string(),
        expires_at: grant.expires_at.to_string(),
    }))
}
