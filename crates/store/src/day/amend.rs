//! After confirmation: the standby list of a day, the places freed on its
//! manifest, and amendments that fill them from standby, add a party by
//! hand or take one off.
//!
//! An amendment is planned from what the store holds now (the planner's
//! fill or inclusion, outside the transaction), then written in one write
//! transaction that reads the manifest as it stands, checks the amended
//! manifest with the same pure rules as confirmation
//! ([`corridor_domain::check_manifest`]) and holds beds and schedules people
//! the way confirmation does. Places held are the entries still expected
//! and those that crossed; the outbound cap (entries = exits) is read again
//! in the transaction, so it follows the returnees still expected or
//! crossed, not the inbound manifest as confirmed.

use corridor_domain::{
    AmendmentKind, Booking, CrossingId, Direction, FacilityId, InDay, NoticeDay, NoticeEvent,
    PersonId, ProposedParty, Reason, ReasonCode, ReasonKind, Text, check_manifest,
};
use corridor_planner::{Method, fill_inbound, fill_outbound, plan_outbound};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use super::beds::offer_use;
use super::gate::{EntryState, PartyClosing, close_party_in};
use super::manifest::{
    DaySlot, PartyToSchedule, day_limits, manifest_exists, read_person_facts, schedule_party,
};
use crate::audit::NewAuditEntry;
use crate::codec::{micros, small};
use crate::notices::{crossing_name, enqueue_notice};
use crate::{DayRule, Store, StoreError, Thing};

/// A party on a day's standby list, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandbyEntry {
    pub rank: u32,
    /// The patient, or the returnee.
    pub person: PersonId,
    pub companions: Vec<PersonId>,
    pub people: u32,
    /// The party's priority score (0 inbound).
    pub score: u64,
    pub reason: String,
    pub facility: Option<FacilityId>,
    /// Still cleared and on no manifest: a fill may take the party.
    pub available: bool,
}

/// A person whose place on a confirmed manifest is free again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreedEntry {
    pub person: PersonId,
    /// The head of their party.
    pub party: PersonId,
    pub state: EntryState,
}

/// The places of a confirmed manifest as they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreedPlaces {
    /// The day's places now: the quota, or the cap when lower.
    pub places: u32,
    /// People still expected or crossed.
    pub holding: u32,
    /// Everyone whose place was freed (declined, unreachable after the
    /// cut-off, no-show, turned back, removed).
    pub freed: Vec<FreedEntry>,
}

impl FreedPlaces {
    /// The places an amendment may fill.
    pub fn free(&self) -> u32 {
        self.places.saturating_sub(self.holding)
    }
}

/// A change to a confirmed manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Amendment {
    /// Fill the free places with the best standby parties that fit.
    Fill,
    /// Add a cleared party by hand (named by its head), at the receiving
    /// facility given or one the planner finds.
    Add {
        person: PersonId,
        facility: Option<FacilityId>,
    },
    /// Take a party (named by its head) off, with why.
    Remove { person: PersonId, reason: Text },
}

impl Amendment {
    pub fn kind(&self) -> AmendmentKind {
        match self {
            Amendment::Fill => AmendmentKind::Fill,
            Amendment::Add { .. } => AmendmentKind::Add,
            Amendment::Remove { .. } => AmendmentKind::Remove,
        }
    }
}

/// A party an amendment put on or took off the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendedParty {
    pub person: PersonId,
    pub companions: Vec<PersonId>,
    pub facility: Option<FacilityId>,
    pub reason: String,
}

/// What an amendment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amended {
    /// The amendment's number within the manifest, from 1.
    pub number: u32,
    pub kind: AmendmentKind,
    pub parties: Vec<AmendedParty>,
    /// The places still free after it.
    pub free: u32,
}

/// What cancelling a confirmed day did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCancelled {
    /// The parties taken off (named by their heads), their people back on
    /// the list as cleared and their beds released.
    pub parties: Vec<PersonId>,
    /// The people taken off.
    pub people: u32,
    /// The notices queued: every party taken off and every party still on
    /// standby, for those with a contact.
    pub notices: u32,
}

