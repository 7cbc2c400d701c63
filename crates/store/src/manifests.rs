//! Crossing days: what the planner needs to know, confirmed manifests, the
//! gate, the end-of-day reconciliation, and returnees' luggage.
//!
//! The planner proposes; the store disposes. Confirming a manifest checks
//! every invariant again inside the write transaction — only cleared people,
//! the quota and its caps, companions with their patient, a free bed at an
//! open destination that accepts the patient — so a stale or hand-edited
//! plan can never break them.

use std::collections::HashMap;

use corridor_domain::{
    Action, BirthYear, Booking, Case, CashAmount, CrossingId, CrossingRules, CurrencyCode, DayCap,
    DayRules, DeclaredItem, Direction, FacilityId, GateOutcome, InDay, InvalidValue, ItemCategory,
    LuggageDeclaration, LuggageRuleSet, PersonId, PersonKind, ProposedParty, ProposedPerson, Quota,
    QuotaCategory, Reason, ReasonKind, Role, Specialty, Status, Text, Tier, Violation,
    check_luggage, check_manifest, rule_set_in_force,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use crate::audit::NewAuditEntry;
use crate::codec::{
    ReasonColumns, bind_reason, birth_year, date, micros, read_reason, reason_json, small,
    timestamp,
};
use crate::days::{offer_use, read_crossing_rules, read_luggage_rule_sets, require_crossing};
use crate::people::{insert_cases_in, transition_in};
use crate::reference::read_quotas;
use crate::{DayRule, Store, StoreError, Thing};

/// Everything the planner needs for one crossing day and direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanningInputs {
    pub crossing: CrossingId,
    pub date: Date,
    pub direction: Direction,
    /// Places in the quota in force; 0 when the crossing does not operate.
    pub quota: u32,
    /// Why there are no places at all, when there are none.
    pub closed_reason: Option<String>,
    pub rules: Option<CrossingRules>,
    /// A lower limit than the quota, with its reason (entries = exits).
    pub cap: Option<(u32, String)>,
    /// The manifest for this day and direction is already confirmed.
    pub confirmed: bool,
    pub patients: Vec<CandidatePatient>,
    pub returnees: Vec<CandidateReturnee>,
    pub beds: Vec<FreeBeds>,
    pub next_free_bed: Vec<(Specialty, Date)>,
    pub overrides: Vec<PlanOverride>,
}

impl PlanningInputs {
    /// The rules every manifest of the day keeps: what the planner plans
    /// within and what confirmation checks again.
    pub fn day_rules(&self) -> DayRules {
        day_rules(
            &self.crossing,
            self.date,
            self.direction,
            self.quota,
            self.cap.as_ref(),
            self.rules.as_ref(),
        )
    }
}

/// A cleared patient who is on no manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidatePatient {
    pub id: PersonId,
    pub tier: Tier,
    pub referral_date: Date,
    pub is_child: bool,
    pub specialty: Specialty,
    pub return_guarantee: bool,
    /// Cleared companions, in id order.
    pub companions: Vec<PersonId>,
    /// Companions still waiting for clearance.
    pub companions_not_cleared: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateReturnee {
    pub id: PersonId,
    pub registered_on: Date,
    pub is_child: bool,
}

/// Free beds of one specialty at one open facility on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeBeds {
    pub facility: FacilityId,
    pub specialty: Specialty,
    pub free: u32,
    pub requires_return_guarantee: bool,
}

/// Whether an override puts someone on a plan or keeps them off it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideKind {
    Include,
    Exclude,
}

impl OverrideKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideKind::Include => "include",
            OverrideKind::Exclude => "exclude",
        }
    }

    fn parse(text: &str) -> Result<OverrideKind, String> {
        match text {
            "include" => Ok(OverrideKind::Include),
            "exclude" => Ok(OverrideKind::Exclude),
            other => Err(format!("override kind '{other}'")),
        }
    }
}

/// A coordinator's decision to put someone on a day's plan or keep them off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOverride {
    pub person: PersonId,
    pub kind: OverrideKind,
    pub reason: String,
}

/// A plan to confirm: the parties on it, in manifest order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestDraft {
    pub crossing: CrossingId,
    pub date: Date,
    pub direction: Direction,
    /// How the plan was made, e.g. "optimal".
    pub method: String,
    pub objective: u64,
    pub notes: Vec<String>,
    pub parties: Vec<DraftParty>,
}

/// A patient with the companions who travel with them, or a returnee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftParty {
    pub person: PersonId,
    pub companions: Vec<PersonId>,
    /// Where an outbound patient is received.
    pub facility: Option<FacilityId>,
    pub reason: String,
}

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

    fn parse(text: &str) -> Result<EntryState, String> {
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
    fn reason_kind(self) -> Option<ReasonKind> {
        match self {
            EntryState::Expected | EntryState::Crossed => None,
            EntryState::TurnedBack => Some(ReasonKind::TurnedBack),
            EntryState::NoShow => Some(ReasonKind::NoShow),
            EntryState::Removed => Some(ReasonKind::Unscheduled),
        }
    }
}

