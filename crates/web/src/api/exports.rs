//! Downloads: every file the CLI exports (`corridor export …`,
//! `corridor report`), made by the same store function
//! (`Store::export_…`), with the permission checked here, once, for the
//! page `/exports` and for `/api/v1/exports/…` alike.
//!
//! The aggregates (HXL, with counts of people below 5 as `<5`), the public
//! figures, the consignments and the situation report are for every role
//! that sees aggregates, and are read with a GET. The files with a row per
//! person are audited, so they are POSTs: the pseudonymised referrals and
//! the FHIR Bundles need `export-records`; the referrals with names
//! `export-personal`, a scope of everyone (the file holds everyone) and a
//! purpose, which the audit entry records before the file is written.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use corridor_domain::{InvalidValue, Permission, Scope, Text};
use corridor_sim::{ForecastConfig, Replications};
use corridor_store::{ExportWindow, Exporter, MAX_PURPOSE_CHARS, ReferralExport, ReportRequest};
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::params::{given, parse_optional_date};
use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(referrals))
        .routes(routes!(fhir))
        .routes(routes!(waiting_list))
        .routes(routes!(evacuations))
        .routes(routes!(deaths))
        .routes(routes!(utilisation))
        .routes(routes!(aid))
        .routes(routes!(figures))
        .routes(routes!(consignments))
        .routes(routes!(report))
}

const CSV: &str = "text/csv; charset=utf-8";
const NDJSON: &str = "application/fhir+ndjson";
const HTML: &str = "text/html; charset=utf-8";

/// The situation report's forecast: as many replications as the CLI's
/// default, and its seed, so that a report downloaded twice is the same.
pub const REPORT_REPLICATIONS: u32 = 200;
pub const REPORT_SEED: u64 = 1;
/// The report's defaults, as the CLI's: a week's window, 150 places proposed.
pub const REPORT_WINDOW_DAYS: u32 = 7;
pub const REPORT_PROPOSED_CAPACITY: u32 = 150;

/// A file to download: its name, type and content.
#[derive(Debug)]
pub struct Download {
    pub file_name: String,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl IntoResponse for Download {
    fn into_response(self) -> Response {
        let disposition = format!("attachment; filename=\"{}\"", self.file_name);
        (
            [
                (header::CONTENT_TYPE, self.content_type.to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            self.body,
        )
            .into_response()
    }
}

/// Which referral file, as a request gives it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ReferralsRequest {
    /// Names and exact birth years; needs `purpose`. Without it the file
    /// has no names and birth years in five-year bands.
    #[serde(default)]
    pub include_personal: bool,
    /// Why personal data leaves the registry; recorded in the audit log.
    #[serde(default)]
    pub purpose: Option<String>,
}

/// The days of an aggregate export, as a query gives them.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct WindowQuery {
    /// First day (YYYY-MM-DD); default: 27 days before `to` (four weeks).
    #[serde(default)]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD); default: today.
    #[serde(default)]
    pub to: Option<String>,
}

/// The inputs of the situation report, as a query gives them.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// The day the report is as of (YYYY-MM-DD); default: today.
    #[serde(default)]
    pub date: Option<String>,
    /// Days of the evacuation, death and denial sections, ending on `date`;
    /// default 7.
    #[serde(default)]
    pub window_days: Option<String>,
    /// Places a day of the "current" forecast; default: the evacuee quota
    /// in force on `date` (or the next announced).
    #[serde(default)]
    pub current_capacity: Option<String>,
    /// Places a day of the "proposed" forecast; default 150.
    #[serde(default)]
    pub proposed_capacity: Option<String>,
}

fn exporter<'a>(state: &AppState, identity: &'a Identity, file_name: &'a str) -> Exporter<'a> {
    Exporter {
        actor: identity.username(),
        at: state.clock.now(),
        to: Some(file_name),
    }
}

/// The purpose of a personal export: said, and short enough to record.
fn parse_purpose(purpose: Option<&str>) -> Result<Text, AppError> {
    let Some(purpose) = given(purpose) else {
        return Err(InvalidValue::new(
            "purpose",
            "say what the export with names is for: it is recorded in the audit log",
        )
        .into());
    };
    Ok(Text::parse("purpose", purpose, MAX_PURPOSE_CHARS)?)
}

