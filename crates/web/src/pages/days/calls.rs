//! The call list: the parties of a confirmed day to reach the night before,
//! one row each with its phones, assembly point and latest call, and one
//! small form per row to record what the call answered. A refused form
//! comes back in its row, as typed, with the message at the field; a
//! recorded one returns to its row. The coordinator also adds the day's
//! assembly points, moves a party to another, and sets the cut-off.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{CallOutcome, Permission};
use serde::Deserialize;
use tower_sessions::Session;

use super::{crossings, day_link};
use crate::api::calls::{
    CallDayQuery, CallListView, CallPartyView, CallRequest, add_point_for, apply_cut_off_for,
    assign_point_for, call_list_for, record_call_for, set_cut_off_for,
};
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageResult};
use crate::pages::form::{Refusal, answer};
use crate::pages::{Chrome, PageRoutes, flash, render};
use crate::state::AppState;

pub(super) fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/days/calls", calls)
        .post("/days/calls", record)
        .post("/days/calls/assembly", add_point)
        .post("/days/calls/assign", assign)
        .post("/days/calls/cut-off", cut_off)
}

/// Every form of the page, as sent: the fields not on a form stay empty.
#[derive(Debug, Clone, Default, Deserialize)]
struct CallsForm {
    #[serde(default)]
    crossing: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    seen_attempts: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    point: String,
    #[serde(default)]
    cut_off: String,
    /// `apply` on the cut-off form's second button.
    #[serde(default)]
    action: String,
}

/// Which form of the page was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Call,
    Point,
    Assign,
    CutOff,
}

/// One party's row, with what was typed in its form when it was refused.
struct Row {
    party: CallPartyView,
    typed_outcome: String,
    typed_reason: String,
    refusal: Option<Refusal>,
}

impl Row {
    fn id(&self) -> String {
        row_id(&self.party.head.person)
    }

    fn outcome_selected(&self, outcome: &str) -> bool {
        self.typed_outcome == outcome
    }
}

fn row_id(party: &str) -> String {
    format!("call-{party}")
}

#[derive(Template)]
#[template(path = "calls.html")]
struct CallsPage {
    chrome: Chrome,
    crossing: String,
    date: String,
    crossings: Vec<(String, String)>,
    list: CallListView,
    rows: Vec<Row>,
    outcomes: Vec<&'static str>,
    may_plan: bool,
    may_view_manifests: bool,
    manifest_links: Vec<(String, String)>,
    /// The add-a-point and cut-off forms as typed, with their refusals.
    place: String,
    time: String,
    point_refusal: Option<Refusal>,
    cut_off_typed: String,
    cut_off_refusal: Option<Refusal>,
    /// A refusal about a row's assembly point, said above the list.
    refused_elsewhere: Option<Refusal>,
}

async fn calls(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<CallDayQuery>,
) -> PageResult<Response> {
    page(&state, &identity, &session, &query, None).await
}

async fn page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    query: &CallDayQuery,
    refused: Option<(Which, CallsForm, Refusal)>,
) -> PageResult<Response> {
    let list = call_list_for(state, identity, query).await?;
    let chrome = Chrome::new(
        identity,
        session,
        state,
        "/days/calls",
        format!("Call list: {} {}", list.crossing, list.date),
    )
    .await?;
    if !list.freed_now.is_empty() {
        flash(
            session,
            format!(
                "The cut-off has passed: the places of {} were freed (unreachable).",
                list.freed_now.join(", ")
            ),
        )
        .await;
    }
    let status = refused.as_ref().map(|(_, _, refusal)| refusal.clone());
    let mut rows: Vec<Row> = list
        .parties
        .iter()
        .cloned()
        .map(|party| Row {
            party,
            typed_outcome: String::new(),
            typed_reason: String::new(),
            refusal: None,
        })
        .collect();
    let mut page = CallsPage {
        chrome,
        crossing: list.crossing.clone(),
        date: list.date.clone(),
        crossings: crossings(state).await?,
        outcomes: CallOutcome::ALL.iter().map(|o| o.as_str()).collect(),
        may_plan: identity.can(Permission::PlanDays),
        may_view_manifests: identity.can(Permission::ViewManifests),
        manifest_links: ["outbound", "inbound"]
            .iter()
            .map(|direction| {
                (
                    direction.to_string(),
                    day_link(
                        "/plan/manifest",
                        &list.crossing,
                        &list.date,
                        Some(*direction),
                    ),
                )
            })
            .collect(),
        place: String::new(),
        time: String::new(),
        point_refusal: None,
        cut_off_typed: String::new(),
        cut_off_refusal: None,
        refused_elsewhere: None,
        rows: Vec::new(),
        list,
    };
    match refused {
        Some((Which::Call, form, refusal)) => {
            match rows
                .iter_mut()
                .find(|row| row.party.head.person == form.party.trim())
            {
                Some(row) => {
                    row.typed_outcome = form.outcome;
                    row.typed_reason = form.reason;
                    row.refusal = Some(refusal);
                }
                None => page.refused_elsewhere = Some(refusal),
            }
        }
        Some((Which::Point, form, refusal)) => {
            page.place = form.place;
            page.time = form.time;
            page.point_refusal = Some(refusal);
        }
        Some((Which::CutOff, form, refusal)) => {
            page.cut_off_typed = form.cut_off;
            page.cut_off_refusal = Some(refusal);
        }
        Some((Which::Assign, _, refusal)) => page.refused_elsewhere = Some(refusal),
        None => {}
    }
    page.rows = rows;
    let response = render(&page)?;
    Ok(answer(response, status.as_ref()))
}

