//! Accounts: creating, reading and changing them (the last active admin
//! stays one), and setting a password.

use corridor_domain::{OrganisationId, Scope, UserRole};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::sessions::throttle_key;
use crate::audit::{NewAuditEntry, lock_chain};
use crate::codec::{micros, timestamp};
use crate::organisations::check_organisation;
use crate::{Store, StoreError, Thing};

/// An account as stored, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccount {
    pub username: String,
    pub display_name: String,
    pub role: UserRole,
    pub scope: Scope,
    pub organisation: Option<OrganisationId>,
    pub active: bool,
    pub created_at: Timestamp,
    pub password_set_at: Timestamp,
    /// Sign-in attempts since the last success (from `sign_in_throttle`).
    pub failed_sign_ins: u32,
    pub locked_until: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: UserRole,
    pub scope: Scope,
    pub organisation: Option<OrganisationId>,
    pub password_hash: String,
}

/// What an admin may change about an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserUpdate {
    pub role: UserRole,
    pub scope: Scope,
    pub organisation: Option<OrganisationId>,
    pub active: bool,
}

/// The columns of an account with its sign-in throttle, and where they come from.
pub(super) const USER_COLUMNS: &str = "users.username, users.display_name, users.role, users.scope, \
     users.organisation, users.active, users.created_at, users.password_set_at, \
     COALESCE(throttle.failures, 0) AS failed_sign_ins, \
     COALESCE(throttle.locked_until, 0) AS locked_until";

pub(super) const USERS: &str =
    "users LEFT JOIN sign_in_throttle throttle ON throttle.name = LOWER(users.username)";

impl Store {
    pub async fn count_users(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")? as u64)
    }

    pub async fn create_user(
        &self,
        user: &NewUser,
        at: Timestamp,
        actor: &str,
    ) -> Result<UserAccount, StoreError> {
        let mut transaction = self.write().await?;
        // Serialises account changes, so that two accounts named alike but
        // for case cannot be created at once.
        lock_chain(&mut transaction).await?;
        let existing = sqlx::query("SELECT username FROM users WHERE LOWER(username) = LOWER($1)")
            .bind(user.username.clone())
            .fetch_optional(&mut **transaction)
            .await?;
        if let Some(row) = existing {
            let existing: String = row.try_get("username")?;
            return Err(StoreError::Exists {
                thing: Thing::Account,
                detail: format!(
                    "an account named '{existing}' exists already (user names are the same whatever \
                     their case); choose another user name"
                ),
            });
        }
        if let Some(organisation) = &user.organisation {
            check_organisation(&mut transaction, "organisation", organisation).await?;
        }
        sqlx::query(
            "INSERT INTO users (username, display_name, role, scope, organisation, password_hash, \
             active, created_at, password_set_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
        )
        .bind(user.username.clone())
        .bind(user.display_name.clone())
        .bind(user.role.as_str())
        .bind(user.scope.as_str())
        .bind(user.organisation.as_ref().map(|id| id.to_string()))
        .bind(user.password_hash.clone())
        .bind(micros(at))
        .execute(&mut **transaction)
        .await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "user.create".to_string(),
                subject: user.username.clone(),
                detail: serde_json::json!({
                    "role": user.role.as_str(),
                    "scope": user.scope.as_str(),
                    "organisation": user.organisation.as_ref().map(|id| id.to_string()),
                }),
            })
            .await?;
        Ok(UserAccount {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role,
            scope: user.scope,
            organisation: user.organisation.clone(),
            active: true,
            created_at: at,
            password_set_at: at,
            failed_sign_ins: 0,
            locked_until: None,
        })
    }

    pub async fn user(&self, username: &str) -> Result<Option<UserAccount>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM {USERS} WHERE users.username = $1"
        )))
        .bind(username.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(read_user).transpose()
    }

    pub async fn users(&self) -> Result<Vec<UserAccount>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM {USERS} ORDER BY users.username"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_user).collect()
    }

    /// Changes an account. A role change or disabling ends the account's
    /// sessions (they sign in again, under the new role); re-enabling does
    /// not bring them back. The last active admin stays one.
    pub async fn update_user(
        &self,
        username: &str,
        update: &UserUpdate,
        at: Timestamp,
        actor: &str,
    ) -> Result<UserAccount, StoreError> {
        let mut transaction = self.write().await?;
        // Taken first, so that the check below and the change are one step:
        // two admins demoting each other at once are served one after the
        // other, and the second sees that it would leave no admin.
        lock_chain(&mut transaction).await?;
        let current = sqlx::query("SELECT role, active FROM users WHERE username = $1")
            .bind(username.to_string())
            .fetch_optional(&mut **transaction)
            .await?
            .ok_or_else(|| no_such_user(username))?;
        let current_role: String = current.try_get("role")?;
        let was_active = current.try_get::<i64, _>("active")? != 0;
        if !(update.active && update.role == UserRole::Admin) {
            let admins = sqlx::query(
                "SELECT username FROM users WHERE role = $1 AND active = 1 ORDER BY username",
            )
            .bind(UserRole::Admin.as_str())
            .fetch_all(&mut **transaction)
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>("username"))
            .collect::<Result<Vec<_>, _>>()?;
            if admins == [username] {
                return Err(StoreError::Refused(format!(
                    "'{username}' is the last active admin; keep it an active admin until another \
                     active admin account exists, or no one could manage accounts any more"
                )));
            }
        }
        if let Some(organisation) = &update.organisation {
            check_organisation(&mut transaction, "organisation", organisation).await?;
        }
        sqlx::query(
            "UPDATE users SET role = $1, scope = $2, organisation = $3, active = $4 WHERE username = $5",
        )
        .bind(update.role.as_str())
        .bind(update.scope.as_str())
        .bind(update.organisation.as_ref().map(|id| id.to_string()))
        .bind(i64::from(update.active))
        .bind(username.to_string())
        .execute(&mut **transaction)
        .await?;
        let role_changed = current_role != update.role.as_str();
        let disabled = was_active && !update.active;
        let sessions_ended = if role_changed || disabled {
            end_sessions(&mut transaction, username, None).await?
        } else {
            0
        };
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "user.update".to_string(),
                subject: username.to_string(),
                detail: serde_json::json!({
                    "role": update.role.as_str(),
                    "scope": update.scope.as_str(),
                    "organisation": update.organisation.as_ref().map(|id| id.to_string()),
                    "active": update.active,
                    "sessions_ended": sessions_ended,
                }),
            })
            .await?;
        self.user(username)
            .await?
            .ok_or_else(|| no_such_user(username))
    }

    /// Replaces a password hash, clears the lock from failed sign-ins and
    /// ends every session of the account but `keep_session` (the one a
    /// user changes their own password in), all in one transaction.
    pub async fn set_password_hash(
        &self,
        username: &str,
        password_hash: &str,
        keep_session: Option<&str>,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        let changed = sqlx::query(
            "UPDATE users SET password_hash = $1, password_set_at = $2 WHERE username = $3",
        )
        .bind(password_hash.to_string())
        .bind(micros(at))
        .bind(username.to_string())
        .execute(&mut **transaction)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(no_such_user(username));
        }
        sqlx::query("DELETE FROM sign_in_throttle WHERE name = $1")
            .bind(throttle_key(username))
            .execute(&mut **transaction)
            .await?;
        let sessions_ended = end_sessions(&mut transaction, username, keep_session).await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "user.set-password".to_string(),
                subject: username.to_string(),
                detail: serde_json::json!({ "sessions_ended": sessions_ended }),
            })
            .await?;
        Ok(())
    }
}

