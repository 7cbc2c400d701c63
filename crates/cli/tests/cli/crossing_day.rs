//! A crossing day as the coordination cell and the crossing officer work it:
//! clearance, the day plan with overrides, confirmation, the gate, the
//! reconciliation, beds, and returnees' luggage.

use super::support::{Registry, TODAY, run_raw};

/// A small demo registry: Rafah opens on 2026-02-02 under its reported rules.
fn demo() -> Registry {
    let registry = Registry::new();
    registry.ok(&["demo", "--size", "300"]);
    registry
}

const DAY: [&str; 4] = ["--crossing", "rafah", "--date", "2026-02-02"];

fn with_day<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(DAY);
    all
}

/// The people on a proposed plan, in order.
fn picks(plan: &str) -> Vec<String> {
    plan.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let number = words.next()?;
            let person = words.next()?;
            (number.parse::<u32>().is_ok()
                && (person.starts_with("P-") || person.starts_with("R-")))
            .then(|| person.to_string())
        })
        .collect()
}

#[test]
fn a_day_is_planned_confirmed_worked_at_the_gate_and_reconciled() {
    let registry = demo();
    registry
        .run(&["rules", "list"])
        .success()
        .stdout_has("at most 2 companions per patient; entries must equal exits each day")
        .stdout_has(
            "luggage v1 from 2026-02-02: 1 piece, no liquids, metal, electronics, cigarettes",
        );

    // Entries must equal exits: the outbound day waits for the inbound one.
    registry
        .run(&with_day(&["plan", "show"]))
        .success()
        .stdout_has("Policy: priority of a patient")
        .stdout_has("no inbound manifest is confirmed for 2026-02-02 yet")
        .stdout_has("0 of 0 places used");
    let inbound = registry.ok(&with_day(&["plan", "show", "--direction", "inbound"]));
    let returnees = picks(&inbound);
    assert!(!returnees.is_empty(), "{inbound}");
    registry
        .run(&with_day(&["plan", "confirm", "--direction", "inbound"]))
        .success()
        .stdout_has(&format!(
            "Confirmed the inbound manifest of rafah on 2026-02-02: {} people scheduled",
            returnees.len()
        ));

    let outbound = registry.ok(&with_day(&["plan", "show", "--method", "compare"]));
    assert!(
        outbound.contains("Compared with greedy first-fit"),
        "{outbound}"
    );
    let patients = picks(&outbound);
    assert!(!patients.is_empty(), "{outbound}");
    let removed = &patients[0];
    registry
        .run(&with_day(&[
            "plan",
            "remove",
            removed,
            "--reason",
            "family asked for a later day",
        ]))
        .success()
        .stdout_has(&format!("{removed} is now off the outbound plan"));
    let plan = registry.ok(&with_day(&["plan", "show", "--left-out", "500"]));
    assert!(!picks(&plan).contains(removed), "{plan}");
    assert!(
        plan.contains(&format!(
            "{removed}  removed by the coordinator: family asked for a later day"
        )),
        "{plan}"
    );
    registry
        .run(&with_day(&["plan", "add", "P-999999", "--reason", "x"]))
        .failure()
        .stderr_has("no person with id P-999999 is registered");

    registry
        .run(&with_day(&["plan", "confirm"]))
        .success()
        .stdout_has("each patient's bed held");
    registry
        .run(&with_day(&["plan", "confirm"]))
        .failure()
        .stderr_has("already confirmed");
    let manifest = registry.ok(&with_day(&["plan", "manifest"]));
    let scheduled: Vec<&str> = manifest
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .filter(|word| word.starts_with("P-"))
        .collect();
    assert!(!scheduled.is_empty(), "{manifest}");
    // Only a confirmed plan schedules anyone.
    registry
        .run(&[
            "patients",
            "transition",
            removed,
            "schedule",
            "--date",
            "2026-02-03",
            "--crossing",
            "rafah",
        ])
        .failure()
        .stderr_has("people are scheduled by confirming the day plan");

    // The gate.
    registry
        .run_on("2026-02-02", &with_day(&["gate", "crossed", scheduled[0]]))
        .success()
        .stdout_has(&format!("crossed at rafah on 2026-02-02: {}", scheduled[0]));
    // A wrong tap is undone on the day, with a reason, and recorded again.
    let undo = [
        "gate",
        "undo",
        scheduled[0],
        "--reason",
        "tapped the wrong card",
    ];
    registry
        .run(&with_day(&undo))
        .failure()
        .stderr_has("undone only on its crossing day");
    registry
        .run_on("2026-02-02", &with_day(&undo))
        .success()
        .stdout_has(&format!(
            "crossed undone at rafah on 2026-02-02: {}",
            scheduled[0]
        ));
    registry
        .run_on("2026-02-02", &with_day(&["gate", "crossed", scheduled[0]]))
        .success();
    registry
        .run_on(
            "2026-02-02",
            &with_day(&["gate", "turned-back", scheduled[1]]),
        )
        .failure()
        .stderr_has("--reason: is required");
    registry
        .run_on(
            "2026-02-02",
            &with_day(&[
                "gate",
                "turned-back",
                scheduled[1],
                "--reason",
                "documents incomplete",
            ]),
        )
        .failure()
        .stderr_has("`corridor reasons list` shows the codes");
    registry
        .run_on(
            "2026-02-02",
            &with_day(&[
                "gate",
                "turned-back",
                scheduled[1],
                "--reason",
                "documents-not-accepted",
                "--note",
                "referral stamp missing",
            ]),
        )
        .success()
        .stdout_has("back on the list as cleared, beds released");
    registry
        .run_on("2026-02-02", &with_day(&["gate", "crossed", scheduled[0]]))
        .failure()
        .stderr_has("not expected at rafah on 2026-02-02");
    let reconciliation = registry.ok(&with_day(&["gate", "reconcile"]));
    assert!(
        reconciliation.contains("Entries do NOT equal exits"),
        "{reconciliation}"
    );
    assert!(
        reconciliation.contains(&format!(
            "{}  patient    turned-back    Documents not accepted at the crossing (documents-not-accepted)",
            scheduled[1]
        )),
        "{reconciliation}"
    );
    // The reconciliation names the code; the note is in the person's record only.
    assert!(
        !reconciliation.contains("referral stamp missing"),
        "{reconciliation}"
    );
    assert!(
        reconciliation.contains("have no outcome yet"),
        "{reconciliation}"
    );
    registry
        .run(&["patients", "show", scheduled[1]])
        .success()
        .stdout_has("status: cleared")
        .stdout_has(
            "Documents not accepted at the crossing (documents-not-accepted): referral stamp missing",
        );
    registry
        .run(&["patients", "show", scheduled[0]])
        .success()
        .stdout_has("status: crossed")
        .stdout_has("booked 2026-02-02 at rafah")
        .stdout_has("schedule (2026-02-02 at rafah)");
    registry
        .run(&["audit", "verify"])
        .success()
        .stdout_has("The audit log and the data are intact");
}

