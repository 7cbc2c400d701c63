//! Scope and breaking the glass: who owns a record, and the audited grants
//! that open one record outside a user's scope for a while.

use corridor_domain::{OrganisationId, PersonId};
use jiff::Timestamp;
use sqlx::Row;

use crate::audit::NewAuditEntry;
use crate::codec::{micros, timestamp};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassGrant {
    pub username: String,
    pub person_id: String,
    pub reason: String,
    pub granted_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Store {
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
