//! The gate: what happened to each party on a confirmed manifest, and the
//! end-of-day reconciliation of plan and outcome.

use corridor_domain::{
    Action, AtGate, BirthYear, Booking, CrossingId, CrossingRules, Direction, GateBreak,
    GateChange, GateMember, GateOutcome, GateParty, GateProposal, InvalidValue, PersonId, Reason,
    ReasonKind, Role, Text, check_gate,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use super::beds::BedHoldState;
use super::luggage::{luggage_violations, read_luggage_rule_sets};
use super::manifest::{Manifest, ManifestEntry};
use crate::audit::NewAuditEntry;
use crate::codec::{bind_reason, micros, reason_json};
use crate::people::transitions::{StatusChange, transition_in};
use crate::{Backend, DayRule, Store, StoreError, Thing};

/// Where a person on a confirmed manifest stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    Expected,
    Crossed,
    TurnedBack,
    NoShow,
    /// Taken off after confirmation: died, withdrew, or unscheduled by hand.
    Removed,
    /// The party declined its places when called before the day.
    Declined,
    /// Nobody could reach the party by the day's cut-off.
    Unreachable,
}

impl EntryState {
    pub const ALL: &'static [EntryState] = &[
        EntryState::Expected,
        EntryState::Crossed,
        EntryState::TurnedBack,
        EntryState::NoShow,
        EntryState::Removed,
        EntryState::Declined,
        EntryState::Unreachable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryState::Expected => "expected",
            EntryState::Crossed => "crossed",
            EntryState::TurnedBack => "turned-back",
            EntryState::NoShow => "no-show",
            EntryState::Removed => "removed",
            EntryState::Declined => "declined",
            EntryState::Unreachable => "unreachable",
        }
    }

    /// Whether the person's place on the day is free again: they will not
    /// cross on it, and they are back on the waiting list.
    pub fn frees_place(self) -> bool {
        match self {
            EntryState::Declined
            | EntryState::Unreachable
            | EntryState::NoShow
            | EntryState::TurnedBack
            | EntryState::Removed => true,
            EntryState::Expected | EntryState::Crossed => false,
        }
    }

    pub(super) fn parse(text: &str) -> Result<EntryState, String> {
        EntryState::ALL
            .iter()
            .copied()
            .filter(|state| *state != EntryState::Expected)
            .find(|state| state.as_str() == text)
            .ok_or_else(|| format!("manifest entry state '{text}'"))
    }
}

impl EntryState {
    /// The kind of reason kept with the state: a turn-back's or a
    /// no-show's, or the reason a person was taken off (an unschedule's or
    /// a withdrawal's, which the stored kind tells apart).
    pub(super) fn reason_kind(self) -> Option<ReasonKind> {
        match self {
            EntryState::Expected | EntryState::Crossed => None,
            EntryState::TurnedBack => Some(ReasonKind::TurnedBack),
            EntryState::NoShow => Some(ReasonKind::NoShow),
            EntryState::Removed | EntryState::Declined | EntryState::Unreachable => {
                Some(ReasonKind::Unscheduled)
            }
        }
    }
}

/// The reason recorded with a gate outcome: a turn-back needs one, a no-show
/// without one is `not-known`, a crossing takes none.
fn gate_reason(
    person: &PersonId,
    outcome: GateOutcome,
    reason: Option<&Reason>,
) -> Result<Option<Reason>, StoreError> {
    let refused = |invalid: InvalidValue| StoreError::Invalid {
        person: Some(person.clone()),
        invalid,
    };
    let Some(kind) = outcome.reason_kind() else {
        return match reason {
            None => Ok(None),
            Some(_) => Err(refused(InvalidValue::new(
                "reason_code",
                "a crossing takes no reason; leave the reason empty",
            ))),
        };
    };
    match reason {
        Some(reason) if reason.kind == kind => Ok(Some(reason.clone())),
        Some(reason) => Err(refused(InvalidValue::new(
            "reason_kind",
            format!(
                "{outcome} takes a reason of kind {kind}, not {}",
                reason.kind
            ),
        ))),
        None => Reason::parse(kind, None, None).map(Some).map_err(refused),
    }
}

