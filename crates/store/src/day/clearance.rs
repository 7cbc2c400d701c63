//! Security clearance in batches: submissions and resubmissions, the
//! authority's decisions, and the requests as the statistics read them.

use corridor_domain::{
    Action, BatchId, ClearanceGroup, ClearanceOutcome, CrossingId, Direction, InvalidValue,
    NoticeEvent, PersonId, PersonName, Reason, ReasonKind, Role, Status, Text,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use super::rules::require_crossing;
use crate::audit::{NewAuditEntry, lock_chain};
use crate::codec::{
    ReasonColumns, birth_year, date, micros, optional_date, read_reason, reason_json, small,
};
use crate::notices::{enqueue_notice, party_head};
use crate::people::transitions::{StatusChange, transition_in};
use crate::{DayRule, ImportMode, Store, StoreError, Thing};

/// A request for clearance to submit: who, for which crossing and by when
/// the answer is needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub crossing: CrossingId,
    pub direction: Direction,
    pub needed_by: Date,
    pub people: Vec<PersonId>,
    pub note: Option<Text>,
}

/// One person's place in a batch, as submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub person: PersonId,
    pub role: Role,
    pub attempt: u32,
    pub previous_batch: Option<BatchId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedBatch {
    pub id: BatchId,
    pub people: Vec<Submitted>,
}

/// The authority's answer for one person in one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub batch: BatchId,
    pub person: PersonId,
    pub outcome: ClearanceOutcome,
    /// Of the outcome's kind ([`ClearanceOutcome::reason_kind`]): required
    /// for a denial; a delay without one is `no-answer`; none for a clearance.
    pub reason: Option<Reason>,
    pub decided_on: Date,
}

/// A clearance batch as submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearanceBatch {
    pub id: BatchId,
    pub crossing: CrossingId,
    pub direction: Direction,
    pub submitted_on: Date,
    pub needed_by: Date,
    pub submitted_by: String,
    pub note: Option<String>,
}

/// One clearance request with the facts the statistics and lists need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearanceRequest {
    pub batch: BatchId,
    pub person: PersonId,
    pub role: Role,
    /// The patient a companion goes with.
    pub companion_of: Option<PersonId>,
    /// Personal: shown only to roles that may see people.
    pub name: Option<PersonName>,
    pub group: ClearanceGroup,
    pub attempt: u32,
    pub previous_batch: Option<BatchId>,
    pub submitted_on: Date,
    pub needed_by: Date,
    pub outcome: Option<ClearanceOutcome>,
    /// The reason of a denial or delay, with its note: personal, for the
    /// person's record; lists and reports show the code only.
    pub reason: Option<Reason>,
    pub decided_on: Option<Date>,
}

impl ClearanceRequest {
    pub fn facts(&self) -> corridor_domain::RequestFacts {
        corridor_domain::RequestFacts {
            group: self.group,
            attempt: self.attempt,
            submitted_on: self.submitted_on,
            decision: self.outcome.zip(self.decided_on),
        }
    }
}

