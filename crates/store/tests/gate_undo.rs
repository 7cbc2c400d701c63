//! Undoing a gate outcome tapped in error, on every database: only on the
//! crossing day, for the whole party, back to expected with the booking,
//! the manifest entry and the bed as before the tap, or refused when the
//! bed has gone meanwhile; and outcomes wait for their day.

use corridor_domain::{
    Action, ClearanceOutcome, Direction, GateOutcome, Reason, ReasonKind, Status, Text, Tier,
};
use corridor_store::{
    Destination, EntryState, GateRecording, GateUndo, Store, StoreError, Submission,
};
use jiff::civil::{Date, date};

use crate::crossing_days::{confirm, decide};
use crate::*;

const DAY: Date = date(2026, 2, 2);

fn rafah() -> corridor_domain::CrossingId {
    corridor_domain::CrossingId::parse("rafah").unwrap()
}

async fn record(
    store: &Store,
    person: &str,
    outcome: GateOutcome,
    at: jiff::Timestamp,
) -> Result<corridor_store::GateRecord, StoreError> {
    let reason = (outcome == GateOutcome::TurnedBack).then(|| {
        Reason::parse(ReasonKind::TurnedBack, Some("documents-not-accepted"), None).unwrap()
    });
    store
        .record_gate(
            &GateRecording {
                crossing: rafah(),
                date: DAY,
                person: id(person),
                outcome,
                reason,
            },
            at,
            "officer",
        )
        .await
}

async fn undo(
    store: &Store,
    person: &str,
    at: jiff::Timestamp,
) -> Result<corridor_store::GateUndone, StoreError> {
    store
        .undo_gate(
            &GateUndo {
                crossing: rafah(),
                date: DAY,
                person: id(person),
                reason: Text::parse("reason", "tapped the wrong card", 500).unwrap(),
            },
            at,
            "officer",
        )
        .await
}

async fn line(store: &Store, person: &str) -> corridor_domain::StatusLine {
    store.person(&id(person)).await.unwrap().unwrap().line
}

async fn entry_states(store: &Store) -> Vec<(String, EntryState)> {
    store
        .manifest(&rafah(), DAY, Direction::Outbound)
        .await
        .unwrap()
        .unwrap()
        .entries
        .iter()
        .map(|e| (e.person.to_string(), e.state))
        .collect()
}