/// Where a manifest entry keeps the reason of its outcome.
const OUTCOME_REASON: ReasonColumns = ReasonColumns {
    kind: Some("outcome_reason_kind"),
    code: "outcome_reason_code",
    note: "outcome_reason_note",
    legacy: "outcome_reason",
};

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    pub person: PersonId,
    pub role: Role,
    pub party: PersonId,
    pub facility: Option<FacilityId>,
    pub reason: String,
    pub state: EntryState,
    /// Why the person did not cross, with its note: personal, for the
    /// person's record; lists and reports show the code only.
    pub state_reason: Option<Reason>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub crossing: CrossingId,
    pub date: Date,
    pub direction: Direction,
    pub method: String,
    pub places: u32,
    pub objective: u64,
    pub notes: Vec<String>,
    pub confirmed_at: Timestamp,
    pub confirmed_by: String,
    pub entries: Vec<ManifestEntry>,
}

impl Manifest {
    pub fn count(&self, state: EntryState) -> usize {
        self.entries.iter().filter(|e| e.state == state).count()
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

/// The result of recording an outcome at the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateRecord {
    /// The party: the patient (or returnee) first, then companions.
    pub people: Vec<PersonId>,
    pub state: EntryState,
}

impl Store {
    pub async fn planning_inputs(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
    ) -> Result<PlanningInputs, StoreError> {
        let mut connection = self.pool.acquire().await?;
        let day = day_limits(&mut connection, crossing, on, direction).await?;
        let confirmed = manifest_exists(&mut connection, crossing, on, direction).await?;
        let mut inputs = PlanningInputs {
            crossing: crossing.clone(),
            date: on,
            direction,
            quota: day.quota,
            closed_reason: day.closed_reason,
            rules: day.rules,
            cap: day.cap,
            confirmed,
            patients: Vec::new(),
            returnees: Vec::new(),
            beds: Vec::new(),
            next_free_bed: Vec::new(),
            overrides: Vec::new(),
        };
        match direction {
            Direction::Outbound => {
                inputs.patients = cleared_patients(&mut connection, on).await?;
                drop(connection);
                inputs.beds = self
                    .bed_board(on)
                    .await?
                    .into_iter()
                    .filter(|line| line.free() > 0)
                    .map(|line| FreeBeds {
                        free: line.free(),
                        facility: line.facility,
                        specialty: line.specialty,
                        requires_return_guarantee: line.requires_return_guarantee,
                    })
                    .collect();
                inputs.next_free_bed = self.next_free_beds(on).await?;
            }
            Direction::Inbound => {
                inputs.returnees = cleared_returnees(&mut connection, on).await?;
                drop(connection);
            }
        }
        inputs.overrides = self.plan_overrides(crossing, on, direction).await?;
        Ok(inputs)
    }

    pub async fn plan_overrides(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
    ) -> Result<Vec<PlanOverride>, StoreError> {
        let mut overrides = Vec::new();
        for row in sqlx::query(
            "SELECT person_id, kind, reason FROM plan_overrides \
             WHERE crossing = $1 AND date = $2 AND direction = $3 ORDER BY at, person_id",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .fetch_all(&self.pool)
        .await?
        {
            let person: String = row.try_get("person_id")?;
            let invalid = StoreError::from_invalid("plan_overrides", &person);
            overrides.push(PlanOverride {
                person: PersonId::parse(&person).map_err(&invalid)?,
                kind: OverrideKind::parse(&row.try_get::<String, _>("kind")?)
                    .map_err(|problem| StoreError::corrupt("plan_overrides", &person, problem))?,
                reason: row.try_get("reason")?,
            });
        }
        Ok(overrides)
    }

    /// Records a coordinator's override for a day's plan (replacing an
    /// earlier one for the same person), or withdraws it with `kind: None`.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_plan_override(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
        person: &PersonId,
        kind: Option<OverrideKind>,
        reason: &Text,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        require_crossing(&mut transaction, crossing).await?;
        if manifest_exists(&mut transaction, crossing, on, direction).await? {
            return Err(StoreError::AlreadyConfirmed {
                crossing: crossing.to_string(),
                on,
                direction,
            });
        }
        let role: Option<String> = sqlx::query("SELECT role FROM persons WHERE id = $1")
            .bind(person.as_str().to_string())
            .fetch_optional(&mut **transaction)
            .await?
            .map(|row| row.try_get("role"))
            .transpose()?;
        match role.as_deref() {
            None => return Err(StoreError::not_found(Thing::Person, person)),
            Some("companion") => {
                return Err(StoreError::day_rule(
                    DayRule::Party,
                    format!(
                        "{person} is a companion and travels with their patient; add or remove the patient"
                    ),
                ));
            }
            Some(_) => {}
        }
        sqlx::query(
            "DELETE FROM plan_overrides WHERE crossing = $1 AND date = $2 AND direction = $3 \
             AND person_id = $4",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .bind(person.as_str().to_string())
        .execute(&mut **transaction)
        .await?;
        if let Some(kind) = kind {
            sqlx::query(
                "INSERT INTO plan_overrides (crossing, date, direction, person_id, kind, reason, at, actor) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(crossing.as_str().to_string())
            .bind(on.to_string())
            .bind(direction.as_str())
            .bind(person.as_str().to_string())
            .bind(kind.as_str())
            .bind(reason.as_str().to_string())
            .bind(micros(at))
            .bind(actor.to_string())
            .execute(&mut **transaction)
            .await
            .map_err(|error| {
                StoreError::from(error).on_violation("plan_overrides_pkey", || {
                    StoreError::ChangedMeanwhile(format!(
                        "the override of {person} on the {direction} plan of {crossing} on {on}"
                    ))
                })
            })?;
        }
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "plan.override".to_string(),
                subject: person.to_string(),
                detail: serde_json::json!({
                    "crossing": crossing.as_str(),
                    "date": on.to_string(),
                    "direction": direction.as_str(),
                    "kind": kind.map_or("withdrawn", OverrideKind::as_str),
                    "reason": reason.as_str(),
                }),
            })
            .await?;
        Ok(())
    }

