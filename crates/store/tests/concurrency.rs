use corridor_domain::{Action, ReasonKind, Tier};
use corridor_store::StoreError;
use jiff::civil::date;

use crate::*;

/// Two clearance liaisons decide on the same person from the same version:
/// one wins, the other is told of the conflict, and nothing is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_transitions_never_lose_an_update() {
    const ROUNDS: usize = 5;
    for database in databases().await {
        let on = database.name;
        let store = database.store().await;
        let people: Vec<_> = (0..ROUNDS)
            .map(|n| patient(&format!("P-{n}"), 1970, Tier::Urgent, date(2025, 1, 10)))
            .collect();
        register(&store, people).await;
        for round in 0..ROUNDS {
            let person = id(&format!("P-{round}"));
            for action in [Action::List, Action::RequestClearance] {
                store
                    .transition(&person, None, action, None, now(), "setup")
                    .await
                    .unwrap();
            }
            let version = store.person(&person).await.unwrap().unwrap().line.version;
            let reason = reason(ReasonKind::Denied, "security-objection", None);
            let clear = {
                let (store, person) = (store.clone(), person.clone());
                tokio::spawn(async move {
                    store
                        .transition(
                            &person,
                            Some(version),
                            Action::Clear,
                            None,
                            now(),
                            "liaison-a",
                        )
                        .await
                })
            };
            let deny = {
                let (store, person) = (store.clone(), person.clone());
                tokio::spawn(async move {
                    store
                        .transition(
                            &person,
                            Some(version),
                            Action::Deny { reason },
                            None,
                            now(),
                            "liaison-b",
                        )
                        .await
                })
            };
            let results = [clear.await.unwrap(), deny.await.unwrap()];
            let winners = results.iter().filter(|r| r.is_ok()).count();
            assert_eq!(winners, 1, "{on} round {round}: {results:?}");
            let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
            assert!(
                matches!(loser, StoreError::Conflict { expected, .. } if *expected == version),
                "{on}: {loser}"
            );
            assert!(loser.to_string().contains("changed by someone else"));

            let record = store.person(&person).await.unwrap().unwrap();
            assert_eq!(record.line.version, version + 1, "{on}");
            assert_eq!(record.events.len() as u32, version + 1);
            assert_eq!(record.events.last().unwrap().to, record.line.status);
        }
        let report = store.verify_audit().await.unwrap();
        assert!(report.is_intact(), "{on}: {:?}", report.problems);
        store.close().await;
        database.drop_database().await;
    }
}

/// Many writers at once: every transition lands exactly once and the audit
/// chain stays linear.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_keep_one_audit_chain() {
    for database in databases().await {
        let on = database.name;
        let store = database.store().await;
        let people: Vec<_> = (0..8)
            .map(|n| patient(&format!("P-{n}"), 1970, Tier::Urgent, date(2025, 1, 10)))
            .collect();
        register(&store, people).await;
        let mut tasks = Vec::new();
        for n in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for action in [Action::List, Action::RequestClearance, Action::Clear] {
                    store
                        .transition(&id(&format!("P-{n}")), None, action, None, now(), "writer")
                        .await?;
                }
                Ok::<(), StoreError>(())
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap_or_else(|e| panic!("{on}: {e}"));
        }
        let report = store.verify_audit().await.unwrap();
        assert!(report.is_intact(), "{on}: {:?}", report.problems);
        // The seeded reason codes bound to the chain, the registration, then
        // three transitions each.
        assert_eq!(report.entries, 1 + 1 + 8 * 3, "{on}");
        store.close().await;
        database.drop_database().await;
    }
}

/// Things made at the same moment that must exist once (an account name,
/// a bed offer, a period of crossing rules) or be numbered in turn (API
/// tokens): on PostgreSQL the check before the insert cannot see the other
/// transaction's row, so the unique index answers — and its violation must
/// come back as the check's own refusal, never as a database error.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn things_made_at_the_same_moment_are_made_once_or_numbered_in_turn() {
    use corridor_domain::{
        BedCapacity, CrossingId, CrossingRules, FacilityId, Scope, Specialty, UserRole,
    };
    use corridor_store::NewUser;

    const AT_ONCE: usize = 4;
    const ROUNDS: usize = 3;

    /// Runs `make` AT_ONCE times at once; returns the results.
    async fn at_once<T, F, Fut>(make: F) -> Vec<Result<T, StoreError>>
    where
        T: Send + 'static,
        F: Fn(usize) -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let tasks: Vec<_> = (0..AT_ONCE).map(|n| tokio::spawn(make(n))).collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    }

    /// Exactly one made it; the others were refused with `refusal` in their message.
    fn one_made<T: std::fmt::Debug>(
        on: &str,
        what: &str,
        results: &[Result<T, StoreError>],
        refusal: &str,
    ) {
        let made = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(made, 1, "{on} {what}: {results:?}");
        for error in results.iter().filter_map(|r| r.as_ref().err()) {
            assert!(
                matches!(error, StoreError::Exists { .. }) && error.to_string().contains(refusal),
                "{on} {what}: {error}"
            );
        }
    }

    for database in databases().await {
        let on = database.name;
        let store = database.store().await;
        load_reference(&store).await;
        for round in 0..ROUNDS {
            let name = format!("coord-{round}");
            let results = at_once(|_| {
                let (store, name) = (store.clone(), name.clone());
                async move {
                    let user = NewUser {
                        username: name,
                        display_name: "Coordinator".to_string(),
                        role: UserRole::Coordinator,
                        scope: Scope::All,
                        organisation: None,
                        password_hash: "$argon2id$not-a-real-hash".to_string(),
                    };
                    store.create_user(&user, now(), "admin").await
                }
            })
            .await;
            one_made(on, "account", &results, "exists already");

            let results = at_once(|n| {
                let (store, name) = (store.clone(), name.clone());
                async move {
                    store
                        .create_api_token(
                            &name,
                            "feed",
                            &format!("hash-{round}-{n}"),
                            now(),
                            "admin",
                        )
                        .await
                }
            })
            .await;
            let mut ids: Vec<String> = results
                .into_iter()
                .map(|r| r.unwrap_or_else(|e| panic!("{on} token: {e}")).id)
                .collect();
            ids.sort();
            ids.dedup();
            assert_eq!(
                ids.len(),
                AT_ONCE,
                "{on}: each token its own number: {ids:?}"
            );

            let from = date(2026, 4, 1 + round as i8);
            let results = at_once(|_| {
                let store = store.clone();
                async move {
                    let offer =
                        BedCapacity::new(Specialty::Oncology, 3, from, date(2026, 4, 30)).unwrap();
                    store
                        .publish_beds(
                            &FacilityId::parse("eg-1").unwrap(),
                            &offer,
                            now(),
                            "liaison",
                        )
                        .await
                }
            })
            .await;
            one_made(
                on,
                "bed offer",
                &results,
                "already has oncology beds published",
            );

            let results = at_once(|_| {
                let store = store.clone();
                async move {
                    let rules = CrossingRules {
                        crossing: CrossingId::parse("rafah").unwrap(),
                        valid_from: from,
                        valid_to: None,
                        max_companions: 2,
                        entries_equal_exits: true,
                        source: Text::parse("source", "test", 100).unwrap(),
                    };
                    store.add_crossing_rules(&rules, now(), "coordinator").await
                }
            })
            .await;
            one_made(on, "crossing rules", &results, "already has rules from");
        }
        let report = store.verify_audit().await.unwrap();
        assert!(report.is_intact(), "{on}: {:?}", report.problems);
        store.close().await;
        database.drop_database().await;
    }
}
