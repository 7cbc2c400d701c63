//! The notices outbox, on every database: notices queued in the same
//! transaction as their event (listed, clearance denied or delayed,
//! scheduled), only for parties with a contact and in the contact's
//! language; a refused change queues nothing; claims never hand one notice
//! to two senders; failures back off; delivery reports are idempotent.

use corridor_domain::{
    Action, ClearanceOutcome, DeliveryStatus, Direction, Language, NewAssemblyPoint, NewContact,
    NoticeChannel, NoticeKind, NoticeState, Tier,
};
use corridor_store::{NoticeFilter, NoticeRef, Store, StoreError, Submission};
use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};

use crate::crossing_days::{confirm, decide};
use crate::*;

const DAY: Date = date(2026, 2, 2);

fn rafah() -> corridor_domain::CrossingId {
    corridor_domain::CrossingId::parse("rafah").unwrap()
}

fn later(seconds: i64) -> Timestamp {
    now()
        .saturating_add(SignedDuration::from_secs(seconds))
        .unwrap()
}

async fn kinds(store: &Store, person: &str) -> Vec<(NoticeKind, Language, String)> {
    store
        .notices(&NoticeFilter::Person(id(person)))
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.kind, n.language, n.recipient.to_string()))
        .collect()
}

/// P-1 (with companion C-1, contact in Arabic), P-2 (contact in English),
/// P-3 (no contact), P-4 (contact in English); all listed, submitted for
/// clearance; P-1, P-2 cleared, C-1 delayed, P-3 and P-4 denied.
async fn listed_and_decided(store: &Store) {
    load_reference(store).await;
    register(
        store,
        vec![
            patient("P-1", 1970, Tier::Critical, date(2025, 6, 1)),
            companion("C-1", "P-1"),
            patient("P-2", 1980, Tier::Critical, date(2025, 6, 2)),
            patient("P-3", 1981, Tier::Urgent, date(2025, 6, 3)),
            patient("P-4", 1982, Tier::Urgent, date(2025, 6, 4)),
        ],
    )
    .await;
    for (person, phone, language) in [
        ("P-1", "+999 59 100 0001", "ar"),
        ("P-2", "+999 59 100 0002", "en"),
        ("P-4", "+999 59 100 0004", "en"),
    ] {
        store
            .add_contact(
                &id(person),
                &NewContact::parse(phone, "family", Some(language)).unwrap(),
                now(),
                "referrer",
            )
            .await
            .unwrap();
    }
    for person in ["P-1", "P-2", "P-3", "P-4"] {
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
                people: ["P-1", "C-1", "P-2", "P-3", "P-4"]
                    .iter()
                    .map(|p| id(p))
                    .collect(),
                note: None,
            },
            corridor_store::ImportMode::Commit,
            TODAY,
            now(),
            "c",
        )
        .await
        .unwrap();
    use ClearanceOutcome::{Cleared, Delayed, Denied};
    decide(
        store,
        &batch.id,
        &[
            ("P-1", Cleared),
            ("C-1", Delayed),
            ("P-2", Cleared),
            ("P-3", Denied),
            ("P-4", Denied),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn notices_are_queued_with_their_events_for_parties_with_a_contact() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        listed_and_decided(&store).await;
        let arabic = "+999591000001".to_string();
        let english = "+999591000002".to_string();
        assert_eq!(
            kinds(&store, "P-1").await,
            vec![
                (NoticeKind::Listed, Language::Arabic, arabic.clone()),
                // The companion's delay is told to the party, through its head.
                (
                    NoticeKind::ClearanceDelayed,
                    Language::Arabic,
                    arabic.clone()
                ),
            ],
            "{on}"
        );
        assert_eq!(
            kinds(&store, "P-2").await,
            vec![(NoticeKind::Listed, Language::English, english.clone())],
            "{on}"
        );
        // No contact, no notice, and nothing failed.
        assert!(kinds(&store, "P-3").await.is_empty(), "{on}");
        assert_eq!(
            kinds(&store, "P-4").await.last().map(|k| k.0),
            Some(NoticeKind::Denied),
            "{on}"
        );
        // The decisions' audit entry witnesses the notices they queued.
        assert_eq!(
            store.audit_tail(1).await.unwrap()[0].action,
            "clearance.decide",
            "{on}"
        );

        // A refused confirmation (P-4 is not cleared) queues nothing.
        let refused = confirm(
            &store,
            DAY,
            Direction::Outbound,
            &[("P-1", &[], Some("eg-1")), ("P-4", &[], Some("eg-1"))],
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                refused,
                StoreError::Transition { .. } | StoreError::DayRule { .. }
            ),
            "{on}: {refused}"
        );
        assert!(
            store
                .notices(&NoticeFilter::Date(DAY))
                .await
                .unwrap()
                .is_empty(),
            "{on}"
        );

        store
            .add_assembly_point(
                &rafah(),
                DAY,
                &NewAssemblyPoint::parse("Nasser Hospital gate", "05:30").unwrap(),
                now(),
                "coordinator",
            )
            .await
            .unwrap();
        confirm(
            &store,
            DAY,
            Direction::Outbound,
            &[("P-1", &[], Some("eg-1")), ("P-2", &[], Some("eg-1"))],
        )
        .await
        .unwrap();
        let day = store.notices(&NoticeFilter::Date(DAY)).await.unwrap();
        assert_eq!(day.len(), 2, "{on}: {day:?}");
        for notice in &day {
            assert_eq!(notice.kind, NoticeKind::Scheduled, "{on}");
            assert_eq!(notice.state, NoticeState::Queued, "{on}");
            assert_eq!(notice.crossing.as_ref(), Some(&rafah()), "{on}");
            assert!(notice.body.contains("Nasser Hospital gate"), "{on}");
            assert!(notice.body.contains("05:30"), "{on}");
            assert!(notice.body.contains("2026-02-02"), "{on}");
        }
        assert_eq!(day[0].language, Language::Arabic, "{on}");
        assert!(day[0].body.contains("معبر رفح"), "{on}: {}", day[0].body);
        assert_eq!(day[1].language, Language::English, "{on}");
        assert!(day[1].body.contains("referral letter"), "{on}");
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn claims_never_share_a_notice_and_failures_back_off() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        listed_and_decided(&store).await;
        // P-1 listed and delayed, P-2 listed, P-4 listed and denied.
        let queued = kinds(&store, "P-1").await.len()
            + kinds(&store, "P-2").await.len()
            + kinds(&store, "P-4").await.len();
        assert_eq!(queued, 5, "{on}");

        // Two senders at once: every due notice taken once, by one of them.
        let (first, second) = tokio::join!(
            store.claim_due_notices(NoticeChannel::Webhook, later(1), 3, "sender-a"),
            store.claim_due_notices(NoticeChannel::Webhook, later(1), 5, "sender-b"),
        );
        let (first, second) = (first.unwrap(), second.unwrap());
        let mut ids: Vec<u64> = first.iter().chain(&second).map(|n| n.id).collect();
        ids.sort_unstable();
        let claimed = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), claimed, "{on}: a notice claimed twice");
        assert_eq!(claimed, 5, "{on}");
        // Nothing is due while they are being sent.
        assert!(
            store
                .claim_due_notices(NoticeChannel::Webhook, later(2), 10, "sender-c")
                .await
                .unwrap()
                .is_empty(),
            "{on}"
        );
        let mut claimed: Vec<_> = first.into_iter().chain(second).collect();
        claimed.sort_by_key(|n| n.id);
        for notice in &claimed {
            assert_eq!(notice.state, NoticeState::Sending, "{on}");
            assert_eq!(notice.attempts, 1, "{on}");
        }

        // Sent, with the gateway's id.
        store
            .mark_notice_sent(&claimed[0], Some("gw-1"), later(3), "sender-a")
            .await
            .unwrap();
        // Failed: due again 30 s later, not before.
        let state = store
            .mark_notice_failed(&claimed[1], "HTTP 500", later(3), "sender-a")
            .await
            .unwrap();
        assert_eq!(state, NoticeState::Failed, "{on}");
        assert!(
            store
                .claim_due_notices(NoticeChannel::Webhook, later(32), 10, "sender-a")
                .await
                .unwrap()
                .is_empty(),
            "{on}"
        );
        let again = store
            .claim_due_notices(NoticeChannel::Webhook, later(33), 10, "sender-a")
            .await
            .unwrap();
        assert_eq!(again.len(), 1, "{on}");
        assert_eq!(again[0].id, claimed[1].id, "{on}");
        assert_eq!(again[0].attempts, 2, "{on}");
        // A stale claim's sender cannot settle what another took over.
        let stale = store
            .mark_notice_sent(&claimed[1], None, later(34), "sender-a")
            .await
            .unwrap_err();
        assert!(matches!(stale, StoreError::ChangedMeanwhile(_)), "{on}");
        store
            .mark_notice_gave_up(&again[0], "refused by the gateway", later(35), "sender-a")
            .await
            .unwrap();

        // Left `sending` by a sender that died: due again after the timeout.
        let timeout = corridor_store::NOTICE_CLAIM_TIMEOUT.as_secs();
        assert!(
            store
                .claim_due_notices(NoticeChannel::Webhook, later(timeout), 10, "sender-b")
                .await
                .unwrap()
                .is_empty(),
            "{on}"
        );
        let orphans = store
            .claim_due_notices(NoticeChannel::Webhook, later(timeout + 2), 10, "sender-b")
            .await
            .unwrap();
        assert_eq!(orphans.len(), 3, "{on}");
        for notice in &orphans {
            store
                .mark_notice_sent(notice, None, later(timeout + 3), "sender-b")
                .await
                .unwrap();
        }

        // Delivery reports, by gateway id and by key; a duplicate changes
        // nothing, and a delivered notice stays delivered.
        let by_gateway = NoticeRef::GatewayId("gw-1".to_string());
        let first_report = store
            .record_delivery(
                &by_gateway,
                DeliveryStatus::Delivered,
                later(400),
                "gateway",
            )
            .await
            .unwrap();
        assert!(first_report.changed, "{on}");
        assert_eq!(first_report.state, NoticeState::Delivered, "{on}");
        let entries = store.audit_tail(1).await.unwrap()[0].seq;
        let duplicate = store
            .record_delivery(
                &by_gateway,
                DeliveryStatus::Delivered,
                later(401),
                "gateway",
            )
            .await
            .unwrap();
        assert!(!duplicate.changed, "{on}");
        let late_failure = store
            .record_delivery(
                &NoticeRef::Key(claimed[0].key.clone()),
                DeliveryStatus::Failed,
                later(402),
                "gateway",
            )
            .await
            .unwrap();
        assert!(!late_failure.changed, "{on}");
        assert_eq!(late_failure.state, NoticeState::Delivered, "{on}");
        assert_eq!(store.audit_tail(1).await.unwrap()[0].seq, entries, "{on}");
        let unknown = store
            .record_delivery(
                &NoticeRef::Key("listed:P-404".to_string()),
                DeliveryStatus::Delivered,
                later(403),
                "gateway",
            )
            .await
            .unwrap_err();
        assert!(matches!(unknown, StoreError::NotFound { .. }), "{on}");
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
        database.drop_database().await;
    }
}