impl Store {
    /// Cancels a confirmed day (the crossing did not open) in one write
    /// transaction with one audit entry (`manifest.cancel`): every party
    /// still expected is taken off as an amendment, its people back on the
    /// list as cleared and its beds released; the standby list ends; every
    /// party taken off or still on standby is told. People who already
    /// crossed stay crossed. The manifest stays, marked cancelled, so the
    /// day's lost places stay counted.
    pub async fn cancel_day(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
        reason: &Text,
        at: Timestamp,
        actor: &str,
    ) -> Result<DayCancelled, StoreError> {
        let mut transaction = self.write().await?;
        require_open_manifest(&mut transaction, crossing, on, direction).await?;
        let key = ManifestKey {
            crossing,
            on,
            direction,
        };
        let heads: Vec<PersonId> = {
            let entries = read_entries(&mut transaction, crossing, on, direction).await?;
            let mut heads: Vec<PersonId> = entries
                .iter()
                .filter(|e| e.state == EntryState::Expected)
                .map(|e| e.party.clone())
                .collect();
            heads.dedup();
            heads
        };
        let mut removed = Vec::with_capacity(heads.len());
        for head in &heads {
            removed
                .push(remove_party(self, &mut transaction, &key, head, reason, at, actor).await?);
        }
        let people: usize = removed.iter().map(|p| 1 + p.companions.len()).sum();
        if !removed.is_empty() {
            write_amendment_rows(
                &mut transaction,
                &key,
                AmendmentKind::Remove,
                &removed,
                &Amendment::Remove {
                    person: heads[0].clone(),
                    reason: reason.clone(),
                },
                at,
                actor,
            )
            .await?;
        }
        let standby: Vec<PersonId> = sqlx::query(
            "SELECT person_id FROM standby_entries WHERE crossing = $1 AND date = $2 \
             AND direction = $3 AND taken_at IS NULL ORDER BY rank",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .fetch_all(&mut **transaction)
        .await?
        .iter()
        .map(|row| {
            let person: String = row.try_get("person_id")?;
            PersonId::parse(&person).map_err(StoreError::from_invalid("standby_entries", &person))
        })
        .collect::<Result<_, _>>()?;
        sqlx::query(
            "DELETE FROM standby_entries WHERE crossing = $1 AND date = $2 AND direction = $3 \
             AND taken_at IS NULL",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .execute(&mut **transaction)
        .await?;
        let event = NoticeEvent::DayCancelled {
            day: NoticeDay {
                crossing: crossing.clone(),
                crossing_name: crossing_name(&mut transaction, crossing).await?,
                date: on,
                direction,
                confirmed_at: at,
            },
        };
        let mut notices = 0;
        for party in heads.iter().chain(&standby) {
            if enqueue_notice(&mut transaction, party, &event, at)
                .await?
                .is_some()
            {
                notices += 1;
            }
        }
        sqlx::query(
            "UPDATE manifests SET cancelled_at = $1, cancelled_by = $2, cancel_reason = $3 \
             WHERE crossing = $4 AND date = $5 AND direction = $6",
        )
        .bind(micros(at))
        .bind(actor.to_string())
        .bind(reason.as_str().to_string())
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .execute(&mut **transaction)
        .await?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "manifest.cancel".to_string(),
                subject: format!("{crossing} {on} {direction}"),
                detail: serde_json::json!({
                    "parties": heads.iter().map(PersonId::as_str).collect::<Vec<_>>(),
                    "standby": standby.iter().map(PersonId::as_str).collect::<Vec<_>>(),
                    "people": people,
                    "notices": notices,
                }),
            })
            .await?;
        Ok(DayCancelled {
            parties: heads,
            people: u32::try_from(people).unwrap_or(u32::MAX),
            notices,
        })
    }

