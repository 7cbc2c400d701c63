//! Registering a patient with companions, and the status changes made from
//! the person page.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{
    ConditionCategory, CrossingRules, LegalBasis, OrganisationKind, Permission, Relationship,
    Scope, Sex, Specialty, Tier,
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::people::parse_person_id;
use crate::api::registry::{
    CompanionRequest, RegisterRequest, TransitionRequest, register_for, transition_for,
};
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageResult};
use crate::pages::form::Refusal;
use crate::pages::people::{ACTION_FIELDS, RefusedAction, person_page};
use crate::pages::returnees::LuggageAsked;
use crate::pages::{Chrome, PageRoutes, flash, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/people/new", new_form)
        .post("/people/new", register)
        .post("/people/{id}/transitions", transition)
}

/// The registration form as typed; every field is text so that a refused
/// form comes back exactly as it was sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    birth_year: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    specialty: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    referral_date: String,
    #[serde(default)]
    referring_facility: String,
    #[serde(default)]
    return_guarantee: Option<String>,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    companion1_relationship: String,
    #[serde(default)]
    companion1_birth_year: String,
    #[serde(default)]
    companion1_sex: String,
    #[serde(default)]
    companion1_name: String,
    #[serde(default)]
    companion2_relationship: String,
    #[serde(default)]
    companion2_birth_year: String,
    #[serde(default)]
    companion2_sex: String,
    #[serde(default)]
    companion2_name: String,
}

/// One companion row of the form, for the template.
pub struct CompanionRow {
    number: usize,
    relationship: String,
    birth_year: String,
    sex: String,
    name: String,
}

impl RegisterForm {
    fn rows(&self) -> Vec<CompanionRow> {
        let row =
            |number, relationship: &str, birth_year: &str, sex: &str, name: &str| CompanionRow {
                number,
                relationship: relationship.to_string(),
                birth_year: birth_year.to_string(),
                sex: sex.to_string(),
                name: name.to_string(),
            };
        vec![
            row(
                1,
                &self.companion1_relationship,
                &self.companion1_birth_year,
                &self.companion1_sex,
                &self.companion1_name,
            ),
            row(
                2,
                &self.companion2_relationship,
                &self.companion2_birth_year,
                &self.companion2_sex,
                &self.companion2_name,
            ),
        ]
    }

