//! The standby list and amendments of a confirmed manifest, on every
//! database: confirming fixes a ranked standby list (companions count as
//! people); two declines free places; a fill takes the best standby party
//! that fits, audited, and leaves the list; a fill of a full manifest is
//! refused (the day's places are checked again); a party is removed with a
//! reason and another added by hand; and the errors say what to do.

use corridor_domain::{
    Action, AmendmentKind, CallRecording, ClearanceOutcome, Direction, NewContact, NoticeKind,
    Quota, QuotaCategory, Status, Text, Tier,
};
use corridor_planner::Method;
use corridor_store::{
    Amendment, CallRecord, ConfirmOptions, EntryState, ImportMode, NoticeFilter, Store, StoreError,
    Submission,
};
use jiff::Timestamp;
use jiff::civil::{Date, date};

use crate::crossing_days::decide;
use crate::*;

const DAY: Date = date(2026, 2, 2);

fn rafah() -> corridor_domain::CrossingId {
    corridor_domain::CrossingId::parse("rafah").unwrap()
}

fn evening() -> Timestamp {
    "2026-02-01T19:00:00Z".parse().unwrap()
}

/// The test reference with 5 outbound places and 10 open oncology beds at
/// eg-1.
pub(crate) async fn load_roomy_reference(store: &Store) {
    let mut data = reference();
    data.quotas = vec![
        Quota::new(
            rafah(),
            Direction::Outbound,
            QuotaCategory::Evacuees,
            5,
            TODAY,
            None,
        )
        .unwrap(),
        Quota::new(
            rafah(),
            Direction::Inbound,
            QuotaCategory::Returnees,
            3,
            TODAY,
            None,
        )
        .unwrap(),
    ];
    for facility in &mut data.facilities {
        if facility.id.as_str() == "eg-1" {
            facility.beds = vec![
                corridor_domain::BedCapacity::new(
                    corridor_domain::Specialty::Oncology,
                    10,
                    date(2026, 1, 15),
                    date(2026, 3, 31),
                )
                .unwrap(),
            ];
        }
    }
    store
        .load_dataset(
            &data,
            &[],
            &[],
            &[],
            &[],
            &audit("dataset.load"),
            &mut |_| {},
        )
        .await
        .unwrap();
}

/// Seven cleared patients (two with a companion) for a day of 5 places.
/// Confirmed: P-1 with C-1, P-2, P-3 (critical) and P-4 (urgent, longest
/// wait). Standby in 3 places: P-5 with C-5 (urgent), then P-6 (routine);
/// P-7 (routine, shorter wait) does not fit.
pub(crate) async fn confirmed_day(store: &Store, standby: Option<u32>) -> corridor_store::Manifest {
    load_roomy_reference(store).await;
    register(
        store,
        vec![
            patient("P-1", 1970, Tier::Critical, date(2025, 6, 1)),
            companion("C-1", "P-1"),
            patient("P-2", 1980, Tier::Critical, date(2025, 6, 2)),
            patient("P-3", 1980, Tier::Critical, date(2025, 6, 3)),
            patient("P-4", 1980, Tier::Urgent, date(2025, 1, 1)),
            patient("P-5", 1980, Tier::Urgent, date(2025, 2, 1)),
            companion("C-5", "P-5"),
            patient("P-6", 1980, Tier::Routine, date(2025, 1, 1)),
            patient("P-7", 1980, Tier::Routine, date(2025, 3, 1)),
        ],
    )
    .await;
    let patients = ["P-1", "P-2", "P-3", "P-4", "P-5", "P-6", "P-7"];
    for person in patients {
        store
            .transition(&id(person), None, Action::List, None, now(), "c")
            .await
            .unwrap();
    }
    let everyone = [
        "P-1", "C-1", "P-2", "P-3", "P-4", "P-5", "C-5", "P-6", "P-7",
    ];
    let batch = store
        .submit_clearance(
            &Submission {
                crossing: rafah(),
                direction: Direction::Outbound,
                needed_by: date(2026, 2, 3),
                people: everyone.iter().map(|p| id(p)).collect(),
                note: None,
            },
            ImportMode::Commit,
            TODAY,
            now(),
            "c",
        )
        .await
        .unwrap();
    let decisions: Vec<(&str, ClearanceOutcome)> = everyone
        .iter()
        .map(|p| (*p, ClearanceOutcome::Cleared))
        .collect();
    decide(store, &batch.id, &decisions).await;
    // P-5's family is told it is on standby; P-6 has no contact.
    store
        .add_contact(
            &id("P-5"),
            &NewContact::parse("+999 59 100 0005", "family", Some("en")).unwrap(),
            now(),
            "referrer",
        )
        .await
        .unwrap();
    let (manifest, _) = store
        .confirm_plan_with(
            &rafah(),
            DAY,
            Direction::Outbound,
            &ConfirmOptions {
                method: Method::Optimal,
                standby,
            },
            now(),
            "coordinator",
        )
        .await
        .unwrap();
    manifest
}