    /// The standby list of a confirmed manifest, best first, without the
    /// parties already taken from it.
    pub async fn standby(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
    ) -> Result<Vec<StandbyEntry>, StoreError> {
        let mut connection = self.pool.acquire().await?;
        require_manifest(&mut connection, crossing, on, direction).await?;
        let rows = sqlx::query(
            "SELECT s.person_id, s.rank, s.companions, s.people, s.score, s.reason, s.facility, \
             p.status FROM standby_entries s JOIN persons p ON p.id = s.person_id \
             WHERE s.crossing = $1 AND s.date = $2 AND s.direction = $3 AND s.taken_at IS NULL \
             ORDER BY s.rank",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .fetch_all(&mut *connection)
        .await?;
        let mut list = Vec::with_capacity(rows.len());
        for row in rows {
            let person: String = row.try_get("person_id")?;
            let invalid = StoreError::from_invalid("standby_entries", &person);
            let companions: String = row.try_get("companions")?;
            list.push(StandbyEntry {
                rank: small("standby_entries", &person, row.try_get("rank")?)?,
                companions: companions
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(PersonId::parse)
                    .collect::<Result<_, _>>()
                    .map_err(&invalid)?,
                people: small("standby_entries", &person, row.try_get("people")?)?,
                score: u64::try_from(row.try_get::<i64, _>("score")?).unwrap_or(0),
                reason: row.try_get("reason")?,
                facility: row
                    .try_get::<Option<String>, _>("facility")?
                    .map(|f| FacilityId::parse(&f))
                    .transpose()
                    .map_err(&invalid)?,
                available: row.try_get::<String, _>("status")?
                    == corridor_domain::Status::Cleared.as_str(),
                person: PersonId::parse(&person).map_err(&invalid)?,
            });
        }
        Ok(list)
    }

    /// The places of a confirmed manifest: how many the day has now, how
    /// many are held, and whose were freed.
    pub async fn freed_places(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
    ) -> Result<FreedPlaces, StoreError> {
        let mut connection = self.pool.acquire().await?;
        require_manifest(&mut connection, crossing, on, direction).await?;
        read_freed(&mut connection, crossing, on, direction).await
    }

    /// Amends a confirmed manifest in one write transaction with one audit
    /// entry (`manifest.amend`): fills the free places from the standby
    /// list, adds a party or takes one off. Every rule of the day is
    /// checked again on the manifest as amended.
    pub async fn amend_manifest(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
        amendment: &Amendment,
        at: Timestamp,
        actor: &str,
    ) -> Result<Amended, StoreError> {
        // Refused at once on a cancelled day, before planning a fill; the
        // write transaction checks again.
        {
            let mut connection = self.pool.acquire().await?;
            require_open_manifest(&mut connection, crossing, on, direction).await?;
        }
        let adding = match amendment {
            Amendment::Fill => self.fill_parties(crossing, on, direction).await?,
            Amendment::Add { person, facility } => vec![
                self.added_party(crossing, on, direction, person, facility.as_ref())
                    .await?,
            ],
            Amendment::Remove { .. } => Vec::new(),
        };
        let kind = amendment.kind();
        let mut transaction = self.write().await?;
        require_open_manifest(&mut transaction, crossing, on, direction).await?;
        let key = ManifestKey {
            crossing,
            on,
            direction,
        };
        let changed = match amendment {
            Amendment::Remove { person, reason } => {
                vec![remove_party(self, &mut transaction, &key, person, reason, at, actor).await?]
            }
            Amendment::Fill | Amendment::Add { .. } => {
                add_parties(self, &mut transaction, &key, &adding, at, actor).await?;
                adding
            }
        };
        let number =
            write_amendment_rows(&mut transaction, &key, kind, &changed, amendment, at, actor)
                .await?;
        let free = read_freed(&mut transaction, crossing, on, direction)
            .await?
            .free();
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "manifest.amend".to_string(),
                subject: format!("{crossing} {on} {direction}"),
                detail: serde_json::json!({
                    "amendment": number,
                    "kind": kind.as_str(),
                    "parties": changed.iter().map(|p| serde_json::json!({
                        "person": p.person.as_str(),
                        "companions": p.companions.iter().map(PersonId::as_str).collect::<Vec<_>>(),
                        "facility": p.facility.as_ref().map(FacilityId::as_str),
                    })).collect::<Vec<_>>(),
                    "free": free,
                }),
            })
            .await?;
        Ok(Amended {
            number,
            kind,
            parties: changed,
            free,
        })
    }

    /// The standby parties that fill the free places, by the planner.
    async fn fill_parties(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
    ) -> Result<Vec<AmendedParty>, StoreError> {
        let freed = self.freed_places(crossing, on, direction).await?;
        let free = freed.free();
        if free == 0 {
            return Err(no_free_places(crossing, on, direction, &freed));
        }
        let standby: Vec<PersonId> = self
            .standby(crossing, on, direction)
            .await?
            .into_iter()
            .filter(|entry| entry.available)
            .map(|entry| entry.person)
            .collect();
        if standby.is_empty() {
            return Err(StoreError::day_rule(
                DayRule::Plan,
                format!(
                    "nobody on the standby list of the {direction} manifest of {crossing} on {on} can \
                     still travel; add a cleared party by hand (\"Add a party by hand\" on the day plan, or plan amend --add)"
                ),
            ));
        }
        let inputs = self.planning_inputs(crossing, on, direction).await?;
        let plan = match direction {
            Direction::Outbound => fill_outbound(&inputs.outbound_day(), free, &standby),
            Direction::Inbound => fill_inbound(&inputs.inbound_day(), free, &standby),
        }
        .map_err(|error| StoreError::day_rule(DayRule::Plan, error.to_string()))?;
        if plan.picks.is_empty() {
            return Err(StoreError::day_rule(
                DayRule::Plan,
                format!(
                    "no party on the standby list fits the {free} free {} of the {direction} manifest of \
                     {crossing} on {on}{}; add a party by hand (\"Add a party by hand\" on the day plan, or plan amend --add)",
                    if free == 1 { "place" } else { "places" },
                    match direction {
                        Direction::Outbound => " with a free bed",
                        Direction::Inbound => "",
                    }
                ),
            ));
        }
        Ok(plan
            .picks
            .into_iter()
            .map(|pick| AmendedParty {
                person: pick.person,
                companions: pick.companions,
                facility: pick.facility,
                reason: format!("from standby: {}", pick.reason),
            })
            .collect())
    }

    /// A party to add by hand: a cleared patient with the companions who
    /// travel with them and a bed (the planner's inclusion), or a cleared
    /// returnee.
    async fn added_party(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
        person: &PersonId,
        facility: Option<&FacilityId>,
    ) -> Result<AmendedParty, StoreError> {
        let freed = self.freed_places(crossing, on, direction).await?;
        let free = freed.free();
        if free == 0 {
            return Err(no_free_places(crossing, on, direction, &freed));
        }
        let inputs = self.planning_inputs(crossing, on, direction).await?;
        let not_waiting = |what: &str| {
            StoreError::day_rule(
                DayRule::Plan,
                format!(
                    "{person} is not a cleared {what} on no manifest, so cannot be added to the \
                     {direction} manifest of {crossing} on {on}{}",
                    match direction {
                        Direction::Outbound =>
                            " (a companion travels with their patient: add the patient)",
                        Direction::Inbound => "",
                    }
                ),
            )
        };
        match direction {
            Direction::Outbound => {
                if !inputs.patients.iter().any(|p| p.id == *person) {
                    return Err(not_waiting("patient"));
                }
                let mut day = inputs.outbound_day();
                day.candidates.retain(|c| c.patient == *person);
                let companions: Vec<PersonId> = day
                    .candidates
                    .iter()
                    .flat_map(|c| c.companions.clone())
                    .collect();
                day.rules.quota = free;
                day.rules.cap = None;
                day.overrides
                    .exclude
                    .retain(|(p, _)| companions.contains(p));
                day.overrides.include = vec![(person.clone(), "added by hand".to_string())];
                day.overrides.facilities = facility
                    .map(|f| vec![(person.clone(), f.clone())])
                    .unwrap_or_default();
                let plan = plan_outbound(&day, Method::Optimal)
                    .map_err(|error| StoreError::day_rule(DayRule::Plan, error.to_string()))?;
                let pick = plan.picks.into_iter().next().ok_or_else(|| {
                    StoreError::day_rule(
                        DayRule::Plan,
                        format!("{person} cannot travel on {crossing} on {on}"),
                    )
                })?;
                Ok(AmendedParty {
                    person: pick.person,
                    companions: pick.companions,
                    facility: pick.facility,
                    reason: pick.reason,
                })
            }
            Direction::Inbound => {
                let Some(returnee) = inputs.returnees.iter().find(|r| r.id == *person) else {
                    return Err(not_waiting("returnee"));
                };
                if facility.is_some() {
                    return Err(StoreError::day_rule(
                        DayRule::Plan,
                        format!(
                            "{person} is a returnee: an inbound party has no receiving facility; leave it out"
                        ),
                    ));
                }
                Ok(AmendedParty {
                    person: person.clone(),
                    companions: Vec::new(),
                    facility: None,
                    reason: format!("added by hand; registered on {}", returnee.registered_on),
                })
            }
        }
    }
}

