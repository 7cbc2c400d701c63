//! The waiting list and the person page.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{ActionKind, Language, Permission, PersonId, ReasonCatalogue};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::contacts::{
    ContactRequest, ContactView, add_contact_for, contacts_for, remove_contact_for,
};
use crate::api::people::{
    ListQuery, PeoplePage, PersonView, break_glass_for, list_for, parse_person_id, read_person,
};
use crate::api::reasons::choices;
use crate::api::returnees::LuggageDayQuery;
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageError, PageResult};
use crate::i18n::Words;
use crate::pages::form::{Refusal, answer};
use crate::pages::returnees::{LuggageAsked, LuggageSection};
use crate::pages::time;
use crate::pages::{Chrome, PageRoutes, count, flash, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/people", list)
        .get("/people/{id}", show)
        .post("/people/{id}/break-glass", break_glass)
        .post("/people/{id}/contacts", add_contact)
        .post("/people/{id}/contacts/remove", remove_contact)
}

#[derive(Template)]
#[template(path = "people.html")]
struct ListPage {
    chrome: Chrome,
    refusal: Option<Refusal>,
    query: ListQuery,
    page: PeoplePage,
    previous: Option<String>,
    next: Option<String>,
    /// How many people match, in a sentence.
    matching: String,
    /// "Page 3 of 400."
    page_of: String,
    /// Why nobody is listed, when nobody is.
    empty: Option<String>,
    tiers: &'static [corridor_domain::Tier],
    statuses: &'static [corridor_domain::Status],
    specialties: &'static [corridor_domain::Specialty],
    age_groups: &'static [corridor_domain::AgeGroup],
}

async fn list(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<ListQuery>,
) -> PageResult<Response> {
    // A filter or search that cannot be taken comes back as typed, with
    // the message beside its field and nobody listed.
    let (page, refusal) = match list_for(&state, &identity, &query).await {
        Ok(page) => (page, None),
        Err(error @ AppError::BadRequest { .. }) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &FILTER_FIELDS))?;
            (PeoplePage::default(), Some(refusal))
        }
        Err(error) => return Err(PageError(error)),
    };
    // Next and previous start from the page's last and first rows, so
    // walking the list neither skips nor repeats anyone when rows come and go.
    let link = |after: Option<&String>, before: Option<&String>| {
        let walk = ListQuery {
            page: None,
            after: after.cloned(),
            before: before.cloned(),
            ..query.clone()
        };
        format!(
            "/people?{}",
            serde_urlencoded::to_string(&walk).unwrap_or_default()
        )
    };
    let previous = page
        .previous_before
        .as_ref()
        .map(|before| link(None, Some(before)));
    let next = page
        .next_after
        .as_ref()
        .map(|after| link(Some(after), None));
    let words = identity.words;
    let chrome = Chrome::new(
        &identity,
        &session,
        &state,
        "/people",
        words.t("people-title"),
    )
    .await?;
    let empty = if page.total == 0 && refusal.is_none() {
        Some(why_empty(
            words,
            &query,
            scope_sentence(&state, &identity).await?,
        ))
    } else {
        None
    };
    let response = render(&ListPage {
        chrome,
        refusal: refusal.clone(),
        matching: matching_sentence(words, page.total, identity.visibility().is_some()),
        page_of: words.t2("people-page-of", ("page", page.page), ("pages", page.pages)),
        empty,
        query,
        page,
        previous,
        next,
        tiers: corridor_domain::Tier::ALL,
        statuses: corridor_domain::Status::ALL,
        specialties: corridor_domain::Specialty::ALL,
        age_groups: corridor_domain::AgeGroup::ALL,
    })?;
    Ok(answer(response, refusal.as_ref()))
}

/// How many people match the filters, and whether only within the user's
/// scope.
fn matching_sentence(words: Words, total: u64, scoped: bool) -> String {
    let id = if scoped {
        "people-count-in-scope"
    } else {
        "people-count"
    };
    words.t2(id, ("count", total), ("shown", count(total)))
}

/// The typed fields of the list's form, where a refusal is shown beside
/// its field; a refusal of anything else (a choice or a page link edited
/// by hand) is said above the list.
const FILTER_FIELDS: [&str; 2] = ["q", "waited_more_than"];

/// Whom a scoped user sees, in a sentence; `None` for a user who sees
/// everyone.
async fn scope_sentence(state: &AppState, identity: &Identity) -> Result<Option<String>, AppError> {
    let words = identity.words;
    let Some(visibility) = identity.visibility() else {
        return Ok(None);
    };
    let Some(organisation) = visibility.organisation else {
        return Ok(Some(words.t("scope-own")));
    };
    let name = state
        .store
        .organisations()
        .await?
        .into_iter()
        .find(|o| o.id == organisation)
        .map_or_else(|| organisation.to_string(), |o| o.name.to_string());
    Ok(Some(words.t1("scope-organisation", "organisation", name)))
}

