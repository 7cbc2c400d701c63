//! Companions one by one at the gate, and replacing a companion who cannot
//! travel, on every database.

use corridor_domain::{
    Action, ClearanceOutcome, CompanionFields, CrossingRules, Direction, GateOutcome, ReasonKind,
    Replacement, Status, Text, Tier,
};
use corridor_store::{EntryState, GateRecording, GateUndo, Store, StoreError, Submission};
use jiff::civil::{Date, date};

use crate::crossing_days::{confirm, decide};
use crate::*;

const DAY: Date = date(2026, 2, 2);

fn rafah() -> corridor_domain::CrossingId {
    corridor_domain::CrossingId::parse("rafah").unwrap()
}

/// Lists the patients, submits everyone for clearance and records the
/// decisions given.
async fn clear(store: &Store, patients: &[&str], decisions: &[(&str, ClearanceOutcome)]) {
    for person in patients {
        store
            .transition(&id(person), None, Action::List, None, now(), "c")
            .await
            .unwrap();
    }
    let batch = store
        .submit_clearance(
            &Submission {
                crossing: rafah(),
                direction: Direction::Outbound,
                needed_by: date(2026, 2, 3),
                people: decisions.iter().map(|(p, _)| id(p)).collect(),
                note: None,
            },
            ImportMode::Commit,
            TODAY,
            now(),
            "c",
        )
        .await
        .unwrap();
    decide(store, &batch.id, decisions).await;
}

/// Records `outcome` at the gate for `party`, or only `member` of it.
async fn record(
    store: &Store,
    party: &str,
    member: Option<&str>,
    outcome: GateOutcome,
) -> Result<Vec<String>, StoreError> {
    let reason = (outcome == GateOutcome::TurnedBack)
        .then(|| reason(ReasonKind::TurnedBack, "companion-refused", None));
    let recording = GateRecording {
        crossing: rafah(),
        date: DAY,
        person: id(party),
        outcome,
        reason,
    };
    let at = on_the_day(DAY);
    let recorded = match member {
        None => store.record_gate(&recording, at, "officer").await?,
        Some(member) => {
            store
                .record_gate_member(&recording, &id(member), at, "officer")
                .await?
        }
    };
    Ok(recorded.people.iter().map(ToString::to_string).collect())
}

async fn undo_member(store: &Store, party: &str, member: &str) -> Result<(), StoreError> {
    store
        .undo_gate_member(
            &GateUndo {
                crossing: rafah(),
                date: DAY,
                person: id(party),
                reason: Text::parse("reason", "tapped the wrong row", 500).unwrap(),
            },
            &id(member),
            on_the_day(DAY),
            "officer",
        )
        .await
        .map(|_| ())
}

async fn status(store: &Store, person: &str) -> Status {
    store
        .person(&id(person))
        .await
        .unwrap()
        .unwrap()
        .line
        .status
}

async fn entry(store: &Store, person: &str) -> EntryState {
    store
        .manifest(&rafah(), DAY, Direction::Outbound)
        .await
        .unwrap()
        .unwrap()
        .entries
        .iter()
        .find(|e| e.person == id(person))
        .unwrap()
        .state
}