struct ManifestKey<'a> {
    crossing: &'a CrossingId,
    on: Date,
    direction: Direction,
}

fn no_free_places(
    crossing: &CrossingId,
    on: Date,
    direction: Direction,
    freed: &FreedPlaces,
) -> StoreError {
    StoreError::day_rule(
        DayRule::Places,
        format!(
            "no places are free on the {direction} manifest of {crossing} on {on}: {} of its {} places \
             are held ({} freed so far); a fill waits for a decline, a no-show, a turn-back or a removal",
            freed.holding,
            freed.places,
            freed.freed.len()
        ),
    )
}

async fn require_manifest(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
    direction: Direction,
) -> Result<(), StoreError> {
    if manifest_exists(connection, crossing, on, direction).await? {
        return Ok(());
    }
    let known = sqlx::query("SELECT 1 AS one FROM crossings WHERE id = $1")
        .bind(crossing.as_str().to_string())
        .fetch_optional(&mut *connection)
        .await?;
    if known.is_none() {
        return Err(StoreError::not_found(Thing::Crossing, crossing));
    }
    Err(StoreError::day_rule(
        DayRule::Plan,
        format!(
            "the {direction} manifest of {crossing} on {on} is not confirmed; confirm the day first \
             (\"Confirm this plan\" on the day plan, or plan confirm), which also fixes its standby list"
        ),
    ))
}

