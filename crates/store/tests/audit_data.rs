//! The audit covers the data: a row edited, inserted or deleted outside
//! corridor is reported by table and key, on every database; an anchor kept
//! elsewhere shows a truncated or rewritten chain; registries that held data
//! before rows were bound are bound when they are upgraded.

use corridor_domain::{Action, ClearanceOutcome, Direction, Tier};
use corridor_store::{AuditAnchor, AuditProblem, Decision, ImportMode, Store, Submission};
use jiff::civil::date;
use sqlx::{Executor, Row};

use crate::crossing_days::confirm;
use crate::*;

/// P-1 (with companion C-1) cleared and confirmed on 2 February with a
/// bed at eg-1; P-2 listed; then two reads.
async fn a_confirmed_day(store: &Store) {
    load_reference(store).await;
    register(
        store,
        vec![
            patient("P-1", 1970, Tier::Critical, date(2025, 6, 1)),
            companion("C-1", "P-1"),
            patient("P-2", 1980, Tier::Urgent, date(2025, 7, 1)),
        ],
    )
    .await;
    for person in ["P-1", "P-2"] {
        store
            .transition(&id(person), None, Action::List, None, now(), "coordinator")
            .await
            .unwrap();
    }
    let batch = store
        .submit_clearance(
            &Submission {
                crossing: corridor_domain::CrossingId::parse("rafah").unwrap(),
                direction: Direction::Outbound,
                needed_by: date(2026, 2, 3),
                people: vec![id("P-1"), id("C-1")],
                note: None,
            },
            ImportMode::Commit,
            TODAY,
            now(),
            "coordinator",
        )
        .await
        .unwrap();
    let decisions: Vec<Decision> = ["P-1", "C-1"]
        .iter()
        .map(|person| Decision {
            batch: batch.id.clone(),
            person: id(person),
            outcome: ClearanceOutcome::Cleared,
            reason: None,
            decided_on: TODAY,
        })
        .collect();
    store
        .record_decisions(&decisions, ImportMode::Commit, TODAY, now(), "liaison")
        .await
        .unwrap();
    confirm(
        store,
        date(2026, 2, 2),
        Direction::Outbound,
        &[("P-1", &["C-1"], Some("eg-1"))],
    )
    .await
    .unwrap();
    store.record(&audit("person.read")).await.unwrap();
    store.record(&audit("person.read")).await.unwrap();
}

/// What someone with direct database access would do first: lift the
/// append-only rules of the history tables.
async fn lift_append_only(raw: &sqlx::AnyPool, postgres: bool) {
    let statements: &[&str] = if postgres {
        &[
            "ALTER TABLE status_events DISABLE TRIGGER status_events_append_only",
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
            "ALTER TABLE audit_rows DISABLE TRIGGER audit_rows_append_only",
        ]
    } else {
        &[
            "DROP TRIGGER status_events_no_update",
            "DROP TRIGGER status_events_no_delete",
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
            "DROP TRIGGER audit_rows_no_update",
            "DROP TRIGGER audit_rows_no_delete",
        ]
    };
    for statement in statements {
        raw.execute(*statement).await.unwrap();
    }
}

/// A problem as (what happened, table, key), without the entry number.
fn row_problem(problem: &AuditProblem) -> Option<(&'static str, &'static str, String)> {
    match problem {
        AuditProblem::RowEdited { table, key, .. } => Some(("edited", table, key.clone())),
        AuditProblem::RowInserted { table, key, .. } => Some(("inserted", table, key.clone())),
        AuditProblem::RowDeleted { table, key, .. } => Some(("deleted", table, key.clone())),
        _ => None,
    }
}

/// Runs `tamper` on a fresh confirmed day and returns, per database, what
/// verify finds: every problem must be about a row.
async fn row_problems_after(
    tamper: &[&str],
) -> Vec<(String, Vec<(&'static str, &'static str, String)>)> {
    let mut found = Vec::new();
    for database in databases().await {
        let store = database.store().await;
        a_confirmed_day(&store).await;
        let before = store.verify_audit().await.unwrap();
        assert!(
            before.is_intact(),
            "{}: {:?}",
            database.name,
            before.problems
        );
        let raw = database.raw().await;
        lift_append_only(&raw, database.name == "PostgreSQL").await;
        for statement in tamper {
            raw.execute(sqlx::AssertSqlSafe(statement.to_string()))
                .await
                .unwrap();
        }
        raw.close().await;
        let report = store.verify_audit().await.unwrap();
        let rows: Vec<_> = report.problems.iter().filter_map(row_problem).collect();
        assert_eq!(
            rows.len(),
            report.problems.len(),
            "{}: only rows were tampered with: {:?}",
            database.name,
            report.problems
        );
        found.push((database.name.to_string(), rows));
        store.close().await;
        database.drop_database().await;
    }
    found
}

