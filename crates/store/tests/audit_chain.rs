use corridor_domain::{Action, Tier};
use corridor_store::AuditProblem;
use jiff::civil::date;
use sqlx::Executor;

use crate::*;

/// A registry with seven audit entries: the seeded reason codes bound to the
/// chain (1), a registration (2), three transitions (3 to 5) and two reads
/// (6 and 7).
async fn seven_entries(store: &corridor_store::Store) {
    register(
        store,
        vec![patient("P-1", 1970, Tier::Urgent, date(2025, 1, 10))],
    )
    .await;
    for action in [Action::List, Action::RequestClearance, Action::Clear] {
        store
            .transition(&id("P-1"), None, action, None, now(), "coordinator")
            .await
            .unwrap();
    }
    store.record(&audit("person.read")).await.unwrap();
    store.record(&audit("person.read")).await.unwrap();
    let report = store.verify_audit().await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.entries, 7);
}

/// What someone with direct database access would do first.
async fn disable_append_only(raw: &sqlx::AnyPool, postgres: bool) {
    let statements: &[&str] = if postgres {
        &["ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"]
    } else {
        &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
        ]
    };
    for statement in statements {
        raw.execute(*statement).await.unwrap();
    }
}

/// Runs `tamper` on a fresh seven-entry registry and returns what verify finds.
async fn tampered(tamper: &[&'static str]) -> Vec<(String, Vec<AuditProblem>)> {
    let mut found = Vec::new();
    for database in databases().await {
        let store = database.store().await;
        seven_entries(&store).await;
        let raw = database.raw().await;
        disable_append_only(&raw, database.name == "PostgreSQL").await;
        for statement in tamper {
            raw.execute(*statement).await.unwrap();
        }
        raw.close().await;
        found.push((
            database.name.to_string(),
            store.verify_audit().await.unwrap().problems,
        ));
        store.close().await;
        database.drop_database().await;
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn the_log_refuses_updates_and_deletes() {
    for database in databases().await {
        let store = database.store().await;
        seven_entries(&store).await;
        let raw = database.raw().await;
        assert!(
            raw.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 2")
                .await
                .is_err()
        );
        assert!(
            raw.execute("DELETE FROM audit_log WHERE seq = 2")
                .await
                .is_err()
        );
        assert!(raw.execute("DELETE FROM status_events").await.is_err());
        raw.close().await;
        assert!(store.verify_audit().await.unwrap().is_intact());
        store.close().await;
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edited_entry_is_found_by_position() {
    for (on, problems) in
        tampered(&["UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4"]).await
    {
        assert_eq!(problems, vec![AuditProblem::Edited { seq: 4 }], "{on}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_entry_is_found_by_position() {
    for (on, problems) in tampered(&["DELETE FROM audit_log WHERE seq = 5"]).await {
        assert_eq!(
            problems,
            vec![
                AuditProblem::Missing { from: 5, to: 5 },
                AuditProblem::BrokenLink { seq: 6 },
                // The rows entry 5 wrote are no longer accounted for.
                AuditProblem::WitnessesChanged { seq: 5 },
                AuditProblem::RowEdited {
                    table: "persons",
                    noun: "person",
                    key: "P-1".to_string(),
                    seq: 4
                },
                AuditProblem::RowInserted {
                    table: "status_events",
                    noun: "status event",
                    key: "P-1/4".to_string()
                },
            ],
            "{on}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_inserted_entry_is_found_by_position() {
    // Entries 5.. are shifted up by one to make room, as a careful forger would.
    let shift_and_insert = [
        "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 5",
        "UPDATE audit_log SET seq = seq - 99 WHERE seq >= 100",
        "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) \
         SELECT 5, at, 'forger', 'person.read', 'P-1', '{}', hash, hash FROM audit_log WHERE seq = 4",
        "UPDATE audit_head SET seq = 8",
    ];
    for (on, problems) in tampered(&shift_and_insert).await {
        // The forged entry and every renumbered one after it fail their
        // hashes, which cover the position; nothing before them does.
        let mut expected: Vec<AuditProblem> =
            (5..=8).map(|seq| AuditProblem::Edited { seq }).collect();
        // The forged entry 5 claims no rows but has entry 5's witnesses;
        // the renumbered entry 6 claims rows it has none of. So the rows
        // entry 5 wrote are no longer accounted for.
        expected.extend([
            AuditProblem::WitnessesChanged { seq: 5 },
            AuditProblem::WitnessesChanged { seq: 6 },
            AuditProblem::RowEdited {
                table: "persons",
                noun: "person",
                key: "P-1".to_string(),
                seq: 4,
            },
            AuditProblem::RowInserted {
                table: "status_events",
                noun: "status event",
                key: "P-1/4".to_string(),
            },
        ]);
        assert_eq!(problems, expected, "{on}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn entries_deleted_at_the_end_are_found() {
    for (on, problems) in tampered(&["DELETE FROM audit_log WHERE seq >= 6"]).await {
        assert_eq!(
            problems,
            vec![AuditProblem::Truncated { last: 5, head: 7 }],
            "{on}"
        );
    }
}