impl From<GateOutcome> for EntryState {
    fn from(outcome: GateOutcome) -> EntryState {
        match outcome {
            GateOutcome::Crossed => EntryState::Crossed,
            GateOutcome::TurnedBack => EntryState::TurnedBack,
            GateOutcome::NoShow => EntryState::NoShow,
        }
    }
}

/// What was planned and what happened on a crossing day, both directions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    pub crossing: CrossingId,
    pub date: Date,
    pub manifests: Vec<Manifest>,
    pub rules: Option<CrossingRules>,
}

impl Reconciliation {
    pub fn crossed(&self, direction: Direction) -> usize {
        self.manifests
            .iter()
            .filter(|m| m.direction == direction)
            .map(|m| m.count(EntryState::Crossed))
            .sum()
    }

    /// The people who go back to the list: every state that frees a place
    /// (turned back, no-show, removed, declined, unreachable).
    pub fn back_on_the_list(&self) -> Vec<&ManifestEntry> {
        self.manifests
            .iter()
            .flat_map(|m| &m.entries)
            .filter(|e| e.state.frees_place())
            .collect()
    }
}

/// An outcome to record at the gate: for a patient's party (named by the
/// patient) or a returnee, on a crossing day, with the reason a turn-back
/// needs (a no-show's may be left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateRecording {
    pub crossing: CrossingId,
    pub date: Date,
    pub person: PersonId,
    pub outcome: GateOutcome,
    pub reason: Option<Reason>,
}

/// The result of recording an outcome at the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateRecord {
    /// The party: the patient (or returnee) first, then companions.
    pub people: Vec<PersonId>,
    pub state: EntryState,
}

/// A gate outcome recorded in error, to undo on the crossing day: the
/// party (named by the patient or the returnee) and why the outcome was
/// wrong, which stays in each person's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateUndo {
    pub crossing: CrossingId,
    pub date: Date,
    pub person: PersonId,
    pub reason: Text,
}

/// The result of undoing a gate outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateUndone {
    /// The party, expected at the gate again: the patient (or returnee)
    /// first, then companions.
    pub people: Vec<PersonId>,
    /// The outcome undone.
    pub undone: EntryState,
    /// The facility where the bed released by a turn-back or a no-show is
    /// held again.
    pub bed_held_at: Option<String>,
}

/// The UTC date of an instant: the day the server (or the command line's
/// `--today`) works on.
fn day_of(at: Timestamp) -> Date {
    jiff::tz::Offset::UTC.to_datetime(at).date()
}

