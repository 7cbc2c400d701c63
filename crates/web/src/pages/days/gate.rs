//! The gate: each party of the day's manifests, and its outcome.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use corridor_domain::ReasonKind;
use serde::Deserialize;
use tower_sessions::Session;

use super::{crossings, day_link};
use crate::api::days::{
    GateQuery, GateRequest, ManifestView, ReconciliationView, gate_day, record_outcome,
};
use crate::api::reasons::choices;
use crate::auth::PageUser;
use crate::error::PageResult;
use crate::pages::{Chrome, PageRoutes, after_post, render};
use crate::state::AppState;

pub(super) fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/gate", gate)
        .post("/gate", record)
}

#[derive(Template)]
#[template(path = "gate.html")]
struct GatePage {
    chrome: Chrome,
    crossing: String,
    date: String,
    crossings: Vec<String>,
    manifests: Vec<ManifestView>,
    reconciliation: ReconciliationView,
    /// The codes a turn-back and a no-show may give, as (code, label); a
    /// no-show's default comes first.
    turn_back_reasons: Vec<(String, String)>,
    no_show_reasons: Vec<(String, String)>,
}

async fn gate(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<GateQuery>,
) -> PageResult<Response> {
    let day = gate_day(
        &state,
        &identity,
        query.crossing.as_deref(),
        query.date.as_deref(),
    )
    .await?;
    let chrome = Chrome::new(
        &identity,
        &session,
        &state,
        "/gate",
        format!("Gate: {} {}", day.day.crossing, day.day.date),
    )
    .await?;
    let catalogue = state.store.reason_codes().await?;
    Ok(render(&GatePage {
        turn_back_reasons: choices(&catalogue, ReasonKind::TurnedBack),
        no_show_reasons: choices(&catalogue, ReasonKind::NoShow),
        chrome,
        crossing: day.day.crossing.to_string(),
        date: day.day.date.to_string(),
        crossings: crossings(&state).await?,
        manifests: day.manifests,
        reconciliation: day.reconciliation,
    })?)
}

#[derive(Debug, Deserialize)]
struct GateForm {
    #[serde(default)]
    crossing: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason_code: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

async fn record(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<GateForm>,
) -> PageResult<Response> {
    let back = day_link("/gate", &form.crossing, &form.date, None);
    let request = GateRequest {
        crossing: form.crossing,
        date: form.date,
        person: form.person,
        outcome: form.outcome,
        reason_code: form.reason_code,
        note: form.note,
    };
    let result = record_outcome(&state, &identity, &request)
        .await
        .map(|recorded| {
            let consequence = if recorded.outcome == "crossed" {
                ""
            } else {
                "; back on the list as cleared, beds released"
            };
            format!(
                "{}: {}{consequence}.",
                recorded.outcome,
                recorded.people.join(", ")
            )
        });
    after_post(&session, result, &back).await
}
