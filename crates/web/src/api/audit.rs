//! The audit log and the break-the-glass grants, for the admin.

use axum::Json;
use axum::extract::State;
use corridor_domain::Permission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{ApiQuery, MAX_PAGE_SIZE};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit))
}

/// Entries shown unless the request asks for another number.
const DEFAULT_AUDIT_ENTRIES: u32 = 100;
/// Break-the-glass grants shown, newest first.
const GRANTS_SHOWN: u32 = 200;

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// How many recent entries, 1 to 500 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Only actions starting with this, e.g. `user.` or `person.break-glass`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// `true` walks the whole hash chain to check it; this takes longer as
    /// the log grows (about a second per few hundred thousand entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    /// Compact JSON with the facts of the change.
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakGlassGrantView {
    pub username: String,
    pub person_id: String,
    pub reason: String,
    pub granted_at: String,
    pub expires_at: String,
    /// Whether the grant still opens the record now.
    pub active: bool,
}

/// What `audit verify` finds: the chain and the data intact, or each entry
/// broken by position and each row changed outside corridor by table and key.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditIntegrity {
    pub intact: bool,
    pub entries: u64,
    /// Rows of data compared with what the change that last wrote each recorded.
    pub rows: u64,
    pub head_seq: u64,
    /// Keep it outside the database to detect a rewrite of the whole chain.
    pub head_hash: String,
    pub problems: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    /// Present when the request asked to verify the chain.
    pub integrity: Option<AuditIntegrity>,
    /// Every break of the glass, newest first: who opened which record, why, until when.
    pub break_glass: Vec<BreakGlassGrantView>,
    /// The most recent entries, newest first.
    pub entries: Vec<AuditEntryView>,
}

/// The audit view: integrity, break-the-glass grants and recent entries.
pub async fn audit_view(
    state: &AppState,
    identity: &Identity,
    query: &AuditQuery,
) -> Result<AuditView, AppError> {
    identity.require(Permission::ViewAudit)?;
    let limit = query.limit.unwrap_or(DEFAULT_AUDIT_ENTRIES);
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(AppError::bad_request(
            "limit",
            format!("{limit} entries; ask for 1 to {MAX_PAGE_SIZE}"),
        ));
    }
    let action = query.action.as_deref().unwrap_or("").trim();
    if action.chars().count() > 64 || action.chars().any(char::is_control) {
        return Err(AppError::bad_request(
            "action",
            "give the start of an action name, e.g. user. or person.break-glass",
        ));
    }
    let now = state.clock.now();
    let integrity = if query.verify == Some(true) {
        let report = state.store.verify_audit().await?;
        Some(AuditIntegrity {
            intact: report.is_intact(),
            entries: report.entries,
            rows: report.rows,
            head_seq: report.head_seq,
            head_hash: report.head_hash.clone(),
            problems: report.problems.iter().map(ToString::to_string).collect(),
        })
    } else {
        None
    };
    let grants = state.store.break_glass_grants(GRANTS_SHOWN).await?;
    let entries = state.store.audit_recent(limit, action).await?;
    Ok(AuditView {
        integrity,
        break_glass: grants
            .into_iter()
            .map(|grant| BreakGlassGrantView {
                active: grant.expires_at > now,
                username: grant.username,
                person_id: grant.person_id,
                reason: grant.reason,
                granted_at: grant.granted_at.to_string(),
                expires_at: grant.expires_at.to_string(),
            })
            .collect(),
        entries: entries
            .into_iter()
            .map(|entry| AuditEntryView {
                seq: entry.seq,
                at: entry.at.to_string(),
                actor: entry.actor,
                action: entry.action,
                subject: entry.subject,
                detail: entry.detail,
            })
            .collect(),
    })
}

/// The audit log: every break of the glass with its reason, the most recent
/// entries, and with `verify=true` whether the whole hash chain is intact.
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = AuditView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn audit(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditView>> {
    Ok(Json(audit_view(&state, &identity, &query).await?))
}
