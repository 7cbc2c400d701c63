//! Accounts and API tokens, for the admin; and changing one's own password.
//!
//! Passwords and tokens are generated here, shown once in the answer that
//! creates them, and stored only as hashes.

use axum::Json;
use axum::extract::{Path, State};
use corridor_domain::{
    AccountRequest, Permission, Scope, UserRole, check_password, parse_scope, parse_token_label,
    parse_username,
};
use corridor_store::{ApiToken, NewUser, UserAccount, UserUpdate};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{ApiJson, ApiQuery};
use crate::auth::password::{generate_password, hash_password, verify_password};
use crate::auth::token::generate_token;
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
        .routes(routes!(reset))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// An account as the admin sees it; never its password.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_label: String,
    pub scope: String,
    /// The id of the user's organisation.
    pub organisation: Option<String>,
    pub active: bool,
    pub created_at: String,
    /// When the password was last set (created, reset or changed).
    pub password_set_at: String,
    /// Failed sign-ins in a row.
    pub failed_sign_ins: u32,
    /// Sign-in is refused until then after failed attempts; a reset clears it.
    pub locked_until: Option<String>,
}

impl UserView {
    pub fn of(user: &UserAccount, now: Timestamp) -> UserView {
        UserView {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role.as_str().to_string(),
            role_label: user.role.label().to_string(),
            scope: user.scope.as_str().to_string(),
            organisation: user.organisation.as_ref().map(|id| id.to_string()),
            active: user.active,
            created_at: user.created_at.to_string(),
            password_set_at: user.password_set_at.to_string(),
            failed_sign_ins: user.failed_sign_ins,
            locked_until: user
                .locked_until
                .filter(|until| *until > now)
                .map(|until| until.to_string()),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// From 1.
    #[serde(default)]
    pub page: Option<u64>,
    /// Rows per page, at most 500.
    #[serde(default)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub per_page: u32,
    pub users: Vec<UserView>,
}

/// One page of `items`, checked like every list of the API.
fn paginate<T>(items: Vec<T>, query: &PageQuery) -> Result<(Vec<T>, u64, u64, u64, u32), AppError> {
    let paging = crate::api::paging(query.page, query.per_page)?;
    let total = items.len() as u64;
    Ok((
        paging.slice(items),
        total,
        paging.page(),
        paging.pages(total),
        paging.per_page(),
    ))
}

pub async fn list_users(
    state: &AppState,
    identity: &Identity,
) -> Result<Vec<UserAccount>, AppError> {
    identity.require(Permission::ManageUsers)?;
    Ok(state.store.users().await?)
}

/// Every account, by user name.
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", params(PageQuery),
    responses((status = 200, body = UserPage), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<UserPage>> {
    let users = list_users(&state, &identity).await?;
    let now = state.clock.now();
    let (rows, total, page, pages, per_page) = paginate(users, &query)?;
    Ok(Json(UserPage {
        total,
        page,
        pages,
        per_page,
        users: rows.iter().map(|user| UserView::of(user, now)).collect(),
    }))
}

/// A new account as the admin asks for it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewAccount {
    /// 1 to 32 letters, digits, `-`, `_` or `.`.
    pub username: String,
    /// Default: the user name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// e.g. `coordinator`, `referrer`, `logistics-officer`.
    pub role: String,
    /// `own`, `organisation` or `all`; default the role's (organisation for referrers).
    #[serde(default)]
    pub scope: Option<String>,
    /// The id of an organisation (see `/api/v1/organisations`); needed
    /// with the scope `organisation`, e.g. the referring facility.
    #[serde(default)]
    pub organisation: Option<String>,
}

/// A created account with its first password, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserView,
    /// Give it to the user; corridor keeps only its hash.
    pub password: String,
}

fn parse_role(text: &str) -> Result<UserRole, AppError> {
    Ok(UserRole::parse(text)?)
}

fn parse_optional_scope(text: Option<&str>) -> Result<Option<Scope>, AppError> {
    Ok(text
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(Scope::parse)
        .transpose()?)
}

/// Hashing is slow on purpose: off the async workers.
pub async fn hash_off_thread(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?
        .map_err(AppError::Internal)
}

/// Creates an account with a generated password, returned once.
pub async fn create_user(
    state: &AppState,
    identity: &Identity,
    account: &NewAccount,
) -> Result<(UserAccount, String), AppError> {
    identity.require(Permission::ManageUsers)?;
    let request = AccountRequest::parse(
        &account.username,
        account.display_name.as_deref(),
        parse_role(&account.role)?,
        parse_optional_scope(account.scope.as_deref())?,
        account.organisation.as_deref(),
    )?;
    let password = generate_password(&request.username);
    let password_hash = hash_off_thread(password.clone()).await?;
    let user = state
        .store
        .create_user(
            &NewUser {
                username: request.username,
                display_name: request.display_name,
                role: request.role,
                scope: request.scope,
                organisation: request.organisation,
                password_hash,
            },
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok((user, password))
}

/// Creates an account; its generated password is in the answer, once.
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = NewAccount,
    responses((status = 201, body = CreatedUser), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(account): ApiJson<NewAccount>,
) -> ApiResult<(axum::http::StatusCode, Json<CreatedUser>)> {
    let (user, password) = create_user(&state, &identity, &account).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(CreatedUser {
            user: UserView::of(&user, state.clock.now()),
            password,
        }),
    ))
}

