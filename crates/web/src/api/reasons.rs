//! Reason codes: the list, and how a reason appears in an answer. Beyond
//! the person's record (a batch, a manifest, the gate, a reconciliation)
//! a reason is its code and label only; the note appears only in the
//! person's record, which is shown within the reader's scope and audited.

use axum::Json;
use axum::extract::State;
use corridor_domain::{InvalidValue, Permission, Reason, ReasonCatalogue, ReasonKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiQuery;
use crate::auth::ApiUser;
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// One code of the list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonCodeView {
    /// `denied`, `delayed`, `turned-back`, `no-show`, `unscheduled` or `withdrawn`.
    pub kind: String,
    /// A stable identifier, e.g. `security-objection`; send it as `reason_code`.
    pub code: String,
    pub label: String,
    /// A code no longer in use still reads in older records but is refused for new ones.
    pub in_use: bool,
}

/// A reason as it appears beyond the person's record: no note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CodedReason {
    pub kind: String,
    pub code: String,
    pub label: String,
}

/// A reason in the person's record: the code, its label and the note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReasonWithNote {
    pub kind: String,
    pub code: String,
    pub label: String,
    /// Free text about the person: shown only in their record.
    pub note: Option<String>,
}

impl CodedReason {
    pub fn of(catalogue: &ReasonCatalogue, reason: &Reason) -> CodedReason {
        CodedReason {
            kind: reason.kind.as_str().to_string(),
            code: reason.code.to_string(),
            label: catalogue.label(reason.kind, &reason.code),
        }
    }
}

impl std::fmt::Display for CodedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

impl ReasonWithNote {
    pub fn of(catalogue: &ReasonCatalogue, reason: &Reason) -> ReasonWithNote {
        ReasonWithNote {
            kind: reason.kind.as_str().to_string(),
            code: reason.code.to_string(),
            label: catalogue.label(reason.kind, &reason.code),
            note: reason.note.as_ref().map(|note| note.as_str().to_string()),
        }
    }
}

/// A reason from a request: `reason_code` (the kind's default when left
/// out, where it has one) and `note`, checked against the codes in use.
/// `field` turns the domain's field (`reason_code`, `note`) into the
/// request's, e.g. `decisions[2].reason_code`.
pub fn parse_reason(
    catalogue: &ReasonCatalogue,
    kind: ReasonKind,
    code: Option<&str>,
    note: Option<&str>,
    field: impl Fn(&str) -> String,
) -> Result<Reason, AppError> {
    let refused =
        |invalid: InvalidValue| AppError::bad_request(&field(invalid.field), invalid.problem);
    let reason = Reason::parse(kind, code, note).map_err(refused)?;
    catalogue.check(&reason).map_err(refused)?;
    Ok(reason)
}

/// One kind's codes in use, as `(code, label)` for a form's select.
pub fn choices(catalogue: &ReasonCatalogue, kind: ReasonKind) -> Vec<(String, String)> {
    catalogue
        .in_use(kind)
        .map(|entry| (entry.code.to_string(), entry.label.clone()))
        .collect()
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReasonsQuery {
    /// Only this kind, e.g. `denied`.
    #[serde(default)]
    pub kind: Option<String>,
}

/// The reason codes of every kind (or of one), with their labels, in the
/// order forms offer them. Send one as `reason_code`, with an optional
/// `note`; the code `other` needs a note.
#[utoipa::path(get, path = "/api/v1/reasons", tag = "reasons", params(ReasonsQuery),
    responses((status = 200, body = Vec<ReasonCodeView>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<ReasonsQuery>,
) -> ApiResult<Json<Vec<ReasonCodeView>>> {
    identity.require(Permission::ViewAggregates)?;
    let kind = query
        .kind
        .as_deref()
        .filter(|kind| !kind.trim().is_empty())
        .map(ReasonKind::parse)
        .transpose()
        .map_err(|invalid| AppError::bad_request("kind", invalid.to_string()))?;
    let catalogue = state.store.reason_codes().await?;
    Ok(Json(
        catalogue
            .entries()
            .iter()
            .filter(|entry| kind.is_none_or(|kind| entry.kind == kind))
            .map(|entry| ReasonCodeView {
                kind: entry.kind.as_str().to_string(),
                code: entry.code.to_string(),
                label: entry.label.clone(),
                in_use: entry.in_use,
            })
            .collect(),
    ))
}
