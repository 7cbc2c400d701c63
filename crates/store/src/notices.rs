//! The notices outbox: what each party is told, queued in the same
//! transaction as the event that causes it ([`enqueue_notice`]), then
//! claimed, sent and settled by a sender (the web crate's), each step one
//! audited change.
//!
//! Claiming is a compare-and-set on the row's state and `updated_at`, so
//! two senders (two servers, or a server and `corridor notices send`)
//! never take one notice; a notice left `sending` longer than the claim
//! timeout (its sender died) is due again. The idempotency key goes with
//! every attempt, so a gateway can drop the second copy of a notice whose
//! first attempt it received but could not answer.

use corridor_domain::{
    CrossingId, DeliveryStatus, Language, NoticeChannel, NoticeEvent, NoticeKind, NoticeState,
    PersonId, PhoneNumber, Retry, notice_retry, render_notice,
};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;

use crate::audit::{NewAuditEntry, lock_chain};
use crate::codec::{micros, optional_date, small, timestamp};
use crate::{Store, StoreError, Thing};

/// How long a claimed notice may stay `sending` before another sender may
/// take it again: longer than any attempt's timeout.
pub const NOTICE_CLAIM_TIMEOUT: SignedDuration = SignedDuration::from_mins(5);

/// A notice in the outbox. `recipient` and `body` are personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: u64,
    pub key: String,
    /// The party's head.
    pub person: PersonId,
    pub kind: NoticeKind,
    pub language: Language,
    /// The channel that took it, once claimed.
    pub channel: Option<NoticeChannel>,
    pub recipient: PhoneNumber,
    pub body: String,
    pub state: NoticeState,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub gateway_id: Option<String>,
    pub crossing: Option<CrossingId>,
    pub date: Option<Date>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Which notices to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeFilter {
    /// Those about a crossing day on this date.
    Date(Date),
    /// Those sent to a party (named by its head).
    Person(PersonId),
}

/// How a gateway names the notice a delivery report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeRef {
    Key(String),
    GatewayId(String),
}

/// What recording a delivery report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecorded {
    pub notice: u64,
    pub state: NoticeState,
    /// False when the report changed nothing (a duplicate, or a report
    /// about a notice already delivered).
    pub changed: bool,
}

const NOTICE_COLUMNS: &str = "id, idempotency_key, person, kind, language, channel, recipient, \
     body, state, attempts, next_attempt_at, last_error, gateway_id, crossing, date, created_at, \
     updated_at";

/// Queues the notice `event` makes for a party (named by its head), inside
/// the caller's transaction: the caller's audit entry witnesses it. To the
/// first contact of the head, else of a companion, in that contact's
/// language. Returns the notice's id, or `None` when the party has no
/// contact or the event already made its notice.
pub(crate) async fn enqueue_notice(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    person: &PersonId,
    event: &NoticeEvent,
    at: Timestamp,
) -> Result<Option<u64>, StoreError> {
    let Some(contact) = sqlx::query(
        "SELECT c.phone, c.language FROM contacts c JOIN persons p ON p.id = c.person_id \
         WHERE (p.id = $1 OR p.companion_of = $1) AND c.removed_at IS NULL \
         ORDER BY CASE WHEN p.id = $1 THEN 0 ELSE 1 END, p.id, c.number",
    )
    .bind(person.as_str().to_string())
    .fetch_optional(&mut **transaction)
    .await?
    else {
        return Ok(None);
    };
    let invalid = StoreError::from_invalid("contacts", person.as_str());
    let phone = PhoneNumber::parse(&contact.try_get::<String, _>("phone")?).map_err(&invalid)?;
    let language = Language::parse(&contact.try_get::<String, _>("language")?).map_err(&invalid)?;
    let key = event.key(person);
    // Numbers are taken in order; the chain's lock keeps two changes at
    // once (PostgreSQL) from taking the same one.
    lock_chain(transaction).await?;
    let known = sqlx::query("SELECT id FROM notices WHERE idempotency_key = $1")
        .bind(key.clone())
        .fetch_optional(&mut **transaction)
        .await?;
    if known.is_some() {
        return Ok(None);
    }
    let body = render_notice(language, person, event)
        .map_err(|error| StoreError::corrupt("notice templates", &key, error))?;
    let last: Option<i64> = sqlx::query("SELECT MAX(id) AS last FROM notices")
        .fetch_one(&mut **transaction)
        .await?
        .try_get("last")?;
    let id = last.unwrap_or(0) + 1;
    let day = event.day();
    sqlx::query(
        "INSERT INTO notices (id, idempotency_key, person, kind, language, channel, recipient, \
         body, state, attempts, next_attempt_at, last_error, gateway_id, crossing, date, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, 0, $9, NULL, NULL, $10, $11, $9, $9)",
    )
    .bind(id)
    .bind(key)
    .bind(person.as_str().to_string())
    .bind(event.kind().as_str())
    .bind(language.as_str())
    .bind(phone.as_str().to_string())
    .bind(body)
    .bind(NoticeState::Queued.as_str())
    .bind(micros(at))
    .bind(day.map(|d| d.crossing.as_str().to_string()))
    .bind(day.map(|d| d.date.to_string()))
    .execute(&mut **transaction)
    .await?;
    Ok(Some(u64::try_from(id).unwrap_or(0)))
}

