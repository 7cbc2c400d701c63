//! The dashboard: aggregates only, each figure dated and sourced.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use corridor_domain::Permission;
use corridor_store::WaitingSummary;
use tower_sessions::Session;

use crate::auth::PageUser;
use crate::error::PageResult;
use crate::pages::{Chrome, count, render};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(dashboard))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    summary: WaitingSummary,
}

impl DashboardPage {
    fn count(&self, value: &u64) -> String {
        count(*value)
    }
}

async fn dashboard(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    identity.require(Permission::ViewAggregates)?;
    let summary = state.store.waiting_summary(state.clock.today()).await?;
    let chrome = Chrome::new(&identity, &session, &state, "/", "Dashboard").await?;
    Ok(render(&DashboardPage { chrome, summary })?)
}
