//! Any sequence of calls, amendments and gate outcomes on a confirmed day
//! keeps every rule of the day, on every database: the places held never
//! exceed the day's places, nobody holds two places, a companion holds a
//! place only with their patient and at most two travel with one, everyone
//! expected is scheduled and everyone freed is back on the list, beds are
//! never held beyond those published, and a step that is refused is
//! refused as a rule of the day, never as a failure of the store.

use corridor_domain::{GateOutcome, ReasonKind, Status, Text};
use corridor_store::{Amendment, EntryState, GateRecording, Store, StoreError};
use proptest::prelude::*;

use crate::standby::{confirmed_day, decline};
use crate::*;

const DAY: jiff::civil::Date = jiff::civil::date(2026, 2, 2);
const HEADS: [&str; 7] = ["P-1", "P-2", "P-3", "P-4", "P-5", "P-6", "P-7"];
const COMPANIONS: [&str; 2] = ["C-1", "C-5"];

fn rafah() -> corridor_domain::CrossingId {
    corridor_domain::CrossingId::parse("rafah").unwrap()
}

/// One thing that happens to the day.
#[derive(Debug, Clone)]
enum Step {
    /// The night before.
    Decline(usize),
    Fill,
    Add(usize),
    Remove(usize),
    /// On the day.
    Crossed(usize),
    NoShow(usize),
    TurnedBack(usize),
    CompanionTurnedBack(usize),
    FillOnTheDay,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..HEADS.len()).prop_map(Step::Decline),
        Just(Step::Fill),
        (0..HEADS.len()).prop_map(Step::Add),
        (0..HEADS.len()).prop_map(Step::Remove),
        (0..HEADS.len()).prop_map(Step::Crossed),
        (0..HEADS.len()).prop_map(Step::NoShow),
        (0..HEADS.len()).prop_map(Step::TurnedBack),
        (0..COMPANIONS.len()).prop_map(Step::CompanionTurnedBack),
        Just(Step::FillOnTheDay),
    ]
}

/// The night before's steps first, then the day's, as they happen.
fn on_the_night_before(step: &Step) -> bool {
    matches!(
        step,
        Step::Decline(_) | Step::Fill | Step::Add(_) | Step::Remove(_)
    )
}

async fn take(store: &Store, step: &Step) -> Result<(), StoreError> {
    let evening: jiff::Timestamp = "2026-02-01T19:00:00Z".parse().unwrap();
    let amend = |amendment: Amendment, at: jiff::Timestamp| async move {
        store
            .amend_manifest(
                &rafah(),
                DAY,
                corridor_domain::Direction::Outbound,
                &amendment,
                at,
                "coordinator",
            )
            .await
            .map(|_| ())
    };
    let gate = |head: &str, outcome: GateOutcome, member: Option<&str>| {
        let reason = match (outcome, member) {
            (GateOutcome::TurnedBack, Some(_)) => {
                Some(reason(ReasonKind::TurnedBack, "companion-refused", None))
            }
            (GateOutcome::TurnedBack, None) => Some(reason(
                ReasonKind::TurnedBack,
                "documents-not-accepted",
                None,
            )),
            (GateOutcome::NoShow, _) => Some(reason(ReasonKind::NoShow, "not-known", None)),
            (GateOutcome::Crossed, _) => None,
        };
        let recording = GateRecording {
            crossing: rafah(),
            date: DAY,
            person: id(head),
            outcome,
            reason,
        };
        let member = member.map(id);
        async move {
            let at = on_the_day(DAY);
            match member {
                None => store.record_gate(&recording, at, "officer").await,
                Some(member) => {
                    store
                        .record_gate_member(&recording, &member, at, "officer")
                        .await
                }
            }
            .map(|_| ())
        }
    };
    match step {
        Step::Decline(head) => {
            // Recorded through the same call as the call list's.
            let party = HEADS[*head];
            let declined = store
                .record_call(
                    &corridor_store::CallRecord {
                        crossing: rafah(),
                        date: DAY,
                        party: id(party),
                        recording: corridor_domain::CallRecording::parse(
                            "declined",
                            Some("not ready"),
                        )
                        .unwrap(),
                        seen_attempts: None,
                    },
                    evening,
                    "liaison",
                )
                .await;
            declined.map(|_| ())
        }
        Step::Fill => amend(Amendment::Fill, evening).await,
        Step::FillOnTheDay => amend(Amendment::Fill, on_the_day(DAY)).await,
        Step::Add(head) => {
            amend(
                Amendment::Add {
                    person: id(HEADS[*head]),
                    facility: None,
                },
                evening,
            )
            .await
        }
        Step::Remove(head) => {
            amend(
                Amendment::Remove {
                    person: id(HEADS[*head]),
                    reason: Text::parse("reason", "family asked to wait", 500).unwrap(),
                },
                evening,
            )
            .await
        }
        Step::Crossed(head) => gate(HEADS[*head], GateOutcome::Crossed, None).await,
        Step::NoShow(head) => gate(HEADS[*head], GateOutcome::NoShow, None).await,
        Step::TurnedBack(head) => gate(HEADS[*head], GateOutcome::TurnedBack, None).await,
        Step::CompanionTurnedBack(companion) => {
            let member = COMPANIONS[*companion];
            let head = if member == "C-1" { "P-1" } else { "P-5" };
            gate(head, GateOutcome::TurnedBack, Some(member)).await
        }
    }
}

