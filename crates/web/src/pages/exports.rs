//! Downloads: every export of the CLI as a file from the browser. Each
//! form sends to its download; a refused one (a date that is not one, a
//! window that runs backwards, a personal export without its purpose)
//! brings this page back with everything typed in it and the message
//! beside the field.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Response};
use corridor_domain::Permission;
use corridor_store::{
    DEFAULT_WINDOW_DAYS, ExportWindow, MAX_PURPOSE_CHARS, MAX_REPORT_WINDOW_DAYS,
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::exports::{
    Aggregate, Download, REPORT_PROPOSED_CAPACITY, REPORT_WINDOW_DAYS, ReferralsRequest,
    ReportQuery, WindowQuery, aggregate_file, fhir_file, referrals_file, report_file,
};
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageResult};
use crate::pages::form::{Refusal, answer};
use crate::pages::{Chrome, PageRoutes, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/exports", exports)
        .post("/exports/referrals", referrals)
        .post("/exports/fhir", fhir)
        .get("/exports/waiting-list", waiting_list)
        .get("/exports/evacuations", evacuations)
        .get("/exports/deaths", deaths)
        .get("/exports/utilisation", utilisation)
        .get("/exports/aid", aid)
        .get("/exports/figures", figures)
        .get("/exports/consignments", consignments)
        .get("/exports/report", report)
}

/// Every field of the page's forms; the names are unique on the page, so
/// that a refusal marks the one field it is about.
const FIELDS: [&str; 8] = [
    "include_personal",
    "purpose",
    "from",
    "to",
    "date",
    "window_days",
    "current_capacity",
    "proposed_capacity",
];

/// The referrals form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct ReferralsForm {
    /// "yes" when ticked.
    #[serde(default)]
    include_personal: String,
    #[serde(default)]
    purpose: String,
}

impl ReferralsForm {
    fn request(&self) -> ReferralsRequest {
        ReferralsRequest {
            include_personal: self.include_personal == "yes",
            purpose: Some(self.purpose.clone()),
        }
    }
}

/// What the page shows in its forms: the defaults, or what was typed in
/// the form that was refused.
struct Typed {
    referrals: ReferralsForm,
    from: String,
    to: String,
    date: String,
    window_days: String,
    current_capacity: String,
    proposed_capacity: String,
}

impl Typed {
    fn defaults(state: &AppState) -> Typed {
        let today = state.clock.today();
        let window = ExportWindow::ending(today);
        Typed {
            referrals: ReferralsForm::default(),
            from: window.from.to_string(),
            to: window.to.to_string(),
            date: today.to_string(),
            window_days: REPORT_WINDOW_DAYS.to_string(),
            current_capacity: String::new(),
            proposed_capacity: REPORT_PROPOSED_CAPACITY.to_string(),
        }
    }

    fn with_window(mut self, query: &WindowQuery) -> Typed {
        self.from = query.from.clone().unwrap_or_default();
        self.to = query.to.clone().unwrap_or_default();
        self
    }

    fn with_report(mut self, query: &ReportQuery) -> Typed {
        self.date = query.date.clone().unwrap_or_default();
        self.window_days = query.window_days.clone().unwrap_or_default();
        self.current_capacity = query.current_capacity.clone().unwrap_or_default();
        self.proposed_capacity = query.proposed_capacity.clone().unwrap_or_default();
        self
    }
}

#[derive(Template)]
#[template(path = "exports.html")]
struct ExportsPage {
    chrome: Chrome,
    form: Typed,
    refusal: Option<Refusal>,
    may_export_records: bool,
    may_export_personal: bool,
    /// The evacuee quota in force today (or next announced), places a day.
    quota: Option<u32>,
    window_days: i64,
    max_report_window: u32,
    max_purpose: usize,
}

async fn page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    form: Typed,
    refusal: Option<Refusal>,
) -> PageResult<Response> {
    identity.require(Permission::ViewAggregates)?;
    let quota = state
        .store
        .reference()
        .await
        .map_err(AppError::from)?
        .current_evacuee_quota(state.clock.today());
    let chrome = Chrome::new(identity, session, state, "/exports", "Downloads").await?;
    let page = render(&ExportsPage {
        chrome,
        form,
        refusal: refusal.clone(),
        may_export_records: identity.can(Permission::ExportRecords),
        may_export_personal: identity.can(Permission::ExportPersonal),
        quota,
        window_days: DEFAULT_WINDOW_DAYS,
        max_report_window: MAX_REPORT_WINDOW_DAYS,
        max_purpose: MAX_PURPOSE_CHARS,
    })?;
    Ok(answer(page, refusal.as_ref()))
}

/// The file, or this page again with the refusal beside its field.
async fn download_or_refusal(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    result: Result<Download, AppError>,
    typed: Typed,
) -> PageResult<Response> {
    match result {
        Ok(download) => Ok(download.into_response()),
        Err(error) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &FIELDS))?;
            page(state, identity, session, typed, Some(refusal)).await
        }
    }
}

async fn exports(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    let typed = Typed::defaults(&state);
    page(&state, &identity, &session, typed, None).await
}

async fn referrals(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<ReferralsForm>,
) -> PageResult<Response> {
    let result = referrals_file(&state, &identity, &form.request()).await;
    let typed = Typed {
        referrals: form,
        ..Typed::defaults(&state)
    };
    download_or_refusal(&state, &identity, &session, result, typed).await
}

async fn fhir(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    let result = fhir_file(&state, &identity).await;
    let typed = Typed::defaults(&state);
    download_or_refusal(&state, &identity, &session, result, typed).await
}

async fn aggregate(
    state: AppState,
    identity: Identity,
    session: Session,
    aggregate: Aggregate,
    query: WindowQuery,
) -> PageResult<Response> {
    let result = aggregate_file(&state, &identity, aggregate, &query).await;
    let typed = Typed::defaults(&state).with_window(&query);
    download_or_refusal(&state, &identity, &session, result, typed).await
}

/// A file that covers no window of days: the form has nothing to keep.
async fn without_window(
    state: AppState,
    identity: Identity,
    session: Session,
    aggregate: Aggregate,
) -> PageResult<Response> {
    let result = aggregate_file(&state, &identity, aggregate, &WindowQuery::default()).await;
    let typed = Typed::defaults(&state);
    download_or_refusal(&state, &identity, &session, result, typed).await
}

async fn waiting_list(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    without_window(state, identity, session, Aggregate::WaitingList).await
}

async fn evacuations(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<WindowQuery>,
) -> PageResult<Response> {
    aggregate(state, identity, session, Aggregate::Evacuations, query).await
}

async fn deaths(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<WindowQuery>,
) -> PageResult<Response> {
    aggregate(state, identity, session, Aggregate::Deaths, query).await
}

async fn utilisation(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<WindowQuery>,
) -> PageResult<Response> {
    aggregate(state, identity, session, Aggregate::Utilisation, query).await
}

async fn aid(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<WindowQuery>,
) -> PageResult<Response> {
    aggregate(state, identity, session, Aggregate::Aid, query).await
}

async fn figures(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    without_window(state, identity, session, Aggregate::Figures).await
}

async fn consignments(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    without_window(state, identity, session, Aggregate::Consignments).await
}

async fn report(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<ReportQuery>,
) -> PageResult<Response> {
    let result = report_file(&state, &identity, &query).await;
    let typed = Typed::defaults(&state).with_report(&query);
    download_or_refusal(&state, &identity, &session, result, typed).await
}
