//! The admin's screens: users and roles, API tokens, the audit log with
//! the break-the-glass grants. And every user's own account page.
//!
//! A generated password or token is shown once, on the answer to the form
//! that made it, and never kept in the session.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use corridor_domain::{OrganisationKind, Permission, Scope, UserRole};
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::audit::{AuditQuery, AuditView, audit_view};
use crate::api::organisations::{
    NewOrganisation, OrganisationView, add_organisation as add_organisation_for,
    kinds as organisation_kinds, list_organisations,
};
use crate::api::users::{
    AccountChange, NewAccount, NewToken, TokenView, UserView, change_own_password,
    create_api_token, create_user, find_user, list_api_tokens, list_users, reset_password,
    revoke_api_token, update_user,
};
use crate::auth::{Identity, PageUser};
use crate::error::{AppError, PageError, PageResult};
use crate::pages::{Chrome, PageRoutes, flash, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/admin/users", users)
        .post("/admin/users", create)
        .get("/admin/users/{username}", user)
        .post("/admin/users/{username}", update)
        .post("/admin/users/{username}/password", reset)
        .get("/admin/tokens", tokens)
        .post("/admin/tokens", create_token)
        .post("/admin/tokens/{id}/revoke", revoke_token)
        .get("/admin/organisations", organisations)
        .post("/admin/organisations", add_organisation)
        .get("/admin/audit", audit)
        .get("/account", account)
        .post("/account/password", change_password)
}

/// Errors a person can correct on the form come back as a message on the
/// page; refusals (403) and failures stay errors.
fn correctable(error: &AppError) -> bool {
    matches!(
        error,
        AppError::BadRequest { .. } | AppError::Conflict(_) | AppError::NotFound(_)
    )
}

/// A form error as a line naming the field and what to do.
fn form_error(error: &AppError) -> String {
    match error {
        AppError::BadRequest {
            field: Some(field),
            detail,
        } if !detail.starts_with(field.as_str()) => format!("{field}: {detail}"),
        other => other.detail(),
    }
}

// Users.

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserView>,
    roles: &'static [UserRole],
    scopes: &'static [Scope],
    /// (id, name) of every organisation.
    organisations: Vec<(String, String)>,
    form: NewAccount,
    error: Option<String>,
    /// The account just created and its password, shown this once.
    created: Option<(String, String)>,
}

async fn users_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    form: NewAccount,
    error: Option<String>,
    created: Option<(String, String)>,
) -> PageResult<Response> {
    let now = state.clock.now();
    let users = list_users(state, identity)
        .await?
        .iter()
        .map(|user| UserView::of(user, now))
        .collect();
    let chrome = Chrome::new(identity, session, state, "/admin/users", "Users and roles").await?;
    Ok(render(&UsersPage {
        chrome,
        users,
        roles: UserRole::ALL,
        scopes: Scope::ALL,
        organisations: organisation_choices(state).await?,
        form,
        error,
        created,
    })?)
}

async fn users(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    users_page(
        &state,
        &identity,
        &session,
        NewAccount::default(),
        None,
        None,
    )
    .await
}

#[derive(Deserialize)]
struct NewAccountForm {
    username: String,
    #[serde(default)]
    display_name: String,
    role: String,
    /// Empty for the role's default.
    #[serde(default)]
    scope: String,
    #[serde(default)]
    organisation: String,
}

async fn create(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<NewAccountForm>,
) -> PageResult<Response> {
    let account = NewAccount {
        username: form.username,
        display_name: Some(form.display_name),
        role: form.role,
        scope: Some(form.scope),
        organisation: Some(form.organisation),
    };
    match create_user(&state, &identity, &account).await {
        Ok((user, password)) => {
            users_page(
                &state,
                &identity,
                &session,
                NewAccount::default(),
                None,
                Some((user.username, password)),
            )
            .await
        }
        Err(error) if correctable(&error) => {
            let mut response = users_page(
                &state,
                &identity,
                &session,
                account,
                Some(form_error(&error)),
                None,
            )
            .await?;
            *response.status_mut() = error.status();
            Ok(response)
        }
        Err(error) => Err(PageError(error)),
    }
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    chrome: Chrome,
    user: UserView,
    roles: &'static [UserRole],
    scopes: &'static [Scope],
    organisations: Vec<(String, String)>,
    /// A new password just set, shown this once.
    password: Option<String>,
}

