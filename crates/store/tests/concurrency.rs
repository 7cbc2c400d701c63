use corridor_domain::{Action, Text, Tier};
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
            let reason = Text::parse("reason", "objection", 100).unwrap();
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
        assert_eq!(report.entries, 1 + 8 * 3, "{on}");
        store.close().await;
        database.drop_database().await;
    }
}
