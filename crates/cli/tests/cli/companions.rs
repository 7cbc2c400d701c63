//! Companions one by one at the gate, and replacing a companion who cannot
//! travel, as a crossing officer and a coordinator type them.

use super::support::Registry;

const DAY: [&str; 4] = ["--crossing", "rafah", "--date", "2026-02-02"];
const ON_THE_DAY: &str = "2026-02-02";

fn with_day<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(DAY);
    all
}

/// The parties of the confirmed outbound manifest: each patient with the
/// companions listed with them.
fn parties(manifest: &str) -> Vec<(String, Vec<String>)> {
    let mut parties: Vec<(String, Vec<String>)> = Vec::new();
    for line in manifest.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [number, person, "patient", ..] if number.parse::<u32>().is_ok() => {
                parties.push((person.to_string(), Vec::new()));
            }
            [number, person, "companion", party, ..] if number.parse::<u32>().is_ok() => {
                if let Some((_, companions)) = parties.iter_mut().find(|(p, _)| p == party) {
                    companions.push(person.to_string());
                }
            }
            _ => {}
        }
    }
    parties
}

#[test]
fn a_companion_is_turned_back_alone_the_patient_crosses_and_the_companion_is_replaced() {
    let registry = Registry::new();
    registry.ok(&["demo", "--size", "300"]);
    registry.ok(&with_day(&["plan", "confirm", "--direction", "inbound"]));
    registry.ok(&with_day(&["plan", "confirm"]));
    let manifest = registry.ok(&with_day(&["plan", "manifest"]));
    // An adult patient with a companion.
    let (patient, companions) = parties(&manifest)
        .into_iter()
        .find(|(patient, companions)| {
            let show = registry.ok(&["patients", "show", patient]);
            !companions.is_empty() && !show.contains("(0-4 on") && !show.contains("(5-17 on")
        })
        .unwrap_or_else(|| panic!("an adult patient with a companion: {manifest}"));
    let companion = companions[0].as_str();
    let patient = patient.as_str();
    let gate = |args: &[&str]| registry.run_on(ON_THE_DAY, &with_day(args));

    gate(&["gate", "crossed", patient, "--person", companion])
        .failure()
        .stderr_has(&format!(
            "{companion} accompanies {patient}, who has not crossed"
        ));
    gate(&["gate", "turned-back", patient, "--person", companion])
        .failure()
        .stderr_has("--reason: is required");
    gate(&[
        "gate",
        "turned-back",
        patient,
        "--person",
        companion,
        "--reason",
        "companion-refused",
        "--note",
        "no permit stamp",
    ])
    .success()
    .stdout_has(&format!(
        "turned-back at rafah on 2026-02-02: {companion}; back on the list as cleared"
    ));
    let mut crossing = vec![patient.to_string()];
    crossing.extend(companions[1..].iter().cloned());
    gate(&["gate", "crossed", patient])
        .success()
        .stdout_has(&format!(
            "crossed at rafah on 2026-02-02: {}.",
            crossing.join(", ")
        ));
    // One person's outcome is undone alone, and recorded again.
    gate(&[
        "gate",
        "undo",
        patient,
        "--person",
        companion,
        "--reason",
        "wrong row",
    ])
    .success()
    .stdout_has(&format!(
        "turned-back undone at rafah on 2026-02-02: {companion} expected at the gate again"
    ));
    gate(&[
        "gate",
        "turned-back",
        patient,
        "--person",
        companion,
        "--reason",
        "companion-refused",
    ])
    .success();
    let reconciliation = registry.ok(&with_day(&["gate", "reconcile"]));
    assert!(
        reconciliation.contains(&format!("{companion}  companion  turned-back")),
        "{reconciliation}"
    );

    // The coordinator replaces the companion turned back.
    registry
        .run(&["patients", "show", patient])
        .success()
        .stdout_has(&format!(
            "{companion} (cleared, may be replaced: patients replace-companion)"
        ));
    let replace = |birth_year: &str| {
        registry.run(&[
            "patients",
            "replace-companion",
            patient,
            "--companion",
            companion,
            "--relationship",
            "sibling",
            "--birth-year",
            birth_year,
            "--sex",
            "female",
            "--name",
            "Huda",
            "--reason",
            "turned back at the gate; her sister travels instead",
        ])
    };
    replace("2031")
        .failure()
        .stderr_has("--birth-year: 2031 is out of range");
    let done = replace("1992").success().stdout;
    assert!(
        done.starts_with(&format!(
            "Replaced companion {companion} of {patient} by C-"
        )),
        "{done}"
    );
    assert!(
        done.contains(&format!("{companion} withdrawn (replaced)")),
        "{done}"
    );
    registry
        .run(&["patients", "show", patient])
        .success()
        .stdout_has(&format!("{companion} (withdrawn, replaced by C-"))
        .stdout_has("status: crossed");
    registry
        .run(&["patients", "show", companion])
        .success()
        .stdout_has("status: withdrawn")
        .stdout_has("turned back at the gate; her sister travels instead");
    replace("1992")
        .failure()
        .stderr_has(&format!("{companion} was already replaced by C-"));
    registry
        .run(&["audit", "verify"])
        .success()
        .stdout_has("The audit log and the data are intact");
}
