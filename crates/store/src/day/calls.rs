//! The night before a crossing day: the day's assembly points, which party
//! meets where, the call list and each call's outcome, and the cut-off
//! after which a party nobody could reach counts as free places.
//!
//! A decline frees the party's places at once, and an unreachable party
//! at the cut-off, through the gate's own path (`gate::close_party_in`):
//! the manifest entries close as `declined` or `unreachable`, the people go
//! back to the list as cleared and their beds are released, exactly as for
//! a no-show.
//!
//! The cut-off is applied explicitly (`Store::apply_cut_off`, audited) and
//! lazily: the first read of the call list or the gate after the cut-off
//! that finds an unreachable party still holding places frees them, in its
//! own audited transaction (`Store::apply_due_cut_off`). A call recorded as
//! unreachable after the cut-off frees the places at once.

use corridor_domain::{
    AssemblyPoint, CallOutcome, CallRecording, Contact, CrossingId, Direction, MeetingTime,
    NewAssemblyPoint, PersonId, PersonName, Reason, Role, Text, assembly_point_of,
    call_frees_places, cut_off_passed, default_cut_off,
};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use sqlx::Row;

use super::gate::{EntryState, PartyClosing, close_party_in};
use super::rules::require_crossing;
use crate::audit::NewAuditEntry;
use crate::codec::{micros, small, timestamp};
use crate::people::contacts::read_contact;
use crate::{DayRule, Store, StoreError, Thing};

/// One call made to a party, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallAttempt {
    /// Counted from 1 for the party on the day.
    pub attempt: u32,
    pub outcome: CallOutcome,
    /// Free text about the party: for the call list and the party's
    /// record only.
    pub reason: Option<Text>,
    pub at: Timestamp,
    pub by: String,
}

/// A person of a party on the call list, with their contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallMember {
    pub person: PersonId,
    pub role: Role,
    pub name: Option<PersonName>,
    pub state: EntryState,
    pub contacts: Vec<Contact>,
}

/// A party to reach: its head (a patient or a returnee) first, then the
/// companions, with the point it meets at and every call made to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallParty {
    pub direction: Direction,
    pub members: Vec<CallMember>,
    /// The point the party meets at: the one given to it, or the day's first.
    pub point: Option<AssemblyPoint>,
    /// Every call, oldest first; the last one counts.
    pub calls: Vec<CallAttempt>,
}

impl CallParty {
    pub fn head(&self) -> &CallMember {
        &self.members[0]
    }

    pub fn latest(&self) -> Option<&CallAttempt> {
        self.calls.last()
    }

    /// How many calls are recorded: what a form sends back so that a
    /// second tap of the same form is not a second call.
    pub fn attempts(&self) -> u32 {
        self.latest().map_or(0, |call| call.attempt)
    }
}

/// The call list of a crossing day (both directions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallList {
    pub crossing: CrossingId,
    pub date: Date,
    /// Whether a manifest of the day is confirmed; without one there is
    /// nobody to call.
    pub confirmed: bool,
    pub cut_off: DateTime,
    /// Whether the cut-off was set for the day (else it is the default).
    pub cut_off_set: bool,
    pub points: Vec<AssemblyPoint>,
    pub parties: Vec<CallParty>,
    /// The parties whose places this read freed because the cut-off had
    /// passed (see the module's documentation).
    pub freed_now: Vec<PersonId>,
}

/// A call's outcome to record for a party (named by its head).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub crossing: CrossingId,
    pub date: Date,
    pub party: PersonId,
    pub recording: CallRecording,
    /// The number of calls the caller saw (the screen sends it): when
    /// another call was recorded since, the same outcome again is taken as
    /// a repeated tap and recorded once, another one is refused.
    pub seen_attempts: Option<u32>,
}

/// What recording a call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecorded {
    pub attempt: u32,
    pub outcome: CallOutcome,
    /// The people whose places were freed (declined, or unreachable after
    /// the cut-off).
    pub freed: Vec<PersonId>,
    /// True when the call was already recorded (a repeated tap): nothing
    /// was written.
    pub repeated: bool,
}

/// The assembly points of a crossing day and the ones given to parties:
/// which point each party meets at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyPoints {
    pub points: Vec<AssemblyPoint>,
    assigned: std::collections::HashMap<PersonId, u32>,
}