    /// Confirms a day's manifest: schedules everyone on it and holds their
    /// beds, in one transaction, after checking every rule again.
    pub async fn confirm_manifest(
        &self,
        draft: &ManifestDraft,
        at: Timestamp,
        actor: &str,
    ) -> Result<Manifest, StoreError> {
        match self.write_manifest(draft, at, actor).await {
            Ok(manifest) => Ok(manifest),
            Err(error) => Err(self
                .confirmation_refused(error, &draft.crossing, draft.date, draft.direction)
                .await),
        }
    }

    /// What a refused confirmation of a day answers. Two confirmations of
    /// one day at the same moment both find it unconfirmed on PostgreSQL;
    /// the later one then meets what the first wrote — the unique indexes
    /// on manifests, open entries and held beds, a person's new version or
    /// status, or no one left to plan — and is answered as a second
    /// confirmation is: the day is already confirmed. A unique index met
    /// otherwise means a person or bed of the plan was taken meanwhile.
    pub(crate) async fn confirmation_refused(
        &self,
        error: StoreError,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
    ) -> StoreError {
        if matches!(error, StoreError::AlreadyConfirmed { .. }) {
            return error;
        }
        let confirmed = match self.pool.acquire().await {
            Ok(mut connection) => manifest_exists(&mut connection, crossing, on, direction).await,
            Err(error) => Err(error.into()),
        };
        match confirmed {
            Ok(true) => StoreError::AlreadyConfirmed {
                crossing: crossing.to_string(),
                on,
                direction,
            },
            Ok(false)
                if [
                    "manifests_pkey",
                    "manifest_entries_one_open",
                    "bed_holds_one_held",
                ]
                .iter()
                .any(|index| error.violates(index)) =>
            {
                StoreError::ChangedMeanwhile(format!(
                    "a person or a bed on the {direction} plan of {crossing} on {on}"
                ))
            }
            _ => error,
        }
    }

