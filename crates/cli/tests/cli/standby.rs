//! The standby list and amendments from the terminal: confirming keeps a
//! standby list of the size asked, a decline frees places, `plan amend
//! --fill` fills them from standby, and hand removals need a reason.

use super::support::Registry;

const DAY: [&str; 4] = ["--crossing", "rafah", "--date", "2026-02-02"];

fn with_day<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(DAY);
    all
}

/// The parties on the standby list, in rank order.
fn standby_parties(registry: &Registry) -> Vec<String> {
    registry
        .ok(&with_day(&["plan", "standby"]))
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            words.next()?.parse::<u32>().ok()?;
            words.next().map(str::to_string)
        })
        .collect()
}

/// The patients heading parties still expected on the outbound manifest.
fn expected_parties(registry: &Registry) -> Vec<String> {
    registry
        .ok(&with_day(&["plan", "manifest"]))
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            words.next()?.parse::<u32>().ok()?;
            let person = words.next()?;
            let role = words.next()?;
            (role == "patient" && line.contains("expected")).then(|| person.to_string())
        })
        .collect()
}

#[test]
fn a_decline_is_filled_from_standby() {
    let registry = Registry::new();
    registry.ok(&["demo", "--size", "300"]);
    registry.ok(&with_day(&["plan", "confirm", "--direction", "inbound"]));
    registry
        .run(&with_day(&["plan", "confirm", "--standby", "many"]))
        .failure()
        .stderr_has("--standby: 'many' is not a number of people");
    registry
        .run(&with_day(&["plan", "confirm", "--standby", "6"]))
        .success()
        .stdout_has("Standby: ");
    let standby = standby_parties(&registry);
    assert!(!standby.is_empty(), "no standby list");
    registry
        .run(&with_day(&["plan", "standby"]))
        .success()
        .stdout_has("rank")
        .stdout_has("score")
        .stdout_has("0 of ");
    registry
        .run(&with_day(&["plan", "amend", "--fill"]))
        .failure()
        .stderr_has("no places are free");

    let parties = expected_parties(&registry);
    let declines = parties.last().unwrap().as_str();
    registry.ok(&[
        "calls",
        "record",
        declines,
        "--date",
        "2026-02-02",
        "--outcome",
        "declined",
        "--reason",
        "not ready",
    ]);
    let filled = registry.ok(&with_day(&["plan", "amend", "--fill"]));
    assert!(filled.contains("Filled from standby: "), "{filled}");
    assert!(
        filled.contains("Amendment 1 of the outbound manifest"),
        "{filled}"
    );
    let taken = filled
        .lines()
        .find_map(|l| l.strip_prefix("Filled from standby: "))
        .and_then(|l| l.split([' ', '.']).next())
        .unwrap()
        .to_string();
    assert!(standby.contains(&taken), "{taken} not in {standby:?}");
    assert!(!standby_parties(&registry).contains(&taken));
    assert!(expected_parties(&registry).contains(&taken));
    registry
        .run(&["audit", "log", "--limit", "1"])
        .success()
        .stdout_has("manifest.amend");

    // Removing by hand needs a reason; a companion is not removed alone.
    registry
        .run(&with_day(&["plan", "amend", "--remove", taken.as_str()]))
        .usage_error()
        .stderr_has("--reason");
    registry
        .run(&with_day(&[
            "plan",
            "amend",
            "--remove",
            taken.as_str(),
            "--reason",
            "family asked to wait",
        ]))
        .success()
        .stdout_has(&format!("Removed: {taken}"));
    assert!(!expected_parties(&registry).contains(&taken));
}
