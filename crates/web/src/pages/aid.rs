//! The aid pipeline board and one consignment, with the move form for
//! logistics officers.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{CargoCategory, Consignment, Permission};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::aid::{
    AidBoard, ConsignmentView, DWELL_DAYS, FoundConsignment, MAX_FOUND, MoveRequest,
    NewConsignment, board_for, consignment_for, find_consignments, move_for, register_consignment,
};
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageError, PageResult};
use crate::pages::form::{Refusal, answer};
use crate::pages::{Chrome, PageRoutes, flash, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/aid", board)
        .get("/aid/consignments/new", new_consignment)
        .post("/aid/consignments", register)
        .get("/aid/consignments/{id}", consignment)
        .post("/aid/consignments/{id}/moves", move_consignment)
}

#[derive(Template)]
#[template(path = "aid.html")]
struct BoardPage {
    chrome: Chrome,
    board: AidBoard,
    dwell_days: i32,
    may_register: bool,
    /// The search as typed, what it found (at most `max_found`) and how
    /// many match in all.
    q: String,
    found: Vec<FoundConsignment>,
    found_total: usize,
    max_found: usize,
    refusal: Option<Refusal>,
}

#[derive(Debug, Default, Deserialize)]
struct BoardQuery {
    #[serde(default)]
    q: String,
}

impl BoardPage {
    /// No consignment in any stage: the board says why it is blank.
    fn is_empty(&self) -> bool {
        self.board
            .stages
            .iter()
            .all(|column| column.consignments == 0)
    }
}

async fn board(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<BoardQuery>,
) -> PageResult<Response> {
    let board = board_for(&state, &identity).await?;
    let (found, found_total, refusal) = match find_consignments(&state, &identity, &query.q).await {
        Ok((found, total)) => (found, total, None),
        Err(error @ AppError::BadRequest { .. }) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &["q"]))?;
            (Vec::new(), 0, Some(refusal))
        }
        Err(error) => return Err(PageError(error)),
    };
    let chrome = Chrome::new(&identity, &session, &state, "/aid", "Aid pipeline").await?;
    let page = render(&BoardPage {
        chrome,
        board,
        dwell_days: DWELL_DAYS,
        may_register: identity.can(Permission::ManageAid),
        q: query.q,
        found,
        found_total,
        max_found: MAX_FOUND,
        refusal: refusal.clone(),
    })?;
    Ok(answer(page, refusal.as_ref()))
}

#[derive(Template)]
#[template(path = "consignment.html")]
struct ConsignmentPage {
    chrome: Chrome,
    consignment: ConsignmentView,
    may_move: bool,
    /// The move form as typed, and why it was refused.
    typed: MoveRequest,
    refusal: Option<Refusal>,
}

impl ConsignmentPage {
    fn typed(value: &Option<String>) -> &str {
        value.as_deref().unwrap_or("")
    }
}

async fn consignment(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
) -> PageResult<Response> {
    page(
        &state,
        &identity,
        &session,
        &id,
        MoveRequest::default(),
        None,
    )
    .await
}

async fn page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    id: &str,
    typed: MoveRequest,
    refusal: Option<Refusal>,
) -> PageResult<Response> {
    let consignment = consignment_for(state, identity, id).await?;
    let chrome = Chrome::new(
        identity,
        session,
        state,
        "/aid",
        format!("Consignment {}", consignment.id),
    )
    .await?;
    let status = refusal.as_ref().map_or(StatusCode::OK, Refusal::status);
    let mut response = render(&ConsignmentPage {
        chrome,
        may_move: identity.can(Permission::ManageAid),
        consignment,
        typed,
        refusal,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

const MOVE_FIELDS: [&str; 7] = [
    "stage", "reason", "items", "trucks", "pallets", "tonnes", "note",
];

async fn move_consignment(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Form(request): Form<MoveRequest>,
) -> PageResult<Response> {
    match move_for(&state, &identity, &id, &request).await {
        Ok(moved) => {
            flash(
                &session,
                format!(
                    "{} moved to {} (version {}).",
                    moved.id, moved.stage, moved.version
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/aid/consignments/{}", moved.id)).into_response())
        }
        // The form again as typed, on the consignment as it is now: a
        // move made meanwhile shows its new stage beside what was meant.
        Err(error) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &MOVE_FIELDS))?;
            page(&state, &identity, &session, &id, request, Some(refusal)).await
        }
    }
}

#[derive(Template)]
#[template(path = "consignment_new.html")]
struct NewConsignmentPage {
    chrome: Chrome,
    form: NewConsignment,
    refusal: Option<Refusal>,
    categories: &'static [CargoCategory],
    /// (id, name) of each crossing.
    crossings: Vec<(String, String)>,
    max_name: usize,
}

async fn new_consignment_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    form: NewConsignment,
    refusal: Option<Refusal>,
) -> PageResult<Response> {
    identity.require(Permission::ManageAid)?;
    let crossings = state
        .store
        .reference()
        .await?
        .crossings
        .iter()
        .map(|crossing| (crossing.id.to_string(), crossing.name.to_string()))
        .collect();
    let chrome = Chrome::new(identity, session, state, "/aid", "Register a consignment").await?;
    let page = render(&NewConsignmentPage {
        chrome,
        form,
        refusal: refusal.clone(),
        categories: CargoCategory::ALL,
        crossings,
        max_name: Consignment::MAX_NAME_CHARS,
    })?;
    Ok(answer(page, refusal.as_ref()))
}

async fn new_consignment(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    new_consignment_page(&state, &identity, &session, NewConsignment::default(), None).await
}

/// The register form's fields, by the names the errors use (a consignment
/// id is refused as `consignment`).
fn register_field(field: &str) -> Option<String> {
    match field {
        "consignment" => Some("id".to_string()),
        _ => Refusal::named(
            field,
            &[
                "id", "agency", "category", "origin", "crossing", "trucks", "pallets", "tonnes",
            ],
        ),
    }
}

async fn register(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<NewConsignment>,
) -> PageResult<Response> {
    match register_consignment(&state, &identity, &form).await {
        Ok(registered) => {
            flash(
                &session,
                format!(
                    "Registered {}: {} {}, {} trucks, {} t, dispatched now (version {}).",
                    registered.id,
                    registered.agency,
                    registered.category,
                    registered.trucks,
                    registered.tonnes,
                    registered.version
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/aid/consignments/{}", registered.id)).into_response())
        }
        Err(error) => {
            let refusal = Refusal::of(error, register_field)?;
            new_consignment_page(&state, &identity, &session, form, Some(refusal)).await
        }
    }
}
