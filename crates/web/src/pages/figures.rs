//! The public figures: every number from public reporting that the
//! dashboard and the situation report cite, with its source; analysts and
//! coordinators add them here.

use askama::Template;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{MAX_FIGURE_NOTE_CHARS, MAX_FIGURE_TEXT_CHARS, Permission, SourcedFigure};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::figures::{FigureView, NewFigure, add_figure, list_figures};
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageResult};
use crate::pages::form::{Refusal, answer};
use crate::pages::{Chrome, PageRoutes, flash, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/figures", figures)
        .post("/figures", add)
}

const FIGURE_FIELDS: [&str; 10] = [
    "key",
    "label",
    "value",
    "unit",
    "date",
    "publisher",
    "title",
    "published",
    "url",
    "note",
];

/// The add form, every field as typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct FigureForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    publisher: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    published: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    note: String,
}

impl FigureForm {
    fn request(&self) -> Result<NewFigure, AppError> {
        Ok(NewFigure {
            key: self.key.clone(),
            label: self.label.clone(),
            value: SourcedFigure::parse_value(&self.value)?,
            unit: self.unit.clone(),
            date: self.date.clone(),
            publisher: self.publisher.clone(),
            title: self.title.clone(),
            published: self.published.clone(),
            url: Some(self.url.clone()),
            note: Some(self.note.clone()),
        })
    }
}

#[derive(Template)]
#[template(path = "figures.html")]
struct FiguresPage {
    chrome: Chrome,
    figures: Vec<FigureView>,
    may_add: bool,
    form: FigureForm,
    refusal: Option<Refusal>,
    max_text: usize,
    max_note: usize,
}

async fn page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    form: FigureForm,
    refusal: Option<Refusal>,
) -> PageResult<Response> {
    let figures = list_figures(state, identity)
        .await?
        .iter()
        .map(FigureView::of)
        .collect();
    let chrome = Chrome::new(identity, session, state, "/figures", "Public figures").await?;
    let page = render(&FiguresPage {
        chrome,
        figures,
        may_add: identity.can(Permission::ManageFigures),
        form,
        refusal: refusal.clone(),
        max_text: MAX_FIGURE_TEXT_CHARS,
        max_note: MAX_FIGURE_NOTE_CHARS,
    })?;
    Ok(answer(page, refusal.as_ref()))
}

async fn figures(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    page(&state, &identity, &session, FigureForm::default(), None).await
}

async fn add(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<FigureForm>,
) -> PageResult<Response> {
    // This page judges fields of its own form before the capability
    // runs; a role without the permission is refused before that.
    identity.require(Permission::ManageFigures)?;
    let result = match form.request() {
        Ok(request) => add_figure(&state, &identity, &request).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(figure) => {
            flash(
                &session,
                format!(
                    "Recorded {} = {} {} on {}, from {} ({}).",
                    figure.key,
                    figure.value,
                    figure.unit,
                    figure.date,
                    figure.source.publisher,
                    figure.source.title
                ),
            )
            .await;
            Ok(Redirect::to("/figures").into_response())
        }
        Err(error) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &FIGURE_FIELDS))?;
            page(&state, &identity, &session, form, Some(refusal)).await
        }
    }
}