#[test]
fn clearance_batches_decisions_and_rates() {
    let registry = demo();
    registry
        .run(&[
            "clearance",
            "submit",
            "--crossing",
            "rafah",
            "--needed-by",
            "2026-02-05",
        ])
        .failure()
        .stderr_has("say how many to submit");
    registry
        .run(&[
            "clearance",
            "submit",
            "--crossing",
            "rafah",
            "--needed-by",
            "2026-02-05",
            "--limit",
            "6",
        ])
        .success()
        .stdout_has("Submitted batch CB-0001 for rafah outbound, needed by 2026-02-05: 6 people");
    let batch = registry.ok(&["clearance", "show", "CB-0001"]);
    let people: Vec<&str> = batch
        .lines()
        .skip(2)
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(people.len(), 6, "{batch}");
    registry
        .run(&[
            "clearance",
            "decide",
            "CB-0001",
            people[0],
            "--decision",
            "denied",
        ])
        .failure()
        .stderr_has("--reason: is required: give the code of the reason (clearance denied)");
    let bad = registry.write_file(
        "bad.csv",
        &format!(
            "batch,person_id,decision,reason_code,note,decided_on\nCB-0001,{},cleared,,,\nCB-0001,{},approved,,,\nCB-0001,{},denied,watch-list,,\n",
            people[0], people[1], people[2]
        ),
    );
    registry
        .run(&["clearance", "import", bad.to_str().unwrap()])
        .failure()
        .stderr_has("2 bad rows; nothing was recorded")
        .stderr_has("line 3, column decision: unknown value 'approved'")
        .stderr_has(
            "line 4, column reason_code: 'watch-list' is not a reason code for clearance denied",
        );
    let good = registry.write_file(
        "good.csv",
        &format!(
            "person_id,decision,batch,reason_code,note\n{},cleared,CB-0001,,\n{},denied,CB-0001,security-objection,asked twice\n{},,CB-0001,,\n",
            people[0], people[1], people[2]
        ),
    );
    registry
        .run(&["clearance", "import", good.to_str().unwrap()])
        .success()
        .stdout_has("Recorded 2 decisions")
        .stdout_has("1 rows without a decision stay pending.");
    // Four days later the rest has had no answer by the date it was needed.
    let home = registry.file("home");
    std::fs::create_dir_all(&home).unwrap();
    let later = |args: &[&str]| {
        let mut all = vec![
            "--database-url",
            registry.url(),
            "--today",
            "2026-02-06",
            "--as",
            "tester",
        ];
        all.extend(args);
        run_raw(&home, &all)
    };
    later(&["clearance", "sweep"])
        .success()
        .stdout_has("Recorded 4 requests as delayed");
    let report = later(&["clearance", "report"]).success().stdout;
    let everyone = report
        .lines()
        .find(|line| line.starts_with("everyone"))
        .unwrap_or_else(|| panic!("{report}"));
    let cells: Vec<&str> = everyone.split_whitespace().collect();
    assert_eq!(
        &cells[1..7],
        ["6", "0", "0", "17%", "17%", "67%"],
        "{report}"
    );
    // A resubmission is linked to the earlier attempt.
    later(&[
        "clearance",
        "submit",
        "--crossing",
        "rafah",
        "--needed-by",
        "2026-02-10",
        "--ids",
        people[1],
        "--resubmit",
    ])
    .success()
    .stdout_has("1 of them resubmitted");
    later(&["clearance", "show", "CB-0002"])
        .success()
        .stdout_has("CB-0001");
    assert_eq!(TODAY, "2026-02-01");
}

