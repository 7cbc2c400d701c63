//! The end-of-day reconciliation: planned against happened, entries
//! against exits, and who goes back on the list.

use axum::Json;
use axum::extract::State;
use corridor_domain::{Direction, Permission, ReasonCatalogue};
use corridor_store::{EntryState, Reconciliation};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::resolve_day;
use crate::api::ApiQuery;
use crate::api::reasons::CodedReason;
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct DirectionCount {
    pub direction: String,
    pub places: u32,
    pub planned: usize,
    pub crossed: usize,
    pub turned_back: usize,
    pub no_show: usize,
    pub removed: usize,
    /// Declined their places on the call before the day.
    pub declined: usize,
    /// Could not be reached by the day's cut-off.
    pub unreachable: usize,
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

pub(super) fn reconciliation_view(
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
                declined: m.count(EntryState::Declined),
                unreachable: m.count(EntryState::Unreachable),
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
    /// e.g. `rafah`; default the crossing evacuees leave by soonest.
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
pub(super) async fn reconciliation(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<GateQuery>,
) -> ApiResult<Json<ReconciliationView>> {
    Ok(Json(reconcile(&state, &identity, &query).await?))
}
