//! The admin's screens: users and roles, API tokens, the audit log with
//! the break-the-glass grants. And every user's own account page.
//!
//! A generated password or token is shown once, on the answer to the form
//! that made it, and never kept in the session.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
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
use crate::error::{AppError, PageResult};
use crate::pages::form::{Refusal, answer};
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

const ACCOUNT_FIELDS: [&str; 5] = ["username", "display_name", "role", "scope", "organisation"];
const ACCOUNT_CHANGE_FIELDS: [&str; 4] = ["role", "scope", "organisation", "active"];
const TOKEN_FIELDS: [&str; 2] = ["username", "label"];
const ORGANISATION_FIELDS: [&str; 3] = ["id", "name", "kind"];
const PASSWORD_FIELDS: [&str; 3] = ["current_password", "new_password", "repeat_password"];

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
    refusal: Option<Refusal>,
    /// The account just created and its password, shown this once.
    created: Option<(String, String)>,
}

async fn users_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    form: NewAccount,
    refusal: Option<Refusal>,
    created: Option<(String, String)>,
) -> PageResult<Response> {
    let now = state.clock.now();
    let users = list_users(state, identity)
        .await?
        .iter()
        .map(|user| UserView::of(user, now))
        .collect();
    let chrome = Chrome::new(identity, session, state, "/admin/users", "Users and roles").await?;
    let page = render(&UsersPage {
        chrome,
        users,
        roles: UserRole::ALL,
        scopes: Scope::ALL,
        organisations: organisation_choices(state).await?,
        form,
        refusal: refusal.clone(),
        created,
    })?;
    Ok(answer(page, refusal.as_ref()))
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
        Err(error) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &ACCOUNT_FIELDS))?;
            users_page(&state, &identity, &session, account, Some(refusal), None).await
        }
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
    /// The role-and-scope form: the account's values, or as typed when refused.
    form: AccountForm,
    refusal: Option<Refusal>,
    /// A new password just set, shown this once.
    password: Option<String>,
}

async fn user_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    username: &str,
    refused: Option<(AccountForm, Refusal)>,
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
    let user = UserView::of(&user, state.clock.now());
    let (form, refusal) = match refused {
        Some((form, refusal)) => (form, Some(refusal)),
        None => (AccountForm::of(&user), None),
    };
    let page = render(&UserPage {
        chrome,
        user,
        roles: UserRole::ALL,
        scopes: Scope::ALL,
        organisations: organisation_choices(state).await?,
        form,
        refusal: refusal.clone(),
        password,
    })?;
    Ok(answer(page, refusal.as_ref()))
}

async fn user(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Path(username): Path<String>,
) -> PageResult<Response> {
    user_page(&state, &identity, &session, &username, None, None).await
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

impl AccountForm {
    fn of(user: &UserView) -> AccountForm {
        AccountForm {
            role: user.role.clone(),
            scope: user.scope.clone(),
            organisation: user.organisation.clone().unwrap_or_default(),
            active: if user.active { "active" } else { "disabled" }.to_string(),
        }
    }
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
    let back = format!("/admin/users/{}", urlencoding_path(&username));
    let active = match form.active.as_str() {
        "active" => Ok(true),
        "disabled" => Ok(false),
        other => Err(AppError::bad_request(
            "active",
            format!("'{other}' is neither 'active' nor 'disabled'; choose one"),
        )),
    };
    let result = match active {
        Ok(active) => {
            let change = AccountChange {
                role: Some(form.role.clone()),
                scope: Some(form.scope.clone()),
                organisation: Some(form.organisation.clone()),
                active: Some(active),
            };
            update_user(&state, &identity, &username, &change).await
        }
        Err(error) => Err(error),
    };
    match result {
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
        Err(error) => {
            let refusal =
                Refusal::of(error, |field| Refusal::named(field, &ACCOUNT_CHANGE_FIELDS))?;
            user_page(
                &state,
                &identity,
                &session,
                &username,
                Some((form, refusal)),
                None,
            )
            .await
        }
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
    user_page(&state, &identity, &session, &username, None, Some(password)).await
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
    /// The create form as typed when refused (empty otherwise).
    form: NewToken,
    refusal: Option<Refusal>,
}

async fn tokens_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    created: Option<(String, String)>,
    form: NewToken,
    refusal: Option<Refusal>,
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
    let page = render(&TokensPage {
        chrome,
        tokens,
        usernames,
        created,
        form,
        refusal: refusal.clone(),
    })?;
    Ok(answer(page, refusal.as_ref()))
}

async fn tokens(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    tokens_page(&state, &identity, &session, None, NewToken::default(), None).await
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
                NewToken::default(),
                None,
            )
            .await
        }
        Err(error) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &TOKEN_FIELDS))?;
            tokens_page(&state, &identity, &session, None, form, Some(refusal)).await
        }
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
        // A button, not a form to correct: what went wrong is for the page.
        Err(error) => {
            let refusal = Refusal::of(error, |_| None)?;
            return tokens_page(
                &state,
                &identity,
                &session,
                None,
                NewToken::default(),
                Some(refusal),
            )
            .await;
        }
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
    refusal: Option<Refusal>,
}

async fn organisations_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    form: NewOrganisation,
    refusal: Option<Refusal>,
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
    let page = render(&OrganisationsPage {
        chrome,
        organisations,
        kinds: organisation_kinds(),
        form,
        refusal: refusal.clone(),
    })?;
    Ok(answer(page, refusal.as_ref()))
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
        Err(error) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &ORGANISATION_FIELDS))?;
            organisations_page(&state, &identity, &session, form, Some(refusal)).await
        }
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
    /// Why the change was refused; passwords are never typed back.
    refusal: Option<Refusal>,
}

async fn account_page(
    state: &AppState,
    identity: &Identity,
    session: &Session,
    refusal: Option<Refusal>,
) -> PageResult<Response> {
    let chrome = Chrome::new(identity, session, state, "/account", "Your account").await?;
    let page = render(&AccountPage {
        chrome,
        user: UserView::of(&identity.user, state.clock.now()),
        min_length: corridor_domain::MIN_PASSWORD_CHARS,
        refusal: refusal.clone(),
    })?;
    Ok(answer(page, refusal.as_ref()))
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
        Err(error) => {
            let refusal = Refusal::of(error, |field| Refusal::named(field, &PASSWORD_FIELDS))?;
            account_page(&state, &identity, &session, Some(refusal)).await
        }
    }
}
