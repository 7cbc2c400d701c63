//! `corridor patients transition`: the legal path, illegal moves, missing
//! arguments, and a stale `--expect-version`.

use super::support::{PatientSpec, Registry};

fn one_patient() -> Registry {
    let registry = Registry::new();
    registry.add_patient(&PatientSpec {
        id: "P-1",
        ..PatientSpec::default()
    });
    registry
}

#[test]
fn a_full_legal_path_prints_each_new_status() {
    let registry = one_patient();
    let steps: &[(&[&str], &str)] = &[
        (
            &["list"],
            "P-1 is now listed (version 2). Allowed next: request-clearance, die, withdraw.",
        ),
        (
            &["request-clearance"],
            "P-1 is now clearance-requested (version 3). Allowed next: clear, deny, delay, die, withdraw.",
        ),
        (
            &["deny", "--reason", "security-objection"],
            "P-1 is now denied (version 4). Allowed next: resubmit, die, withdraw.",
        ),
        (
            &["resubmit"],
            "P-1 is now clearance-requested (version 5). Allowed next: clear, deny, delay, die, withdraw.",
        ),
        (
            &["clear"],
            "P-1 is now cleared (version 6). Allowed next: schedule, die, withdraw.",
        ),
    ];
    for (action, expected) in steps {
        let mut args = vec!["patients", "transition", "P-1"];
        args.extend(*action);
        assert_eq!(registry.ok(&args), format!("{expected}\n"), "{action:?}");
    }
    // From here on the day plan and the gate move people (see crossing_day.rs).
    registry
        .run(&[
            "patients",
            "transition",
            "P-1",
            "schedule",
            "--date",
            "2026-02-05",
            "--crossing",
            "rafah",
        ])
        .failure()
        .stderr_has("people are scheduled by confirming the day plan of rafah on 2026-02-05")
        .stderr_has("hint: `corridor plan show` explains the day's plan; `corridor plan confirm` schedules it");
    let show = registry.ok(&["patients", "show", "P-1"]);
    assert!(
        show.contains("  status: cleared (version 6, clearance attempt 2)\n"),
        "{show}"
    );
    assert!(show.contains("resubmit (attempt 2)"), "{show}");
}

#[test]
fn an_illegal_transition_names_the_status_and_what_is_allowed() {
    let registry = one_patient();
    let run = registry
        .run(&["patients", "transition", "P-1", "cross"])
        .failure();
    assert!(run.stdout.is_empty());
    assert_eq!(
        run.stderr.lines().next().unwrap(),
        "error: P-1: cannot cross a patient who is referred; allowed: list, die, withdraw",
    );
    // Nothing changed.
    assert!(
        registry
            .ok(&["patients", "show", "P-1"])
            .contains("  status: referred (version 1")
    );
    registry
        .run(&["patients", "transition", "P-1", "fly"])
        .failure()
        .stderr_has("request-clearance");
    registry
        .run(&["patients", "transition", "P-404", "list"])
        .failure()
        .stderr_has("no person with id P-404 is registered");
}

#[test]
fn after_a_death_only_a_reinstatement_is_allowed() {
    let registry = one_patient();
    registry.ok(&[
        "patients",
        "transition",
        "P-1",
        "die",
        "--date",
        "2026-01-30",
    ]);
    registry
        .run(&["patients", "transition", "P-1", "list"])
        .failure()
        .stderr_has("cannot list a patient who is died-while-waiting; allowed: reinstate");
}

