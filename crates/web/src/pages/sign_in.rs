//! Signing in and out.

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use corridor_store::SignInCheck;
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::csrf::csrf_token;
use crate::auth::identity::{SESSION_CSRF, SESSION_USER};
use crate::auth::password::{verify_nothing, verify_password};
use crate::error::{AppError, PageResult};
use crate::pages::render;
use crate::state::AppState;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/sign-in", get(form).post(sign_in))
        .route("/sign-out", axum::routing::post(sign_out))
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    csrf: String,
    username: String,
    error: Option<String>,
}

async fn form(session: Session) -> PageResult<Response> {
    Ok(render(&SignInPage {
        csrf: csrf_token(&session).await?,
        username: String::new(),
        error: None,
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
    Form(credentials): Form<Credentials>,
) -> PageResult<Response> {
    let username = credentials.username.trim().to_string();
    let outcome = attempt(&state, &username, credentials.password).await;
    match outcome {
        Ok(()) => {
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
            let page = SignInPage {
                csrf: csrf_token(&session).await?,
                username,
                error: Some(error.detail()),
            };
            let mut response = render(&page)?;
            *response.status_mut() = status;
            Ok(response)
        }
    }
}

/// Checks a password; every failure counts towards the account's lock.
pub async fn attempt(state: &AppState, username: &str, password: String) -> Result<(), AppError> {
    let now = state.clock.now();
    let check = state.store.sign_in_check(username, now).await?;
    match check {
        SignInCheck::Unknown => {
            tokio::task::spawn_blocking(move || verify_nothing(&password))
                .await
                .map_err(|error| AppError::Internal(error.to_string()))?;
            Err(AppError::Unauthenticated {
                detail: REFUSED.to_string(),
            })
        }
        SignInCheck::Locked { until } => {
            let seconds = until.duration_since(now).as_secs().max(1) as u64;
            Err(AppError::TooManyRequests {
                detail: format!(
                    "too many failed sign-ins for this account; wait {seconds} s and try again, or ask an admin to reset the password"
                ),
                retry_after_seconds: seconds,
            })
        }
        SignInCheck::Ready { password_hash, .. } => {
            let matches =
                tokio::task::spawn_blocking(move || verify_password(&password, &password_hash))
                    .await
                    .map_err(|error| AppError::Internal(error.to_string()))?;
            state.store.record_sign_in(username, matches, now).await?;
            if matches {
                Ok(())
            } else {
                Err(AppError::Unauthenticated {
                    detail: REFUSED.to_string(),
                })
            }
        }
    }
}

async fn sign_out(State(state): State<AppState>, session: Session) -> PageResult<Response> {
    let username: Option<String> = session.get(SESSION_USER).await.unwrap_or_default();
    if let Some(username) = username {
        state
            .store
            .record(&corridor_store::NewAuditEntry {
                at: state.clock.now(),
                actor: username.clone(),
                action: "user.sign-out".to_string(),
                subject: username,
                detail: serde_json::json!({}),
            })
            .await?;
    }
    session
        .flush()
        .await
        .map_err(|error| AppError::Internal(format!("cannot end the session: {error}")))?;
    Ok(Redirect::to("/sign-in").into_response())
}