fn holds_place(state: EntryState) -> bool {
    matches!(state, EntryState::Expected | EntryState::Crossed)
}

/// Every rule of the day, on the day as it stands; the first broken one.
async fn check_the_day(store: &Store) -> Result<(), String> {
    let freed = store
        .freed_places(&rafah(), DAY, corridor_domain::Direction::Outbound)
        .await
        .map_err(|e| e.to_string())?;
    if freed.holding > freed.places {
        return Err(format!(
            "{} people hold places on a day of {}",
            freed.holding, freed.places
        ));
    }
    let manifest = store
        .manifest(&rafah(), DAY, corridor_domain::Direction::Outbound)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the manifest vanished")?;
    let holding: Vec<&corridor_store::ManifestEntry> = manifest
        .entries
        .iter()
        .filter(|e| holds_place(e.state))
        .collect();
    for (index, entry) in holding.iter().enumerate() {
        if holding[..index].iter().any(|e| e.person == entry.person) {
            return Err(format!("{} holds two places", entry.person));
        }
        if entry.party != entry.person {
            if !holding
                .iter()
                .any(|e| e.person == entry.party && e.party == entry.party)
            {
                return Err(format!(
                    "companion {} holds a place without their patient {}",
                    entry.person, entry.party
                ));
            }
        } else {
            let companions = holding
                .iter()
                .filter(|e| e.party == entry.person && e.person != entry.person)
                .count();
            if companions > 2 {
                return Err(format!(
                    "{} travels with {companions} companions",
                    entry.person
                ));
            }
        }
    }
    for person in HEADS.iter().chain(&COMPANIONS) {
        let status = store
            .person(&id(person))
            .await
            .map_err(|e| e.to_string())?
            .ok_or("a person vanished")?
            .line
            .status;
        let entry = holding.iter().find(|e| e.person.as_str() == *person);
        let fits = match entry.map(|e| e.state) {
            Some(EntryState::Expected) => status == Status::Scheduled,
            Some(_) => status == Status::Crossed,
            None => status == Status::Cleared,
        };
        if !fits {
            return Err(format!(
                "{person} is {status:?} with manifest entry {:?}",
                entry.map(|e| e.state)
            ));
        }
    }
    for line in store.bed_board(DAY).await.map_err(|e| e.to_string())? {
        if line.held + line.consumed > line.published {
            return Err(format!(
                "{} {:?}: {} held and {} used of {} beds",
                line.facility, line.specialty, line.held, line.consumed, line.published
            ));
        }
    }
    Ok(())
}

/// A refusal is a rule of the day or a step that does not apply; never a
/// failure of the store itself.
fn is_a_refusal(error: &StoreError) -> bool {
    matches!(
        error,
        StoreError::DayRule { .. }
            | StoreError::Transition { .. }
            | StoreError::NotFound { .. }
            | StoreError::Refused(_)
            | StoreError::Conflict { .. }
            | StoreError::Invalid { .. }
    )
}

async fn run(steps: &[Step]) -> Result<(), String> {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        confirmed_day(&store, Some(3)).await;
        // Two declines first, as on most nights: places to fill.
        decline(&store, "P-2").await;
        let mut ordered: Vec<&Step> = steps.iter().filter(|s| on_the_night_before(s)).collect();
        ordered.extend(steps.iter().filter(|s| !on_the_night_before(s)));
        let mut outcome = check_the_day(&store).await;
        for step in ordered {
            if outcome.is_err() {
                break;
            }
            if let Err(error) = take(&store, step).await
                && !is_a_refusal(&error)
            {
                outcome = Err(format!("{step:?} failed as the store: {error:?}"));
                break;
            }
            outcome = check_the_day(&store)
                .await
                .map_err(|broken| format!("after {step:?}: {broken}"));
        }
        if outcome.is_ok() && !store.verify_audit().await.unwrap().is_intact() {
            outcome = Err("the audit chain is broken".to_string());
        }
        store.close().await;
        database.drop_database().await;
        outcome.map_err(|broken| format!("{on}: {broken}"))?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn no_sequence_of_declines_amendments_and_gate_outcomes_breaks_a_rule_of_the_day(
        steps in prop::collection::vec(step(), 1..10),
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let outcome = runtime.block_on(run(&steps));
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
    }
}