/// Why the waiting list is empty: the filters that matched nobody, and
/// the user's scope when it narrows the list.
fn why_empty(words: Words, query: &ListQuery, scope: Option<String>) -> String {
    let filters: Vec<String> = [
        ("filter-q", &query.q),
        ("filter-role", &query.role),
        ("filter-tier", &query.tier),
        ("filter-status", &query.status),
        ("filter-specialty", &query.specialty),
        ("filter-age", &query.age_group),
        ("filter-waited-more-than", &query.waited_more_than),
        ("filter-waited-less-than", &query.waited_less_than),
    ]
    .into_iter()
    .filter_map(|(label, value)| {
        let value = value.as_deref()?.trim();
        (!value.is_empty()).then(|| words.t1(label, "value", value))
    })
    .collect();
    let why = if filters.is_empty() {
        words.t("empty-nobody-waiting")
    } else {
        words.t2(
            "empty-no-match",
            ("count", filters.len()),
            ("filters", filters.join(", ")),
        )
    };
    match scope {
        Some(scope) => words.t2("empty-and-scope", ("why", why), ("scope", scope)),
        None => why,
    }
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    chrome: Chrome,
    person: PersonView,
    /// "14:30, 2026-02-01 (UTC)" when the record is open by breaking the
    /// glass: read only until then.
    read_only_until: Option<String>,
    actions: Vec<ActionForm>,
    /// Receiving facilities (id, name), for the admit form.
    facilities: Vec<(String, String)>,
    /// A refused change whose form the record no longer offers (it changed
    /// meanwhile): said at the top, over the record as it is now.
    refused_elsewhere: Option<Refusal>,
    /// A returnee's luggage: the declaration, its check, the form to change it.
    luggage: Option<LuggageSection>,
    /// The person's phone numbers and the form to add one.
    contacts: ContactsSection,
    /// A patient's companions with their status and replacements.
    companions: Vec<CompanionRow>,
    /// The user may replace a companion who cannot travel.
    may_replace: bool,
}

/// A companion on the patient's record.
struct CompanionRow {
    id: String,
    status: String,
    replaceable: bool,
    replaced_by: Option<String>,
    replaces: Option<String>,
}

/// The contacts of a record: the list, whether the user may change it, and
/// the add form as typed when it was refused.
struct ContactsSection {
    list: Vec<ContactView>,
    may_edit: bool,
    typed: ContactForm,
    refusal: Option<Refusal>,
    languages: Vec<(&'static str, &'static str)>,
}

/// The add-a-contact form as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    language: String,
}

/// The fields of the add-a-contact form, named as the errors name them.
const CONTACT_FIELDS: [&str; 3] = ["phone", "label", "language"];

/// One status change the user may make now, with the facts it needs.
struct ActionForm {
    kind: &'static str,
    label: String,
    /// The reason codes to choose from, as (code, label), when the action
    /// takes a reason; a note may go with it.
    reasons: Vec<(String, String)>,
    /// The code chosen unless the user picks another (a delay's
    /// `no-answer`); none where the user must choose.
    default_reason: Option<String>,
    /// The label of the date it needs, if any.
    date_label: Option<&'static str>,
    needs_facility: bool,
    /// Takes the person off the list or refuses them.
    grave: bool,
    /// What was typed in this form when it was refused, and why.
    typed: RefusedAction,
}

/// A status change the form sent and the server refused: shown again in
/// its form, as typed, with the message next to the field at fault.
#[derive(Debug, Clone, Default)]
pub struct RefusedAction {
    pub action: String,
    pub reason_code: String,
    pub note: String,
    pub date: String,
    pub facility: String,
    pub refusal: Option<Refusal>,
}

/// The fields of a status change form.
pub const ACTION_FIELDS: [&str; 4] = ["reason_code", "note", "date", "facility"];

