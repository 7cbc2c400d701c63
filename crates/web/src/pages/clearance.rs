//! The clearance screens: the batches with the report figures, a batch
//! with its requests (companions under their patient, searchable),
//! submitting a batch, recording decisions one by one or in bulk, and the
//! batch as a file for the authority, downloaded and uploaded answered.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{BatchId, ClearanceOutcome, Permission, ReasonKind};
use corridor_interop::batch_file::read_decisions_xlsx;
use corridor_interop::decisions::{DecisionImport, read_decisions};
use corridor_interop::referrals::RowError;
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::clearance::{
    BatchDetail, BatchFileFormat, BatchList, BatchListQuery, DecisionInput, DecisionsRequest,
    RequestView, SubmitRequest, batch_file, list_batches, parse_batch_id, read_batch,
    record_answer_rows, record_decisions, submit_batch, sweep_overdue,
};
use crate::api::reasons::choices;
use crate::auth::{Identity, PageUser};
use crate::error::AppError;
use crate::pages::form::Refusal;
use crate::pages::upload::{FileRefused, UploadRefusal, read_upload};
use crate::pages::{Chrome, PageRoutes, counted, flash, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/clearance", list)
        .post("/clearance/batches", submit)
        .post("/clearance/sweep", sweep)
        .get("/clearance/{id}", show)
        .post("/clearance/{id}/decisions", decide)
        .get("/clearance/{id}/batch.csv", download_csv)
        .get("/clearance/{id}/batch.xlsx", download_xlsx)
        .post("/clearance/{id}/answers", upload_answers)
}

#[derive(Template)]
#[template(path = "clearance.html")]
struct ListPage {
    chrome: Chrome,
    list: BatchList,
    can_submit: bool,
    can_record: bool,
    crossings: Vec<(String, String)>,
    /// The submit form as typed (or its defaults), and why it was refused.
    submit: SubmitForm,
    refusal: Option<Refusal>,
    /// Why recording the overdue requests as delayed was refused.
    sweep_refusal: Option<Refusal>,
}

impl ListPage {
    fn percent(&self, rate: &Option<f64>) -> String {
        rate.map_or_else(|| "–".to_string(), |r| format!("{:.0}%", r * 100.0))
    }

    fn days(&self, days: &Option<f64>) -> String {
        days.map_or_else(|| "–".to_string(), |d| format!("{d:.1} days"))
    }
}

async fn list(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<BatchListQuery>,
) -> crate::error::PageResult<Response> {
    let form = SubmitForm::blank(&state);
    list_page(&state, &identity, &session, &query, form, None, None).await
}