/// A confirmed manifest that was not cancelled: one that may change.
async fn require_open_manifest(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
    direction: Direction,
) -> Result<(), StoreError> {
    require_manifest(connection, crossing, on, direction).await?;
    let cancelled: Option<i64> = sqlx::query(
        "SELECT cancelled_at FROM manifests WHERE crossing = $1 AND date = $2 AND direction = $3",
    )
    .bind(crossing.as_str().to_string())
    .bind(on.to_string())
    .bind(direction.as_str())
    .fetch_one(&mut *connection)
    .await?
    .try_get("cancelled_at")?;
    match cancelled {
        None => Ok(()),
        Some(_) => Err(StoreError::day_rule(
            DayRule::Plan,
            format!(
                "the {direction} day of {crossing} on {on} was cancelled; its parties are back on \
                 the list: plan them on another day"
            ),
        )),
    }
}

/// One manifest entry as stored: person, party head, facility, state.
struct EntryRow {
    person: PersonId,
    party: PersonId,
    facility: Option<FacilityId>,
    state: EntryState,
}

async fn read_entries(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
    direction: Direction,
) -> Result<Vec<EntryRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT person_id, party, facility, outcome FROM manifest_entries \
         WHERE crossing = $1 AND date = $2 AND direction = $3 ORDER BY position",
    )
    .bind(crossing.as_str().to_string())
    .bind(on.to_string())
    .bind(direction.as_str())
    .fetch_all(&mut *connection)
    .await?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let person: String = row.try_get("person_id")?;
        let invalid = StoreError::from_invalid("manifest_entries", &person);
        entries.push(EntryRow {
            party: PersonId::parse(&row.try_get::<String, _>("party")?).map_err(&invalid)?,
            facility: row
                .try_get::<Option<String>, _>("facility")?
                .map(|f| FacilityId::parse(&f))
                .transpose()
                .map_err(&invalid)?,
            state: match row.try_get::<Option<String>, _>("outcome")? {
                None => EntryState::Expected,
                Some(state) => EntryState::parse(&state)
                    .map_err(|problem| StoreError::corrupt("manifest_entries", &person, problem))?,
            },
            person: PersonId::parse(&person).map_err(&invalid)?,
        });
    }
    Ok(entries)
}

fn holds_place(state: EntryState) -> bool {
    matches!(state, EntryState::Expected | EntryState::Crossed)
}

