//! The day plan with its reasons and overrides, and the printable manifest.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use corridor_domain::Permission;
use tower_sessions::Session;

use super::{crossings, day_link};
use crate::api::days::{
    ConfirmRequest, DayQuery, ManifestView, OverrideRequest, PlanView, confirm_for, override_for,
    plan_for, read_manifest,
};
use crate::auth::PageUser;
use crate::error::PageResult;
use crate::pages::{Chrome, PageRoutes, after_post, render};
use crate::state::AppState;

pub(super) fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/plan", plan)
        .post("/plan/overrides", set_override)
        .post("/plan/confirm", confirm)
        .get("/plan/manifest", manifest)
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
