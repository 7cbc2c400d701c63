//! The crossing-day screens: the day plan with its reasons and overrides,
//! the printable manifest, and the gate.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use corridor_domain::{Permission, ReasonKind};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::api::days::{
    ConfirmRequest, DayQuery, GateQuery, GateRequest, ManifestView, OverrideRequest, PlanView,
    ReconciliationView, confirm_for, gate_day, override_for, plan_for, read_manifest,
    record_outcome,
};
use crate::api::reasons::choices;
use crate::auth::PageUser;
use crate::error::PageResult;
use crate::pages::{Chrome, PageRoutes, after_post, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/plan", plan)
        .post("/plan/overrides", set_override)
        .post("/plan/confirm", confirm)
        .get("/plan/manifest", manifest)
        .get("/gate", gate)
        .post("/gate", record)
}

fn day_link(path: &str, crossing: &str, date: &str, direction: Option<&str>) -> String {
    #[derive(Serialize)]
    struct Link<'a> {
        crossing: &'a str,
        date: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        direction: Option<&'a str>,
    }
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(Link {
            crossing,
            date,
            direction
        })
        .unwrap_or_default()
    )
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    plan: PlanView,
    crossings: Vec<String>,
    can_view_manifest: bool,
    manifest_link: String,
    other_direction: String,
}

async fn crossings(state: &AppState) -> Result<Vec<String>, crate::error::AppError> {
    Ok(state
        .store
        .reference()
        .await?
        .crossings
        .iter()
        .map(|c| c.id.to_string())
        .collect())
}

async fn plan(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<DayQuery>,
) -> PageResult<Response> {
    let plan = plan_for(&state, &identity, &query).await?;
    let chrome = Chrome::new(
        &identity,
        &session,
        &state,
        "/plan",
        format!(
            "Day plan: {} {} {}",
            plan.crossing, plan.date, plan.direction
        ),
    )
    .await?;
    Ok(render(&PlanPage {
        chrome,
        crossings: crossings(&state).await?,
        can_view_manifest: identity.can(Permission::ViewManifests),
        manifest_link: day_link(
            "/plan/manifest",
            &plan.crossing,
            &plan.date,
            Some(&plan.direction),
        ),
        other_direction: day_link(
            "/plan",
            &plan.crossing,
            &plan.date,
            Some(if plan.direction == "outbound" {
                "inbound"
            } else {
                "outbound"
            }),
        ),
        plan,
    })?)
}

async fn set_override(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<OverrideRequest>,
) -> PageResult<Response> {
    let back = day_link(
        "/plan",
        &form.crossing,
        &form.date,
        form.direction.as_deref(),
    );
    let person = form.person.trim().to_string();
    let result = override_for(&state, &identity, &form).await.map(|plan| {
        let on = plan.picks.iter().any(|p| p.person == person);
        format!(
            "{person} is now {} the plan ({}).",
            if on { "on" } else { "off" },
            form.reason.trim()
        )
    });
    after_post(&session, result, &back).await
}

async fn confirm(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<ConfirmRequest>,
) -> PageResult<Response> {
    let back = day_link(
        "/plan",
        &form.crossing,
        &form.date,
        form.direction.as_deref(),
    );
    let result = confirm_for(&state, &identity, &form).await.map(|m| {
        format!(
            "Confirmed the {} manifest of {} on {}: {} people in {} parties scheduled{}.",
            m.direction,
            m.crossing,
            m.date,
            m.people,
            m.parties.len(),
            if m.direction == "outbound" {
                ", each patient's bed held"
            } else {
                ""
            }
        )
    });
    after_post(&session, result, &back).await
}

#[derive(Template)]
#[template(path = "manifest.html")]
struct ManifestPage {
    chrome: Chrome,
    manifest: ManifestView,
}

async fn manifest(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<DayQuery>,
) -> PageResult<Response> {
    let manifest = read_manifest(&state, &identity, &query).await?;
    let chrome = Chrome::new(
        &identity,
        &session,
        &state,
        "/plan",
        format!(
            "Manifest {} {} {}",
            manifest.crossing, manifest.date, manifest.direction
        ),
    )
    .await?;
    Ok(render(&ManifestPage { chrome, manifest })?)
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