    pub(crate) async fn write_manifest(
        &self,
        draft: &ManifestDraft,
        at: Timestamp,
        actor: &str,
    ) -> Result<Manifest, StoreError> {
        let crossing = &draft.crossing;
        let on = draft.date;
        let direction = draft.direction;
        let mut transaction = self.write().await?;
        require_crossing(&mut transaction, crossing).await?;
        if manifest_exists(&mut transaction, crossing, on, direction).await? {
            return Err(StoreError::AlreadyConfirmed {
                crossing: crossing.to_string(),
                on,
                direction,
            });
        }
        let day = day_limits(&mut transaction, crossing, on, direction).await?;
        if let Some(reason) = &day.closed_reason {
            return Err(StoreError::day_rule(DayRule::Places, reason.clone()));
        }
        let rules = day.day_rules(crossing, on, direction);
        let places = rules.places();
        let mut heads = Vec::with_capacity(draft.parties.len());
        let mut proposal = Vec::with_capacity(draft.parties.len());
        for party in &draft.parties {
            let head = read_person_facts(&mut transaction, &party.person).await?;
            let mut companions = Vec::with_capacity(party.companions.len());
            for companion in &party.companions {
                let facts = read_person_facts(&mut transaction, companion).await?;
                companions.push(facts.proposed(companion, on));
            }
            proposal.push(ProposedParty {
                head: head.proposed(&party.person, on),
                companions,
                facility: party.facility.clone(),
            });
            heads.push(head);
        }
        let breaks = check_manifest(&rules, &proposal);
        if !breaks.is_empty() {
            let list: Vec<String> = breaks
                .iter()
                .map(|rule_break| InDay(&rules, rule_break).to_string())
                .collect();
            return Err(StoreError::day_rule(DayRule::Places, list.join("; ")));
        }
        let booking = Booking {
            date: on,
            crossing: crossing.clone(),
        };
        let note = Text::parse(
            "note",
            &format!("manifest {crossing} {on} {direction}"),
            200,
        )
        .expect("a manifest note is short and plain");
        let mut used = offer_use(&mut **transaction).await?;
        let mut position = 0i64;
        for (party, head) in draft.parties.iter().zip(&heads) {
            let facility = match (head.role, &party.facility) {
                (Role::Patient, Some(facility)) => {
                    let specialty = head.specialty.ok_or_else(|| {
                        StoreError::corrupt(
                            "persons",
                            party.person.as_str(),
                            "patient without specialty",
                        )
                    })?;
                    hold_bed(
                        &mut transaction,
                        &mut used,
                        &party.person,
                        facility,
                        specialty,
                        head.return_guarantee,
                        on,
                        at,
                    )
                    .await?;
                    Some(facility)
                }
                _ => None,
            };
            for person in std::iter::once(&party.person).chain(&party.companions) {
                transition_in(
                    self.backend,
                    &mut transaction,
                    person,
                    None,
                    Action::Schedule {
                        booking: booking.clone(),
                    },
                    Some(note.clone()),
                    at,
                    actor,
                )
                .await?;
                position += 1;
                sqlx::query(
                    "INSERT INTO manifest_entries (crossing, date, direction, person_id, party, \
                     position, facility, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(crossing.as_str().to_string())
                .bind(on.to_string())
                .bind(direction.as_str())
                .bind(person.as_str().to_string())
                .bind(party.person.as_str().to_string())
                .bind(position)
                .bind(facility.map(|f| f.as_str().to_string()))
                .bind(party.reason.clone())
                .execute(&mut **transaction)
                .await?;
            }
        }
        sqlx::query(
            "INSERT INTO manifests (crossing, date, direction, method, places, objective, notes, \
             confirmed_at, confirmed_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .bind(draft.method.clone())
        .bind(i64::from(places))
        .bind(i64::try_from(draft.objective).unwrap_or(i64::MAX))
        .bind(draft.notes.join("\n"))
        .bind(micros(at))
        .bind(actor.to_string())
        .execute(&mut **transaction)
        .await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "manifest.confirm".to_string(),
                subject: format!("{crossing} {on} {direction}"),
                detail: serde_json::json!({
                    "method": draft.method,
                    "places": places,
                    "people": draft.parties.iter().map(|p| serde_json::json!({
                        "person": p.person.as_str(),
                        "companions": p.companions.iter().map(PersonId::as_str).collect::<Vec<_>>(),
                        "facility": p.facility.as_ref().map(FacilityId::as_str),
                    })).collect::<Vec<_>>(),
                }),
            })
            .await?;
        self.manifest(crossing, on, direction)
            .await?
            .ok_or_else(|| {
                StoreError::corrupt(
                    "manifests",
                    format!("{crossing} {on} {direction}"),
                    "the manifest vanished after commit",
                )
            })
    }

    pub async fn manifest(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
    ) -> Result<Option<Manifest>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT method, places, objective, notes, confirmed_at, confirmed_by FROM manifests \
             WHERE crossing = $1 AND date = $2 AND direction = $3",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let key = format!("{crossing} {on} {direction}");
        let notes: String = row.try_get("notes")?;
        let mut manifest = Manifest {
            crossing: crossing.clone(),
            date: on,
            direction,
            method: row.try_get("method")?,
            places: small("manifests", &key, row.try_get("places")?)?,
            objective: u64::try_from(row.try_get::<i64, _>("objective")?).unwrap_or(0),
            notes: notes
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            confirmed_at: timestamp("manifests", &key, row.try_get("confirmed_at")?)?,
            confirmed_by: row.try_get("confirmed_by")?,
            entries: Vec::new(),
        };
        for row in sqlx::query(
            "SELECT e.person_id, p.role, e.party, e.facility, e.reason, e.outcome, e.outcome_reason, \
             e.outcome_reason_kind, e.outcome_reason_code, e.outcome_reason_note \
             FROM manifest_entries e JOIN persons p ON p.id = e.person_id \
             WHERE e.crossing = $1 AND e.date = $2 AND e.direction = $3 ORDER BY e.position",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .fetch_all(&self.pool)
        .await?
        {
            let person: String = row.try_get("person_id")?;
            let invalid = StoreError::from_invalid("manifest_entries", &person);
            let state = match row.try_get::<Option<String>, _>("outcome")? {
                None => EntryState::Expected,
                Some(state) => EntryState::parse(&state)
                    .map_err(|problem| StoreError::corrupt("manifest_entries", &person, problem))?,
            };
            manifest.entries.push(ManifestEntry {
                person: PersonId::parse(&person).map_err(&invalid)?,
                role: Role::parse(&row.try_get::<String, _>("role")?).map_err(&invalid)?,
                party: PersonId::parse(&row.try_get::<String, _>("party")?).map_err(&invalid)?,
                facility: row
                    .try_get::<Option<String>, _>("facility")?
                    .map(|f| FacilityId::parse(&f))
                    .transpose()
                    .map_err(&invalid)?,
                reason: row.try_get("reason")?,
                state,
                state_reason: match state.reason_kind() {
                    Some(kind) => read_reason(
                        &row,
                        &OUTCOME_REASON,
                        "manifest_entries",
                        &person,
                        kind,
                    )?,
                    None => None,
                },
            });
        }
        Ok(Some(manifest))
    }

