//! `corridor patients show`: details, companions, timeline, allowed
//! transitions; and the read is on record in the audit log.

use super::support::{PatientSpec, Registry};

fn child_with_parent() -> Registry {
    let registry = Registry::new();
    registry.add_patient(&PatientSpec {
        id: "P-7",
        tier: "critical",
        birth_year: "2016",
        referred: "2025-08-01",
        specialty: "oncology",
        extra: &[
            "--name",
            "Yusuf Nasser",
            "--return-guarantee",
            "--companion",
            "id=C-7,relationship=parent,birth-year=1987,sex=female,name=Mona Nasser",
        ],
    });
    registry
}

#[test]
fn shows_details_companions_timeline_and_allowed_transitions() {
    let registry = child_with_parent();
    registry.ok(&[
        "patients",
        "transition",
        "P-7",
        "list",
        "--note",
        "batch 12",
    ]);
    registry.ok(&["patients", "transition", "P-7", "request-clearance"]);
    registry.ok(&[
        "patients",
        "transition",
        "P-7",
        "deny",
        "--reason",
        "other",
        "--note",
        "asked to apply again",
    ]);
    let out = registry.ok(&["patients", "show", "P-7"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "P-7 — patient — Yusuf Nasser", "{out}");
    assert_eq!(
        lines[1], "  born 2016 (5-17 on 2026-02-01), female, legal basis: consent",
        "{out}"
    );
    assert_eq!(
        lines[2],
        "  critical tier, cancer (oncology), referred 2025-08-01 by al-shifa-hospital — 184 days ago; return guarantee: yes",
        "{out}"
    );
    assert_eq!(lines[3], "  companions: C-7", "{out}");
    assert_eq!(
        lines[4], "  status: denied (version 4, clearance attempt 1)",
        "{out}"
    );
    assert_eq!(lines[5], "  allowed now: resubmit, die, withdraw", "{out}");
    assert_eq!(lines[7], "Timeline:", "{out}");
    let header: Vec<&str> = lines[8]
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        header,
        ["WHEN (UTC)", "WHO", "FROM", "TO", "ACTION", "REASON / NOTE"]
    );
    // Each event: who, from, to, what, why; in the order they happened.
    let events: Vec<Vec<&str>> = lines[9..]
        .iter()
        .map(|line| {
            line.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .skip(1)
                .collect()
        })
        .collect();
    assert_eq!(
        events,
        [
            vec!["tester", "-", "referred", "registered"],
            vec!["tester", "referred", "listed", "list", "batch 12"],
            vec![
                "tester",
                "listed",
                "clearance-requested",
                "request-clearance (attempt 1)"
            ],
            vec![
                "tester",
                "clearance-requested",
                "denied",
                "deny",
                "Other (see note) (other): asked to apply again"
            ],
        ],
        "{out}"
    );
}

#[test]
fn shows_a_companion() {
    let registry = child_with_parent();
    let out = registry.ok(&["patients", "show", "C-7"]);
    assert!(out.starts_with("C-7 — companion — Mona Nasser\n"), "{out}");
    assert!(out.contains("  accompanies P-7 (parent)\n"), "{out}");
    assert!(out.contains("  status: listed (version 1"), "{out}");
    assert!(
        out.contains("  allowed now: request-clearance, die, withdraw\n"),
        "{out}"
    );
}

#[test]
fn an_unknown_id_is_a_clear_error() {
    let registry = child_with_parent();
    let run = registry.run(&["patients", "show", "P-404"]).failure();
    assert_eq!(
        run.stderr,
        "error: no person with id P-404 is registered; `corridor patients list` shows who is\n"
    );
    assert!(run.stdout.is_empty());
    registry
        .run(&["patients", "show", "not an id"])
        .failure()
        .stderr_has("error: id");
    // A failed look-up reads no personal data, so nothing is recorded.
    let log = registry.ok(&["audit", "log"]);
    assert!(!log.contains("person.read"), "{log}");
}

#[test]
fn the_read_is_recorded_in_the_audit_log() {
    let registry = child_with_parent();
    registry.ok(&["patients", "show", "P-7"]);
    let log = registry.ok(&["audit", "log"]);
    // Newest first.
    let last = log.lines().nth(1).unwrap();
    let cells: Vec<&str> = last.split_whitespace().collect();
    assert_eq!(cells[3], "tester", "{log}");
    assert_eq!(cells[4], "person.read", "{log}");
    assert_eq!(cells[5], "P-7", "{log}");
    assert!(last.contains("cli patients show"), "{log}");
}
