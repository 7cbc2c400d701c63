//! Backups are one consistent snapshot, taken while others write, and
//! restore on every database with the chain and the data intact.

use corridor_domain::{Action, Tier};
use jiff::civil::date;

use corridor_store::Store;

use crate::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_others_write_restores_intact_on_every_database() {
    let sources = databases().await;
    for source in &sources {
        let store = source.store().await;
        load_reference(&store).await;
        let people: Vec<_> = (1..=40)
            .map(|n| patient(&format!("P-{n}"), 1970, Tier::Urgent, date(2025, 1, 1)))
            .collect();
        register(&store, people).await;
        // Writers list people while the backup is read.
        let writer = {
            let store = store.clone();
            tokio::spawn(async move {
                for n in 1..=40 {
                    store
                        .transition(&id(&format!("P-{n}")), None, Action::List, None, now(), "c")
                        .await
                        .unwrap();
                }
            })
        };
        let mut backup = Vec::new();
        let summary = store.backup(&mut backup, now()).await.unwrap();
        writer.await.unwrap();
        let checked = corridor_store::check_backup(&mut backup.as_slice()).unwrap();
        assert_eq!(checked, summary, "{}", source.name);

        for target_database in databases().await {
            let target = Store::open_for_restore(&target_database.url).await.unwrap();
            let restored = target
                .restore(&mut backup.as_slice(), now(), "tester")
                .await
                .unwrap();
            assert_eq!(restored.rows, summary.rows);
            let report = target.verify_audit().await.unwrap();
            assert!(
                report.is_intact(),
                "{} to {}: {:?}",
                source.name,
                target_database.name,
                report.problems
            );
            // The snapshot's head: entries appended after it are not in it.
            assert_eq!(report.entries, summary.head_seq + 1);
            target.close().await;
            target_database.drop_database().await;
        }
        store.close().await;
    }
    for database in sources {
        database.drop_database().await;
    }
}
