//! Registering patients with their companions, and moving a person's status
//! by hand (the changes a role may make on the person page).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use corridor_domain::{
    Action, ActionError, ActionFacts, ActionKind, CompanionFields, PatientFields, Permission,
    PersonId, Registration, RegistrationError, Replacement, Role, Text, allowed_actions,
    registering_organisation,
};
use corridor_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiJson;
use crate::api::params::parse_optional_date;
use crate::api::people::parse_person_id;
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(transition))
        .routes(routes!(replace_companion))
}

/// A patient's referral and their companions. Enumerated fields take the
/// labels of the waiting list (e.g. `tier`: `critical`, `urgent`, `routine`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub birth_year: String,
    /// `female`, `male` or `unknown`.
    pub sex: String,
    /// e.g. `cancer`, `war-injury`.
    pub condition: String,
    /// e.g. `oncology`, `paediatrics`.
    pub specialty: String,
    pub tier: String,
    /// `YYYY-MM-DD`, not in the future; today when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_date: Option<String>,
    /// The id of the referring organisation (see `/api/v1/organisations`);
    /// the caller's organisation when absent. A user with the organisation
    /// scope registers for their own organisation only (403 otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referring_facility: Option<String>,
    #[serde(default)]
    pub return_guarantee: bool,
    /// e.g. `consent`, `vital-interest`.
    pub legal_basis: String,
    /// Up to the crossing rules' limit; a child patient needs at least one.
    #[serde(default)]
    pub companions: Vec<CompanionRequest>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CompanionRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// e.g. `parent`, `spouse`, `caregiver`.
    pub relationship: String,
    pub birth_year: String,
    pub sex: String,
    /// The patient's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    pub id: String,
    pub companions: Vec<String>,
    pub status: String,
}

/// Text that is present and not only blanks.
fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().filter(|t| !t.trim().is_empty())
}

/// Registers a patient with their companions as the signed-in user.
pub async fn register_for(
    state: &AppState,
    identity: &Identity,
    request: &RegisterRequest,
) -> Result<Registered, AppError> {
    identity.require(Permission::RegisterPatients)?;
    let today = state.clock.today();
    let referring_facility =
        registering_organisation(identity.viewer(), given(&request.referring_facility))
            .map_err(|own| {
                AppError::Forbidden(format!(
                    "you register patients for your own organisation ({own}) only; leave referring_facility out or give '{own}'"
                ))
            })?
            .unwrap_or("");
    let patient = PatientFields {
        id: None,
        name: given(&request.name),
        birth_year: &request.birth_year,
        sex: &request.sex,
        condition: &request.condition,
        specialty: &request.specialty,
        tier: &request.tier,
        referral_date: given(&request.referral_date),
        referring_facility,
        return_guarantee: request.return_guarantee,
        legal_basis: &request.legal_basis,
    };
    let companions: Vec<CompanionFields> = request
        .companions
        .iter()
        .map(|companion| CompanionFields {
            id: None,
            name: given(&companion.name),
            relationship: &companion.relationship,
            birth_year: &companion.birth_year,
            sex: &companion.sex,
            legal_basis: given(&companion.legal_basis),
        })
        .collect();
    let registration = Registration::parse(&patient, &companions, today, &mut || rand::random())
        .map_err(|error| match &error {
            RegistrationError::Patient(invalid) => {
                AppError::bad_request(invalid.field, invalid.to_string())
            }
            RegistrationError::Companion { index, invalid } => AppError::bad_request(
                &format!("companions[{index}].{}", invalid.field),
                error.to_string(),
            ),
            RegistrationError::ChildAlone { .. } => {
                AppError::bad_request("companions", error.to_string())
            }
        })?;
    state
        .store
        .register_patient(&registration, state.clock.now(), identity.username())
        .await?;
    Ok(Registered {
        id: registration.patient.id.to_string(),
        companions: registration
            .companions
            .iter()
            .map(|c| c.id.to_string())
            .collect(),
        status: corridor_domain::Status::initial(Role::Patient)
            .as_str()
            .to_string(),
    })
}

