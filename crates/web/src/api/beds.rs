//! Receiving facilities and their beds: the bed board as of a date,
//! publishing beds, and opening or closing a facility or a whole country.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use corridor_domain::{BedCapacity, CountryCode, FacilityId, Permission, Specialty, Text};
use corridor_store::{Destination, StoreError, Thing};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::params::parse_date;
use crate::api::{ApiJson, ApiQuery};
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(board))
        .routes(routes!(publish))
        .routes(routes!(open_destination))
        .routes(routes!(close_destination))
}

/// The most beds one offer may publish: far above any hospital, well below
/// a typing slip of extra zeros.
const MAX_BEDS_PER_OFFER: u32 = 10_000;
const REASON_MAX_CHARS: usize = 500;

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// `YYYY-MM-DD`; today when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// Beds of one specialty at one facility for arrivals on the date.
#[derive(Debug, Serialize, ToSchema)]
pub struct BedLineView {
    pub facility: String,
    pub facility_name: String,
    pub country: String,
    pub specialty: String,
    /// Published in offers that cover the date.
    pub beds: u32,
    /// Held for people scheduled to cross.
    pub held: u32,
    /// Taken by patients admitted.
    pub used: u32,
    /// None where the facility or its country is closed.
    pub free: u32,
    pub facility_open: bool,
    pub country_open: bool,
    pub requires_return_guarantee: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacilityView {
    pub id: String,
    pub name: String,
    pub country: String,
    pub open: bool,
    pub requires_return_guarantee: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountryView {
    pub code: String,
    pub name: String,
    pub open: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BedBoard {
    pub date: String,
    pub lines: Vec<BedLineView>,
    /// Every receiving facility, open or closed, with or without beds.
    pub facilities: Vec<FacilityView>,
    pub countries: Vec<CountryView>,
}

/// The bed board as of `date` (today when `None`).
pub async fn board_for(
    state: &AppState,
    identity: &Identity,
    date: Option<&str>,
) -> Result<BedBoard, AppError> {
    identity.require(Permission::ViewBeds)?;
    let on = match date.map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => parse_date("date", text)?,
        None => state.clock.today(),
    };
    let reference = state.store.reference().await?;
    let lines = state.store.bed_board(on).await?;
    Ok(BedBoard {
        date: on.to_string(),
        lines: lines
            .into_iter()
            .map(|line| {
                let facility = reference.facilities.iter().find(|f| f.id == line.facility);
                BedLineView {
                    facility_name: facility
                        .map_or_else(|| line.facility.to_string(), |f| f.name.to_string()),
                    country: facility.map_or_else(String::new, |f| f.country.to_string()),
                    facility: line.facility.to_string(),
                    specialty: line.specialty.as_str().to_string(),
                    beds: line.published,
                    held: line.held,
                    used: line.consumed,
                    free: line.free(),
                    facility_open: line.facility_open,
                    country_open: line.country_open,
                    requires_return_guarantee: line.requires_return_guarantee,
                }
            })
            .collect(),
        facilities: reference
            .facilities
            .iter()
            .map(|f| FacilityView {
                id: f.id.to_string(),
                name: f.name.to_string(),
                country: f.country.to_string(),
                open: f.open,
                requires_return_guarantee: f.requires_return_guarantee,
            })
            .collect(),
        countries: reference
            .countries
            .iter()
            .map(|c| CountryView {
                code: c.code.to_string(),
                name: c.name.to_string(),
                open: c.open,
            })
            .collect(),
    })
}

/// Beds by facility and specialty for arrivals on a date: published, held
/// for people scheduled, used by patients admitted, and free; closed
/// facilities and countries are marked and have no free beds.
#[utoipa::path(get, path = "/api/v1/beds", tag = "beds", params(BoardQuery),
    responses((status = 200, body = BedBoard), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn board(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<BoardQuery>,
) -> ApiResult<Json<BedBoard>> {
    identity.require(Permission::ViewBeds)?;
    Ok(Json(
        board_for(&state, &identity, query.date.as_deref()).await?,
    ))
}

/// An offer of beds of one specialty at one facility, for arrivals from
/// `from` to `to` (inclusive).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PublishBeds {
    pub facility: String,
    pub specialty: String,
    pub beds: u32,
    /// `YYYY-MM-DD`.
    pub from: String,
    /// `YYYY-MM-DD`, not before `from`.
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedBeds {
    pub facility: String,
    pub specialty: String,
    pub beds: u32,
    pub from: String,
    pub to: String,
}

/// Publishes an offer of beds as the signed-in user.
pub async fn publish_for(
    state: &AppState,
    identity: &Identity,
    request: &PublishBeds,
) -> Result<PublishedBeds, AppError> {
    identity.require(Permission::ManageBeds)?;
    let bad = |invalid: corridor_domain::InvalidValue| {
        AppError::bad_request(invalid.field, invalid.to_string())
    };
    let facility = FacilityId::parse(&request.facility).map_err(bad)?;
    let specialty = Specialty::parse(&request.specialty).map_err(bad)?;
    if !(1..=MAX_BEDS_PER_OFFER).contains(&request.beds) {
        return Err(AppError::bad_request(
            "beds",
            format!(
                "{} beds; publish 1 to {MAX_BEDS_PER_OFFER} in one offer",
                request.beds
            ),
        ));
    }
    let from = parse_date("from", &request.from)?;
    let to = parse_date("to", &request.to)?;
    let capacity = BedCapacity::new(specialty, request.beds, from, to).map_err(bad)?;
    state
        .store
        .publish_beds(&facility, &capacity, state.clock.now(), identity.username())
        .await
        .map_err(|error| match error {
            // Both name a field of the form, where the user corrects them.
            StoreError::NotFound {
                thing: Thing::Facility,
                ..
            } => AppError::bad_request("facility", format!("{error}; choose one of the bed board")),
            StoreError::Exists {
                thing: Thing::BedOffer,
                detail,
            } => AppError::bad_request("from", detail),
            other => AppError::from(other),
        })?;
    Ok(PublishedBeds {
        facility: facility.to_string(),
        specialty: specialty.as_str().to_string(),
        beds: capacity.beds,
        from: from.to_string(),
        to: to.to_string(),
    })
}

/// Publishes beds; recorded in the audit log. An offer with the same
/// facility, specialty and start date as an earlier one is refused.
#[utoipa::path(post, path = "/api/v1/beds", tag = "beds", request_body = PublishBeds,
    responses((status = 201, body = PublishedBeds), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn publish(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<PublishBeds>,
) -> ApiResult<(StatusCode, Json<PublishedBeds>)> {
    identity.require(Permission::ManageBeds)?;
    Ok((
        StatusCode::CREATED,
        Json(publish_for(&state, &identity, &request).await?),
    ))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DestinationChange {
    /// Why: recorded in the audit log.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DestinationView {
    /// `facility` or `country`.
    pub kind: String,
    pub id: String,
    pub open: bool,
}

/// Opens or closes a facility (`kind` = `facility`) or a whole receiving
/// country (`country`), as the signed-in user.
pub async fn set_open_for(
    state: &AppState,
    identity: &Identity,
    kind: &str,
    id: &str,
    open: bool,
    reason: &str,
) -> Result<DestinationView, AppError> {
    identity.require(Permission::ManageBeds)?;
    let bad = |invalid: corridor_domain::InvalidValue| {
        AppError::bad_request(invalid.field, invalid.to_string())
    };
    let reason = Text::parse("reason", reason, REASON_MAX_CHARS).map_err(bad)?;
    let (facility, country);
    let destination = match kind {
        "facility" => {
            facility = FacilityId::parse(id).map_err(bad)?;
            Destination::Facility(&facility)
        }
        "country" => {
            country = CountryCode::parse(id).map_err(bad)?;
            Destination::Country(&country)
        }
        other => {
            return Err(AppError::bad_request(
                "kind",
                format!("'{other}' is neither 'facility' nor 'country'"),
            ));
        }
    };
    state
        .store
        .set_destination_open(
            destination,
            open,
            &reason,
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok(DestinationView {
        kind: kind.to_string(),
        id: match destination {
            Destination::Facility(f) => f.to_string(),
            Destination::Country(c) => c.to_string(),
        },
        open,
    })
}

/// Opens a facility or a country to new plans again.
#[utoipa::path(post, path = "/api/v1/destinations/{kind}/{id}/open", tag = "beds",
    params(("kind" = String, Path, description = "`facility` or `country`"),
        ("id" = String, Path, description = "Facility id or country code")),
    request_body = DestinationChange,
    responses((status = 200, body = DestinationView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn open_destination(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path((kind, id)): Path<(String, String)>,
    ApiJson(request): ApiJson<DestinationChange>,
) -> ApiResult<Json<DestinationView>> {
    identity.require(Permission::ManageBeds)?;
    Ok(Json(
        set_open_for(&state, &identity, &kind, &id, true, &request.reason).await?,
    ))
}

/// Closes a facility or a whole country: it receives no one in new plans;
/// beds already held stay held.
#[utoipa::path(post, path = "/api/v1/destinations/{kind}/{id}/close", tag = "beds",
    params(("kind" = String, Path, description = "`facility` or `country`"),
        ("id" = String, Path, description = "Facility id or country code")),
    request_body = DestinationChange,
    responses((status = 200, body = DestinationView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn close_destination(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path((kind, id)): Path<(String, String)>,
    ApiJson(request): ApiJson<DestinationChange>,
) -> ApiResult<Json<DestinationView>> {
    identity.require(Permission::ManageBeds)?;
    Ok(Json(
        set_open_for(&state, &identity, &kind, &id, false, &request.reason).await?,
    ))
}
