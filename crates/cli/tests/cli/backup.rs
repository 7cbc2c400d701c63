//! `corridor backup` and `corridor restore`: a registry moves between
//! SQLite and PostgreSQL with its history and its audit chain.

use super::support::{PatientSpec, Registry, with_postgres_database};

/// A registry with a patient moved through a few steps.
fn registry_with_history() -> Registry {
    let registry = Registry::new();
    registry.add_patient(&PatientSpec::default());
    registry.add_patient(&PatientSpec {
        id: "P-2",
        tier: "critical",
        ..PatientSpec::default()
    });
    registry.ok(&["patients", "transition", "P-1", "list"]);
    registry.ok(&["patients", "transition", "P-1", "request-clearance"]);
    registry.ok(&["patients", "show", "P-2"]);
    registry
}

#[test]
fn a_backup_restores_into_an_empty_registry_and_verifies() {
    let original = registry_with_history();
    let anchor = original.file("anchor.txt");
    let anchor = anchor.to_str().unwrap();
    original.ok(&["audit", "anchor", "--out", anchor]);
    let backup = original.file("registry.backup");
    let backup = backup.to_str().unwrap();
    original
        .run(&["backup", "--out", backup])
        .success()
        .stdout_has("Backed up ")
        .stdout_has("audit chain up to entry 6");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the backup holds personal data");
    }
    // The backup itself is recorded.
    assert!(
        original
            .ok(&["audit", "log", "--limit", "1"])
            .contains("registry.backup")
    );

    let copy = Registry::unopened();
    copy.run(&["restore", backup])
        .success()
        .stdout_has("Restored ")
        .stdout_has("The audit log and the data are intact: 7 entries");
    copy.run(&["audit", "verify", "--anchor", anchor])
        .success()
        .stdout_has("The chain still holds the anchored entry 6");
    assert_eq!(
        copy.list_ids(&["--status", "clearance-requested"]),
        original.list_ids(&["--status", "clearance-requested"])
    );
    assert_eq!(copy.list_ids(&[]), ["P-2", "P-1"]);

    // A registry that holds data is never overwritten.
    copy.run(&["restore", backup])
        .failure()
        .stderr_has("was not restored; nothing was changed")
        .stderr_has("restore into a new, empty database");
}

#[test]
fn a_damaged_or_cut_off_backup_is_refused_and_nothing_is_loaded() {
    let original = registry_with_history();
    let backup = original.file("registry.backup");
    original.ok(&["backup", "--out", backup.to_str().unwrap()]);
    let text = std::fs::read_to_string(&backup).unwrap();
    let lines: Vec<&str> = text.lines().collect();

    let cut = original.write_file("cut.backup", &lines[..lines.len() - 3].join("\n"));
    let copy = Registry::unopened();
    copy.run(&["restore", cut.to_str().unwrap()])
        .failure()
        .stderr_has("the backup ends early");

    let changed = original.write_file("changed.backup", &text.replacen("\"P-2\"", "\"P-3\"", 1));
    copy.run(&["restore", changed.to_str().unwrap()])
        .failure()
        .stderr_has("the backup's checksum does not match its content");

    let garbage = original.write_file("notes.txt", "these are my notes\n");
    copy.run(&["restore", garbage.to_str().unwrap()])
        .failure()
        .stderr_has("line 1:");
    // Nothing was loaded and nothing recorded: the registry is still new,
    // and a good backup restores into it.
    copy.run(&["restore", backup.to_str().unwrap()])
        .success()
        .stdout_has("The audit log and the data are intact: 7 entries");
    assert_eq!(copy.list_ids(&[]), original.list_ids(&[]));
}

#[test]
fn a_registry_moves_from_sqlite_to_postgresql_and_back() {
    with_postgres_database(|url| {
        let postgres = Registry::unopened_at(url);
        let laptop = registry_with_history();
        let backup = laptop.file("laptop.backup");
        let backup = backup.to_str().unwrap();
        laptop.ok(&["backup", "--out", backup]);
        postgres
            .run(&["restore", backup])
            .success()
            .stdout_has("The audit log and the data are intact: 7 entries");
        // Work goes on in PostgreSQL, then comes back.
        postgres.ok(&["patients", "transition", "P-2", "list"]);
        let back = laptop.file("cell.backup");
        let back = back.to_str().unwrap();
        postgres.ok(&["backup", "--out", back]);
        let again = Registry::unopened();
        again
            .run(&["restore", back])
            .success()
            .stdout_has("The audit log and the data are intact: 9 entries");
        assert_eq!(again.list_ids(&["--status", "listed"]), ["P-2"]);
    });
}
