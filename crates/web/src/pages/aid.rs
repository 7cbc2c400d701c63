//! The aid pipeline board and one consignment, with the move form for
//! logistics officers.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::Permission;
use tower_sessions::Session;

use crate::api::aid::{
    AidBoard, ConsignmentView, DWELL_DAYS, MoveRequest, board_for, consignment_for, move_for,
};
use crate::auth::{Identity, PageUser};
use crate::error::PageResult;
use crate::pages::form::Refusal;
use crate::pages::{Chrome, PageRoutes, flash, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/aid", board)
        .get("/aid/consignments/{id}", consignment)
        .post("/aid/consignments/{id}/moves", move_consignment)
}

#[derive(Template)]
#[template(path = "aid.html")]
struct BoardPage {
    chrome: Chrome,
    board: AidBoard,
    dwell_days: i32,
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
) -> PageResult<Response> {
    let board = board_for(&state, &identity).await?;
    let chrome = Chrome::new(&identity, &session, &state, "/aid", "Aid pipeline").await?;
    Ok(render(&BoardPage {
        chrome,
        board,
        dwell_days: DWELL_DAYS,
    })?)
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
