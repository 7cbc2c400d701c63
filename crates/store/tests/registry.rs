use corridor_domain::{
    Action, Booking, Case, CrossingId, Direction, FacilityId, ReasonKind, Status, Tier,
};
use corridor_store::{DayRule, ListFilter, RoleFilter, StoreError, Thing, WaitFilter};
use jiff::civil::date;

use crate::crossing_days::confirm;
use crate::*;

#[tokio::test(flavor = "multi_thread")]
async fn registry_story() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        load_reference(&store).await;
        register(
            &store,
            vec![
                patient("P-1", 1970, Tier::Urgent, date(2025, 1, 10)),
                patient("P-2", 2015, Tier::Critical, date(2025, 12, 1)),
                companion("C-1", "P-2"),
                patient("P-3", 1990, Tier::Routine, date(2024, 3, 1)),
            ],
        )
        .await;

        // Reading back gives what was written, with the registration event.
        let record = store.person(&id("P-2")).await.unwrap().unwrap();
        assert_eq!(
            record.person,
            patient("P-2", 2015, Tier::Critical, date(2025, 12, 1)),
            "{on}"
        );
        assert_eq!(record.line.status, Status::Referred);
        assert_eq!(record.line.version, 1);
        assert_eq!(record.events.len(), 1);
        assert_eq!(record.companions, vec![id("C-1")]);
        assert!(store.person(&id("P-404")).await.unwrap().is_none());

        // The whole line, each step an event.
        let rafah = CrossingId::parse("rafah").unwrap();
        let reason = reason(ReasonKind::Denied, "other", Some("no answer"));
        let steps = vec![
            Action::List,
            Action::RequestClearance,
            Action::Deny { reason },
            Action::Resubmit,
            Action::Clear,
        ];
        for action in steps {
            store
                .transition(&id("P-1"), None, action, None, now(), "coordinator")
                .await
                .unwrap_or_else(|e| panic!("{on}: {e}"));
        }
        // Scheduling goes through a confirmed manifest, never a bare transition.
        let error = store
            .transition(
                &id("P-1"),
                None,
                Action::Schedule {
                    booking: Booking {
                        date: date(2026, 2, 3),
                        crossing: rafah.clone(),
                    },
                },
                None,
                now(),
                "coordinator",
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                StoreError::DayRule {
                    rule: DayRule::Plan,
                    ..
                }
            ),
            "{on}: {error}"
        );
        confirm(
            &store,
            date(2026, 2, 3),
            Direction::Outbound,
            &[("P-1", &[], Some("eg-1"))],
        )
        .await
        .unwrap_or_else(|e| panic!("{on}: {e}"));
        for action in [
            Action::Cross,
            Action::Admit {
                facility: FacilityId::parse("eg-1").unwrap(),
            },
        ] {
            store
                .transition(&id("P-1"), None, action, None, now(), "coordinator")
                .await
                .unwrap_or_else(|e| panic!("{on}: {e}"));
        }
        let record = store.person(&id("P-1")).await.unwrap().unwrap();
        assert_eq!(record.line.status, Status::Admitted, "{on}");
        assert_eq!(record.line.clearance_attempt, 2);
        assert_eq!(record.line.booking.as_ref().unwrap().crossing, rafah);
        assert_eq!(record.line.admitted_to.as_ref().unwrap().as_str(), "eg-1");
        assert_eq!(record.events.len(), 9);
        let statuses: Vec<Status> = record.events.iter().map(|e| e.to).collect();
        assert_eq!(
            statuses,
            [
                Status::Referred,
                Status::Listed,
                Status::ClearanceRequested,
                Status::Denied,
                Status::ClearanceRequested,
                Status::Cleared,
                Status::Scheduled,
                Status::Crossed,
                Status::Admitted
            ]
        );
        assert_eq!(
            record.events[3]
                .action
                .as_ref()
                .unwrap()
                .reason()
                .unwrap()
                .note
                .as_ref()
                .unwrap()
                .as_str(),
            "no answer"
        );
        assert_eq!(record.events[8].actor, "coordinator");

        // Replaying the stored history reproduces the stored line.
        let mut replay = Case::register(record.person.clone(), now(), "tester");
        for event in &record.events[1..] {
            replay
                .apply(
                    event.action.clone().unwrap(),
                    event.at,
                    &event.actor,
                    event.note.clone(),
                )
                .unwrap();
        }
        assert_eq!(replay.line, record.line, "{on}");

        // An illegal transition names the current state and changes nothing.
        let error = store
            .transition(&id("P-3"), None, Action::Clear, None, now(), "coordinator")
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "P-3: cannot clear a patient who is referred; allowed: list, die, withdraw",
            "{on}"
        );
        assert_eq!(
            store
                .person(&id("P-3"))
                .await
                .unwrap()
                .unwrap()
                .line
                .version,
            1
        );
        assert!(matches!(
            store
                .transition(&id("P-404"), None, Action::List, None, now(), "x")
                .await,
            Err(StoreError::NotFound {
                thing: Thing::Person,
                ..
            })
        ));

        // A batch with one taken id writes nothing.
        let batch: Vec<Case> = vec![
            Case::register(
                patient("P-9", 1980, Tier::Routine, date(2025, 1, 1)),
                now(),
                "t",
            ),
            Case::register(
                patient("P-1", 1980, Tier::Routine, date(2025, 1, 1)),
                now(),
                "t",
            ),
        ];
        let before = store.count_people().await.unwrap();
        assert!(
            store
                .insert_cases(&batch, &audit("x"), ImportMode::Commit, &mut |_| {})
                .await
                .is_err(),
            "{on}"
        );
        assert_eq!(store.count_people().await.unwrap(), before);
        assert!(store.person(&id("P-9")).await.unwrap().is_none(), "{on}");

        // Filters.
        let list = |filter: ListFilter| {
            let store = store.clone();
            async move {
                let page = store.list(&filter, TODAY).await.unwrap();
                (
                    page.total,
                    page.rows
                        .iter()
                        .map(|r| r.id.to_string())
                        .collect::<Vec<_>>(),
                )
            }
        };
        let all = ListFilter {
            limit: 10,
            ..ListFilter::default()
        };
        // P-1 has crossed: no longer waiting. Most urgent first.
        assert_eq!(
            list(all.clone()).await,
            (2, vec!["P-2".into(), "P-3".into()]),
            "{on}"
        );
        assert_eq!(
            list(ListFilter {
                tiers: vec![Tier::Routine],
                ..all.clone()
            })
            .await,
            (1, vec!["P-3".into()])
        );
        assert_eq!(
            list(ListFilter {
                children_only: true,
                ..all.clone()
            })
            .await,
            (1, vec!["P-2".into()])
        );
        assert_eq!(
            list(ListFilter {
                wait: WaitFilter {
                    more_than_days: Some(365),
                    less_than_days: None
                },
                ..all.clone()
            })
            .await,
            (1, vec!["P-3".into()])
        );
        assert_eq!(
            list(ListFilter {
                statuses: vec![Status::Admitted],
                ..all.clone()
            })
            .await,
            (1, vec!["P-1".into()])
        );
        assert_eq!(
            list(ListFilter {
                role: RoleFilter::Companions,
                ..all.clone()
            })
            .await,
            (1, vec!["C-1".into()])
        );
        let page = store.list(&all, TODAY).await.unwrap();
        assert_eq!(page.rows[0].companions, 1, "{on}");
        assert_eq!(page.rows[0].days_waiting, Some(62));
        assert_eq!(
            list(ListFilter {
                limit: 1,
                offset: 1,
                ..all.clone()
            })
            .await,
            (2, vec!["P-3".into()])
        );

        // The summary counts what the registry holds.
        store
            .transition(
                &id("P-3"),
                None,
                Action::Die {
                    on: date(2026, 1, 30),
                },
                None,
                now(),
                "x",
            )
            .await
            .unwrap();
        // A full page takes its total from a cache of counts (the page with
        // offset 1 above filled it): the change must show at once.
        assert_eq!(
            list(ListFilter {
                limit: 1,
                ..all.clone()
            })
            .await,
            (1, vec!["P-2".into()]),
            "{on}"
        );
        assert_eq!(
            list(ListFilter {
                limit: 1,
                offset: 5,
                ..all.clone()
            })
            .await,
            (1, vec![]),
            "{on}"
        );
        let summary = store.waiting_summary(TODAY).await.unwrap();
        assert_eq!(summary.waiting_patients, 1, "{on}");
        assert_eq!(summary.waiting_children, 1);
        assert_eq!(summary.waiting_companions, 1);
        assert_eq!(summary.died_while_waiting, 1);
        assert_eq!(summary.died_by_tier[2].count, 1);
        assert_eq!(summary.evacuated_patients, 1);
        assert_eq!(summary.median_wait_days, Some(62));

        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
        store.close().await;
        database.drop_database().await;
    }
}
