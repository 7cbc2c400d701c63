//! Coded reasons from the terminal: the list of codes, and the rule that a
//! note about a person never leaves in a report or an export.

use super::support::{PatientSpec, Registry, with_postgres_registry};

#[test]
fn the_codes_are_listed_by_kind_with_their_labels() {
    let registry = Registry::new();
    let all = registry.ok(&["reasons", "list"]);
    for kind in [
        "denied",
        "delayed",
        "turned-back",
        "no-show",
        "unscheduled",
        "withdrawn",
    ] {
        assert!(
            all.lines().any(|line| {
                let words: Vec<&str> = line.split_whitespace().collect();
                words.starts_with(&[kind, "other"])
            }),
            "{kind} has other:\n{all}"
        );
    }
    let denied = registry.ok(&["reasons", "list", "--kind", "denied"]);
    let words: Vec<Vec<&str>> = denied
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(words[0], ["KIND", "CODE", "LABEL"]);
    assert_eq!(
        words[1],
        [
            "denied",
            "security-objection",
            "Security",
            "objection",
            "by",
            "the",
            "clearing",
            "authority"
        ]
    );
    assert!(!denied.contains("no-answer"), "{denied}");
    registry
        .run(&["reasons", "list", "--kind", "refused"])
        .failure()
        .stderr_has("--kind: unknown value 'refused'; expected one of: denied, delayed");
}

const NOTES: [&str; 3] = [
    "brother K. M. on a watch list",
    "moved in with her uncle Samir Haddad in Deir al-Balah",
    "officer said the father's permit was forged",
];

/// A denial, a withdrawal and a turn-back, each with a note that names
/// someone; then the situation report, the FHIR export, the pseudonymised
/// referrals export and every HXL aggregate: no note appears in any, the
/// codes and labels do.
fn notes_never_leave(registry: &Registry) {
    for id in ["P-1", "P-2", "P-3"] {
        registry.add_patient(&PatientSpec {
            id,
            ..PatientSpec::default()
        });
        registry.ok(&["patients", "transition", id, "list"]);
    }
    registry.ok(&["patients", "transition", "P-1", "request-clearance"]);
    registry.ok(&[
        "patients",
        "transition",
        "P-1",
        "deny",
        "--reason",
        "other",
        "--note",
        NOTES[0],
    ]);
    registry.ok(&["patients", "transition", "P-2", "request-clearance"]);
    registry.ok(&[
        "patients",
        "transition",
        "P-2",
        "withdraw",
        "--reason",
        "declined-evacuation",
        "--note",
        NOTES[1],
    ]);
    registry.ok(&["patients", "transition", "P-3", "request-clearance"]);
    registry.ok(&[
        "patients",
        "transition",
        "P-3",
        "deny",
        "--reason",
        "documents-incomplete",
        "--note",
        NOTES[2],
    ]);
    // The person's record shows the note, within its audited read.
    registry
        .run(&["patients", "show", "P-1"])
        .success()
        .stdout_has(NOTES[0]);

    let out = |name: &str| registry.file(name).display().to_string();
    registry.ok(&[
        "report",
        "--out",
        &out("report.html"),
        "--replications",
        "20",
        "--current-capacity",
        "50",
    ]);
    registry.ok(&["export", "fhir", "--out", &out("referrals.ndjson")]);
    registry.ok(&["export", "referrals", "--out", &out("referrals.csv")]);
    registry.ok(&["export", "waiting-list", "--out", &out("waiting.csv")]);
    registry.ok(&["export", "evacuations", "--out", &out("evacuations.csv")]);
    registry.ok(&["export", "deaths", "--out", &out("deaths.csv")]);
    let audit_log = registry.ok(&["audit", "log", "--limit", "50"]);
    let read = |name: &str| std::fs::read_to_string(registry.file(name)).unwrap();
    let outputs = [
        ("report", read("report.html")),
        ("FHIR", read("referrals.ndjson")),
        ("referrals", read("referrals.csv")),
        ("waiting list", read("waiting.csv")),
        ("evacuations", read("evacuations.csv")),
        ("deaths", read("deaths.csv")),
        ("audit log", audit_log),
    ];
    for (what, text) in &outputs {
        for note in NOTES {
            for fragment in [note, "K. M.", "Samir Haddad", "forged"] {
                assert!(
                    !text.contains(fragment),
                    "the {what} carries {fragment:?} of the note {note:?}"
                );
            }
        }
    }
    let report = &outputs[0].1;
    assert!(
        report.contains("<td>Other (see note)</td><td>other</td>"),
        "the report counts denials by code"
    );
    assert!(
        report
            .contains("<td>Documents incomplete or not accepted</td><td>documents-incomplete</td>")
    );
    let fhir = &outputs[1].1;
    assert!(fhir.contains(
        r#""system":"urn:corridor:reason:denied","code":"other","display":"Other (see note)""#
    ));
    assert!(fhir.contains(r#""code":"declined-evacuation""#));
}

#[test]
fn notes_about_people_never_leave_in_a_report_or_an_export() {
    notes_never_leave(&Registry::new());
}

#[test]
fn notes_about_people_never_leave_on_postgres() {
    with_postgres_registry(notes_never_leave);
}

#[test]
fn a_code_is_added_used_and_retired() {
    let registry = Registry::new();
    registry.add_patient(&PatientSpec::default());
    registry
        .run(&[
            "reasons",
            "add",
            "--kind",
            "withdrawn",
            "--code",
            "moved-abroad",
            "--label",
            "Moved abroad by other means",
        ])
        .success()
        .stdout_has("Added withdrawn moved-abroad: Moved abroad by other means.");
    registry
        .run(&[
            "reasons",
            "add",
            "--kind",
            "withdrawn",
            "--code",
            "Moved Abroad",
            "--label",
            "x",
        ])
        .failure()
        .stderr_has("--code: 'Moved Abroad' contains 'M'");
    registry
        .run(&[
            "reasons",
            "retire",
            "--kind",
            "withdrawn",
            "--code",
            "moved-abroad",
        ])
        .success()
        .stdout_has("no longer in use");
    registry
        .run(&[
            "patients",
            "transition",
            "P-1",
            "withdraw",
            "--reason",
            "moved-abroad",
        ])
        .failure()
        .stderr_has("--reason: 'moved-abroad' is no longer in use for withdrawn from the list");
    let all = registry.ok(&["reasons", "list", "--kind", "withdrawn", "--all"]);
    assert!(
        all.lines()
            .any(|line| line.starts_with("withdrawn  moved-abroad")
                && line.trim_end().ends_with("no")),
        "{all}"
    );
    registry
        .run(&[
            "reasons",
            "restore",
            "--kind",
            "withdrawn",
            "--code",
            "moved-abroad",
        ])
        .success();
    registry.ok(&[
        "patients",
        "transition",
        "P-1",
        "withdraw",
        "--reason",
        "moved-abroad",
    ]);
    registry
        .run(&["reasons", "retire", "--kind", "denied", "--code", "other"])
        .failure()
        .stderr_has("a code corridor records by itself; it stays in use");
}