pub async fn find_user(
    state: &AppState,
    identity: &Identity,
    username: &str,
) -> Result<UserAccount, AppError> {
    identity.require(Permission::ManageUsers)?;
    let username = parse_username(username)?;
    state.store.user(&username).await?.ok_or_else(|| {
        AppError::NotFound(format!(
            "no account named '{username}'; see the list of users"
        ))
    })
}

/// One account.
#[utoipa::path(get, path = "/api/v1/users/{username}", tag = "admin",
    params(("username" = String, Path, description = "User name")),
    responses((status = 200, body = UserView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn show(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(username): Path<String>,
) -> ApiResult<Json<UserView>> {
    let user = find_user(&state, &identity, &username).await?;
    Ok(Json(UserView::of(&user, state.clock.now())))
}

/// What to change about an account; what is left out stays as it is.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AccountChange {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    /// An organisation id; an empty string removes the organisation.
    #[serde(default)]
    pub organisation: Option<String>,
    /// `false` disables the account: its sessions and tokens stop working at once.
    #[serde(default)]
    pub active: Option<bool>,
}

/// Changes role, scope, organisation or whether the account is active.
/// The change applies to the user's next request; a role change or
/// disabling ends their sessions. The last active admin cannot be disabled
/// or demoted.
pub async fn update_user(
    state: &AppState,
    identity: &Identity,
    username: &str,
    change: &AccountChange,
) -> Result<UserAccount, AppError> {
    let current = find_user(state, identity, username).await?;
    let role = match change.role.as_deref() {
        Some(role) => parse_role(role)?,
        None => current.role,
    };
    let scope = parse_optional_scope(change.scope.as_deref())?.unwrap_or(current.scope);
    let organisation = match change.organisation.as_deref() {
        Some(organisation) => Some(organisation),
        None => current.organisation.as_ref().map(|id| id.as_str()),
    };
    let (scope, organisation) = parse_scope(role, scope, organisation)?;
    let active = change.active.unwrap_or(current.active);
    Ok(state
        .store
        .update_user(
            &current.username,
            &UserUpdate {
                role,
                scope,
                organisation,
                active,
            },
            state.clock.now(),
            identity.username(),
        )
        .await?)
}

/// Changes an account's role, scope, organisation or active flag.
#[utoipa::path(patch, path = "/api/v1/users/{username}", tag = "admin",
    params(("username" = String, Path, description = "User name")),
    request_body = AccountChange,
    responses((status = 200, body = UserView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn update(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(username): Path<String>,
    ApiJson(change): ApiJson<AccountChange>,
) -> ApiResult<Json<UserView>> {
    let user = update_user(&state, &identity, &username, &change).await?;
    Ok(Json(UserView::of(&user, state.clock.now())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordReset {
    pub username: String,
    /// The new password, shown this once.
    pub password: String,
}

/// Sets a new generated password, clears any lock from failed sign-ins
/// and ends every session of the account.
pub async fn reset_password(
    state: &AppState,
    identity: &Identity,
    username: &str,
) -> Result<String, AppError> {
    let user = find_user(state, identity, username).await?;
    let password = generate_password(&user.username);
    let hash = hash_off_thread(password.clone()).await?;
    state
        .store
        .set_password_hash(
            &user.username,
            &hash,
            None,
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok(password)
}

/// Resets an account's password to a generated one, returned once, clears
/// its lock and ends its sessions.
#[utoipa::path(post, path = "/api/v1/users/{username}/password", tag = "admin",
    params(("username" = String, Path, description = "User name")),
    responses((status = 200, body = PasswordReset), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn reset(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(username): Path<String>,
) -> ApiResult<Json<PasswordReset>> {
    let password = reset_password(&state, &identity, &username).await?;
    Ok(Json(PasswordReset { username, password }))
}

/// Changes the signed-in user's own password after checking the current
/// one, and ends their other sessions (`keep_session` is the one they are
/// changing it in). A wrong current password counts towards the sign-in
/// lock, so this cannot be used to guess it.
pub async fn change_own_password(
    state: &AppState,
    identity: &Identity,
    keep_session: Option<&str>,
    current: &str,
    new: &str,
    repeated: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let username = identity.username().to_string();
    if new != repeated {
        return Err(AppError::bad_request(
            "repeat_password",
            "the new password and its repetition differ; type the same new password twice",
        ));
    }
    check_password(new, &username).map_err(|invalid| {
        AppError::bad_request(
            "new_password",
            format!("the new password {}", invalid.problem),
        )
    })?;
    if new == current {
        return Err(AppError::bad_request(
            "new_password",
            "the new password is the current one; choose a different one",
        ));
    }
    let hash = match state.store.claim_sign_in(&username, now).await? {
        corridor_store::SignInCheck::Ready { password_hash, .. } => password_hash,
        corridor_store::SignInCheck::Locked { until } => {
            let seconds = until.duration_since(now).as_secs().max(1) as u64;
            return Err(AppError::TooManyRequests {
                detail: format!(
                    "too many wrong passwords for this account; wait {seconds} s and try again"
                ),
                retry_after_seconds: seconds,
            });
        }
        corridor_store::SignInCheck::Unknown => {
            return Err(AppError::Unauthenticated {
                detail: "the account is disabled; sign in again".to_string(),
            });
        }
    };
    let given = current.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&given, &hash))
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?;
    if !matches {
        state.store.record_sign_in(&username, false, now).await?;
        return Err(AppError::bad_request(
            "current_password",
            "the current password is wrong; type the password you signed in with",
        ));
    }
    let hash = hash_off_thread(new.to_string()).await?;
    // Clears the attempt counted above with the lock.
    state
        .store
        .set_password_hash(&username, &hash, keep_session, now, &username)
        .await?;
    Ok(())
}

// API tokens.

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub username: String,
    pub label: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl TokenView {
    pub fn of(token: &ApiToken) -> TokenView {
        TokenView {
            id: token.id.clone(),
            username: token.username.clone(),
            label: token.label.clone(),
            created_at: token.created_at.to_string(),
            revoked_at: token.revoked_at.map(|at| at.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPage {
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub per_page: u32,
    pub tokens: Vec<TokenView>,
}

pub async fn list_api_tokens(
    state: &AppState,
    identity: &Identity,
) -> Result<Vec<ApiToken>, AppError> {
    identity.require(Permission::ManageUsers)?;
    Ok(state.store.api_tokens().await?)
}

/// Every API token ever created (never the token itself), by id.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "admin", params(PageQuery),
    responses((status = 200, body = TokenPage), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list_tokens(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<TokenPage>> {
    let tokens = list_api_tokens(&state, &identity).await?;
    let (rows, total, page, pages, per_page) = paginate(tokens, &query)?;
    Ok(Json(TokenPage {
        total,
        page,
        pages,
        per_page,
        tokens: rows.iter().map(TokenView::of).collect(),
    }))
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewToken {
    /// The account the token acts as.
    pub username: String,
    /// What it is for, e.g. `MoH registry sync`.
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub view: TokenView,
    /// Send as `Authorization: Bearer <token>`; shown this once.
    pub token: String,
}

pub async fn create_api_token(
    state: &AppState,
    identity: &Identity,
    request: &NewToken,
) -> Result<(ApiToken, String), AppError> {
    identity.require(Permission::ManageUsers)?;
    let username = parse_username(&request.username)?;
    let label = parse_token_label(&request.label)?;
    let (token, hash) = generate_token();
    let row = state
        .store
        .create_api_token(
            &username,
            label.as_str(),
            &hash,
            state.clock.now(),
            identity.username(),
        )
        .await?;
    Ok((row, token))
}

/// Creates an API token for an account; the token is in the answer, once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "admin", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn create_token(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<NewToken>,
) -> ApiResult<(axum::http::StatusCode, Json<CreatedToken>)> {
    let (row, token) = create_api_token(&state, &identity, &request).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(CreatedToken {
            view: TokenView::of(&row),
            token,
        }),
    ))
}

pub async fn revoke_api_token(
    state: &AppState,
    identity: &Identity,
    id: &str,
) -> Result<ApiToken, AppError> {
    identity.require(Permission::ManageUsers)?;
    Ok(state
        .store
        .revoke_api_token(id.trim(), state.clock.now(), identity.username())
        .await?)
}

/// Revokes an API token: requests with it are refused from now on.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "admin",
    params(("id" = String, Path, description = "Token id, e.g. T-0001")),
    responses((status = 200, body = TokenView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<TokenView>> {
    let row = revoke_api_token(&state, &identity, &id).await?;
    Ok(Json(TokenView::of(&row)))
}
