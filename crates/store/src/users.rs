//! Accounts of the people who use corridor, their web sessions, API tokens
//! and break-the-glass grants.
//!
//! The store keeps password hashes and token hashes only; hashing and
//! verifying belong to the web layer. Every change to an account, every
//! sign-in, every sign-out and every grant is audited. A sign-out ends its
//! session in the transaction that records it (`sign_out`). Saving a
//! session's record, which the web does on every request, is not audited,
//! and neither is the count of sign-in attempts kept for throttling
//! (`sign_in_throttle`), whose outcomes are.
//!
//! A password reset, a role change and disabling an account end the
//! account's sessions in the same transaction (`end_sessions`); the audit
//! head moves with it, so a server drops what it kept of them in memory.

use corridor_domain::{OrganisationId, PersonId, Scope, UserRole, sign_in_lock_seconds};
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{NewAuditEntry, lock_chain};
use crate::codec::{micros, timestamp};
use crate::freshness::AccountKey;
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

/// A sign-in attempt, counted before its password is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInCheck {
    /// No such active account; the attempt was counted all the same, so
    /// that an unknown name is throttled like a known one.
    Unknown,
    /// Too many attempts: refused until then, without checking.
    Locked { until: Timestamp },
    Ready {
        account: UserAccount,
        password_hash: String,
    },
}

/// The key of a name in `sign_in_throttle`: lower case, and no longer than
/// any user name could be (a longer one is throttled by its beginning).
pub(crate) fn throttle_key(name: &str) -> String {
    name.trim()
        .chars()
        .take(64)
        .collect::<String>()
        .to_lowercase()
}

/// An API token as listed: its hash stays in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: String,
    pub username: String,
    pub label: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassGrant {
    pub username: String,
    pub person_id: String,
    pub reason: String,
    pub granted_at: Timestamp,
    pub expires_at: Timestamp,
}

/// The columns of an account with its sign-in throttle, and where they come from.
const USER_COLUMNS: &str = "users.username, users.display_name, users.role, users.scope, \
     users.organisation, users.active, users.created_at, users.password_set_at, \
     COALESCE(throttle.failures, 0) AS failed_sign_ins, \
     COALESCE(throttle.locked_until, 0) AS locked_until";
