//! `corridor audit verify` and `corridor audit log`.

use sqlx::Executor as _;

use super::support::{PatientSpec, Registry, block_on};

/// A registry after a series of commands, each of which leaves an entry.
fn busy_registry() -> Registry {
    let registry = Registry::new();
    registry.add_patient(&PatientSpec::default()); // 1: person.register
    registry.ok(&["patients", "show", "P-1"]); // 2: person.read
    registry.ok(&["patients", "transition", "P-1", "list"]); // 3
    registry.ok(&["patients", "transition", "P-1", "request-clearance"]); // 4
    registry.ok(&["export", "referrals"]); // 5
    registry
}

#[test]
fn an_intact_log_verifies() {
    let registry = busy_registry();
    let run = registry.run(&["audit", "verify"]).success();
    let first = run.stdout.lines().next().unwrap();
    let prefix = "The audit log is intact: 5 entries, head entry 5 with hash ";
    assert!(first.starts_with(prefix), "{}", run.stdout);
    let hash = first[prefix.len()..].trim_end_matches('.');
    assert_eq!(hash.len(), 64, "{first}");
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{first}");
    assert!(
        run.stdout
            .contains("Keep the head hash somewhere outside this database")
    );
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
            ("1", "tester", "person.register"),
            ("2", "tester", "person.read"),
            ("3", "tester", "person.transition"),
            ("4", "tester", "person.transition"),
            ("5", "tester", "person.export-pseudonymised"),
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
    assert_eq!(seqs, ["5", "4"], "{tail}");
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
        run.stdout
            .starts_with("The audit log has been tampered with: 1 problem(s) in 5 entries."),
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