fn refused(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    result.unwrap_err().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_companion_is_turned_back_alone_while_an_adult_patient_crosses() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        load_reference(&store).await;
        register(
            &store,
            vec![
                patient("P-1", 1970, Tier::Critical, date(2025, 6, 1)),
                companion("C-1", "P-1"),
                companion("C-2", "P-1"),
            ],
        )
        .await;
        use ClearanceOutcome::Cleared;
        clear(
            &store,
            &["P-1"],
            &[("P-1", Cleared), ("C-1", Cleared), ("C-2", Cleared)],
        )
        .await;
        confirm(
            &store,
            DAY,
            Direction::Outbound,
            &[("P-1", &["C-1", "C-2"], Some("eg-1"))],
        )
        .await
        .unwrap();

        // A companion does not go ahead of the patient; a patient is not
        // turned back leaving the companions expected.
        let ahead = refused(record(&store, "P-1", Some("C-2"), GateOutcome::Crossed).await);
        assert!(
            ahead.contains("C-2 accompanies P-1, who has not crossed"),
            "{on}: {ahead}"
        );
        let behind = refused(record(&store, "P-1", Some("P-1"), GateOutcome::TurnedBack).await);
        assert!(
            behind.contains("C-1, C-2 travel with P-1"),
            "{on}: {behind}"
        );
        let wrong_party = refused(record(&store, "C-1", Some("C-1"), GateOutcome::NoShow).await);
        assert!(
            wrong_party.contains("C-1 travels with P-1, not C-1"),
            "{on}: {wrong_party}"
        );
        assert_eq!(entry(&store, "C-2").await, EntryState::Expected, "{on}");

        // C-1 is turned back alone: back on the list as cleared, like a
        // turned-back party member.
        let turned = record(&store, "P-1", Some("C-1"), GateOutcome::TurnedBack)
            .await
            .unwrap();
        assert_eq!(turned, ["C-1"], "{on}");
        assert_eq!(status(&store, "C-1").await, Status::Cleared, "{on}");
        assert_eq!(entry(&store, "C-1").await, EntryState::TurnedBack, "{on}");
        assert_eq!(status(&store, "P-1").await, Status::Scheduled, "{on}");

        // The party's tap takes those still expected.
        let crossed = record(&store, "P-1", None, GateOutcome::Crossed)
            .await
            .unwrap();
        assert_eq!(crossed, ["P-1", "C-2"], "{on}");
        assert_eq!(status(&store, "P-1").await, Status::Crossed, "{on}");
        assert_eq!(status(&store, "C-2").await, Status::Crossed, "{on}");
        let reconciliation = store.reconciliation(&rafah(), DAY).await.unwrap();
        assert_eq!(reconciliation.crossed(Direction::Outbound), 2, "{on}");
        let back: Vec<String> = reconciliation
            .back_on_the_list()
            .iter()
            .map(|e| e.person.to_string())
            .collect();
        assert_eq!(back, ["C-1"], "{on}");

        // Undo one person at a time, in an order the rules allow.
        let patient_first = refused(undo_member(&store, "P-1", "P-1").await);
        assert!(
            patient_first.contains("undo C-2's first"),
            "{on}: {patient_first}"
        );
        undo_member(&store, "P-1", "C-2").await.unwrap();
        assert_eq!(status(&store, "C-2").await, Status::Scheduled, "{on}");
        assert_eq!(entry(&store, "C-2").await, EntryState::Expected, "{on}");
        undo_member(&store, "P-1", "C-1").await.unwrap();
        assert_eq!(status(&store, "C-1").await, Status::Scheduled, "{on}");
        assert_eq!(entry(&store, "C-1").await, EntryState::Expected, "{on}");
        assert_eq!(status(&store, "P-1").await, Status::Crossed, "{on}");
        // The patient is across: the companions follow one by one.
        for member in ["C-1", "C-2"] {
            record(&store, "P-1", Some(member), GateOutcome::Crossed)
                .await
                .unwrap();
            assert_eq!(status(&store, member).await, Status::Crossed, "{on}");
        }
        let history = store.person(&id("C-1")).await.unwrap().unwrap().events;
        let actions: Vec<String> = history
            .iter()
            .filter_map(|e| e.action.as_ref().map(|a| a.kind().to_string()))
            .collect();
        assert_eq!(
            &actions[actions.len() - 3..],
            ["unschedule", "undo-gate", "cross"],
            "{on}"
        );
        let audit = store.audit_tail(20).await.unwrap();
        let gate: Vec<(&str, &str)> = audit
            .iter()
            .filter(|e| e.action.starts_with("gate."))
            .map(|e| (e.action.as_str(), e.subject.as_str()))
            .collect();
        assert_eq!(gate.len(), 6, "{on}: one entry per tap: {gate:?}");
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_child_keeps_a_companion_and_crosses_only_with_one() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        load_reference(&store).await;
        register(
            &store,
            vec![
                patient("P-2", 2015, Tier::Critical, date(2025, 6, 1)),
                companion("C-3", "P-2"),
                companion("C-4", "P-2"),
            ],
        )
        .await;
        use ClearanceOutcome::Cleared;
        clear(
            &store,
            &["P-2"],
            &[("P-2", Cleared), ("C-3", Cleared), ("C-4", Cleared)],
        )
        .await;
        confirm(
            &store,
            DAY,
            Direction::Outbound,
            &[("P-2", &["C-3", "C-4"], Some("eg-1"))],
        )
        .await
        .unwrap();
        record(&store, "P-2", Some("C-3"), GateOutcome::TurnedBack)
            .await
            .unwrap();
        let last = refused(record(&store, "P-2", Some("C-4"), GateOutcome::TurnedBack).await);
        assert!(
            last.contains("P-2 is a child and would have no companion left"),
            "{on}: {last}"
        );
        let alone = refused(record(&store, "P-2", Some("P-2"), GateOutcome::Crossed).await);
        assert!(
            alone.contains("P-2 is a child and crosses only with a companion"),
            "{on}: {alone}"
        );
        assert_eq!(status(&store, "C-4").await, Status::Scheduled, "{on}");
        let together = record(&store, "P-2", None, GateOutcome::Crossed)
            .await
            .unwrap();
        assert_eq!(together, ["P-2", "C-4"], "{on}");
        let undo_companion = refused(undo_member(&store, "P-2", "C-4").await);
        assert!(
            undo_companion.contains("P-2 is a child and crosses only with a companion"),
            "{on}: {undo_companion}"
        );
        assert_eq!(status(&store, "C-4").await, Status::Crossed, "{on}");
    }
}