impl Store {
    /// Records what happened at the gate to a patient's party (the patient
    /// and the companions with them) or to a returnee. A returnee crosses
    /// only with a luggage declaration that keeps the rules in force.
    pub async fn record_gate(
        &self,
        recording: &GateRecording,
        at: Timestamp,
        actor: &str,
    ) -> Result<GateRecord, StoreError> {
        let crossing = &recording.crossing;
        let on = recording.date;
        let person = &recording.person;
        let outcome = recording.outcome;
        let reason = recording.reason.as_ref();
        GateOutcome::check_day(on, day_of(at))
            .map_err(|detail| StoreError::day_rule(DayRule::Gate, detail))?;
        let mut transaction = self.write().await?;
        let rows = sqlx::query(
            "SELECT person_id, party, direction FROM manifest_entries \
             WHERE crossing = $1 AND date = $2 AND outcome IS NULL \
             AND (party = $3 OR person_id = $3) ORDER BY position",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(person.as_str().to_string())
        .fetch_all(&mut **transaction)
        .await?;
        if rows.is_empty() {
            return Err(StoreError::day_rule(
                DayRule::Gate,
                format!(
                    "{person} is not expected at {crossing} on {on}: not on a confirmed manifest, or already recorded"
                ),
            ));
        }
        let party: String = rows[0].try_get("party")?;
        if party != person.as_str() {
            return Err(StoreError::day_rule(
                DayRule::Party,
                format!(
                    "{person} travels with {party}; record the outcome on {party}, for the whole party"
                ),
            ));
        }
        let direction = Direction::parse(&rows[0].try_get::<String, _>("direction")?).map_err(
            StoreError::from_invalid("manifest_entries", person.as_str()),
        )?;
        let people = rows
            .iter()
            .map(|row| {
                let id: String = row.try_get("person_id")?;
                PersonId::parse(&id).map_err(StoreError::from_invalid("manifest_entries", &id))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let reason = gate_reason(person, outcome, reason)?;
        refuse_breaks(
            &mut transaction,
            crossing,
            on,
            person,
            &GateProposal {
                people: people.clone(),
                change: GateChange::Record(outcome),
            },
        )
        .await?;
        if outcome == GateOutcome::Crossed && direction == Direction::Inbound {
            let sets = read_luggage_rule_sets(&mut transaction).await?;
            let violations =
                luggage_violations(&mut transaction, &sets, crossing, on, person).await?;
            if !violations.is_empty() {
                let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
                return Err(StoreError::day_rule(
                    DayRule::Luggage,
                    format!(
                        "{person}'s luggage breaks the rules in force:\n  {}\n\
                         record a new declaration once the items are left behind, \
                         or turn {person} back with a reason",
                        list.join("\n  ")
                    ),
                ));
            }
        }
        let state = EntryState::from(outcome);
        close_party_in(
            self.backend,
            &mut transaction,
            &PartyClosing {
                crossing,
                date: on,
                people: &people,
                state,
                reason: reason.as_ref(),
            },
            at,
            actor,
        )
        .await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "gate.record".to_string(),
                subject: person.to_string(),
                detail: serde_json::json!({
                    "crossing": crossing.as_str(),
                    "date": on.to_string(),
                    "outcome": outcome.as_str(),
                    "reason": reason_json(reason.as_ref()),
                    "people": people.iter().map(PersonId::as_str).collect::<Vec<_>>(),
                }),
            })
            .await?;
        Ok(GateRecord { people, state })
    }

    /// Undoes a gate outcome recorded in error, on the crossing day only:
    /// the party that crossed, was turned back or did not come is expected
    /// at the gate again, scheduled on the manifest's booking, and a bed
    /// released by a turn-back or a no-show is held again, or the undo is
    /// refused when that bed has gone to someone else meanwhile. One
    /// transaction, one audit entry.
    pub async fn undo_gate(
        &self,
        undo: &GateUndo,
        at: Timestamp,
        actor: &str,
    ) -> Result<GateUndone, StoreError> {
        let GateUndo {
            crossing,
            date: on,
            person,
            reason,
        } = undo;
        let on = *on;
        GateOutcome::check_undo_day(on, day_of(at))
            .map_err(|detail| StoreError::day_rule(DayRule::Gate, detail))?;
        let mut transaction = self.write().await?;
        let rows = sqlx::query(
            "SELECT person_id, party, outcome, outcome_at FROM manifest_entries \
             WHERE crossing = $1 AND date = $2 AND (party = $3 OR person_id = $3) ORDER BY position",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(person.as_str().to_string())
        .fetch_all(&mut **transaction)
        .await?;
        let Some(first) = rows.first() else {
            return Err(StoreError::day_rule(
                DayRule::Gate,
                format!("{person} is not on a confirmed manifest of {crossing} on {on}"),
            ));
        };
        let party: String = first.try_get("party")?;
        if party != person.as_str() {
            return Err(StoreError::day_rule(
                DayRule::Party,
                format!(
                    "{person} travels with {party}; undo the outcome on {party}, for the whole party"
                ),
            ));
        }
        let outcome: Option<String> = first.try_get("outcome")?;
        let recorded_at: Option<i64> = first.try_get("outcome_at")?;
        let undone = match outcome.as_deref().map(EntryState::parse).transpose() {
            Ok(Some(
                state @ (EntryState::Crossed | EntryState::TurnedBack | EntryState::NoShow),
            )) => state,
            Ok(Some(_)) => {
                return Err(StoreError::day_rule(
                    DayRule::Gate,
                    format!(
                        "{person} was taken off the manifest, not recorded at the gate; there is no gate outcome to undo"
                    ),
                ));
            }
            Ok(None) => {
                return Err(StoreError::day_rule(
                    DayRule::Gate,
                    format!("{person} is still expected at the gate: there is no outcome to undo"),
                ));
            }
            Err(detail) => {
                return Err(StoreError::corrupt(
                    "manifest_entries",
                    person.to_string(),
                    detail,
                ));
            }
        };
        // The party as the gate recorded it: those given the same outcome
        // in the same tap (a companion taken off earlier stays off).
        let mut people = Vec::new();
        for row in &rows {
            let state: Option<String> = row.try_get("outcome")?;
            let row_at: Option<i64> = row.try_get("outcome_at")?;
            if state.as_deref() == Some(undone.as_str()) && row_at == recorded_at {
                let id: String = row.try_get("person_id")?;
                people.push(
                    PersonId::parse(&id)
                        .map_err(StoreError::from_invalid("manifest_entries", &id))?,
                );
            }
        }
        refuse_breaks(
            &mut transaction,
            crossing,
            on,
            person,
            &GateProposal {
                people: people.clone(),
                change: GateChange::Undo,
            },
        )
        .await?;
        let booking = Booking {
            date: on,
            crossing: crossing.clone(),
        };
        for member in &people {
            expected_again(
                self.backend,
                &mut transaction,
                &booking,
                member,
                reason,
                at,
                actor,
            )
            .await?;
        }
        let bed_held_at = match (undone, recorded_at) {
            (EntryState::TurnedBack | EntryState::NoShow, Some(released_at)) => {
                hold_released_bed_again(&mut transaction, person, undone, released_at, at).await?
            }
            _ => None,
        };
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "gate.undo".to_string(),
                subject: person.to_string(),
                detail: serde_json::json!({
                    "crossing": crossing.as_str(),
                    "date": on.to_string(),
                    "undone": undone.as_str(),
                    "people": people.iter().map(PersonId::as_str).collect::<Vec<_>>(),
                    "bed_held_at": bed_held_at,
                }),
            })
            .await?;
        Ok(GateUndone {
            people,
            undone,
            bed_held_at,
        })
    }

