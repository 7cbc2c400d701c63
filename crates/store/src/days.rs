//! The rules a crossing day works under, receiving beds, and security
//! clearance in batches.

use std::collections::HashMap;

use corridor_domain::{
    Action, BatchId, BedCapacity, CashLimit, ClearanceGroup, ClearanceOutcome, CrossingId,
    CrossingRules, CurrencyCode, Direction, FacilityId, InvalidValue, ItemCategory, LuggageRuleSet,
    PersonId, Reason, ReasonKind, Role, Specialty, Status, Text, check_luggage_versions,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use crate::audit::{NewAuditEntry, lock_chain};
use crate::codec::{
    ReasonColumns, birth_year, date, flag, micros, optional_date, read_reason, reason_json, small,
};
use crate::people::transition_in;
use crate::{DayRule, ImportMode, Store, StoreError, Thing};

/// Beds of one specialty at one facility on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BedLine {
    pub facility: FacilityId,
    pub specialty: Specialty,
    pub country_open: bool,
    pub facility_open: bool,
    pub requires_return_guarantee: bool,
    /// Beds published in offers that cover the date.
    pub published: u32,
    pub held: u32,
    pub consumed: u32,
}

impl BedLine {
    /// Beds that can still be given to someone arriving on the date; none
    /// where the facility or its country is closed.
    pub fn free(&self) -> u32 {
        if !(self.country_open && self.facility_open) {
            return 0;
        }
        self.published.saturating_sub(self.held + self.consumed)
    }
}

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
    pub async fn crossing_rules(&self) -> Result<Vec<CrossingRules>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        read_crossing_rules(&mut connection).await
    }

    /// Records the rules of a crossing from a date on. Refused if a period
    /// already starts that day.
    pub async fn add_crossing_rules(
        &self,
        rules: &CrossingRules,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        require_crossing(&mut transaction, &rules.crossing).await?;
        let taken = sqlx::query(
            "SELECT 1 AS one FROM crossing_rules WHERE crossing = $1 AND valid_from = $2",
        )
        .bind(rules.crossing.as_str().to_string())
        .bind(rules.valid_from.to_string())
        .fetch_optional(&mut **transaction)
        .await?;
        let period_taken = || StoreError::Exists {
            thing: Thing::CrossingRules,
            detail: format!(
                "{} already has rules from {}; give the new period another start date",
                rules.crossing, rules.valid_from
            ),
        };
        if taken.is_some() {
            return Err(period_taken());
        }
        insert_crossing_rules(&mut transaction, rules)
            .await
            .map_err(|error| error.on_violation("crossing_rules_pkey", period_taken))?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "crossing.rules".to_string(),
                subject: rules.crossing.to_string(),
                detail: serde_json::json!({
                    "valid_from": rules.valid_from.to_string(),
                    "valid_to": rules.valid_to.map(|d| d.to_string()),
                    "max_companions": rules.max_companions,
                    "entries_equal_exits": rules.entries_equal_exits,
                    "source": rules.source.as_str(),
                }),
            })
            .await?;
        Ok(())
    }

    pub async fn luggage_rule_sets(&self) -> Result<Vec<LuggageRuleSet>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        read_luggage_rule_sets(&mut connection).await
    }

    /// Records a new version of a crossing's luggage rules. Refused if its
    /// period overlaps another version's.
    pub async fn add_luggage_rule_set(
        &self,
        set: &LuggageRuleSet,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        // The versions are checked against each other (numbers, periods);
        // hold the chain's lock so that a version added at the same moment
        // is among those checked.
        lock_chain(&mut transaction).await?;
        require_crossing(&mut transaction, &set.crossing).await?;
        let mut all = read_luggage_rule_sets(&mut transaction).await?;
        all.push(set.clone());
        check_luggage_versions(&all).map_err(StoreError::from)?;
        insert_luggage_rule_set(&mut transaction, set).await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "luggage.rules".to_string(),
                subject: set.crossing.to_string(),
                detail: serde_json::json!({
                    "version": set.version,
                    "valid_from": set.valid_from.to_string(),
                    "rules": set.describe(),
                }),
            })
            .await?;
        Ok(())
    }

    /// A facility publishes beds of a specialty for arrivals within a period.
    pub async fn publish_beds(
        &self,
        facility: &FacilityId,
        capacity: &BedCapacity,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        let known = sqlx::query("SELECT 1 AS one FROM facilities WHERE id = $1")
            .bind(facility.as_str().to_string())
            .fetch_optional(&mut **transaction)
            .await?;
        if known.is_none() {
            return Err(StoreError::not_found(Thing::Facility, facility));
        }
        let taken = sqlx::query(
            "SELECT beds FROM facility_beds WHERE facility = $1 AND specialty = $2 AND from_date = $3",
        )
        .bind(facility.as_str().to_string())
        .bind(capacity.specialty.as_str())
        .bind(capacity.from.to_string())
        .fetch_optional(&mut **transaction)
        .await?;
        let published = || StoreError::Exists {
            thing: Thing::BedOffer,
            detail: format!(
                "{facility} already has {} beds published from {}; publish the new offer with another start date",
                capacity.specialty, capacity.from
            ),
        };
        if taken.is_some() {
            return Err(published());
        }
        sqlx::query(
            "INSERT INTO facility_beds (facility, specialty, beds, from_date, to_date) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(facility.as_str().to_string())
        .bind(capacity.specialty.as_str())
        .bind(i64::from(capacity.beds))
        .bind(capacity.from.to_string())
        .bind(capacity.to.to_string())
        .execute(&mut **transaction)
        .await
        .map_err(|error| StoreError::from(error).on_violation("facility_beds_offer", published))?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "beds.publish".to_string(),
                subject: facility.to_string(),
                detail: serde_json::json!({
                    "specialty": capacity.specialty.as_str(),
                    "beds": capacity.beds,
                    "from": capacity.from.to_string(),
                    "to": capacity.to.to_string(),
                }),
            })
            .await?;
        Ok(())
    }

    /// Opens or closes a facility or a whole receiving country. A closed
    /// destination receives no one; places already held stay held.
    pub async fn set_destination_open(
        &self,
        destination: Destination<'_>,
        open: bool,
        reason: &Text,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let (sql, key, kind) = match destination {
            Destination::Facility(id) => (
                "UPDATE facilities SET open = $1 WHERE id = $2",
                id.as_str(),
                Thing::Facility,
            ),
            Destination::Country(code) => (
                "UPDATE countries SET open = $1 WHERE code = $2",
                code.as_str(),
                Thing::Country,
            ),
        };
        let mut transaction = self.write().await?;
        let updated = sqlx::query(sql)
            .bind(flag(open))
            .bind(key.to_string())
            .execute(&mut **transaction)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::not_found(kind, key));
        }
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: format!("{kind}.{}", if open { "open" } else { "close" }),
                subject: key.to_string(),
                detail: serde_json::json!({ "reason": reason.as_str() }),
            })
            .await?;
        Ok(())
    }

    /// Beds by facility and specialty on a date: published, held, consumed.
    pub async fn bed_board(&self, on: Date) -> Result<Vec<BedLine>, StoreError> {
        let offers = sqlx::query(
            "SELECT b.facility, b.specialty, b.beds, b.from_date, f.open AS facility_open, \
             f.requires_return_guarantee, c.open AS country_open \
             FROM facility_beds b JOIN facilities f ON f.id = b.facility \
             JOIN countries c ON c.code = f.country \
             WHERE b.from_date <= $1 AND b.to_date >= $1 ORDER BY b.facility, b.specialty",
        )
        .bind(on.to_string())
        .fetch_all(&self.pool)
        .await?;
        let used = offer_use(&self.pool).await?;
        let mut lines: Vec<BedLine> = Vec::new();
        for row in offers {
            let facility: String = row.try_get("facility")?;
            let invalid = StoreError::from_invalid("facility_beds", &facility);
            let specialty_label: String = row.try_get("specialty")?;
            let from: String = row.try_get("from_date")?;
            let specialty = Specialty::parse(&specialty_label).map_err(&invalid)?;
            let (held, consumed) = used
                .get(&(facility.clone(), specialty_label, from))
                .copied()
                .unwrap_or((0, 0));
            let beds = small("facility_beds", &facility, row.try_get("beds")?)?;
            let facility = FacilityId::parse(&facility).map_err(&invalid)?;
            match lines.last_mut() {
                Some(line) if line.facility == facility && line.specialty == specialty => {
                    line.published += beds;
                    line.held += held;
                    line.consumed += consumed;
                }
                _ => lines.push(BedLine {
                    facility,
                    specialty,
                    country_open: row.try_get::<i64, _>("country_open")? != 0,
                    facility_open: row.try_get::<i64, _>("facility_open")? != 0,
                    requires_return_guarantee: row
                        .try_get::<i64, _>("requires_return_guarantee")?
                        != 0,
                    published: beds,
                    held,
                    consumed,
                }),
            }
        }
        Ok(lines)
    }

    /// The earliest date after `after` on which a bed of each specialty is
    /// free at an open destination.
    pub async fn next_free_beds(&self, after: Date) -> Result<Vec<(Specialty, Date)>, StoreError> {
        let offers = sqlx::query(
            "SELECT b.facility, b.specialty, b.beds, b.from_date, b.to_date \
             FROM facility_beds b JOIN facilities f ON f.id = b.facility \
             JOIN countries c ON c.code = f.country \
             WHERE b.to_date > $1 AND f.open = 1 AND c.open = 1",
        )
        .bind(after.to_string())
        .fetch_all(&self.pool)
        .await?;
        let used = offer_use(&self.pool).await?;
        let day_after = after.tomorrow().map_err(|_| {
            StoreError::invalid(
                "date",
                format!("{after} is the last date corridor can handle"),
            )
        })?;
        let mut earliest: HashMap<Specialty, Date> = HashMap::new();
        for row in offers {
            let facility: String = row.try_get("facility")?;
            let specialty_label: String = row.try_get("specialty")?;
            let from_text: String = row.try_get("from_date")?;
            let (held, consumed) = used
                .get(&(facility.clone(), specialty_label.clone(), from_text.clone()))
                .copied()
                .unwrap_or((0, 0));
            let beds = small("facility_beds", &facility, row.try_get("beds")?)?;
            if beds <= held + consumed {
                continue;
            }
            let specialty = Specialty::parse(&specialty_label)
                .map_err(StoreError::from_invalid("facility_beds", &facility))?;
            let from = date("facility_beds", &facility, &from_text)?.max(day_after);
            let slot = earliest.entry(specialty).or_insert(from);
            *slot = (*slot).min(from);
        }
        let mut list: Vec<(Specialty, Date)> = earliest.into_iter().collect();
        list.sort();
        Ok(list)
    }

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
                person,
                None,
                action,
                Some(note),
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
            transition_in(
                self.backend,
                &mut transaction,
                person,
                None,
                action,
                None,
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
             p.birth_year \
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

/// A receiving destination that can be opened or closed.
#[derive(Debug, Clone, Copy)]
pub enum Destination<'a> {
    Facility(&'a FacilityId),
    Country(&'a corridor_domain::CountryCode),
}

/// The direction a role crosses in.
pub fn direction_of(role: Role) -> Direction {
    match role {
        Role::Patient | Role::Companion => Direction::Outbound,
        Role::Returnee => Direction::Inbound,
    }
}

/// Held and consumed beds per offer (facility, specialty, offer start).
pub(crate) async fn offer_use<'e, E>(
    executor: E,
) -> Result<HashMap<(String, String, String), (u32, u32)>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let mut used = HashMap::new();
    for row in sqlx::query(
        "SELECT facility, specialty, offer_from, state, COUNT(*) AS n FROM bed_holds \
         WHERE state <> 'released' GROUP BY facility, specialty, offer_from, state",
    )
    .fetch_all(executor)
    .await?
    {
        let key = (
            row.try_get::<String, _>("facility")?,
            row.try_get::<String, _>("specialty")?,
            row.try_get::<String, _>("offer_from")?,
        );
        let count = small("bed_holds", &key.0, row.try_get("n")?)?;
        let entry: &mut (u32, u32) = used.entry(key).or_default();
        if row.try_get::<String, _>("state")? == "held" {
            entry.0 += count;
        } else {
            entry.1 += count;
        }
    }
    Ok(used)
}

