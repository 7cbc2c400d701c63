//! The bed board: receiving facilities and their beds as of a date; those
//! who manage beds publish offers and open or close destinations here.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{Permission, Specialty};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::beds::{BedBoard, BoardQuery, PublishBeds, board_for, publish_for, set_open_for};
use crate::auth::PageUser;
use crate::error::{AppError, PageResult};
use crate::pages::{Chrome, PageRoutes, after_post, flash, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/beds", board)
        .post("/beds", publish)
        .post("/beds/destination", destination)
}

#[derive(Template)]
#[template(path = "beds.html")]
struct BedsPage {
    chrome: Chrome,
    board: BedBoard,
    may_manage: bool,
    specialties: &'static [Specialty],
}

async fn board(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<BoardQuery>,
) -> PageResult<Response> {
    let board = board_for(&state, &identity, query.date.as_deref()).await?;
    let chrome = Chrome::new(
        &identity,
        &session,
        &state,
        "/beds",
        format!("Beds for arrivals on {}", board.date),
    )
    .await?;
    Ok(render(&BedsPage {
        chrome,
        board,
        may_manage: identity.can(Permission::ManageBeds),
        specialties: Specialty::ALL,
    })?)
}

#[derive(Deserialize)]
struct PublishForm {
    #[serde(default)]
    facility: String,
    #[serde(default)]
    specialty: String,
    #[serde(default)]
    beds: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

async fn publish(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<PublishForm>,
) -> PageResult<Response> {
    // This page judges fields of its own form before the capability
    // runs; a role without the permission is refused before that.
    identity.require(Permission::ManageBeds)?;
    let back_to = |date: &str| {
        let query = serde_urlencoded::to_string([("date", date)]).unwrap_or_default();
        Redirect::to(&format!("/beds?{query}")).into_response()
    };
    let beds = match form.beds.trim().parse::<u32>() {
        Ok(beds) => beds,
        Err(_) => {
            let error = AppError::bad_request(
                "beds",
                format!("'{}' is not a number of beds", form.beds.trim()),
            );
            return after_post(&session, Err(error), "/beds").await;
        }
    };
    let request = PublishBeds {
        facility: form.facility,
        specialty: form.specialty,
        beds,
        from: form.from,
        to: form.to,
    };
    match publish_for(&state, &identity, &request).await {
        Ok(done) => {
            flash(
                &session,
                format!(
                    "Published {} {} beds at {} for arrivals from {} to {}.",
                    done.beds, done.specialty, done.facility, done.from, done.to
                ),
            )
            .await;
            Ok(back_to(&done.from))
        }
        Err(error) => after_post(&session, Err(error), "/beds").await,
    }
}

#[derive(Deserialize)]
struct DestinationForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
    /// `open` or `close`.
    #[serde(default)]
    change: String,
    #[serde(default)]
    reason: String,
}

async fn destination(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<DestinationForm>,
) -> PageResult<Response> {
    // This page judges fields of its own form before the capability
    // runs; a role without the permission is refused before that.
    identity.require(Permission::ManageBeds)?;
    let back = Redirect::to("/beds").into_response();
    let open = match form.change.as_str() {
        "open" => true,
        "close" => false,
        other => {
            let error =
                AppError::bad_request("change", format!("'{other}' is neither 'open' nor 'close'"));
            return after_post(&session, Err(error), "/beds").await;
        }
    };
    match set_open_for(&state, &identity, &form.kind, &form.id, open, &form.reason).await {
        Ok(done) => {
            flash(
                &session,
                if done.open {
                    format!("{} {} is open again.", done.kind, done.id)
                } else {
                    format!(
                        "{} {} is closed: it receives no one in new plans; beds already held stay held.",
                        done.kind, done.id
                    )
                },
            )
            .await;
            Ok(back)
        }
        Err(error) => after_post(&session, Err(error), "/beds").await,
    }
}
