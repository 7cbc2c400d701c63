//! `corridor audit verify` and `corridor audit log`.

use sqlx::Executor as _;

use super::support::{PatientSpec, Registry, block_on};

/// A registry after a series of commands, each of which leaves an entry.
/// Entry 1 binds the data a new registry starts with (the reason codes) to
/// the chain.
fn busy_registry() -> Registry {
    let registry = Registry::new();
    registry.add_patient(&PatientSpec::default()); // 2: person.register
    registry.ok(&["patients", "show", "P-1"]); // 3: person.read
    registry.ok(&["patients", "transition", "P-1", "list"]); // 4
    registry.ok(&["patients", "transition", "P-1", "request-clearance"]); // 5
    registry.ok(&["export", "referrals"]); // 6
    registry
}

#[test]
fn an_intact_log_verifies() {
    let registry = busy_registry();
    let run = registry.run(&["audit", "verify"]).success();
    let first = run.stdout.lines().next().unwrap();
    let prefix = "The audit log and the data are intact: 6 entries, ";
    assert!(first.starts_with(prefix), "{}", run.stdout);
    let (_, hash) = first.split_once(" with hash ").unwrap();
    let hash = hash.trim_end_matches('.');
    assert_eq!(hash.len(), 64, "{first}");
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{first}");
    assert!(first.contains("head entry 6"), "{first}");
    assert!(run.stdout.contains("corridor audit anchor --out FILE"));
    // Verifying reads no personal data and changes nothing.
    assert_eq!(registry.ok(&["audit", "verify"]), run.stdout);
}

#[test]
fn the_log_shows_who_did_what() {
    let registry = busy_registry();
    let log = registry.ok(&["audit", "log"]);
    // Newest first; read oldest first.
    let mut rows: Vec<Vec<&str>> = log
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().collect())
        .collect();
    rows.reverse();
    let actions: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[0], r[3], r[4])).collect();
    assert_eq!(
        actions,
        [
            ("1", "corridor", "schema.migrate"),
            ("2", "tester", "person.register"),
            ("3", "tester", "person.read"),
            ("4", "tester", "person.transition"),
            ("5", "tester", "person.transition"),
            ("6", "tester", "person.export-pseudonymised"),
        ],
        "{log}"
    );
    let tail = registry.ok(&["audit", "log", "--limit", "2"]);
    assert_eq!(tail.lines().count(), 3, "{tail}");
    // Newest first.
    let seqs: Vec<&str> = tail
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(seqs, ["6", "5"], "{tail}");
}

#[test]
fn a_tampered_entry_is_named() {
    let registry = busy_registry();
    let url = registry.url().to_string();
    block_on(async move {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url)
            .await
            .expect("open the database");
        pool.execute("DROP TRIGGER audit_log_no_update")
            .await
            .expect("drop the guard");
        pool.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 2")
            .await
            .expect("tamper");
        pool.close().await;
    });
    let run = registry.run(&["audit", "verify"]).failure();
    assert!(
        run.stdout.starts_with(
            "The audit log or the data has been tampered with: 1 problem(s) in 6 entries"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  - entry 2: its content does not match its hash (edited)"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_deleted_entry_is_named() {
    let registry = busy_registry();
    let url = registry.url().to_string();
    block_on(async move {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url)
            .await
            .expect("open the database");
        pool.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
            .await
            .expect("drop the guard");
        pool.execute("DELETE FROM audit_log WHERE seq = 3")
            .await
            .expect("tamper");
        pool.close().await;
    });
    registry
        .run(&["audit", "verify"])
        .failure()
        .stdout_has("entries 3 to 3 are missing (deleted)");
}

/// Runs SQL on the registry's database as someone with access to it would.
fn tamper(registry: &super::support::Registry, statements: &[&'static str]) {
    let url = registry.url().to_string();
    let statements = statements.to_vec();
    block_on(async move {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url)
            .await
            .expect("open the database");
        for statement in statements {
            pool.execute(statement).await.expect("tamper");
        }
        pool.close().await;
    });
}

#[test]
fn a_row_changed_in_the_database_is_named_by_id() {
    let registry = busy_registry();
    tamper(
        &registry,
        &["UPDATE persons SET status = 'cleared' WHERE id = 'P-1'"],
    );
    registry
        .run(&["audit", "verify"])
        .failure()
        .stdout_has("The audit log or the data has been tampered with: 1 problem(s)")
        .stdout_has(
            "  - person P-1 was edited outside corridor: it differs from what entry 5 wrote",
        );
}

#[test]
fn an_anchor_kept_elsewhere_shows_a_truncated_chain() {
    let registry = busy_registry();
    let anchor = registry.file("anchor.txt");
    let anchor = anchor.to_str().unwrap();
    registry
        .run(&["audit", "anchor", "--out", anchor])
        .success()
        .stdout_has("Anchored entry 6 (");
    let printed = registry.ok(&["audit", "anchor"]);
    assert_eq!(std::fs::read_to_string(anchor).unwrap(), printed);
    registry
        .run(&["audit", "verify", "--anchor", anchor])
        .success()
        .stdout_has("The chain still holds the anchored entry 6");

    // The last entry (an export, which changed no row) removed, and the
    // head set back to the one before: invisible from inside.
    tamper(
        &registry,
        &[
            "DROP TRIGGER audit_log_no_delete",
            "DELETE FROM audit_log WHERE seq = 6",
            "UPDATE audit_head SET seq = 5, hash = (SELECT hash FROM audit_log WHERE seq = 5)",
        ],
    );
    registry.run(&["audit", "verify"]).success();
    registry
        .run(&["audit", "verify", "--anchor", anchor])
        .failure()
        .stdout_has("the anchor records entry 6, but the log ends at entry 5");

    let not_an_anchor = registry.write_file("notes.txt", "seq 5\n");
    let not_an_anchor = not_an_anchor.to_str().unwrap();
    registry
        .run(&["audit", "verify", "--anchor", not_an_anchor])
        .failure()
        .stderr_has("is not an audit anchor: it does not start with 'corridor audit anchor'");
}
