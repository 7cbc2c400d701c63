//! The public figures: every number from public reporting that the
//! dashboard and the situation report cite, with its source; analysts and
//! coordinators add them here.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{MAX_FIGURE_NOTE_CHARS, MAX_FIGURE_TEXT_CHARS, Permission, SourcedFigure};
use corridor_interop::figures::read_figures;
use corridor_store::{ImportMode, NewAuditEntry};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::figures::{FigureView, NewFigure, add_figure, list_figures};
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageResult};
use crate::pages::form::{Refusal, answer};
use crate::pages::upload::{FileRefused, UploadRefusal, UploadedFile, read_upload};
use crate::pages::{Chrome, PageRoutes, counted, flash, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/figures", figures)
        .post("/figures", add)
        .post("/figures/import", import)
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
    /// Why a figures file was refused, and each of its bad rows.
    upload: Option<UploadRefusal>,
    max_text: usize,
    max_note: usize,
}

impl FiguresPage {
    /// The refusal of the import form, for the form macros.
    fn upload_refusal(&self) -> Option<&Refusal> {
        self.upload.as_ref().map(|upload| &upload.refusal)
    }
}

/// What the page shows besides the figures: the add form as typed, and
/// what was refused.
#[derive(Default)]
struct Typed {
    form: FigureForm,
    refusal: Option<Refusal>,
    upload: Option<UploadRefusal>,
}

async fn page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    typed: Typed,
) -> PageResult<Response> {
    let figures = list_figures(state, identity)
        .await?
        .iter()
        .map(FigureView::of)
        .collect();
    let chrome = Chrome::new(identity, session, state, "/figures", "Public figures").await?;
    let refusal = typed
        .refusal
        .clone()
        .or_else(|| typed.upload.as_ref().map(|upload| upload.refusal.clone()));
    let page = render(&FiguresPage {
        chrome,
        figures,
        may_add: identity.can(Permission::ManageFigures),
        form: typed.form,
        refusal: typed.refusal,
        upload: typed.upload,
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
    page(&state, &identity, &session, Typed::default()).await
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
            let typed = Typed {
                form,
                refusal: Some(refusal),
                upload: None,
            };
            page(&state, &identity, &session, typed).await
        }
    }
}

/// A file of figures in the HXL columns `corridor export figures` writes:
/// checked whole as by `corridor figures import`, and recorded all or
/// nothing; every bad row is shown.
async fn import(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    upload: Result<Multipart, MultipartRejection>,
) -> PageResult<Response> {
    identity.require(Permission::ManageFigures)?;
    let missing =
        "choose a figures file (.csv with HXL tags, as corridor export figures writes it)";
    let result = match read_upload(upload, missing).await {
        Ok(file) => import_file(&state, &identity, &file).await,
        Err(error) => Err(FileRefused::File(error)),
    };
    match result {
        Ok(message) => {
            flash(&session, message).await;
            Ok(Redirect::to("/figures").into_response())
        }
        Err(refused) => {
            let typed = Typed {
                upload: Some(UploadRefusal::of(refused)?),
                ..Typed::default()
            };
            page(&state, &identity, &session, typed).await
        }
    }
}

/// Reads and records a figures file; the message to show on success.
async fn import_file(
    state: &AppState,
    identity: &Identity,
    file: &UploadedFile,
) -> Result<String, FileRefused> {
    let import = read_figures(file.bytes.as_slice()).map_err(|error| {
        FileRefused::File(AppError::bad_request(
            "file",
            format!("{} cannot be imported: {error}", file.name),
        ))
    })?;
    if !import.errors.is_empty() {
        return Err(FileRefused::Rows(import.errors));
    }
    if import.figures.is_empty() {
        return Err(FileRefused::File(AppError::bad_request(
            "file",
            format!(
                "{} holds no figure, only its header; add a row for each figure",
                file.name
            ),
        )));
    }
    let figures: Vec<SourcedFigure> = import.figures.into_iter().map(|(_, f)| f).collect();
    let audit = NewAuditEntry::figures_imported(
        &file.name,
        &file.bytes,
        &figures,
        state.clock.now(),
        identity.username(),
    );
    state
        .store
        .add_figures(&figures, &audit, ImportMode::Commit)
        .await
        .map_err(|error| FileRefused::File(error.into()))?;
    let ignored = if import.ignored_columns.is_empty() {
        String::new()
    } else {
        format!(
            " The columns {} carry no tag corridor reads and were left out.",
            import.ignored_columns.join(", ")
        )
    };
    Ok(format!(
        "Imported {} from {}.{ignored}",
        counted(figures.len(), "figure", "figures"),
        file.name
    ))
}
