//! The screens: server-rendered pages that work without JavaScript.
//!
//! Each page handler takes a [`PageUser`], checks the permission of its
//! screen, and renders a template whose frame ([`Chrome`]) carries the
//! navigation for the user's role and the session's CSRF token.

mod admin;
mod aid;
mod beds;
mod clearance;
mod dashboard;
mod days;
mod exports;
mod figures;
mod forecast;
mod form;
mod people;
mod registry;
mod replace;
mod returnees;
mod sign_in;
pub mod time;
mod upload;

use askama::Template;
use axum::Router;
use axum::handler::Handler;
use axum::http::{Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::MethodRouter;
use corridor_domain::Permission;
use tower_sessions::Session;

use crate::auth::Identity;
use crate::auth::csrf::csrf_token;
use crate::error::{AppError, ErrorId};
use crate::i18n::Words;
use crate::state::AppState;

/// Every page and the stylesheet.
pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/assets/style.css", style)
        .get("/assets/favicon.svg", favicon)
        .get(
            "/assets/fonts/NotoSansArabic-Regular.ttf",
            arabic_font_regular,
        )
        .get("/assets/fonts/NotoSansArabic-Bold.ttf", arabic_font_bold)
        .merge(sign_in::routes())
        .merge(dashboard::routes())
        .merge(people::routes())
        .merge(clearance::routes())
        .merge(days::routes())
        .merge(aid::routes())
        .merge(admin::routes())
        .merge(registry::routes())
        .merge(replace::routes())
        .merge(beds::routes())
        .merge(forecast::routes())
        .merge(figures::routes())
        .merge(returnees::routes())
        .merge(exports::routes())
}

/// Routes that are not in the OpenAPI document, built so that they can be
/// listed as well as served: the route matrix (`tests/routes.rs`) checks
/// that every one of them is in it, as it does for the document's paths.
pub struct PageRoutes {
    router: Router<AppState>,
    listed: Vec<(Method, &'static str)>,
}

impl Default for PageRoutes {
    fn default() -> PageRoutes {
        PageRoutes {
            router: Router::new(),
            listed: Vec::new(),
        }
    }
}

impl PageRoutes {
    pub fn get<H, T>(self, path: &'static str, handler: H) -> PageRoutes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, axum::routing::get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, handler: H) -> PageRoutes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, axum::routing::post(handler))
    }

    pub fn merge(mut self, other: PageRoutes) -> PageRoutes {
        self.router = self.router.merge(other.router);
        self.listed.extend(other.listed);
        self
    }

    /// Each route as its method and path template.
    pub fn listed(&self) -> &[(Method, &'static str)] {
        &self.listed
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> PageRoutes {
        // A second method on a path joins the first (axum merges them).
        self.router = self.router.route(path, route);
        self.listed.push((method, path));
        self
    }
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

/// The tab's icon: it never changes under its name, so browsers keep it long.
async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=2592000"),
        ],
        include_str!("../../assets/favicon.svg"),
    )
}

/// The Arabic typeface (SIL Open Font License, `assets/fonts/OFL.txt`):
/// served by corridor, since a crossing's network may not reach the
/// internet. It never changes under its name, so browsers keep it long.
fn font(bytes: &'static [u8]) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "font/ttf"),
            (header::CACHE_CONTROL, "public, max-age=2592000"),
        ],
        bytes,
    )
}

async fn arabic_font_regular() -> impl IntoResponse {
    font(include_bytes!(
        "../../assets/fonts/NotoSansArabic-Regular.ttf"
    ))
}

async fn arabic_font_bold() -> impl IntoResponse {
    font(include_bytes!("../../assets/fonts/NotoSansArabic-Bold.ttf"))
}

