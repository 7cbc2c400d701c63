//! Accounts of the people who use corridor, their web sessions, API tokens
//! and break-the-glass grants.
//!
//! The store keeps password hashes and token hashes only; hashing and
//! verifying belong to the web layer. Every change to an account, every
//! sign-in and every grant is audited; sessions are not, since signing in
//! and out already is.

use corridor_domain::{PersonId, Scope, UserRole, sign_in_lock_seconds};
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{NewAuditEntry, append};
use crate::codec::{micros, timestamp};
use crate::freshness::AccountKey;
use crate::{Store, StoreError};

/// An account as stored, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccount {
    pub username: String,
    pub display_name: String,
    pub role: UserRole,
    pub scope: Scope,
    pub organisation: Option<String>,
    pub active: bool,
    pub created_at: Timestamp,
    pub failed_sign_ins: u32,
    pub locked_until: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: UserRole,
    pub scope: Scope,
    pub organisation: Option<String>,
    pub password_hash: String,
}

/// What an admin may change about an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserUpdate {
    pub role: UserRole,
    pub scope: Scope,
    pub organisation: Option<String>,
    pub active: bool,
}

/// What the sign-in form needs before it checks a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInCheck {
    /// No such active account.
    Unknown,
    /// Too many failed attempts: refused until then, without checking.
    Locked { until: Timestamp },
    Ready {
        account: UserAccount,
        password_hash: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRow {
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

const USER_COLUMNS: &str = "username, display_name, role, scope, organisation, active, \
     created_at, failed_sign_ins, locked_until";

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
        let mut transaction = self.begin_write().await?;
        let exists = sqlx::query("SELECT 1 AS one FROM users WHERE username = $1")
            .bind(user.username.clone())
            .fetch_optional(&mut *transaction)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Invalid(format!(
                "an account named '{}' exists already; choose another user name",
                user.username
            )));
        }
        sqlx::query(
            "INSERT INTO users (username, display_name, role, scope, organisation, password_hash, \
             active, created_at, failed_sign_ins, locked_until) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, 0, 0)",
        )
        .bind(user.username.clone())
        .bind(user.display_name.clone())
        .bind(user.role.as_str())
        .bind(user.scope.as_str())
        .bind(user.organisation.clone())
        .bind(user.password_hash.clone())
        .bind(micros(at))
        .execute(&mut *transaction)
        .await?;
        append(
            &mut transaction,
            &NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "user.create".to_string(),
                subject: user.username.clone(),
                detail: serde_json::json!({
                    "role": user.role.as_str(),
                    "scope": user.scope.as_str(),
                    "organisation": user.organisation,
                }),
            },
        )
        .await?;
        self.commit(transaction).await?;
        Ok(UserAccount {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role,
            scope: user.scope,
            organisation: user.organisation.clone(),
            active: true,
            created_at: at,
            failed_sign_ins: 0,
            locked_until: None,
        })
    }

    pub async fn user(&self, username: &str) -> Result<Option<UserAccount>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
        )))
        .bind(username.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(read_user).transpose()
    }

    pub async fn users(&self) -> Result<Vec<UserAccount>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY username"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_user).collect()
    }

    pub async fn update_user(
        &self,
        username: &str,
        update: &UserUpdate,
        at: Timestamp,
        actor: &str,
    ) -> Result<UserAccount, StoreError> {
        let mut transaction = self.begin_write().await?;
        if !(update.active && update.role == UserRole::Admin) {
            // Checked in the same write transaction as the change, so two
            // admins demoting each other at once cannot both succeed.
            let admins = sqlx::query(
                "SELECT username FROM users WHERE role = $1 AND active = 1 ORDER BY username",
            )
            .bind(UserRole::Admin.as_str())
            .fetch_all(&mut *transaction)
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>("username"))
            .collect::<Result<Vec<_>, _>>()?;
            if admins == [username] {
                return Err(StoreError::Invalid(format!(
                    "'{username}' is the last active admin; keep it an active admin until another \
                     active admin account exists, or no one could manage accounts any more"
                )));
            }
        }
        let changed = sqlx::query(
            "UPDATE users SET role = $1, scope = $2, organisation = $3, active = $4 WHERE username = $5",
        )
        .bind(update.role.as_str())
        .bind(update.scope.as_str())
        .bind(update.organisation.clone())
        .bind(i64::from(update.active))
        .bind(username.to_string())
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(no_such_user(username));
        }
        append(
            &mut transaction,
            &NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "user.update".to_string(),
                subject: username.to_string(),
                detail: serde_json::json!({
                    "role": update.role.as_str(),
                    "scope": update.scope.as_str(),
                    "organisation": update.organisation,
                    "active": update.active,
                }),
            },
        )
        .await?;
        self.commit(transaction).await?;
        self.user(username)
            .await?
            .ok_or_else(|| no_such_user(username))
    }

    /// Replaces a password hash and clears any lock from failed sign-ins.
    pub async fn set_password_hash(
        &self,
        username: &str,
        password_hash: &str,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE users SET password_hash = $1, failed_sign_ins = 0, locked_until = 0 \
             WHERE username = $2",
        )
        .bind(password_hash.to_string())
        .bind(username.to_string())
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(no_such_user(username));
        }
        append(
            &mut transaction,
            &NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "user.set-password".to_string(),
                subject: username.to_string(),
                detail: serde_json::json!({}),
            },
        )
        .await?;
        self.commit(transaction).await?;
        Ok(())
    }

    /// The account and its hash for a sign-in attempt at `now`.
    pub async fn sign_in_check(
        &self,
        username: &str,
        now: Timestamp,
    ) -> Result<SignInCheck, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1"
        )))
        .bind(username.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(SignInCheck::Unknown);
        };
        let account = read_user(&row)?;
        if !account.active {
            return Ok(SignInCheck::Unknown);
        }
        if let Some(until) = account.locked_until.filter(|until| *until > now) {
            return Ok(SignInCheck::Locked { until });
        }
        Ok(SignInCheck::Ready {
            account,
            password_hash: row.try_get("password_hash")?,
        })
    }

    /// Records a sign-in: a success clears the failures, a failure counts
    /// and may lock the account for a while. Returns the lock, if any.
    pub async fn record_sign_in(
        &self,
        username: &str,
        succeeded: bool,
        at: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        let mut transaction = self.begin_write().await?;
        let row = sqlx::query("SELECT failed_sign_ins FROM users WHERE username = $1")
            .bind(username.to_string())
            .fetch_optional(&mut *transaction)
            .await?;
        let Some(row) = row else {
            return Err(no_such_user(username));
        };
        let failures = if succeeded {
            0
        } else {
            row.try_get::<i64, _>("failed_sign_ins")? as u32 + 1
        };
        let lock_seconds = sign_in_lock_seconds(failures);
        let locked_until = (lock_seconds > 0).then(|| {
            at.checked_add(SignedDuration::from_secs(lock_seconds as i64))
                .unwrap_or(at)
        });
        sqlx::query("UPDATE users SET failed_sign_ins = $1, locked_until = $2 WHERE username = $3")
            .bind(i64::from(failures))
            .bind(locked_until.map_or(0, micros))
            .bind(username.to_string())
            .execute(&mut *transaction)
            .await?;
        append(
            &mut transaction,
            &NewAuditEntry {
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
                    "locked_seconds": lock_seconds,
                }),
            },
        )
        .await?;
        self.commit(transaction).await?;
        Ok(locked_until)
    }

    // Sessions of the web application, as opaque serialised records.

    /// Inserts a new session; `false` if the id is taken.
    pub async fn insert_web_session(
        &self,
        id: &str,
        record: &str,
        expires_at: Timestamp,
    ) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO web_sessions (id, record, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(record.to_string())
        .bind(micros(expires_at))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    pub async fn save_web_session(
        &self,
        id: &str,
        record: &str,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO web_sessions (id, record, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET record = excluded.record, expires_at = excluded.expires_at",
        )
        .bind(id.to_string())
        .bind(record.to_string())
        .bind(micros(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
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
    ) -> Result<ApiTokenRow, StoreError> {
        let mut transaction = self.begin_write().await?;
        let owner = sqlx::query("SELECT active FROM users WHERE username = $1")
            .bind(username.to_string())
            .fetch_optional(&mut *transaction)
            .await?;
        match owner {
            None => return Err(no_such_user(username)),
            Some(row) if row.try_get::<i64, _>("active")? == 0 => {
                return Err(StoreError::Invalid(format!(
                    "the account '{username}' is disabled; enable it before giving it an API token"
                )));
            }
            Some(_) => {}
        }
        let row = sqlx::query("SELECT COUNT(*) AS n FROM api_tokens")
            .fetch_one(&mut *transaction)
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
        .execute(&mut *transaction)
        .await?;
        append(
            &mut transaction,
            &NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "api-token.create".to_string(),
                subject: id.clone(),
                detail: serde_json::json!({ "user": username, "label": label }),
            },
        )
        .await?;
        self.commit(transaction).await?;
        Ok(ApiTokenRow {
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
                    "SELECT {USER_COLUMNS} FROM users WHERE username = \
                     (SELECT username FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL) \
                     AND active = 1"
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

    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, username, label, created_at, revoked_at FROM api_tokens ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                let revoked: Option<i64> = row.try_get("revoked_at")?;
                Ok(ApiTokenRow {
                    username: row.try_get("username")?,
                    label: row.try_get("label")?,
                    created_at: timestamp("api_tokens", &id, row.try_get("created_at")?)?,
                    revoked_at: revoked
                        .map(|at| timestamp("api_tokens", &id, at))
                        .transpose()?,
                    id,
                })
            })
            .collect()
    }

    pub async fn revoke_api_token(
        &self,
        id: &str,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(micros(at))
        .bind(id.to_string())
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Invalid(format!(
                "no active API token {id}; see the list of tokens"
            )));
        }
        append(
            &mut transaction,
            &NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "api-token.revoke".to_string(),
                subject: id.to_string(),
                detail: serde_json::json!({}),
            },
        )
        .await?;
        self.commit(transaction).await?;
        Ok(())
    }

    // Scope and breaking the glass.

    /// Who registered a person (their patient, for a companion) and the
    /// referring facility of the referral: what the scope check needs.
    pub async fn ownership(
        &self,
        id: &PersonId,
    ) -> Result<Option<(String, Option<String>)>, StoreError> {
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
        row.map(|row| Ok((row.try_get("registered_by")?, row.try_get("organisation")?)))
            .transpose()
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
        let mut transaction = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO break_glass_grants (username, person_id, reason, granted_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(username.to_string())
        .bind(person.as_str().to_string())
        .bind(reason.to_string())
        .bind(micros(at))
        .bind(micros(expires_at))
        .execute(&mut *transaction)
        .await?;
        append(
            &mut transaction,
            &NewAuditEntry {
                at,
                actor: username.to_string(),
                action: "person.break-glass".to_string(),
                subject: person.to_string(),
                detail: serde_json::json!({
                    "reason": reason,
                    "until": expires_at.to_string(),
                }),
            },
        )
        .await?;
        self.commit(transaction).await?;
        Ok(BreakGlassGrant {
            username: username.to_string(),
            person_id: person.to_string(),
            reason: reason.to_string(),
            granted_at: at,
            expires_at,
        })
    }

    pub async fn has_break_glass(
        &self,
        username: &str,
        person: &PersonId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM break_glass_grants \
             WHERE username = $1 AND person_id = $2 AND expires_at > $3",
        )
        .bind(username.to_string())
        .bind(person.as_str().to_string())
        .bind(micros(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
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

fn no_such_user(username: &str) -> StoreError {
    StoreError::Invalid(format!("no account named '{username}'"))
}

fn read_user(row: &AnyRow) -> Result<UserAccount, StoreError> {
    let username: String = row.try_get("username")?;
    let invalid = StoreError::from_invalid("users", &username);
    let role: String = row.try_get("role")?;
    let scope: String = row.try_get("scope")?;
    let locked_until: i64 = row.try_get("locked_until")?;
    let role = UserRole::parse(&role).map_err(&invalid)?;
    let scope = Scope::parse(&scope).map_err(&invalid)?;
    drop(invalid);
    Ok(UserAccount {
        display_name: row.try_get("display_name")?,
        role,
        scope,
        organisation: row.try_get("organisation")?,
        active: row.try_get::<i64, _>("active")? != 0,
        created_at: timestamp("users", &username, row.try_get("created_at")?)?,
        failed_sign_ins: row.try_get::<i64, _>("failed_sign_ins")? as u32,
        locked_until: (locked_until > 0)
            .then(|| timestamp("users", &username, locked_until))
            .transpose()?,
        username,
    })
}
