//! The aggregate queries behind the HXL exports, the situation report and
//! the FHIR export, and adding figures.

use corridor_domain::report::ReasonCodeCount;
use corridor_domain::{
    Action, AgeGroup, Booking, Case, CrossingId, FacilityId, ReasonCode, ReasonKind, Role, Source,
    SourcedFigure, Specialty, Text, Tier,
};
use corridor_store::{DeathCount, EvacuationCount, StoreError, Thing, WaitingCount};
use jiff::Timestamp;
use jiff::civil::date;

use crate::*;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn apply(case: &mut Case, steps: Vec<(&str, Action)>) {
    for (when, action) in steps {
        case.apply(action, at(when), "tester", None).unwrap();
    }
}

fn figure(key: &str, value: f64) -> SourcedFigure {
    let text = |t: &str| Text::parse("text", t, 500).unwrap();
    SourcedFigure {
        key: key.to_string(),
        label: text("People waiting"),
        value,
        unit: text("people"),
        date: date(2026, 2, 1),
        source: Source {
            publisher: text("WHO"),
            title: text("Medical evacuations"),
            published: date(2026, 2, 3),
            url: None,
        },
        note: Some(text("More than 20,000")),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn aggregates_story() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        let rafah = CrossingId::parse("rafah").unwrap();
        let booking = Booking {
            date: date(2026, 1, 25),
            crossing: rafah.clone(),
        };
        let reason = reason(
            ReasonKind::Denied,
            "other",
            Some("brother K. M. on a watch list"),
        );

        let mut evacuated = Case::register(
            patient("P-1", 1970, Tier::Urgent, date(2025, 6, 1)),
            at("2025-06-01T09:00:00Z"),
            "tester",
        );
        apply(
            &mut evacuated,
            vec![
                ("2025-06-02T09:00:00Z", Action::List),
                ("2026-01-10T09:00:00Z", Action::RequestClearance),
                ("2026-01-20T09:00:00Z", Action::Deny { reason }),
                ("2026-01-21T09:00:00Z", Action::Resubmit),
                ("2026-01-22T09:00:00Z", Action::Clear),
                (
                    "2026-01-23T09:00:00Z",
                    Action::Schedule {
                        booking: booking.clone(),
                    },
                ),
                ("2026-01-25T08:00:00Z", Action::Cross),
                (
                    "2026-01-25T18:00:00Z",
                    Action::Admit {
                        facility: FacilityId::parse("eg-1").unwrap(),
                    },
                ),
            ],
        );
        let mut companion_case = Case::register(
            companion("C-1", "P-1"),
            at("2025-06-01T09:00:00Z"),
            "tester",
        );
        apply(
            &mut companion_case,
            vec![
                ("2026-01-10T09:00:00Z", Action::RequestClearance),
                ("2026-01-22T09:00:00Z", Action::Clear),
                ("2026-01-23T09:00:00Z", Action::Schedule { booking }),
                ("2026-01-25T08:05:00Z", Action::Cross),
            ],
        );
        let waiting_child = Case::register(
            patient("P-2", 2015, Tier::Critical, date(2025, 12, 1)),
            now(),
            "tester",
        );
        let mut died = Case::register(
            patient("P-3", 1990, Tier::Routine, date(2025, 3, 1)),
            now(),
            "tester",
        );
        apply(
            &mut died,
            vec![(
                "2026-01-22T10:00:00Z",
                Action::Die {
                    on: date(2026, 1, 22),
                },
            )],
        );
        let waiting_elder = Case::register(
            patient("P-4", 1950, Tier::Routine, date(2025, 3, 1)),
            now(),
            "tester",
        );
        store
            .insert_cases(
                &[
                    evacuated,
                    companion_case,
                    waiting_child,
                    died,
                    waiting_elder,
                ],
                &audit("person.import"),
                ImportMode::Commit,
                &mut |_| {},
            )
            .await
            .unwrap();

        assert_eq!(
            store.waiting_breakdown(TODAY).await.unwrap(),
            [
                WaitingCount {
                    tier: Tier::Critical,
                    specialty: Specialty::Oncology,
                    age_group: AgeGroup::Age5To17,
                    count: 1
                },
                WaitingCount {
                    tier: Tier::Routine,
                    specialty: Specialty::Oncology,
                    age_group: AgeGroup::Age60Plus,
                    count: 1
                },
            ],
            "{on}"
        );

        let crossed = |role| EvacuationCount {
            date: date(2026, 1, 25),
            crossing: Some(rafah.clone()),
            facility: Some(FacilityId::parse("eg-1").unwrap()),
            role,
            count: 1,
        };
        assert_eq!(
            store
                .evacuations(date(2026, 1, 25), date(2026, 1, 25))
                .await
                .unwrap(),
            [crossed(Role::Patient), crossed(Role::Companion)],
            "{on}: the companion goes where their patient was admitted"
        );
        assert!(
            store
                .evacuations(date(2026, 1, 26), date(2026, 2, 1))
                .await
                .unwrap()
                .is_empty(),
            "{on}"
        );

        assert_eq!(
            store.deaths(date(2026, 1, 1), TODAY).await.unwrap(),
            [DeathCount {
                date: date(2026, 1, 22),
                tier: Tier::Routine,
                count: 1
            }],
            "{on}"
        );
        assert!(
            store
                .deaths(date(2026, 1, 23), TODAY)
                .await
                .unwrap()
                .is_empty()
        );

        assert_eq!(
            store
                .denial_reasons(date(2026, 1, 20), TODAY)
                .await
                .unwrap(),
            [ReasonCodeCount {
                code: ReasonCode::parse("other").unwrap(),
                label: "Other (see note)".to_string(),
                count: 1,
            }],
            "{on}: the code and its label, never the note"
        );
        assert!(
            store
                .denial_reasons(date(2026, 1, 21), TODAY)
                .await
                .unwrap()
                .is_empty()
        );

        let histories = store.patient_histories().await.unwrap();
        let ids: Vec<&str> = histories.iter().map(|h| h.person.id.as_str()).collect();
        assert_eq!(ids, ["P-1", "P-2", "P-3", "P-4"], "{on}: patients only");
        assert_eq!(histories[0].events.len(), 9, "{on}");
        assert_eq!(
            histories[0].events.last().unwrap().to,
            corridor_domain::Status::Admitted
        );

        // Figures: added once per key and date, all or nothing.
        store
            .add_figures(
                &[figure("waiting-list-total", 20_000.0)],
                &audit("figure.add"),
                ImportMode::Commit,
            )
            .await
            .unwrap();
        let error = store
            .add_figures(
                &[figure("other", 1.0), figure("waiting-list-total", 21_000.0)],
                &audit("figure.import"),
                ImportMode::Commit,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&error, StoreError::Exists { thing: Thing::Figure, detail }
                if detail.starts_with("already recorded: waiting-list-total on 2026-02-01; nothing was added")),
            "{on}: {error}"
        );
        assert_eq!(
            store.figures().await.unwrap(),
            [figure("waiting-list-total", 20_000.0)],
            "{on}"
        );
        assert!(
            store.verify_audit().await.unwrap().problems.is_empty(),
            "{on}"
        );

        store.close().await;
        database.drop_database().await;
    }
}
