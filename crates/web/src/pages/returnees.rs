//! Registering a returnee with their luggage declaration, and the luggage
//! part of a returnee's record: the declaration, its check on a crossing
//! day, and the form that changes it.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{
    Crossing, Direction, LegalBasis, LuggageDeclaration, LuggageFields, Permission, PersonId,
    ReturneeFields, Sex, format_weight_grams,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::api::params::given;
use crate::api::people::parse_person_id;
use crate::api::returnees::{
    DeclarationView, LuggageCheck, LuggageDayQuery, ReturneeFacts, declaration_field,
    declare_luggage_for, entry_crossings, entry_day, luggage_of, register_returnee_for,
};
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageError, PageResult};
use crate::pages::form::Refusal;
use crate::pages::people::person_page;
use crate::pages::{Chrome, PageRoutes, flash, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/returnees/new", new_form)
        .post("/returnees/new", register)
        .post("/people/{id}/luggage", declare)
}

/// A luggage declaration as typed in a form: every field as text, items
/// and cash one per line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LuggageForm {
    #[serde(default)]
    pub pieces: String,
    #[serde(default)]
    pub weight: String,
    #[serde(default)]
    pub items: String,
    #[serde(default)]
    pub medication_days: String,
    #[serde(default)]
    pub cash: String,
}

impl LuggageForm {
    fn fields(&self) -> LuggageFields<'_> {
        LuggageFields {
            pieces: &self.pieces,
            weight: &self.weight,
            items: self.items.lines().collect(),
            medication_days: &self.medication_days,
            cash: self.cash.lines().collect(),
        }
    }

    /// The form filled with a recorded declaration, as it would be typed.
    fn of(declaration: &DeclarationView) -> LuggageForm {
        LuggageForm {
            pieces: declaration.pieces.to_string(),
            // The form asks for kilograms.
            weight: format_weight_grams(declaration.weight_grams)
                .trim_end_matches(" kg")
                .to_string(),
            items: declaration.items.join("\n"),
            medication_days: declaration.medication_days.to_string(),
            cash: declaration.cash.join("\n"),
        }
    }
}

/// The fields of a declaration's form.
const LUGGAGE_FIELDS: [&str; 5] = ["pieces", "weight", "items", "medication_days", "cash"];

/// The refusal of a form with a declaration: an error about one of its
/// fields (`luggage.items[1]` in the API's words) is shown beside that
/// field ("line 2: …"); `other` names the form's other fields.
fn refusal_of(error: AppError, other: &[&str]) -> Result<Refusal, PageError> {
    let error = match error {
        AppError::BadRequest {
            detail,
            field: Some(field),
        } => match declaration_field(&field) {
            Some((declared, line)) => {
                let place = match line {
                    Some(line) => format!("{}, line {line}: ", declared.as_str()),
                    None => format!("{}: ", declared.as_str()),
                };
                let problem = detail.strip_prefix(&place).unwrap_or(&detail);
                AppError::BadRequest {
                    detail: match line {
                        Some(line) => format!("line {line}: {problem}"),
                        None => problem.to_string(),
                    },
                    field: Some(declared.as_str().to_string()),
                }
            }
            None => AppError::BadRequest {
                detail,
                field: Some(field),
            },
        },
        other => other,
    };
    Refusal::of(error, |field| {
        Refusal::named(field, &LUGGAGE_FIELDS).or_else(|| Refusal::named(field, other))
    })
}

/// The registration form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReturneeForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    birth_year: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    returning_from: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    crossing: String,
    #[serde(flatten)]
    luggage: LuggageForm,
}

/// The registration form's own fields, beside the declaration's.
const RETURNEE_FIELDS: [&str; 6] = [
    "name",
    "birth_year",
    "sex",
    "returning_from",
    "legal_basis",
    "crossing",
];

#[derive(Template)]
#[template(path = "returnee_new.html")]
struct ReturneePage {
    chrome: Chrome,
    form: ReturneeForm,
    refusal: Option<Refusal>,
    /// The registry's countries (code, name).
    countries: Vec<(String, String)>,
    /// The crossings people enter by (id, name).
    crossings: Vec<(String, String)>,
    sexes: &'static [Sex],
    legal_bases: &'static [LegalBasis],
}

