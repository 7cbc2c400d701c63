//! The notices outbox as the liaison and a gateway see it: the notices of
//! a crossing date (what each party was told, through which channel, and
//! where each notice is), and the gateway's delivery reports.
//!
//! A notice's recipient and words are personal data: the list needs
//! `call-parties`, shows them only to a user whose scope is every record
//! (as the call list does), and every read is audited (`notices.read`).
//! A delivery report carries no user: it is signed with the shared secret
//! (`CORRIDOR_NOTICES_SECRET`) in the `x-corridor-signature` header, and
//! refused when the server has no secret or the signature does not match.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use corridor_domain::{DeliveryStatus, Permission, Scope};
use corridor_store::{NewAuditEntry, Notice, NoticeFilter, NoticeRef};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiQuery;
use crate::api::params::parse_date;
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::notices::{SIGNATURE_HEADER, signature_matches};
use crate::state::AppState;

/// Where gateways send delivery reports.
pub const DELIVERY_PATH: &str = "/api/v1/notices/delivery";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(delivery))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticesQuery {
    /// `YYYY-MM-DD`: the notices about the crossing days of this date.
    pub date: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeView {
    pub id: u64,
    /// The idempotency key the gateway receives with every attempt.
    pub key: String,
    /// The party's patient or returnee.
    pub person: String,
    /// `listed`, `scheduled`, `standby`, `clearance-delayed`, `denied`,
    /// `day-cancelled`.
    pub kind: String,
    /// `ar` or `en`.
    pub language: String,
    /// `queued`, `sending`, `sent`, `delivered`, `failed`, `gave_up`.
    pub state: String,
    /// The channel of the last attempt.
    pub channel: Option<String>,
    pub attempts: u32,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub gateway_id: Option<String>,
    pub crossing: Option<String>,
    pub date: Option<String>,
    /// Only to a user whose scope is every record.
    pub recipient: Option<String>,
    /// The words sent; only to a user whose scope is every record.
    pub body: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl NoticeView {
    pub fn of(notice: &Notice, personal: bool) -> NoticeView {
        NoticeView {
            id: notice.id,
            key: notice.key.clone(),
            person: notice.person.to_string(),
            kind: notice.kind.as_str().to_string(),
            language: notice.language.as_str().to_string(),
            state: notice.state.as_str().to_string(),
            channel: notice.channel.map(|c| c.as_str().to_string()),
            attempts: notice.attempts,
            next_attempt_at: notice.next_attempt_at.to_string(),
            last_error: notice.last_error.clone(),
            gateway_id: notice.gateway_id.clone(),
            crossing: notice.crossing.as_ref().map(ToString::to_string),
            date: notice.date.map(|d| d.to_string()),
            recipient: personal.then(|| notice.recipient.to_string()),
            body: personal.then(|| notice.body.clone()),
            created_at: notice.created_at.to_string(),
            updated_at: notice.updated_at.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeListView {
    pub date: String,
    /// Whether recipients and words are shown (scope of every record).
    pub personal: bool,
    pub notices: Vec<NoticeView>,
}

/// A gateway's report on one notice: name it by `key` (the idempotency
/// key it was sent with) or by `gateway_id` (the id the gateway answered).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DeliveryRequest {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub gateway_id: Option<String>,
    /// `delivered` or `failed`.
    pub status: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryView {
    pub notice: u64,
    pub state: String,
    /// False when the report changed nothing (a repeat, or the notice was
    /// already delivered).
    pub changed: bool,
}

/// The notices of a date, for a user who may call parties; audited.
pub async fn notices_for(
    state: &AppState,
    identity: &Identity,
    date: &str,
) -> Result<NoticeListView, AppError> {
    identity.require(Permission::CallParties)?;
    let date = parse_date("date", date)?;
    let notices = state.store.notices(&NoticeFilter::Date(date)).await?;
    let personal = identity.user.scope == Scope::All;
    state
        .store
        .record(&NewAuditEntry {
            at: state.clock.now(),
            actor: identity.username().to_string(),
            action: "notices.read".to_string(),
            subject: date.to_string(),
            detail: serde_json::json!({
                "via": identity.via.as_str(),
                "personal": personal,
                "notices": notices.len(),
            }),
        })
        .await?;
    Ok(NoticeListView {
        date: date.to_string(),
        personal,
        notices: notices
            .iter()
            .map(|n| NoticeView::of(n, personal))
            .collect(),
    })
}

/// The notices about the crossing days of a date: each party's notice,
/// where it is in the outbox, and (to a user whose scope is every record)
/// its recipient and words.
#[utoipa::path(get, path = "/api/v1/notices", tag = "crossing days", params(NoticesQuery),
    responses((status = 200, body = NoticeListView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<NoticesQuery>,
) -> ApiResult<Json<NoticeListView>> {
    Ok(Json(notices_for(&state, &identity, &query.date).await?))
}

/// Checks a delivery report's signature and reads it.
pub fn read_delivery(
    secret: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(NoticeRef, DeliveryStatus), AppError> {
    let Some(secret) = secret else {
        return Err(AppError::Forbidden(
            "delivery reports are not taken: start corridor serve with a shared secret \
             (--notices-secret or CORRIDOR_NOTICES_SECRET) and sign each report with it"
                .to_string(),
        ));
    };
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if !signature_matches(secret, body, signature) {
        return Err(AppError::Forbidden(format!(
            "the {SIGNATURE_HEADER} header does not match the body: sign the exact body with \
             HMAC-SHA256 and the shared secret, as sha256=<hex>"
        )));
    }
    let request: DeliveryRequest =
        serde_json::from_slice(body).map_err(|error| AppError::BadRequest {
            detail: format!("the delivery report is not what this route takes: {error}"),
            field: None,
        })?;
    let status = DeliveryStatus::parse(&request.status)?;
    let notice = match (request.key, request.gateway_id) {
        (Some(key), _) if !key.trim().is_empty() => NoticeRef::Key(key.trim().to_string()),
        (_, Some(id)) if !id.trim().is_empty() => NoticeRef::GatewayId(id.trim().to_string()),
        _ => {
            return Err(AppError::bad_request(
                "key",
                "name the notice by its key (the Idempotency-Key it was sent with) or its gateway_id",
            ));
        }
    };
    Ok((notice, status))
}

/// A gateway reports a notice delivered or failed; signed with the shared
/// secret in `x-corridor-signature` (`sha256=<hex HMAC-SHA256 of the body>`).
/// A failed delivery is tried again on the back-off schedule; a repeated
/// report changes nothing.
#[utoipa::path(post, path = "/api/v1/notices/delivery", tag = "crossing days",
    request_body = DeliveryRequest, security(()),
    responses((status = 200, body = DeliveryView), (status = 400, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn delivery(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<DeliveryView>> {
    let (notice, status) = read_delivery(state.notices_secret.as_deref(), &headers, &body)?;
    let recorded = state
        .store
        .record_delivery(&notice, status, state.clock.now(), "notices-gateway")
        .await?;
    Ok(Json(DeliveryView {
        notice: recorded.notice,
        state: recorded.state.as_str().to_string(),
        changed: recorded.changed,
    }))
}