impl ActionForm {
    fn of(kind: ActionKind, catalogue: &ReasonCatalogue) -> ActionForm {
        use ActionKind as A;
        let label = match kind {
            A::Reinstate => "Reinstate (recorded in error)".to_string(),
            _ => {
                let label = kind.as_str().replace('-', " ");
                let mut chars = label.chars();
                chars
                    .next()
                    .map(|first| first.to_uppercase().collect::<String>() + chars.as_str())
                    .unwrap_or_default()
            }
        };
        ActionForm {
            kind: kind.as_str(),
            label,
            reasons: kind
                .reason_kind()
                .map(|reason_kind| choices(catalogue, reason_kind))
                .unwrap_or_default(),
            default_reason: kind
                .reason_kind()
                .and_then(|reason_kind| reason_kind.default_code())
                .map(|code| code.to_string()),
            date_label: match kind {
                A::Delay => Some("Answer needed by"),
                A::Die => Some("Date of death"),
                _ => None,
            },
            needs_facility: kind == A::Admit,
            grave: matches!(kind, A::Deny | A::Die | A::Withdraw),
            typed: RefusedAction::default(),
        }
    }
}

impl ActionForm {
    /// Whether `code` is selected: the one typed when the form was refused,
    /// otherwise the default.
    fn is_selected(&self, code: &str) -> bool {
        if self.typed.reason_code.is_empty() {
            self.default_reason.as_deref() == Some(code)
        } else {
            self.typed.reason_code == code
        }
    }
}

#[derive(Template)]
#[template(path = "break_glass.html")]
struct BreakGlassPage {
    chrome: Chrome,
    id: String,
    /// The reason as typed, when the form comes back refused.
    reason: String,
    refusal: Option<Refusal>,
    hours: i64,
    max_reason: usize,
}

/// A time for people: "14:30, 2026-02-01 (UTC)".
async fn show(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Query(day): Query<LuggageDayQuery>,
) -> PageResult<Response> {
    let id: PersonId = parse_person_id(&id)?;
    let luggage = LuggageAsked { day, refused: None };
    person_page(&state, &identity, &session, &id, None, luggage).await
}

/// The person page; with a refused status change, that change's form
/// shows again as it was typed, with the message (status 400). A
/// returnee's page shows their luggage as `luggage` asks.
pub async fn person_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    id: &PersonId,
    refused: Option<RefusedAction>,
    luggage: LuggageAsked,
) -> PageResult<Response> {
    person_page_with(state, identity, session, id, refused, luggage, None).await
}

/// The person page, with the add-a-contact form refused as typed when given.
async fn person_page_with(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    id: &PersonId,
    refused: Option<RefusedAction>,
    luggage: LuggageAsked,
    refused_contact: Option<(ContactForm, Refusal)>,
) -> PageResult<Response> {
    match read_person(state, identity, id).await {
        Ok(person) => {
            let chrome =
                Chrome::new(identity, session, state, "/people", format!("Person {id}")).await?;
            let catalogue = state.store.reason_codes().await?;
            let read_only_until = person.read_only_until.as_deref().map(time::readable);
            let mut actions: Vec<ActionForm> = person
                .allowed_actions
                .iter()
                .filter_map(|kind| ActionKind::parse(kind).ok())
                .map(|kind| ActionForm::of(kind, &catalogue))
                .collect();
            let luggage = if person.role == corridor_domain::Role::Returnee.as_str() {
                let read_only = person.read_only_until.is_some();
                Some(LuggageSection::of(state, identity, id, luggage, read_only).await?)
            } else {
                None
            };
            let status = refused
                .as_ref()
                .and_then(|refused| refused.refusal.as_ref())
                .map(Refusal::status)
                .or_else(|| luggage.as_ref().and_then(LuggageSection::refused_status))
                .or_else(|| {
                    refused_contact
                        .as_ref()
                        .map(|(_, refusal)| refusal.status())
                })
                .unwrap_or(StatusCode::OK);
            // Read with the record, whose read is audited above.
            let (typed, refusal) = refused_contact.unzip();
            let contacts = ContactsSection {
                list: contacts_for(state, identity, id, false).await?,
                may_edit: identity.can(Permission::EditContacts)
                    && person.read_only_until.is_none(),
                typed: typed.unwrap_or_default(),
                refusal,
                languages: Language::ALL
                    .iter()
                    .map(|language| (language.as_str(), language.label()))
                    .collect(),
            };
            let mut refused_elsewhere = None;
            if let Some(refused) = refused {
                match actions.iter_mut().find(|a| a.kind == refused.action) {
                    Some(form) => form.typed = refused,
                    None => refused_elsewhere = refused.refusal,
                }
            }
            let facilities = if actions.iter().any(|a| a.needs_facility) {
                state
                    .store
                    .reference()
                    .await?
                    .facilities
                    .into_iter()
                    .map(|f| (f.id.to_string(), f.name.to_string()))
                    .collect()
            } else {
                Vec::new()
            };
            let companions = state
                .store
                .companions_of(id)
                .await?
                .into_iter()
                .map(|companion| CompanionRow {
                    id: companion.id.to_string(),
                    status: companion.status.as_str().to_string(),
                    replaceable: companion.replaceable,
                    replaced_by: companion.replaced_by.map(|id| id.to_string()),
                    replaces: companion.replaces.map(|id| id.to_string()),
                })
                .collect();
            let may_replace = person.read_only_until.is_none()
                && identity
                    .user
                    .role
                    .can(corridor_domain::Permission::RegisterPatients);
            let mut response = render(&PersonPage {
                chrome,
                person,
                read_only_until,
                actions,
                facilities,
                refused_elsewhere,
                luggage,
                companions,
                may_replace,
                contacts,
            })?;
            *response.status_mut() = status;
            Ok(response)
        }
        Err(AppError::OutOfScope { .. }) => {
            break_glass_page(state, identity, session, id, String::new(), None).await
        }
        Err(error) => Err(PageError(error)),
    }
}

