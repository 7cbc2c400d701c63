//! The bed board: receiving facilities and their beds as of a date; those
//! who manage beds publish offers and open or close destinations here.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{Permission, Specialty};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::beds::{BedBoard, BoardQuery, PublishBeds, board_for, publish_for, set_open_for};
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageResult};
use crate::pages::form::Refusal;
use crate::pages::{Chrome, PageRoutes, flash, render};
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
    /// The publish form as typed, and why it was refused.
    publish: PublishForm,
    publish_refusal: Option<Refusal>,
    /// The open-or-close form refused, as typed, and why.
    destination: Option<(DestinationForm, Refusal)>,
}

impl BedsPage {
    /// The refusal of the open-or-close form of this country or facility.
    fn destination_refusal(&self, kind: &str, id: &str) -> Option<Refusal> {
        self.destination
            .as_ref()
            .filter(|(form, _)| form.kind == kind && form.id == id)
            .map(|(_, refusal)| refusal.clone())
    }

    /// The reason typed in the open-or-close form of this country or
    /// facility, when it was refused.
    fn destination_reason(&self, kind: &str, id: &str) -> &str {
        self.destination
            .as_ref()
            .filter(|(form, _)| form.kind == kind && form.id == id)
            .map_or("", |(form, _)| form.reason.as_str())
    }
}

async fn board(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<BoardQuery>,
) -> PageResult<Response> {
    let publish = PublishForm::default();
    page(
        &state,
        &identity,
        &session,
        query.date.as_deref(),
        publish,
        None,
        None,
    )
    .await
}

async fn page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    date: Option<&str>,
    publish: PublishForm,
    publish_refusal: Option<Refusal>,
    destination: Option<(DestinationForm, Refusal)>,
) -> PageResult<Response> {
    let board = board_for(state, identity, date).await?;
    let chrome = Chrome::new(
        identity,
        session,
        state,
        "/beds",
        format!("Beds for arrivals on {}", board.date),
    )
    .await?;
    let status = publish_refusal
        .as_ref()
        .or(destination.as_ref().map(|(_, refusal)| refusal))
        .map_or(StatusCode::OK, Refusal::status);
    let publish = PublishForm {
        from: if publish.from.is_empty() {
            board.date.clone()
        } else {
            publish.from
        },
        ..publish
    };
    let mut response = render(&BedsPage {
        chrome,
        board,
        may_manage: identity.can(Permission::ManageBeds),
        specialties: Specialty::ALL,
        publish,
        publish_refusal,
        destination,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// The publish form as typed; every field is text so that a refused form
/// comes back exactly as it was sent.
#[derive(Debug, Clone, Default, Deserialize)]
struct PublishForm {
    /// The date of the board the form was sent from, shown again with it.
    #[serde(default)]
    board_date: String,
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

const PUBLISH_FIELDS: [&str; 5] = ["facility", "specialty", "beds", "from", "to"];

async fn publish(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<PublishForm>,
) -> PageResult<Response> {
    // This page judges fields of its own form before the capability
    // runs; a role without the permission is refused before that.
    identity.require(Permission::ManageBeds)?;
    let published = match corridor_domain::digits::latin_digits(form.beds.trim()).parse::<u32>() {
        Ok(beds) => {
            let request = PublishBeds {
                facility: form.facility.clone(),
                specialty: form.specialty.clone(),
                beds,
                from: form.from.clone(),
                to: form.to.clone(),
            };
            publish_for(&state, &identity, &request).await
        }
        Err(_) => Err(AppError::bad_request(
            "beds",
            format!(
                "'{}' is not a number of beds; give a whole number such as 12",
                form.beds.trim()
            ),
        )),
    };
    match published {
        Ok(done) => {
            flash(
                &session,
                format!(
                    "Published {} {} beds at {} for arrivals from {} to {}.",
                    done.beds, done.specialty, done.facility, done.from, done.to
                ),
            )
            .await;
            let query = serde_urlencoded::to_string([("date", &done.from)]).unwrap_or_default();
            Ok(Redirect::to(&format!("/beds?{query}")).into_response())
        }
        Err(error) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &PUBLISH_FIELDS))?;
            let date = Some(form.board_date.clone()).filter(|date| !date.is_empty());
            page(
                &state,
                &identity,
                &session,
                date.as_deref(),
                form,
                Some(refusal),
                None,
            )
            .await
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct DestinationForm {
    #[serde(default)]
    board_date: String,
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
    let changed = match form.change.as_str() {
        "open" | "close" => {
            let open = form.change == "open";
            set_open_for(&state, &identity, &form.kind, &form.id, open, &form.reason).await
        }
        other => Err(AppError::bad_request(
            "change",
            format!("'{other}' is neither 'open' nor 'close'"),
        )),
    };
    match changed {
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
            let query =
                serde_urlencoded::to_string([("date", &form.board_date)]).unwrap_or_default();
            Ok(Redirect::to(&format!("/beds?{query}")).into_response())
        }
        Err(error) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &["reason"]))?;
            let date = Some(form.board_date.clone()).filter(|date| !date.is_empty());
            let publish = PublishForm::default();
            page(
                &state,
                &identity,
                &session,
                date.as_deref(),
                publish,
                None,
                Some((form, refusal)),
            )
            .await
        }
    }
}