    /// Records what happened at the gate to a patient's party (the patient
    /// and the companions with them) or to a returnee. A returnee crosses
    /// only with a luggage declaration that keeps the rules in force.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_gate(
        &self,
        crossing: &CrossingId,
        on: Date,
        person: &PersonId,
        outcome: GateOutcome,
        reason: Option<&Reason>,
        at: Timestamp,
        actor: &str,
    ) -> Result<GateRecord, StoreError> {
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
                member,
                None,
                action,
                None,
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

    /// Registers a returnee with their luggage declaration, in one transaction.
    pub async fn register_returnee(
        &self,
        case: &Case,
        declaration: &LuggageDeclaration,
        audit: &NewAuditEntry,
    ) -> Result<(), StoreError> {
        if !matches!(case.person.kind, PersonKind::Returnee { .. }) {
            return Err(StoreError::invalid(
                "role",
                format!("{} is not registered as a returnee", case.person.id),
            ));
        }
        let mut transaction = self.write().await?;
        insert_cases_in(
            self.backend,
            &mut transaction,
            std::slice::from_ref(case),
            &mut |_| {},
        )
        .await?;
        write_declaration(
            &mut transaction,
            &case.person.id,
            declaration,
            audit.at,
            &audit.actor,
        )
        .await?;
        transaction.commit(audit).await?;
        Ok(())
    }

    /// Replaces a returnee's luggage declaration.
    pub async fn declare_luggage(
        &self,
        person: &PersonId,
        declaration: &LuggageDeclaration,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        let role: String = sqlx::query("SELECT role FROM persons WHERE id = $1")
            .bind(person.as_str().to_string())
            .fetch_optional(&mut **transaction)
            .await?
            .ok_or_else(|| StoreError::not_found(Thing::Person, person))?
            .try_get("role")?;
        if role != Role::Returnee.as_str() {
            return Err(StoreError::day_rule(
                DayRule::Luggage,
                format!("{person} is a {role}; luggage is declared by returnees"),
            ));
        }
        write_declaration(&mut transaction, person, declaration, at, actor).await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "luggage.declare".to_string(),
                subject: person.to_string(),
                detail: declaration_json(declaration),
            })
            .await?;
        Ok(())
    }

    pub async fn luggage_declaration(
        &self,
        person: &PersonId,
    ) -> Result<Option<LuggageDeclaration>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        read_declaration(&mut connection, person).await
    }

    /// Checks a returnee's declaration against the rules in force on a
    /// crossing on a date. `None` when no rule set is in force.
    pub async fn check_luggage_of(
        &self,
        person: &PersonId,
        crossing: &CrossingId,
        on: Date,
    ) -> Result<Option<(LuggageRuleSet, Vec<Violation>)>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        let sets = read_luggage_rule_sets(&mut connection).await?;
        let Some(set) = rule_set_in_force(&sets, crossing, on) else {
            return Ok(None);
        };
        let violations = luggage_violations(&mut connection, &sets, crossing, on, person).await?;
        Ok(Some((set.clone(), violations)))
    }
}

struct DayLimits {
    quota: u32,
    closed_reason: Option<String>,
    rules: Option<CrossingRules>,
    cap: Option<(u32, String)>,
}

impl DayLimits {
    fn day_rules(&self, crossing: &CrossingId, on: Date, direction: Direction) -> DayRules {
        day_rules(
            crossing,
            on,
            direction,
            self.quota,
            self.cap.as_ref(),
            self.rules.as_ref(),
        )
    }
}

/// The manifest rules of a day, from its quota, cap and crossing rules.
fn day_rules(
    crossing: &CrossingId,
    on: Date,
    direction: Direction,
    quota: u32,
    cap: Option<&(u32, String)>,
    rules: Option<&CrossingRules>,
) -> DayRules {
    DayRules {
        crossing: crossing.clone(),
        date: on,
        direction,
        quota,
        cap: cap.map(|(places, reason)| DayCap {
            places: *places,
            reason: reason.clone(),
        }),
        max_companions: DayRules::companions_allowed(rules),
    }
}