    pub async fn reconciliation(
        &self,
        crossing: &CrossingId,
        on: Date,
    ) -> Result<Reconciliation, StoreError> {
        let mut manifests = Vec::new();
        for direction in Direction::ALL {
            if let Some(manifest) = self.manifest(crossing, on, *direction).await? {
                manifests.push(manifest);
            }
        }
        let rules = CrossingRules::in_force(&self.crossing_rules().await?, crossing, on).cloned();
        Ok(Reconciliation {
            crossing: crossing.clone(),
            date: on,
            manifests,
            rules,
        })
    }
}

/// A party's open manifest entries to close: the people still expected,
/// the state they leave in and the reason (none for a crossing).
pub(super) struct PartyClosing<'a> {
    pub(super) crossing: &'a CrossingId,
    pub(super) date: Date,
    pub(super) people: &'a [PersonId],
    pub(super) state: EntryState,
    pub(super) reason: Option<&'a Reason>,
}

/// Closes a party's open manifest entries and moves each member's status,
/// inside the caller's transaction: crossed without a reason, or taken off
/// the manifest with one — back to the list as cleared, the bed released
/// (`follow_manifest_and_beds`). The gate's outcomes and the calls'
/// declines and cut-off go through here, so that a place freed the night
/// before is freed exactly as a no-show frees it.
pub(super) async fn close_party_in(
    backend: Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    closing: &PartyClosing<'_>,
    at: Timestamp,
    actor: &str,
) -> Result<(), StoreError> {
    let PartyClosing {
        crossing,
        date: on,
        people,
        state,
        reason,
    } = *closing;
    for member in people {
        let query = sqlx::query(
            "UPDATE manifest_entries SET outcome = $1, outcome_at = $2, outcome_by = $3, \
             outcome_reason_kind = $4, outcome_reason_code = $5, outcome_reason_note = $6 \
             WHERE crossing = $7 AND date = $8 AND person_id = $9 AND outcome IS NULL",
        )
        .bind(state.as_str())
        .bind(micros(at))
        .bind(actor.to_string());
        bind_reason(query, reason)
            .bind(crossing.as_str().to_string())
            .bind(on.to_string())
            .bind(member.as_str().to_string())
            .execute(&mut **transaction)
            .await?;
    }
    // The whole party's outcome is recorded before anyone's status
    // moves, so the patient's move finds no companion still expected.
    for member in people {
        let action = match reason {
            None => Action::Cross,
            Some(reason) => Action::Unschedule {
                reason: reason.clone(),
            },
        };
        transition_in(
            backend,
            transaction,
            StatusChange {
                person: member,
                expected_version: None,
                action,
                note: None,
            },
            at,
            actor,
        )
        .await?;
    }
    Ok(())
}