pub(crate) async fn decline(store: &Store, party: &str) {
    store
        .record_call(
            &CallRecord {
                crossing: rafah(),
                date: DAY,
                party: id(party),
                recording: CallRecording::parse("declined", Some("not ready")).unwrap(),
                seen_attempts: None,
            },
            evening(),
            "liaison",
        )
        .await
        .unwrap();
}

async fn amend(store: &Store, amendment: Amendment) -> Result<corridor_store::Amended, StoreError> {
    store
        .amend_manifest(
            &rafah(),
            DAY,
            Direction::Outbound,
            &amendment,
            evening(),
            "coordinator",
        )
        .await
}

async fn standby_names(store: &Store) -> Vec<String> {
    store
        .standby(&rafah(), DAY, Direction::Outbound)
        .await
        .unwrap()
        .iter()
        .map(|e| e.person.to_string())
        .collect()
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

fn parties(amended: &corridor_store::Amended) -> Vec<String> {
    amended
        .parties
        .iter()
        .map(|p| p.person.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn confirming_fixes_a_ranked_standby_list() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        let manifest = confirmed_day(&store, Some(3)).await;
        let people: Vec<&str> = manifest.entries.iter().map(|e| e.person.as_str()).collect();
        assert_eq!(people, ["P-1", "C-1", "P-2", "P-3", "P-4"], "{on}");
        let standby = store
            .standby(&rafah(), DAY, Direction::Outbound)
            .await
            .unwrap();
        let ranked: Vec<(u32, &str, u32)> = standby
            .iter()
            .map(|e| (e.rank, e.person.as_str(), e.people))
            .collect();
        assert_eq!(ranked, [(1, "P-5", 2), (2, "P-6", 1)], "{on}");
        assert_eq!(standby[0].companions, [id("C-5")], "{on}");
        assert_eq!(
            standby[0].facility.as_ref().map(|f| f.as_str()),
            Some("eg-1"),
            "{on}"
        );
        assert!(standby[0].score > standby[1].score, "{on}");
        assert!(
            standby[0].reason.contains("urgent"),
            "{on}: {}",
            standby[0].reason
        );
        assert!(standby.iter().all(|e| e.available), "{on}");
        let told: Vec<(NoticeKind, String)> = store
            .notices(&NoticeFilter::Date(DAY))
            .await
            .unwrap()
            .into_iter()
            .map(|n| (n.kind, n.person.as_str().to_string()))
            .collect();
        assert_eq!(told, [(NoticeKind::Standby, "P-5".to_string())], "{on}");
        let entry = &store.audit_tail(1).await.unwrap()[0];
        assert_eq!(entry.action, "manifest.confirm", "{on}");
        assert!(
            entry.detail.contains("\"standby\":[\"P-5\",\"P-6\"]"),
            "{on}: {}",
            entry.detail
        );
        // Nothing was freed yet.
        let freed = store
            .freed_places(&rafah(), DAY, Direction::Outbound)
            .await
            .unwrap();
        assert_eq!(
            (freed.places, freed.holding, freed.free()),
            (5, 5, 0),
            "{on}"
        );
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_standby_is_thirty_percent_of_the_quota() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        confirmed_day(&store, None).await;
        // 30 % of 5 places, rounded up: 2 people, so P-5's party of two.
        assert_eq!(standby_names(&store).await, ["P-5"], "{on}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn declines_are_filled_from_standby_and_audited() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        confirmed_day(&store, Some(3)).await;
        let full = amend(&store, Amendment::Fill).await.unwrap_err();
        assert!(
            full.to_string().contains("no places are free"),
            "{on}: {full}"
        );

        decline(&store, "P-2").await;
        decline(&store, "P-3").await;
        let freed = store
            .freed_places(&rafah(), DAY, Direction::Outbound)
            .await
            .unwrap();
        assert_eq!(freed.free(), 2, "{on}");
        let states: Vec<(&str, EntryState)> = freed
            .freed
            .iter()
            .map(|f| (f.person.as_str(), f.state))
            .collect();
        assert_eq!(
            states,
            [("P-2", EntryState::Declined), ("P-3", EntryState::Declined)],
            "{on}"
        );

        // Two places: P-5 with C-5 (urgent) is worth more than P-6 (routine).
        let filled = amend(&store, Amendment::Fill).await.unwrap();
        assert_eq!(filled.kind, AmendmentKind::Fill, "{on}");
        assert_eq!(filled.number, 1, "{on}");
        assert_eq!(parties(&filled), ["P-5"], "{on}");
        assert_eq!(filled.parties[0].companions, [id("C-5")], "{on}");
        assert_eq!(filled.free, 0, "{on}");
        assert_eq!(status(&store, "P-5").await, Status::Scheduled, "{on}");
        assert_eq!(status(&store, "C-5").await, Status::Scheduled, "{on}");
        let manifest = store
            .manifest(&rafah(), DAY, Direction::Outbound)
            .await
            .unwrap()
            .unwrap();
        let expected: Vec<&str> = manifest
            .entries
            .iter()
            .filter(|e| e.state == EntryState::Expected)
            .map(|e| e.person.as_str())
            .collect();
        assert_eq!(expected, ["P-1", "C-1", "P-4", "P-5", "C-5"], "{on}");
        assert_eq!(
            manifest
                .entries
                .last()
                .map(|e| e.facility.as_ref().map(|f| f.as_str())),
            Some(Some("eg-1")),
            "{on}"
        );
        // Filled parties leave the standby list.
        assert_eq!(standby_names(&store).await, ["P-6"], "{on}");
        let entry = &store.audit_tail(1).await.unwrap()[0];
        assert_eq!(entry.action, "manifest.amend", "{on}");
        assert_eq!(entry.subject, "rafah 2026-02-02 outbound", "{on}");
        assert!(
            entry.detail.contains("\"kind\":\"fill\""),
            "{on}: {}",
            entry.detail
        );
        assert!(entry.detail.contains("P-5"), "{on}: {}", entry.detail);
        // Places used: the two refilled people are not counted as planned.
        let day = store.utilisation(DAY, DAY).await.unwrap();
        let outbound = day
            .iter()
            .find(|d| d.direction == Direction::Outbound)
            .unwrap();
        assert_eq!(outbound.refilled, 2, "{on}");
        assert_eq!(outbound.freed.declined, 2, "{on}");
        assert_eq!(
            outbound.planned + outbound.refilled,
            7,
            "{on}: {outbound:?}"
        );

        // The manifest is full again: a second fill never goes over the places.
        let again = amend(&store, Amendment::Fill).await.unwrap_err();
        assert!(
            matches!(&again, StoreError::DayRule { .. }) && again.to_string().contains("5 places"),
            "{on}: {again}"
        );
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn parties_are_removed_with_a_reason_and_added_by_hand() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        confirmed_day(&store, Some(3)).await;
        let reason = Text::parse("reason", "too ill to travel tomorrow", 200).unwrap();

        let companion = amend(
            &store,
            Amendment::Remove {
                person: id("C-1"),
                reason: reason.clone(),
            },
        )
        .await
        .unwrap_err();
        assert!(
            companion.to_string().contains("C-1 travels with P-1"),
            "{on}: {companion}"
        );
        let stranger = amend(
            &store,
            Amendment::Remove {
                person: id("P-7"),
                reason: reason.clone(),
            },
        )
        .await
        .unwrap_err();
        assert!(
            stranger
                .to_string()
                .contains("not on the outbound manifest"),
            "{on}: {stranger}"
        );

        let removed = amend(
            &store,
            Amendment::Remove {
                person: id("P-4"),
                reason: reason.clone(),
            },
        )
        .await
        .unwrap();
        assert_eq!(removed.kind, AmendmentKind::Remove, "{on}");
        assert_eq!(removed.free, 1, "{on}");
        assert_eq!(status(&store, "P-4").await, Status::Cleared, "{on}");
        let manifest = store
            .manifest(&rafah(), DAY, Direction::Outbound)
            .await
            .unwrap()
            .unwrap();
        let p4 = manifest
            .entries
            .iter()
            .find(|e| e.person.as_str() == "P-4")
            .unwrap();
        assert_eq!(p4.state, EntryState::Removed, "{on}");
        let why = p4.state_reason.as_ref().unwrap();
        assert_eq!(why.code.as_str(), "removed-by-coordinator", "{on}");
        assert_eq!(
            why.note.as_ref().map(|n| n.as_str()),
            Some("too ill to travel tomorrow"),
            "{on}"
        );
        let entry = &store.audit_tail(1).await.unwrap()[0];
        assert_eq!(entry.action, "manifest.amend", "{on}");
        // The free text stays with the person, not in the audit log.
        assert!(!entry.detail.contains("too ill"), "{on}: {}", entry.detail);

        // A companion is not added alone; P-7 (not on standby) is.
        let alone = amend(
            &store,
            Amendment::Add {
                person: id("C-5"),
                facility: None,
            },
        )
        .await
        .unwrap_err();
        assert!(
            alone.to_string().contains("add the patient"),
            "{on}: {alone}"
        );
        let added = amend(
            &store,
            Amendment::Add {
                person: id("P-7"),
                facility: Some(corridor_domain::FacilityId::parse("eg-1").unwrap()),
            },
        )
        .await
        .unwrap();
        assert_eq!(added.number, 2, "{on}");
        assert_eq!(parties(&added), ["P-7"], "{on}");
        assert_eq!(added.free, 0, "{on}");
        assert_eq!(status(&store, "P-7").await, Status::Scheduled, "{on}");
        let no_room = amend(
            &store,
            Amendment::Add {
                person: id("P-6"),
                facility: None,
            },
        )
        .await
        .unwrap_err();
        assert!(
            no_room.to_string().contains("no places are free"),
            "{on}: {no_room}"
        );
        assert_eq!(standby_names(&store).await, ["P-5", "P-6"], "{on}");
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_day_that_is_not_confirmed_has_no_standby() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        load_roomy_reference(&store).await;
        let error = store
            .standby(&rafah(), DAY, Direction::Outbound)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("confirm the day first"),
            "{on}: {error}"
        );
        let error = amend(&store, Amendment::Fill).await.unwrap_err();
        assert!(
            error.to_string().contains("confirm the day first"),
            "{on}: {error}"
        );
    }
}

async fn cancel(
    store: &Store,
    direction: Direction,
    reason: &Text,
) -> Result<corridor_store::DayCancelled, StoreError> {
    store
        .cancel_day(&rafah(), DAY, direction, reason, evening(), "coordinator")
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_day_sends_everyone_back_and_tells_them() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        confirmed_day(&store, Some(3)).await;
        decline(&store, "P-3").await;
        store
            .add_contact(
                &id("P-2"),
                &NewContact::parse("+999 59 100 0002", "family", Some("ar")).unwrap(),
                now(),
                "referrer",
            )
            .await
            .unwrap();
        let reason = Text::parse("reason", "the crossing did not open", 500).unwrap();
        let cancelled = cancel(&store, Direction::Outbound, &reason).await.unwrap();
        // P-3 declined before: only the parties still expected are taken off.
        let heads: Vec<&str> = cancelled.parties.iter().map(|p| p.as_str()).collect();
        assert_eq!(heads, ["P-1", "P-2", "P-4"], "{on}");
        assert_eq!(cancelled.people, 4, "{on}");
        // P-2 (on the manifest) and P-5 (on standby) have a contact.
        assert_eq!(cancelled.notices, 2, "{on}");
        for person in ["P-1", "C-1", "P-2", "P-4", "P-5"] {
            assert_eq!(
                status(&store, person).await,
                Status::Cleared,
                "{on}: {person}"
            );
        }
        let told: Vec<(NoticeKind, String)> = store
            .notices(&NoticeFilter::Date(DAY))
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.kind == NoticeKind::DayCancelled)
            .map(|n| (n.kind, n.person.as_str().to_string()))
            .collect();
        assert_eq!(
            told,
            [
                (NoticeKind::DayCancelled, "P-2".to_string()),
                (NoticeKind::DayCancelled, "P-5".to_string())
            ],
            "{on}"
        );
        assert!(standby_names(&store).await.is_empty(), "{on}");
        let manifest = store
            .manifest(&rafah(), DAY, Direction::Outbound)
            .await
            .unwrap()
            .unwrap();
        let cancellation = manifest.cancelled.as_ref().expect("marked cancelled");
        assert_eq!(cancellation.reason, "the crossing did not open", "{on}");
        assert_eq!(cancellation.by, "coordinator", "{on}");
        assert!(
            manifest
                .entries
                .iter()
                .all(|e| e.state != EntryState::Expected),
            "{on}"
        );
        let entry = &store.audit_tail(1).await.unwrap()[0];
        assert_eq!(entry.action, "manifest.cancel", "{on}");

        // A cancelled day is not amended or cancelled again.
        for refused in [
            amend(&store, Amendment::Fill).await.unwrap_err(),
            cancel(&store, Direction::Outbound, &reason)
                .await
                .unwrap_err(),
        ] {
            assert!(
                refused.to_string().contains("was cancelled"),
                "{on}: {refused}"
            );
        }
        // A day never confirmed cannot be cancelled.
        let unknown = cancel(&store, Direction::Inbound, &reason)
            .await
            .unwrap_err();
        assert!(
            unknown.to_string().contains("not confirmed"),
            "{on}: {unknown}"
        );
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
        database.drop_database().await;
    }
}