const USERS: &str =
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

    /// Counts a sign-in attempt for `name` (as typed; case does not matter)
    /// at `now`, before its password is checked, and returns the account
    /// and hash to check it against. Counting and the lock are one atomic
    /// step: once attempts reach the lock, the ones sent at the same time
    /// are refused unchecked. Unknown and disabled names are counted and
    /// locked alike, so the answers tell nobody which accounts exist.
    pub async fn claim_sign_in(
        &self,
        name: &str,
        now: Timestamp,
    ) -> Result<SignInCheck, StoreError> {
        let key = throttle_key(name);
        // The throttle is not registry data (see `witness::NOT_COVERED`): a
        // plain transaction, without an audit entry or witnesses.
        let mut transaction = self.backend.begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO sign_in_throttle (name, failures, locked_until) VALUES ($1, 0, 0) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(key.clone())
        .execute(&mut *transaction)
        .await?;
        // On PostgreSQL this takes the row's lock: a concurrent attempt
        // waits, then re-reads locked_until as this one leaves it.
        let counted = sqlx::query(
            "UPDATE sign_in_throttle SET failures = failures + 1 \
             WHERE name = $1 AND locked_until <= $2 RETURNING failures",
        )
        .bind(key.clone())
        .bind(micros(now))
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(counted) = counted else {
            let row = sqlx::query("SELECT locked_until FROM sign_in_throttle WHERE name = $1")
                .bind(key.clone())
                .fetch_one(&mut *transaction)
                .await?;
            transaction.rollback().await?;
            return Ok(SignInCheck::Locked {
                until: timestamp("sign_in_throttle", &key, row.try_get("locked_until")?)?,
            });
        };
        let failures = counted.try_get::<i64, _>("failures")?;
        let lock_seconds = sign_in_lock_seconds(u32::try_from(failures).unwrap_or(u32::MAX));
        if lock_seconds > 0 {
            let until = now
                .checked_add(SignedDuration::from_secs(lock_seconds as i64))
                .unwrap_or(now);
            sqlx::query("UPDATE sign_in_throttle SET locked_until = $1 WHERE name = $2")
                .bind(micros(until))
                .bind(key.clone())
                .execute(&mut *transaction)
                .await?;
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, users.password_hash FROM {USERS} \
             WHERE LOWER(users.username) = $1 AND users.active = 1"
        )))
        .bind(key)
        .fetch_optional(&mut *transaction)
        .await?;
        // Not a change of corridor's data, so no audit entry here: the
        // outcome is audited by `record_sign_in`.
        transaction.commit().await?;
        let Some(row) = row else {
            return Ok(SignInCheck::Unknown);
        };
        Ok(SignInCheck::Ready {
            account: read_user(&row)?,
            password_hash: row.try_get("password_hash")?,
        })
    }

    /// Records the outcome of an attempt counted by [`Store::claim_sign_in`]
    /// for an existing account: a success clears the count, a failure is
    /// audited with the count. Returns the lock in force after it, if any.
    pub async fn record_sign_in(
        &self,
        username: &str,
        succeeded: bool,
        at: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        let key = throttle_key(username);
        let mut transaction = self.write().await?;
        let (failures, locked_until) = if succeeded {
            sqlx::query("DELETE FROM sign_in_throttle WHERE name = $1")
                .bind(key)
                .execute(&mut **transaction)
                .await?;
            (0, None)
        } else {
            let row =
                sqlx::query("SELECT failures, locked_until FROM sign_in_throttle WHERE name = $1")
                    .bind(key.clone())
                    .fetch_optional(&mut **transaction)
                    .await?;
            match row {
                Some(row) => {
                    let locked_until: i64 = row.try_get("locked_until")?;
                    (
                        row.try_get::<i64, _>("failures")?,
                        (locked_until > at.as_microsecond())
                            .then(|| timestamp("sign_in_throttle", &key, locked_until))
                            .transpose()?,
                    )
                }
                None => (0, None),
            }
        };
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: username.to_string(),
                action: if succeeded {
                    "user.sign-in"
                } else {
                    "user.sign-in-failed"
                }
                .to_string(),
                subject: username.to_string(),
                detail: serde_json::json!({
                    "failures_in_a_row": failures,
                    "locked_until": locked_until.map(|until| until.to_string()),
                }),
            })
            .await?;
        Ok(locked_until)
    }

    // Sessions of the web application, as opaque serialised records with
    // the account they are signed in to.

    /// Inserts a new session; `false` if the id is taken.
    pub async fn insert_web_session(
        &self,
        id: &str,
        username: Option<&str>,
        record: &str,
        expires_at: Timestamp,
    ) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO web_sessions (id, username, record, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(username.map(str::to_string))
        .bind(record.to_string())
        .bind(micros(expires_at))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    /// Saves an existing session; `false` if it no longer exists (it was
    /// ended meanwhile, and saving must not bring it back).
    pub async fn save_web_session(
        &self,
        id: &str,
        username: Option<&str>,
        record: &str,
        expires_at: Timestamp,
    ) -> Result<bool, StoreError> {
        let saved = sqlx::query(
            "UPDATE web_sessions SET username = $1, record = $2, expires_at = $3 WHERE id = $4",
        )
        .bind(username.map(str::to_string))
        .bind(record.to_string())
        .bind(micros(expires_at))
        .bind(id.to_string())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(saved == 1)
    }

    /// The session's record, unless it expired before `now`.
    pub async fn web_session(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT record FROM web_sessions WHERE id = $1 AND expires_at > $2")
            .bind(id.to_string())
            .bind(micros(now))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.try_get("record")).transpose()?)
    }

    /// How many sessions are signed in to `username`.
    pub async fn count_web_sessions(&self, username: &str) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM web_sessions WHERE username = $1")
            .bind(username.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")? as u64)
    }

    /// Ends the session `id` of `username` and records the sign-out, in one
    /// transaction: the audit head moves exactly when the session is gone,
    /// which is what a server's cache of sessions relies on. Returns whether
    /// the session was still there (a session ended meanwhile, by a reset
    /// or a role change, is signed out all the same).
    pub async fn sign_out(
        &self,
        id: &str,
        username: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut transaction = self.write().await?;
        let ended = sqlx::query("DELETE FROM web_sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut **transaction)
            .await?
            .rows_affected();
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: username.to_string(),
                action: "user.sign-out".to_string(),
                subject: username.to_string(),
                detail: serde_json::json!({}),
            })
            .await?;
        Ok(ended == 1)
    }

    pub async fn delete_web_session(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM web_sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_expired_web_sessions(&self, now: Timestamp) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
                .bind(micros(now))
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }

    // API tokens.

    pub async fn create_api_token(
        &self,
        username: &str,
        label: &str,
        token_hash: &str,
        at: Timestamp,
        actor: &str,
    ) -> Result<ApiToken, StoreError> {
        let mut transaction = self.write().await?;
        let owner = sqlx::query("SELECT active FROM users WHERE username = $1")
            .bind(username.to_string())
            .fetch_optional(&mut **transaction)
            .await?;
        match owner {
            None => return Err(no_such_user(username)),
            Some(row) if row.try_get::<i64, _>("active")? == 0 => {
                return Err(StoreError::invalid(
                    "username",
                    format!(
                        "the account '{username}' is disabled; enable it before giving it an API token"
                    ),
                ));
            }
            Some(_) => {}
        }
        // Tokens are numbered in order; hold the chain's lock so that two
        // tokens made at once cannot both take the next number.
        lock_chain(&mut transaction).await?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM api_tokens")
            .fetch_one(&mut **transaction)
            .await?;
        let id = format!("T-{:04}", row.try_get::<i64, _>("n")? + 1);
        sqlx::query(
            "INSERT INTO api_tokens (id, token_hash, username, label, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.clone())
        .bind(token_hash.to_string())
        .bind(username.to_string())
        .bind(label.to_string())
        .bind(micros(at))
        .execute(&mut **transaction)
        .await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "api-token.create".to_string(),
                subject: id.clone(),
                detail: serde_json::json!({ "user": username, "label": label }),
            })
            .await?;
        Ok(ApiToken {
            id,
            username: username.to_string(),
            label: label.to_string(),
            created_at: at,
            revoked_at: None,
        })
    }

    /// The active account a token that is not revoked belongs to, for
    /// checking a request; from memory while nothing has changed (see
    /// [`crate::freshness`]).
    pub async fn api_token_user(
        &self,
        token_hash: &str,
    ) -> Result<Option<UserAccount>, StoreError> {
        let head = self.head().await?;
        let key = AccountKey::TokenHash(token_hash.to_string());
        self.cached
            .accounts
            .get_or_read(head, &key, async || {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {USER_COLUMNS} FROM {USERS} WHERE users.username = \
                     (SELECT username FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL) \
                     AND users.active = 1"
                )))
                .bind(token_hash.to_string())
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(read_user).transpose()
            })
            .await
    }

    /// The active account of a signed-in user, for checking a request; from
    /// memory while nothing has changed (see [`crate::freshness`]).
    pub async fn signed_in_user(&self, username: &str) -> Result<Option<UserAccount>, StoreError> {
        let head = self.head().await?;
        let key = AccountKey::Username(username.to_string());
        self.cached
            .accounts
            .get_or_read(head, &key, async || {
                Ok(self.user(username).await?.filter(|user| user.active))
            })
            .await
    }

    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, username, label, created_at, revoked_at FROM api_tokens ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_api_token).collect()
    }

    /// Revokes an active token; returns it as it now is.
    pub async fn revoke_api_token(
        &self,
        id: &str,
        at: Timestamp,
        actor: &str,
    ) -> Result<ApiToken, StoreError> {
        // Ids are made here ("T-0001"); anything else names no token, and
        // is not sent to the database (PostgreSQL refuses a NUL in text).
        let well_formed = id
            .strip_prefix("T-")
            .is_some_and(|number| !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()));
        if !well_formed {
            return Err(StoreError::not_found(Thing::ApiToken, id));
        }
        let mut transaction = self.write().await?;
        let token = sqlx::query(
            "SELECT id, username, label, created_at, revoked_at FROM api_tokens WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&mut **transaction)
        .await?
        .ok_or_else(|| StoreError::not_found(Thing::ApiToken, id))
        .and_then(|row| read_api_token(&row))?;
        if token.revoked_at.is_some() {
            return Err(StoreError::Refused(format!(
                "the API token {id} was revoked already"
            )));
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(micros(at))
            .bind(id.to_string())
            .execute(&mut **transaction)
            .await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "api-token.revoke".to_string(),
                subject: id.to_string(),
                detail: serde_json::json!({}),
            })
            .await?;
        Ok(ApiToken {
            revoked_at: Some(at),
            ..token
        })
    }

    // Scope and breaking the glass.

    /// Who registered a person (their patient, for a companion) and the
    /// referring facility of the referral: what the scope check needs.
    pub async fn ownership(
        &self,
        id: &PersonId,
    ) -> Result<Option<(String, Option<OrganisationId>)>, StoreError> {
        let row = sqlx::query(
            "SELECT e.actor AS registered_by, \
             COALESCE(p.referring_facility, owner.referring_facility) AS organisation \
             FROM persons p \
             JOIN persons owner ON owner.id = COALESCE(p.companion_of, p.id) \
             JOIN status_events e ON e.person_id = owner.id AND e.version = 1 \
             WHERE p.id = $1",
        )
        .bind(id.as_str().to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let organisation: Option<String> = row.try_get("organisation")?;
        let organisation = organisation
            .map(|text| OrganisationId::parse("referring_facility", &text))
            .transpose()
            .map_err(StoreError::from_invalid("persons", id.as_str()))?;
        Ok(Some((row.try_get("registered_by")?, organisation)))
    }

    /// Grants `username` access to one record outside their scope until
    /// `expires_at`, with the reason in the audit log.
    pub async fn break_glass(
        &self,
        username: &str,
        person: &PersonId,
        reason: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<BreakGlassGrant, StoreError> {
        let mut transaction = self.write().await?;
        sqlx::query(
            "INSERT INTO break_glass_grants (username, person_id, reason, granted_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(username.to_string())
        .bind(person.as_str().to_string())
        .bind(reason.to_string())
        .bind(micros(at))
        .bind(micros(expires_at))
        .execute(&mut **transaction)
        .await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: username.to_string(),
                action: "person.break-glass".to_string(),
                subject: person.to_string(),
                detail: serde_json::json!({
                    "reason": reason,
                    "until": expires_at.to_string(),
                }),
            })
            .await?;
        Ok(BreakGlassGrant {
            username: username.to_string(),
            person_id: person.to_string(),
            reason: reason.to_string(),
            granted_at: at,
            expires_at,
        })
    }

    /// Until when a grant of `username` for `person` opens it, if one is
    /// in force at `now`.
    pub async fn break_glass_until(
        &self,
        username: &str,
        person: &PersonId,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        let row = sqlx::query(
            "SELECT MAX(expires_at) AS until FROM break_glass_grants \
             WHERE username = $1 AND person_id = $2 AND expires_at > $3",
        )
        .bind(username.to_string())
        .bind(person.as_str().to_string())
        .bind(micros(now))
        .fetch_one(&self.pool)
        .await?;
        let until: Option<i64> = row.try_get("until")?;
        until
            .map(|until| timestamp("break_glass_grants", person.as_str(), until))
            .transpose()
    }

    /// The most recent grants, newest first, for the admin.
    pub async fn break_glass_grants(&self, limit: u32) -> Result<Vec<BreakGlassGrant>, StoreError> {
        let rows = sqlx::query(
            "SELECT username, person_id, reason, granted_at, expires_at FROM break_glass_grants \
             ORDER BY granted_at DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let person_id: String = row.try_get("person_id")?;
                Ok(BreakGlassGrant {
                    username: row.try_get("username")?,
                    reason: row.try_get("reason")?,
                    granted_at: timestamp(
                        "break_glass_grants",
                        &person_id,
                        row.try_get("granted_at")?,
                    )?,
                    expires_at: timestamp(
                        "break_glass_grants",
                        &person_id,
                        row.try_get("expires_at")?,
                    )?,
                    person_id,
                })
            })
            .collect()
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

fn no_such_user(username: &str) -> StoreError {
    StoreError::not_found(Thing::Account, username)
}

fn read_api_token(row: &AnyRow) -> Result<ApiToken, StoreError> {
    let id: String = row.try_get("id")?;
    let revoked: Option<i64> = row.try_get("revoked_at")?;
    Ok(ApiToken {
        username: row.try_get("username")?,
        label: row.try_get("label")?,
        created_at: timestamp("api_tokens", &id, row.try_get("created_at")?)?,
        revoked_at: revoked
            .map(|at| timestamp("api_tokens", &id, at))
            .transpose()?,
        id,
    })
}

fn read_user(row: &AnyRow) -> Result<UserAccount, StoreError> {
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
