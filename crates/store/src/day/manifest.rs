//! Confirmed manifests: a plan checked against every rule of the day
//! (its quota, cap and crossing rules), the people on it scheduled and
//! their beds held in one transaction, and the manifest read back.

use std::collections::HashMap;

use corridor_domain::{
    Action, BirthYear, Booking, CrossingId, CrossingRules, DayCap, DayRules, Direction, FacilityId,
    InDay, PersonId, ProposedParty, ProposedPerson, Quota, QuotaCategory, Reason, Role, Specialty,
    Text, assembly_point_of, check_manifest,
};
use corridor_domain::{NoticeDay, NoticeEvent, NoticePoint};
use corridor_planner::StandbyParty;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use super::beds::{BedWanted, hold_bed, offer_use};
use super::calls::{read_assigned, read_points};
use super::gate::EntryState;
use super::rules::{read_crossing_rules, require_crossing};
use crate::audit::NewAuditEntry;
use crate::codec::{ReasonColumns, birth_year, micros, read_reason, small, timestamp};
use crate::notices::{crossing_name, enqueue_notice};
use crate::people::transitions::{StatusChange, transition_in};
use crate::reference::read_quotas;
use crate::{DayRule, Store, StoreError, Thing};

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
    /// The day's standby list, best first: the parties the same rules
    /// would pick next (see `corridor_planner::standby_outbound`).
    pub standby: Vec<StandbyParty>,
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

/// Where a manifest entry keeps the reason of its outcome.
const OUTCOME_REASON: ReasonColumns = ReasonColumns {
    kind: Some("outcome_reason_kind"),
    code: "outcome_reason_code",
    note: "outcome_reason_note",
    legacy: "outcome_reason",
};

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
    /// The day was cancelled after confirmation.
    pub cancelled: Option<DayCancellation>,
    pub entries: Vec<ManifestEntry>,
}

/// Who cancelled a confirmed day, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCancellation {
    pub at: Timestamp,
    pub by: String,
    pub reason: String,
}

impl Manifest {
    pub fn count(&self, state: EntryState) -> usize {
        self.entries.iter().filter(|e| e.state == state).count()
    }
}

