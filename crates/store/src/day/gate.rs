//! The gate: what happened to each party on a confirmed manifest, and the
//! end-of-day reconciliation of plan and outcome.

use corridor_domain::{
    Action, CrossingId, CrossingRules, Direction, GateOutcome, InvalidValue, PersonId, Reason,
    ReasonKind,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use super::luggage::{luggage_violations, read_luggage_rule_sets};
use super::manifest::{Manifest, ManifestEntry};
use crate::audit::NewAuditEntry;
use crate::codec::{bind_reason, micros, reason_json};
use crate::people::transitions::{StatusChange, transition_in};
use crate::{DayRule, Store, StoreError};

/// Where a person on a confirmed manifest stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    Expected,
    Crossed,
    TurnedBack,
    NoShow,
    /// Taken off after confirmation: died, withdrew, or unscheduled by hand.
    Removed,
}

impl EntryState {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryState::Expected => "expected",
            EntryState::Crossed => "crossed",
            EntryState::TurnedBack => "turned-back",
            EntryState::NoShow => "no-show",
            EntryState::Removed => "removed",
        }
    }

    pub(super) fn parse(text: &str) -> Result<EntryState, String> {
        [
            EntryState::Crossed,
            EntryState::TurnedBack,
            EntryState::NoShow,
            EntryState::Removed,
        ]
        .into_iter()
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
            EntryState::Removed => Some(ReasonKind::Unscheduled),
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

    /// The people who go back to the list: turned back, no-show or removed.
    pub fn back_on_the_list(&self) -> Vec<&ManifestEntry> {
        self.manifests
            .iter()
            .flat_map(|m| &m.entries)
            .filter(|e| {
                matches!(
                    e.state,
                    EntryState::TurnedBack | EntryState::NoShow | EntryState::Removed
                )
            })
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
        for member in &people {
            let query = sqlx::query(
                "UPDATE manifest_entries SET outcome = $1, outcome_at = $2, outcome_by = $3, \
                 outcome_reason_kind = $4, outcome_reason_code = $5, outcome_reason_note = $6 \
                 WHERE crossing = $7 AND date = $8 AND person_id = $9 AND outcome IS NULL",
            )
            .bind(state.as_str())
            .bind(micros(at))
            .bind(actor.to_string());
            bind_reason(query, reason.as_ref())
                .bind(crossing.as_str().to_string())
                .bind(on.to_string())
                .bind(member.as_str().to_string())
                .execute(&mut **transaction)
                .await?;
        }
        // The whole party's outcome is recorded before anyone's status
        // moves, so the patient's move finds no companion still expected.
        for member in &people {
            let action = match &reason {
                None => Action::Cross,
                Some(reason) => Action::Unschedule {
                    reason: reason.clone(),
                },
            };
            transition_in(
                self.backend,
                &mut transaction,
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