/// The referrals as CSV: pseudonymised, or with names for a purpose.
/// Audited before it is written.
pub async fn referrals_file(
    state: &AppState,
    identity: &Identity,
    request: &ReferralsRequest,
) -> Result<Download, AppError> {
    identity.require(Permission::ExportRecords)?;
    let today = state.clock.today();
    let mut body = Vec::new();
    if request.include_personal {
        identity.require(Permission::ExportPersonal)?;
        if identity.user.scope != Scope::All {
            return Err(AppError::Forbidden(format!(
                "the export holds everyone in the registry, and your scope is '{}': only an account whose scope is 'all' exports personal data; ask an admin if your work needs it",
                identity.user.scope.as_str()
            )));
        }
        let purpose = parse_purpose(request.purpose.as_deref())?;
        let file_name = format!("corridor-referrals-personal-{today}.csv");
        state
            .store
            .export_referrals(
                ReferralExport::Personal { purpose: &purpose },
                &exporter(state, identity, &file_name),
                &mut body,
            )
            .await?;
        return Ok(Download {
            file_name,
            content_type: CSV,
            body,
        });
    }
    let file_name = format!("corridor-referrals-{today}.csv");
    state
        .store
        .export_referrals(
            ReferralExport::Pseudonymised,
            &exporter(state, identity, &file_name),
            &mut body,
        )
        .await?;
    Ok(Download {
        file_name,
        content_type: CSV,
        body,
    })
}

/// One FHIR R4 Bundle per referral, as NDJSON. Audited before it is written.
pub async fn fhir_file(state: &AppState, identity: &Identity) -> Result<Download, AppError> {
    identity.require(Permission::ExportRecords)?;
    let file_name = format!("corridor-fhir-{}.ndjson", state.clock.today());
    let mut body = Vec::new();
    state
        .store
        .export_fhir(&exporter(state, identity, &file_name), &mut body)
        .await?;
    Ok(Download {
        file_name,
        content_type: NDJSON,
        body,
    })
}

/// The aggregate exports (HXL) and the other files anyone who sees
/// aggregates may download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    WaitingList,
    Evacuations,
    Deaths,
    Utilisation,
    Aid,
    Figures,
    Consignments,
}

impl Aggregate {
    /// The name in paths and file names.
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::WaitingList => "waiting-list",
            Aggregate::Evacuations => "evacuations",
            Aggregate::Deaths => "deaths",
            Aggregate::Utilisation => "utilisation",
            Aggregate::Aid => "aid",
            Aggregate::Figures => "figures",
            Aggregate::Consignments => "consignments",
        }
    }

    fn has_window(self) -> bool {
        matches!(
            self,
            Aggregate::Evacuations | Aggregate::Deaths | Aggregate::Utilisation | Aggregate::Aid
        )
    }
}

/// The window of a query: four weeks ending today unless told otherwise,
/// never backwards (the store's rule, as the CLI's).
pub fn parse_window(state: &AppState, query: &WindowQuery) -> Result<ExportWindow, AppError> {
    let from = parse_optional_date("from", query.from.as_deref())?;
    let to = parse_optional_date("to", query.to.as_deref())?;
    Ok(ExportWindow::new(from, to, state.clock.today()).map_err(InvalidValue::from)?)
}