/// The name of a crossing, for a notice's words.
pub(crate) async fn crossing_name(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    crossing: &CrossingId,
) -> Result<String, StoreError> {
    sqlx::query("SELECT name FROM crossings WHERE id = $1")
        .bind(crossing.as_str().to_string())
        .fetch_optional(&mut **transaction)
        .await?
        .map(|row| row.try_get("name"))
        .transpose()?
        .ok_or_else(|| StoreError::not_found(Thing::Crossing, crossing))
}

/// The head of the party a person travels in: the patient of a companion,
/// else the person.
pub(crate) async fn party_head(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    person: &PersonId,
) -> Result<PersonId, StoreError> {
    let head: Option<String> = sqlx::query("SELECT companion_of FROM persons WHERE id = $1")
        .bind(person.as_str().to_string())
        .fetch_optional(&mut **transaction)
        .await?
        .map(|row| row.try_get("companion_of"))
        .transpose()?
        .flatten();
    match head {
        Some(head) => PersonId::parse(&head).map_err(StoreError::from_invalid("persons", &head)),
        None => Ok(person.clone()),
    }
}

impl Store {
    /// Takes up to `limit` notices that are due (queued or failed with
    /// their next attempt passed, or left `sending` longer than
    /// [`NOTICE_CLAIM_TIMEOUT`]) for `channel`: each becomes `sending`, one
    /// attempt more, in one audited change. A notice another sender took
    /// meanwhile is skipped, so no two senders hold one notice.
    pub async fn claim_due_notices(
        &self,
        channel: NoticeChannel,
        now: Timestamp,
        limit: u32,
        actor: &str,
    ) -> Result<Vec<Notice>, StoreError> {
        let stale = now.saturating_sub(NOTICE_CLAIM_TIMEOUT).unwrap_or(now);
        let mut connection = self.pool.acquire().await?;
        let candidates = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NOTICE_COLUMNS} FROM notices \
             WHERE ((state = $1 OR state = $2) AND next_attempt_at <= $3) \
             OR (state = $4 AND updated_at <= $5) ORDER BY next_attempt_at, id LIMIT $6"
        )))
        .bind(NoticeState::Queued.as_str())
        .bind(NoticeState::Failed.as_str())
        .bind(micros(now))
        .bind(NoticeState::Sending.as_str())
        .bind(micros(stale))
        .bind(i64::from(limit))
        .fetch_all(&mut *connection)
        .await?
        .iter()
        .map(read_notice)
        .collect::<Result<Vec<_>, _>>()?;
        drop(connection);
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let mut transaction = self.write().await?;
        let mut claimed = Vec::with_capacity(candidates.len());
        for mut notice in candidates {
            let taken = sqlx::query(
                "UPDATE notices SET state = $1, attempts = attempts + 1, channel = $2, \
                 updated_at = $3 WHERE id = $4 AND state = $5 AND updated_at = $6",
            )
            .bind(NoticeState::Sending.as_str())
            .bind(channel.as_str())
            .bind(micros(now))
            .bind(i64::try_from(notice.id).unwrap_or(i64::MAX))
            .bind(notice.state.as_str())
            .bind(micros(notice.updated_at))
            .execute(&mut **transaction)
            .await?;
            if taken.rows_affected() == 1 {
                notice.state = NoticeState::Sending;
                notice.attempts += 1;
                notice.channel = Some(channel);
                notice.updated_at = now;
                claimed.push(notice);
            }
        }
        if claimed.is_empty() {
            transaction.roll_back().await?;
            return Ok(claimed);
        }
        transaction
            .commit(&NewAuditEntry {
                at: now,
                actor: actor.to_string(),
                action: "notices.claim".to_string(),
                subject: channel.to_string(),
                detail: serde_json::json!({
                    "notices": claimed.iter().map(|n| n.key.as_str()).collect::<Vec<_>>(),
                }),
            })
            .await?;
        Ok(claimed)
    }

    /// Records that the channel accepted a notice (with the gateway's id
    /// for it, if it gave one).
    pub async fn mark_notice_sent(
        &self,
        notice: &Notice,
        gateway_id: Option<&str>,
        now: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        self.settle(
            notice,
            Settle {
                state: NoticeState::Sent,
                next_attempt_at: None,
                error: None,
                gateway_id,
            },
            now,
            actor,
        )
        .await
    }

    /// Records a failed attempt: the notice waits for its next attempt on
    /// the back-off schedule, or is given up. Returns the state it is left in.
    pub async fn mark_notice_failed(
        &self,
        notice: &Notice,
        error: &str,
        now: Timestamp,
        actor: &str,
    ) -> Result<NoticeState, StoreError> {
        let (state, next) = match notice_retry(notice.attempts, notice.created_at, now) {
            Retry::At(next) => (NoticeState::Failed, Some(next)),
            Retry::GiveUp => (NoticeState::GaveUp, None),
        };
        self.settle(
            notice,
            Settle {
                state,
                next_attempt_at: next,
                error: Some(error),
                gateway_id: None,
            },
            now,
            actor,
        )
        .await?;
        Ok(state)
    }

    /// Gives a notice up: it will not be tried again (a permanent refusal
    /// by the gateway).
    pub async fn mark_notice_gave_up(
        &self,
        notice: &Notice,
        error: &str,
        now: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        self.settle(
            notice,
            Settle {
                state: NoticeState::GaveUp,
                next_attempt_at: None,
                error: Some(error),
                gateway_id: None,
            },
            now,
            actor,
        )
        .await
    }

    async fn settle(
        &self,
        notice: &Notice,
        settle: Settle<'_>,
        now: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        // Only the claim this sender holds: a notice taken over by another
        // sender after the claim timed out is left to that sender.
        let updated = sqlx::query(
            "UPDATE notices SET state = $1, next_attempt_at = COALESCE($2, next_attempt_at), \
             last_error = COALESCE($3, last_error), gateway_id = COALESCE($4, gateway_id), \
             updated_at = $5 WHERE id = $6 AND state = $7 AND updated_at = $8",
        )
        .bind(settle.state.as_str())
        .bind(settle.next_attempt_at.map(micros))
        .bind(settle.error.map(str::to_string))
        .bind(settle.gateway_id.map(str::to_string))
        .bind(micros(now))
        .bind(i64::try_from(notice.id).unwrap_or(i64::MAX))
        .bind(NoticeState::Sending.as_str())
        .bind(micros(notice.updated_at))
        .execute(&mut **transaction)
        .await?;
        if updated.rows_affected() != 1 {
            transaction.roll_back().await?;
            return Err(StoreError::ChangedMeanwhile(format!(
                "notice {} (another sender took it after this one's claim timed out)",
                notice.key
            )));
        }
        transaction
            .commit(&NewAuditEntry {
                at: now,
                actor: actor.to_string(),
                action: format!("notice.{}", settle.state),
                subject: notice.key.clone(),
                detail: serde_json::json!({
                    "attempts": notice.attempts,
                    "channel": notice.channel.map(NoticeChannel::as_str),
                    "gateway_id": settle.gateway_id,
                }),
            })
            .await?;
        Ok(())
    }

    /// Records a gateway's delivery report. Idempotent: a report that
    /// says again what is recorded changes nothing; `delivered` is final.
    pub async fn record_delivery(
        &self,
        notice: &NoticeRef,
        status: DeliveryStatus,
        now: Timestamp,
        actor: &str,
    ) -> Result<DeliveryRecorded, StoreError> {
        let mut transaction = self.write().await?;
        let (column, value) = match notice {
            NoticeRef::Key(key) => ("idempotency_key", key),
            NoticeRef::GatewayId(id) => ("gateway_id", id),
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NOTICE_COLUMNS} FROM notices WHERE {column} = $1 ORDER BY id LIMIT 1"
        )))
        .bind(value.clone())
        .fetch_optional(&mut **transaction)
        .await?
        .ok_or_else(|| StoreError::not_found(Thing::Notice, value))?;
        let found = read_notice(&row)?;
        let state = match status {
            DeliveryStatus::Delivered => NoticeState::Delivered,
            DeliveryStatus::Failed => NoticeState::Failed,
        };
        let unchanged = found.state == state
            || found.state == NoticeState::Delivered
            || found.state == NoticeState::GaveUp;
        if unchanged {
            transaction.roll_back().await?;
            return Ok(DeliveryRecorded {
                notice: found.id,
                state: found.state,
                changed: false,
            });
        }
        // A failed delivery is tried again on the back-off schedule.
        let (state, next) = match status {
            DeliveryStatus::Delivered => (NoticeState::Delivered, None),
            DeliveryStatus::Failed => match notice_retry(found.attempts, found.created_at, now) {
                Retry::At(next) => (NoticeState::Failed, Some(next)),
                Retry::GiveUp => (NoticeState::GaveUp, None),
            },
        };
        sqlx::query(
            "UPDATE notices SET state = $1, next_attempt_at = COALESCE($2, next_attempt_at), \
             last_error = COALESCE($3, last_error), updated_at = $4 WHERE id = $5",
        )
        .bind(state.as_str())
        .bind(next.map(micros))
        .bind(
            (status == DeliveryStatus::Failed)
                .then(|| "the gateway reported a failed delivery".to_string()),
        )
        .bind(micros(now))
        .bind(i64::try_from(found.id).unwrap_or(i64::MAX))
        .execute(&mut **transaction)
        .await?;
        transaction
            .commit(&NewAuditEntry {
                at: now,
                actor: actor.to_string(),
                action: "notice.delivery".to_string(),
                subject: found.key.clone(),
                detail: serde_json::json!({ "status": status.as_str(), "state": state.as_str() }),
            })
            .await?;
        Ok(DeliveryRecorded {
            notice: found.id,
            state,
            changed: true,
        })
    }

    /// The notices about a date's crossing days, or sent to a party, in
    /// the order they were queued.
    pub async fn notices(&self, filter: &NoticeFilter) -> Result<Vec<Notice>, StoreError> {
        let (column, value) = match filter {
            NoticeFilter::Date(date) => ("date", date.to_string()),
            NoticeFilter::Person(person) => ("person", person.as_str().to_string()),
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NOTICE_COLUMNS} FROM notices WHERE {column} = $1 ORDER BY id"
        )))
        .bind(value)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_notice)
        .collect()
    }
}

