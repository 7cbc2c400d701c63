//! The clearance screens: the batches with the report figures, a batch
//! with its requests, submitting a batch and recording decisions.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{ClearanceOutcome, Permission, ReasonKind};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::clearance::{
    BatchDetail, BatchList, BatchListQuery, DecisionInput, DecisionsRequest, SubmitRequest,
    list_batches, parse_batch_id, read_batch, record_decisions, submit_batch, sweep_overdue,
};
use crate::api::reasons::choices;
use crate::auth::{Identity, PageUser};
use crate::pages::form::Refusal;
use crate::pages::{Chrome, PageRoutes, after_post, flash, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/clearance", list)
        .post("/clearance/batches", submit)
        .post("/clearance/sweep", sweep)
        .get("/clearance/{id}", show)
        .post("/clearance/{id}/decisions", decide)
}

#[derive(Template)]
#[template(path = "clearance.html")]
struct ListPage {
    chrome: Chrome,
    list: BatchList,
    can_submit: bool,
    can_record: bool,
    crossings: Vec<String>,
    needed_by: String,
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
    let list = list_batches(&state, &identity, &query).await?;
    let crossings = state
        .store
        .reference()
        .await?
        .crossings
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    let chrome = Chrome::new(&identity, &session, &state, "/clearance", "Clearance").await?;
    let needed_by = state
        .clock
        .today()
        .checked_add(jiff::Span::new().days(7))
        .unwrap_or(state.clock.today())
        .to_string();
    Ok(render(&ListPage {
        chrome,
        list,
        can_submit: identity.can(Permission::SubmitClearance),
        can_record: identity.can(Permission::RecordClearance),
        crossings,
        needed_by,
    })?)
}

/// The submit form: numbers and lists arrive as text.
#[derive(Debug, Deserialize)]
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

fn number(field: &str, text: &str) -> Result<u32, crate::error::AppError> {
    text.trim().parse().map_err(|_| {
        crate::error::AppError::bad_request(
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
            after_post(
                &session,
                Ok(format!(
                    "Submitted batch {} for {} {}: {} people, needed by {}.",
                    batch.batch.id,
                    batch.batch.crossing,
                    batch.batch.direction,
                    batch.batch.people,
                    batch.batch.needed_by
                )),
                &format!("/clearance/{}", batch.batch.id),
            )
            .await
        }
        Err(error) => after_post(&session, Err(error), "/clearance").await,
    }
}

async fn sweep(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> crate::error::PageResult<Response> {
    let result = sweep_overdue(&state, &identity).await.map(|n| {
        if n == 0 {
            "No request is past its needed-by date without an answer.".to_string()
        } else {
            format!("Recorded {n} requests as delayed: no answer by the date they were needed.")
        }
    });
    after_post(&session, result, "/clearance").await
}

#[derive(Template)]
#[template(path = "batch.html")]
struct BatchPage {
    chrome: Chrome,
    detail: BatchDetail,
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
}

impl BatchPage {
    /// What was typed in a field of the decisions form.
    fn typed(&self, field: &str) -> &str {
        self.typed
            .iter()
            .find(|(key, _)| key == field)
            .map_or("", |(_, value)| value.as_str())
    }
}

async fn show(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
) -> crate::error::PageResult<Response> {
    let typed = vec![("decided_on".to_string(), state.clock.today().to_string())];
    batch_page(&state, &identity, &session, &id, typed, None).await
}

async fn batch_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    id: &str,
    typed: Vec<(String, String)>,
    refusal: Option<Refusal>,
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
    let status = refusal.as_ref().map_or(StatusCode::OK, Refusal::status);
    let mut response = render(&BatchPage {
        denial_reasons: choices(&catalogue, ReasonKind::Denied),
        delay_reasons: choices(&catalogue, ReasonKind::Delayed),
        chrome,
        pending: detail
            .requests
            .iter()
            .filter(|r| r.outcome == "pending")
            .count(),
        detail,
        can_record: identity.can(Permission::RecordClearance),
        outcomes: ClearanceOutcome::ALL,
        typed,
        refusal,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// `outcome:P-000012=cleared`, `reason_code:P-000012=…`, `note:P-000012=…`,
/// and one `decided_on`.
async fn decide(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> crate::error::PageResult<Response> {
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
                    "Recorded {} decisions in batch {}; {} still pending.",
                    recorded.recorded, recorded.batch.batch.id, recorded.batch.batch.pending
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/clearance/{}", recorded.batch.batch.id)).into_response())
        }
        // Every decision set comes back as it was, with the message beside
        // the person's field at fault.
        Err(error) => {
            let refusal = Refusal::of(error, |field| form_field(field, &request.decisions))?;
            batch_page(&state, &identity, &session, &id, fields, Some(refusal)).await
        }
    }
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