async fn read_freed(
    connection: &mut sqlx::AnyConnection,
    crossing: &CrossingId,
    on: Date,
    direction: Direction,
) -> Result<FreedPlaces, StoreError> {
    let limits = day_limits(connection, crossing, on, direction).await?;
    let places = limits.day_rules(crossing, on, direction).places();
    let entries = read_entries(connection, crossing, on, direction).await?;
    let holding = entries.iter().filter(|e| holds_place(e.state)).count();
    Ok(FreedPlaces {
        places,
        holding: u32::try_from(holding).unwrap_or(u32::MAX),
        freed: entries
            .into_iter()
            .filter(|e| e.state.frees_place())
            .map(|e| FreedEntry {
                person: e.person,
                party: e.party,
                state: e.state,
            })
            .collect(),
    })
}

async fn remove_party(
    store: &Store,
    transaction: &mut crate::unit_of_work::Write<'_>,
    key: &ManifestKey<'_>,
    person: &PersonId,
    note: &Text,
    at: Timestamp,
    actor: &str,
) -> Result<AmendedParty, StoreError> {
    let ManifestKey {
        crossing,
        on,
        direction,
    } = *key;
    let entries = read_entries(transaction, crossing, on, direction).await?;
    let Some(own) = entries.iter().find(|e| e.person == *person) else {
        return Err(StoreError::day_rule(
            DayRule::Party,
            format!("{person} is not on the {direction} manifest of {crossing} on {on}"),
        ));
    };
    if own.party != *person {
        return Err(StoreError::day_rule(
            DayRule::Party,
            format!(
                "{person} travels with {}: remove {}'s party, or turn {person} back alone at the gate",
                own.party, own.party
            ),
        ));
    }
    let members: Vec<&EntryRow> = entries.iter().filter(|e| e.party == *person).collect();
    let expected: Vec<PersonId> = members
        .iter()
        .filter(|e| e.state == EntryState::Expected)
        .map(|e| e.person.clone())
        .collect();
    if expected.is_empty() {
        return Err(StoreError::day_rule(
            DayRule::Party,
            format!(
                "{person}'s party holds no place to remove on the {direction} manifest of {crossing} on {on} ({})",
                own.state.as_str()
            ),
        ));
    }
    let reason = Reason::new(
        ReasonKind::Unscheduled,
        ReasonCode::parse("removed-by-coordinator")?,
        Some(note.clone()),
    )?;
    close_party_in(
        store.backend,
        transaction,
        &PartyClosing {
            crossing,
            date: on,
            people: &expected,
            state: EntryState::Removed,
            reason: Some(&reason),
        },
        at,
        actor,
    )
    .await?;
    Ok(AmendedParty {
        person: person.clone(),
        companions: expected.into_iter().filter(|p| p != person).collect(),
        facility: own.facility.clone(),
        reason: note.as_str().to_string(),
    })
}