impl Store {
    /// Submits people for clearance as one batch: a first request for those
    /// listed, a resubmission (linked to their previous batch) for those
    /// denied or delayed. All of them or none; a dry run makes every check,
    /// numbers the batch, and rolls back.
    pub async fn submit_clearance(
        &self,
        submission: &Submission,
        mode: ImportMode,
        today: Date,
        at: Timestamp,
        actor: &str,
    ) -> Result<SubmittedBatch, StoreError> {
        if submission.people.is_empty() {
            return Err(StoreError::invalid(
                "people",
                "the batch is empty: no one matches; check the filters or the ids",
            ));
        }
        if submission.needed_by < today {
            return Err(StoreError::invalid(
                "needed_by",
                format!(
                    "{} is before today ({today}); give the date the answer is needed by",
                    submission.needed_by
                ),
            ));
        }
        let mut transaction = self.write().await?;
        // Batches are numbered in order; hold the chain's lock so that two
        // submissions at once cannot both take the next number.
        lock_chain(&mut transaction).await?;
        require_crossing(&mut transaction, &submission.crossing).await?;
        let batches: i64 = sqlx::query("SELECT COUNT(*) AS n FROM clearance_batches")
            .fetch_one(&mut **transaction)
            .await?
            .try_get("n")?;
        let id = BatchId::numbered(u32::try_from(batches + 1).unwrap_or(u32::MAX));
        sqlx::query(
            "INSERT INTO clearance_batches (id, crossing, direction, submitted_on, needed_by, \
             submitted_at, submitted_by, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.as_str().to_string())
        .bind(submission.crossing.as_str().to_string())
        .bind(submission.direction.as_str())
        .bind(today.to_string())
        .bind(submission.needed_by.to_string())
        .bind(micros(at))
        .bind(actor.to_string())
        .bind(submission.note.as_ref().map(|n| n.as_str().to_string()))
        .execute(&mut **transaction)
        .await?;
        let mut people = Vec::new();
        for person in &submission.people {
            let status: Option<String> = sqlx::query("SELECT status FROM persons WHERE id = $1")
                .bind(person.as_str().to_string())
                .fetch_optional(&mut **transaction)
                .await?
                .map(|row| row.try_get("status"))
                .transpose()?;
            let status = status.ok_or_else(|| StoreError::not_found(Thing::Person, person))?;
            let action = match Status::parse(&status) {
                Ok(Status::Denied | Status::Delayed) => Action::Resubmit,
                _ => Action::RequestClearance,
            };
            let note = Text::parse("note", &format!("clearance batch {id}"), 200)
                .expect("a batch note is short and plain");
            let (record, _, next, _) = transition_in(
                self.backend,
                &mut transaction,
                StatusChange {
                    person,
                    expected_version: None,
                    action,
                    note: Some(note),
                },
                at,
                actor,
            )
            .await?;
            if direction_of(record.role()) != submission.direction {
                return Err(StoreError::day_rule(
                    DayRule::Clearance,
                    format!(
                        "{person} is a {} and crosses {}, not {}; submit them in a batch for that direction",
                        record.role(),
                        direction_of(record.role()),
                        submission.direction
                    ),
                ));
            }
            let previous_batch: Option<String> = sqlx::query(
                "SELECT batch_id FROM clearance_requests WHERE person_id = $1 AND attempt = $2",
            )
            .bind(person.as_str().to_string())
            .bind(i64::from(next.clearance_attempt) - 1)
            .fetch_optional(&mut **transaction)
            .await?
            .map(|row| row.try_get("batch_id"))
            .transpose()?;
            sqlx::query(
                "INSERT INTO clearance_requests (batch_id, person_id, attempt, previous_batch) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id.as_str().to_string())
            .bind(person.as_str().to_string())
            .bind(i64::from(next.clearance_attempt))
            .bind(previous_batch.clone())
            .execute(&mut **transaction)
            .await?;
            people.push(Submitted {
                person: person.clone(),
                role: record.role(),
                attempt: next.clearance_attempt,
                previous_batch: previous_batch
                    .map(|batch| BatchId::parse(&batch))
                    .transpose()
                    .map_err(StoreError::from_invalid(
                        "clearance_requests",
                        person.as_str(),
                    ))?,
            });
        }
        transaction
            .finish_import(
                &NewAuditEntry {
                    at,
                    actor: actor.to_string(),
                    action: "clearance.submit".to_string(),
                    subject: id.to_string(),
                    detail: serde_json::json!({
                        "crossing": submission.crossing.as_str(),
                        "direction": submission.direction.as_str(),
                        "needed_by": submission.needed_by.to_string(),
                        "people": people.iter().map(|p| p.person.as_str()).collect::<Vec<_>>(),
                    }),
                },
                mode,
                people.len(),
            )
            .await?;
        Ok(SubmittedBatch { id, people })
    }

    /// Records the authority's decisions, all of them or none: each moves
    /// the person's status (cleared, denied, delayed) and closes their
    /// request in the batch. A dry run makes every check and rolls back.
    pub async fn record_decisions(
        &self,
        decisions: &[Decision],
        mode: ImportMode,
        today: Date,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        for decision in decisions {
            let person = &decision.person;
            let request = sqlx::query(
                "SELECT r.outcome, b.submitted_on, b.needed_by FROM clearance_requests r \
                 JOIN clearance_batches b ON b.id = r.batch_id \
                 WHERE r.batch_id = $1 AND r.person_id = $2",
            )
            .bind(decision.batch.as_str().to_string())
            .bind(person.as_str().to_string())
            .fetch_optional(&mut **transaction)
            .await?
            .ok_or_else(|| {
                StoreError::day_rule(
                    DayRule::Clearance,
                    format!("{person} is not in batch {}", decision.batch),
                )
            })?;
            if let Some(outcome) = request.try_get::<Option<String>, _>("outcome")? {
                return Err(StoreError::day_rule(
                    DayRule::Clearance,
                    format!(
                        "{person} in batch {} was already decided ({outcome}); a new decision needs a resubmission",
                        decision.batch
                    ),
                ));
            }
            let submitted_on = date(
                "clearance_batches",
                decision.batch.as_str(),
                &request.try_get::<String, _>("submitted_on")?,
            )?;
            let needed_by = date(
                "clearance_batches",
                decision.batch.as_str(),
                &request.try_get::<String, _>("needed_by")?,
            )?;
            if decision.decided_on < submitted_on || decision.decided_on > today {
                return Err(StoreError::Invalid {
                    person: Some(person.clone()),
                    invalid: InvalidValue::new(
                        "decided_on",
                        format!(
                            "{} must be between the submission ({submitted_on}) and today ({today})",
                            decision.decided_on
                        ),
                    ),
                });
            }
            let action = decision_action(decision, needed_by)?;
            let reason = action.reason().cloned();
            let notice = match decision.outcome {
                ClearanceOutcome::Denied => Some(NoticeEvent::Denied {
                    batch: decision.batch.clone(),
                }),
                ClearanceOutcome::Delayed => Some(NoticeEvent::ClearanceDelayed {
                    batch: decision.batch.clone(),
                }),
                ClearanceOutcome::Cleared => None,
            };
            transition_in(
                self.backend,
                &mut transaction,
                StatusChange {
                    person,
                    expected_version: None,
                    action,
                    note: None,
                },
                at,
                actor,
            )
            .await?;
            sqlx::query(
                "UPDATE clearance_requests SET outcome = $1, reason_code = $2, reason_note = $3, \
                 decided_on = $4, recorded_at = $5, recorded_by = $6 \
                 WHERE batch_id = $7 AND person_id = $8",
            )
            .bind(decision.outcome.as_str())
            .bind(reason.as_ref().map(|r| r.code.as_str().to_string()))
            .bind(
                reason
                    .as_ref()
                    .and_then(|r| r.note.as_ref())
                    .map(|n| n.as_str().to_string()),
            )
            .bind(decision.decided_on.to_string())
            .bind(micros(at))
            .bind(actor.to_string())
            .bind(decision.batch.as_str().to_string())
            .bind(person.as_str().to_string())
            .execute(&mut **transaction)
            .await?;
            // The party is told (through its head), in this transaction.
            if let Some(event) = notice {
                let head = party_head(&mut transaction, person).await?;
                enqueue_notice(&mut transaction, &head, &event, at).await?;
            }
        }
        transaction
            .finish_import(
                &NewAuditEntry {
                    at,
                    actor: actor.to_string(),
                    action: "clearance.decide".to_string(),
                    subject: decisions
                        .first()
                        .map_or_else(String::new, |d| d.batch.to_string()),
                    detail: serde_json::json!(
                        decisions
                            .iter()
                            .map(|d| serde_json::json!({
                                "batch": d.batch.as_str(),
                                "person": d.person.as_str(),
                                "outcome": d.outcome.as_str(),
                                "reason": reason_json(d.reason.as_ref()),
                                "decided_on": d.decided_on.to_string(),
                            }))
                            .collect::<Vec<_>>()
                    ),
                },
                mode,
                decisions.len(),
            )
            .await?;
        Ok(())
    }

    /// Requests still unanswered after the date they were needed by are
    /// delayed: that is the outcome, recorded as of the needed-by date.
    pub async fn decisions_overdue(&self, today: Date) -> Result<Vec<Decision>, StoreError> {
        Ok(self
            .clearance_requests(None)
            .await?
            .into_iter()
            .filter(|request| request.outcome.is_none() && request.needed_by < today)
            .map(|request| Decision {
                batch: request.batch,
                person: request.person,
                outcome: ClearanceOutcome::Delayed,
                reason: None,
                decided_on: request.needed_by,
            })
            .collect())
    }

    pub async fn clearance_batches(&self) -> Result<Vec<ClearanceBatch>, StoreError> {
        let mut batches = Vec::new();
        for row in sqlx::query(
            "SELECT id, crossing, direction, submitted_on, needed_by, submitted_by, note \
             FROM clearance_batches ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?
        {
            let id: String = row.try_get("id")?;
            let invalid = StoreError::from_invalid("clearance_batches", &id);
            batches.push(ClearanceBatch {
                id: BatchId::parse(&id).map_err(&invalid)?,
                crossing: CrossingId::parse(&row.try_get::<String, _>("crossing")?)
                    .map_err(&invalid)?,
                direction: Direction::parse(&row.try_get::<String, _>("direction")?)
                    .map_err(&invalid)?,
                submitted_on: date(
                    "clearance_batches",
                    &id,
                    &row.try_get::<String, _>("submitted_on")?,
                )?,
                needed_by: date(
                    "clearance_batches",
                    &id,
                    &row.try_get::<String, _>("needed_by")?,
                )?,
                submitted_by: row.try_get("submitted_by")?,
                note: row.try_get("note")?,
            });
        }
        Ok(batches)
    }

    /// Clearance requests, of one batch or of all, in batch and person order.
    pub async fn clearance_requests(
        &self,
        batch: Option<&BatchId>,
    ) -> Result<Vec<ClearanceRequest>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.batch_id, r.person_id, r.attempt, r.previous_batch, r.outcome, r.reason, \
             r.reason_code, r.reason_note, r.decided_on, b.submitted_on, b.needed_by, p.role, \
             p.birth_year, p.companion_of, p.name \
             FROM clearance_requests r JOIN clearance_batches b ON b.id = r.batch_id \
             JOIN persons p ON p.id = r.person_id \
             WHERE ($1 = '' OR r.batch_id = $1) ORDER BY r.batch_id, r.person_id",
        )
        .bind(batch.map_or_else(String::new, |b| b.as_str().to_string()))
        .fetch_all(&self.pool)
        .await?;
        let mut requests = Vec::with_capacity(rows.len());
        for row in rows {
            let person: String = row.try_get("person_id")?;
            let invalid = StoreError::from_invalid("clearance_requests", &person);
            let submitted_on = date(
                "clearance_requests",
                &person,
                &row.try_get::<String, _>("submitted_on")?,
            )?;
            let role = Role::parse(&row.try_get::<String, _>("role")?).map_err(&invalid)?;
            let birth_year = birth_year(&row, &person)?;
            let outcome = row
                .try_get::<Option<String>, _>("outcome")?
                .map(|o| ClearanceOutcome::parse(&o))
                .transpose()
                .map_err(&invalid)?;
            let group = match role {
                Role::Patient if birth_year.is_child_on(submitted_on) => {
                    ClearanceGroup::ChildPatients
                }
                Role::Patient => ClearanceGroup::AdultPatients,
                Role::Companion => ClearanceGroup::Companions,
                Role::Returnee => ClearanceGroup::Returnees,
            };
            requests.push(ClearanceRequest {
                batch: BatchId::parse(&row.try_get::<String, _>("batch_id")?).map_err(&invalid)?,
                person: PersonId::parse(&person).map_err(&invalid)?,
                role,
                companion_of: row
                    .try_get::<Option<String>, _>("companion_of")?
                    .map(|id| PersonId::parse(&id))
                    .transpose()
                    .map_err(&invalid)?,
                name: row
                    .try_get::<Option<String>, _>("name")?
                    .map(|name| PersonName::parse(&name))
                    .transpose()
                    .map_err(&invalid)?,
                group,
                attempt: small("clearance_requests", &person, row.try_get("attempt")?)?,
                previous_batch: row
                    .try_get::<Option<String>, _>("previous_batch")?
                    .map(|b| BatchId::parse(&b))
                    .transpose()
                    .map_err(&invalid)?,
                submitted_on,
                needed_by: date(
                    "clearance_requests",
                    &person,
                    &row.try_get::<String, _>("needed_by")?,
                )?,
                outcome,
                reason: match outcome.and_then(ClearanceOutcome::reason_kind) {
                    Some(kind) => {
                        read_reason(&row, &REQUEST_REASON, "clearance_requests", &person, kind)?
                    }
                    None => None,
                },
                decided_on: optional_date(
                    "clearance_requests",
                    &person,
                    row.try_get("decided_on")?,
                )?,
            });
        }
        Ok(requests)
    }
}

/// Where a clearance request keeps its reason; the outcome gives the kind.
const REQUEST_REASON: ReasonColumns = ReasonColumns {
    kind: None,
    code: "reason_code",
    note: "reason_note",
    legacy: "reason",
};

/// The status change a decision makes, with its reason: a denial needs one,
/// a delay without one is `no-answer`, a clearance takes none.
fn decision_action(decision: &Decision, needed_by: Date) -> Result<Action, StoreError> {
    let refused = |invalid: InvalidValue| StoreError::Invalid {
        person: Some(decision.person.clone()),
        invalid,
    };
    let reason_of = |kind: ReasonKind| -> Result<Reason, StoreError> {
        match &decision.reason {
            Some(reason) if reason.kind == kind => Ok(reason.clone()),
            Some(reason) => Err(refused(InvalidValue::new(
                "reason_kind",
                format!(
                    "a {} decision takes a reason of kind {kind}, not {}",
                    decision.outcome, reason.kind
                ),
            ))),
            None => Reason::parse(kind, None, None).map_err(refused),
        }
    };
    Ok(match decision.outcome {
        ClearanceOutcome::Cleared => {
            if decision.reason.is_some() {
                return Err(refused(InvalidValue::new(
                    "reason_code",
                    "a clearance takes no reason; leave the reason empty",
                )));
            }
            Action::Clear
        }
        ClearanceOutcome::Denied => Action::Deny {
            reason: reason_of(ReasonKind::Denied)?,
        },
        ClearanceOutcome::Delayed => Action::Delay {
            needed_by,
            reason: reason_of(ReasonKind::Delayed)?,
        },
    })
}

/// The direction a role crosses in.
pub fn direction_of(role: Role) -> Direction {
    match role {
        Role::Patient | Role::Companion => Direction::Outbound,
        Role::Returnee => Direction::Inbound,
    }
}