struct Settle<'a> {
    state: NoticeState,
    next_attempt_at: Option<Timestamp>,
    error: Option<&'a str>,
    gateway_id: Option<&'a str>,
}

fn read_notice(row: &sqlx::any::AnyRow) -> Result<Notice, StoreError> {
    let key: String = row.try_get("idempotency_key")?;
    let owned_key = key.clone();
    let invalid = StoreError::from_invalid("notices", &owned_key);
    let id: i64 = row.try_get("id")?;
    Ok(Notice {
        id: u64::try_from(id).map_err(|e| StoreError::corrupt("notices", &key, e))?,
        person: PersonId::parse(&row.try_get::<String, _>("person")?).map_err(&invalid)?,
        kind: NoticeKind::parse(&row.try_get::<String, _>("kind")?).map_err(&invalid)?,
        language: Language::parse(&row.try_get::<String, _>("language")?).map_err(&invalid)?,
        channel: row
            .try_get::<Option<String>, _>("channel")?
            .map(|c| NoticeChannel::parse(&c))
            .transpose()
            .map_err(&invalid)?,
        recipient: PhoneNumber::parse(&row.try_get::<String, _>("recipient")?).map_err(&invalid)?,
        body: row.try_get("body")?,
        state: NoticeState::parse(&row.try_get::<String, _>("state")?).map_err(&invalid)?,
        attempts: small("notices", &key, row.try_get("attempts")?)?,
        next_attempt_at: timestamp("notices", &key, row.try_get("next_attempt_at")?)?,
        last_error: row.try_get("last_error")?,
        gateway_id: row.try_get("gateway_id")?,
        crossing: row
            .try_get::<Option<String>, _>("crossing")?
            .map(|c| CrossingId::parse(&c))
            .transpose()
            .map_err(&invalid)?,
        date: optional_date("notices", &key, row.try_get("date")?)?,
        created_at: timestamp("notices", &key, row.try_get("created_at")?)?,
        updated_at: timestamp("notices", &key, row.try_get("updated_at")?)?,
        key,
    })
}