/// A count with its noun, as a sentence says it: "1 decision", "3 decisions".
pub fn counted(count: usize, one: &str, many: &str) -> String {
    match count {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// One entry of the navigation bar.
pub struct NavItem {
    pub path: &'static str,
    pub label: String,
    pub current: bool,
}

/// The screens, in the order of the navigation bar, with the message id
/// of their name and what each needs.
const SCREENS: &[(&str, &str, &[Permission])] = &[
    ("/", "nav-dashboard", &[Permission::ViewAggregates]),
    ("/people", "nav-people", &[Permission::ViewPeople]),
    (
        "/people/new",
        "nav-register-patient",
        &[Permission::RegisterPatients],
    ),
    (
        "/returnees/new",
        "nav-register-returnee",
        &[Permission::RegisterPatients],
    ),
    ("/beds", "nav-beds", &[Permission::ViewBeds]),
    ("/clearance", "nav-clearance", &[Permission::ViewClearance]),
    ("/plan", "nav-plan", &[Permission::PlanDays]),
    ("/days/calls", "nav-calls", &[Permission::CallParties]),
    ("/gate", "nav-gate", &[Permission::WorkGate]),
    ("/aid", "nav-aid", &[Permission::ViewAggregates]),
    ("/forecast", "nav-forecast", &[Permission::RunForecasts]),
    ("/figures", "nav-figures", &[Permission::ViewAggregates]),
    ("/exports", "nav-exports", &[Permission::ViewAggregates]),
    ("/admin/users", "nav-users", &[Permission::ManageUsers]),
    ("/admin/tokens", "nav-tokens", &[Permission::ManageUsers]),
    (
        "/admin/organisations",
        "nav-organisations",
        &[Permission::ManageUsers],
    ),
    ("/admin/audit", "nav-audit", &[Permission::ViewAudit]),
    ("/account", "nav-account", &[Permission::ViewAggregates]),
];

/// The frame of every page: who is signed in, the navigation, the CSRF
/// token for forms, and a message left by the previous request.
pub struct Chrome {
    pub title: String,
    /// False only on an error page seen without a session: then the frame
    /// offers to sign in instead of the navigation.
    pub signed_in: bool,
    pub user: String,
    pub role: String,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub flash: Option<String>,
    pub today: String,
    /// The words of the request's language, for the page's template.
    pub words: Words,
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
                label: identity.words.t(label),
                current: *path == current,
            })
            .collect();
        let flash = take(session, SESSION_FLASH).await;
        keep_alive(session).await;
        Ok(Chrome {
            title: title.into(),
            signed_in: true,
            user: identity.user.display_name.clone(),
            role: identity.words.label("role", identity.user.role.as_str()),
            nav,
            csrf: csrf_token(session).await?,
            flash,
            today: state.clock.today().to_string(),
            words: identity.words,
        })
    }

    /// The frame for someone who is not signed in.
    fn signed_out(state: &AppState, words: Words, title: impl Into<String>) -> Chrome {
        Chrome {
            title: title.into(),
            signed_in: false,
            user: String::new(),
            role: String::new(),
            nav: Vec::new(),
            csrf: String::new(),
            flash: None,
            today: state.clock.today().to_string(),
            words,
        }
    }
}

/// Reads and removes a message. Only a removal that happens marks the
/// session changed: a changed session is written to the database and sent
/// back as a cookie, which a plain page view must not cost.
async fn take(session: &Session, key: &str) -> Option<String> {
    let message: Option<String> = session.get(key).await.ok().flatten();
    if message.is_some() {
        let _ = session.remove::<String>(key).await;
    }
    message
}

/// The session expires after a period of inactivity counted from its last
/// write; page views that change nothing would not write it, so it is
/// written when the last write is more than this long ago.
const SESSION_TOUCH_SECONDS: i64 = 15 * 60;
const SESSION_TOUCHED: &str = "touched";

/// Session expiry is in real time, whatever day the server works as of.
async fn keep_alive(session: &Session) {
    let now = jiff::Timestamp::now().as_second();
    let touched: Option<i64> = session.get(SESSION_TOUCHED).await.ok().flatten();
    if touched.is_none_or(|at| now - at >= SESSION_TOUCH_SECONDS) {
        let _ = session.insert(SESSION_TOUCHED, now).await;
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
    chrome: Chrome,
    detail: &'a str,
    error_id: Option<&'a str>,
}

/// The page of an error, in the application's frame: with the navigation
/// of the user signed in with `session`, if any. A server failure shows the
/// id it was logged under.
pub async fn error_page(
    state: &AppState,
    session: Option<&Session>,
    words: Words,
    status: StatusCode,
    detail: &str,
    error_id: Option<&ErrorId>,
) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let chrome = match session {
        Some(session) => signed_in_chrome(state, session, words, title).await,
        None => None,
    };
    let page = ErrorPage {
        chrome: chrome.unwrap_or_else(|| Chrome::signed_out(state, words, title)),
        detail,
        error_id: error_id.map(|id| id.0.as_str()),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, detail.to_string()).into_response(),
    }
}

/// The frame of the user signed in with `session`; `None` when nobody is,
/// or when it cannot be built (an error page must still be shown).
async fn signed_in_chrome(
    state: &AppState,
    session: &Session,
    words: Words,
    title: &str,
) -> Option<Chrome> {
    let identity = crate::auth::identity::session_identity(session, state, words)
        .await
        .ok()
        .flatten()?;
    Chrome::new(&identity, session, state, "", title).await.ok()
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

/// A decimal as text ("12345.5" tonnes) with its whole part grouped in
/// thousands ("12,345.5"), as [`count`] does; other text is left as it is.
pub fn grouped(decimal: &str) -> String {
    let (whole, fraction) = match decimal.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (decimal, None),
    };
    let Ok(value) = whole.parse::<u64>() else {
        return decimal.to_string();
    };
    match fraction {
        Some(fraction) => format!("{}.{fraction}", count(value)),
        None => count(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tonnes_are_grouped_in_thousands() {
        assert_eq!(grouped("12345.5"), "12,345.5");
        assert_eq!(grouped("1234567"), "1,234,567");
        assert_eq!(grouped("999.25"), "999.25");
        assert_eq!(grouped("0"), "0");
        assert_eq!(grouped("-"), "-");
    }
}
