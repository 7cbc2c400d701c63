//! The night before a crossing day, on every database: contacts added and
//! removed (audited), assembly points given to parties, calls recorded
//! (the latest counts, all kept), a decline freeing the party's places as a
//! no-show does (people back to cleared, beds released), an unreachable
//! party freed at the cut-off (explicitly or by the first read after it),
//! and calls refused on a day that is not confirmed.

use corridor_domain::{
    CallOutcome, CallRecording, ClearanceOutcome, Direction, NewAssemblyPoint, NewContact,
    ReasonKind, Status, Tier, parse_cut_off,
};
use corridor_store::{
    CallRecord, DayRule, EntryState, ImportMode, Store, StoreError, Submission, Thing,
};
use jiff::Timestamp;
use jiff::civil::{Date, date};

use crate::crossing_days::{confirm, decide};
use crate::*;

const DAY: Date = date(2026, 2, 2);

fn rafah() -> corridor_domain::CrossingId {
    corridor_domain::CrossingId::parse("rafah").unwrap()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// Before the default cut-off (22:00 UTC the evening before the day).
fn evening() -> Timestamp {
    at("2026-02-01T19:00:00Z")
}

/// After it.
fn late_night() -> Timestamp {
    at("2026-02-01T23:30:00Z")
}

async fn call(
    store: &Store,
    party: &str,
    outcome: &str,
    reason: Option<&str>,
    seen: Option<u32>,
    when: Timestamp,
) -> Result<corridor_store::CallRecorded, StoreError> {
    store
        .record_call(
            &CallRecord {
                crossing: rafah(),
                date: DAY,
                party: id(party),
                recording: CallRecording::parse(outcome, reason).unwrap(),
                seen_attempts: seen,
            },
            when,
            "liaison",
        )
        .await
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

async fn states(store: &Store) -> Vec<(String, EntryState)> {
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

/// Two parties cleared and confirmed on DAY (the test quota's three
/// places): P-1 with C-1, and P-2.
pub(crate) async fn confirmed_day(store: &Store) {
    load_reference(store).await;
    register(
        store,
        vec![
            patient("P-1", 1970, Tier::Critical, date(2025, 6, 1)),
            companion("C-1", "P-1"),
            patient("P-2", 1980, Tier::Critical, date(2025, 6, 2)),
        ],
    )
    .await;
    for person in ["P-1", "P-2"] {
        store
            .transition(
                &id(person),
                None,
                corridor_domain::Action::List,
                None,
                now(),
                "c",
            )
            .await
            .unwrap();
    }
    let batch = store
        .submit_clearance(
            &Submission {
                crossing: rafah(),
                direction: Direction::Outbound,
                needed_by: date(2026, 2, 3),
                people: ["P-1", "C-1", "P-2"].iter().map(|p| id(p)).collect(),
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
        store,
        &batch.id,
        &[("P-1", Cleared), ("C-1", Cleared), ("P-2", Cleared)],
    )
    .await;
    confirm(
        store,
        DAY,
        Direction::Outbound,
        &[("P-1", &["C-1"], Some("eg-1")), ("P-2", &[], Some("eg-1"))],
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_are_added_listed_and_removed_each_audited() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        load_reference(&store).await;
        register(
            &store,
            vec![patient("P-1", 1970, Tier::Urgent, date(2025, 6, 1))],
        )
        .await;
        let mother = NewContact::parse("+999 59-123-4567", "mother", Some("ar")).unwrap();
        let added = store
            .add_contact(&id("P-1"), &mother, now(), "referrer")
            .await
            .unwrap();
        assert_eq!(added.number, 1, "{on}");
        assert_eq!(added.phone.as_str(), "+999591234567", "{on}");
        let entry = &store.audit_tail(1).await.unwrap()[0];
        assert_eq!(entry.action, "contact.add", "{on}");
        assert_eq!(entry.subject, "P-1", "{on}");
        // The audit log names the contact, never the number.
        assert!(
            !entry.detail.contains("591234567"),
            "{on}: {}",
            entry.detail
        );

        // The same number twice is refused at the field.
        let twice = store
            .add_contact(&id("P-1"), &mother, now(), "referrer")
            .await
            .unwrap_err();
        assert!(
            matches!(&twice, StoreError::Invalid { invalid, .. } if invalid.field == "phone"),
            "{on}: {twice}"
        );
        let patient_phone = NewContact::parse("+9995 9765 4321", "patient", Some("en")).unwrap();
        store
            .add_contact(&id("P-1"), &patient_phone, now(), "referrer")
            .await
            .unwrap();
        let unknown = store
            .add_contact(&id("P-404"), &patient_phone, now(), "referrer")
            .await
            .unwrap_err();
        assert!(
            matches!(
                unknown,
                StoreError::NotFound {
                    thing: Thing::Person,
                    ..
                }
            ),
            "{on}"
        );

        let removed = store
            .remove_contact(&id("P-1"), 1, now(), "referrer")
            .await
            .unwrap();
        assert_eq!(removed.label.as_str(), "mother", "{on}");
        assert_eq!(
            store.audit_tail(1).await.unwrap()[0].action,
            "contact.remove"
        );
        let left = store.contacts(&id("P-1")).await.unwrap();
        assert_eq!(left.len(), 1, "{on}");
        assert_eq!(left[0].number, 2, "{on}");
        assert_eq!(left[0].label.as_str(), "patient", "{on}");
        // Removed once; its number is not given to the next one.
        let again = store
            .remove_contact(&id("P-1"), 1, now(), "referrer")
            .await
            .unwrap_err();
        assert!(
            matches!(
                again,
                StoreError::NotFound {
                    thing: Thing::Contact,
                    ..
                }
            ),
            "{on}: {again}"
        );
        let third = store
            .add_contact(&id("P-1"), &mother, now(), "referrer")
            .await
            .unwrap();
        assert_eq!(third.number, 3, "{on}");
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_are_refused_on_a_day_that_is_not_confirmed() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        load_reference(&store).await;
        register(
            &store,
            vec![patient("P-1", 1970, Tier::Urgent, date(2025, 6, 1))],
        )
        .await;
        let error = call(&store, "P-1", "confirmed", None, None, evening())
            .await
            .unwrap_err();
        match &error {
            StoreError::DayRule { rule, detail } => {
                assert_eq!(*rule, DayRule::Plan, "{on}");
                assert!(
                    detail.contains("no manifest of rafah on 2026-02-02 is confirmed"),
                    "{on}: {detail}"
                );
            }
            other => panic!("{on}: {other}"),
        }
        let list = store
            .call_list(&rafah(), DAY, evening(), "liaison")
            .await
            .unwrap();
        assert!(!list.confirmed, "{on}");
        assert!(list.parties.is_empty(), "{on}");
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_decline_frees_the_party_as_a_no_show_does() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        confirmed_day(&store).await;
        assert_eq!(held_at_eg1(&store).await, 2, "{on}");
        store
            .add_contact(
                &id("C-1"),
                &NewContact::parse("+999 59 111 2222", "son", None).unwrap(),
                now(),
                "c",
            )
            .await
            .unwrap();
        // Assembly points: the first is everyone's until a party is moved.
        for (place, time) in [
            ("Nasser hospital gate", "05:30"),
            ("Khan Younis school", "06:00"),
        ] {
            store
                .add_assembly_point(
                    &rafah(),
                    DAY,
                    &NewAssemblyPoint::parse(place, time).unwrap(),
                    now(),
                    "coordinator",
                )
                .await
                .unwrap();
        }
        store
            .assign_assembly_point(&rafah(), DAY, &id("P-2"), 2, now(), "coordinator")
            .await
            .unwrap();
        let moved_companion = store
            .assign_assembly_point(&rafah(), DAY, &id("C-1"), 2, now(), "coordinator")
            .await
            .unwrap_err();
        assert!(
            moved_companion.to_string().contains("travels with P-1"),
            "{on}: {moved_companion}"
        );

        // Confirmed, then corrected: the latest counts, both are kept.
        call(&store, "P-1", "confirmed", None, Some(0), evening())
            .await
            .unwrap();
        // A companion is called through the party's head.
        let companion = call(&store, "C-1", "confirmed", None, None, evening())
            .await
            .unwrap_err();
        assert!(companion.to_string().contains("travels with P-1"), "{on}");
        // A decline needs a reason (the domain's parse says so).
        let no_reason = CallRecording::parse("declined", None).unwrap_err();
        assert_eq!(no_reason.field, "reason");
        let declined = call(
            &store,
            "P-1",
            "declined",
            Some("too ill to travel this week"),
            Some(1),
            evening(),
        )
        .await
        .unwrap();
        assert_eq!(declined.attempt, 2, "{on}");
        assert_eq!(declined.freed, [id("P-1"), id("C-1")], "{on}");
        // Freed exactly as a no-show is: back to cleared, the bed released.
        for person in ["P-1", "C-1"] {
            assert_eq!(
                status(&store, person).await,
                Status::Cleared,
                "{on} {person}"
            );
        }
        assert_eq!(held_at_eg1(&store).await, 1, "{on}");
        let after = states(&store).await;
        assert!(
            after.contains(&("P-1".to_string(), EntryState::Declined))
                && after.contains(&("C-1".to_string(), EntryState::Declined)),
            "{on}: {after:?}"
        );
        assert!(EntryState::Declined.frees_place(), "{on}");
        let manifest = store
            .manifest(&rafah(), DAY, Direction::Outbound)
            .await
            .unwrap()
            .unwrap();
        let p1 = manifest
            .entries
            .iter()
            .find(|e| e.person == id("P-1"))
            .unwrap();
        let reason = p1.state_reason.as_ref().unwrap();
        assert_eq!(reason.kind, ReasonKind::Unscheduled, "{on}");
        assert_eq!(reason.code.as_str(), "declined-on-call", "{on}");
        assert_eq!(
            reason.note.as_ref().map(|n| n.as_str()),
            Some("too ill to travel this week"),
            "{on}"
        );
        let reconciliation = store.reconciliation(&rafah(), DAY).await.unwrap();
        assert_eq!(reconciliation.back_on_the_list().len(), 2, "{on}");

        // A double tap of the same form records once; another outcome on a
        // stale form is refused; a freed party is not called again.
        let repeated = call(
            &store,
            "P-1",
            "declined",
            Some("too ill to travel this week"),
            Some(1),
            evening(),
        )
        .await
        .unwrap();
        assert!(repeated.repeated, "{on}");
        assert_eq!(repeated.attempt, 2, "{on}");
        let stale = call(&store, "P-1", "confirmed", None, Some(1), evening())
            .await
            .unwrap_err();
        assert!(
            matches!(stale, StoreError::ChangedMeanwhile(_)),
            "{on}: {stale}"
        );
        let freed = call(&store, "P-1", "confirmed", None, Some(2), evening())
            .await
            .unwrap_err();
        assert!(
            matches!(&freed, StoreError::DayRule { rule: DayRule::Calls, detail } if detail.contains("gave up its places")),
            "{on}: {freed}"
        );

        let list = store
            .call_list(&rafah(), DAY, evening(), "liaison")
            .await
            .unwrap();
        assert!(list.confirmed, "{on}");
        assert_eq!(list.parties.len(), 2, "{on}");
        let p1 = &list.parties[0];
        assert_eq!(p1.head().person, id("P-1"), "{on}");
        assert_eq!(p1.members.len(), 2, "{on}");
        assert_eq!(p1.calls.len(), 2, "{on}");
        assert_eq!(p1.latest().unwrap().outcome, CallOutcome::Declined, "{on}");
        assert_eq!(
            p1.members[1].contacts[0].phone.as_str(),
            "+999591112222",
            "{on}"
        );
        assert_eq!(p1.point.as_ref().unwrap().number, 1, "{on}");
        let p2 = list
            .parties
            .iter()
            .find(|p| p.head().person == id("P-2"))
            .unwrap();
        assert_eq!(
            p2.point.as_ref().unwrap().place.as_str(),
            "Khan Younis school",
            "{on}"
        );
        let points = store.party_points(&rafah(), DAY).await.unwrap();
        assert_eq!(points.point_of(&id("P-1")).unwrap().number, 1, "{on}");
        assert_eq!(points.point_of(&id("P-2")).unwrap().number, 2, "{on}");
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_party_is_freed_at_the_cut_off() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        confirmed_day(&store).await;
        call(
            &store,
            "P-1",
            "unreachable",
            Some("phone off"),
            None,
            evening(),
        )
        .await
        .unwrap();
        call(&store, "P-2", "unreachable", None, None, evening())
            .await
            .unwrap();
        // P-2 answered after all: confirmed is the latest.
        call(&store, "P-2", "confirmed", None, None, evening())
            .await
            .unwrap();
        // Before the cut-off an unreachable party keeps its places.
        assert_eq!(status(&store, "P-1").await, Status::Scheduled, "{on}");
        let early = store
            .apply_cut_off(&rafah(), DAY, evening(), "liaison")
            .await
            .unwrap_err();
        assert!(
            matches!(&early, StoreError::DayRule { rule: DayRule::Calls, detail } if detail.contains("has not passed")),
            "{on}: {early}"
        );
        let list = store
            .call_list(&rafah(), DAY, evening(), "liaison")
            .await
            .unwrap();
        assert!(list.freed_now.is_empty(), "{on}");

        // After it, the first read frees P-1's party, and only it.
        let list = store
            .call_list(&rafah(), DAY, late_night(), "liaison")
            .await
            .unwrap();
        assert_eq!(list.freed_now, [id("P-1")], "{on}");
        let entry = &store.audit_tail(1).await.unwrap()[0];
        assert_eq!(entry.action, "calls.apply-cut-off", "{on}");
        assert!(
            entry.detail.contains("\"lazy\":true"),
            "{on}: {}",
            entry.detail
        );
        for person in ["P-1", "C-1"] {
            assert_eq!(
                status(&store, person).await,
                Status::Cleared,
                "{on} {person}"
            );
        }
        assert_eq!(status(&store, "P-2").await, Status::Scheduled, "{on}");
        assert_eq!(held_at_eg1(&store).await, 1, "{on}");
        let after = states(&store).await;
        assert!(
            after.contains(&("C-1".to_string(), EntryState::Unreachable)),
            "{on}: {after:?}"
        );
        // A second read and the explicit command find nobody left to free.
        let again = store
            .call_list(&rafah(), DAY, late_night(), "liaison")
            .await
            .unwrap();
        assert!(again.freed_now.is_empty(), "{on}");
        let explicit = store
            .apply_cut_off(&rafah(), DAY, late_night(), "liaison")
            .await
            .unwrap();
        assert!(explicit.is_empty(), "{on}");
        assert_eq!(
            store.audit_tail(1).await.unwrap()[0].action,
            "calls.apply-cut-off",
            "{on}"
        );

        // Unreachable after the cut-off frees at once.
        let late = call(&store, "P-2", "unreachable", None, None, late_night())
            .await
            .unwrap();
        assert_eq!(late.attempt, 3, "{on}");
        assert_eq!(late.freed, [id("P-2")], "{on}");
        assert_eq!(status(&store, "P-2").await, Status::Cleared, "{on}");
        assert_eq!(held_at_eg1(&store).await, 0, "{on}");
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cut_off_set_for_the_day_is_the_one_applied() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        confirmed_day(&store).await;
        assert_eq!(
            store.cut_off(&rafah(), DAY).await.unwrap(),
            date(2026, 2, 1).at(22, 0, 0, 0),
            "{on}"
        );
        store
            .set_cut_off(
                &rafah(),
                DAY,
                parse_cut_off(DAY, "18:00").unwrap(),
                now(),
                "coordinator",
            )
            .await
            .unwrap();
        call(&store, "P-2", "unreachable", None, None, now())
            .await
            .unwrap();
        // 19:00 is after the day's own cut-off of 18:00.
        let freed = store
            .apply_cut_off(&rafah(), DAY, evening(), "liaison")
            .await
            .unwrap();
        assert_eq!(freed, [id("P-2")], "{on}");
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_liaisons_recording_at_once_record_one_call() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        confirmed_day(&store).await;
        let (first, second) = tokio::join!(
            call(&store, "P-2", "confirmed", None, Some(0), evening()),
            call(&store, "P-2", "unreachable", None, Some(0), evening()),
        );
        let results = [first, second];
        let recorded = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(recorded, 1, "{on}: {results:?}");
        assert!(
            results
                .iter()
                .any(|r| matches!(r, Err(StoreError::ChangedMeanwhile(_)))),
            "{on}: {results:?}"
        );
        let list = store
            .call_list(&rafah(), DAY, evening(), "liaison")
            .await
            .unwrap();
        let p2 = list
            .parties
            .iter()
            .find(|p| p.head().person == id("P-2"))
            .unwrap();
        assert_eq!(p2.calls.len(), 1, "{on}");
        database.drop_database().await;
    }
}