/// Puts one person whose gate outcome is undone back on the manifest's
/// booking, expected at the gate again, with why the outcome was wrong in
/// their history: the step an undo of a party and of one person share.
async fn expected_again(
    backend: Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    booking: &Booking,
    member: &PersonId,
    reason: &Text,
    at: Timestamp,
    actor: &str,
) -> Result<(), StoreError> {
    transition_in(
        backend,
        transaction,
        StatusChange {
            person: member,
            expected_version: None,
            action: Action::UndoGate {
                booking: booking.clone(),
            },
            note: Some(reason.clone()),
        },
        at,
        actor,
    )
    .await?;
    let query = sqlx::query(
        "UPDATE manifest_entries SET outcome = NULL, outcome_at = NULL, outcome_by = NULL, \
         outcome_reason_kind = $1, outcome_reason_code = $2, outcome_reason_note = $3 \
         WHERE crossing = $4 AND date = $5 AND person_id = $6",
    );
    bind_reason(query, None)
        .bind(booking.crossing.as_str().to_string())
        .bind(booking.date.to_string())
        .bind(member.as_str().to_string())
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Holds again the bed that a turn-back or a no-show recorded at
/// `released_at` released, if it is still free: the destination open and
/// the offer it came from not given out meanwhile. Returns the facility, or
/// `None` when no bed was released (a returnee, a patient without one).
async fn hold_released_bed_again(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    person: &PersonId,
    undone: EntryState,
    released_at: i64,
    at: Timestamp,
) -> Result<Option<String>, StoreError> {
    let Some(hold) = sqlx::query(
        "SELECT hold, facility, specialty, offer_from FROM bed_holds \
         WHERE person_id = $1 AND state = $2 AND changed_at = $3",
    )
    .bind(person.as_str().to_string())
    .bind(BedHoldState::Released.as_str())
    .bind(released_at)
    .fetch_optional(&mut **transaction)
    .await?
    else {
        return Ok(None);
    };
    let number: i64 = hold.try_get("hold")?;
    let facility: String = hold.try_get("facility")?;
    let specialty: String = hold.try_get("specialty")?;
    let offer_from: String = hold.try_get("offer_from")?;
    let refused = |why: String| {
        StoreError::Refused(format!(
            "{person} cannot be put back as expected: {why}. The {} outcome stands; \
             plan {person} again for another day",
            undone.as_str()
        ))
    };
    let open = sqlx::query(
        "SELECT f.open AS facility_open, c.open AS country_open FROM facilities f \
         JOIN countries c ON c.code = f.country WHERE f.id = $1",
    )
    .bind(facility.clone())
    .fetch_optional(&mut **transaction)
    .await?
    .ok_or_else(|| StoreError::not_found(Thing::Facility, &facility))?;
    if open.try_get::<i64, _>("facility_open")? == 0 || open.try_get::<i64, _>("country_open")? == 0
    {
        return Err(refused(format!(
            "{facility}, where their bed was, has been closed as a destination since"
        )));
    }
    let beds: Option<i64> = sqlx::query(
        "SELECT beds FROM facility_beds WHERE facility = $1 AND specialty = $2 AND from_date = $3",
    )
    .bind(facility.clone())
    .bind(specialty.clone())
    .bind(offer_from.clone())
    .fetch_optional(&mut **transaction)
    .await?
    .map(|row| row.try_get("beds"))
    .transpose()?;
    let used: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM bed_holds WHERE facility = $1 AND specialty = $2 \
         AND offer_from = $3 AND state <> $4",
    )
    .bind(facility.clone())
    .bind(specialty.clone())
    .bind(offer_from)
    .bind(BedHoldState::Released.as_str())
    .fetch_one(&mut **transaction)
    .await?
    .try_get("n")?;
    if beds.is_none_or(|beds| used >= beds) {
        return Err(refused(format!(
            "the {specialty} bed at {facility} released by the {} has been given to someone else since, \
             and that offer has no free bed left",
            undone.as_str()
        )));
    }
    sqlx::query(
        "UPDATE bed_holds SET state = $1, changed_at = $2 WHERE person_id = $3 AND hold = $4",
    )
    .bind(BedHoldState::Held.as_str())
    .bind(micros(at))
    .bind(person.as_str().to_string())
    .bind(number)
    .execute(&mut **transaction)
    .await?;
    Ok(Some(facility))
}

