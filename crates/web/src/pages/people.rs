//! The waiting list and the person page.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use corridor_domain::{ActionKind, Permission, PersonId};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::people::{
    ListQuery, PersonView, break_glass_for, list_for, parse_person_id, read_person,
};
use crate::auth::PageUser;
use crate::error::{AppError, PageError, PageResult};
use crate::pages::{Chrome, count, flash, render};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/people", get(list))
        .route("/people/{id}", get(show))
        .route("/people/{id}/break-glass", post(break_glass))
}

#[derive(Template)]
#[template(path = "people.html")]
struct ListPage {
    chrome: Chrome,
    query: ListQuery,
    page: crate::api::people::PeoplePage,
    previous: Option<String>,
    next: Option<String>,
    total: String,
    scoped: bool,
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
    identity.require(Permission::ViewPeople)?;
    let page = list_for(&state, &identity, &query).await?;
    let link = |page_number: u64| {
        let mut next_query = query.clone();
        next_query.page = Some(page_number);
        format!(
            "/people?{}",
            serde_urlencoded::to_string(&next_query).unwrap_or_default()
        )
    };
    let previous = (page.page > 1).then(|| link(page.page - 1));
    let next = (page.page < page.pages).then(|| link(page.page + 1));
    let chrome = Chrome::new(&identity, &session, &state, "/people", "Waiting list").await?;
    Ok(render(&ListPage {
        chrome,
        total: count(page.total),
        scoped: identity.visibility().is_some(),
        query,
        page,
        previous,
        next,
        tiers: corridor_domain::Tier::ALL,
        statuses: corridor_domain::Status::ALL,
        specialties: corridor_domain::Specialty::ALL,
        age_groups: corridor_domain::AgeGroup::ALL,
    })?)
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    chrome: Chrome,
    person: PersonView,
    actions: Vec<ActionForm>,
    /// Receiving facilities (id, name), for the admit form.
    facilities: Vec<(String, String)>,
}

/// One status change the user may make now, with the facts it needs.
struct ActionForm {
    kind: &'static str,
    label: String,
    needs_reason: bool,
    /// The label of the date it needs, if any.
    date_label: Option<&'static str>,
    needs_facility: bool,
    /// Takes the person off the list or refuses them.
    grave: bool,
}

impl ActionForm {
    fn of(kind: ActionKind) -> ActionForm {
        use ActionKind as A;
        let label = kind.as_str().replace('-', " ");
        let mut chars = label.chars();
        let label = chars
            .next()
            .map(|first| first.to_uppercase().collect::<String>() + chars.as_str())
            .unwrap_or_default();
        ActionForm {
            kind: kind.as_str(),
            label,
            needs_reason: matches!(kind, A::Deny | A::Unschedule | A::Withdraw),
            date_label: match kind {
                A::Delay => Some("Answer needed by"),
                A::Die => Some("Date of death"),
                _ => None,
            },
            needs_facility: kind == A::Admit,
            grave: matches!(kind, A::Deny | A::Die | A::Withdraw),
        }
    }
}

#[derive(Template)]
#[template(path = "break_glass.html")]
struct BreakGlassPage {
    chrome: Chrome,
    id: String,
}

async fn show(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let id: PersonId = parse_person_id(&id)?;
    match read_person(&state, &identity, &id).await {
        Ok(person) => {
            let chrome = Chrome::new(
                &identity,
                &session,
                &state,
                "/people",
                format!("Person {id}"),
            )
            .await?;
            let actions: Vec<ActionForm> = person
                .allowed_actions
                .iter()
                .filter_map(|kind| ActionKind::parse(kind).ok())
                .map(ActionForm::of)
                .collect();
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
            Ok(render(&PersonPage {
                chrome,
                person,
                actions,
                facilities,
            })?)
        }
        Err(AppError::OutOfScope { .. }) => {
            let chrome =
                Chrome::new(&identity, &session, &state, "/people", "Outside your scope").await?;
            let mut response = render(&BreakGlassPage {
                chrome,
                id: id.to_string(),
            })?;
            *response.status_mut() = StatusCode::FORBIDDEN;
            Ok(response)
        }
        Err(error) => Err(PageError(error)),
    }
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
    let grant = break_glass_for(&state, &identity, &id, &form.reason).await?;
    flash(
        &session,
        format!(
            "You broke the glass for {id} until {}; your reason is recorded and shown to the admin.",
            grant.expires_at
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}
