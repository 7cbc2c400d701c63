//! Clearance batches: submitted by the coordinator in priority order,
//! answered by the clearance liaison, measured (turnaround and rates).

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use corridor_domain::{
    BatchId, ClearanceGroup, ClearanceOutcome, ClearanceRates, Direction, Permission, PersonId,
    ReasonCatalogue, Specialty, Text, Tier,
};
use corridor_interop::batch_file::{BatchFileRow, batch_csv, batch_xlsx};
use corridor_interop::decisions::DecisionRow;
use corridor_store::{
    BatchChoice, ClearanceBatch, ClearanceRequest, Decision, ImportMode, Submission,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::params::{parse_crossing, parse_date, parse_direction};
use crate::api::reasons::{CodedReason, parse_reason};
use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, submit))
        .routes(routes!(show))
        .routes(routes!(decide))
        .routes(routes!(sweep))
}

/// The longest batch the API builds at once.
const MAX_BATCH_PLACES: u32 = 2_000;

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchListQuery {
    /// From 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    /// Batches per page, at most 500.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
}

/// A batch with its counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchSummary {
    pub id: String,
    pub crossing: String,
    pub direction: String,
    pub submitted_on: String,
    pub submitted_by: String,
    pub needed_by: String,
    pub note: Option<String>,
    pub people: u64,
    pub cleared: u64,
    pub denied: u64,
    pub delayed: u64,
    pub pending: u64,
    /// Pending requests whose needed-by date has passed.
    pub overdue: u64,
    pub median_turnaround_days: Option<f64>,
}

/// Turnaround and rates of one group of requests; rates are over decided requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatesView {
    pub group: String,
    pub requests: u64,
    pub resubmissions: u64,
    pub pending: u64,
    pub cleared_rate: Option<f64>,
    pub denied_rate: Option<f64>,
    pub delayed_rate: Option<f64>,
    pub median_turnaround_days: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchList {
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub per_page: u32,
    /// Newest first.
    pub batches: Vec<BatchSummary>,
    /// Every request of every batch: everyone, then by group.
    pub rates: Vec<RatesView>,
    /// Requests past their needed-by date without an answer; the sweep records them as delayed.
    pub overdue: u64,
}

/// One person's request in a batch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    pub person: String,
    /// Only to roles that may see people.
    pub name: Option<String>,
    pub role: String,
    /// The patient a companion goes with; companions follow their patient.
    pub companion_of: Option<String>,
    pub group: String,
    pub attempt: u32,
    pub previous_batch: Option<String>,
    /// `cleared`, `denied`, `delayed`, or `pending`.
    pub outcome: String,
    /// A denial's or delay's reason code and label (the note is in the person's record).
    pub reason: Option<CodedReason>,
    pub decided_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchDetail {
    pub batch: BatchSummary,
    pub requests: Vec<RequestView>,
}

fn summary(batch: &ClearanceBatch, requests: &[&ClearanceRequest], today: Date) -> BatchSummary {
    let rates = ClearanceRates::of(
        requests
            .iter()
            .map(|r| r.facts())
            .collect::<Vec<_>>()
            .iter(),
    );
    BatchSummary {
        id: batch.id.to_string(),
        crossing: batch.crossing.to_string(),
        direction: batch.direction.as_str().to_string(),
        submitted_on: batch.submitted_on.to_string(),
        submitted_by: batch.submitted_by.clone(),
        needed_by: batch.needed_by.to_string(),
        note: batch.note.clone(),
        people: rates.requests,
        cleared: rates.cleared,
        denied: rates.denied,
        delayed: rates.delayed,
        pending: rates.pending,
        overdue: requests
            .iter()
            .filter(|r| r.outcome.is_none() && r.needed_by < today)
            .count() as u64,
        median_turnaround_days: rates.median_turnaround_days,
    }
}

fn rates_of(
    label: &str,
    requests: &[ClearanceRequest],
    group: Option<ClearanceGroup>,
) -> RatesView {
    let facts: Vec<_> = requests
        .iter()
        .filter(|r| group.is_none_or(|g| r.group == g))
        .map(ClearanceRequest::facts)
        .collect();
    let rates = ClearanceRates::of(&facts);
    RatesView {
        group: label.to_string(),
        requests: rates.requests,
        resubmissions: rates.resubmissions,
        pending: rates.pending,
        cleared_rate: rates.rate(ClearanceOutcome::Cleared),
        denied_rate: rates.rate(ClearanceOutcome::Denied),
        delayed_rate: rates.rate(ClearanceOutcome::Delayed),
        median_turnaround_days: rates.median_turnaround_days,
    }
}

