//! Public figures: the numbers from public reporting that frame every
//! situation report, each with its source. Everyone signed in may read
//! them (they are on the dashboard); analysts and coordinators add them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use corridor_domain::{FigureDraft, Permission, SourcedFigure};
use corridor_store::{ImportMode, NewAuditEntry};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiJson;
use crate::api::params::parse_date;
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, add))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FigureView {
    /// A stable key such as `waiting-list-total`; one figure per key and date.
    pub key: String,
    pub label: String,
    pub value: f64,
    pub unit: String,
    /// The date the figure describes (`YYYY-MM-DD`).
    pub date: String,
    pub publisher: String,
    pub title: String,
    /// When the source was published (`YYYY-MM-DD`).
    pub published: String,
    pub url: Option<String>,
    pub note: Option<String>,
}

impl FigureView {
    pub fn of(figure: &SourcedFigure) -> FigureView {
        FigureView {
            key: figure.key.clone(),
            label: figure.label.to_string(),
            value: figure.value,
            unit: figure.unit.to_string(),
            date: figure.date.to_string(),
            publisher: figure.source.publisher.to_string(),
            title: figure.source.title.to_string(),
            published: figure.source.published.to_string(),
            url: figure.source.url.as_ref().map(ToString::to_string),
            note: figure.note.as_ref().map(ToString::to_string),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FigureList {
    /// Newest first (by the date each describes), then by key.
    pub figures: Vec<FigureView>,
}

/// Every public figure, newest first.
pub async fn list_figures(
    state: &AppState,
    identity: &Identity,
) -> Result<Vec<SourcedFigure>, AppError> {
    identity.require(Permission::ViewAggregates)?;
    let mut figures = state.store.figures().await?;
    figures.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.key.cmp(&b.key)));
    Ok(figures)
}

/// Every public figure with its source, newest first.
#[utoipa::path(get, path = "/api/v1/figures", tag = "figures",
    responses((status = 200, body = FigureList), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
) -> ApiResult<Json<FigureList>> {
    let figures = list_figures(&state, &identity).await?;
    Ok(Json(FigureList {
        figures: figures.iter().map(FigureView::of).collect(),
    }))
}

/// A public figure and its source, as someone gives it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewFigure {
    /// Letters, digits, `-`, `_` or `.`, e.g. `waiting-list-total`.
    pub key: String,
    pub label: String,
    pub value: f64,
    pub unit: String,
    /// The date the figure describes, `YYYY-MM-DD`.
    pub date: String,
    pub publisher: String,
    pub title: String,
    /// When the source was published, `YYYY-MM-DD`.
    pub published: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Records one figure (audited); refused when a figure of the same key and
/// date is recorded.
pub async fn add_figure(
    state: &AppState,
    identity: &Identity,
    request: &NewFigure,
) -> Result<SourcedFigure, AppError> {
    identity.require(Permission::ManageFigures)?;
    let figure = SourcedFigure::from_draft(&FigureDraft {
        key: &request.key,
        label: &request.label,
        value: request.value,
        unit: &request.unit,
        date: parse_date("date", &request.date)?,
        publisher: &request.publisher,
        title: &request.title,
        published: parse_date("published", &request.published)?,
        url: request.url.as_deref(),
        note: request.note.as_deref(),
    })?;
    let audit = NewAuditEntry::figure_added(&figure, state.clock.now(), identity.username());
    state
        .store
        .add_figures(std::slice::from_ref(&figure), &audit, ImportMode::Commit)
        .await?;
    Ok(figure)
}

/// Records a public figure with its source (audited); 409 when one of the
/// same key and date is recorded (a new value needs a new date).
#[utoipa::path(post, path = "/api/v1/figures", tag = "figures",
    request_body = NewFigure,
    responses((status = 201, body = FigureView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn add(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<NewFigure>,
) -> ApiResult<(StatusCode, Json<FigureView>)> {
    let figure = add_figure(&state, &identity, &request).await?;
    Ok((StatusCode::CREATED, Json(FigureView::of(&figure))))
}