/// An aggregate file; the window is read only by the exports that have one.
pub async fn aggregate_file(
    state: &AppState,
    identity: &Identity,
    aggregate: Aggregate,
    query: &WindowQuery,
) -> Result<Download, AppError> {
    identity.require(Permission::ViewAggregates)?;
    let today = state.clock.today();
    let window = if aggregate.has_window() {
        Some(parse_window(state, query)?)
    } else {
        None
    };
    let file_name = match window {
        Some(window) => format!(
            "corridor-{}-{}-to-{}.csv",
            aggregate.name(),
            window.from,
            window.to
        ),
        None => format!("corridor-{}-{today}.csv", aggregate.name()),
    };
    let mut body = Vec::new();
    let store = &state.store;
    match (aggregate, window) {
        (Aggregate::WaitingList, _) => store.export_waiting_list(today, &mut body).await?,
        (Aggregate::Evacuations, Some(window)) => {
            store.export_evacuations(window, &mut body).await?
        }
        (Aggregate::Deaths, Some(window)) => store.export_deaths(window, &mut body).await?,
        (Aggregate::Utilisation, Some(window)) => {
            store.export_utilisation(window, &mut body).await?
        }
        (Aggregate::Aid, Some(window)) => store.export_aid(window, &mut body).await?,
        (Aggregate::Figures, _) => store.export_figures(&mut body).await?,
        (Aggregate::Consignments, _) => store.export_consignments(&mut body).await?,
        (
            Aggregate::Evacuations | Aggregate::Deaths | Aggregate::Utilisation | Aggregate::Aid,
            None,
        ) => {
            return Err(AppError::Internal(format!(
                "the {} export has no window",
                aggregate.name()
            )));
        }
    };
    Ok(Download {
        file_name,
        content_type: CSV,
        body,
    })
}

/// Places a day, or a number of days: a whole number, at least `least`.
fn parse_count(
    field: &'static str,
    text: Option<&str>,
    least: u32,
) -> Result<Option<u32>, AppError> {
    let Some(text) = given(text) else {
        return Ok(None);
    };
    match corridor_domain::digits::latin_digits(text)
        .replace(',', "")
        .parse::<u32>()
    {
        Ok(value) if value >= least => Ok(Some(value)),
        _ => Err(InvalidValue::new(
            field,
            format!("'{text}' is not a whole number of at least {least}"),
        )
        .into()),
    }
}

/// The situation report (HTML) as of a day, with the forecast of the
/// backlog under the current and a proposed capacity.
pub async fn report_file(
    state: &AppState,
    identity: &Identity,
    query: &ReportQuery,
) -> Result<Download, AppError> {
    identity.require(Permission::ViewAggregates)?;
    let date: Date =
        parse_optional_date("date", query.date.as_deref())?.unwrap_or(state.clock.today());
    let window_days =
        parse_count("window_days", query.window_days.as_deref(), 1)?.unwrap_or(REPORT_WINDOW_DAYS);
    let current_capacity = parse_count("current_capacity", query.current_capacity.as_deref(), 0)?;
    let proposed_capacity =
        parse_count("proposed_capacity", query.proposed_capacity.as_deref(), 0)?
            .unwrap_or(REPORT_PROPOSED_CAPACITY);
    let template =
        corridor_sim::calibrated_template().map_err(|e| AppError::Internal(e.to_string()))?;
    let request = ReportRequest {
        date,
        window_days,
        now: state.clock.now(),
        current_capacity,
        proposed_capacity,
        template,
        origin: "corridor's calibrated scenario (scenarios/calibrated.toml)".to_string(),
        config: ForecastConfig {
            replications: Replications::new(REPORT_REPLICATIONS)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            seed: REPORT_SEED,
        },
    };
    let mut body = Vec::new();
    state.store.export_report(&request, &mut body).await?;
    Ok(Download {
        file_name: format!("corridor-report-{date}.html"),
        content_type: HTML,
        body,
    })
}

