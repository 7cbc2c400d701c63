//! Signing in and out.

use askama::Template;
use axum::extract::{Extension, Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::parse_username;
use corridor_store::SignInCheck;
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::csrf::csrf_token;
use crate::auth::identity::{SESSION_CSRF, SESSION_USER};
use crate::auth::password::{verify_nothing, verify_password};
use crate::error::{AppError, PageResult};
use crate::i18n::Words;
use crate::pages::{PageRoutes, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/sign-in", form)
        .post("/sign-in", sign_in)
        .post("/sign-out", sign_out)
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    csrf: String,
    username: String,
    error: Option<String>,
    words: Words,
}

async fn form(session: Session, Extension(words): Extension<Words>) -> PageResult<Response> {
    Ok(render(&SignInPage {
        csrf: csrf_token(&session).await?,
        username: String::new(),
        error: None,
        words,
    })?)
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

/// Why a sign-in failed, said the same way whether the account exists or
/// not, so the form tells nobody which user names exist.
const REFUSED: &str = "the user name or the password is wrong";

async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    Extension(words): Extension<Words>,
    Form(credentials): Form<Credentials>,
) -> PageResult<Response> {
    let username = credentials.username.trim().to_string();
    let outcome = attempt(&state, &username, credentials.password).await;
    match outcome {
        Ok(username) => {
            session.cycle_id().await.map_err(|error| {
                AppError::Internal(format!("cannot renew the session: {error}"))
            })?;
            session
                .insert(SESSION_USER, username)
                .await
                .map_err(|error| {
                    AppError::Internal(format!("cannot write the session: {error}"))
                })?;
            let _ = session.remove::<String>(SESSION_CSRF).await;
            csrf_token(&session).await?;
            Ok(Redirect::to("/").into_response())
        }
        Err(error) => {
            let status = error.status();
            let message = match &error {
                AppError::Unauthenticated { .. } => words.t("sign-in-refused"),
                AppError::TooManyRequests {
                    retry_after_seconds,
                    ..
                } => words.t1("sign-in-locked", "seconds", *retry_after_seconds),
                other => other.detail(),
            };
            let page = SignInPage {
                csrf: csrf_token(&session).await?,
                username,
                error: Some(message),
                words,
            };
            let mut response = render(&page)?;
            *response.status_mut() = status;
            Ok(response)
        }
    }
}

/// Checks a password and returns the account's user name (sign-in by
/// name is case-insensitive). The attempt is counted before the password
/// is checked, so attempts sent at once cannot outrun the lock; an unknown
/// name is counted, locked and answered exactly like a known one, after a
/// verification of the same cost.
pub async fn attempt(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<String, AppError> {
    let now = state.clock.now();
    // A name no account can have (too long, a control character) is
    // answered as an unknown one, without asking the database.
    let check = match parse_username(username) {
        Ok(username) => state.store.claim_sign_in(&username, now).await?,
        Err(_) => SignInCheck::Unknown,
    };
    let refused = || AppError::Unauthenticated {
        detail: REFUSED.to_string(),
    };
    match check {
        SignInCheck::Unknown => {
            tokio::task::spawn_blocking(move || verify_nothing(&password))
                .await
                .map_err(|error| AppError::Internal(error.to_string()))?;
            Err(refused())
        }
        SignInCheck::Locked { until } => {
            let seconds = until.duration_since(now).as_secs_f64().ceil().max(1.0) as u64;
            Err(AppError::TooManyRequests {
                detail: format!(
                    "too many failed sign-ins with this user name; wait {seconds} s and try again, or ask an admin to reset the password"
                ),
                retry_after_seconds: seconds,
            })
        }
        SignInCheck::Ready {
            account,
            password_hash,
        } => {
            let matches =
                tokio::task::spawn_blocking(move || verify_password(&password, &password_hash))
                    .await
                    .map_err(|error| AppError::Internal(error.to_string()))?;
            state
                .store
                .record_sign_in(&account.username, matches, now)
                .await?;
            if matches {
                Ok(account.username)
            } else {
                Err(refused())
            }
        }
    }
}

async fn sign_out(State(state): State<AppState>, session: Session) -> PageResult<Response> {
    let username: Option<String> = session.get(SESSION_USER).await.unwrap_or_default();
    if let (Some(username), Some(id)) = (username, session.id()) {
        // The session's row and the audit entry go together: the session
        // store keeps sessions in memory for as long as the head stands.
        state
            .store
            .sign_out(&id.to_string(), &username, state.clock.now())
            .await?;
    }
    // Forgets the session in memory and clears the cookie; its row is gone.
    session
        .flush()
        .await
        .map_err(|error| AppError::Internal(format!("cannot end the session: {error}")))?;
    Ok(Redirect::to("/sign-in").into_response())
}