/// Registers a patient (status `referred`) with their companions; the
/// caller is recorded as the one who registered them. A child patient is
/// refused without a companion. Field errors name the field, e.g.
/// `birth_year` or `companions[0].sex`.
#[utoipa::path(post, path = "/api/v1/people", tag = "people",
    request_body = RegisterRequest,
    responses((status = 201, body = Registered), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn register(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
    identity.require(Permission::RegisterPatients)?;
    Ok((
        StatusCode::CREATED,
        Json(register_for(&state, &identity, &request).await?),
    ))
}

/// A status change by hand. Which facts it needs depends on the action:
/// `reason_code` for deny, unschedule and withdraw (and delay, where it is
/// `no-answer` when left out), with an optional `note`; `date` for delay
/// (needed by) and die (date of death); `facility` for admit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// e.g. `list`, `request-clearance`, `clear`, `deny`.
    pub action: String,
    /// A code of `GET /api/v1/reasons` of the action's kind (`denied`,
    /// `delayed`, `unscheduled`, `withdrawn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// What the code does not say; required with `other`. It stays in the
    /// person's record and never leaves in a report or an export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<String>,
    /// The record's `version` the change is based on; a change made by
    /// someone else since then makes this one fail with 409.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionView {
    pub id: String,
    pub status: String,
    pub version: u32,
    /// The status changes the caller's role may make next.
    pub allowed_actions: Vec<String>,
}

/// The status changes `identity` may make to a person of `role` on `line`:
/// those of the user's role that the status machine allows.
pub fn actions_for(
    identity: &Identity,
    role: Role,
    line: &corridor_domain::StatusLine,
) -> Vec<ActionKind> {
    let mine = identity.user.role.status_actions();
    allowed_actions(role, line)
        .into_iter()
        .filter(|kind| mine.contains(kind))
        .collect()
}

/// Applies one status change as the signed-in user, within their scope
/// (a record opened by breaking the glass is read only: 403).
pub async fn transition_for(
    state: &AppState,
    identity: &Identity,
    id: &PersonId,
    request: &TransitionRequest,
) -> Result<TransitionView, AppError> {
    identity.require(Permission::ViewPeople)?;
    let kind = ActionKind::parse(&request.action)
        .map_err(|invalid| AppError::bad_request("action", invalid.to_string()))?;
    let mine = identity.user.role.status_actions();
    if !mine.contains(&kind) {
        let allowed: Vec<&str> = mine.iter().map(|k| k.as_str()).collect();
        return Err(AppError::Forbidden(format!(
            "your role ({}) may not {kind} a person; it may {}",
            identity.user.role.label(),
            if allowed.is_empty() {
                "make no status change by hand".to_string()
            } else {
                allowed.join(", ")
            }
        )));
    }
    identity.may_change_person(state, id).await?;
    let today = state.clock.today();
    let date = parse_optional_date("date", request.date.as_deref())?;
    if kind.reason_kind().is_none()
        && (given(&request.reason_code).is_some() || given(&request.note).is_some())
    {
        return Err(AppError::bad_request(
            "reason_code",
            format!("{kind} takes no reason; leave reason_code and note out"),
        ));
    }
    let facts = ActionFacts {
        reason_code: given(&request.reason_code),
        note: given(&request.note),
        date,
        facility: given(&request.facility),
        crossing: None,
    };
    let action = Action::from_kind(kind, &facts, today).map_err(|error| match &error {
        ActionError::Missing { .. } => AppError::bad_request(error.field(), error.to_string()),
        ActionError::Invalid(invalid) => AppError::bad_request(invalid.field, invalid.to_string()),
    })?;
    action
        .check_reason(&state.store.reason_codes().await?)
        .map_err(|invalid| AppError::bad_request(invalid.field, invalid.to_string()))?;
    if let Action::Admit { facility } = &action {
        let known = state
            .store
            .reference()
            .await?
            .facilities
            .iter()
            .any(|f| &f.id == facility);
        if !known {
            return Err(AppError::bad_request(
                "facility",
                format!(
                    "no facility {facility} is registered; choose one of the receiving facilities"
                ),
            ));
        }
    }
    let done = state
        .store
        .transition(
            id,
            request.expected_version,
            action,
            None::<Text>,
            state.clock.now(),
            identity.username(),
        )
        .await
        .map_err(|error| match error {
            StoreError::Conflict {
                subject: id,
                current,
                ..
            } => AppError::Conflict(format!(
                "{id} was changed by someone else meanwhile (it is now at version {current}); look again and decide on what it is now"
            )),
            other => AppError::from(other),
        })?;
    Ok(TransitionView {
        id: id.to_string(),
        status: done.line.status.as_str().to_string(),
        version: done.line.version,
        allowed_actions: actions_for(identity, done.role, &done.line)
            .into_iter()
            .map(|k| k.as_str().to_string())
            .collect(),
    })
}

