//! Returnees (people abroad going back in): registered with their luggage
//! declaration, the declaration replaced, and its check against the luggage
//! rules in force on a crossing day. The CLI (`corridor returnees add`,
//! `corridor luggage declare|check`) calls the same store functions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use corridor_domain::{
    Case, Crossing, CrossingDay, DeclarationError, DeclarationField, Direction, LuggageDeclaration,
    LuggageFields, LuggageRuleSet, Permission, PersonId, ReturneeFields, Role, Status, Violation,
    format_weight_grams,
};
use corridor_store::NewAuditEntry;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::days::resolve_day;
use crate::api::params::given;
use crate::api::people::parse_person_id;
use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(declare))
        .routes(routes!(check))
}

/// What a returnee carries. Items and cash are one entry each, in the
/// words of the command line: `3x clothing`, `electronics:phone`, `900 ILS`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct LuggageRequest {
    /// Pieces of luggage; 0 when absent.
    #[serde(default)]
    pub pieces: u32,
    /// The total weight: kilograms when no unit is given (`14`), or with
    /// a unit (`14 kg`, `750 g`). Needed when there are pieces.
    #[serde(default)]
    pub weight: String,
    /// `[Nx ]category[:description]`, e.g. `3x clothing`; categories:
    /// clothing, food, documents, medication, hygiene, liquids, metal,
    /// electronics, cigarettes, other.
    #[serde(default)]
    pub items: Vec<String>,
    /// Days of supply of the medication carried; 0 when absent.
    #[serde(default)]
    pub medication_days: u32,
    /// An amount and a currency each, e.g. `900 ILS`.
    #[serde(default)]
    pub cash: Vec<String>,
}

impl LuggageRequest {
    /// The fields as typed, for [`LuggageDeclaration::parse`], with this
    /// request's numbers written as `pieces` and `medication_days`.
    fn fields<'a>(&'a self, pieces: &'a str, medication_days: &'a str) -> LuggageFields<'a> {
        LuggageFields {
            pieces,
            weight: &self.weight,
            items: self.items.iter().map(String::as_str).collect(),
            medication_days,
            cash: self.cash.iter().map(String::as_str).collect(),
        }
    }
}

/// A declaration's error as the API names its field: `weight`, or
/// `items[1]` for the second entry, after `prefix` (`luggage.` in a
/// registration).
pub fn declaration_error(prefix: &str, error: &DeclarationError) -> AppError {
    let field = match error.line {
        Some(line) => format!("{prefix}{}[{}]", error.field.as_str(), line - 1),
        None => format!("{prefix}{}", error.field.as_str()),
    };
    AppError::bad_request(&field, error.to_string())
}

/// Which field of a declaration an API name is, and its line (from 1):
/// `luggage.items[1]` is the items' line 2. `None` for other fields.
pub fn declaration_field(api_field: &str) -> Option<(DeclarationField, Option<usize>)> {
    let name = api_field.strip_prefix("luggage.").unwrap_or(api_field);
    let (name, line) = match name.split_once('[') {
        Some((name, index)) => {
            let index: usize = index.strip_suffix(']')?.parse().ok()?;
            (name, Some(index + 1))
        }
        None => (name, None),
    };
    let field = [
        DeclarationField::Pieces,
        DeclarationField::Weight,
        DeclarationField::Items,
        DeclarationField::MedicationDays,
        DeclarationField::Cash,
    ]
    .into_iter()
    .find(|field| field.as_str() == name)?;
    Some((field, line))
}

/// A returnee and what they carry. Enumerated fields take the labels of
/// the waiting list (e.g. `sex`: `female`, `male`, `unknown`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ReturneeRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub birth_year: String,
    pub sex: String,
    /// The two-letter code of a registered country, e.g. `EG`.
    pub returning_from: String,
    /// e.g. `consent`, `vital-interest`.
    pub legal_basis: String,
    /// The crossing they will enter by (its id, e.g. `rafah`); the one
    /// returnees enter by soonest when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossing: Option<String>,
    pub luggage: LuggageRequest,
}

/// A returnee's registration as typed, the one shape the page and the API
/// give it in.
pub struct ReturneeFacts<'a> {
    pub person: ReturneeFields<'a>,
    /// The crossing they will enter by; the one returnees enter by soonest
    /// when `None`.
    pub crossing: Option<&'a str>,
    pub luggage: LuggageFields<'a>,
}

