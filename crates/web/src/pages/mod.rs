//! The screens: server-rendered pages that work without JavaScript.
//!
//! Each page handler takes a [`PageUser`], checks the permission of its
//! screen, and renders a template whose frame ([`Chrome`]) carries the
//! navigation for the user's role and the session's CSRF token.

mod dashboard;
mod forecast;
mod people;
mod sign_in;

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use corridor_domain::Permission;
use tower_sessions::Session;

use crate::auth::Identity;
use crate::auth::csrf::csrf_token;
use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/style.css", get(style))
        .merge(sign_in::router())
        .merge(dashboard::router())
        .merge(people::router())
        .merge(forecast::router())
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/style.css"),
    )
}

/// One entry of the navigation bar.
pub struct NavItem {
    pub path: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The screens, in the order of the navigation bar, with what each needs.
const SCREENS: &[(&str, &str, &[Permission])] = &[
    ("/", "Dashboard", &[Permission::ViewAggregates]),
    ("/people", "Waiting list", &[Permission::ViewPeople]),
    ("/forecast", "Forecast", &[Permission::RunForecasts]),
];

/// The frame of every page: who is signed in, the navigation, the CSRF
/// token for forms, and a message left by the previous request.
pub struct Chrome {
    pub title: String,
    pub user: String,
    pub role: &'static str,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub flash: Option<String>,
    pub today: String,
}

const SESSION_FLASH: &str = "flash";

impl Chrome {
    pub async fn new(
        identity: &Identity,
        session: &Session,
        state: &AppState,
        current: &str,
        title: impl Into<String>,
    ) -> Result<Chrome, AppError> {
        let nav = SCREENS
            .iter()
            .filter(|(_, _, needs)| needs.iter().any(|permission| identity.can(*permission)))
            .map(|(path, label, _)| NavItem {
                path,
                label,
                current: *path == current,
            })
            .collect();
        let flash: Option<String> = session.remove(SESSION_FLASH).await.unwrap_or_default();
        Ok(Chrome {
            title: title.into(),
            user: identity.user.display_name.clone(),
            role: identity.user.role.label(),
            nav,
            csrf: csrf_token(session).await?,
            flash,
            today: state.clock.today().to_string(),
        })
    }
}

/// Leaves a message for the next page this session sees (after a redirect).
pub async fn flash(session: &Session, message: impl Into<String>) {
    let _ = session.insert(SESSION_FLASH, message.into()).await;
}

pub fn render(template: &impl Template) -> Result<Response, AppError> {
    template
        .render()
        .map(|html| Html(html).into_response())
        .map_err(|error| AppError::Internal(format!("cannot render the page: {error}")))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    detail: &'a str,
}

pub fn error_page(status: StatusCode, detail: &str) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("Error"),
        detail,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, detail.to_string()).into_response(),
    }
}

/// Thousands separated by a thin space, as the CLI prints them.
pub fn count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
