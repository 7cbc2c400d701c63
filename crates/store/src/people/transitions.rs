//! Status changes: one transition checked against the version it was based
//! on, and the manifest entries and beds that follow it.

use corridor_domain::{
    Action, NewPerson, NoticeEvent, PersonId, Reason, Role, Status, StatusEvent, StatusLine, Text,
};
use jiff::Timestamp;
use sqlx::Row;

use crate::audit::NewAuditEntry;
use crate::codec::{
    EVENT_COLUMN_COUNT, EVENT_COLUMNS, PERSON_COLUMNS, bind_event, bind_reason, exited_from_column,
    insert_sql, micros, read_person, reason_json,
};
use crate::day::EntryState;
use crate::day::beds::BedHoldState;
use crate::notices::enqueue_notice;
use crate::reasons::check_action_reason;
use crate::{Backend, DayRule, Store, StoreError, Thing};

/// The outcome of a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transitioned {
    pub role: Role,
    pub line: StatusLine,
    pub event: StatusEvent,
}

impl Store {
    /// Applies one transition. `expected_version` is the version the user's
    /// decision was based on; without it the current version is used, and
    /// the check still catches a change made between reading and writing.
    pub async fn transition(
        &self,
        id: &PersonId,
        expected_version: Option<u32>,
        action: Action,
        note: Option<Text>,
        at: Timestamp,
        actor: &str,
    ) -> Result<Transitioned, StoreError> {
        if let Action::Schedule { booking } = &action {
            return Err(StoreError::day_rule(
                DayRule::Plan,
                format!(
                    "{id}: people are scheduled by confirming the day plan of {} on {}, which checks \
                     the quota and holds a bed",
                    booking.crossing, booking.date
                ),
            ));
        }
        if let Action::UndoGate { booking } = &action {
            return Err(StoreError::day_rule(
                DayRule::Gate,
                format!(
                    "{id}: a gate outcome is undone at the gate of {} on {}, which puts the \
                     manifest entry and the bed back too",
                    booking.crossing, booking.date
                ),
            ));
        }
        let mut transaction = self.write().await?;
        if matches!(action, Action::Reinstate { .. }) {
            refuse_reinstating_replaced(&mut transaction, id).await?;
        }
        let (person, line, next, event) = transition_in(
            self.backend,
            &mut transaction,
            StatusChange {
                person: id,
                expected_version,
                action,
                note,
            },
            at,
            actor,
        )
        .await?;
        let detail = serde_json::json!({
            "from": line.status.as_str(),
            "to": next.status.as_str(),
            "action": event.action.as_ref().map(|a| a.kind().as_str()),
            "reason": reason_json(event.action.as_ref().and_then(Action::reason)),
            "version": next.version,
        });
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "person.transition".to_string(),
                subject: id.to_string(),
                detail,
            })
            .await?;
        Ok(Transitioned {
            role: person.role(),
            line: next,
            event,
        })
    }
}

/// Refuses to put back on the list a companion replaced by another: the
/// patient's companions are the replacement now (and the limit counted
/// them so).
async fn refuse_reinstating_replaced(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &PersonId,
) -> Result<(), StoreError> {
    let replacement: Option<String> =
        sqlx::query("SELECT replacement FROM companion_replacements WHERE replaced = $1")
            .bind(id.as_str().to_string())
            .fetch_optional(&mut **transaction)
            .await?
            .map(|row| row.try_get("replacement"))
            .transpose()?;
    match replacement {
        Some(by) => Err(StoreError::Refused(format!(
            "{id} was replaced by {by} as a companion and is not put back on the list; \
             register a new companion if another is needed"
        ))),
        None => Ok(()),
    }
}

/// One status change to make: whose, based on which version (the current
/// one when `None`), the action and its note.
pub(crate) struct StatusChange<'a> {
    pub(crate) person: &'a PersonId,
    pub(crate) expected_version: Option<u32>,
    pub(crate) action: Action,
    pub(crate) note: Option<Text>,
}

/// A status change just made: whose, the line before and after, and the
/// event recorded.
struct LineChanged<'a> {
    person: &'a PersonId,
    before: &'a StatusLine,
    after: &'a StatusLine,
    event: &'a StatusEvent,
}

