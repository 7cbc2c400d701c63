//! The gate: the day's manifests as the crossing officer works them, and
//! the outcome recorded for each party.

use axum::Json;
use axum::extract::State;
use corridor_domain::{CrossingDay, CrossingId, GateOutcome, Permission, PersonId, Text};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::manifest::{ManifestView, named_manifests};
use super::reconciliation::{ReconciliationView, reconciliation_view};
use super::resolve_day;
use crate::api::ApiJson;
use crate::api::params::{given, parse_crossing, parse_date};
use crate::api::reasons::parse_reason;
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

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
    // After the cut-off, parties nobody could reach no longer hold places.
    state
        .store
        .apply_due_cut_off(
            &day.crossing,
            day.date,
            state.clock.now(),
            identity.username(),
        )
        .await?;
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
    /// One person of the party, to record only them: a companion turned
    /// back alone while the patient crosses, or the patient crossing ahead.
    /// Left out, the outcome is the whole party's (those still expected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
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

/// The crossing, day and party a gate request names, once the caller is
/// known to work the gate and may change that person.
async fn gate_party(
    state: &AppState,
    identity: &Identity,
    crossing: &str,
    date: &str,
    person: &str,
) -> Result<(CrossingId, Date, PersonId), AppError> {
    identity.require(Permission::WorkGate)?;
    let crossing = parse_crossing(crossing)?;
    let date = parse_date("date", date)?;
    let person = PersonId::parse(person.trim())
        .map_err(|invalid| AppError::bad_request("person", invalid.to_string()))?;
    identity.may_change_person(state, &person).await?;
    Ok((crossing, date, person))
}

/// The one person of a party a gate request names, if it names one, once
/// the caller may change them.
async fn gate_member(
    state: &AppState,
    identity: &Identity,
    member: Option<&str>,
) -> Result<Option<PersonId>, AppError> {
    let Some(member) = member.map(str::trim).filter(|m| !m.is_empty()) else {
        return Ok(None);
    };
    let member = PersonId::parse(member)
        .map_err(|invalid| AppError::bad_request("member", invalid.to_string()))?;
    identity.may_change_person(state, &member).await?;
    Ok(Some(member))
}

/// Records an outcome for a party at the gate (audited).
pub async fn record_outcome(
    state: &AppState,
    identity: &Identity,
    request: &GateRequest,
) -> Result<GateRecorded, AppError> {
    let (crossing, date, person) = gate_party(
        state,
        identity,
        &request.crossing,
        &request.date,
        &request.person,
    )
    .await?;
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
    let member = gate_member(state, identity, request.member.as_deref()).await?;
    let recording = corridor_store::GateRecording {
        crossing: crossing.clone(),
        date,
        person: person.clone(),
        outcome,
        reason: reason.clone(),
    };
    let (now, actor) = (state.clock.now(), identity.username());
    let recorded = match &member {
        None => state.store.record_gate(&recording, now, actor).await?,
        Some(member) => {
            state
                .store
                .record_gate_member(&recording, member, now, actor)
                .await?
        }
    };
    Ok(GateRecorded {
        people: recorded.people.iter().map(ToString::to_string).collect(),
        outcome: recorded.state.as_str().to_string(),
    })
}

/// Records what happened to a party on a confirmed manifest: crossed,
/// turned back (with a reason) or no-show. A returnee crosses only with
/// luggage that keeps the rules in force. With `member`, only that person
/// of the party: a companion turned back alone while an adult patient (or
/// a child who keeps another companion) crosses, or the patient crossing
/// ahead; a companion never crosses before their patient, a child never
/// without a companion crossing (400, naming the rule).
#[utoipa::path(post, path = "/api/v1/gate", tag = "crossing days",
    request_body = GateRequest,
    responses((status = 200, body = GateRecorded), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn gate(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<GateRequest>,
) -> ApiResult<Json<GateRecorded>> {
    Ok(Json(record_outcome(&state, &identity, &request).await?))
}

/// An outcome recorded in error at the gate, to undo on the crossing day.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct GateUndoRequest {
    pub crossing: String,
    /// `YYYY-MM-DD`: the crossing day, which must be today.
    pub date: String,
    /// The patient (for their whole party) or the returnee.
    pub person: String,
    /// One person of the party, to undo only their outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// Why the outcome was wrong (e.g. "tapped the wrong card"). It stays
    /// in each person's history and never leaves in a report or an export.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GateUndone {
    /// The party, expected at the gate again: the patient or returnee
    /// first, then companions.
    pub people: Vec<String>,
    /// The outcome undone: `crossed`, `turned-back` or `no-show`.
    pub undone: String,
    /// Where the bed released by a turn-back or a no-show is held again.
    pub bed_held_at: Option<String>,
}

/// The longest reason an undo may give.
const UNDO_REASON_MAX_CHARS: usize = 500;

/// Undoes an outcome recorded in error at the gate (audited).
pub async fn undo_outcome(
    state: &AppState,
    identity: &Identity,
    request: &GateUndoRequest,
) -> Result<GateUndone, AppError> {
    let (crossing, date, person) = gate_party(
        state,
        identity,
        &request.crossing,
        &request.date,
        &request.person,
    )
    .await?;
    if request.reason.trim().is_empty() {
        return Err(AppError::bad_request(
            "reason",
            "say why the outcome was wrong, e.g. \"tapped the wrong card\"",
        ));
    }
    let reason = Text::parse("reason", &request.reason, UNDO_REASON_MAX_CHARS)?;
    let member = gate_member(state, identity, request.member.as_deref()).await?;
    let undo = corridor_store::GateUndo {
        crossing,
        date,
        person,
        reason,
    };
    let (now, actor) = (state.clock.now(), identity.username());
    let undone = match &member {
        None => state.store.undo_gate(&undo, now, actor).await?,
        Some(member) => {
            state
                .store
                .undo_gate_member(&undo, member, now, actor)
                .await?
        }
    };
    Ok(GateUndone {
        people: undone.people.iter().map(ToString::to_string).collect(),
        undone: undone.undone.as_str().to_string(),
        bed_held_at: undone.bed_held_at,
    })
}

/// Undoes an outcome recorded in error, on the crossing day only: the
/// party (or, with `member`, that person alone, where the party's rules
/// allow) is expected at the gate again, scheduled as before the tap, and a
/// bed released by a turn-back or a no-show is held again (refused when it
/// has gone to someone else since).
#[utoipa::path(post, path = "/api/v1/gate/undo", tag = "crossing days",
    request_body = GateUndoRequest,
    responses((status = 200, body = GateUndone), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn undo(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<GateUndoRequest>,
) -> ApiResult<Json<GateUndone>> {
    Ok(Json(undo_outcome(&state, &identity, &request).await?))
}