/// Where a manifest entry's state puts the person at the gate, for the
/// party rules ([`check_gate`]).
fn at_gate(state: EntryState) -> AtGate {
    match state {
        EntryState::Expected => AtGate::Expected,
        EntryState::Crossed => AtGate::Crossed,
        EntryState::TurnedBack => AtGate::TurnedBack,
        EntryState::NoShow => AtGate::NoShow,
        EntryState::Removed | EntryState::Declined | EntryState::Unreachable => AtGate::Off,
    }
}

/// The SQL that reads the people of parties at the gate, in manifest order.
const PARTY_SQL: &str = "SELECT e.person_id, e.party, e.direction, e.outcome, p.role, p.birth_year \
     FROM manifest_entries e JOIN persons p ON p.id = e.person_id \
     WHERE e.crossing = $1 AND e.date = $2";

/// Groups rows read with [`PARTY_SQL`] (in manifest order) into parties.
fn parties_of(rows: &[sqlx::any::AnyRow], on: Date) -> Result<Vec<GateParty>, StoreError> {
    let mut parties: Vec<GateParty> = Vec::new();
    for row in rows {
        let id: String = row.try_get("person_id")?;
        let invalid = StoreError::from_invalid("manifest_entries", &id);
        let party = PersonId::parse(&row.try_get::<String, _>("party")?).map_err(&invalid)?;
        let state = match row.try_get::<Option<String>, _>("outcome")? {
            None => EntryState::Expected,
            Some(text) => EntryState::parse(&text)
                .map_err(|problem| StoreError::corrupt("manifest_entries", &id, problem))?,
        };
        let year = i16::try_from(row.try_get::<i64, _>("birth_year")?)
            .map_err(|_| StoreError::corrupt("persons", &id, "birth year out of range"))?;
        let birth_year = BirthYear::new(year, on).map_err(&invalid)?;
        let member = GateMember {
            id: PersonId::parse(&id).map_err(&invalid)?,
            role: Role::parse(&row.try_get::<String, _>("role")?).map_err(&invalid)?,
            is_child: birth_year.is_child_on(on),
            state: at_gate(state),
        };
        if member.id == party {
            parties.push(GateParty {
                direction: Direction::parse(&row.try_get::<String, _>("direction")?)
                    .map_err(&invalid)?,
                head: member,
                companions: Vec::new(),
            });
        } else if let Some(head) = parties.iter_mut().rev().find(|p| p.head.id == party) {
            head.companions.push(member);
        }
    }
    Ok(parties)
}

/// The party headed by `head` on a confirmed manifest of the day, read in
/// the caller's transaction; `None` when `head` heads none.
async fn party_at_gate(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    crossing: &CrossingId,
    on: Date,
    head: &PersonId,
) -> Result<Option<GateParty>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{PARTY_SQL} AND e.party = $3 ORDER BY e.position"
    )))
    .bind(crossing.as_str().to_string())
    .bind(on.to_string())
    .bind(head.as_str().to_string())
    .fetch_all(&mut **transaction)
    .await?;
    Ok(parties_of(&rows, on)?.into_iter().next())
}