/// The crossing day a luggage check is for, as a query: both may be left out.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LuggageDayQuery {
    /// A crossing people enter by, e.g. `rafah`; default: the one
    /// returnees enter by soonest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossing: Option<String>,
    /// `YYYY-MM-DD`; default: the crossing's next day with returnees in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// A declaration as it is recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeclarationView {
    pub pieces: u32,
    pub weight_grams: u32,
    /// e.g. `14 kg`.
    pub weight: String,
    /// In the form a request takes, e.g. `3x clothing`.
    pub items: Vec<String>,
    pub medication_days: u32,
    /// e.g. `900 ILS`.
    pub cash: Vec<String>,
}

impl DeclarationView {
    pub fn of(declaration: &LuggageDeclaration) -> DeclarationView {
        DeclarationView {
            pieces: declaration.pieces,
            weight_grams: declaration.weight_grams,
            weight: format_weight_grams(declaration.weight_grams),
            items: declaration.items.iter().map(ToString::to_string).collect(),
            medication_days: declaration.medication_days,
            cash: declaration.cash.iter().map(ToString::to_string).collect(),
        }
    }
}

/// The luggage rule set a declaration was checked against.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RulesView {
    pub version: u32,
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// e.g. `1 piece, no liquids, metal, electronics, cigarettes, cash ≤ 2000 ILS`.
    pub summary: String,
    pub source: String,
}

/// One rule a declaration breaks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ViolationView {
    /// `pieces`, `weight`, `forbidden-item`, `medication` or `cash`.
    pub rule: String,
    /// The item or cash at fault, as declared.
    pub item: Option<String>,
    /// In plain words, e.g. `electronics 'laptop' is not allowed`.
    pub message: String,
}

/// A declaration checked against the rules in force on a crossing day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LuggageCheck {
    pub crossing: String,
    pub crossing_name: String,
    pub date: String,
    /// `keeps-the-rules`, `breaks-the-rules` (it is checked again at the
    /// gate) or `no-rules-in-force`.
    pub result: String,
    pub rules: Option<RulesView>,
    pub violations: Vec<ViolationView>,
}

impl LuggageCheck {
    fn of(
        day: &CrossingDay,
        crossing_name: String,
        checked: Option<(LuggageRuleSet, Vec<Violation>)>,
    ) -> LuggageCheck {
        let (result, rules, violations) = match checked {
            None => ("no-rules-in-force", None, Vec::new()),
            Some((set, violations)) => (
                if violations.is_empty() {
                    "keeps-the-rules"
                } else {
                    "breaks-the-rules"
                },
                Some(RulesView {
                    version: set.version,
                    valid_from: set.valid_from.to_string(),
                    valid_to: set.valid_to.map(|date| date.to_string()),
                    summary: set.describe(),
                    source: set.source.to_string(),
                }),
                violations,
            ),
        };
        LuggageCheck {
            crossing: day.crossing.to_string(),
            crossing_name,
            date: day.date.to_string(),
            result: result.to_string(),
            rules,
            violations: violations
                .into_iter()
                .map(|violation| ViolationView {
                    rule: violation.rule.as_str().to_string(),
                    item: violation.item,
                    message: violation.message,
                })
                .collect(),
        }
    }
}

/// A returnee's declaration and its check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LuggageView {
    pub declaration: DeclarationView,
    pub check: LuggageCheck,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredReturnee {
    pub id: String,
    pub status: String,
    pub luggage: LuggageView,
}