/// The patient's record as a form would give a new companion.
fn replacement(store_patient: &corridor_domain::NewPerson, old: &str, new: &str) -> Replacement {
    let fields = CompanionFields {
        id: Some(new),
        name: Some("Huda"),
        relationship: "sibling",
        birth_year: "1992",
        sex: "female",
        legal_basis: None,
    };
    Replacement::parse(
        store_patient,
        old,
        &fields,
        "denied clearance; her sister travels instead",
        TODAY,
        &mut || 1,
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_companion_who_cannot_travel_is_replaced_and_the_patient_keeps_their_place() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        load_reference(&store).await;
        store
            .add_crossing_rules(
                &CrossingRules::new(
                    rafah(),
                    TODAY,
                    None,
                    1,
                    false,
                    Text::parse("source", "reported rules", 200).unwrap(),
                )
                .unwrap(),
                now(),
                "coordinator",
            )
            .await
            .unwrap();
        register(
            &store,
            vec![
                patient("P-1", 1970, Tier::Critical, date(2025, 6, 1)),
                companion("C-1", "P-1"),
            ],
        )
        .await;
        let patient = store.person(&id("P-1")).await.unwrap().unwrap();
        let not_yet = refused(
            store
                .replace_companion(&replacement(&patient.person, "C-1", "C-2"), now(), "c")
                .await,
        );
        assert!(
            not_yet.contains("the companion is listed; only a companion who cannot travel"),
            "{on}: {not_yet}"
        );
        use ClearanceOutcome::{Cleared, Denied};
        clear(&store, &["P-1"], &[("P-1", Cleared), ("C-1", Denied)]).await;
        let before = store.person(&id("P-1")).await.unwrap().unwrap();
        let standing = store.companions_of(&id("P-1")).await.unwrap();
        assert!(standing[0].replaceable, "{on}");

        let done = store
            .replace_companion(&replacement(&patient.person, "C-1", "C-2"), now(), "c")
            .await
            .unwrap();
        assert!(done.withdrawn, "{on}");
        assert_eq!(done.replacement, id("C-2"), "{on}");
        // The old companion keeps their history, withdrawn as replaced.
        let old = store.person(&id("C-1")).await.unwrap().unwrap();
        assert_eq!(old.line.status, Status::Withdrawn, "{on}");
        let last = old.events.last().unwrap();
        let reason = last.action.as_ref().and_then(Action::reason).unwrap();
        assert_eq!(reason.code.as_str(), "replaced", "{on}");
        assert_eq!(
            reason.note.as_ref().map(Text::as_str),
            Some("denied clearance; her sister travels instead")
        );
        assert!(old.events.iter().any(|e| e.to == Status::Denied), "{on}");
        // The new one starts listed, for the same patient, needing clearance.
        let new = store.person(&id("C-2")).await.unwrap().unwrap();
        assert_eq!(new.line.status, Status::Listed, "{on}");
        assert_eq!(new.person.companion_of(), Some(&id("P-1")), "{on}");
        // The patient is untouched: same line, same referral.
        let after = store.person(&id("P-1")).await.unwrap().unwrap();
        assert_eq!(after.line, before.line, "{on}");
        assert_eq!(after.person, before.person, "{on}");
        let standing = store.companions_of(&id("P-1")).await.unwrap();
        let links: Vec<(String, Option<String>, Option<String>, bool)> = standing
            .iter()
            .map(|c| {
                (
                    c.id.to_string(),
                    c.replaced_by.as_ref().map(ToString::to_string),
                    c.replaces.as_ref().map(ToString::to_string),
                    c.replaceable,
                )
            })
            .collect();
        assert_eq!(
            links,
            [
                ("C-1".to_string(), Some("C-2".to_string()), None, false),
                ("C-2".to_string(), None, Some("C-1".to_string()), false),
            ],
            "{on}"
        );

        // Once only; the limit still counts the new companion; the
        // replaced one is not put back.
        let twice = refused(
            store
                .replace_companion(&replacement(&patient.person, "C-1", "C-3"), now(), "c")
                .await,
        );
        assert!(
            twice.contains("C-1 was already replaced by C-2"),
            "{on}: {twice}"
        );
        let over = refused(register_one(&store, &companion("C-4", "P-1")).await);
        assert!(over.contains("allow at most 1 per patient"), "{on}: {over}");
        let reinstate = refused(
            store
                .transition(
                    &id("C-1"),
                    None,
                    Action::Reinstate {
                        reason: reason_of(ReasonKind::Reinstated),
                    },
                    None,
                    now(),
                    "c",
                )
                .await,
        );
        assert!(
            reinstate.contains("C-1 was replaced by C-2"),
            "{on}: {reinstate}"
        );
        let stranger = refused(
            store
                .replace_companion(&replacement(&patient.person, "C-2", "C-5"), now(), "c")
                .await,
        );
        assert!(
            stranger.contains("the companion is listed"),
            "{on}: {stranger}"
        );
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
    }
}

fn reason_of(kind: ReasonKind) -> corridor_domain::Reason {
    reason(kind, "other", Some("recorded in error"))
}

/// Registers one more companion the way every registration does.
async fn register_one(
    store: &Store,
    person: &corridor_domain::NewPerson,
) -> Result<(), StoreError> {
    let case = corridor_domain::Case::register(person.clone(), now(), "tester");
    store
        .insert_cases(
            &[case],
            &audit("person.register"),
            ImportMode::Commit,
            &mut |_| {},
        )
        .await
}