async fn user_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    username: &str,
    password: Option<String>,
) -> PageResult<Response> {
    let user = find_user(state, identity, username).await?;
    let chrome = Chrome::new(
        identity,
        session,
        state,
        "/admin/users",
        format!("Account {}", user.username),
    )
    .await?;
    Ok(render(&UserPage {
        chrome,
        user: UserView::of(&user, state.clock.now()),
        roles: UserRole::ALL,
        scopes: Scope::ALL,
        organisations: organisation_choices(state).await?,
        password,
    })?)
}

async fn user(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(username): Path<String>,
) -> PageResult<Response> {
    user_page(&state, &identity, &session, &username, None).await
}

#[derive(Deserialize)]
struct AccountForm {
    role: String,
    scope: String,
    #[serde(default)]
    organisation: String,
    /// `active` or `disabled`.
    active: String,
}

async fn update(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(username): Path<String>,
    Form(form): Form<AccountForm>,
) -> PageResult<Response> {
    // This page judges fields of its own form before the capability
    // runs; a role without the permission is refused before that.
    identity.require(Permission::ManageUsers)?;
    let active = match form.active.as_str() {
        "active" => true,
        "disabled" => false,
        other => {
            return Err(PageError(AppError::bad_request(
                "active",
                format!("'{other}' is neither 'active' nor 'disabled'"),
            )));
        }
    };
    let change = AccountChange {
        role: Some(form.role),
        scope: Some(form.scope),
        organisation: Some(form.organisation),
        active: Some(active),
    };
    let back = format!("/admin/users/{}", urlencoding_path(&username));
    match update_user(&state, &identity, &username, &change).await {
        Ok(user) => {
            flash(
                &session,
                format!(
                    "Saved {}: {}, scope {}{}, {}. It applies to their next request; a new role or disabling signs them out.",
                    user.username,
                    user.role.label(),
                    user.scope,
                    user.organisation
                        .as_ref()
                        .map(|o| format!(" ({o})"))
                        .unwrap_or_default(),
                    if user.active {
                        "active"
                    } else {
                        "disabled: their sessions and API tokens no longer work"
                    }
                ),
            )
            .await;
            Ok(Redirect::to(&back).into_response())
        }
        Err(error) if correctable(&error) => {
            flash(&session, format!("Not saved. {}", form_error(&error))).await;
            Ok(Redirect::to(&back).into_response())
        }
        Err(error) => Err(PageError(error)),
    }
}