/// The crossing day of a luggage check: the crossing given, or the one
/// returnees enter by soonest ([`Crossing::soonest`] inbound); the date
/// given, or that crossing's next day with returnees in. A crossing that
/// lets no one in is refused.
pub async fn entry_day(
    state: &AppState,
    crossing: Option<&str>,
    date: Option<&str>,
) -> Result<(CrossingDay, String), AppError> {
    let reference = state.store.reference().await?;
    let crossing = match given(crossing) {
        Some(crossing) => crossing.to_string(),
        None => Crossing::soonest(
            &reference.crossings,
            &reference.quotas,
            Direction::Inbound,
            state.clock.today(),
        )
        .map(|crossing| crossing.id.to_string())
        .ok_or_else(|| {
            AppError::bad_request(
                "crossing",
                "no crossing is registered yet; load reference data first",
            )
        })?,
    };
    let day = resolve_day(
        state,
        Some(crossing.as_str()),
        date,
        Some(Direction::Inbound),
    )
    .await?;
    let known = reference
        .crossings
        .iter()
        .find(|crossing| crossing.id == day.crossing)
        .ok_or_else(|| AppError::bad_request("crossing", "no such crossing is registered"))?;
    if !known.directions.contains(&Direction::Inbound) {
        let entries: Vec<&str> = entry_crossings(&reference.crossings)
            .map(|crossing| crossing.name.as_str())
            .collect();
        return Err(AppError::bad_request(
            "crossing",
            format!(
                "{} lets no one in; returnees enter by {}",
                known.name,
                if entries.is_empty() {
                    "no registered crossing".to_string()
                } else {
                    entries.join(" or ")
                }
            ),
        ));
    }
    Ok((day, known.name.to_string()))
}

/// The crossings people enter by, in the order they are registered.
pub fn entry_crossings(crossings: &[Crossing]) -> impl Iterator<Item = &Crossing> {
    crossings
        .iter()
        .filter(|crossing| crossing.directions.contains(&Direction::Inbound))
}

/// Registers a returnee with their luggage declaration as the signed-in
/// user, and checks it against the rules in force on their crossing day.
pub async fn register_returnee_for(
    state: &AppState,
    identity: &Identity,
    facts: &ReturneeFacts<'_>,
) -> Result<RegisteredReturnee, AppError> {
    identity.require(Permission::RegisterPatients)?;
    let person = facts
        .person
        .parse(state.clock.today(), &mut || rand::random())?;
    let declaration = LuggageDeclaration::parse(&facts.luggage)
        .map_err(|error| declaration_error("luggage.", &error))?;
    let (day, crossing_name) = entry_day(state, facts.crossing, None).await?;
    let now = state.clock.now();
    let case = Case::register(person, now, identity.username());
    state
        .store
        .register_returnee(
            &case,
            &declaration,
            &NewAuditEntry::returnee_registered(&case, &day.crossing, now, identity.username()),
        )
        .await?;
    let id = &case.person.id;
    let checked = state
        .store
        .check_luggage_of(id, &day.crossing, day.date)
        .await?;
    Ok(RegisteredReturnee {
        id: id.to_string(),
        status: Status::initial(Role::Returnee).as_str().to_string(),
        luggage: LuggageView {
            declaration: DeclarationView::of(&declaration),
            check: LuggageCheck::of(&day, crossing_name, checked),
        },
    })
}

/// Replaces a returnee's declaration (within the user's scope) and checks
/// the new one on the crossing day asked for.
pub async fn declare_luggage_for(
    state: &AppState,
    identity: &Identity,
    id: &PersonId,
    luggage: &LuggageFields<'_>,
    day: &LuggageDayQuery,
) -> Result<LuggageView, AppError> {
    identity.require(Permission::RegisterPatients)?;
    identity.may_change_person(state, id).await?;
    let declaration =
        LuggageDeclaration::parse(luggage).map_err(|error| declaration_error("", &error))?;
    let (day, crossing_name) =
        entry_day(state, day.crossing.as_deref(), day.date.as_deref()).await?;
    state
        .store
        .declare_luggage(id, &declaration, state.clock.now(), identity.username())
        .await?;
    let checked = state
        .store
        .check_luggage_of(id, &day.crossing, day.date)
        .await?;
    Ok(LuggageView {
        declaration: DeclarationView::of(&declaration),
        check: LuggageCheck::of(&day, crossing_name, checked),
    })
}

/// A returnee's declaration and its check on a crossing day, for a caller
/// that has read the record (`read_person` checked the scope and audited
/// the read): the record page. `None` when nothing is declared.
pub async fn luggage_of(
    state: &AppState,
    id: &PersonId,
    day: &CrossingDay,
    crossing_name: String,
) -> Result<Option<LuggageView>, AppError> {
    let Some(declaration) = state.store.luggage_declaration(id).await? else {
        return Ok(None);
    };
    let checked = state
        .store
        .check_luggage_of(id, &day.crossing, day.date)
        .await?;
    Ok(Some(LuggageView {
        declaration: DeclarationView::of(&declaration),
        check: LuggageCheck::of(day, crossing_name, checked),
    }))
}