pub(crate) async fn require_crossing(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    crossing: &CrossingId,
) -> Result<(), StoreError> {
    let known = sqlx::query("SELECT 1 AS one FROM crossings WHERE id = $1")
        .bind(crossing.as_str().to_string())
        .fetch_optional(&mut **transaction)
        .await?;
    if known.is_none() {
        return Err(StoreError::not_found(Thing::Crossing, crossing));
    }
    Ok(())
}

pub(crate) async fn insert_crossing_rules(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    rules: &CrossingRules,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO crossing_rules (crossing, valid_from, valid_to, max_companions, \
         entries_equal_exits, source) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(rules.crossing.as_str().to_string())
    .bind(rules.valid_from.to_string())
    .bind(rules.valid_to.map(|d| d.to_string()))
    .bind(i64::from(rules.max_companions))
    .bind(flag(rules.entries_equal_exits))
    .bind(rules.source.as_str().to_string())
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

pub(crate) async fn insert_luggage_rule_set(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    set: &LuggageRuleSet,
) -> Result<(), StoreError> {
    let forbidden: Vec<&str> = set.forbidden.iter().map(|c| c.as_str()).collect();
    sqlx::query(
        "INSERT INTO luggage_rule_sets (crossing, version, valid_from, valid_to, max_pieces, \
         max_weight_grams, forbidden, max_medication_days, max_cash_currency, max_cash_amount, source) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(set.crossing.as_str().to_string())
    .bind(i64::from(set.version))
    .bind(set.valid_from.to_string())
    .bind(set.valid_to.map(|d| d.to_string()))
    .bind(set.max_pieces.map(i64::from))
    .bind(set.max_weight_grams.map(i64::from))
    .bind(forbidden.join(","))
    .bind(set.max_medication_days.map(i64::from))
    .bind(set.max_cash.as_ref().map(|c| c.currency.as_str().to_string()))
    .bind(set.max_cash.as_ref().map(|c| i64::from(c.amount)))
    .bind(set.source.as_str().to_string())
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

pub(crate) async fn read_luggage_rule_sets(
    connection: &mut sqlx::AnyConnection,
) -> Result<Vec<LuggageRuleSet>, StoreError> {
    let mut sets = Vec::new();
    for row in sqlx::query(
        "SELECT crossing, version, valid_from, valid_to, max_pieces, max_weight_grams, forbidden, \
         max_medication_days, max_cash_currency, max_cash_amount, source \
         FROM luggage_rule_sets ORDER BY crossing, version",
    )
    .fetch_all(&mut *connection)
    .await?
    {
        let crossing: String = row.try_get("crossing")?;
        let invalid = StoreError::from_invalid("luggage_rule_sets", &crossing);
        let limit = |column: &str| -> Result<Option<u32>, StoreError> {
            row.try_get::<Option<i64>, _>(column)?
                .map(|value| small("luggage_rule_sets", &crossing, value))
                .transpose()
        };
        let mut set = LuggageRuleSet::new(
            CrossingId::parse(&crossing).map_err(&invalid)?,
            small("luggage_rule_sets", &crossing, row.try_get("version")?)?,
            date(
                "luggage_rule_sets",
                &crossing,
                &row.try_get::<String, _>("valid_from")?,
            )?,
            optional_date("luggage_rule_sets", &crossing, row.try_get("valid_to")?)?,
            Text::parse("source", &row.try_get::<String, _>("source")?, 500).map_err(&invalid)?,
        )
        .map_err(&invalid)?;
        if let Some(pieces) = limit("max_pieces")? {
            set = set.with_max_pieces(pieces);
        }
        if let Some(grams) = limit("max_weight_grams")? {
            set = set.with_max_weight_grams(grams);
        }
        if let Some(days) = limit("max_medication_days")? {
            set = set.with_max_medication_days(days);
        }
        let forbidden: String = row.try_get("forbidden")?;
        let categories = forbidden
            .split(',')
            .filter(|label| !label.is_empty())
            .map(ItemCategory::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(&invalid)?;
        set = set.forbidding(&categories);
        if let (Some(currency), Some(amount)) = (
            row.try_get::<Option<String>, _>("max_cash_currency")?,
            limit("max_cash_amount")?,
        ) {
            set = set.with_max_cash(CashLimit {
                currency: CurrencyCode::parse(&currency).map_err(&invalid)?,
                amount,
            });
        }
        sets.push(set);
    }
    Ok(sets)
}

/// Every crossing's rules, in crossing and start order.
pub(crate) async fn read_crossing_rules(
    connection: &mut sqlx::AnyConnection,
) -> Result<Vec<CrossingRules>, StoreError> {
    let mut all = Vec::new();
    for row in sqlx::query(
        "SELECT crossing, valid_from, valid_to, max_companions, entries_equal_exits, source \
         FROM crossing_rules ORDER BY crossing, valid_from",
    )
    .fetch_all(&mut *connection)
    .await?
    {
        let crossing: String = row.try_get("crossing")?;
        let invalid = StoreError::from_invalid("crossing_rules", &crossing);
        all.push(
            CrossingRules::new(
                CrossingId::parse(&crossing).map_err(&invalid)?,
                date(
                    "crossing_rules",
                    &crossing,
                    &row.try_get::<String, _>("valid_from")?,
                )?,
                optional_date("crossing_rules", &crossing, row.try_get("valid_to")?)?,
                small("crossing_rules", &crossing, row.try_get("max_companions")?)?,
                row.try_get::<i64, _>("entries_equal_exits")? != 0,
                Text::parse("source", &row.try_get::<String, _>("source")?, 500)
                    .map_err(&invalid)?,
            )
            .map_err(&invalid)?,
        );
    }
    Ok(all)
}
