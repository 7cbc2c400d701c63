//! The signed-in user of a request, from the session cookie or an API
//! token, and the checks every handler makes with it.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use corridor_domain::{Permission, PersonId, RecordOwnership, Scope, in_scope};
use corridor_store::{UserAccount, Visibility};
use tower_sessions::Session;

use crate::auth::token::hash_token;
use crate::error::{ApiError, AppError, PageError};
use crate::state::AppState;

/// Session keys.
pub const SESSION_USER: &str = "user";
pub const SESSION_CSRF: &str = "csrf";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    Token,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Session => "web",
            Via::Token => "api-token",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub user: UserAccount,
    pub via: Via,
}

impl Identity {
    pub fn username(&self) -> &str {
        &self.user.username
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.user.role.can(permission)
    }

    /// Refuses the request unless the role has `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.can(permission) {
            return Ok(());
        }
        Err(AppError::Forbidden(format!(
            "your role ({}) may not do this (it needs the permission '{}'); ask an admin if your work needs it",
            self.user.role.label(),
            permission.as_str()
        )))
    }

    /// The filter that keeps a list within the user's scope.
    pub fn visibility(&self) -> Option<Visibility> {
        match self.user.scope {
            Scope::All => None,
            Scope::Own => Some(Visibility {
                registered_by: self.user.username.clone(),
                organisation: None,
            }),
            Scope::Organisation => Some(Visibility {
                registered_by: self.user.username.clone(),
                organisation: self.user.organisation.clone(),
            }),
        }
    }

    /// Checks that the user may see the personal record of `person`: the
    /// role must see people, and the record must be in scope or opened by
    /// breaking the glass. The caller records the view in the audit log.
    pub async fn may_read_person(
        &self,
        state: &AppState,
        person: &PersonId,
    ) -> Result<(), AppError> {
        self.require(Permission::ViewPeople)?;
        let Some((registered_by, organisation)) = state.store.ownership(person).await? else {
            return Err(AppError::NotFound(format!(
                "no person with id {person} is registered"
            )));
        };
        let record = RecordOwnership {
            registered_by: &registered_by,
            organisation: organisation.as_deref(),
        };
        if in_scope(
            self.user.scope,
            &self.user.username,
            self.user.organisation.as_deref(),
            record,
        ) {
            return Ok(());
        }
        if state
            .store
            .has_break_glass(&self.user.username, person, state.clock.now())
            .await?
        {
            return Ok(());
        }
        Err(AppError::OutOfScope {
            person: person.to_string(),
        })
    }
}

async fn identify(parts: &mut Parts, state: &AppState) -> Result<Identity, AppError> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|text| text.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| AppError::Unauthenticated {
                detail: "the Authorization header must be 'Bearer <token>' with an API token an admin created"
                    .to_string(),
            })?;
        let user = state
            .store
            .api_token_user(&hash_token(token))
            .await?
            .ok_or_else(|| AppError::Unauthenticated {
                detail: "the API token is unknown, revoked, or its account is disabled; ask an admin for a new one"
                    .to_string(),
            })?;
        return Ok(Identity {
            user,
            via: Via::Token,
        });
    }
    let signed_out = || AppError::Unauthenticated {
        detail:
            "sign in first (POST /sign-in), or send an API token as 'Authorization: Bearer <token>'"
                .to_string(),
    };
    let session = parts
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(signed_out)?;
    let username: Option<String> = session
        .get(SESSION_USER)
        .await
        .map_err(|error| AppError::Internal(format!("cannot read the session: {error}")))?;
    let username = username.ok_or_else(signed_out)?;
    let user = state
        .store
        .signed_in_user(&username)
        .await?
        .ok_or_else(signed_out)?;
    Ok(Identity {
        user,
        via: Via::Session,
    })
}

/// The user of an API request; refused as a problem document.
pub struct ApiUser(pub Identity);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(ApiUser(identify(parts, state).await?))
    }
}

/// The user of a page; refused by sending them to sign in.
pub struct PageUser(pub Identity);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        Ok(PageUser(identify(parts, state).await?))
    }
}