impl PartyPoints {
    /// The point a party (named by its head) meets at: its own, or the
    /// day's first.
    pub fn point_of(&self, party: &PersonId) -> Option<&AssemblyPoint> {
        assembly_point_of(&self.points, self.assigned.get(party).copied())
    }
}

impl Store {
    /// Which assembly point each party of a crossing day meets at.
    pub async fn party_points(
        &self,
        crossing: &CrossingId,
        on: Date,
    ) -> Result<PartyPoints, StoreError> {
        let mut connection = self.pool.acquire().await?;
        let points = read_points(&mut connection, crossing, on).await?;
        let assigned = read_assigned(&mut connection, crossing, on).await?;
        Ok(PartyPoints { points, assigned })
    }

    /// The assembly points of a crossing day, by number.
    pub async fn assembly_points(
        &self,
        crossing: &CrossingId,
        on: Date,
    ) -> Result<Vec<AssemblyPoint>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        read_points(&mut connection, crossing, on).await
    }

    /// Adds an assembly point to a crossing day (one transaction, one
    /// audit entry). The first point is every party's until the
    /// coordinator gives a party another.
    pub async fn add_assembly_point(
        &self,
        crossing: &CrossingId,
        on: Date,
        point: &NewAssemblyPoint,
        at: Timestamp,
        actor: &str,
    ) -> Result<AssemblyPoint, StoreError> {
        let mut transaction = self.write().await?;
        require_crossing(&mut transaction, crossing).await?;
        let taken = read_points(&mut transaction, crossing, on).await?;
        if let Some(same) = taken.iter().find(|p| {
            p.place.as_str().eq_ignore_ascii_case(point.place.as_str()) && p.time == point.time
        }) {
            return Err(StoreError::Exists {
                thing: Thing::AssemblyPoint,
                detail: format!(
                    "{crossing} on {on} already has the assembly point {} at {} (number {})",
                    same.place, same.time, same.number
                ),
            });
        }
        let number = taken.iter().map(|p| p.number).max().unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO assembly_points (crossing, date, number, place, meet_at, added_at, added_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(i64::from(number))
        .bind(point.place.as_str().to_string())
        .bind(point.time.to_string())
        .bind(micros(at))
        .bind(actor.to_string())
        .execute(&mut **transaction)
        .await
        .map_err(|error| {
            StoreError::from(error).on_violation("assembly_points_pkey", || {
                StoreError::ChangedMeanwhile(format!("the assembly points of {crossing} on {on}"))
            })
        })?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "assembly.add".to_string(),
                subject: format!("{crossing} {on}"),
                detail: serde_json::json!({
                    "number": number,
                    "place": point.place.as_str(),
                    "time": point.time.to_string(),
                }),
            })
            .await?;
        Ok(AssemblyPoint {
            number,
            place: point.place.clone(),
            time: point.time,
        })
    }

    /// Gives a party of a confirmed day another assembly point (one
    /// transaction, one audit entry).
    pub async fn assign_assembly_point(
        &self,
        crossing: &CrossingId,
        on: Date,
        party: &PersonId,
        number: u32,
        at: Timestamp,
        actor: &str,
    ) -> Result<AssemblyPoint, StoreError> {
        let mut transaction = self.write().await?;
        require_confirmed(&mut transaction, crossing, on).await?;
        party_rows(&mut transaction, crossing, on, party).await?;
        let point = read_points(&mut transaction, crossing, on)
            .await?
            .into_iter()
            .find(|p| p.number == number)
            .ok_or_else(|| {
                StoreError::not_found(
                    Thing::AssemblyPoint,
                    format!("{number} of {crossing} on {on}"),
                )
            })?;
        sqlx::query("DELETE FROM party_assembly WHERE crossing = $1 AND date = $2 AND party = $3")
            .bind(crossing.as_str().to_string())
            .bind(on.to_string())
            .bind(party.as_str().to_string())
            .execute(&mut **transaction)
            .await?;
        sqlx::query(
            "INSERT INTO party_assembly (crossing, date, party, point, set_at, set_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(party.as_str().to_string())
        .bind(i64::from(number))
        .bind(micros(at))
        .bind(actor.to_string())
        .execute(&mut **transaction)
        .await
        .map_err(|error| {
            StoreError::from(error).on_violation("party_assembly_pkey", || {
                StoreError::ChangedMeanwhile(format!("{party}'s assembly point"))
            })
        })?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "assembly.assign".to_string(),
                subject: party.to_string(),
                detail: serde_json::json!({
                    "crossing": crossing.as_str(),
                    "date": on.to_string(),
                    "point": number,
                }),
            })
            .await?;
        Ok(point)
    }

    /// The cut-off of a crossing day: the one set for it, or 22:00 (UTC)
    /// the evening before.
    pub async fn cut_off(&self, crossing: &CrossingId, on: Date) -> Result<DateTime, StoreError> {
        let mut connection = self.pool.acquire().await?;
        Ok(read_cut_off(&mut connection, crossing, on).await?.0)
    }

    /// Sets a crossing day's cut-off (one transaction, one audit entry).
    pub async fn set_cut_off(
        &self,
        crossing: &CrossingId,
        on: Date,
        cut_off: DateTime,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        require_crossing(&mut transaction, crossing).await?;
        sqlx::query("DELETE FROM call_days WHERE crossing = $1 AND date = $2")
            .bind(crossing.as_str().to_string())
            .bind(on.to_string())
            .execute(&mut **transaction)
            .await?;
        sqlx::query(
            "INSERT INTO call_days (crossing, date, cut_off, set_at, set_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(cut_off_text(cut_off))
        .bind(micros(at))
        .bind(actor.to_string())
        .execute(&mut **transaction)
        .await
        .map_err(|error| {
            StoreError::from(error).on_violation("call_days_pkey", || {
                StoreError::ChangedMeanwhile(format!("the cut-off of {crossing} on {on}"))
            })
        })?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "calls.set-cut-off".to_string(),
                subject: format!("{crossing} {on}"),
                detail: serde_json::json!({ "cut_off": cut_off_text(cut_off) }),
            })
            .await?;
        Ok(())
    }

    /// Records what a call to a party answered, in one transaction with
    /// one audit entry: the attempt is kept (the latest counts), and a
    /// decline — or an unreachable party once the cut-off has passed —
    /// frees the party's places the way a no-show does.
    pub async fn record_call(
        &self,
        record: &CallRecord,
        at: Timestamp,
        actor: &str,
    ) -> Result<CallRecorded, StoreError> {
        let CallRecord {
            crossing,
            date: on,
            party,
            recording,
            seen_attempts,
        } = record;
        let on = *on;
        let mut transaction = self.write().await?;
        require_confirmed(&mut transaction, crossing, on).await?;
        let members = party_rows(&mut transaction, crossing, on, party).await?;
        let calls = read_calls(&mut transaction, crossing, on, Some(party))
            .await?
            .remove(party)
            .unwrap_or_default();
        let last = calls.last();
        let attempts = last.map_or(0, |call| call.attempt);
        if let Some(seen) = seen_attempts
            && *seen != attempts
        {
            return match last {
                Some(call)
                    if call.outcome == recording.outcome && call.reason == recording.reason =>
                {
                    transaction.roll_back().await?;
                    Ok(CallRecorded {
                        attempt: call.attempt,
                        outcome: call.outcome,
                        freed: Vec::new(),
                        repeated: true,
                    })
                }
                _ => Err(StoreError::ChangedMeanwhile(format!(
                    "the calls of {party}'s party (someone recorded another outcome)"
                ))),
            };
        }
        let head_state = members[0].1;
        if head_state != EntryState::Expected {
            let detail = if head_state == EntryState::Declined
                || head_state == EntryState::Unreachable
            {
                format!(
                    "{party}'s party gave up its places on {crossing} on {on} ({}) and is back on the \
                     waiting list; plan it again for another day",
                    head_state.as_str()
                )
            } else {
                format!(
                    "{party}'s party is no longer expected on {crossing} on {on} ({}); there is nobody to call",
                    head_state.as_str()
                )
            };
            return Err(StoreError::day_rule(DayRule::Calls, detail));
        }
        let attempt = attempts + 1;
        sqlx::query(
            "INSERT INTO call_outcomes (crossing, date, party, attempt, outcome, reason, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(party.as_str().to_string())
        .bind(i64::from(attempt))
        .bind(recording.outcome.as_str())
        .bind(recording.reason.as_ref().map(|r| r.as_str().to_string()))
        .bind(micros(at))
        .bind(actor.to_string())
        .execute(&mut **transaction)
        .await
        .map_err(|error| {
            // Two calls recorded at the same moment (PostgreSQL): the later
            // one meets the first one's attempt number.
            StoreError::from(error).on_violation("call_outcomes_pkey", || {
                StoreError::ChangedMeanwhile(format!("the calls of {party}'s party"))
            })
        })?;
        let (cut_off, _) = read_cut_off(&mut transaction, crossing, on).await?;
        let mut freed = Vec::new();
        if call_frees_places(recording.outcome, cut_off, at) {
            freed = free_party(
                self,
                &mut transaction,
                crossing,
                on,
                &members,
                recording.outcome,
                recording.reason.clone(),
                at,
                actor,
            )
            .await?;
        }
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "call.record".to_string(),
                subject: party.to_string(),
                detail: serde_json::json!({
                    "crossing": crossing.as_str(),
                    "date": on.to_string(),
                    "attempt": attempt,
                    "outcome": recording.outcome.as_str(),
                    "freed": freed.iter().map(PersonId::as_str).collect::<Vec<_>>(),
                }),
            })
            .await?;
        Ok(CallRecorded {
            attempt,
            outcome: recording.outcome,
            freed,
            repeated: false,
        })
    }

    /// Applies a crossing day's cut-off: every party whose latest call
    /// found it unreachable and that still holds places gives them up (its
    /// entries close as `unreachable`, its people go back to the list, its
    /// beds are released). Refused before the cut-off. One transaction,
    /// one audit entry, even when nobody is freed. Returns the parties
    /// freed, by head.
    pub async fn apply_cut_off(
        &self,
        crossing: &CrossingId,
        on: Date,
        at: Timestamp,
        actor: &str,
    ) -> Result<Vec<PersonId>, StoreError> {
        let mut transaction = self.write().await?;
        require_confirmed(&mut transaction, crossing, on).await?;
        let (cut_off, _) = read_cut_off(&mut transaction, crossing, on).await?;
        if !cut_off_passed(cut_off, at) {
            return Err(StoreError::day_rule(
                DayRule::Calls,
                format!(
                    "the cut-off of {crossing} on {on} is {} (UTC) and has not passed: parties that \
                     could not be reached keep their places until then",
                    cut_off_text(cut_off).replace('T', " ")
                ),
            ));
        }
        let freed = free_unreachable(self, &mut transaction, crossing, on, at, actor).await?;
        transaction
            .commit(&cut_off_entry(crossing, on, &freed, at, actor, false))
            .await?;
        Ok(freed)
    }

    /// The cut-off applied by a read (the call list, the gate): only when
    /// it has passed and an unreachable party still holds places; then in
    /// its own transaction with its own audit entry (`lazy: true`).
    /// Otherwise nothing is written.
    pub async fn apply_due_cut_off(
        &self,
        crossing: &CrossingId,
        on: Date,
        at: Timestamp,
        actor: &str,
    ) -> Result<Vec<PersonId>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        let (cut_off, _) = read_cut_off(&mut connection, crossing, on).await?;
        if !cut_off_passed(cut_off, at)
            || unreachable_holding_places(&mut connection, crossing, on)
                .await?
                .is_empty()
        {
            return Ok(Vec::new());
        }
        drop(connection);
        let mut transaction = self.write().await?;
        let freed = free_unreachable(self, &mut transaction, crossing, on, at, actor).await?;
        if freed.is_empty() {
            // Another reader applied it meanwhile.
            transaction.roll_back().await?;
            return Ok(freed);
        }
        transaction
            .commit(&cut_off_entry(crossing, on, &freed, at, actor, true))
            .await?;
        Ok(freed)
    }

    /// The call list of a crossing day, both directions: every party of its
    /// confirmed manifests with its people, their contacts, its assembly
    /// point and its calls. Applies the cut-off first when it is due
    /// (`apply_due_cut_off`). The edges decide what of it a user may see.
    pub async fn call_list(
        &self,
        crossing: &CrossingId,
        on: Date,
        at: Timestamp,
        actor: &str,
    ) -> Result<CallList, StoreError> {
        let freed_now = self.apply_due_cut_off(crossing, on, at, actor).await?;
        let mut connection = self.pool.acquire().await?;
        let (cut_off, cut_off_set) = read_cut_off(&mut connection, crossing, on).await?;
        let points = read_points(&mut connection, crossing, on).await?;
        let confirmed = day_confirmed(&mut connection, crossing, on).await?;
        let entries = sqlx::query(
            "SELECT e.person_id, e.party, e.direction, e.outcome, p.role, p.name \
             FROM manifest_entries e JOIN persons p ON p.id = e.person_id \
             WHERE e.crossing = $1 AND e.date = $2 ORDER BY e.direction DESC, e.position",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .fetch_all(&mut *connection)
        .await?;
        let mut contacts: std::collections::HashMap<String, Vec<Contact>> =
            std::collections::HashMap::new();
        for row in sqlx::query(
            "SELECT c.person_id, c.number, c.phone, c.label, c.language FROM contacts c \
             JOIN manifest_entries e ON e.person_id = c.person_id \
             WHERE e.crossing = $1 AND e.date = $2 AND c.removed_at IS NULL \
             ORDER BY c.person_id, c.number",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .fetch_all(&mut *connection)
        .await?
        {
            let person: String = row.try_get("person_id")?;
            let contact = read_contact(&person, &row)?;
            contacts.entry(person).or_default().push(contact);
        }
        let assigned = read_assigned(&mut connection, crossing, on).await?;
        let mut calls = read_calls(&mut connection, crossing, on, None).await?;
        let mut parties: Vec<CallParty> = Vec::new();
        for row in &entries {
            let id: String = row.try_get("person_id")?;
            let invalid = StoreError::from_invalid("manifest_entries", &id);
            let party = PersonId::parse(&row.try_get::<String, _>("party")?).map_err(&invalid)?;
            let member = CallMember {
                person: PersonId::parse(&id).map_err(&invalid)?,
                role: Role::parse(&row.try_get::<String, _>("role")?).map_err(&invalid)?,
                name: row
                    .try_get::<Option<String>, _>("name")?
                    .map(|name| PersonName::parse(&name))
                    .transpose()
                    .map_err(&invalid)?,
                state: entry_state(&id, row.try_get("outcome")?)?,
                contacts: contacts.remove(&id).unwrap_or_default(),
            };
            if member.person == party {
                let direction =
                    Direction::parse(&row.try_get::<String, _>("direction")?).map_err(&invalid)?;
                parties.push(CallParty {
                    direction,
                    point: assembly_point_of(&points, assigned.get(&party).copied()).cloned(),
                    calls: calls.remove(&party).unwrap_or_default(),
                    members: vec![member],
                });
            } else if let Some(head) = parties
                .iter_mut()
                .rev()
                .find(|p| p.members[0].person == party)
            {
                head.members.push(member);
            }
        }
        Ok(CallList {
            crossing: crossing.clone(),
            date: on,
            confirmed,
            cut_off,
            cut_off_set,
            points,
            parties,
            freed_now,
        })
    }
}

/// `YYYY-MM-DDTHH:MM`, as a cut-off is stored.
fn cut_off_text(cut_off: DateTime) -> String {
    cut_off.strftime("%Y-%m-%dT%H:%M").to_string()
}

fn cut_off_entry(
    crossing: &CrossingId,
    on: Date,
    freed: &[PersonId],
    at: Timestamp,
    actor: &str,
    lazy: bool,
) -> NewAuditEntry {
    NewAuditEntry {
        at,
        actor: actor.to_string(),
        action: "calls.apply-cut-off".to_string(),
        subject: format!("{crossing} {on}"),
        detail: serde_json::json!({
            "freed": freed.iter().map(PersonId::as_str).collect::<Vec<_>>(),
            "lazy": lazy,
        }),
    }
}

fn entry_state(person: &str, outcome: Option<String>) -> Result<EntryState, StoreError> {
    match outcome {
        None => Ok(EntryState::Expected),
        Some(state) => EntryState::parse(&state)
            .map_err(|problem| StoreError::corrupt("manifest_entries", person, problem)),
    }
}

async fn day_confirmed(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
) -> Result<bool, StoreError> {
    let count: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM manifests WHERE crossing = $1 AND date = $2")
            .bind(crossing.as_str().to_string())
            .bind(on.to_string())
            .fetch_one(&mut *connection)
            .await?
            .try_get("n")?;
    Ok(count > 0)
}

async fn require_confirmed(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
) -> Result<(), StoreError> {
    if day_confirmed(connection, crossing, on).await? {
        return Ok(());
    }
    Err(StoreError::day_rule(
        DayRule::Plan,
        format!(
            "no manifest of {crossing} on {on} is confirmed: calls are made to the parties of a \
             confirmed day; confirm the day's plan first"
        ),
    ))
}

/// A party's people on a day (head first) with their entry states; refused
/// when the person is on no manifest of the day, or travels with someone
/// else.
async fn party_rows(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
    party: &PersonId,
) -> Result<Vec<(PersonId, EntryState)>, StoreError> {
    let rows = sqlx::query(
        "SELECT person_id, party, outcome FROM manifest_entries \
         WHERE crossing = $1 AND date = $2 AND (party = $3 OR person_id = $3) ORDER BY position",
    )
    .bind(crossing.as_str().to_string())
    .bind(on.to_string())
    .bind(party.as_str().to_string())
    .fetch_all(&mut *connection)
    .await?;
    let Some(first) = rows.first() else {
        return Err(StoreError::day_rule(
            DayRule::Party,
            format!("{party} is not on a confirmed manifest of {crossing} on {on}"),
        ));
    };
    let head: String = first.try_get("party")?;
    if head != party.as_str() {
        return Err(StoreError::day_rule(
            DayRule::Party,
            format!("{party} travels with {head}; call {head}'s party, named by {head}"),
        ));
    }
    let mut members = Vec::new();
    for row in &rows {
        let id: String = row.try_get("person_id")?;
        let person =
            PersonId::parse(&id).map_err(StoreError::from_invalid("manifest_entries", &id))?;
        members.push((person, entry_state(&id, row.try_get("outcome")?)?));
    }
    // The head first, whatever the positions say.
    members.sort_by_key(|(person, _)| person != party);
    Ok(members)
}

pub(super) async fn read_points(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
) -> Result<Vec<AssemblyPoint>, StoreError> {
    let rows = sqlx::query(
        "SELECT number, place, meet_at FROM assembly_points \
         WHERE crossing = $1 AND date = $2 ORDER BY number",
    )
    .bind(crossing.as_str().to_string())
    .bind(on.to_string())
    .fetch_all(&mut *connection)
    .await?;
    let key = format!("{crossing} {on}");
    rows.iter()
        .map(|row| {
            let invalid = StoreError::from_invalid("assembly_points", &key);
            Ok(AssemblyPoint {
                number: small("assembly_points", &key, row.try_get("number")?)?,
                place: Text::parse("place", &row.try_get::<String, _>("place")?, 200)
                    .map_err(&invalid)?,
                time: MeetingTime::parse("time", &row.try_get::<String, _>("meet_at")?)
                    .map_err(&invalid)?,
            })
        })
        .collect()
}

/// The points given to parties of a day, by the party's head.
pub(super) async fn read_assigned(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
) -> Result<std::collections::HashMap<PersonId, u32>, StoreError> {
    let mut assigned = std::collections::HashMap::new();
    for row in
        sqlx::query("SELECT party, point FROM party_assembly WHERE crossing = $1 AND date = $2")
            .bind(crossing.as_str().to_string())
            .bind(on.to_string())
            .fetch_all(&mut *connection)
            .await?
    {
        let party: String = row.try_get("party")?;
        let point = small("party_assembly", &party, row.try_get("point")?)?;
        let party =
            PersonId::parse(&party).map_err(StoreError::from_invalid("party_assembly", &party))?;
        assigned.insert(party, point);
    }
    Ok(assigned)
}

/// The day's cut-off, and whether it was set (else the default).
async fn read_cut_off(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
) -> Result<(DateTime, bool), StoreError> {
    let set: Option<String> =
        sqlx::query("SELECT cut_off FROM call_days WHERE crossing = $1 AND date = $2")
            .bind(crossing.as_str().to_string())
            .bind(on.to_string())
            .fetch_optional(&mut *connection)
            .await?
            .map(|row| row.try_get("cut_off"))
            .transpose()?;
    match set {
        None => Ok((default_cut_off(on), false)),
        Some(text) => text
            .parse::<DateTime>()
            .map(|at| (at, true))
            .map_err(|error| StoreError::corrupt("call_days", format!("{crossing} {on}"), error)),
    }
}

/// The calls of a day by party (or of one party), oldest first.
async fn read_calls(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
    party: Option<&PersonId>,
) -> Result<std::collections::HashMap<PersonId, Vec<CallAttempt>>, StoreError> {
    let rows = sqlx::query(
        "SELECT party, attempt, outcome, reason, recorded_at, recorded_by FROM call_outcomes \
         WHERE crossing = $1 AND date = $2 AND ($3 = '' OR party = $3) ORDER BY party, attempt",
    )
    .bind(crossing.as_str().to_string())
    .bind(on.to_string())
    .bind(party.map_or(String::new(), |p| p.as_str().to_string()))
    .fetch_all(&mut *connection)
    .await?;
    let mut calls: std::collections::HashMap<PersonId, Vec<CallAttempt>> =
        std::collections::HashMap::new();
    for row in &rows {
        let id: String = row.try_get("party")?;
        let invalid = StoreError::from_invalid("call_outcomes", &id);
        let party = PersonId::parse(&id).map_err(&invalid)?;
        calls.entry(party).or_default().push(CallAttempt {
            attempt: small("call_outcomes", &id, row.try_get("attempt")?)?,
            outcome: CallOutcome::parse(&row.try_get::<String, _>("outcome")?).map_err(&invalid)?,
            reason: row
                .try_get::<Option<String>, _>("reason")?
                .map(|r| Text::parse("reason", &r, 500))
                .transpose()
                .map_err(&invalid)?,
            at: timestamp("call_outcomes", &id, row.try_get("recorded_at")?)?,
            by: row.try_get("recorded_by")?,
        });
    }
    Ok(calls)
}

/// The heads of the parties whose latest call found them unreachable and
/// that still hold places.
async fn unreachable_holding_places(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
) -> Result<Vec<PersonId>, StoreError> {
    let rows = sqlx::query(
        "SELECT c.party FROM call_outcomes c \
         WHERE c.crossing = $1 AND c.date = $2 AND c.outcome = $3 \
         AND c.attempt = (SELECT MAX(d.attempt) FROM call_outcomes d \
             WHERE d.crossing = c.crossing AND d.date = c.date AND d.party = c.party) \
         AND EXISTS (SELECT 1 FROM manifest_entries e WHERE e.crossing = c.crossing \
             AND e.date = c.date AND e.person_id = c.party AND e.outcome IS NULL) \
         ORDER BY c.party",
    )
    .bind(crossing.as_str().to_string())
    .bind(on.to_string())
    .bind(CallOutcome::Unreachable.as_str())
    .fetch_all(&mut *connection)
    .await?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("party")?;
            PersonId::parse(&id).map_err(StoreError::from_invalid("call_outcomes", &id))
        })
        .collect()
}