/// The quota, rules and caps of a crossing day in one direction.
async fn day_limits(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
    direction: Direction,
) -> Result<DayLimits, StoreError> {
    let row = sqlx::query("SELECT operating_days, directions FROM crossings WHERE id = $1")
        .bind(crossing.as_str().to_string())
        .fetch_optional(&mut *connection)
        .await?
        .ok_or_else(|| StoreError::not_found(Thing::Crossing, crossing))?;
    let invalid = StoreError::from_invalid("crossings", crossing.as_str());
    let days = corridor_domain::WeekdaySet::parse(&row.try_get::<String, _>("operating_days")?)
        .map_err(&invalid)?;
    let directions: String = row.try_get("directions")?;
    let category = QuotaCategory::of(direction);
    let quotas = read_quotas(connection).await?;
    let quota_in_force = Quota::in_force(&quotas, crossing, direction, category, on);
    let mut closed_reason = None;
    let mut quota = 0;
    if !directions.split(',').any(|d| d == direction.as_str()) {
        closed_reason = Some(format!("{crossing} does not operate {direction}"));
    } else if !days.operates_on(on) {
        closed_reason = Some(format!(
            "{crossing} does not operate on {:?} {on} (it operates on {days})",
            on.weekday()
        ));
    } else if let Some(in_force) = quota_in_force {
        quota = in_force.per_day;
    } else {
        closed_reason = Some(format!(
            "{crossing} has no {category} quota {direction} in force on {on}"
        ));
    }
    let all_rules = read_crossing_rules(connection).await?;
    let rules = CrossingRules::in_force(&all_rules, crossing, on).cloned();
    let mut cap = None;
    if direction == Direction::Outbound && rules.as_ref().is_some_and(|r| r.entries_equal_exits) {
        let inbound: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM manifest_entries WHERE crossing = $1 AND date = $2 \
             AND direction = 'inbound' AND (outcome IS NULL OR outcome = 'crossed')",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .fetch_one(&mut *connection)
        .await?
        .try_get("n")?;
        let inbound = small("manifest_entries", crossing.as_str(), inbound)?;
        let confirmed = manifest_exists(connection, crossing, on, Direction::Inbound).await?;
        let reason = if confirmed {
            format!(
                "entries must equal exits: {inbound} people are on the confirmed inbound manifest of {on}"
            )
        } else {
            format!(
                "entries must equal exits, and no inbound manifest is confirmed for {on} yet: plan and confirm the inbound day first"
            )
        };
        cap = Some((inbound, reason));
    }
    Ok(DayLimits {
        quota,
        closed_reason,
        rules,
        cap,
    })
}

async fn manifest_exists(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
    direction: Direction,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "SELECT 1 AS one FROM manifests WHERE crossing = $1 AND date = $2 AND direction = $3",
    )
    .bind(crossing.as_str().to_string())
    .bind(on.to_string())
    .bind(direction.as_str())
    .fetch_optional(&mut *connection)
    .await?
    .is_some())
}

async fn cleared_patients(
    connection: &mut sqlx::AnyConnection,
    on: Date,
) -> Result<Vec<CandidatePatient>, StoreError> {
    let mut companions: HashMap<String, (Vec<PersonId>, u32)> = HashMap::new();
    for row in sqlx::query(
        "SELECT c.id, c.companion_of, c.status FROM persons c JOIN persons p ON p.id = c.companion_of \
         WHERE c.role = 'companion' AND p.role = 'patient' AND p.status = 'cleared' ORDER BY c.id",
    )
    .fetch_all(&mut *connection)
    .await?
    {
        let id: String = row.try_get("id")?;
        let invalid = StoreError::from_invalid("persons", &id);
        let status = Status::parse(&row.try_get::<String, _>("status")?).map_err(&invalid)?;
        let entry = companions
            .entry(row.try_get("companion_of")?)
            .or_default();
        if status == Status::Cleared {
            entry.0.push(PersonId::parse(&id).map_err(&invalid)?);
        } else if status.is_waiting() {
            entry.1 += 1;
        }
    }
    let mut patients = Vec::new();
    for row in sqlx::query(
        "SELECT id, tier, referral_date, birth_year, specialty, return_guarantee FROM persons \
         WHERE role = 'patient' AND status = 'cleared'",
    )
    .fetch_all(&mut *connection)
    .await?
    {
        let id: String = row.try_get("id")?;
        let invalid = StoreError::from_invalid("persons", &id);
        let (cleared, not_cleared) = companions.remove(&id).unwrap_or_default();
        patients.push(CandidatePatient {
            tier: Tier::parse(&row.try_get::<String, _>("tier")?).map_err(&invalid)?,
            referral_date: date("persons", &id, &row.try_get::<String, _>("referral_date")?)?,
            is_child: birth_year(&row, &id)?.is_child_on(on),
            specialty: Specialty::parse(&row.try_get::<String, _>("specialty")?)
                .map_err(&invalid)?,
            return_guarantee: row
                .try_get::<Option<i64>, _>("return_guarantee")?
                .unwrap_or(0)
                != 0,
            companions: cleared,
            companions_not_cleared: not_cleared,
            id: PersonId::parse(&id).map_err(&invalid)?,
        });
    }
    Ok(patients)
}

async fn cleared_returnees(
    connection: &mut sqlx::AnyConnection,
    on: Date,
) -> Result<Vec<CandidateReturnee>, StoreError> {
    let mut returnees = Vec::new();
    for row in sqlx::query(
        "SELECT id, birth_year, registered_at FROM persons WHERE role = 'returnee' AND status = 'cleared'",
    )
    .fetch_all(&mut *connection)
    .await?
    {
        let id: String = row.try_get("id")?;
        let registered_at = timestamp("persons", &id, row.try_get("registered_at")?)?;
        returnees.push(CandidateReturnee {
            registered_on: jiff::tz::Offset::UTC.to_datetime(registered_at).date(),
            is_child: birth_year(&row, &id)?.is_child_on(on),
            id: PersonId::parse(&id).map_err(StoreError::from_invalid("persons", &id))?,
        });
    }
    Ok(returnees)
}

struct PersonFacts {
    role: Role,
    birth_year: BirthYear,
    companion_of: Option<PersonId>,
    specialty: Option<Specialty>,
    return_guarantee: bool,
}