/// Refuses `proposal` for the party headed by `head` when it breaks a rule
/// of the gate ([`check_gate`]), naming every rule broken.
async fn refuse_breaks(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    crossing: &CrossingId,
    on: Date,
    head: &PersonId,
    proposal: &GateProposal,
) -> Result<GateParty, StoreError> {
    let party = party_at_gate(transaction, crossing, on, head)
        .await?
        .ok_or_else(|| {
            StoreError::day_rule(
                DayRule::Gate,
                format!("{head} heads no party on a confirmed manifest of {crossing} on {on}"),
            )
        })?;
    let breaks = check_gate(&party, proposal);
    if breaks.is_empty() {
        return Ok(party);
    }
    let list: Vec<String> = breaks.iter().map(GateBreak::to_string).collect();
    Err(StoreError::day_rule(DayRule::Party, list.join("; ")))
}

/// The head of the party `person` is on at the gate of the day, refusing
/// one that `party` (the head named by the caller) does not head.
async fn check_member_of(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    crossing: &CrossingId,
    on: Date,
    party: &PersonId,
    person: &PersonId,
) -> Result<(), StoreError> {
    let head: Option<String> = sqlx::query(
        "SELECT party FROM manifest_entries WHERE crossing = $1 AND date = $2 AND person_id = $3",
    )
    .bind(crossing.as_str().to_string())
    .bind(on.to_string())
    .bind(person.as_str().to_string())
    .fetch_optional(&mut **transaction)
    .await?
    .map(|row| row.try_get("party"))
    .transpose()?;
    match head {
        Some(head) if head == party.as_str() => Ok(()),
        Some(head) => Err(StoreError::day_rule(
            DayRule::Party,
            format!("{person} travels with {head}, not {party}; name {head}'s party"),
        )),
        None => Err(StoreError::day_rule(
            DayRule::Gate,
            format!("{person} is not on a confirmed manifest of {crossing} on {on}"),
        )),
    }
}