/// Reads a person's line, applies one transition where the version still
/// matches, and records the event, inside the caller's transaction. The
/// caller appends the audit entry and commits.
pub(crate) async fn transition_in(
    backend: Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    change: StatusChange<'_>,
    at: Timestamp,
    actor: &str,
) -> Result<(NewPerson, StatusLine, StatusLine, StatusEvent), StoreError> {
    let StatusChange {
        person: id,
        expected_version,
        action,
        note,
    } = change;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS}, {} FROM persons WHERE id = $1",
        exited_from_column()
    )))
    .bind(id.as_str().to_string())
    .fetch_optional(&mut **transaction)
    .await?
    .ok_or_else(|| StoreError::not_found(Thing::Person, id))?;
    let (person, line) = read_person(&row)?;
    check_action_reason(transaction, id, &action).await?;
    let expected = expected_version.unwrap_or(line.version);
    if expected != line.version {
        return Err(StoreError::Conflict {
            subject: id.to_string(),
            expected,
            current: line.version,
        });
    }
    let (next, event) = line
        .transition(person.role(), action, at, actor, note)
        .map_err(|source| StoreError::Transition {
            id: id.clone(),
            source,
        })?;
    let updated = sqlx::query(
            "UPDATE persons SET status = $1, clearance_attempt = $2, booking_date = $3, \
             booking_crossing = $4, admitted_to = $5, died_on = $6, version = $7, status_changed_at = $8 \
             WHERE id = $9 AND version = $10",
        )
        .bind(next.status.as_str())
        .bind(i64::from(next.clearance_attempt))
        .bind(next.booking.as_ref().map(|b| b.date.to_string()))
        .bind(next.booking.as_ref().map(|b| b.crossing.as_str().to_string()))
        .bind(next.admitted_to.as_ref().map(|f| f.as_str().to_string()))
        .bind(next.died_on.map(|d| d.to_string()))
        .bind(i64::from(next.version))
        .bind(micros(at))
        .bind(id.as_str().to_string())
        .bind(i64::from(expected))
        .execute(&mut **transaction)
        .await?;
    if updated.rows_affected() != 1 {
        // Another transaction committed a change after our read; on
        // PostgreSQL the UPDATE waited for it and then matched nothing.
        return Err(StoreError::Conflict {
            subject: id.to_string(),
            expected,
            current: expected + 1,
        });
    }
    let insert = sqlx::query(sqlx::AssertSqlSafe(insert_sql(
        backend,
        "status_events",
        EVENT_COLUMNS,
        EVENT_COLUMN_COUNT,
        1,
    )));
    bind_event(insert, id, &event)
        .execute(&mut **transaction)
        .await?;
    let changed = LineChanged {
        person: id,
        before: &line,
        after: &next,
        event: &event,
    };
    follow_manifest_and_beds(backend, transaction, &changed, at, actor).await?;
    // A party put on the waiting list is told so (its head: a companion's
    // patient is told about the party).
    if next.status == Status::Listed
        && line.status != Status::Listed
        && person.role() != Role::Companion
    {
        enqueue_notice(transaction, id, &NoticeEvent::Listed, at).await?;
    }
    Ok((person, line, next, event))
}

/// Keeps manifests and beds in step with a status change: leaving
/// `scheduled` closes the person's open manifest entry (crossed, or removed
/// with the action's reason) and, unless they crossed, releases their bed
/// and takes the companions travelling with them off the manifest too;
/// admission consumes the bed held for them.
async fn follow_manifest_and_beds(
    backend: Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    changed: &LineChanged<'_>,
    at: Timestamp,
    actor: &str,
) -> Result<(), StoreError> {
    let LineChanged {
        person: id,
        before: line,
        after: next,
        event,
    } = *changed;
    if line.status == Status::Scheduled && next.status != Status::Scheduled {
        let state = if next.status == Status::Crossed {
            EntryState::Crossed
        } else {
            EntryState::Removed
        };
        let query = sqlx::query(
            "UPDATE manifest_entries SET outcome = $1, outcome_at = $2, outcome_by = $3, \
             outcome_reason_kind = $4, outcome_reason_code = $5, outcome_reason_note = $6 \
             WHERE person_id = $7 AND outcome IS NULL",
        )
        .bind(state.as_str())
        .bind(micros(at))
        .bind(actor.to_string());
        bind_reason(query, event.action.as_ref().and_then(Action::reason))
            .bind(id.as_str().to_string())
            .execute(&mut **transaction)
            .await?;
        if next.status != Status::Crossed {
            sqlx::query(
                "UPDATE bed_holds SET state = $1, changed_at = $2 \
                 WHERE person_id = $3 AND state = $4",
            )
            .bind(BedHoldState::Released.as_str())
            .bind(micros(at))
            .bind(id.as_str().to_string())
            .bind(BedHoldState::Held.as_str())
            .execute(&mut **transaction)
            .await?;
            // Companions travel with their patient or not at all.
            let companions = sqlx::query(
                "SELECT person_id FROM manifest_entries \
                 WHERE party = $1 AND person_id <> $1 AND outcome IS NULL",
            )
            .bind(id.as_str().to_string())
            .fetch_all(&mut **transaction)
            .await?;
            for row in companions {
                let companion: String = row.try_get("person_id")?;
                let companion = PersonId::parse(&companion)
                    .map_err(StoreError::from_invalid("manifest_entries", &companion))?;
                let reason = Reason::patient_not_travelling();
                Box::pin(transition_in(
                    backend,
                    transaction,
                    StatusChange {
                        person: &companion,
                        expected_version: None,
                        action: Action::Unschedule { reason },
                        note: None,
                    },
                    at,
                    actor,
                ))
                .await?;
            }
        }
    }
    if let Some(Action::Admit { facility }) = &event.action {
        let held: Option<String> =
            sqlx::query("SELECT facility FROM bed_holds WHERE person_id = $1 AND state = $2")
                .bind(id.as_str().to_string())
                .bind(BedHoldState::Held.as_str())
                .fetch_optional(&mut **transaction)
                .await?
                .map(|row| row.try_get("facility"))
                .transpose()?;
        if let Some(held) = held {
            if held != facility.as_str() {
                return Err(StoreError::day_rule(
                    DayRule::Destination,
                    format!(
                        "{id} holds a bed at {held}; admit them there (the bed follows the plan)"
                    ),
                ));
            }
            sqlx::query(
                "UPDATE bed_holds SET state = $1, changed_at = $2 \
                 WHERE person_id = $3 AND state = $4",
            )
            .bind(BedHoldState::Consumed.as_str())
            .bind(micros(at))
            .bind(id.as_str().to_string())
            .bind(BedHoldState::Held.as_str())
            .execute(&mut **transaction)
            .await?;
        }
    }
    Ok(())
}