async fn held_at_eg1(store: &Store) -> u32 {
    store
        .bed_board(DAY)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.facility.as_str() == "eg-1")
        .unwrap()
        .held
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gate_outcome_is_undone_on_its_day_with_the_bed_held_again() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        load_reference(&store).await;
        register(
            &store,
            vec![
                patient("P-1", 1970, Tier::Critical, date(2025, 6, 1)),
                companion("C-1", "P-1"),
                patient("P-2", 1980, Tier::Critical, date(2025, 6, 2)),
            ],
        )
        .await;
        for person in ["P-1", "P-2"] {
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
                    people: vec![id("P-1"), id("C-1"), id("P-2")],
                    note: None,
                },
                ImportMode::Commit,
                TODAY,
                now(),
                "c",
            )
            .await
            .unwrap();
        use ClearanceOutcome::Cleared;
        decide(
            &store,
            &batch.id,
            &[("P-1", Cleared), ("C-1", Cleared), ("P-2", Cleared)],
        )
        .await;
        confirm(
            &store,
            DAY,
            Direction::Outbound,
            &[("P-1", &["C-1"], Some("eg-1")), ("P-2", &[], Some("eg-1"))],
        )
        .await
        .unwrap();
        assert_eq!(held_at_eg1(&store).await, 2, "{on}");

        // Tomorrow has not come: no outcome yet.
        let early = record(&store, "P-1", GateOutcome::Crossed, now())
            .await
            .unwrap_err();
        assert!(
            early.to_string().contains("2026-02-02 has not come yet"),
            "{on}: {early}"
        );
        let at = on_the_day(DAY);
        record(&store, "P-1", GateOutcome::Crossed, at)
            .await
            .unwrap();
        assert_eq!(line(&store, "C-1").await.status, Status::Crossed, "{on}");

        // Only on the day, only on the party's head, only what was recorded.
        let not_today = undo(&store, "P-1", now()).await.unwrap_err();
        assert!(
            not_today
                .to_string()
                .contains("undone only on its crossing day"),
            "{on}: {not_today}"
        );
        let companion = undo(&store, "C-1", at).await.unwrap_err();
        assert!(
            companion.to_string().contains("travels with P-1"),
            "{on}: {companion}"
        );
        let nothing = undo(&store, "P-2", at).await.unwrap_err();
        assert!(
            nothing.to_string().contains("still expected"),
            "{on}: {nothing}"
        );

        // A wrong "crossed": the party is expected again, booked as before.
        let undone = undo(&store, "P-1", at).await.unwrap();
        assert_eq!(undone.people, [id("P-1"), id("C-1")], "{on}");
        assert_eq!(undone.undone, EntryState::Crossed);
        assert_eq!(undone.bed_held_at, None);
        for person in ["P-1", "C-1"] {
            let line = line(&store, person).await;
            assert_eq!(line.status, Status::Scheduled, "{on} {person}");
            assert_eq!(line.booking.unwrap().date, DAY, "{on} {person}");
        }
        let record_p1 = store.person(&id("P-1")).await.unwrap().unwrap();
        let last = record_p1.events.last().unwrap();
        assert_eq!(last.from, Some(Status::Crossed));
        assert_eq!(
            last.note.as_ref().map(Text::as_str),
            Some("tapped the wrong card")
        );
        assert!(matches!(last.action, Some(Action::UndoGate { .. })));
        assert!(
            entry_states(&store)
                .await
                .iter()
                .all(|(_, state)| *state == EntryState::Expected),
            "{on}"
        );
        assert_eq!(held_at_eg1(&store).await, 2, "{on}");
        let again = undo(&store, "P-1", at).await.unwrap_err();
        assert!(again.to_string().contains("still expected"), "{on}");

        // A wrong turn-back: the bed it released is held again.
        record(&store, "P-1", GateOutcome::TurnedBack, at)
            .await
            .unwrap();
        assert_eq!(held_at_eg1(&store).await, 1, "{on}");
        assert_eq!(line(&store, "P-1").await.status, Status::Cleared, "{on}");
        let undone = undo(&store, "P-1", at).await.unwrap();
        assert_eq!(undone.undone, EntryState::TurnedBack);
        assert_eq!(undone.bed_held_at.as_deref(), Some("eg-1"), "{on}");
        assert_eq!(held_at_eg1(&store).await, 2, "{on}");
        assert_eq!(line(&store, "P-1").await.status, Status::Scheduled, "{on}");
        assert_eq!(line(&store, "C-1").await.status, Status::Scheduled, "{on}");

        // A crossing undone does not count as an evacuation.
        record(&store, "P-1", GateOutcome::Crossed, at)
            .await
            .unwrap();
        let crossed: u64 = store
            .evacuations(DAY, DAY)
            .await
            .unwrap()
            .iter()
            .map(|count| count.count)
            .sum();
        assert_eq!(crossed, 2, "{on}");

        // A no-show whose bed can no longer be held stands, and says why.
        record(&store, "P-2", GateOutcome::NoShow, at)
            .await
            .unwrap();
        let eg1 = corridor_domain::FacilityId::parse("eg-1").unwrap();
        store
            .set_destination_open(
                Destination::Facility(&eg1),
                false,
                &Text::parse("reason", "no more beds", 200).unwrap(),
                at,
                "liaison",
            )
            .await
            .unwrap();
        let refused = undo(&store, "P-2", at).await.unwrap_err();
        assert!(matches!(refused, StoreError::Refused(_)), "{on}: {refused}");
        assert!(
            refused.to_string().contains("eg-1") && refused.to_string().contains("closed"),
            "{on}: {refused}"
        );
        assert_eq!(line(&store, "P-2").await.status, Status::Cleared, "{on}");
        assert!(
            entry_states(&store)
                .await
                .contains(&("P-2".to_string(), EntryState::NoShow)),
            "{on}"
        );

        // The generic transition cannot undo a gate outcome behind the
        // manifest's back.
        let generic = store
            .transition(
                &id("P-2"),
                None,
                Action::UndoGate {
                    booking: corridor_domain::Booking {
                        date: DAY,
                        crossing: rafah(),
                    },
                },
                None,
                at,
                "c",
            )
            .await
            .unwrap_err();
        assert!(generic.to_string().contains("undone at the gate"), "{on}");

        let audit = store.audit_tail(1000).await.unwrap();
        assert_eq!(
            audit.iter().filter(|e| e.action == "gate.undo").count(),
            2,
            "{on}"
        );
        database.drop_database().await;
    }
}
