//! How a confirmed day's places were used, on every database: planned,
//! reached on the call, crossed, and freed by cause, as the day goes on.

use corridor_domain::utilisation::PlacesFreed;
use corridor_domain::{CallRecording, Direction, GateOutcome};
use corridor_store::{CallRecord, GateRecording, StoreError};
use jiff::civil::{Date, date};

use crate::calls::confirmed_day;
use crate::*;

const DAY: Date = date(2026, 2, 2);

fn rafah() -> corridor_domain::CrossingId {
    corridor_domain::CrossingId::parse("rafah").unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_day_counts_its_places_as_calls_and_the_gate_record_them() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        // P-1 with C-1, and P-2: the three places of the test quota.
        confirmed_day(&store).await;
        let days = store.utilisation(DAY, DAY).await.unwrap();
        assert_eq!(days.len(), 1, "{on}");
        let day = &days[0];
        assert_eq!(
            (day.direction, day.available, day.planned, day.expected),
            (Direction::Outbound, 3, 3, 3),
            "{on}"
        );
        assert_eq!(
            (day.reached, day.crossed, day.freed.total()),
            (0, 0, 0),
            "{on}"
        );
        assert!(!day.finished(), "{on}");

        let evening: jiff::Timestamp = "2026-02-01T19:00:00Z".parse().unwrap();
        for (party, outcome, reason) in [
            ("P-2", "unreachable", None),
            ("P-2", "confirmed", None),
            ("P-1", "declined", Some("too ill to travel")),
        ] {
            store
                .record_call(
                    &CallRecord {
                        crossing: rafah(),
                        date: DAY,
                        party: id(party),
                        recording: CallRecording::parse(outcome, reason).unwrap(),
                        seen_attempts: None,
                    },
                    evening,
                    "liaison",
                )
                .await
                .unwrap();
        }
        let day = store.utilisation(DAY, DAY).await.unwrap().remove(0);
        // The latest call counts: P-2 was reached on the second try.
        assert_eq!(day.reached, 1, "{on}");
        assert_eq!(
            day.freed,
            PlacesFreed {
                declined: 2,
                ..PlacesFreed::default()
            },
            "{on}"
        );
        assert_eq!((day.planned, day.expected), (3, 1), "{on}");

        store
            .record_gate(
                &GateRecording {
                    crossing: rafah(),
                    date: DAY,
                    person: id("P-2"),
                    outcome: GateOutcome::Crossed,
                    reason: None,
                },
                on_the_day(DAY),
                "officer",
            )
            .await
            .unwrap();
        let day = store.utilisation(DAY, DAY).await.unwrap().remove(0);
        assert!(day.finished(), "{on}");
        assert_eq!(
            (day.crossed, day.left_empty(), day.not_refilled()),
            (1, 2, 2),
            "{on}"
        );
        assert_eq!(day.rate(), Some(1.0 / 3.0), "{on}");

        // Three people are too few to measure turnout for the forecast.
        assert_eq!(
            store.measured_turnout(date(2026, 2, 3)).await.unwrap(),
            None,
            "{on}"
        );
        // Days outside the window are not counted; a backwards window is refused.
        assert!(
            store
                .utilisation(date(2026, 2, 3), date(2026, 2, 9))
                .await
                .unwrap()
                .is_empty()
        );
        let backwards = store.utilisation(DAY, date(2026, 2, 1)).await.unwrap_err();
        assert!(
            matches!(&backwards, StoreError::Invalid { invalid, .. } if invalid.field == "to"),
            "{on}: {backwards}"
        );
        // The situation report carries the same day.
        let situation = store.situation(DAY, 7, on_the_day(DAY)).await.unwrap();
        assert_eq!(situation.utilisation, vec![day], "{on}");
        database.drop_database().await;
    }
}