impl Store {
    /// The parties on the day's confirmed manifests as they stand at the
    /// gate (both directions, in manifest order): what the gate page asks
    /// [`GateParty::allows`] about to offer each person's actions.
    pub async fn gate_parties(
        &self,
        crossing: &CrossingId,
        on: Date,
    ) -> Result<Vec<GateParty>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PARTY_SQL} ORDER BY e.direction, e.position"
        )))
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .fetch_all(&self.pool)
        .await?;
        parties_of(&rows, on)
    }

    /// Records what happened at the gate to one person of a patient's
    /// party (`recording.person` names the party, `member` the person): a
    /// companion turned back alone while the patient crosses, a patient
    /// who crosses ahead of the companions. The party's rules
    /// ([`check_gate`]) are checked against the party as it stands, inside
    /// the write transaction. A companion turned back goes back to the
    /// list as cleared, like a turned-back party. One transaction, one
    /// audit entry.
    pub async fn record_gate_member(
        &self,
        recording: &GateRecording,
        member: &PersonId,
        at: Timestamp,
        actor: &str,
    ) -> Result<GateRecord, StoreError> {
        let crossing = &recording.crossing;
        let on = recording.date;
        let outcome = recording.outcome;
        GateOutcome::check_day(on, day_of(at))
            .map_err(|detail| StoreError::day_rule(DayRule::Gate, detail))?;
        let mut transaction = self.write().await?;
        check_member_of(&mut transaction, crossing, on, &recording.person, member).await?;
        let party = party_at_gate(&mut transaction, crossing, on, &recording.person)
            .await?
            .ok_or_else(|| {
                StoreError::day_rule(
                    DayRule::Gate,
                    format!("{} heads no party at {crossing} on {on}", recording.person),
                )
            })?;
        if party.direction == Direction::Inbound {
            // A returnee is a party of one, whose crossing checks luggage.
            drop(transaction);
            return self.record_gate(recording, at, actor).await;
        }
        let reason = gate_reason(member, outcome, recording.reason.as_ref())?;
        refuse_breaks(
            &mut transaction,
            crossing,
            on,
            &recording.person,
            &GateProposal {
                people: vec![member.clone()],
                change: GateChange::Record(outcome),
            },
        )
        .await?;
        let state = EntryState::from(outcome);
        // One member of the party, closed as a whole party is.
        close_party_in(
            self.backend,
            &mut transaction,
            &PartyClosing {
                crossing,
                date: on,
                people: std::slice::from_ref(member),
                state,
                reason: reason.as_ref(),
            },
            at,
            actor,
        )
        .await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "gate.record".to_string(),
                subject: member.to_string(),
                detail: serde_json::json!({
                    "crossing": crossing.as_str(),
                    "date": on.to_string(),
                    "party": recording.person.as_str(),
                    "outcome": outcome.as_str(),
                    "reason": reason_json(reason.as_ref()),
                    "people": [member.as_str()],
                }),
            })
            .await?;
        Ok(GateRecord {
            people: vec![member.clone()],
            state,
        })
    }

    /// Undoes the gate outcome of one person of a party (`undo.person`
    /// names the party, `member` the person), on the crossing day only,
    /// when the party's rules allow it ([`check_gate`]): the person is
    /// expected again, and a patient's bed released by a turn-back or a
    /// no-show is held again. One transaction, one audit entry.
    pub async fn undo_gate_member(
        &self,
        undo: &GateUndo,
        member: &PersonId,
        at: Timestamp,
        actor: &str,
    ) -> Result<GateUndone, StoreError> {
        let GateUndo {
            crossing,
            date: on,
            person: head,
            reason,
        } = undo;
        let on = *on;
        GateOutcome::check_undo_day(on, day_of(at))
            .map_err(|detail| StoreError::day_rule(DayRule::Gate, detail))?;
        let mut transaction = self.write().await?;
        check_member_of(&mut transaction, crossing, on, head, member).await?;
        let party = refuse_breaks(
            &mut transaction,
            crossing,
            on,
            head,
            &GateProposal {
                people: vec![member.clone()],
                change: GateChange::Undo,
            },
        )
        .await?;
        let undone = match party.member(member).map(|m| m.state) {
            Some(AtGate::Crossed) => EntryState::Crossed,
            Some(AtGate::TurnedBack) => EntryState::TurnedBack,
            Some(AtGate::NoShow) => EntryState::NoShow,
            // check_gate refused anything else.
            _ => {
                return Err(StoreError::day_rule(
                    DayRule::Gate,
                    format!("{member} has no gate outcome to undo"),
                ));
            }
        };
        let recorded_at: Option<i64> = sqlx::query(
            "SELECT outcome_at FROM manifest_entries WHERE crossing = $1 AND date = $2 AND person_id = $3",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(member.as_str().to_string())
        .fetch_one(&mut **transaction)
        .await?
        .try_get("outcome_at")?;
        let booking = Booking {
            date: on,
            crossing: crossing.clone(),
        };
        expected_again(
            self.backend,
            &mut transaction,
            &booking,
            member,
            reason,
            at,
            actor,
        )
        .await?;
        let bed_held_at = match (undone, recorded_at) {
            (EntryState::TurnedBack | EntryState::NoShow, Some(released_at)) if member == head => {
                hold_released_bed_again(&mut transaction, member, undone, released_at, at).await?
            }
            _ => None,
        };
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "gate.undo".to_string(),
                subject: member.to_string(),
                detail: serde_json::json!({
                    "crossing": crossing.as_str(),
                    "date": on.to_string(),
                    "party": head.as_str(),
                    "undone": undone.as_str(),
                    "people": [member.as_str()],
                    "bed_held_at": bed_held_at,
                }),
            })
            .await?;
        Ok(GateUndone {
            people: vec![member.clone()],
            undone,
            bed_held_at,
        })
    }
}
