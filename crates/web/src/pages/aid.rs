//! The aid pipeline board and one consignment, with the move form for
//! logistics officers.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::Permission;
use tower_sessions::Session;

use crate::api::aid::{
    AidBoard, ConsignmentView, DWELL_DAYS, MoveRequest, board_for, consignment_for, move_for,
};
use crate::auth::PageUser;
use crate::error::{AppError, PageError, PageResult};
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
}

async fn consignment(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let consignment = consignment_for(&state, &identity, &id).await?;
    let chrome = Chrome::new(
        &identity,
        &session,
        &state,
        "/aid",
        format!("Consignment {}", consignment.id),
    )
    .await?;
    Ok(render(&ConsignmentPage {
        chrome,
        may_move: identity.can(Permission::ManageAid),
        consignment,
    })?)
}

async fn move_consignment(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Form(request): Form<MoveRequest>,
) -> PageResult<Response> {
    let page = format!(
        "/aid/consignments/{}",
        id.chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect::<String>()
    );
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
        }
        Err(error @ (AppError::BadRequest { .. } | AppError::Conflict(_))) => {
            flash(&session, format!("Not moved. {}", error.detail())).await;
        }
        Err(error) => return Err(PageError(error)),
    }
    Ok(Redirect::to(&page).into_response())
}
