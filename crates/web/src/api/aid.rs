//! The aid pipeline board: consignments and trucks in each stage now, the
//! oldest stuck in each, dwell times, and moving a consignment on. No
//! personal data here.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use corridor_domain::search::SearchQuery;
use corridor_domain::{
    Consignment, ConsignmentCase, ConsignmentDraft, ConsignmentId, MoveFields, Permission, Stage,
    StageChange, StageMove, Tonnes, dwell_minutes, dwell_text, next_stages,
};
use corridor_store::{ConsignmentMove, ConsignmentRecord, ImportMode, NewAuditEntry};
use jiff::{SignedDuration, ToSpan};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiJson;
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(board))
        .routes(routes!(consignment))
        .routes(routes!(register))
        .routes(routes!(move_consignment))
}

/// Days of stays, up to today, that the dwell figures are over.
pub const DWELL_DAYS: i32 = 30;

#[derive(Debug, Serialize, ToSchema)]
pub struct StuckView {
    pub id: String,
    pub agency: String,
    pub category: String,
    pub crossing: String,
    pub since: String,
    /// How long it has been in the stage, e.g. "3.2 d".
    pub waiting: String,
    pub trucks: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DwellView {
    /// Stays that ended in the period.
    pub stays: u64,
    pub median_minutes: f64,
    pub p90_minutes: f64,
    /// e.g. "7.5 h".
    pub median: String,
    pub p90: String,
}

/// One column of the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageColumn {
    pub stage: String,
    /// No way out: delivered, intercepted or returned.
    pub is_final: bool,
    pub consignments: u64,
    pub trucks: u64,
    pub tonnes: String,
    /// The consignment longest in this stage (not for final stages).
    pub oldest: Option<StuckView>,
    /// Time spent in this stage by those who left it in the period.
    pub dwell: Option<DwellView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AidBoard {
    pub as_of: String,
    /// The dwell figures cover stays that ended from this day to `as_of`'s day.
    pub dwell_from: String,
    pub stages: Vec<StageColumn>,
}

/// The board as of the server's clock.
pub async fn board_for(state: &AppState, identity: &Identity) -> Result<AidBoard, AppError> {
    identity.require(Permission::ViewAggregates)?;
    let now = state.clock.now();
    let today = state.clock.today();
    let from = today.checked_sub((DWELL_DAYS - 1).days()).unwrap_or(today);
    let counts = state.store.aid_in_stage().await?;
    let oldest = state.store.aid_oldest_by_stage().await?;
    let dwell = state.store.aid_dwell(from, today).await?;
    let stages = Stage::ALL
        .iter()
        .map(|&stage| {
            let here = counts.iter().filter(|count| count.stage == stage);
            let (consignments, trucks, kilograms) = here.fold((0, 0, 0), |(c, t, k), count| {
                (
                    c + count.consignments,
                    t + count.trucks,
                    k + count.kilograms,
                )
            });
            StageColumn {
                stage: stage.as_str().to_string(),
                is_final: stage.is_final(),
                consignments,
                trucks,
                tonnes: Tonnes::from_kilograms(kilograms).to_string(),
                oldest: oldest
                    .iter()
                    .find(|stuck| stuck.stage == stage)
                    .map(|stuck| StuckView {
                        id: stuck.id.to_string(),
                        agency: stuck.agency.to_string(),
                        category: stuck.category.as_str().to_string(),
                        crossing: stuck.crossing.to_string(),
                        since: stuck.since.to_string(),
                        waiting: dwell_text(dwell_minutes(
                            now.duration_since(stuck.since).max(SignedDuration::ZERO),
                        ) as f64),
                        trucks: stuck.trucks,
                    }),
                dwell: dwell
                    .iter()
                    .find(|stats| stats.stage == stage)
                    .map(|stats| DwellView {
                        stays: stats.count,
                        median_minutes: stats.median_minutes,
                        p90_minutes: stats.p90_minutes,
                        median: dwell_text(stats.median_minutes),
                        p90: dwell_text(stats.p90_minutes),
                    }),
            }
        })
        .collect();
    Ok(AidBoard {
        as_of: now.round(jiff::Unit::Second).unwrap_or(now).to_string(),
        dwell_from: from.to_string(),
        stages,
    })
}

/// The pipeline now: consignments, trucks and tonnes in each stage, the
/// oldest stuck in each, and dwell median and 90th percentile over the last 30 days.
#[utoipa::path(get, path = "/api/v1/aid/board", tag = "aid",
    responses((status = 200, body = AidBoard), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn board(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
) -> ApiResult<Json<AidBoard>> {
    Ok(Json(board_for(&state, &identity).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageEventView {
    pub version: u32,
    pub at: String,
    pub actor: String,
    pub from: Option<String>,
    pub to: String,
    /// How long it was in `from`, e.g. "7.5 h".
    pub after: Option<String>,
    pub trucks: u32,
    pub pallets: u32,
    pub tonnes: String,
    pub reason: Option<String>,
    pub items: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsignmentView {
    pub id: String,
    pub agency: String,
    pub category: String,
    pub origin: String,
    pub crossing: String,
    pub stage: String,
    pub since: String,
    /// Send it back as `expected_version` with a move.
    pub version: u32,
    pub trucks: u32,
    pub pallets: u32,
    pub tonnes: String,
    /// The stages it may move to now.
    pub next_stages: Vec<String>,
    /// Of those, the ones that need a reason.
    pub reason_required: Vec<String>,
    pub history: Vec<StageEventView>,
}

impl ConsignmentView {
    fn of(record: &ConsignmentRecord) -> ConsignmentView {
        let c = &record.consignment;
        let next = next_stages(record.line.stage);
        ConsignmentView {
            id: c.id.to_string(),
            agency: c.agency.to_string(),
            category: c.category.as_str().to_string(),
            origin: c.origin.to_string(),
            crossing: c.crossing.to_string(),
            stage: record.line.stage.as_str().to_string(),
            since: record.line.since.to_string(),
            version: record.line.version,
            trucks: record.line.load.trucks,
            pallets: record.line.load.pallets,
            tonnes: record.line.load.tonnes.to_string(),
            next_stages: next.iter().map(|s| s.as_str().to_string()).collect(),
            reason_required: next
                .iter()
                .filter(|stage| StageChange::new(**stage, None, None).is_err())
                .map(|s| s.as_str().to_string())
                .collect(),
            history: record
                .events
                .iter()
                .map(|event| {
                    let change = event.change.as_ref();
                    StageEventView {
                        version: event.version,
                        at: event.at.to_string(),
                        actor: event.actor.clone(),
                        from: event.from.map(|s| s.as_str().to_string()),
                        to: event.to.as_str().to_string(),
                        after: event
                            .dwell
                            .map(|dwell| dwell_text(dwell_minutes(dwell) as f64)),
                        trucks: event.load.trucks,
                        pallets: event.load.pallets,
                        tonnes: event.load.tonnes.to_string(),
                        reason: change
                            .and_then(StageChange::reason)
                            .map(ToString::to_string),
                        items: change.and_then(StageChange::items).map(ToString::to_string),
                        note: event.note.as_ref().map(ToString::to_string),
                    }
                })
                .collect(),
        }
    }
}

/// One consignment found by a search of the board.
#[derive(Debug)]
pub struct FoundConsignment {
    pub id: String,
    pub agency: String,
    pub category: String,
    pub stage: String,
    pub trucks: u32,
    pub since: String,
}

/// The most consignments a search shows; a longer list asks for more words.
pub const MAX_FOUND: usize = 50;

/// The consignments whose id or agency matches `q` (the one search rule,
/// `corridor_domain::search`), by id; at most [`MAX_FOUND`], and how many
/// match in all. A blank search finds nothing: the board shows counts.
pub async fn find_consignments(
    state: &AppState,
    identity: &Identity,
    q: &str,
) -> Result<(Vec<FoundConsignment>, usize), AppError> {
    identity.require(Permission::ViewAggregates)?;
    let Some(search) = SearchQuery::parse("q", q)? else {
        return Ok((Vec::new(), 0));
    };
    let matching: Vec<_> = state
        .store
        .all_consignments()
        .await?
        .into_iter()
        .filter(|(consignment, _)| {
            search.matches(&[consignment.id.as_str(), consignment.agency.as_str()])
        })
        .collect();
    let total = matching.len();
    let found = matching
        .into_iter()
        .take(MAX_FOUND)
        .map(|(consignment, line)| FoundConsignment {
            id: consignment.id.to_string(),
            agency: consignment.agency.to_string(),
            category: consignment.category.as_str().to_string(),
            stage: line.stage.as_str().to_string(),
            trucks: line.load.trucks,
            since: line
                .since
                .round(jiff::Unit::Second)
                .unwrap_or(line.since)
                .to_string(),
        })
        .collect();
    Ok((found, total))
}

fn parse_consignment_id(text: &str) -> Result<ConsignmentId, AppError> {
    Ok(ConsignmentId::parse(text)?)
}

fn not_found(id: &ConsignmentId) -> AppError {
    AppError::NotFound(format!("no consignment with id {id} is registered"))
}

pub async fn consignment_for(
    state: &AppState,
    identity: &Identity,
    id: &str,
) -> Result<ConsignmentView, AppError> {
    identity.require(Permission::ViewAggregates)?;
    let id = parse_consignment_id(id)?;
    let record = state
        .store
        .consignment(&id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(ConsignmentView::of(&record))
}

/// One consignment: its load, stage, allowed moves and history.
#[utoipa::path(get, path = "/api/v1/aid/consignments/{id}", tag = "aid",
    params(("id" = String, Path, description = "Consignment id")),
    responses((status = 200, body = ConsignmentView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn consignment(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ConsignmentView>> {
    Ok(Json(consignment_for(&state, &identity, &id).await?))
}

/// A move to the next stage; blank fields count as not given.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct MoveRequest {
    /// One of the consignment's `next_stages`.
    pub stage: String,
    /// Required for rejected and returned; optional for intercepted.
    #[serde(default)]
    pub reason: Option<String>,
    /// The items objected to, with rejected.
    #[serde(default)]
    pub items: Option<String>,
    /// Trucks now carrying it (e.g. after repacking).
    #[serde(default)]
    pub trucks: Option<String>,
    #[serde(default)]
    pub pallets: Option<String>,
    /// Tonnes now, e.g. `172.5`.
    #[serde(default)]
    pub tonnes: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// The version the decision was based on; a move made meanwhile is a conflict.
    #[serde(default)]
    pub expected_version: Option<u32>,
}

/// Moves a consignment on; optimistic versioning turns a concurrent
/// change into a conflict that says to look again.
pub async fn move_for(
    state: &AppState,
    identity: &Identity,
    id: &str,
    request: &MoveRequest,
) -> Result<ConsignmentView, AppError> {
    identity.require(Permission::ManageAid)?;
    let id = parse_consignment_id(id)?;
    let StageMove {
        change,
        recount,
        note,
    } = MoveFields {
        stage: &request.stage,
        reason: request.reason.as_deref(),
        items: request.items.as_deref(),
        trucks: request.trucks.as_deref(),
        pallets: request.pallets.as_deref(),
        tonnes: request.tonnes.as_deref(),
        note: request.note.as_deref(),
    }
    .parse()?;
    state
        .store
        .move_consignment(
            ConsignmentMove {
                consignment: id.clone(),
                expected_version: request.expected_version,
                change,
                recount,
                note,
            },
            state.clock.now(),
            identity.username(),
        )
        .await?;
    let record = state
        .store
        .consignment(&id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(ConsignmentView::of(&record))
}

/// Moves a consignment to one of its next stages (logistics officers).
#[utoipa::path(post, path = "/api/v1/aid/consignments/{id}/moves", tag = "aid",
    params(("id" = String, Path, description = "Consignment id")),
    request_body = MoveRequest,
    responses((status = 200, body = ConsignmentView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn move_consignment(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<MoveRequest>,
) -> ApiResult<Json<ConsignmentView>> {
    Ok(Json(move_for(&state, &identity, &id, &request).await?))
}

/// A consignment as its agency dispatches it; no personal data (not the driver).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct NewConsignment {
    /// The waybill or the agency's id, e.g. `WB-004211`.
    pub id: String,
    pub agency: String,
    /// `food`, `medical`, `shelter`, `wash`, `fuel` or `other`.
    pub category: String,
    /// Where it was loaded, e.g. `Al-Arish`.
    pub origin: String,
    /// The crossing where it is inspected, e.g. `kerem-shalom`.
    pub crossing: String,
    /// Whole trucks, e.g. `10`.
    pub trucks: String,
    /// Whole pallets, e.g. `240`.
    pub pallets: String,
    /// Tonnes, e.g. `180` or `24.264`.
    pub tonnes: String,
}

/// Registers a consignment dispatched now (audited); 409 when its id is taken.
pub async fn register_consignment(
    state: &AppState,
    identity: &Identity,
    request: &NewConsignment,
) -> Result<ConsignmentView, AppError> {
    identity.require(Permission::ManageAid)?;
    let consignment = Consignment::from_draft(&ConsignmentDraft {
        id: &request.id,
        agency: &request.agency,
        category: &request.category,
        origin: &request.origin,
        crossing: &request.crossing,
        trucks: &request.trucks,
        pallets: &request.pallets,
        tonnes: &request.tonnes,
    })?;
    let reference = state.store.reference().await?;
    if !reference
        .crossings
        .iter()
        .any(|crossing| crossing.id == consignment.crossing)
    {
        return Err(AppError::bad_request(
            "crossing",
            format!(
                "there is no crossing {}; choose one of the registry's crossings",
                consignment.crossing
            ),
        ));
    }
    let now = state.clock.now();
    let case = ConsignmentCase::register(consignment, now, identity.username());
    let audit = NewAuditEntry::consignment_registered(&case, now, identity.username());
    state
        .store
        .insert_consignments(
            std::slice::from_ref(&case),
            &audit,
            ImportMode::Commit,
            &mut |_| {},
        )
        .await?;
    let id = case.consignment.id;
    let record = state
        .store
        .consignment(&id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(ConsignmentView::of(&record))
}

/// Registers a consignment, dispatched now (logistics officers; audited).
#[utoipa::path(post, path = "/api/v1/aid/consignments", tag = "aid",
    request_body = NewConsignment,
    responses((status = 201, body = ConsignmentView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn register(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<NewConsignment>,
) -> ApiResult<(StatusCode, Json<ConsignmentView>)> {
    let consignment = register_consignment(&state, &identity, &request).await?;
    Ok((StatusCode::CREATED, Json(consignment)))
}