    /// The same request the API takes. A companion row left blank is no
    /// companion; a row partly filled is one, and its gaps are refused.
    fn request(&self) -> RegisterRequest {
        let text = |value: &str| Some(value.to_string()).filter(|v| !v.trim().is_empty());
        RegisterRequest {
            name: text(&self.name),
            birth_year: self.birth_year.clone(),
            sex: self.sex.clone(),
            condition: self.condition.clone(),
            specialty: self.specialty.clone(),
            tier: self.tier.clone(),
            referral_date: text(&self.referral_date),
            referring_facility: text(&self.referring_facility),
            return_guarantee: self.return_guarantee.is_some(),
            legal_basis: self.legal_basis.clone(),
            companions: self
                .rows()
                .into_iter()
                .filter(|row| {
                    [&row.relationship, &row.birth_year, &row.name]
                        .iter()
                        .any(|v| !v.trim().is_empty())
                })
                .map(|row| CompanionRequest {
                    name: text(&row.name),
                    relationship: row.relationship,
                    birth_year: row.birth_year,
                    sex: row.sex,
                    legal_basis: None,
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    chrome: Chrome,
    form: RegisterForm,
    rows: Vec<CompanionRow>,
    /// Why the form was refused, when it was.
    refusal: Option<Refusal>,
    /// The referring facilities to choose from (id, name).
    organisations: Vec<(String, String)>,
    /// The user's own organisation (id, name) when they register for it
    /// only (organisation scope): the form offers no other.
    own_organisation: Option<(String, String)>,
    companion_limit: u32,
    sexes: &'static [Sex],
    conditions: &'static [ConditionCategory],
    specialties: &'static [Specialty],
    tiers: &'static [Tier],
    legal_bases: &'static [LegalBasis],
    relationships: &'static [Relationship],
}

/// The registration form's field for the API's name of a field, if the
/// form shows it: `companions[1].sex` is the second companion row's
/// `companion2_sex`.
fn register_field(field: &str) -> Option<String> {
    const PATIENT: [&str; 10] = [
        "name",
        "birth_year",
        "sex",
        "legal_basis",
        "condition",
        "specialty",
        "tier",
        "referral_date",
        "referring_facility",
        "return_guarantee",
    ];
    let Some((index, name)) = field
        .strip_prefix("companions[")
        .and_then(|rest| rest.split_once("]."))
    else {
        return Refusal::named(field, &PATIENT);
    };
    let row = index.parse::<usize>().ok().filter(|index| *index < 2)? + 1;
    matches!(name, "relationship" | "birth_year" | "sex" | "name")
        .then(|| format!("companion{row}_{name}"))
}

async fn page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    form: RegisterForm,
    refusal: Option<Refusal>,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(
        identity,
        session,
        state,
        "/people/new",
        "Register a patient",
    )
    .await?;
    let companion_limit =
        CrossingRules::companion_limit(&state.store.crossing_rules().await?, state.clock.today());
    let all = state.store.organisations().await?;
    let own_organisation = match (identity.user.scope, &identity.user.organisation) {
        (Scope::Organisation, Some(own)) => Some((
            own.to_string(),
            all.iter()
                .find(|organisation| &organisation.id == own)
                .map_or_else(|| own.to_string(), |o| o.name.to_string()),
        )),
        _ => None,
    };
    let organisations = all
        .into_iter()
        .filter(|organisation| organisation.kind == OrganisationKind::ReferringFacility)
        .map(|organisation| (organisation.id.to_string(), organisation.name.to_string()))
        .collect();
    render(&RegisterPage {
        chrome,
        rows: form.rows(),
        form,
        refusal,
        organisations,
        own_organisation,
        companion_limit,
        sexes: Sex::ALL,
        conditions: ConditionCategory::ALL,
        specialties: Specialty::ALL,
        tiers: Tier::ALL,
        legal_bases: LegalBasis::ALL,
        relationships: Relationship::ALL,
    })
}

async fn new_form(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    identity.require(Permission::RegisterPatients)?;
    let form = RegisterForm {
        referral_date: state.clock.today().to_string(),
        referring_facility: identity
            .user
            .organisation
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        legal_basis: LegalBasis::Consent.as_str().to_string(),
        ..RegisterForm::default()
    };
    Ok(page(&state, &identity, &session, form, None).await?)
}

async fn register(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<RegisterForm>,
) -> PageResult<Response> {
    match register_for(&state, &identity, &form.request()).await {
        Ok(registered) => {
            let companions = if registered.companions.is_empty() {
                String::new()
            } else {
                format!(" with companion(s) {}", registered.companions.join(", "))
            };
            flash(
                &session,
                format!(
                    "Registered patient {}{companions}; status referred. List them when the referral is medically approved.",
                    registered.id
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/people/{}", registered.id)).into_response())
        }
        Err(error) => {
            // Beside a companion's field, "companion 2: " is said by the row.
            let error = match error {
                AppError::BadRequest {
                    detail,
                    field: Some(field),
                } => AppError::BadRequest {
                    detail: field
                        .strip_prefix("companions[")
                        .and_then(|rest| rest.split_once(']'))
                        .and_then(|(index, _)| index.parse::<usize>().ok())
                        .and_then(|index| {
                            detail.strip_prefix(&format!("companion {}: ", index + 1))
                        })
                        .map_or_else(|| detail.clone(), str::to_string),
                    field: Some(field),
                },
                other => other,
            };
            let refusal = Refusal::of(error, register_field)?;
            let status = refusal.status();
            let mut response = page(&state, &identity, &session, form, Some(refusal)).await?;
            *response.status_mut() = status;
            Ok(response)
        }
    }
}

#[derive(Deserialize)]
struct TransitionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason_code: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    facility: Option<String>,
    #[serde(default)]
    expected_version: Option<String>,
}

async fn transition(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<TransitionForm>,
) -> PageResult<Response> {
    // This page judges fields of its own form before the capability
    // runs; a role without the permission is refused before that.
    identity.require(Permission::ViewPeople)?;
    let id = parse_person_id(&id)?;
    let expected_version = match form.expected_version.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            corridor_domain::digits::latin_digits(text)
                .parse::<u32>()
                .map_err(|_| {
                    AppError::bad_request(
                        "expected_version",
                        format!("'{text}' is not a version number"),
                    )
                })?,
        ),
    };
    let request = TransitionRequest {
        action: form.action,
        reason_code: form.reason_code,
        note: form.note,
        date: form.date,
        facility: form.facility,
        expected_version,
    };
    let back = Redirect::to(&format!("/people/{id}")).into_response();
    match transition_for(&state, &identity, &id, &request).await {
        Ok(done) => {
            flash(
                &session,
                format!("{id} is now {} (version {}).", done.status, done.version),
            )
            .await;
            Ok(back)
        }
        // The form again, as typed, on the record as it is now (a record
        // changed meanwhile shows its new state beside the refusal).
        Err(error) => {
            let refused = RefusedAction {
                action: request.action.clone(),
                reason_code: request.reason_code.clone().unwrap_or_default(),
                note: request.note.clone().unwrap_or_default(),
                date: request.date.clone().unwrap_or_default(),
                facility: request.facility.clone().unwrap_or_default(),
                refusal: Some(Refusal::of(error, |field| {
                    Refusal::named(field, &ACTION_FIELDS)
                })?),
            };
            person_page(
                &state,
                &identity,
                &session,
                &id,
                Some(refused),
                LuggageAsked::default(),
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_companion_field_of_the_api_is_its_row_of_the_form() {
        for (api, form) in [
            ("companions[0].sex", Some("companion1_sex")),
            ("companions[1].birth_year", Some("companion2_birth_year")),
            ("companions[2].sex", None),
            ("companions[0].legal_basis", None),
            ("birth_year", Some("birth_year")),
            ("companions", None),
        ] {
            assert_eq!(register_field(api).as_deref(), form, "{api}");
        }
    }
}