impl Store {
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
        let slot = DaySlot {
            crossing,
            on,
            direction,
            booking: &booking,
            note: &note,
        };
        for (party, head) in draft.parties.iter().zip(&heads) {
            schedule_party(
                self.backend,
                &mut transaction,
                &slot,
                &PartyToSchedule {
                    person: &party.person,
                    companions: &party.companions,
                    facility: party.facility.as_ref(),
                    reason: &party.reason,
                },
                head,
                &mut used,
                &mut position,
                at,
                actor,
            )
            .await?;
        }
        write_standby(&mut transaction, draft).await?;
        // Each party is told its day, its assembly point and what to bring,
        // in this transaction.
        let crossing_name = crossing_name(&mut transaction, crossing).await?;
        let points = read_points(&mut transaction, crossing, on).await?;
        let assigned = read_assigned(&mut transaction, crossing, on).await?;
        for party in &draft.parties {
            let point =
                assembly_point_of(&points, assigned.get(&party.person).copied()).map(|point| {
                    NoticePoint {
                        place: point.place.as_str().to_string(),
                        time: point.time,
                    }
                });
            let event = NoticeEvent::Scheduled {
                day: NoticeDay {
                    crossing: crossing.clone(),
                    crossing_name: crossing_name.clone(),
                    date: on,
                    direction,
                    confirmed_at: at,
                },
                point,
            };
            enqueue_notice(&mut transaction, &party.person, &event, at).await?;
        }
        // Each standby party is told to be ready should a place free.
        for party in &draft.standby {
            let event = NoticeEvent::Standby {
                day: NoticeDay {
                    crossing: crossing.clone(),
                    crossing_name: crossing_name.clone(),
                    date: on,
                    direction,
                    confirmed_at: at,
                },
            };
            enqueue_notice(&mut transaction, &party.person, &event, at).await?;
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
                    "standby": draft.standby.iter().map(|p| p.person.as_str()).collect::<Vec<_>>(),
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
            "SELECT method, places, objective, notes, confirmed_at, confirmed_by, cancelled_at, \
             cancelled_by, cancel_reason FROM manifests \
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
            cancelled: match row.try_get::<Option<i64>, _>("cancelled_at")? {
                Some(at) => Some(DayCancellation {
                    at: timestamp("manifests", &key, at)?,
                    by: row
                        .try_get::<Option<String>, _>("cancelled_by")?
                        .unwrap_or_default(),
                    reason: row
                        .try_get::<Option<String>, _>("cancel_reason")?
                        .unwrap_or_default(),
                }),
                None => None,
            },
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
}

pub(super) struct DayLimits {
    pub(super) quota: u32,
    pub(super) closed_reason: Option<String>,
    pub(super) rules: Option<CrossingRules>,
    pub(super) cap: Option<(u32, String)>,
}

impl DayLimits {
    pub(super) fn day_rules(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
    ) -> DayRules {
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
pub(super) fn day_rules(
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
pub(super) async fn day_limits(
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
             AND direction = $3 AND (outcome IS NULL OR outcome = $4)",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(Direction::Inbound.as_str())
        .bind(EntryState::Crossed.as_str())
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

pub(super) async fn manifest_exists(
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

/// The manifest a party is scheduled on, and what its people's status
/// changes carry.
pub(super) struct DaySlot<'a> {
    pub(super) crossing: &'a CrossingId,
    pub(super) on: Date,
    pub(super) direction: Direction,
    pub(super) booking: &'a Booking,
    pub(super) note: &'a Text,
}

/// A party to put on a manifest: its head, companions, receiving facility
/// (a patient's) and why it was picked.
pub(super) struct PartyToSchedule<'a> {
    pub(super) person: &'a PersonId,
    pub(super) companions: &'a [PersonId],
    pub(super) facility: Option<&'a FacilityId>,
    pub(super) reason: &'a str,
}

/// Puts a party on a manifest inside the caller's transaction, after the
/// rules of the day were checked: holds the patient's bed, schedules each
/// member and writes their entries after `position`. Confirmation and
/// amendments both go through here.
#[allow(clippy::too_many_arguments)]
pub(super) async fn schedule_party(
    backend: crate::Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    slot: &DaySlot<'_>,
    party: &PartyToSchedule<'_>,
    head: &PersonFacts,
    used: &mut HashMap<(String, String, String), (u32, u32)>,
    position: &mut i64,
    at: Timestamp,
    actor: &str,
) -> Result<(), StoreError> {
    let facility = match (head.role, party.facility) {
        (Role::Patient, Some(facility)) => {
            let specialty = head.specialty.ok_or_else(|| {
                StoreError::corrupt(
                    "persons",
                    party.person.as_str(),
                    "patient without specialty",
                )
            })?;
            let wanted = BedWanted {
                person: party.person,
                facility,
                specialty,
                return_guarantee: head.return_guarantee,
                arrival: slot.on,
            };
            hold_bed(transaction, used, wanted, at).await?;
            Some(facility)
        }
        _ => None,
    };
    for person in std::iter::once(party.person).chain(party.companions) {
        transition_in(
            backend,
            transaction,
            StatusChange {
                person,
                expected_version: None,
                action: Action::Schedule {
                    booking: slot.booking.clone(),
                },
                note: Some(slot.note.clone()),
            },
            at,
            actor,
        )
        .await?;
        *position += 1;
        sqlx::query(
            "INSERT INTO manifest_entries (crossing, date, direction, person_id, party, \
             position, facility, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(slot.crossing.as_str().to_string())
        .bind(slot.on.to_string())
        .bind(slot.direction.as_str())
        .bind(person.as_str().to_string())
        .bind(party.person.as_str().to_string())
        .bind(*position)
        .bind(facility.map(|f| f.as_str().to_string()))
        .bind(party.reason.to_string())
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

pub(super) struct PersonFacts {
    pub(super) role: Role,
    pub(super) birth_year: BirthYear,
    pub(super) companion_of: Option<PersonId>,
    pub(super) specialty: Option<Specialty>,
    pub(super) return_guarantee: bool,
}

impl PersonFacts {
    /// The facts the manifest rules look at, on the day of crossing.
    pub(super) fn proposed(&self, id: &PersonId, on: Date) -> ProposedPerson {
        ProposedPerson {
            id: id.clone(),
            role: self.role,
            is_child: self.birth_year.is_child_on(on),
            companion_of: self.companion_of.clone(),
        }
    }
}

pub(super) async fn read_person_facts(
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

/// Writes the standby list of a manifest being confirmed, ranked from 1.
/// Nobody on the manifest itself stands by for it.
async fn write_standby(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    draft: &ManifestDraft,
) -> Result<(), StoreError> {
    for (rank, party) in draft.standby.iter().enumerate() {
        let on_manifest = draft.parties.iter().any(|p| {
            p.person == party.person
                || p.companions
                    .iter()
                    .any(|c| *c == party.person || party.companions.contains(c))
        });
        if on_manifest {
            return Err(StoreError::day_rule(
                DayRule::Plan,
                format!(
                    "{} is both on the manifest and on its standby list; plan the day again",
                    party.person
                ),
            ));
        }
        sqlx::query(
            "INSERT INTO standby_entries (crossing, date, direction, person_id, rank, companions, \
             people, score, reason, facility) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(draft.crossing.as_str().to_string())
        .bind(draft.date.to_string())
        .bind(draft.direction.as_str())
        .bind(party.person.as_str().to_string())
        .bind(i64::try_from(rank + 1).unwrap_or(i64::MAX))
        .bind(
            party
                .companions
                .iter()
                .map(PersonId::as_str)
                .collect::<Vec<_>>()
                .join(","),
        )
        .bind(i64::from(party.people()))
        .bind(i64::try_from(party.score).unwrap_or(i64::MAX))
        .bind(party.reason.clone())
        .bind(party.facility.as_ref().map(|f| f.as_str().to_string()))
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}