async fn check(tamper: &[&str], expected: &[(&'static str, &'static str, &str)]) {
    let expected: Vec<(&'static str, &'static str, String)> = expected
        .iter()
        .map(|(what, table, key)| (*what, *table, key.to_string()))
        .collect();
    for (on, found) in row_problems_after(tamper).await {
        assert_eq!(found, expected, "{on}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_day_of_changes_leaves_every_row_witnessed() {
    for database in databases().await {
        let store = database.store().await;
        a_confirmed_day(&store).await;
        let report = store.verify_audit().await.unwrap();
        assert!(
            report.is_intact(),
            "{}: {:?}",
            database.name,
            report.problems
        );
        let raw = database.raw().await;
        let mut rows = 0;
        for table in corridor_store::covered_tables() {
            let count: i64 = raw
                .fetch_one(sqlx::AssertSqlSafe(format!(
                    "SELECT COUNT(*) AS n FROM {table}"
                )))
                .await
                .unwrap()
                .try_get("n")
                .unwrap();
            rows += count as u64;
        }
        assert_eq!(report.rows, rows, "{}", database.name);
        for (table, at_least) in [
            ("persons", 3),
            ("status_events", 10),
            ("manifest_entries", 2),
            ("bed_holds", 1),
        ] {
            let count: i64 = raw
                .fetch_one(sqlx::AssertSqlSafe(format!(
                    "SELECT COUNT(*) AS n FROM {table}"
                )))
                .await
                .unwrap()
                .try_get("n")
                .unwrap();
            assert!(count >= at_least, "{}: {table} has {count}", database.name);
        }
        let pending: i64 = raw
            .fetch_one("SELECT COUNT(*) AS n FROM audit_pending")
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
        assert_eq!(
            pending, 0,
            "{}: every change took its pending rows",
            database.name
        );
        raw.close().await;
        store.close().await;
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_table_is_bound_to_the_chain_or_deliberately_left_out() {
    for database in databases().await {
        let store = database.store().await;
        let raw = database.raw().await;
        let postgres = database.name == "PostgreSQL";
        let tables: Vec<String> = raw
            .fetch_all(if postgres {
                "SELECT CAST(tablename AS TEXT) AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            } else {
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1"
            })
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get("name").unwrap())
            .collect();
        let covered = corridor_store::covered_tables();
        for table in &tables {
            assert!(
                covered.contains(&table.as_str())
                    || corridor_store::uncovered_tables().contains(&table.as_str()),
                "{}: table {table} is neither bound to the audit chain nor listed as left out",
                database.name
            );
        }
        for table in covered {
            assert!(tables.iter().any(|t| t == table), "{table} exists");
            let triggers: i64 = raw
                .fetch_one(sqlx::AssertSqlSafe(if postgres {
                    format!(
                        "SELECT COUNT(*) AS n FROM pg_trigger t JOIN pg_class c ON t.tgrelid = c.oid \
                         WHERE c.relname = '{table}' AND t.tgname = '{table}_written'"
                    )
                } else {
                    format!(
                        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'trigger' \
                         AND tbl_name = '{table}' AND name LIKE '{table}_written_%'"
                    )
                }))
                .await
                .unwrap()
                .try_get("n")
                .unwrap();
            let expected = if postgres { 1 } else { 3 };
            assert_eq!(triggers, expected, "{}: triggers of {table}", database.name);
        }
        raw.close().await;
        store.close().await;
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_changed_outside_corridor_is_reported_by_id() {
    check(
        &["UPDATE persons SET status = 'cleared' WHERE id = 'P-2'"],
        &[("edited", "persons", "P-2")],
    )
    .await;
    check(
        &[
            "INSERT INTO persons (id, role, birth_year, sex, legal_basis, tier_rank, status, \
           clearance_attempt, version, registered_at, status_changed_at) \
           SELECT 'P-9', role, birth_year, sex, legal_basis, tier_rank, status, \
           clearance_attempt, version, registered_at, status_changed_at \
           FROM persons WHERE id = 'P-2'",
        ],
        &[("inserted", "persons", "P-9")],
    )
    .await;
    check(
        &[
            "DELETE FROM status_events WHERE person_id = 'P-2'",
            "DELETE FROM persons WHERE id = 'P-2'",
        ],
        &[
            ("deleted", "persons", "P-2"),
            ("deleted", "status_events", "P-2/1"),
            ("deleted", "status_events", "P-2/2"),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_status_event_changed_outside_corridor_is_reported_by_id() {
    check(
        &["UPDATE status_events SET actor = 'someone-else' WHERE person_id = 'P-1' AND version = 2"],
        &[("edited", "status_events", "P-1/2")],
    )
    .await;
    check(
        &[
            "INSERT INTO status_events (person_id, version, at, actor, from_status, to_status, \
           action, clearance_attempt) \
           SELECT person_id, 99, at, actor, from_status, to_status, action, clearance_attempt \
           FROM status_events WHERE person_id = 'P-2' AND version = 2",
        ],
        &[("inserted", "status_events", "P-2/99")],
    )
    .await;
    check(
        &["DELETE FROM status_events WHERE person_id = 'P-2' AND version = 2"],
        &[("deleted", "status_events", "P-2/2")],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manifest_entry_changed_outside_corridor_is_reported_by_id() {
    check(
        &["UPDATE manifest_entries SET outcome = 'crossed' WHERE person_id = 'C-1'"],
        &[(
            "edited",
            "manifest_entries",
            "rafah/2026-02-02/outbound/C-1",
        )],
    )
    .await;
    check(
        &["INSERT INTO manifest_entries (crossing, date, direction, person_id, party, position, reason) \
           VALUES ('rafah', '2026-02-02', 'outbound', 'P-2', 'P-2', 9, 'added by hand')"],
        &[("inserted", "manifest_entries", "rafah/2026-02-02/outbound/P-2")],
    )
    .await;
    check(
        &["DELETE FROM manifest_entries WHERE person_id = 'C-1'"],
        &[(
            "deleted",
            "manifest_entries",
            "rafah/2026-02-02/outbound/C-1",
        )],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bed_hold_changed_outside_corridor_is_reported_by_id() {
    check(
        &["UPDATE bed_holds SET state = 'released' WHERE person_id = 'P-1'"],
        &[("edited", "bed_holds", "P-1/1")],
    )
    .await;
    check(
        &["INSERT INTO bed_holds (person_id, hold, facility, specialty, offer_from, arrival_date, \
           state, held_at, changed_at) \
           VALUES ('P-2', 1, 'eg-1', 'oncology', '2026-01-15', '2026-02-02', 'held', 0, 0)"],
        &[("inserted", "bed_holds", "P-2/1")],
    )
    .await;
    check(
        &["DELETE FROM bed_holds WHERE person_id = 'P-1'"],
        &[("deleted", "bed_holds", "P-1/1")],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rewriting_the_witnesses_to_hide_an_edit_is_found() {
    for database in databases().await {
        let store = database.store().await;
        a_confirmed_day(&store).await;
        let raw = database.raw().await;
        lift_append_only(&raw, database.name == "PostgreSQL").await;
        raw.execute("UPDATE persons SET status = 'cleared' WHERE id = 'P-2'")
            .await
            .unwrap();
        // A careful forger records the edited row's new digest as witnessed
        // by the newest entry that wrote P-2...
        let newest: i64 = raw
            .fetch_one(
                "SELECT MAX(seq) AS seq FROM audit_rows WHERE tbl = 'persons' \
                 AND row_key = '[\"P-2\"]'",
            )
            .await
            .unwrap()
            .try_get("seq")
            .unwrap();
        let edited = store.verify_audit().await.unwrap();
        assert!(
            edited
                .problems
                .iter()
                .any(|p| matches!(p, AuditProblem::RowEdited { key, .. } if key == "P-2")),
            "{}",
            database.name
        );
        raw.execute(sqlx::AssertSqlSafe(format!(
            "UPDATE audit_rows SET digest = 'forged' WHERE seq = {newest} AND tbl = 'persons'"
        )))
        .await
        .unwrap();
        // ...or under an entry that does not exist.
        raw.execute(
            "INSERT INTO audit_rows (seq, tbl, row_key, digest) \
             VALUES (100000, 'persons', '[\"P-2\"]', 'forged')",
        )
        .await
        .unwrap();
        let report = store.verify_audit().await.unwrap();
        assert!(
            report
                .problems
                .contains(&AuditProblem::WitnessesChanged { seq: newest as u64 }),
            "{}: {:?}",
            database.name,
            report.problems
        );
        assert!(
            report
                .problems
                .contains(&AuditProblem::WitnessesChanged { seq: 100_000 }),
            "{}: {:?}",
            database.name,
            report.problems
        );
        assert!(
            report
                .problems
                .iter()
                .any(|p| matches!(p, AuditProblem::RowEdited { key, .. } if key == "P-2")),
            "{}: the edit is still reported: {:?}",
            database.name,
            report.problems
        );
        raw.close().await;
        store.close().await;
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_anchor_shows_a_truncated_or_rewritten_chain() {
    for database in databases().await {
        let on = database.name;
        let store = database.store().await;
        a_confirmed_day(&store).await;
        let anchor = store.audit_anchor().await.unwrap();
        let reread = AuditAnchor::parse(&anchor.to_text()).unwrap();
        assert_eq!(reread, anchor, "{on}");
        assert!(
            store
                .verify_audit_against(Some(&anchor))
                .await
                .unwrap()
                .is_intact(),
            "{on}"
        );
        // The chain grows: the anchor still holds.
        store.record(&audit("person.read")).await.unwrap();
        assert!(
            store
                .verify_audit_against(Some(&anchor))
                .await
                .unwrap()
                .is_intact(),
            "{on}"
        );

        // The last three entries (reads) removed and the head set back:
        // nothing inside the database shows it.
        let raw = database.raw().await;
        lift_append_only(&raw, on == "PostgreSQL").await;
        let kept = anchor.seq - 2;
        raw.execute(sqlx::AssertSqlSafe(format!(
            "DELETE FROM audit_log WHERE seq > {kept}"
        )))
        .await
        .unwrap();
        raw.execute(sqlx::AssertSqlSafe(format!(
            "UPDATE audit_head SET seq = {kept}, hash = (SELECT hash FROM audit_log WHERE seq = {kept})"
        )))
        .await
        .unwrap();
        raw.close().await;
        // A new store: the old one keeps the head it read in memory.
        let store = database.store().await;
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
        assert_eq!(
            store
                .verify_audit_against(Some(&anchor))
                .await
                .unwrap()
                .problems,
            vec![AuditProblem::AnchorBeyondHead {
                seq: anchor.seq,
                head: kept
            }],
            "{on}"
        );
        // Entries appended again up to the anchor's position: a valid
        // chain, but not the one anchored.
        store.record(&audit("user.sign-in")).await.unwrap();
        store.record(&audit("user.sign-in")).await.unwrap();
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
        assert_eq!(
            store
                .verify_audit_against(Some(&anchor))
                .await
                .unwrap()
                .problems,
            vec![AuditProblem::AnchorMismatch { seq: anchor.seq }],
            "{on}"
        );
        store.close().await;
        database.drop_database().await;
    }
}

#[test]
fn an_anchor_file_that_is_not_one_is_refused_with_the_reason() {
    for (text, message) in [
        ("", "does not start with"),
        (
            "corridor audit anchor\nseq x\n",
            "seq 'x' is not a whole number",
        ),
        (
            "corridor audit anchor\nseq 3\nhash abc\n",
            "not 64 hexadecimal digits",
        ),
        ("corridor audit anchor\nseq 3\n", "the hash line is missing"),
    ] {
        let error = AuditAnchor::parse(text).unwrap_err();
        assert!(error.contains(message), "{text:?}: {error}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registry_made_before_rows_were_bound_is_bound_when_upgraded() {
    for database in databases().await {
        let on = database.name;
        sqlx::any::install_default_drivers();
        let raw = if on == "PostgreSQL" {
            database.raw().await
        } else {
            sqlx::AnyPool::connect(&format!("{}?mode=rwc", database.url))
                .await
                .unwrap()
        };
        let migrator = if on == "PostgreSQL" {
            sqlx::migrate!("./migrations/postgres")
        } else {
            sqlx::migrate!("./migrations/sqlite")
        };
        migrator.run_to(6, &raw).await.unwrap();
        raw.execute(
            "INSERT INTO crossings (id, name, directions, operating_days) \
             VALUES ('rafah', 'Rafah', 'outbound', 'mon,tue')",
        )
        .await
        .unwrap();
        raw.execute("INSERT INTO countries (code, name, open) VALUES ('EG', 'Egypt', 1)")
            .await
            .unwrap();
        raw.close().await;

        let store = Store::open(&database.url).await.unwrap();
        let report = store.verify_audit().await.unwrap();
        assert!(report.is_intact(), "{on}: {:?}", report.problems);
        let raw = database.raw().await;
        let seeded: i64 = raw
            .fetch_one("SELECT COUNT(*) AS n FROM reason_codes")
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
        raw.close().await;
        // The two rows and the reason codes migration 0006 seeds.
        assert_eq!(
            (report.entries, report.rows),
            (1, 2 + seeded as u64),
            "{on}"
        );
        let entry = &store.audit_tail(1).await.unwrap()[0];
        assert_eq!(entry.action, "schema.migrate", "{on}");
        // Opening again binds nothing more.
        store.close().await;
        let store = Store::open(&database.url).await.unwrap();
        assert_eq!(store.verify_audit().await.unwrap().entries, 1, "{on}");
        store.close().await;
        database.drop_database().await;
    }
}
