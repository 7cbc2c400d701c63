//! Replacing a companion who cannot travel, from the patient's record: a
//! form for the new companion and the reason, kept as typed when refused.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{Permission, PersonId, Relationship, Sex};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::people::parse_person_id;
use crate::api::registry::{ReplaceCompanionRequest, replace_companion_for};
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageError, PageResult};
use crate::pages::form::{Refusal, answer};
use crate::pages::{Chrome, PageRoutes, flash, render};
use crate::state::AppState;

pub(super) fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/people/{id}/replace-companion", form)
        .post("/people/{id}/replace-companion", replace)
}

/// The fields of the form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct ReplaceForm {
    #[serde(default)]
    companion: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    relationship: String,
    #[serde(default)]
    birth_year: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    reason: String,
}

/// The fields a refusal may name; anything else is said above the form.
const FIELDS: [&str; 6] = [
    "companion",
    "name",
    "relationship",
    "birth_year",
    "sex",
    "reason",
];

#[derive(Template)]
#[template(path = "replace_companion.html")]
struct ReplacePage {
    chrome: Chrome,
    patient: String,
    /// The patient's companions who may be replaced now.
    replaceable: Vec<String>,
    typed: ReplaceForm,
    refusal: Option<Refusal>,
    relationships: &'static [Relationship],
    sexes: &'static [Sex],
}

impl ReplacePage {
    /// A companion typed that the list does not offer (one that cannot be
    /// replaced, whose refusal is shown): kept in the choice as typed.
    fn other_companion(&self) -> bool {
        !self.typed.companion.is_empty() && !self.replaceable.contains(&self.typed.companion)
    }
}

#[derive(Debug, Default, Deserialize)]
struct Asked {
    #[serde(default)]
    companion: String,
}

async fn form(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Query(asked): Query<Asked>,
) -> PageResult<Response> {
    let patient = parse_person_id(&id)?;
    let typed = ReplaceForm {
        companion: asked.companion,
        ..ReplaceForm::default()
    };
    page(&state, &identity, &session, &patient, typed, None).await
}

async fn page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    patient: &PersonId,
    typed: ReplaceForm,
    refusal: Option<Refusal>,
) -> PageResult<Response> {
    identity.require(Permission::RegisterPatients)?;
    identity.may_change_person(state, patient).await?;
    let replaceable = state
        .store
        .companions_of(patient)
        .await?
        .into_iter()
        .filter(|companion| companion.replaceable)
        .map(|companion| companion.id.to_string())
        .collect();
    let chrome = Chrome::new(
        identity,
        session,
        state,
        "/people",
        format!("Replace a companion of {patient}"),
    )
    .await?;
    let response = render(&ReplacePage {
        chrome,
        patient: patient.to_string(),
        replaceable,
        typed,
        refusal: refusal.clone(),
        relationships: Relationship::ALL,
        sexes: Sex::ALL,
    })?;
    Ok(answer(response, refusal.as_ref()))
}

async fn replace(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Form(typed): Form<ReplaceForm>,
) -> PageResult<Response> {
    let patient = parse_person_id(&id)?;
    let given = |text: &str| Some(text.to_string()).filter(|t| !t.trim().is_empty());
    let request = ReplaceCompanionRequest {
        companion: typed.companion.clone(),
        name: given(&typed.name),
        relationship: typed.relationship.clone(),
        birth_year: typed.birth_year.clone(),
        sex: typed.sex.clone(),
        legal_basis: None,
        reason: typed.reason.clone(),
    };
    match replace_companion_for(&state, &identity, &patient, &request).await {
        Ok(done) => {
            flash(
                &session,
                format!(
                    "{} replaces {} as a companion of {}: listed, their clearance is to be requested. {} keeps their place in the list.",
                    done.replacement, done.replaced, done.patient, done.patient
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/people/{patient}#companions")).into_response())
        }
        Err(error @ (AppError::BadRequest { .. } | AppError::Conflict(_))) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &FIELDS))?;
            page(&state, &identity, &session, &patient, typed, Some(refusal)).await
        }
        Err(error) => Err(PageError(error)),
    }
}
