//! The rules kept in one place: the quota in force, refused overlaps, and
//! the companion limit for every way people are registered.

use corridor_domain::{
    Case, CrossingId, CrossingRules, Direction, Quota, QuotaCategory, Registration, Tier,
};
use corridor_store::{ImportMode, StoreError};
use jiff::civil::date;

use crate::*;

fn rafah() -> CrossingId {
    CrossingId::parse("rafah").unwrap()
}

fn cases(people: Vec<corridor_domain::NewPerson>) -> Vec<Case> {
    people
        .into_iter()
        .map(|person| Case::register(person, now(), "tester"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn overlapping_quotas_are_refused_and_old_ones_resolve_to_the_newest() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        let mut overlapping = reference();
        overlapping.quotas.push(
            Quota::new(
                rafah(),
                Direction::Outbound,
                QuotaCategory::Evacuees,
                5,
                date(2026, 2, 5),
                None,
            )
            .unwrap(),
        );
        let error = store
            .load_dataset(
                &overlapping,
                &[],
                &[],
                &[],
                &[],
                &audit("dataset.load"),
                &mut |_| {},
            )
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "quotas: the evacuees outbound quota of rafah from 2026-02-01 (3 a day) overlaps \
             the one from 2026-02-05 (5 a day); end the first before the second begins",
            "{on}"
        );
        assert!(
            store.reference().await.unwrap().crossings.is_empty(),
            "{on}: nothing of a refused data set is loaded"
        );

        // A registry written before overlaps were refused still opens and
        // plans: the quota that started last is in force, everywhere.
        load_reference(&store).await;
        let raw = database.raw().await;
        sqlx::query(
            "INSERT INTO quotas (crossing, direction, category, per_day, valid_from, valid_to) \
             VALUES ('rafah', 'outbound', 'evacuees', 5, '2026-02-05', NULL)",
        )
        .execute(&raw)
        .await
        .unwrap();
        raw.close().await;
        store.close().await;
        let store = corridor_store::Store::open(&database.url).await.unwrap();
        let quota_on = |day| {
            let store = store.clone();
            async move {
                store
                    .planning_inputs(&rafah(), day, Direction::Outbound)
                    .await
                    .unwrap()
                    .quota
            }
        };
        assert_eq!(quota_on(date(2026, 2, 4)).await, 3, "{on}");
        assert_eq!(quota_on(date(2026, 2, 5)).await, 5, "{on}");
        assert_eq!(
            store
                .places_for_days(&rafah(), Direction::Outbound, date(2026, 2, 5), 2)
                .await
                .unwrap(),
            10,
            "{on}"
        );
        // Inbound counts returnees only: the evacuee quotas do not add to it.
        assert_eq!(
            store
                .places_for_days(&rafah(), Direction::Inbound, date(2026, 2, 5), 1)
                .await
                .unwrap(),
            3,
            "{on}"
        );
        let reference = store.reference().await.unwrap();
        assert_eq!(
            reference.evacuee_quota_on(Some("rafah"), date(2026, 2, 5)),
            Some(5),
            "{on}: the quota in force, not the sum of both"
        );
        assert_eq!(
            reference.evacuee_places_open_on(date(2026, 2, 5)),
            5,
            "{on}"
        );
        store.close().await;
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_companion_limit_holds_for_every_way_of_registering() {
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
        let refused = |error: StoreError| {
            assert!(
                matches!(&error, StoreError::Invalid { person: Some(person), invalid }
                    if person.as_str() == "P-1" && invalid.field == "companions"),
                "{on}: {error:?}"
            );
            assert_eq!(
                error.to_string(),
                "P-1: companions: 2 companions; the crossing rules in force on 2026-02-01 \
                 allow at most 1 per patient",
                "{on}"
            );
        };
        let family = || {
            vec![
                patient("P-1", 1970, Tier::Urgent, date(2025, 1, 10)),
                companion("C-1", "P-1"),
                companion("C-2", "P-1"),
            ]
        };

        // A file import, as a dry run and for real.
        for mode in [ImportMode::DryRun, ImportMode::Commit] {
            refused(
                store
                    .insert_cases(&cases(family()), &audit("person.import"), mode, &mut |_| {})
                    .await
                    .unwrap_err(),
            );
        }
        // A registration from a form or the command line.
        let people = family();
        let registration = Registration {
            patient: people[0].clone(),
            companions: people[1..].to_vec(),
        };
        refused(
            store
                .register_patient(&registration, now(), "registrar")
                .await
                .unwrap_err(),
        );
        assert!(store.person(&id("P-1")).await.unwrap().is_none(), "{on}");

        // Within the limit it registers; a second companion added later,
        // in another import, is counted with the first.
        register(
            &store,
            vec![
                patient("P-1", 1970, Tier::Urgent, date(2025, 1, 10)),
                companion("C-1", "P-1"),
            ],
        )
        .await;
        refused(
            store
                .insert_cases(
                    &cases(vec![companion("C-2", "P-1")]),
                    &audit("person.import"),
                    ImportMode::Commit,
                    &mut |_| {},
                )
                .await
                .unwrap_err(),
        );
        assert!(store.person(&id("C-2")).await.unwrap().is_none(), "{on}");
        store.close().await;
        database.drop_database().await;
    }
}