impl PersonFacts {
    /// The facts the manifest rules look at, on the day of crossing.
    fn proposed(&self, id: &PersonId, on: Date) -> ProposedPerson {
        ProposedPerson {
            id: id.clone(),
            role: self.role,
            is_child: self.birth_year.is_child_on(on),
            companion_of: self.companion_of.clone(),
        }
    }
}

async fn read_person_facts(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    person: &PersonId,
) -> Result<PersonFacts, StoreError> {
    let row = sqlx::query(
        "SELECT role, birth_year, companion_of, specialty, return_guarantee FROM persons \
         WHERE id = $1",
    )
    .bind(person.as_str().to_string())
    .fetch_optional(&mut **transaction)
    .await?
    .ok_or_else(|| StoreError::not_found(Thing::Person, person))?;
    let invalid = StoreError::from_invalid("persons", person.as_str());
    Ok(PersonFacts {
        role: Role::parse(&row.try_get::<String, _>("role")?).map_err(&invalid)?,
        birth_year: birth_year(&row, person.as_str())?,
        companion_of: row
            .try_get::<Option<String>, _>("companion_of")?
            .map(|id| PersonId::parse(&id))
            .transpose()
            .map_err(&invalid)?,
        specialty: row
            .try_get::<Option<String>, _>("specialty")?
            .map(|s| Specialty::parse(&s))
            .transpose()
            .map_err(&invalid)?,
        return_guarantee: row
            .try_get::<Option<i64>, _>("return_guarantee")?
            .unwrap_or(0)
            != 0,
    })
}

/// Holds a bed for a patient arriving on `on`: from the offer covering the
/// date that ends first, at an open destination that accepts them.
#[allow(clippy::too_many_arguments)]
async fn hold_bed(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    used: &mut HashMap<(String, String, String), (u32, u32)>,
    person: &PersonId,
    facility: &FacilityId,
    specialty: Specialty,
    return_guarantee: bool,
    on: Date,
    at: Timestamp,
) -> Result<(), StoreError> {
    let row = sqlx::query(
        "SELECT f.open AS facility_open, f.requires_return_guarantee, c.open AS country_open, c.code \
         FROM facilities f JOIN countries c ON c.code = f.country WHERE f.id = $1",
    )
    .bind(facility.as_str().to_string())
    .fetch_optional(&mut **transaction)
    .await?
    .ok_or_else(|| StoreError::not_found(Thing::Facility, facility))?;
    if row.try_get::<i64, _>("facility_open")? == 0 {
        return Err(StoreError::day_rule(
            DayRule::Destination,
            format!("{facility} is closed and receives no one; plan {person} elsewhere"),
        ));
    }
    if row.try_get::<i64, _>("country_open")? == 0 {
        let code: String = row.try_get("code")?;
        return Err(StoreError::day_rule(
            DayRule::Destination,
            format!(
                "{code} is closed as a destination, so {facility} receives no one; plan {person} elsewhere"
            ),
        ));
    }
    if row.try_get::<i64, _>("requires_return_guarantee")? != 0 && !return_guarantee {
        return Err(StoreError::day_rule(
            DayRule::Destination,
            format!(
                "{facility} receives only patients with a return guarantee, and {person}'s referral has none"
            ),
        ));
    }
    let offers = sqlx::query(
        "SELECT beds, from_date FROM facility_beds WHERE facility = $1 AND specialty = $2 \
         AND from_date <= $3 AND to_date >= $3 ORDER BY to_date, from_date",
    )
    .bind(facility.as_str().to_string())
    .bind(specialty.as_str())
    .bind(on.to_string())
    .fetch_all(&mut **transaction)
    .await?;
    for offer in offers {
        let from: String = offer.try_get("from_date")?;
        let beds = small("facility_beds", facility.as_str(), offer.try_get("beds")?)?;
        let key = (
            facility.as_str().to_string(),
            specialty.as_str().to_string(),
            from.clone(),
        );
        let (held, consumed) = used.get(&key).copied().unwrap_or((0, 0));
        if held + consumed >= beds {
            continue;
        }
        sqlx::query(
            "INSERT INTO bed_holds (person_id, hold, facility, specialty, offer_from, arrival_date, \
             state, held_at, changed_at) VALUES ($1, \
             (SELECT COALESCE(MAX(hold), 0) + 1 FROM bed_holds WHERE person_id = $1), \
             $2, $3, $4, $5, 'held', $6, $6)",
        )
        .bind(person.as_str().to_string())
        .bind(facility.as_str().to_string())
        .bind(specialty.as_str())
        .bind(from)
        .bind(on.to_string())
        .bind(micros(at))
        .execute(&mut **transaction)
        .await?;
        used.entry(key).or_default().0 += 1;
        return Ok(());
    }
    Err(StoreError::day_rule(
        DayRule::Destination,
        format!(
            "{facility} has no free {specialty} bed on {on} for {person}; plan again to see the beds now free"
        ),
    ))
}