async fn free_unreachable(
    store: &Store,
    transaction: &mut crate::unit_of_work::Write<'_>,
    crossing: &CrossingId,
    on: Date,
    at: Timestamp,
    actor: &str,
) -> Result<Vec<PersonId>, StoreError> {
    let parties = unreachable_holding_places(transaction, crossing, on).await?;
    for party in &parties {
        let members = party_rows(transaction, crossing, on, party).await?;
        free_party(
            store,
            transaction,
            crossing,
            on,
            &members,
            CallOutcome::Unreachable,
            None,
            at,
            actor,
        )
        .await?;
    }
    Ok(parties)
}

/// Frees the places a party still holds after a call (declined, or
/// unreachable at the cut-off), through the gate's path. Returns the
/// people freed.
#[allow(clippy::too_many_arguments)]
async fn free_party(
    store: &Store,
    transaction: &mut crate::unit_of_work::Write<'_>,
    crossing: &CrossingId,
    on: Date,
    members: &[(PersonId, EntryState)],
    outcome: CallOutcome,
    note: Option<Text>,
    at: Timestamp,
    actor: &str,
) -> Result<Vec<PersonId>, StoreError> {
    let (state, reason) = match outcome {
        CallOutcome::Declined => (EntryState::Declined, Reason::declined_on_call(note)),
        CallOutcome::Unreachable => (
            EntryState::Unreachable,
            Reason::unreachable_by_cut_off(note),
        ),
        CallOutcome::Confirmed => return Ok(Vec::new()),
    };
    let people: Vec<PersonId> = members
        .iter()
        .filter(|(_, state)| *state == EntryState::Expected)
        .map(|(person, _)| person.clone())
        .collect();
    close_party_in(
        store.backend,
        transaction,
        &PartyClosing {
            crossing,
            date: on,
            people: &people,
            state,
            reason: Some(&reason),
        },
        at,
        actor,
    )
    .await?;
    Ok(people)
}