/// A returnee's declaration checked on a crossing day, within the user's
/// scope; the read is audited as a read of the record.
pub async fn luggage_check_for(
    state: &AppState,
    identity: &Identity,
    id: &PersonId,
    day: &LuggageDayQuery,
) -> Result<LuggageView, AppError> {
    identity.require(Permission::ViewPeople)?;
    identity.may_read_person(state, id).await?;
    let (day, crossing_name) =
        entry_day(state, day.crossing.as_deref(), day.date.as_deref()).await?;
    state
        .store
        .record(&NewAuditEntry {
            at: state.clock.now(),
            actor: identity.username().to_string(),
            action: "person.read".to_string(),
            subject: id.to_string(),
            detail: serde_json::json!({ "via": identity.via.as_str(), "part": "luggage" }),
        })
        .await?;
    luggage_of(state, id, &day, crossing_name)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "{id} has no luggage declaration; luggage is declared by returnees"
            ))
        })
}

/// Registers a returnee (status `listed`) with their luggage declaration,
/// and checks it against the luggage rules in force on their crossing's
/// next day with returnees in: a declaration that breaks them is kept (the
/// person can change what they bring) and checked again at the gate.
/// Field errors name the field, e.g. `birth_year`, `luggage.weight` or
/// `luggage.items[1]` (the second item).
#[utoipa::path(post, path = "/api/v1/returnees", tag = "people",
    request_body = ReturneeRequest,
    responses((status = 201, body = RegisteredReturnee), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn register(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<ReturneeRequest>,
) -> ApiResult<(StatusCode, Json<RegisteredReturnee>)> {
    let person = ReturneeFields {
        id: None,
        name: given(request.name.as_deref()),
        birth_year: &request.birth_year,
        sex: &request.sex,
        returning_from: &request.returning_from,
        legal_basis: &request.legal_basis,
    };
    let pieces = request.luggage.pieces.to_string();
    let medication_days = request.luggage.medication_days.to_string();
    let facts = ReturneeFacts {
        person,
        crossing: request.crossing.as_deref(),
        luggage: request.luggage.fields(&pieces, &medication_days),
    };
    let registered = register_returnee_for(&state, &identity, &facts).await?;
    Ok((StatusCode::CREATED, Json(registered)))
}

/// Replaces a returnee's luggage declaration and answers its check on the
/// crossing day of the query (default: the next day returnees enter).
#[utoipa::path(put, path = "/api/v1/people/{id}/luggage", tag = "people",
    params(("id" = String, Path, description = "Returnee id, e.g. R-7KQ2M9XA"), LuggageDayQuery),
    request_body = LuggageRequest,
    responses((status = 200, body = LuggageView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn declare(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(id): Path<String>,
    ApiQuery(day): ApiQuery<LuggageDayQuery>,
    ApiJson(request): ApiJson<LuggageRequest>,
) -> ApiResult<Json<LuggageView>> {
    let id = parse_person_id(&id)?;
    let pieces = request.pieces.to_string();
    let medication_days = request.medication_days.to_string();
    let luggage = request.fields(&pieces, &medication_days);
    let view = declare_luggage_for(&state, &identity, &id, &luggage, &day).await?;
    Ok(Json(view))
}

/// A returnee's luggage declaration checked against the luggage rules in
/// force on a crossing day (default: the next day returnees enter). The
/// read is audited.
#[utoipa::path(get, path = "/api/v1/people/{id}/luggage-check", tag = "people",
    params(("id" = String, Path, description = "Returnee id, e.g. R-7KQ2M9XA"), LuggageDayQuery),
    responses((status = 200, body = LuggageView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn check(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(id): Path<String>,
    ApiQuery(day): ApiQuery<LuggageDayQuery>,
) -> ApiResult<Json<LuggageView>> {
    let id = parse_person_id(&id)?;
    Ok(Json(luggage_check_for(&state, &identity, &id, &day).await?))
}