/// The form to break the glass: 403 when first shown (the record is out of
/// scope), 400 when a reason was refused, shown again as typed.
async fn break_glass_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    id: &PersonId,
    reason: String,
    refusal: Option<Refusal>,
) -> PageResult<Response> {
    let chrome = Chrome::new(identity, session, state, "/people", "Outside your scope").await?;
    let status = refusal
        .as_ref()
        .map_or(StatusCode::FORBIDDEN, Refusal::status);
    let mut response = render(&BreakGlassPage {
        chrome,
        id: id.to_string(),
        reason,
        refusal,
        hours: corridor_domain::BREAK_GLASS_HOURS,
        max_reason: corridor_domain::MAX_BREAK_GLASS_REASON_CHARS,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

#[derive(Deserialize)]
struct BreakGlassForm {
    reason: String,
}

async fn break_glass(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<BreakGlassForm>,
) -> PageResult<Response> {
    let id: PersonId = parse_person_id(&id)?;
    match break_glass_for(&state, &identity, &id, &form.reason).await {
        Ok(grant) => {
            flash(
                &session,
                format!(
                    "You broke the glass for {id}: you may read this record until {}, and change nothing. Your reason is recorded and shown to the admin.",
                    time::readable(&grant.expires_at.to_string())
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/people/{id}")).into_response())
        }
        // The form comes back with what was typed and what to change.
        Err(error @ AppError::BadRequest { .. }) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &["reason"]))?;
            break_glass_page(&state, &identity, &session, &id, form.reason, Some(refusal)).await
        }
        Err(error) => Err(PageError(error)),
    }
}

async fn add_contact(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<ContactForm>,
) -> PageResult<Response> {
    let id: PersonId = parse_person_id(&id)?;
    let request = ContactRequest {
        phone: form.phone.clone(),
        label: form.label.clone(),
        language: Some(form.language.clone()),
    };
    match add_contact_for(&state, &identity, &id, &request).await {
        Ok(added) => {
            flash(
                &session,
                format!(
                    "Added {} ({}) to {id}'s contacts.",
                    added.phone, added.label
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/people/{id}#contacts")).into_response())
        }
        Err(error) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &CONTACT_FIELDS))?;
            let luggage = LuggageAsked {
                day: LuggageDayQuery::default(),
                refused: None,
            };
            person_page_with(
                &state,
                &identity,
                &session,
                &id,
                None,
                luggage,
                Some((form, refusal)),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct RemoveContactForm {
    #[serde(default)]
    number: String,
}

async fn remove_contact(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<RemoveContactForm>,
) -> PageResult<Response> {
    let id: PersonId = parse_person_id(&id)?;
    let number: u32 = corridor_domain::digits::latin_digits(form.number.trim())
        .parse()
        .map_err(|_| {
            AppError::bad_request(
                "number",
                format!(
                    "number: '{}' is not the number of a contact",
                    form.number.trim()
                ),
            )
        })?;
    match remove_contact_for(&state, &identity, &id, number).await {
        Ok(removed) => {
            flash(
                &session,
                format!(
                    "Removed {} ({}) from {id}'s contacts.",
                    removed.phone, removed.label
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/people/{id}#contacts")).into_response())
        }
        // A contact removed meanwhile: the record as it is now, saying so.
        Err(error @ AppError::NotFound(_)) => {
            let refusal = Refusal::of(error, |_| None)?;
            let luggage = LuggageAsked {
                day: LuggageDayQuery::default(),
                refused: None,
            };
            person_page_with(
                &state,
                &identity,
                &session,
                &id,
                None,
                luggage,
                Some((ContactForm::default(), refusal)),
            )
            .await
        }
        Err(error) => Err(PageError(error)),
    }
}
