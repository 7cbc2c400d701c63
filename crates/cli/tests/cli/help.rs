//! `--help` of every command: exits 0, and shows examples a coordinator can copy.

use super::support::run_raw;

/// Each command line, and a line of its examples that must be shown.
const HELP: &[(&[&str], &str)] = &[
    (&[], "corridor patients show P-000042"),
    (&["demo"], "corridor demo --seed 7 --size 2000"),
    (&["summary"], "corridor summary --today"),
    (&["patients"], "corridor patients list --tier critical"),
    (&["patients", "add"], "--companion relationship=child"),
    (
        &["patients", "list"],
        "corridor patients list --age-group child",
    ),
    (&["patients", "show"], "corridor patients show P-000042"),
    (
        &["patients", "transition"],
        "corridor patients transition P-000042 deny --reason security-objection",
    ),
    (&["reasons"], "corridor reasons list --kind denied"),
    (&["reasons", "list"], "corridor reasons list --kind denied"),
    (
        &["reasons", "add"],
        "corridor reasons add --kind turned-back --code permit-expired",
    ),
    (
        &["reasons", "retire"],
        "corridor reasons retire --kind denied",
    ),
    (&["import"], "corridor import referrals referrals.csv"),
    (
        &["import", "referrals"],
        "corridor import referrals referrals.csv --dry-run",
    ),
    (&["export"], "corridor export referrals --out referrals.csv"),
    (
        &["export", "referrals"],
        "corridor export referrals --include-personal --purpose",
    ),
    (&["audit"], "corridor audit verify"),
    (&["audit", "verify"], "corridor audit verify"),
    (&["audit", "log"], "corridor audit log --limit 50"),
    (&["forecast"], "corridor forecast --from-registry"),
    (&["calls"], "corridor calls list --date 2026-02-02"),
    (
        &["calls", "record"],
        "corridor calls record P-000123 --date 2026-02-02 --outcome declined",
    ),
    (
        &["calls", "cut-off"],
        "corridor calls cut-off --date 2026-02-02 --apply",
    ),
    (
        &["plan", "assembly", "add"],
        "corridor plan assembly add --crossing rafah --date 2026-02-02",
    ),
    (
        &["patients", "contact", "add"],
        "corridor patients contact add P-000042 --phone",
    ),
];

#[test]
fn every_command_has_help_with_examples() {
    let home = tempfile::tempdir().unwrap();
    for (command, example) in HELP {
        let mut args = command.to_vec();
        args.push("--help");
        let run = run_raw(home.path(), &args);
        assert_eq!(run.code, 0, "corridor {args:?}: {}", run.stderr);
        assert!(
            run.stdout.contains("Example"),
            "corridor {} --help shows no examples:\n{}",
            command.join(" "),
            run.stdout
        );
        assert!(
            run.stdout.contains(example),
            "corridor {} --help lacks {example:?}:\n{}",
            command.join(" "),
            run.stdout
        );
    }
}

#[test]
fn help_needs_no_database() {
    // --help must work before any database exists, even with a bad URL.
    let home = tempfile::tempdir().unwrap();
    let run = run_raw(
        home.path(),
        &[
            "--database-url",
            "mysql://nowhere/db",
            "patients",
            "list",
            "--help",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("--waited-more-than"));
    assert!(!home.path().join("corridor").exists());
}

#[test]
fn no_command_is_a_usage_error_that_lists_the_commands() {
    let home = tempfile::tempdir().unwrap();
    let run = run_raw(home.path(), &[]);
    assert_eq!(run.code, 2);
    for command in ["demo", "summary", "patients", "import", "export", "audit"] {
        assert!(run.stderr.contains(command), "{}", run.stderr);
    }
}