/// User names are identifiers (letters, digits, `-`, `_`, `.`), safe in a
/// path; anything else is refused before it gets here, but do not echo it.
fn urlencoding_path(username: &str) -> String {
    username
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

async fn reset(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(username): Path<String>,
) -> PageResult<Response> {
    let password = reset_password(&state, &identity, &username).await?;
    user_page(&state, &identity, &session, &username, Some(password)).await
}

// API tokens.

#[derive(Template)]
#[template(path = "admin_tokens.html")]
struct TokensPage {
    chrome: Chrome,
    tokens: Vec<TokenView>,
    usernames: Vec<String>,
    /// The token just created, shown this once.
    created: Option<(String, String)>,
    error: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    created: Option<(String, String)>,
    error: Option<String>,
) -> PageResult<Response> {
    let mut tokens: Vec<TokenView> = list_api_tokens(state, identity)
        .await?
        .iter()
        .map(TokenView::of)
        .collect();
    tokens.reverse();
    let usernames = list_users(state, identity)
        .await?
        .into_iter()
        .filter(|user| user.active)
        .map(|user| user.username)
        .collect();
    let chrome = Chrome::new(identity, session, state, "/admin/tokens", "API tokens").await?;
    Ok(render(&TokensPage {
        chrome,
        tokens,
        usernames,
        created,
        error,
    })?)
}

async fn tokens(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    tokens_page(&state, &identity, &session, None, None).await
}

async fn create_token(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<NewToken>,
) -> PageResult<Response> {
    match create_api_token(&state, &identity, &form).await {
        Ok((row, token)) => {
            tokens_page(
                &state,
                &identity,
                &session,
                Some((format!("{} for {}", row.id, row.username), token)),
                None,
            )
            .await
        }
        Err(error) if correctable(&error) => {
            let mut response =
                tokens_page(&state, &identity, &session, None, Some(form_error(&error))).await?;
            *response.status_mut() = error.status();
            Ok(response)
        }
        Err(error) => Err(PageError(error)),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(id): Path<String>,
) -> PageResult<Response> {
    match revoke_api_token(&state, &identity, &id).await {
        Ok(row) => flash(
            &session,
            format!(
                "Revoked the API token {} of {} ({}): requests with it are refused from now on.",
                row.id, row.username, row.label
            ),
        )
        .await,
        Err(error) if correctable(&error) => flash(&session, form_error(&error)).await,
        Err(error) => return Err(PageError(error)),
    }
    Ok(Redirect::to("/admin/tokens").into_response())
}

// Organisations.

#[derive(Template)]
#[template(path = "admin_organisations.html")]
struct OrganisationsPage {
    chrome: Chrome,
    organisations: Vec<OrganisationView>,
    kinds: &'static [OrganisationKind],
    form: NewOrganisation,
    error: Option<String>,
}

async fn organisations_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    form: NewOrganisation,
    error: Option<String>,
) -> PageResult<Response> {
    identity.require(Permission::ManageUsers)?;
    let organisations = list_organisations(state, identity)
        .await?
        .iter()
        .map(OrganisationView::of)
        .collect();
    let chrome = Chrome::new(
        identity,
        session,
        state,
        "/admin/organisations",
        "Organisations",
    )
    .await?;
    Ok(render(&OrganisationsPage {
        chrome,
        organisations,
        kinds: organisation_kinds(),
        form,
        error,
    })?)
}

async fn organisations(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    organisations_page(
        &state,
        &identity,
        &session,
        NewOrganisation::default(),
        None,
    )
    .await
}

async fn add_organisation(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<NewOrganisation>,
) -> PageResult<Response> {
    match add_organisation_for(&state, &identity, &form).await {
        Ok(organisation) => {
            flash(
                &session,
                format!(
                    "Added {} ({}), a {}. Accounts and referrals can name it now.",
                    organisation.name,
                    organisation.id,
                    organisation.kind.label().to_lowercase()
                ),
            )
            .await;
            Ok(Redirect::to("/admin/organisations").into_response())
        }
        Err(error) if correctable(&error) => {
            let mut response =
                organisations_page(&state, &identity, &session, form, Some(form_error(&error)))
                    .await?;
            *response.status_mut() = error.status();
            Ok(response)
        }
        Err(error) => Err(PageError(error)),
    }
}

/// The organisations an account may belong to (id, name), for the forms.
async fn organisation_choices(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(state
        .store
        .organisations()
        .await?
        .into_iter()
        .map(|organisation| (organisation.id.to_string(), organisation.name.to_string()))
        .collect())
}

// The audit log.

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    chrome: Chrome,
    query: AuditQuery,
    audit: AuditView,
}

async fn audit(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Query(query): Query<AuditQuery>,
) -> PageResult<Response> {
    let audit = audit_view(&state, &identity, &query).await?;
    let chrome = Chrome::new(&identity, &session, &state, "/admin/audit", "Audit log").await?;
    Ok(render(&AuditPage {
        chrome,
        query,
        audit,
    })?)
}

// One's own account.

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    user: UserView,
    min_length: usize,
    error: Option<String>,
}

async fn account_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    error: Option<String>,
) -> PageResult<Response> {
    let chrome = Chrome::new(identity, session, state, "/account", "Your account").await?;
    Ok(render(&AccountPage {
        chrome,
        user: UserView::of(&identity.user, state.clock.now()),
        min_length: corridor_domain::MIN_PASSWORD_CHARS,
        error,
    })?)
}

/// Every signed-in user has this page, whatever their role.
async fn account(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    account_page(&state, &identity, &session, None).await
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    repeat_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> PageResult<Response> {
    let this_session = session.id().map(|id| id.to_string());
    match change_own_password(
        &state,
        &identity,
        this_session.as_deref(),
        &form.current_password,
        &form.new_password,
        &form.repeat_password,
    )
    .await
    {
        Ok(()) => {
            flash(
                &session,
                "Your password is changed. Use the new one from now on.",
            )
            .await;
            Ok(Redirect::to("/account").into_response())
        }
        Err(error @ (AppError::BadRequest { .. } | AppError::TooManyRequests { .. })) => {
            let mut response =
                account_page(&state, &identity, &session, Some(form_error(&error))).await?;
            *response.status_mut() = match error {
                AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::BAD_REQUEST,
            };
            Ok(response)
        }
        Err(error) => Err(PageError(error)),
    }
}
