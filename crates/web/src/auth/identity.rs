//! The signed-in user of a request, from the session cookie or an API
//! token, and the checks every handler makes with it.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use corridor_domain::{
    Permission, PersonId, RecordAccess, RecordOwnership, Scope, Viewer, record_access,
};
use corridor_store::{UserAccount, Visibility};
use jiff::Timestamp;
use tower_sessions::Session;

use crate::access_log::RequestUser;
use crate::auth::token::hash_token;
use crate::error::{ApiError, AppError, PageError};
use crate::i18n::{Words, words_of};
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
    /// The words of the request's language ([`crate::i18n`]).
    pub words: Words,
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

    /// The user as the scope rule sees them.
    pub fn viewer(&self) -> Viewer<'_> {
        Viewer {
            username: &self.user.username,
            scope: self.user.scope,
            organisation: self.user.organisation.as_ref(),
        }
    }

    /// What the user may do with the personal record of `person` (the
    /// scope rule, `corridor_domain::record_access`), and until when a
    /// grant from breaking the glass opens it. Refuses a role that does not
    /// see people, and an unknown person.
    pub async fn record_access(
        &self,
        state: &AppState,
        person: &PersonId,
    ) -> Result<(RecordAccess, Option<Timestamp>), AppError> {
        self.require(Permission::ViewPeople)?;
        let Some((registered_by, organisation)) = state.store.ownership(person).await? else {
            return Err(AppError::NotFound(format!(
                "no person with id {person} is registered"
            )));
        };
        let viewer = self.viewer();
        let record = RecordOwnership {
            registered_by: &registered_by,
            organisation: organisation.as_ref(),
        };
        if record_access(viewer, record, false) == RecordAccess::ReadAndChange {
            return Ok((RecordAccess::ReadAndChange, None));
        }
        let grant = state
            .store
            .break_glass_until(&self.user.username, person, state.clock.now())
            .await?;
        Ok((record_access(viewer, record, grant.is_some()), grant))
    }

    /// Checks that the user may see the personal record of `person`: in
    /// scope, or opened by breaking the glass (then returns until when).
    /// The caller records the view in the audit log.
    pub async fn may_read_person(
        &self,
        state: &AppState,
        person: &PersonId,
    ) -> Result<Option<Timestamp>, AppError> {
        match self.record_access(state, person).await? {
            (RecordAccess::ReadAndChange, _) => Ok(None),
            (RecordAccess::ReadOnly, until) => Ok(until),
            (RecordAccess::Closed, _) => Err(AppError::OutOfScope {
                person: person.to_string(),
            }),
        }
    }

    /// Checks that the user may change anything about `person` (their
    /// status, their companions, their luggage, their gate outcome): only
    /// within the user's scope. Breaking the glass opens a record for
    /// reading, never for changing it.
    pub async fn may_change_person(
        &self,
        state: &AppState,
        person: &PersonId,
    ) -> Result<(), AppError> {
        // Everyone is in an all-scope; the store finds unknown people.
        if self.user.scope == Scope::All {
            return Ok(());
        }
        match self.record_access(state, person).await? {
            (RecordAccess::ReadAndChange, _) => Ok(()),
            (RecordAccess::ReadOnly | RecordAccess::Closed, _) => {
                Err(AppError::Forbidden(format!(
                    "{person} is outside your scope: you may not change this record. Breaking the glass lets you read it, never change it; ask someone whose scope it is in"
                )))
            }
        }
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
            words: words_of(&parts.extensions),
        });
    }
    let signed_out = || AppError::Unauthenticated {
        detail:
            "sign in first (POST /sign-in), or send an API token as 'Authorization: Bearer <token>'"
                .to_string(),
    };
    let session = parts.extensions.get::<Session>().ok_or_else(signed_out)?;
    session_identity(session, state, words_of(&parts.extensions))
        .await?
        .ok_or_else(signed_out)
}

/// The user signed in with this session, if any (and still enabled).
pub async fn session_identity(
    session: &Session,
    state: &AppState,
    words: Words,
) -> Result<Option<Identity>, AppError> {
    let username: Option<String> = session
        .get(SESSION_USER)
        .await
        .map_err(|error| AppError::Internal(format!("cannot read the session: {error}")))?;
    let Some(username) = username else {
        return Ok(None);
    };
    let user = state.store.signed_in_user(&username).await?;
    Ok(user.map(|user| Identity {
        user,
        via: Via::Session,
        words,
    }))
}

/// Identifies the user and names them in the request's access line.
async fn identify_for_log(parts: &mut Parts, state: &AppState) -> Result<Identity, AppError> {
    let identity = identify(parts, state).await?;
    if let Some(user) = parts.extensions.get::<RequestUser>() {
        user.set(identity.username());
    }
    Ok(identity)
}

/// The user of an API request; refused as a problem document.
pub struct ApiUser(pub Identity);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(ApiUser(identify_for_log(parts, state).await?))
    }
}

/// The user of a page; refused by sending them to sign in.
pub struct PageUser(pub Identity);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        Ok(PageUser(identify_for_log(parts, state).await?))
    }
}