async fn luggage_violations(
    connection: &mut sqlx::AnyConnection,
    sets: &[LuggageRuleSet],
    crossing: &CrossingId,
    on: Date,
    person: &PersonId,
) -> Result<Vec<Violation>, StoreError> {
    let Some(set) = rule_set_in_force(sets, crossing, on) else {
        return Ok(Vec::new());
    };
    let declaration = read_declaration(connection, person).await?.ok_or_else(|| {
        StoreError::day_rule(
            DayRule::Luggage,
            format!("{person} has no luggage declaration; record one (an empty one if they carry nothing)"),
        )
    })?;
    Ok(check_luggage(set, &declaration))
}

async fn write_declaration(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    person: &PersonId,
    declaration: &LuggageDeclaration,
    at: Timestamp,
    actor: &str,
) -> Result<(), StoreError> {
    for table in ["luggage_lines", "luggage_declarations"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE person_id = $1"
        )))
        .bind(person.as_str().to_string())
        .execute(&mut **transaction)
        .await?;
    }
    sqlx::query(
        "INSERT INTO luggage_declarations (person_id, pieces, weight_grams, medication_days, \
         declared_at, declared_by) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(person.as_str().to_string())
    .bind(i64::from(declaration.pieces))
    .bind(i64::from(declaration.weight_grams))
    .bind(i64::from(declaration.medication_days))
    .bind(micros(at))
    .bind(actor.to_string())
    .execute(&mut **transaction)
    .await
    .map_err(|error| {
        StoreError::from(error).on_violation("luggage_declarations_pkey", || {
            StoreError::ChangedMeanwhile(format!("the luggage declaration of {person}"))
        })
    })?;
    for line in declaration_lines(person, declaration) {
        sqlx::query(
            "INSERT INTO luggage_lines (person_id, position, kind, category, description, quantity) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(line.person)
        .bind(line.position)
        .bind(line.kind)
        .bind(line.category)
        .bind(line.description)
        .bind(line.quantity)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// One row of `luggage_lines`: an item, or cash in one currency.
pub(crate) struct DeclarationLine {
    pub(crate) person: String,
    pub(crate) position: i64,
    pub(crate) kind: &'static str,
    pub(crate) category: String,
    pub(crate) description: Option<String>,
    pub(crate) quantity: i64,
}

pub(crate) fn declaration_lines(
    person: &PersonId,
    declaration: &LuggageDeclaration,
) -> Vec<DeclarationLine> {
    let items = declaration.items.iter().map(|item| {
        (
            "item",
            item.category.as_str().to_string(),
            item.description.as_ref().map(|d| d.as_str().to_string()),
            item.quantity,
        )
    });
    let cash = declaration.cash.iter().map(|cash| {
        (
            "cash",
            cash.currency.as_str().to_string(),
            None,
            cash.amount,
        )
    });
    items
        .chain(cash)
        .enumerate()
        .map(
            |(position, (kind, category, description, quantity))| DeclarationLine {
                person: person.as_str().to_string(),
                position: position as i64,
                kind,
                category,
                description,
                quantity: i64::from(quantity),
            },
        )
        .collect()
}

async fn read_declaration(
    connection: &mut sqlx::AnyConnection,
    person: &PersonId,
) -> Result<Option<LuggageDeclaration>, StoreError> {
    let key = person.as_str();
    let Some(row) = sqlx::query(
        "SELECT pieces, weight_grams, medication_days FROM luggage_declarations WHERE person_id = $1",
    )
    .bind(key.to_string())
    .fetch_optional(&mut *connection)
    .await?
    else {
        return Ok(None);
    };
    let invalid = StoreError::from_invalid("luggage_lines", key);
    let mut declaration = LuggageDeclaration {
        pieces: small("luggage_declarations", key, row.try_get("pieces")?)?,
        weight_grams: small("luggage_declarations", key, row.try_get("weight_grams")?)?,
        medication_days: small("luggage_declarations", key, row.try_get("medication_days")?)?,
        ..LuggageDeclaration::default()
    };
    for line in sqlx::query(
        "SELECT kind, category, description, quantity FROM luggage_lines WHERE person_id = $1 \
         ORDER BY position",
    )
    .bind(key.to_string())
    .fetch_all(&mut *connection)
    .await?
    {
        let kind: String = line.try_get("kind")?;
        let category: String = line.try_get("category")?;
        let quantity = small("luggage_lines", key, line.try_get("quantity")?)?;
        if kind == "cash" {
            declaration.cash.push(CashAmount {
                currency: CurrencyCode::parse(&category).map_err(&invalid)?,
                amount: quantity,
            });
        } else {
            declaration.items.push(DeclaredItem {
                category: ItemCategory::parse(&category).map_err(&invalid)?,
                description: line
                    .try_get::<Option<String>, _>("description")?
                    .map(|d| Text::parse("description", &d, 200))
                    .transpose()
                    .map_err(&invalid)?,
                quantity,
            });
        }
    }
    Ok(Some(declaration))
}

fn declaration_json(declaration: &LuggageDeclaration) -> serde_json::Value {
    serde_json::json!({
        "pieces": declaration.pieces,
        "weight_grams": declaration.weight_grams,
        "medication_days": declaration.medication_days,
        "items": declaration.items.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "cash": declaration.cash.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}