fn request_view(
    request: &ClearanceRequest,
    reasons: &ReasonCatalogue,
    show_names: bool,
) -> RequestView {
    RequestView {
        person: request.person.to_string(),
        name: request
            .name
            .as_ref()
            .filter(|_| show_names)
            .map(|name| name.as_str().to_string()),
        role: request.role.as_str().to_string(),
        companion_of: request.companion_of.as_ref().map(ToString::to_string),
        group: request.group.label().to_string(),
        attempt: request.attempt,
        previous_batch: request.previous_batch.as_ref().map(ToString::to_string),
        outcome: request
            .outcome
            .map_or("pending", ClearanceOutcome::as_str)
            .to_string(),
        reason: request
            .reason
            .as_ref()
            .map(|reason| CodedReason::of(reasons, reason)),
        decided_on: request.decided_on.map(|d| d.to_string()),
    }
}

/// A page of the batches, newest first, with the clearance report figures.
pub async fn list_batches(
    state: &AppState,
    identity: &Identity,
    query: &BatchListQuery,
) -> Result<BatchList, AppError> {
    identity.require(Permission::ViewClearance)?;
    let paging = crate::api::paging(query.page, query.per_page)?;
    let today = state.clock.today();
    let mut batches = state.store.clearance_batches().await?;
    batches.reverse();
    let requests = state.store.clearance_requests(None).await?;
    let mut by_batch: BTreeMap<&BatchId, Vec<&ClearanceRequest>> = BTreeMap::new();
    for request in &requests {
        by_batch.entry(&request.batch).or_default().push(request);
    }
    let total = batches.len() as u64;
    let shown = paging
        .slice(batches.iter().collect())
        .into_iter()
        .map(|batch| {
            let rows = by_batch.get(&batch.id).cloned().unwrap_or_default();
            summary(batch, &rows, today)
        })
        .collect();
    let mut rates = vec![rates_of("everyone", &requests, None)];
    for group in ClearanceGroup::ALL {
        if requests.iter().any(|r| r.group == group) {
            rates.push(rates_of(group.label(), &requests, Some(group)));
        }
    }
    Ok(BatchList {
        total,
        page: paging.page(),
        pages: paging.pages(total),
        per_page: paging.per_page(),
        batches: shown,
        rates,
        overdue: requests
            .iter()
            .filter(|r| r.outcome.is_none() && r.needed_by < today)
            .count() as u64,
    })
}

pub fn parse_batch_id(text: &str) -> Result<BatchId, AppError> {
    BatchId::parse(text.trim())
        .map_err(|invalid| AppError::bad_request("batch", invalid.to_string()))
}

/// One batch with its requests.
pub async fn read_batch(
    state: &AppState,
    identity: &Identity,
    id: &BatchId,
) -> Result<BatchDetail, AppError> {
    identity.require(Permission::ViewClearance)?;
    let batch = state
        .store
        .clearance_batches()
        .await?
        .into_iter()
        .find(|b| &b.id == id)
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "no clearance batch {id}; the list of batches is at /clearance"
            ))
        })?;
    let requests = state.store.clearance_requests(Some(id)).await?;
    let reasons = state.store.reason_codes().await?;
    let rows = patients_first(&requests);
    let show_names = identity.can(Permission::ViewPeople);
    Ok(BatchDetail {
        batch: summary(&batch, &rows, state.clock.today()),
        requests: rows
            .iter()
            .map(|request| request_view(request, &reasons, show_names))
            .collect(),
    })
}

/// Each patient followed by their companions in the batch; a companion
/// whose patient is not in the batch keeps their own place.
fn patients_first(requests: &[ClearanceRequest]) -> Vec<&ClearanceRequest> {
    let in_batch: HashSet<&PersonId> = requests.iter().map(|r| &r.person).collect();
    let mut companions: HashMap<&PersonId, Vec<&ClearanceRequest>> = HashMap::new();
    for request in requests {
        if let Some(patient) = request
            .companion_of
            .as_ref()
            .filter(|p| in_batch.contains(p))
        {
            companions.entry(patient).or_default().push(request);
        }
    }
    let mut ordered = Vec::with_capacity(requests.len());
    for request in requests {
        let follows_patient = request
            .companion_of
            .as_ref()
            .is_some_and(|patient| in_batch.contains(patient));
        if !follows_patient {
            ordered.push(request);
            ordered.extend(companions.remove(&request.person).unwrap_or_default());
        }
    }
    ordered
}

/// The format of a batch file for the clearing authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchFileFormat {
    Csv,
    Xlsx,
}