async fn page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    form: ReturneeForm,
    refusal: Option<Refusal>,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(
        identity,
        session,
        state,
        "/returnees/new",
        "Register a returnee",
    )
    .await?;
    let reference = state.store.reference().await?;
    let status = refusal.as_ref().map_or(StatusCode::OK, Refusal::status);
    let mut response = render(&ReturneePage {
        chrome,
        form,
        refusal,
        countries: reference
            .countries
            .iter()
            .map(|country| (country.code.to_string(), country.name.to_string()))
            .collect(),
        crossings: entry_crossings(&reference.crossings)
            .map(|crossing| (crossing.id.to_string(), crossing.name.to_string()))
            .collect(),
        sexes: Sex::ALL,
        legal_bases: LegalBasis::ALL,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

async fn new_form(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    identity.require(Permission::RegisterPatients)?;
    let reference = state.store.reference().await?;
    let form = ReturneeForm {
        legal_basis: LegalBasis::Consent.as_str().to_string(),
        crossing: Crossing::soonest(
            &reference.crossings,
            &reference.quotas,
            Direction::Inbound,
            state.clock.today(),
        )
        .map(|crossing| crossing.id.to_string())
        .unwrap_or_default(),
        ..ReturneeForm::default()
    };
    Ok(page(&state, &identity, &session, form, None).await?)
}

async fn register(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<ReturneeForm>,
) -> PageResult<Response> {
    let facts = ReturneeFacts {
        person: ReturneeFields {
            id: None,
            name: given(Some(form.name.as_str())),
            birth_year: &form.birth_year,
            sex: &form.sex,
            returning_from: &form.returning_from,
            legal_basis: &form.legal_basis,
        },
        crossing: given(Some(form.crossing.as_str())),
        luggage: form.luggage.fields(),
    };
    match register_returnee_for(&state, &identity, &facts).await {
        Ok(registered) => {
            flash(
                &session,
                format!(
                    "Registered returnee {}; status {}. Their luggage declaration is checked below, and again at the gate.",
                    registered.id, registered.status
                ),
            )
            .await;
            let day = LuggageDayQuery {
                crossing: Some(registered.luggage.check.crossing),
                date: None,
            };
            Ok(Redirect::to(&record_address(&registered.id, &day)).into_response())
        }
        Err(error) => {
            let refusal = refusal_of(error, &RETURNEE_FIELDS)?;
            Ok(page(&state, &identity, &session, form, Some(refusal)).await?)
        }
    }
}

/// A returnee's record, at its luggage, checked on `day`.
fn record_address(id: &str, day: &LuggageDayQuery) -> String {
    let query = serde_urlencoded::to_string(day).unwrap_or_default();
    if query.is_empty() {
        format!("/people/{id}#luggage")
    } else {
        format!("/people/{id}?{query}#luggage")
    }
}

/// The change of a declaration as typed, with the crossing day it is
/// checked on.
#[derive(Debug, Clone, Default, Deserialize)]
struct DeclareForm {
    #[serde(default)]
    crossing: String,
    #[serde(default)]
    date: String,
    #[serde(flatten)]
    luggage: LuggageForm,
}

async fn declare(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<DeclareForm>,
) -> PageResult<Response> {
    let id = parse_person_id(&id)?;
    let day = LuggageDayQuery {
        crossing: given(Some(form.crossing.as_str())).map(str::to_string),
        date: given(Some(form.date.as_str())).map(str::to_string),
    };
    match declare_luggage_for(&state, &identity, &id, &form.luggage.fields(), &day).await {
        Ok(view) => {
            flash(
                &session,
                format!(
                    "Recorded {id}'s new luggage declaration: {}",
                    check_sentence(&view.check)
                ),
            )
            .await;
            Ok(Redirect::to(&record_address(id.as_str(), &day)).into_response())
        }
        Err(error) => {
            let refusal = refusal_of(error, &[])?;
            person_page(
                &state,
                &identity,
                &session,
                &id,
                None,
                LuggageAsked {
                    day,
                    refused: Some((form.luggage, refusal)),
                },
            )
            .await
        }
    }
}

/// A check's result in one sentence.
pub fn check_sentence(check: &LuggageCheck) -> String {
    match check.result.as_str() {
        "keeps-the-rules" => format!(
            "it keeps the luggage rules in force at {} on {}.",
            check.crossing_name, check.date
        ),
        "breaks-the-rules" => format!(
            "it breaks {} of the luggage rules in force at {} on {}; it is checked again at the gate.",
            check.violations.len(),
            check.crossing_name,
            check.date
        ),
        _ => format!(
            "no luggage rules are in force at {} on {}.",
            check.crossing_name, check.date
        ),
    }
}

/// What the luggage part of a returnee's record is asked to show.
#[derive(Debug, Default)]
pub struct LuggageAsked {
    /// The crossing day to check the declaration on.
    pub day: LuggageDayQuery,
    /// A change of the declaration that was refused, as typed, and why.
    pub refused: Option<(LuggageForm, Refusal)>,
}

/// The luggage part of a returnee's record, for the template.
pub struct LuggageSection {
    /// The crossings people enter by (id, name), for the check's day.
    pub crossings: Vec<(String, String)>,
    /// The day checked, or as typed when it was refused.
    pub crossing: String,
    pub date: String,
    /// Why the day asked for could not be checked.
    pub day_refusal: Option<Refusal>,
    pub declaration: Option<DeclarationView>,
    pub check: Option<LuggageCheck>,
    /// The form that changes the declaration: as typed when it was
    /// refused, else the declaration as recorded.
    pub form: LuggageForm,
    pub refusal: Option<Refusal>,
    pub may_change: bool,
}

impl LuggageSection {
    /// For a record `read_person` has let the user read (and audited).
    pub async fn of(
        state: &AppState,
        identity: &Identity,
        id: &PersonId,
        asked: LuggageAsked,
        read_only: bool,
    ) -> Result<LuggageSection, PageError> {
        let reference = state.store.reference().await?;
        let crossings = entry_crossings(&reference.crossings)
            .map(|crossing| (crossing.id.to_string(), crossing.name.to_string()))
            .collect();
        let asked_day = asked.day.clone();
        let (crossing, date, day_refusal, declaration, check) = match entry_day(
            state,
            asked.day.crossing.as_deref(),
            asked.day.date.as_deref(),
        )
        .await
        {
            Ok((day, name)) => {
                let luggage = luggage_of(state, id, &day, name).await?;
                let (declaration, check) = match luggage {
                    Some(luggage) => (Some(luggage.declaration), Some(luggage.check)),
                    None => (None, None),
                };
                (
                    day.crossing.to_string(),
                    day.date.to_string(),
                    None,
                    declaration,
                    check,
                )
            }
            Err(error) => {
                let refusal =
                    Refusal::of(error, |field| Refusal::named(field, &["crossing", "date"]))?;
                let declaration = state
                    .store
                    .luggage_declaration(id)
                    .await?
                    .as_ref()
                    .map(DeclarationView::of);
                (
                    asked_day.crossing.unwrap_or_default(),
                    asked_day.date.unwrap_or_default(),
                    Some(refusal),
                    declaration,
                    None,
                )
            }
        };
        let (form, refusal) = match asked.refused {
            Some((form, refusal)) => (form, Some(refusal)),
            None => (
                LuggageForm::of(
                    &declaration
                        .clone()
                        .unwrap_or_else(|| DeclarationView::of(&LuggageDeclaration::default())),
                ),
                None,
            ),
        };
        Ok(LuggageSection {
            crossings,
            crossing,
            date,
            day_refusal,
            declaration,
            check,
            form,
            refusal,
            may_change: identity.can(Permission::RegisterPatients) && !read_only,
        })
    }

    /// The status of the page: the refusal's, when something was refused.
    pub fn refused_status(&self) -> Option<StatusCode> {
        self.refusal
            .as_ref()
            .or(self.day_refusal.as_ref())
            .map(Refusal::status)
    }
}
