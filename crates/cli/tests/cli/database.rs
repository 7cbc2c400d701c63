//! Which databases the CLI opens, and what it says when it cannot.

use super::support::{Registry, run_raw, with_postgres_registry};

#[test]
fn an_unsupported_url_names_the_supported_ones() {
    let home = tempfile::tempdir().unwrap();
    let run = run_raw(
        home.path(),
        &[
            "--database-url",
            "mysql://admin:hunter2@db.example/corridor",
            "summary",
        ],
    )
    .failure();
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("sqlite:///path/to/file.db"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("postgres://user@host/database"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("hunter2"),
        "the password leaked: {}",
        run.stderr
    );
}

#[test]
fn an_unwritable_path_is_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    // A path under a regular file cannot be created, even by root.
    let blocker = home.path().join("not-a-directory");
    std::fs::write(&blocker, "").unwrap();
    let url = format!("sqlite://{}/corridor.db", blocker.display());
    let run = run_raw(home.path(), &["--database-url", &url, "summary"]).failure();
    assert!(run.stdout.is_empty());
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines[0].starts_with(&format!("error: cannot open the database {url}: ")),
        "{}",
        run.stderr
    );
    // The cause is said once, followed by what to check.
    assert_eq!(
        lines[1..],
        ["  check that the directory of the file exists and that you may write in it"],
        "{}",
        run.stderr
    );
}

#[test]
fn the_database_url_can_come_from_the_environment() {
    let registry = Registry::new();
    registry.ok(&["demo", "--size", "300"]);
    let output = assert_cmd::Command::cargo_bin("corridor")
        .unwrap()
        .args(["--today", "2026-02-01", "summary"])
        .env("CORRIDOR_DATABASE_URL", registry.url())
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("Waiting list on 2026-02-01: 300 patients waiting"),
        "{stdout}"
    );
}

#[test]
fn bad_global_values_are_refused() {
    let registry = Registry::new();
    let url = registry.url();
    let home = tempfile::tempdir().unwrap();
    run_raw(
        home.path(),
        &["--database-url", url, "--today", "1/2/2026", "summary"],
    )
    .failure()
    .stderr_has("--today '1/2/2026' is not a date; use YYYY-MM-DD");
    run_raw(
        home.path(),
        &["--database-url", url, "--as", " ", "summary"],
    )
    .failure()
    .stderr_has("--as: say who is acting");
}

/// The smoke test on PostgreSQL, in a database made for it and dropped after.
#[test]
fn postgres_smoke_test() {
    with_postgres_registry(|registry| {
        let demo = registry.ok(&["demo", "--size", "300"]);
        assert!(
            demo.starts_with("Loaded the demo data set (seed 2026) into postgres"),
            "{demo}"
        );
        assert!(demo.contains("300 patients waiting"), "{demo}");
        let listing = registry.ok(&["patients", "list", "--tier", "critical", "--limit", "5"]);
        assert_eq!(
            super::support::ids_of_listing(&listing).len(),
            5,
            "{listing}"
        );
        registry
            .run(&["audit", "verify"])
            .success()
            .stdout_has("The audit log and the data are intact: ");
    });
}

/// The registry in the data directory holds personal data: the directory
/// corridor makes for it is its owner's only, and so is the database file.
#[cfg(unix)]
#[test]
fn the_default_registry_and_its_directory_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    run_raw(home.path(), &["--today", "2026-02-01", "summary"]).success();
    let mode = |path: &std::path::Path| {
        let mode = std::fs::metadata(path)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
            .permissions()
            .mode();
        format!("{:o}", mode & 0o777)
    };
    // `run_raw` points the data directory (XDG_DATA_HOME) at `home`.
    let directory = home.path().join("corridor");
    assert_eq!(mode(&directory), "700");
    assert_eq!(mode(&directory.join("corridor.db")), "600");
}