impl BatchFileFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            BatchFileFormat::Csv => "text/csv; charset=utf-8",
            BatchFileFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            BatchFileFormat::Csv => "csv",
            BatchFileFormat::Xlsx => "xlsx",
        }
    }
}

/// The requests of a batch still waiting for an answer, as a file for the
/// authority to fill in (ids, no names; see `corridor_interop::batch_file`).
pub async fn batch_file(
    state: &AppState,
    identity: &Identity,
    id: &BatchId,
    format: BatchFileFormat,
) -> Result<Vec<u8>, AppError> {
    // The batch must exist: an unknown one is a 404, not an empty file.
    read_batch(state, identity, id).await?;
    let requests = state.store.clearance_requests(Some(id)).await?;
    let rows: Vec<BatchFileRow> = patients_first(&requests)
        .into_iter()
        .filter(|request| request.outcome.is_none())
        .map(|request| BatchFileRow {
            batch: request.batch.clone(),
            person: request.person.clone(),
            role: request.role,
            patient: request.companion_of.clone(),
            group: request.group,
        })
        .collect();
    match format {
        BatchFileFormat::Csv => batch_csv(&rows),
        BatchFileFormat::Xlsx => batch_xlsx(&rows),
    }
    .map_err(|error| AppError::Internal(error.to_string()))
}

/// The batches, newest first, with turnaround and approval, denial and
/// delay rates over all requests (split for children, companions and returnees).
#[utoipa::path(get, path = "/api/v1/clearance/batches", tag = "clearance", params(BatchListQuery),
    responses((status = 200, body = BatchList), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<BatchListQuery>,
) -> ApiResult<Json<BatchList>> {
    Ok(Json(list_batches(&state, &identity, &query).await?))
}

/// One batch and the request of every person in it.
#[utoipa::path(get, path = "/api/v1/clearance/batches/{id}", tag = "clearance",
    params(("id" = String, Path, description = "Batch id, e.g. CB-0001")),
    responses((status = 200, body = BatchDetail), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn show(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<BatchDetail>> {
    let id = parse_batch_id(&id)?;
    Ok(Json(read_batch(&state, &identity, &id).await?))
}

/// A batch to submit: either exactly `ids`, or the most urgent eligible
/// people by the planner's priority until `places` (or `for_days` days of
/// the quota) are filled. Companions go with their patient and take places.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SubmitRequest {
    /// e.g. `rafah`.
    pub crossing: String,
    /// `outbound` (patients and companions, default) or `inbound` (returnees).
    #[serde(default)]
    pub direction: Option<String>,
    /// The date the answer is needed by, `YYYY-MM-DD`.
    pub needed_by: String,
    /// Take this many places.
    #[serde(default)]
    pub places: Option<u32>,
    /// Take enough people to fill this many days of the quota.
    #[serde(default)]
    pub for_days: Option<u32>,
    /// Exactly these people (a patient brings their companions).
    #[serde(default)]
    pub ids: Vec<String>,
    /// Only these tiers, e.g. `critical`.
    #[serde(default)]
    pub tiers: Vec<String>,
    /// Only these specialties, e.g. `oncology`.
    #[serde(default)]
    pub specialties: Vec<String>,
    /// Also submit people denied or delayed before (a new, linked attempt).
    #[serde(default)]
    pub resubmit: bool,
    #[serde(default)]
    pub note: Option<String>,
}

fn positive(field: &str, value: u32) -> Result<u32, AppError> {
    if value == 0 || value > MAX_BATCH_PLACES {
        return Err(AppError::bad_request(
            field,
            format!("{value} is out of range; give 1 to {MAX_BATCH_PLACES}"),
        ));
    }
    Ok(value)
}

/// Chooses the people and submits the batch, in one audited transaction.
pub async fn submit_batch(
    state: &AppState,
    identity: &Identity,
    request: &SubmitRequest,
) -> Result<BatchDetail, AppError> {
    identity.require(Permission::SubmitClearance)?;
    let crossing = parse_crossing(&request.crossing)?;
    let direction = parse_direction(request.direction.as_deref())?;
    let needed_by = parse_date("needed_by", &request.needed_by)?;
    let today = state.clock.today();
    if needed_by < today {
        return Err(AppError::bad_request(
            "needed_by",
            format!(
                "{needed_by} has passed; the answer must be needed on or after today ({today})"
            ),
        ));
    }
    let note = request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| Text::parse("note", n, 500))
        .transpose()
        .map_err(|invalid| AppError::bad_request("note", invalid.to_string()))?;
    let ids: Vec<&str> = request
        .ids
        .iter()
        .map(|id| id.trim())
        .filter(|id| !id.is_empty())
        .collect();
    let people = if ids.is_empty() {
        let places = match (request.places, request.for_days) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_request(
                    "places",
                    "give either places or for_days, not both",
                ));
            }
            (Some(places), None) => positive("places", places)?,
            (None, Some(days)) => {
                let days = positive("for_days", days)?;
                state
                    .store
                    .places_for_days(&crossing, direction, needed_by, days)
                    .await
                    .map_err(|error| AppError::bad_request("for_days", error.to_string()))?
            }
            (None, None) => {
                return Err(AppError::bad_request(
                    "places",
                    "say how many to submit: places (a number of people), for_days (days of the quota), or ids",
                ));
            }
        };
        let words = |texts: &[String]| -> Vec<String> {
            texts
                .iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect()
        };
        let (tiers, specialties) = (words(&request.tiers), words(&request.specialties));
        if direction == Direction::Inbound && !(tiers.is_empty() && specialties.is_empty()) {
            return Err(AppError::bad_request(
                if tiers.is_empty() {
                    "specialties"
                } else {
                    "tiers"
                },
                "tiers and specialties select patients; returnees are taken in registration order",
            ));
        }
        let choice = BatchChoice {
            crossing: crossing.clone(),
            direction,
            tiers: tiers
                .iter()
                .map(|t| Tier::parse(t))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|invalid| AppError::bad_request("tiers", invalid.to_string()))?,
            specialties: specialties
                .iter()
                .map(|s| Specialty::parse(s))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|invalid| AppError::bad_request("specialties", invalid.to_string()))?,
            resubmit: request.resubmit,
        };
        state
            .store
            .choose_by_priority(&choice, places, today)
            .await?
    } else {
        let ids = ids
            .iter()
            .map(|id| PersonId::parse(id))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|invalid| AppError::bad_request("ids", invalid.to_string()))?;
        state.store.with_companions(&ids, request.resubmit).await?
    };
    if people.is_empty() {
        return Err(AppError::Conflict(format!(
            "nobody eligible to submit for {crossing} {direction}: no {} {}",
            match direction {
                Direction::Outbound => "listed patient",
                Direction::Inbound => "listed returnee",
            },
            if request.resubmit {
                "or person denied or delayed before matches"
            } else {
                "matches (set resubmit to take people denied or delayed before)"
            }
        )));
    }
    let submitted = state
        .store
        .submit_clearance(
            &Submission {
                crossing,
                direction,
                needed_by,
                people,
                note,
            },
            ImportMode::Commit,
            today,
            state.clock.now(),
            identity.username(),
        )
        .await?;
    read_batch(state, identity, &submitted.id).await
}