/// Puts parties on the manifest after checking the manifest as amended
/// against every rule of the day: their beds held, their people scheduled,
/// their standby rows taken.
async fn add_parties(
    store: &Store,
    transaction: &mut crate::unit_of_work::Write<'_>,
    key: &ManifestKey<'_>,
    adding: &[AmendedParty],
    at: Timestamp,
    actor: &str,
) -> Result<(), StoreError> {
    let ManifestKey {
        crossing,
        on,
        direction,
    } = *key;
    let limits = day_limits(transaction, crossing, on, direction).await?;
    if let Some(reason) = &limits.closed_reason {
        return Err(StoreError::day_rule(DayRule::Places, reason.clone()));
    }
    let rules = limits.day_rules(crossing, on, direction);
    let entries = read_entries(transaction, crossing, on, direction).await?;
    // The manifest as it would stand: every party still holding places,
    // then the parties added.
    let mut proposal: Vec<ProposedParty> = Vec::new();
    for entry in entries.iter().filter(|e| holds_place(e.state)) {
        let facts = read_person_facts(transaction, &entry.person).await?;
        let proposed = facts.proposed(&entry.person, on);
        match proposal.iter_mut().find(|p| p.head.id == entry.party) {
            Some(party) => party.companions.push(proposed),
            None => proposal.push(ProposedParty {
                head: proposed,
                companions: Vec::new(),
                facility: entry.facility.clone(),
            }),
        }
    }
    let mut heads = Vec::with_capacity(adding.len());
    for party in adding {
        for person in std::iter::once(&party.person).chain(&party.companions) {
            if let Some(earlier) = entries.iter().find(|e| e.person == *person) {
                return Err(StoreError::day_rule(
                    DayRule::Party,
                    format!(
                        "{person} was already on the {direction} manifest of {crossing} on {on} ({}); \
                         plan them for another day",
                        earlier.state.as_str()
                    ),
                ));
            }
        }
        let head = read_person_facts(transaction, &party.person).await?;
        let mut companions = Vec::with_capacity(party.companions.len());
        for companion in &party.companions {
            let facts = read_person_facts(transaction, companion).await?;
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
            .map(|rule_break| format!("{}: {}", rule_break.rule(), InDay(&rules, rule_break)))
            .collect();
        return Err(StoreError::day_rule(
            DayRule::Places,
            format!(
                "the amended manifest would break the rules of the day, so nothing was changed: {}",
                list.join("; ")
            ),
        ));
    }
    let booking = Booking {
        date: on,
        crossing: crossing.clone(),
    };
    let note = Text::parse(
        "note",
        &format!("manifest {crossing} {on} {direction} (amended)"),
        200,
    )?;
    let mut position: i64 = sqlx::query(
        "SELECT COALESCE(MAX(position), 0) AS n FROM manifest_entries \
         WHERE crossing = $1 AND date = $2 AND direction = $3",
    )
    .bind(crossing.as_str().to_string())
    .bind(on.to_string())
    .bind(direction.as_str())
    .fetch_one(&mut ***transaction)
    .await?
    .try_get("n")?;
    let mut used = offer_use(&mut ***transaction).await?;
    let slot = DaySlot {
        crossing,
        on,
        direction,
        booking: &booking,
        note: &note,
    };
    for (party, head) in adding.iter().zip(&heads) {
        schedule_party(
            store.backend,
            transaction,
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
        sqlx::query(
            "UPDATE standby_entries SET taken_at = $1 WHERE crossing = $2 AND date = $3 \
             AND direction = $4 AND person_id = $5 AND taken_at IS NULL",
        )
        .bind(micros(at))
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .bind(party.person.as_str().to_string())
        .execute(&mut ***transaction)
        .await?;
    }
    Ok(())
}

/// Records the amendment, one row per party; returns its number.
async fn write_amendment_rows(
    transaction: &mut crate::unit_of_work::Write<'_>,
    key: &ManifestKey<'_>,
    kind: AmendmentKind,
    parties: &[AmendedParty],
    amendment: &Amendment,
    at: Timestamp,
    actor: &str,
) -> Result<u32, StoreError> {
    let ManifestKey {
        crossing,
        on,
        direction,
    } = *key;
    let row = sqlx::query(
        "SELECT COALESCE(MAX(id), 0) AS last_id, COALESCE(MAX(amendment), 0) AS last_amendment \
         FROM manifest_amendments WHERE crossing = $1 AND date = $2 AND direction = $3",
    )
    .bind(crossing.as_str().to_string())
    .bind(on.to_string())
    .bind(direction.as_str())
    .fetch_one(&mut ***transaction)
    .await?;
    let mut id: i64 = row.try_get("last_id")?;
    let number: i64 = row.try_get::<i64, _>("last_amendment")? + 1;
    for party in parties {
        id += 1;
        let reason = match amendment {
            Amendment::Remove { reason, .. } => reason.as_str().to_string(),
            Amendment::Fill | Amendment::Add { .. } => party.reason.clone(),
        };
        sqlx::query(
            "INSERT INTO manifest_amendments (crossing, date, direction, id, amendment, kind, \
             person_id, people, reason, actor, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .bind(id)
        .bind(number)
        .bind(kind.as_str())
        .bind(party.person.as_str().to_string())
        .bind(i64::try_from(1 + party.companions.len()).unwrap_or(i64::MAX))
        .bind(reason)
        .bind(actor.to_string())
        .bind(micros(at))
        .execute(&mut ***transaction)
        .await
        .map_err(|error| {
            StoreError::from(error).on_violation("manifest_amendments_pkey", || {
                StoreError::ChangedMeanwhile(format!(
                    "the {direction} manifest of {crossing} on {on}"
                ))
            })
        })?;
    }
    small("manifest_amendments", crossing.as_str(), number)
}
