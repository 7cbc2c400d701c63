//! Signing in and out: the throttle on sign-in attempts, the outcome of
//! each, and the web application's sessions (opaque serialised records
//! with the account they are signed in to).

use corridor_domain::sign_in_lock_seconds;
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;

use super::accounts::{USER_COLUMNS, USERS, UserAccount, read_user};
use crate::audit::NewAuditEntry;
use crate::codec::{micros, timestamp};
use crate::freshness::AccountKey;
use crate::{Store, StoreError};

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

impl Store {
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
}