/// Submits a batch for clearance (the people go to clearance-requested).
#[utoipa::path(post, path = "/api/v1/clearance/batches", tag = "clearance",
    request_body = SubmitRequest,
    responses((status = 201, body = BatchDetail), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn submit(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<SubmitRequest>,
) -> ApiResult<(StatusCode, Json<BatchDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(submit_batch(&state, &identity, &request).await?),
    ))
}

/// The authority's answer for one person.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionInput {
    pub person: String,
    /// `cleared`, `denied` (with a reason code) or `delayed`.
    pub outcome: String,
    /// A code of `GET /api/v1/reasons?kind=denied` (or `delayed`): required
    /// for a denial, `no-answer` when a delay leaves it out, none for a clearance.
    #[serde(default)]
    pub reason_code: Option<String>,
    /// What the code does not say; required with `other`. It stays in the
    /// person's record and never leaves in a report or an export.
    #[serde(default)]
    pub note: Option<String>,
    /// `YYYY-MM-DD`; default today.
    #[serde(default)]
    pub decided_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionsRequest {
    pub batch: String,
    pub decisions: Vec<DecisionInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionsRecorded {
    pub recorded: usize,
    pub batch: BatchDetail,
}

/// Records decisions, all or nothing; `decisions[i].field` names a bad input.
pub async fn record_decisions(
    state: &AppState,
    identity: &Identity,
    request: &DecisionsRequest,
) -> Result<DecisionsRecorded, AppError> {
    identity.require(Permission::RecordClearance)?;
    let batch = parse_batch_id(&request.batch)?;
    if request.decisions.is_empty() {
        return Err(AppError::bad_request(
            "decisions",
            "no decision given; choose cleared, denied or delayed for at least one person",
        ));
    }
    let today = state.clock.today();
    let reasons = state.store.reason_codes().await?;
    let mut decisions = Vec::with_capacity(request.decisions.len());
    for (index, input) in request.decisions.iter().enumerate() {
        let field = |name: &str| format!("decisions[{index}].{name}");
        let person = PersonId::parse(input.person.trim())
            .map_err(|invalid| AppError::bad_request(&field("person"), invalid.to_string()))?;
        identity.may_change_person(state, &person).await?;
        let outcome = ClearanceOutcome::parse(input.outcome.trim()).map_err(|_| {
            AppError::bad_request(
                &field("outcome"),
                format!(
                    "{person}: unknown decision '{}'; use cleared, denied or delayed",
                    input.outcome.trim()
                ),
            )
        })?;
        let given = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        let (code, note) = (given(&input.reason_code), given(&input.note));
        let reason = match outcome.reason_kind() {
            Some(kind) => Some(
                parse_reason(&reasons, kind, code.as_deref(), note.as_deref(), field).map_err(
                    |error| match error {
                        AppError::BadRequest { detail, field } => AppError::BadRequest {
                            detail: format!("{person}: {detail}"),
                            field,
                        },
                        other => other,
                    },
                )?,
            ),
            None if code.is_some() || note.is_some() => {
                return Err(AppError::bad_request(
                    &field(if code.is_some() {
                        "reason_code"
                    } else {
                        "note"
                    }),
                    format!(
                        "{person}: a clearance takes no reason; leave reason_code and note out"
                    ),
                ));
            }
            None => None,
        };
        let decided_on = match input.decided_on.as_deref().map(str::trim) {
            None | Some("") => today,
            Some(text) => parse_date(&field("decided_on"), text)?,
        };
        if decided_on > today {
            return Err(AppError::bad_request(
                &field("decided_on"),
                format!("{decided_on} is in the future; record a decision once it is made"),
            ));
        }
        decisions.push(Decision {
            batch: batch.clone(),
            person,
            outcome,
            reason,
            decided_on,
        });
    }
    store_decisions(state, identity, &batch, &decisions).await
}

/// Records the rows of an answered batch file (read and checked by
/// `corridor_interop`, all of them of this batch), all or nothing.
pub async fn record_answer_rows(
    state: &AppState,
    identity: &Identity,
    batch: &BatchId,
    rows: &[DecisionRow],
) -> Result<DecisionsRecorded, AppError> {
    identity.require(Permission::RecordClearance)?;
    let mut decisions = Vec::with_capacity(rows.len());
    for row in rows {
        identity.may_change_person(state, &row.person).await?;
        decisions.push(Decision {
            batch: row.batch.clone(),
            person: row.person.clone(),
            outcome: row.outcome,
            reason: row.reason.clone(),
            decided_on: row.decided_on,
        });
    }
    store_decisions(state, identity, batch, &decisions).await
}

/// One transaction and one audit event for the decisions of one batch.
async fn store_decisions(
    state: &AppState,
    identity: &Identity,
    batch: &BatchId,
    decisions: &[Decision],
) -> Result<DecisionsRecorded, AppError> {
    // The batch must exist before its requests are answered.
    read_batch(state, identity, batch).await?;
    state
        .store
        .record_decisions(
            decisions,
            ImportMode::Commit,
            state.clock.today(),
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok(DecisionsRecorded {
        recorded: decisions.len(),
        batch: read_batch(state, identity, batch).await?,
    })
}

/// Records the authority's decisions for people of one batch, all or
/// nothing (cleared people can then be planned on a crossing day).
#[utoipa::path(post, path = "/api/v1/clearance/decisions", tag = "clearance",
    request_body = DecisionsRequest,
    responses((status = 200, body = DecisionsRecorded), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<DecisionsRequest>,
) -> ApiResult<Json<DecisionsRecorded>> {
    Ok(Json(record_decisions(&state, &identity, &request).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SweepResult {
    /// Requests recorded as delayed: no answer by the date they were needed.
    pub recorded: usize,
}

/// Records as delayed every request still unanswered after its needed-by date.
pub async fn sweep_overdue(state: &AppState, identity: &Identity) -> Result<usize, AppError> {
    identity.require(Permission::RecordClearance)?;
    let today = state.clock.today();
    let overdue = state.store.decisions_overdue(today).await?;
    if !overdue.is_empty() {
        state
            .store
            .record_decisions(
                &overdue,
                ImportMode::Commit,
                today,
                state.clock.now(),
                identity.username(),
            )
            .await?;
    }
    Ok(overdue.len())
}

/// Records as delayed every request unanswered after its needed-by date.
#[utoipa::path(post, path = "/api/v1/clearance/sweep", tag = "clearance",
    responses((status = 200, body = SweepResult), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
async fn sweep(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
) -> ApiResult<Json<SweepResult>> {
    Ok(Json(SweepResult {
        recorded: sweep_overdue(&state, &identity).await?,
    }))
}