/// Changes a person's status: only the changes of the caller's role that
/// the person's status allows (403 for an action the role may not take,
/// 409 for one the status does not allow or a stale `expected_version`).
/// Scheduling is done by confirming a day plan, crossing at the gate.
#[utoipa::path(post, path = "/api/v1/people/{id}/transitions", tag = "people",
    params(("id" = String, Path, description = "Person id")),
    request_body = TransitionRequest,
    responses((status = 200, body = TransitionView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn transition(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<TransitionRequest>,
) -> ApiResult<Json<TransitionView>> {
    identity.require(Permission::ViewPeople)?;
    let id = parse_person_id(&id)?;
    Ok(Json(
        transition_for(&state, &identity, &id, &request).await?,
    ))
}

/// A companion who cannot travel, replaced by another family member.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ReplaceCompanionRequest {
    /// The id of the companion replaced: denied clearance, turned back at
    /// the gate, withdrawn or died.
    pub companion: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// e.g. `parent`, `sibling`, `spouse`.
    pub relationship: String,
    pub birth_year: String,
    /// `female`, `male` or `unknown`.
    pub sex: String,
    /// The patient's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    /// Why; it stays in the replaced companion's history and never leaves
    /// in a report or an export.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompanionReplaced {
    pub patient: String,
    pub replaced: String,
    /// The new companion, `listed`: their clearance is requested like any
    /// new companion's.
    pub replacement: String,
    /// The replaced companion was withdrawn by the replacement (false when
    /// they had already left the list).
    pub withdrawn: bool,
}

/// Replaces a companion of `patient` as the signed-in user, within their
/// scope: the one path of the page and the API.
pub async fn replace_companion_for(
    state: &AppState,
    identity: &Identity,
    patient: &PersonId,
    request: &ReplaceCompanionRequest,
) -> Result<CompanionReplaced, AppError> {
    identity.require(Permission::RegisterPatients)?;
    identity.may_change_person(state, patient).await?;
    let record =
        state.store.person(patient).await?.ok_or_else(|| {
            AppError::NotFound(format!("no person with id {patient} is registered"))
        })?;
    let fields = CompanionFields {
        id: None,
        name: given(&request.name),
        relationship: &request.relationship,
        birth_year: &request.birth_year,
        sex: &request.sex,
        legal_basis: given(&request.legal_basis),
    };
    let replacement = Replacement::parse(
        &record.person,
        &request.companion,
        &fields,
        &request.reason,
        state.clock.today(),
        &mut || rand::random(),
    )
    .map_err(|invalid| AppError::bad_request(invalid.field, invalid.to_string()))?;
    let done = state
        .store
        .replace_companion(&replacement, state.clock.now(), identity.username())
        .await?;
    Ok(CompanionReplaced {
        patient: done.patient.to_string(),
        replaced: done.replaced.to_string(),
        replacement: done.replacement.to_string(),
        withdrawn: done.withdrawn,
    })
}

/// Replaces a companion who cannot travel (denied clearance, turned back,
/// withdrawn, died) with another family member, registered as a new
/// companion of the same patient within the crossing rules' companion
/// limit. The replaced companion keeps their record and history and
/// leaves the list (withdrawn, reason `replaced`); the patient keeps their
/// place. Field errors name the field (`companion`, `birth_year`, `reason` …).
#[utoipa::path(post, path = "/api/v1/people/{id}/replace-companion", tag = "people",
    params(("id" = String, Path, description = "The patient")),
    request_body = ReplaceCompanionRequest,
    responses((status = 201, body = CompanionReplaced), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn replace_companion(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ReplaceCompanionRequest>,
) -> ApiResult<(StatusCode, Json<CompanionReplaced>)> {
    let patient = parse_person_id(&id)?;
    Ok((
        StatusCode::CREATED,
        Json(replace_companion_for(&state, &identity, &patient, &request).await?),
    ))
}