async fn list_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    query: &BatchListQuery,
    form: SubmitForm,
    refusal: Option<Refusal>,
    sweep_refusal: Option<Refusal>,
) -> crate::error::PageResult<Response> {
    let list = list_batches(state, identity, query).await?;
    let crossings = crate::pages::days::crossings(state).await?;
    let chrome = Chrome::new(identity, session, state, "/clearance", "Clearance").await?;
    let status = refusal
        .as_ref()
        .or(sweep_refusal.as_ref())
        .map_or(StatusCode::OK, Refusal::status);
    let mut response = render(&ListPage {
        chrome,
        list,
        can_submit: identity.can(Permission::SubmitClearance),
        can_record: identity.can(Permission::RecordClearance),
        crossings,
        submit: form,
        refusal,
        sweep_refusal,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// The submit form: numbers and lists arrive as text.
#[derive(Debug, Default, Deserialize)]
struct SubmitForm {
    #[serde(default)]
    crossing: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    needed_by: String,
    /// `places` or `days`.
    #[serde(default)]
    size: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    tiers: String,
    #[serde(default)]
    resubmit: Option<String>,
    #[serde(default)]
    note: String,
}

impl SubmitForm {
    /// The form as it opens: 50 places, needed in a week.
    fn blank(state: &AppState) -> SubmitForm {
        let today = state.clock.today();
        SubmitForm {
            needed_by: today
                .checked_add(jiff::Span::new().days(7))
                .unwrap_or(today)
                .to_string(),
            count: "50".to_string(),
            ..SubmitForm::default()
        }
    }
}

/// The fields of the submit form, as the API names them where it differs.
fn submit_field(field: &str) -> Option<String> {
    match field {
        "places" | "for_days" => Some("count".to_string()),
        _ => Refusal::named(
            field,
            &[
                "crossing",
                "direction",
                "needed_by",
                "count",
                "tiers",
                "note",
            ],
        ),
    }
}

fn number(field: &str, text: &str) -> Result<u32, AppError> {
    corridor_domain::digits::latin_digits(text.trim())
        .parse()
        .map_err(|_| {
            AppError::bad_request(
                field,
                format!(
                    "'{}' is not a number; give a whole number such as 50",
                    text.trim()
                ),
            )
        })
}

async fn submit(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<SubmitForm>,
) -> crate::error::PageResult<Response> {
    // This page judges fields of its own form before the capability
    // runs; a role without the permission is refused before that.
    identity.require(Permission::SubmitClearance)?;
    let result = async {
        let count = number("count", &form.count)?;
        let request = SubmitRequest {
            crossing: form.crossing.clone(),
            direction: Some(form.direction.clone()),
            needed_by: form.needed_by.clone(),
            places: (form.size != "days").then_some(count),
            for_days: (form.size == "days").then_some(count),
            tiers: form.tiers.split(',').map(str::to_string).collect(),
            resubmit: form.resubmit.is_some(),
            note: Some(form.note.clone()),
            ..SubmitRequest::default()
        };
        submit_batch(&state, &identity, &request).await
    }
    .await;
    match result {
        Ok(batch) => {
            flash(
                &session,
                format!(
                    "Submitted batch {} for {} {}: {} people, needed by {}.",
                    batch.batch.id,
                    batch.batch.crossing,
                    batch.batch.direction,
                    batch.batch.people,
                    batch.batch.needed_by
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/clearance/{}", batch.batch.id)).into_response())
        }
        // The form comes back as typed, the message beside its field.
        Err(error) => {
            let refusal = Refusal::of(error, submit_field)?;
            let query = BatchListQuery::default();
            list_page(
                &state,
                &identity,
                &session,
                &query,
                form,
                Some(refusal),
                None,
            )
            .await
        }
    }
}

async fn sweep(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> crate::error::PageResult<Response> {
    match sweep_overdue(&state, &identity).await {
        Ok(n) => {
            let message = if n == 0 {
                "No request is past its needed-by date without an answer.".to_string()
            } else {
                format!("Recorded {n} requests as delayed: no answer by the date they were needed.")
            };
            flash(&session, message).await;
            Ok(Redirect::to("/clearance").into_response())
        }
        Err(error) => {
            let refusal = Refusal::of(error, |_| None)?;
            let query = BatchListQuery::default();
            let form = SubmitForm::blank(&state);
            list_page(
                &state,
                &identity,
                &session,
                &query,
                form,
                None,
                Some(refusal),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "batch.html")]
struct BatchPage {
    chrome: Chrome,
    detail: BatchDetail,
    /// The requests shown: all, or those the search finds.
    shown: Vec<RequestView>,
    /// The search as typed.
    q: String,
    can_record: bool,
    pending: usize,
    outcomes: &'static [ClearanceOutcome],
    /// The codes a denial and a delay may give, as (code, label).
    denial_reasons: Vec<(String, String)>,
    delay_reasons: Vec<(String, String)>,
    /// The decisions form as typed (`outcome:P-000012` and so on, and
    /// `decided_on`), and why it was refused.
    typed: Vec<(String, String)>,
    refusal: Option<Refusal>,
    /// Why an uploaded answers file was refused, and each of its bad rows.
    upload: Option<UploadRefusal>,
}

impl BatchPage {
    /// What was typed in a field of the decisions form.
    fn typed(&self, field: &str) -> &str {
        self.typed
            .iter()
            .find(|(key, _)| key == field)
            .map_or("", |(_, value)| value.as_str())
    }

    /// The refusal of the upload form, for the form macros.
    fn upload_refusal(&self) -> Option<&Refusal> {
        self.upload.as_ref().map(|upload| &upload.refusal)
    }
}

#[derive(Debug, Default, Deserialize)]
struct BatchQuery {
    #[serde(default)]
    q: String,
}

async fn show(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<BatchQuery>,
) -> crate::error::PageResult<Response> {
    let typed = vec![
        ("decided_on".to_string(), state.clock.today().to_string()),
        ("q".to_string(), query.q),
    ];
    let page = BatchPageInput {
        typed,
        refusal: None,
        upload: None,
    };
    batch_page(&state, &identity, &session, &id, page).await
}

/// What a batch page shows besides the batch: the decisions form as
/// typed (with the search, `q`), and what was refused.
struct BatchPageInput {
    typed: Vec<(String, String)>,
    refusal: Option<Refusal>,
    upload: Option<UploadRefusal>,
}

async fn batch_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    id: &str,
    input: BatchPageInput,
) -> crate::error::PageResult<Response> {
    let id = parse_batch_id(id)?;
    let detail = read_batch(state, identity, &id).await?;
    let chrome = Chrome::new(
        identity,
        session,
        state,
        "/clearance",
        format!("Clearance batch {id}"),
    )
    .await?;
    let catalogue = state.store.reason_codes().await?;
    let status = input
        .refusal
        .as_ref()
        .or(input.upload.as_ref().map(|upload| &upload.refusal))
        .map_or(StatusCode::OK, Refusal::status);
    let q = input
        .typed
        .iter()
        .find(|(key, _)| key == "q")
        .map_or_else(String::new, |(_, value)| value.trim().to_string());
    let shown = found(&detail.requests, &q);
    let mut response = render(&BatchPage {
        denial_reasons: choices(&catalogue, ReasonKind::Denied),
        delay_reasons: choices(&catalogue, ReasonKind::Delayed),
        chrome,
        pending: detail
            .requests
            .iter()
            .filter(|r| r.outcome == "pending")
            .count(),
        shown,
        q,
        detail,
        can_record: identity.can(Permission::RecordClearance),
        outcomes: ClearanceOutcome::ALL,
        typed: input.typed,
        refusal: input.refusal,
        upload: input.upload,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// The requests a search finds: by id or name (names only where shown),
/// in any case; a patient found brings their companions, and a companion
/// found is shown with their patient.
fn found(requests: &[RequestView], q: &str) -> Vec<RequestView> {
    let q = q.to_lowercase();
    if q.is_empty() {
        return requests.to_vec();
    }
    let hit = |request: &RequestView| {
        request.person.to_lowercase().contains(&q)
            || request
                .name
                .as_ref()
                .is_some_and(|name| name.to_lowercase().contains(&q))
    };
    // The party of a request: its patient's id, or its own.
    let party = |request: &RequestView| {
        request
            .companion_of
            .clone()
            .unwrap_or_else(|| request.person.clone())
    };
    let parties: Vec<String> = requests.iter().filter(|r| hit(r)).map(party).collect();
    requests
        .iter()
        .filter(|request| parties.contains(&party(request)))
        .cloned()
        .collect()
}

/// `outcome:P-000012=cleared`, `reason_code:P-000012=…`, `note:P-000012=…`,
/// one `decided_on`, the search `q`; with `bulk=clear`, the people ticked
/// (`select:P-000012`) are set to cleared on the form, and nothing is
/// recorded yet.
async fn decide(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> crate::error::PageResult<Response> {
    if fields
        .iter()
        .any(|(key, value)| key == "bulk" && value == "clear")
    {
        identity.require(Permission::RecordClearance)?;
        let (typed, refused) = clear_selected(fields);
        let refusal = refused
            .map(|error| Refusal::of(error, |_| None))
            .transpose()?;
        let page = BatchPageInput {
            typed,
            refusal,
            upload: None,
        };
        return batch_page(&state, &identity, &session, &id, page).await;
    }
    let decided_on = fields
        .iter()
        .find(|(k, _)| k == "decided_on")
        .map(|(_, v)| v.clone());
    let field_of = |prefix: &str, person: &str| {
        fields
            .iter()
            .find(|(k, _)| k.strip_prefix(prefix) == Some(person))
            .map(|(_, v)| v.clone())
    };
    let decisions: Vec<DecisionInput> = fields
        .iter()
        .filter_map(|(key, value)| {
            let person = key.strip_prefix("outcome:")?;
            (!value.trim().is_empty()).then(|| DecisionInput {
                person: person.to_string(),
                outcome: value.clone(),
                reason_code: field_of("reason_code:", person),
                note: field_of("note:", person),
                decided_on: decided_on.clone(),
            })
        })
        .collect();
    let request = DecisionsRequest {
        batch: id.clone(),
        decisions,
    };
    match record_decisions(&state, &identity, &request).await {
        Ok(recorded) => {
            flash(
                &session,
                format!(
                    "Recorded {} in batch {}; {} still pending.",
                    counted(recorded.recorded, "decision", "decisions"),
                    recorded.batch.batch.id,
                    recorded.batch.batch.pending
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/clearance/{}", recorded.batch.batch.id)).into_response())
        }
        // Every decision set comes back as it was, with the message beside
        // the person's field at fault.
        Err(error) => {
            let refusal = Refusal::of(error, |field| form_field(field, &request.decisions))?;
            let page = BatchPageInput {
                typed: fields,
                refusal: Some(refusal),
                upload: None,
            };
            batch_page(&state, &identity, &session, &id, page).await
        }
    }
}

/// The decisions form with every ticked person set to cleared (a reason
/// typed for them is dropped: a clearance takes none); the rest as typed.
/// No one ticked is a refusal, with the form as it was.
fn clear_selected(fields: Vec<(String, String)>) -> (Vec<(String, String)>, Option<AppError>) {
    let selected: Vec<String> = fields
        .iter()
        .filter_map(|(key, _)| key.strip_prefix("select:").map(str::to_string))
        .collect();
    if selected.is_empty() {
        let error = AppError::bad_request(
            "select",
            "no one is ticked; tick the people the authority cleared, then set them to cleared",
        );
        return (fields, Some(error));
    }
    let is_selected = |key: &str, prefix: &str| {
        key.strip_prefix(prefix)
            .is_some_and(|person| selected.iter().any(|s| s == person))
    };
    let mut typed: Vec<(String, String)> = fields
        .into_iter()
        .filter(|(key, _)| {
            !["outcome:", "reason_code:", "note:", "select:"]
                .iter()
                .any(|prefix| is_selected(key, prefix))
                && key != "bulk"
        })
        .collect();
    typed.extend(
        selected
            .iter()
            .map(|person| (format!("outcome:{person}"), "cleared".to_string())),
    );
    (typed, None)
}

async fn download_csv(
    state: State<AppState>,
    user: PageUser,
    id: Path<String>,
) -> crate::error::PageResult<Response> {
    download(state, user, id, BatchFileFormat::Csv).await
}

async fn download_xlsx(
    state: State<AppState>,
    user: PageUser,
    id: Path<String>,
) -> crate::error::PageResult<Response> {
    download(state, user, id, BatchFileFormat::Xlsx).await
}

/// The batch's open requests as a file for the authority.
async fn download(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    Path(id): Path<String>,
    format: BatchFileFormat,
) -> crate::error::PageResult<Response> {
    let id = parse_batch_id(&id)?;
    let bytes = batch_file(&state, &identity, &id, format).await?;
    let disposition = format!("attachment; filename=\"{id}.{}\"", format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The authority's answers, uploaded in the batch file (CSV or XLSX):
/// checked whole as by `corridor clearance import`, and recorded all or
/// nothing; every bad row is shown.
async fn upload_answers(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    upload: Result<Multipart, MultipartRejection>,
) -> crate::error::PageResult<Response> {
    identity.require(Permission::RecordClearance)?;
    let batch = parse_batch_id(&id)?;
    // An unknown batch is a 404 before anything is read.
    read_batch(&state, &identity, &batch).await?;
    let missing = "choose the batch file (.csv or .xlsx) with the authority's answers";
    let result = match read_upload(upload, missing).await {
        Ok(file) => answers(&state, &identity, &batch, &file.bytes).await,
        Err(error) => Err(FileRefused::File(error)),
    };
    let refused = match result {
        Ok(message) => {
            flash(&session, message).await;
            return Ok(Redirect::to(&format!("/clearance/{batch}")).into_response());
        }
        Err(refused) => UploadRefusal::of(refused)?,
    };
    let page = BatchPageInput {
        typed: vec![("decided_on".to_string(), state.clock.today().to_string())],
        refusal: None,
        upload: Some(refused),
    };
    batch_page(&state, &identity, &session, &id, page).await
}

/// Reads and records an answers file; the message to show on success.
async fn answers(
    state: &AppState,
    identity: &Identity,
    batch: &BatchId,
    file: &[u8],
) -> Result<String, FileRefused> {
    let reasons = state
        .store
        .reason_codes()
        .await
        .map_err(|error| FileRefused::File(error.into()))?;
    let today = state.clock.today();
    // An XLSX workbook is a ZIP archive; anything else is read as CSV.
    let read = if file.starts_with(b"PK\x03\x04") {
        read_decisions_xlsx(file, today, &reasons)
    } else {
        read_decisions(file, today, &reasons)
    };
    let import =
        read.map_err(|error| FileRefused::File(AppError::bad_request("file", error.to_string())))?;
    let mut errors = import.errors.clone();
    errors.extend(rows_of_other_batches(batch, &import));
    errors.sort_by_key(|error| error.line);
    if !errors.is_empty() {
        return Err(FileRefused::Rows(errors));
    }
    if import.rows.is_empty() {
        return Err(FileRefused::File(AppError::bad_request(
            "file",
            format!(
                "the file has no answer yet ({} rows without a decision); fill in decision (cleared, denied or delayed) for the people the authority answered",
                import.unanswered
            ),
        )));
    }
    let recorded = record_answer_rows(state, identity, batch, &import.rows)
        .await
        .map_err(FileRefused::File)?;
    Ok(format!(
        "Recorded {} from the file in batch {batch}; {} still pending.",
        counted(recorded.recorded, "decision", "decisions"),
        recorded.batch.batch.pending
    ))
}

/// A row for another batch is refused: each batch's file is uploaded on
/// its own page.
fn rows_of_other_batches(batch: &BatchId, import: &DecisionImport) -> Vec<RowError> {
    import
        .rows
        .iter()
        .filter(|row| &row.batch != batch)
        .map(|row| RowError {
            line: row.line,
            column: Some("batch".to_string()),
            message: format!(
                "{} is a row of batch {}; this is batch {batch}: upload it on that batch's page",
                row.person, row.batch
            ),
        })
        .collect()
}

/// The form's field for the API's name of a field of a decision, if the
/// form shows it: `decisions[3].reason_code` is `reason_code:P-000012` for
/// the fourth decision given, and every decision's `decided_on` is the one
/// date.
fn form_field(field: &str, decisions: &[DecisionInput]) -> Option<String> {
    let (index, name) = field
        .strip_prefix("decisions[")
        .and_then(|rest| rest.split_once("]."))?;
    let person = &decisions.get(index.parse::<usize>().ok()?)?.person;
    match name {
        "decided_on" => Some("decided_on".to_string()),
        "person" | "outcome" => Some(format!("outcome:{person}")),
        "reason_code" | "note" => Some(format!("{name}:{person}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_field_of_the_api_is_the_field_of_its_person_on_the_form() {
        let decision = |person: &str| DecisionInput {
            person: person.to_string(),
            outcome: "denied".to_string(),
            reason_code: None,
            note: None,
            decided_on: None,
        };
        let decisions = [decision("P-000003"), decision("P-000012")];
        for (api, form) in [
            ("decisions[1].reason_code", Some("reason_code:P-000012")),
            ("decisions[0].note", Some("note:P-000003")),
            ("decisions[1].outcome", Some("outcome:P-000012")),
            ("decisions[0].person", Some("outcome:P-000003")),
            ("decisions[1].decided_on", Some("decided_on")),
            ("decisions[7].note", None),
            ("decisions", None),
        ] {
            assert_eq!(form_field(api, &decisions).as_deref(), form, "{api}");
        }
    }
}