/// Ends every session signed in to `username` but `keep` (its id), inside
/// the caller's transaction; returns how many ended.
async fn end_sessions(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    username: &str,
    keep: Option<&str>,
) -> Result<u64, StoreError> {
    let ended = match keep {
        Some(keep) => {
            sqlx::query("DELETE FROM web_sessions WHERE username = $1 AND id <> $2")
                .bind(username.to_string())
                .bind(keep.to_string())
                .execute(&mut **transaction)
                .await?
        }
        None => {
            sqlx::query("DELETE FROM web_sessions WHERE username = $1")
                .bind(username.to_string())
                .execute(&mut **transaction)
                .await?
        }
    };
    Ok(ended.rows_affected())
}

pub(super) fn no_such_user(username: &str) -> StoreError {
    StoreError::not_found(Thing::Account, username)
}

pub(super) fn read_user(row: &AnyRow) -> Result<UserAccount, StoreError> {
    let username: String = row.try_get("username")?;
    let invalid = StoreError::from_invalid("users", &username);
    let role: String = row.try_get("role")?;
    let scope: String = row.try_get("scope")?;
    let locked_until: i64 = row.try_get("locked_until")?;
    let role = UserRole::parse(&role).map_err(&invalid)?;
    let scope = Scope::parse(&scope).map_err(&invalid)?;
    let organisation: Option<String> = row.try_get("organisation")?;
    let organisation = organisation
        .map(|id| OrganisationId::parse("organisation", &id))
        .transpose()
        .map_err(&invalid)?;
    drop(invalid);
    Ok(UserAccount {
        display_name: row.try_get("display_name")?,
        role,
        scope,
        organisation,
        active: row.try_get::<i64, _>("active")? != 0,
        created_at: timestamp("users", &username, row.try_get("created_at")?)?,
        password_set_at: timestamp("users", &username, row.try_get("password_set_at")?)?,
        failed_sign_ins: row.try_get::<i64, _>("failed_sign_ins")? as u32,
        locked_until: (locked_until > 0)
            .then(|| timestamp("users", &username, locked_until))
            .transpose()?,
        username,
    })
}
