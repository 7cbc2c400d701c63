//! API tokens: made, listed, revoked, and the account a token stands for.

use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::accounts::{USER_COLUMNS, USERS, UserAccount, no_such_user, read_user};
use crate::audit::{NewAuditEntry, lock_chain};
use crate::codec::{micros, timestamp};
use crate::freshness::AccountKey;
use crate::{Store, StoreError, Thing};

/// An API token as listed: its hash stays in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: String,
    pub username: String,
    pub label: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

impl Store {
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