/// The patients and companions as CSV: without `include_personal`, no
/// names and birth years in five-year bands (`export-records`); with it,
/// names and exact birth years for a `purpose` (`export-personal`, scope
/// all). Recorded in the audit log before it is written.
#[utoipa::path(post, path = "/api/v1/exports/referrals", tag = "exports",
    request_body = ReferralsRequest,
    responses(
        (status = 200, description = "The CSV file, as an attachment", content_type = "text/csv", body = String),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn referrals(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<ReferralsRequest>,
) -> ApiResult<Download> {
    Ok(referrals_file(&state, &identity, &request).await?)
}

/// One FHIR R4 Bundle per referral, one per line (NDJSON), pseudonymised:
/// the Patient's id and birth year only. Recorded in the audit log before
/// it is written.
#[utoipa::path(post, path = "/api/v1/exports/fhir", tag = "exports",
    responses(
        (status = 200, description = "The NDJSON file, as an attachment", content_type = "application/fhir+ndjson", body = String),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn fhir(State(state): State<AppState>, ApiUser(identity): ApiUser) -> ApiResult<Download> {
    Ok(fhir_file(&state, &identity).await?)
}

/// Patients waiting today by tier, specialty and age group (HXL; counts
/// below 5 as `<5`).
#[utoipa::path(get, path = "/api/v1/exports/waiting-list", tag = "exports",
    responses(
        (status = 200, description = "The HXL file, as an attachment", content_type = "text/csv", body = String),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn waiting_list(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
) -> ApiResult<Download> {
    let query = WindowQuery::default();
    Ok(aggregate_file(&state, &identity, Aggregate::WaitingList, &query).await?)
}

/// People evacuated per day, crossing and destination country, with the
/// quota (HXL; counts below 5 as `<5`).
#[utoipa::path(get, path = "/api/v1/exports/evacuations", tag = "exports",
    params(WindowQuery),
    responses(
        (status = 200, description = "The HXL file, as an attachment", content_type = "text/csv", body = String),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn evacuations(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> ApiResult<Download> {
    Ok(aggregate_file(&state, &identity, Aggregate::Evacuations, &query).await?)
}

/// Deaths while waiting per day and tier (HXL; counts below 5 as `<5`).
#[utoipa::path(get, path = "/api/v1/exports/deaths", tag = "exports",
    params(WindowQuery),
    responses(
        (status = 200, description = "The HXL file, as an attachment", content_type = "text/csv", body = String),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn deaths(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> ApiResult<Download> {
    Ok(aggregate_file(&state, &identity, Aggregate::Deaths, &query).await?)
}

/// How the places of each confirmed crossing day were used: available,
/// planned, reached, crossed, freed by cause, refilled (HXL; counts of
/// people below 5 as `<5`).
#[utoipa::path(get, path = "/api/v1/exports/utilisation", tag = "exports",
    params(WindowQuery),
    responses(
        (status = 200, description = "The HXL file, as an attachment", content_type = "text/csv", body = String),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn utilisation(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> ApiResult<Download> {
    Ok(aggregate_file(&state, &identity, Aggregate::Utilisation, &query).await?)
}

/// Aid by day, stage reached and cargo category: consignments, trucks,
/// pallets and tonnes, with the daily truck target (HXL).
#[utoipa::path(get, path = "/api/v1/exports/aid", tag = "exports",
    params(WindowQuery),
    responses(
        (status = 200, description = "The HXL file, as an attachment", content_type = "text/csv", body = String),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn aid(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> ApiResult<Download> {
    Ok(aggregate_file(&state, &identity, Aggregate::Aid, &query).await?)
}

/// The public figures with their sources (HXL, re-importable).
#[utoipa::path(get, path = "/api/v1/exports/figures", tag = "exports",
    responses(
        (status = 200, description = "The HXL file, as an attachment", content_type = "text/csv", body = String),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn figures(State(state): State<AppState>, ApiUser(identity): ApiUser) -> ApiResult<Download> {
    let query = WindowQuery::default();
    Ok(aggregate_file(&state, &identity, Aggregate::Figures, &query).await?)
}

/// Every aid consignment with its stage times (CSV, re-importable; no
/// personal data).
#[utoipa::path(get, path = "/api/v1/exports/consignments", tag = "exports",
    responses(
        (status = 200, description = "The CSV file, as an attachment", content_type = "text/csv", body = String),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn consignments(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
) -> ApiResult<Download> {
    let query = WindowQuery::default();
    Ok(aggregate_file(&state, &identity, Aggregate::Consignments, &query).await?)
}

/// The situation report as one self-contained HTML file, with the forecast
/// of the registry's backlog under the current and a proposed capacity
/// (200 replications, seed 1: a few seconds).
#[utoipa::path(get, path = "/api/v1/exports/report", tag = "exports",
    params(ReportQuery),
    responses(
        (status = 200, description = "The HTML file, as an attachment", content_type = "text/html", body = String),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn report(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> ApiResult<Download> {
    Ok(report_file(&state, &identity, &query).await?)
}