#[test]
fn returnees_luggage_is_checked_at_registration_and_can_be_corrected() {
    let registry = demo();
    let added = registry
        .run(&[
            "returnees",
            "add",
            "--id",
            "R-T1",
            "--birth-year",
            "1982",
            "--sex",
            "male",
            "--from",
            "EG",
            "--legal-basis",
            "consent",
            "--crossing",
            "rafah",
            "--pieces",
            "2",
            "--weight",
            "19kg",
            "--item",
            "electronics:laptop",
            "--cash",
            "2500 ILS",
        ])
        .success()
        .stdout;
    // The rules apply from the reopening on 2026-02-02, not before.
    assert!(added.contains("Registered returnee R-T1"), "{added}");
    assert!(
        added.contains("No luggage rules are in force on 2026-02-01"),
        "{added}"
    );
    registry
        .run(&with_day(&["luggage", "check", "R-T1"]))
        .failure()
        .stdout_has("breaks 3 of the rules in force on 2026-02-02")
        .stdout_has("electronics 'laptop' is not allowed");
    registry
        .run(&with_day(&[
            "luggage",
            "declare",
            "R-T1",
            "--pieces",
            "1",
            "--weight",
            "12kg",
            "--item",
            "3x clothing",
        ]))
        .success()
        .stdout_has("R-T1's luggage keeps the rules in force on 2026-02-02");
    registry
        .run(&with_day(&[
            "luggage", "declare", "P-000001", "--pieces", "1",
        ]))
        .failure()
        .stderr_has("luggage is declared by returnees");
}

#[test]
fn beds_are_published_listed_and_destinations_closed() {
    let registry = demo();
    let board = registry.ok(&["beds", "list", "--date", "2026-02-02"]);
    let facility = board
        .lines()
        .nth(2)
        .and_then(|line| line.split_whitespace().next())
        .unwrap_or_else(|| panic!("{board}"))
        .to_string();
    registry
        .run(&[
            "beds",
            "publish",
            "--facility",
            &facility,
            "--specialty",
            "oncology",
            "--beds",
            "4",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
        ])
        .success()
        .stdout_has(&format!("Published 4 oncology beds at {facility}"));
    registry
        .run(&[
            "beds",
            "publish",
            "--facility",
            &facility,
            "--specialty",
            "oncology",
            "--beds",
            "4",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
        ])
        .failure()
        .stderr_has("already has oncology beds published from 2026-03-01");
    registry
        .run(&["beds", "list", "--date", "2026-03-15"])
        .success()
        .stdout_has(&facility);
    registry
        .run(&[
            "beds",
            "close",
            "--country",
            "AE",
            "--reason",
            "destination suspended",
        ])
        .success()
        .stdout_has("AE is now closed");
    let board = registry.ok(&["beds", "list", "--date", "2026-02-02"]);
    assert!(
        board
            .lines()
            .filter(|line| line.starts_with("ae-"))
            .all(|line| line.contains("country closed") && line.trim_end().ends_with(" 0")),
        "{board}"
    );
    let plan = registry.ok(&with_day(&["plan", "show", "--direction", "inbound"]));
    assert!(!plan.contains(" ae-"), "{plan}");
    registry
        .run(&["beds", "close", "--facility", "no-such", "--reason", "x"])
        .failure()
        .stderr_has("no facility no-such is registered");
}
