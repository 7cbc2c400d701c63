//! Organisations: the referring facilities, receiving agencies and the
//! coordination cell that accounts and referrals point to. Everyone signed
//! in may list them (integrations need the ids); the admin adds them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use corridor_domain::{Organisation, OrganisationKind, Permission};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiJson;
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, add))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationView {
    /// What accounts (`organisation`) and referrals (`referring_facility`) name.
    pub id: String,
    pub name: String,
    /// `referring-facility`, `receiving-agency` or `coordination-cell`.
    pub kind: String,
    pub kind_label: String,
}

impl OrganisationView {
    pub fn of(organisation: &Organisation) -> OrganisationView {
        OrganisationView {
            id: organisation.id.to_string(),
            name: organisation.name.to_string(),
            kind: organisation.kind.as_str().to_string(),
            kind_label: organisation.kind.label().to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationList {
    pub organisations: Vec<OrganisationView>,
}

pub async fn list_organisations(
    state: &AppState,
    identity: &Identity,
) -> Result<Vec<Organisation>, AppError> {
    identity.require(Permission::ViewAggregates)?;
    Ok(state.store.organisations().await?)
}

/// Every organisation, by name.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "admin",
    responses((status = 200, body = OrganisationList), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
) -> ApiResult<Json<OrganisationList>> {
    let organisations = list_organisations(&state, &identity).await?;
    Ok(Json(OrganisationList {
        organisations: organisations.iter().map(OrganisationView::of).collect(),
    }))
}

/// A new organisation as the admin gives it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewOrganisation {
    /// 1 to 32 letters, digits, `-`, `_` or `.`, e.g. `nasser-medical-complex`.
    pub id: String,
    pub name: String,
    /// `referring-facility`, `receiving-agency` or `coordination-cell`.
    pub kind: String,
}

pub async fn add_organisation(
    state: &AppState,
    identity: &Identity,
    request: &NewOrganisation,
) -> Result<Organisation, AppError> {
    identity.require(Permission::ManageUsers)?;
    let organisation = Organisation::parse(&request.id, &request.name, &request.kind)?;
    state
        .store
        .add_organisation(&organisation, state.clock.now(), identity.username())
        .await?;
    Ok(organisation)
}

/// Adds an organisation (audited); 409 if its id or name is taken.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "admin",
    request_body = NewOrganisation,
    responses((status = 201, body = OrganisationView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn add(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<NewOrganisation>,
) -> ApiResult<(StatusCode, Json<OrganisationView>)> {
    let organisation = add_organisation(&state, &identity, &request).await?;
    Ok((
        StatusCode::CREATED,
        Json(OrganisationView::of(&organisation)),
    ))
}

/// The kinds, for forms.
pub fn kinds() -> &'static [OrganisationKind] {
    OrganisationKind::ALL
}