/// The page again with the refused form as typed, or the error.
async fn refuse(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    which: Which,
    form: CallsForm,
    error: AppError,
    fields: &[&str],
) -> PageResult<Response> {
    let refusal = Refusal::of(error, |field| Refusal::named(field, fields))?;
    let query = form_query(&form);
    page(
        state,
        identity,
        session,
        &query,
        Some((which, form, refusal)),
    )
    .await
}

fn form_query(form: &CallsForm) -> CallDayQuery {
    CallDayQuery {
        crossing: Some(form.crossing.clone()),
        date: Some(form.date.clone()),
    }
}

fn back(form: &CallsForm, fragment: &str) -> Response {
    let link = day_link("/days/calls", form.crossing.trim(), form.date.trim(), None);
    Redirect::to(&format!("{link}#{fragment}")).into_response()
}

async fn record(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<CallsForm>,
) -> PageResult<Response> {
    let request = CallRequest {
        crossing: form.crossing.clone(),
        date: form.date.clone(),
        party: form.party.clone(),
        outcome: form.outcome.clone(),
        reason: Some(form.reason.clone()),
        seen_attempts: corridor_domain::digits::latin_digits(form.seen_attempts.trim())
            .parse()
            .ok(),
    };
    match record_call_for(&state, &identity, &request).await {
        Ok(recorded) => {
            let freed = if recorded.freed.is_empty() {
                String::new()
            } else {
                format!(
                    "; places freed: {} back on the list as cleared, beds released",
                    recorded.freed.join(", ")
                )
            };
            let repeated = if recorded.repeated {
                " (already recorded: the second tap changed nothing)"
            } else {
                ""
            };
            flash(
                &session,
                format!("{}: {}{repeated}{freed}.", recorded.party, recorded.outcome),
            )
            .await;
            Ok(back(&form, &row_id(form.party.trim())))
        }
        Err(error) => {
            refuse(
                &state,
                &identity,
                &session,
                Which::Call,
                form,
                error,
                &["outcome", "reason"],
            )
            .await
        }
    }
}

async fn add_point(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<CallsForm>,
) -> PageResult<Response> {
    match add_point_for(
        &state,
        &identity,
        &form.crossing,
        &form.date,
        &form.place,
        &form.time,
    )
    .await
    {
        Ok(point) => {
            flash(
                &session,
                format!(
                    "Assembly point {}: {} at {}.",
                    point.number, point.place, point.time
                ),
            )
            .await;
            Ok(back(&form, "assembly"))
        }
        Err(error) => {
            refuse(
                &state,
                &identity,
                &session,
                Which::Point,
                form,
                error,
                &["place", "time"],
            )
            .await
        }
    }
}

async fn assign(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<CallsForm>,
) -> PageResult<Response> {
    match assign_point_for(
        &state,
        &identity,
        &form.crossing,
        &form.date,
        &form.party,
        &form.point,
    )
    .await
    {
        Ok(point) => {
            flash(
                &session,
                format!(
                    "{} meets at {} at {}.",
                    form.party.trim(),
                    point.place,
                    point.time
                ),
            )
            .await;
            Ok(back(&form, &row_id(form.party.trim())))
        }
        Err(error) => refuse(&state, &identity, &session, Which::Assign, form, error, &[]).await,
    }
}

async fn cut_off(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<CallsForm>,
) -> PageResult<Response> {
    let done = if form.action == "apply" {
        apply_cut_off_for(&state, &identity, &form.crossing, &form.date)
            .await
            .map(|freed| {
                if freed.is_empty() {
                    "Cut-off applied: no party unreachable still held places.".to_string()
                } else {
                    format!(
                        "Cut-off applied: the places of {} were freed (unreachable); back on the list as cleared, beds released.",
                        freed.join(", ")
                    )
                }
            })
    } else {
        set_cut_off_for(&state, &identity, &form.crossing, &form.date, &form.cut_off)
            .await
            .map(|at| format!("The cut-off is now {at} (UTC)."))
    };
    match done {
        Ok(message) => {
            flash(&session, message).await;
            Ok(back(&form, "cut-off"))
        }
        Err(error) => {
            refuse(
                &state,
                &identity,
                &session,
                Which::CutOff,
                form,
                error,
                &["cut_off"],
            )
            .await
        }
    }
}
