//! A person's contact channels (phone numbers): personal data, read with
//! `view-people` within the reader's scope (like names, and audited like
//! the record), added and removed with `edit-contacts` within the scope.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use corridor_domain::{Contact, NewContact, Permission, PersonId};
use corridor_store::NewAuditEntry;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiJson;
use crate::api::people::parse_person_id;
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(remove))
}

/// One contact channel of a person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    /// The contact's number within the person: send it to remove it.
    pub number: u32,
    /// `+` and digits, as dialled.
    pub phone: String,
    /// Whose number it is, e.g. patient, mother.
    pub label: String,
    /// `ar` or `en`.
    pub language: String,
}

impl ContactView {
    pub fn of(contact: &Contact) -> ContactView {
        ContactView {
            number: contact.number,
            phone: contact.phone.to_string(),
            label: contact.label.to_string(),
            language: contact.language.as_str().to_string(),
        }
    }
}

/// A contact to add: the number with its country code (spaces and dashes
/// allowed), whose it is, and the language (`ar` when left out).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ContactRequest {
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub language: Option<String>,
}

/// A person's contacts, for a reader who may see their record. The page
/// reads them with the record, whose read is audited; a read of the
/// contacts alone is audited here.
pub async fn contacts_for(
    state: &AppState,
    identity: &Identity,
    id: &PersonId,
    audited: bool,
) -> Result<Vec<ContactView>, AppError> {
    identity.require(Permission::ViewPeople)?;
    identity.may_read_person(state, id).await?;
    if state.store.person(id).await?.is_none() {
        return Err(AppError::NotFound(format!(
            "no person with id {id} is registered"
        )));
    }
    if audited {
        state
            .store
            .record(&NewAuditEntry {
                at: state.clock.now(),
                actor: identity.username().to_string(),
                action: "contacts.read".to_string(),
                subject: id.to_string(),
                detail: serde_json::json!({ "via": identity.via.as_str() }),
            })
            .await?;
    }
    Ok(state
        .store
        .contacts(id)
        .await?
        .iter()
        .map(ContactView::of)
        .collect())
}

pub async fn add_contact_for(
    state: &AppState,
    identity: &Identity,
    id: &PersonId,
    request: &ContactRequest,
) -> Result<ContactView, AppError> {
    identity.require(Permission::EditContacts)?;
    identity.may_change_person(state, id).await?;
    let contact = NewContact::parse(&request.phone, &request.label, request.language.as_deref())?;
    let added = state
        .store
        .add_contact(id, &contact, state.clock.now(), identity.username())
        .await?;
    Ok(ContactView::of(&added))
}

pub async fn remove_contact_for(
    state: &AppState,
    identity: &Identity,
    id: &PersonId,
    number: u32,
) -> Result<ContactView, AppError> {
    identity.require(Permission::EditContacts)?;
    identity.may_change_person(state, id).await?;
    let removed = state
        .store
        .remove_contact(id, number, state.clock.now(), identity.username())
        .await?;
    Ok(ContactView::of(&removed))
}

/// A person's phone numbers. Personal data: the read is written to the
/// audit log.
#[utoipa::path(get, path = "/api/v1/people/{id}/contacts", tag = "people",
    params(("id" = String, Path, description = "Person id, e.g. P-000042")),
    responses((status = 200, body = Vec<ContactView>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ContactView>>> {
    let id = parse_person_id(&id)?;
    Ok(Json(contacts_for(&state, &identity, &id, true).await?))
}

/// Adds a phone number to a person: `+`, the country code and the number
/// (7 to 15 digits; spaces and dashes are removed). A refused field is
/// named (`phone`, `label`, `language`).
#[utoipa::path(post, path = "/api/v1/people/{id}/contacts", tag = "people",
    params(("id" = String, Path, description = "Person id")),
    request_body = ContactRequest,
    responses((status = 201, body = ContactView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn add(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ContactRequest>,
) -> ApiResult<(StatusCode, Json<ContactView>)> {
    let id = parse_person_id(&id)?;
    let added = add_contact_for(&state, &identity, &id, &request).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// Removes a person's phone number by its number in their list.
#[utoipa::path(delete, path = "/api/v1/people/{id}/contacts/{number}", tag = "people",
    params(("id" = String, Path, description = "Person id"),
        ("number" = u32, Path, description = "The contact's number in the person's list")),
    responses((status = 200, body = ContactView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path((id, number)): Path<(String, u32)>,
) -> ApiResult<Json<ContactView>> {
    let id = parse_person_id(&id)?;
    Ok(Json(
        remove_contact_for(&state, &identity, &id, number).await?,
    ))
}