#[test]
fn a_death_recorded_in_error_is_reinstated_with_a_reason() {
    let registry = one_patient();
    registry.ok(&["patients", "transition", "P-1", "list"]);
    registry.ok(&["patients", "transition", "P-1", "request-clearance"]);
    assert_eq!(
        registry.ok(&[
            "patients",
            "transition",
            "P-1",
            "die",
            "--date",
            "2026-01-30",
        ]),
        "P-1 is now died-while-waiting (version 4). Allowed next: reinstate.\n"
    );
    assert!(
        registry
            .ok(&["summary"])
            .contains("Waiting list on 2026-02-01: 0 patients waiting")
            && registry
                .ok(&["summary"])
                .contains("Deaths while waiting: 1."),
        "the death counts while it stands"
    );
    registry
        .run(&["patients", "transition", "P-1", "reinstate"])
        .failure()
        .stderr_has("error: --reason: is required: give the code of the reason");
    assert_eq!(
        registry.ok(&[
            "patients",
            "transition",
            "P-1",
            "reinstate",
            "--reason",
            "wrong-person",
            "--note",
            "the death was of another patient with the same name",
            "--expect-version",
            "4",
        ]),
        "P-1 is now clearance-requested (version 5). Allowed next: clear, deny, delay, die, withdraw.\n"
    );
    let show = registry.ok(&["patients", "show", "P-1"]);
    assert!(
        show.contains("  status: clearance-requested (version 5, clearance attempt 1)\n"),
        "{show}"
    );
    assert!(!show.contains(", died "), "{show}");
    // The history keeps both events: the death and the reinstatement.
    let last_two: Vec<String> = show
        .lines()
        .rev()
        .take(2)
        .map(|line| {
            line.split_whitespace()
                .skip(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        last_two,
        [
            "died-while-waiting clearance-requested reinstate Recorded against the wrong person \
             (wrong-person): the death was of another patient with the same name",
            "clearance-requested died-while-waiting die (on 2026-01-30)",
        ],
        "{show}"
    );
    let summary = registry.ok(&["summary"]);
    assert!(
        summary.contains("Waiting list on 2026-02-01: 1 patients waiting")
            && summary.contains("Deaths while waiting: 0."),
        "a death recorded in error and reinstated is no death: {summary}"
    );
    registry
        .run(&["patients", "transition", "P-1", "reinstate", "--reason", "wrong-person"])
        .failure()
        .stderr_has(
            "cannot reinstate a patient who is clearance-requested; allowed: clear, deny, delay, die, withdraw",
        );
}

#[test]
fn missing_reason_or_date_is_refused_before_anything_changes() {
    let registry = one_patient();
    registry.ok(&["patients", "transition", "P-1", "list"]);
    registry.ok(&["patients", "transition", "P-1", "request-clearance"]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["deny"],
            "error: --reason: is required: give the code of the reason (clearance denied) (`corridor reasons list` shows the codes)",
        ),
        (&["deny", "--reason", "  "], "error: --reason: is required"),
        (
            &["deny", "--reason", "watch-list"],
            "error: --reason: 'watch-list' is not a reason code for clearance denied; use one of: security-objection,",
        ),
        (
            &["deny", "--reason", "other"],
            "error: --note: the reason code 'other' needs a note saying what the reason was (clearance denied)",
        ),
        (&["withdraw"], "error: --reason: is required"),
        (
            &["clear", "--reason", "security-objection"],
            "error: --reason: clear takes no reason",
        ),
        (&["delay"], "error: delay needs --date YYYY-MM-DD"),
        (
            &["die"],
            "error: die needs --date YYYY-MM-DD (the date of death)",
        ),
        (
            &["die", "--date", "2026-02-02"],
            "is in the future (today is 2026-02-01)",
        ),
    ];
    for (action, expected) in cases {
        let mut args = vec!["patients", "transition", "P-1"];
        args.extend(*action);
        let run = registry.run(&args).failure();
        assert!(run.stderr.contains(expected), "{action:?}: {}", run.stderr);
    }
    // A date flag that is not a date is refused by clap, as a usage error.
    registry
        .run(&["patients", "transition", "P-1", "delay", "--date", "soon"])
        .usage_error()
        .stderr_has(
            "error: invalid value 'soon' for '--date <DATE>': 'soon' is not a date; use YYYY-MM-DD",
        );
    registry.ok(&["patients", "transition", "P-1", "clear"]);
    registry
        .run(&[
            "patients",
            "transition",
            "P-1",
            "schedule",
            "--crossing",
            "rafah",
        ])
        .failure()
        .stderr_has("schedule needs --date YYYY-MM-DD (the crossing day)");
    registry
        .run(&[
            "patients",
            "transition",
            "P-1",
            "schedule",
            "--date",
            "2026-02-05",
        ])
        .failure()
        .stderr_has("schedule needs --crossing");
    assert!(
        registry
            .ok(&["patients", "show", "P-1"])
            .contains("  status: cleared (version 4")
    );
}

#[test]
fn a_stale_expected_version_is_a_conflict() {
    let registry = one_patient();
    registry.ok(&[
        "patients",
        "transition",
        "P-1",
        "list",
        "--expect-version",
        "1",
    ]);
    let run = registry
        .run(&[
            "patients",
            "transition",
            "P-1",
            "withdraw",
            "--reason",
            "duplicate-referral",
            "--expect-version",
            "1",
        ])
        .failure();
    assert!(
        run.stderr.starts_with(
            "error: P-1 was changed by someone else meanwhile (it is now at version 2, this change was based on version 1); look at it again and retry"
        ),
        "{}",
        run.stderr
    );
    registry.ok(&[
        "patients",
        "transition",
        "P-1",
        "request-clearance",
        "--expect-version",
        "2",
    ]);
}
