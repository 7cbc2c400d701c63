//! The night before a crossing day as the coordination cell works it from
//! the terminal: phone numbers, assembly points, the call list, a decline,
//! an unreachable party freed at the cut-off, and the printed manifest.

use super::support::Registry;

const DAY: [&str; 4] = ["--crossing", "rafah", "--date", "2026-02-02"];

pub(super) fn with_day<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(DAY);
    all
}

/// A small demo registry with both manifests of 2026-02-02 confirmed.
pub(super) fn confirmed_day() -> Registry {
    let registry = Registry::new();
    registry.ok(&["demo", "--size", "300"]);
    registry.ok(&with_day(&["plan", "confirm", "--direction", "inbound"]));
    registry.ok(&with_day(&["plan", "confirm"]));
    registry
}

/// The patients heading parties on the outbound manifest, in order.
pub(super) fn outbound_parties(registry: &Registry) -> Vec<String> {
    registry
        .ok(&with_day(&["plan", "manifest"]))
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            words.next()?.parse::<u32>().ok()?;
            let person = words.next()?;
            let role = words.next()?;
            (role == "patient").then(|| person.to_string())
        })
        .collect()
}

#[test]
fn contacts_are_added_listed_and_removed() {
    let registry = Registry::new();
    registry.ok(&["demo", "--size", "300"]);
    registry
        .run(&[
            "patients",
            "contact",
            "add",
            "P-000001",
            "--phone",
            "0599 123 456",
            "--label",
            "mother",
        ])
        .failure()
        .stderr_has("--phone: '0599 123 456' does not start with '+'");
    registry
        .run(&[
            "patients", "contact", "add", "P-000001", "--phone", "+999 59", "--label", "mother",
        ])
        .failure()
        .stderr_has("has 5 digits; a number with its country code has 7 to 15");
    registry
        .run(&[
            "patients",
            "contact",
            "add",
            "P-000001",
            "--phone",
            "+999 59 000 1111",
            "--label",
            " ",
        ])
        .failure()
        .stderr_has("--label: is empty: say whose number it is");
    registry
        .run(&[
            "patients",
            "contact",
            "add",
            "P-000001",
            "--phone",
            "+999 59-000-1111",
            "--label",
            "mother",
        ])
        .success()
        .stdout_has("of P-000001: +999590001111 (mother, Arabic).");
    let listed = registry.ok(&["patients", "contact", "list", "P-000001"]);
    assert!(listed.contains("+999590001111"), "{listed}");
    assert!(listed.contains("mother"), "{listed}");
    let number = listed
        .lines()
        .find(|line| line.contains("+999590001111"))
        .and_then(|line| line.split_whitespace().next())
        .unwrap()
        .to_string();
    registry
        .run(&[
            "patients", "contact", "remove", "P-000001", "--number", &number,
        ])
        .success()
        .stdout_has("Removed contact");
    let after = registry.ok(&["patients", "contact", "list", "P-000001"]);
    assert!(!after.contains("+999590001111"), "{after}");
    registry
        .run(&[
            "patients", "contact", "remove", "P-000001", "--number", &number,
        ])
        .failure()
        .stderr_has(&format!(
            "no contact number {number} of P-000001 is registered"
        ));
    // Every read and change is in the audit log, without the number.
    let log = registry.ok(&["audit", "log", "--limit", "10"]);
    assert!(log.contains("contact.add"), "{log}");
    assert!(log.contains("contacts.read"), "{log}");
    assert!(log.contains("contact.remove"), "{log}");
    assert!(!log.contains("590001111"), "{log}");
}

#[test]
fn the_call_list_is_worked_the_night_before() {
    let registry = Registry::new();
    registry.ok(&["demo", "--size", "300"]);
    // Nothing to call before the day is confirmed.
    registry
        .run(&["calls", "list", "--date", "2026-02-02"])
        .failure()
        .stderr_has("no manifest is confirmed for rafah on 2026-02-02");
    registry
        .run(&[
            "calls",
            "record",
            "P-000001",
            "--date",
            "2026-02-02",
            "--outcome",
            "confirmed",
        ])
        .failure()
        .stderr_has("no manifest of rafah on 2026-02-02 is confirmed");
    registry.ok(&with_day(&["plan", "confirm", "--direction", "inbound"]));
    registry.ok(&with_day(&["plan", "confirm"]));

    registry
        .run(&with_day(&[
            "plan",
            "assembly",
            "add",
            "--place",
            "Nasser hospital gate",
            "--time",
            "25:00",
        ]))
        .failure()
        .stderr_has("--time: '25:00' is not a time; write it as HH:MM");
    registry
        .run(&with_day(&[
            "plan",
            "assembly",
            "add",
            "--place",
            "Nasser hospital gate",
            "--time",
            "5:30",
        ]))
        .success()
        .stdout_has("Assembly point 1 of rafah on 2026-02-02: Nasser hospital gate at 05:30.");
    registry
        .run(&with_day(&[
            "plan",
            "assembly",
            "add",
            "--place",
            "Khan Younis school",
            "--time",
            "06:15",
        ]))
        .success();
    registry
        .run(&with_day(&["plan", "assembly", "list"]))
        .success()
        .stdout_has("06:15")
        .stdout_has("Khan Younis school");

    let parties = outbound_parties(&registry);
    assert!(parties.len() >= 3, "{parties:?}");
    let (declines, unreachable, moved) = (&parties[0], &parties[1], &parties[2]);
    registry
        .run(&with_day(&[
            "plan", "assembly", "assign", moved, "--point", "2",
        ]))
        .success()
        .stdout_has(&format!("{moved} meets at Khan Younis school at 06:15"));

    let list = registry.ok(&["calls", "list", "--date", "2026-02-02"]);
    assert!(
        list.contains("Call list of rafah on 2026-02-02 — cut-off 2026-02-01 22:00 UTC (default)"),
        "{list}"
    );
    assert!(list.contains("+999"), "{list}");
    assert!(list.contains("05:30 Nasser hospital gate"), "{list}");
    assert!(list.contains("not called"), "{list}");
    let moved_line = list
        .lines()
        .find(|l| l.starts_with(moved.as_str()))
        .unwrap();
    assert!(
        moved_line.contains("06:15 Khan Younis school"),
        "{moved_line}"
    );

    // A decline needs a reason, then frees the party's places.
    registry
        .run(&[
            "calls",
            "record",
            declines,
            "--date",
            "2026-02-02",
            "--outcome",
            "declined",
        ])
        .failure()
        .stderr_has("--reason: is required when a party declines");
    registry
        .run(&[
            "calls",
            "record",
            declines,
            "--date",
            "2026-02-02",
            "--outcome",
            "declined",
            "--reason",
            "too ill to travel",
        ])
        .success()
        .stdout_has(&format!(
            "{declines} on rafah 2026-02-02: declined (call 1); places freed: {declines}"
        ))
        .stdout_has("back on the list as cleared, beds released");
    registry
        .run(&["patients", "show", declines])
        .success()
        .stdout_has("cleared")
        .stdout_has("Declined the place when called before the day");
    registry
        .run(&[
            "calls",
            "record",
            declines,
            "--date",
            "2026-02-02",
            "--outcome",
            "confirmed",
        ])
        .failure()
        .stderr_has("gave up its places");

    // Unreachable the evening before (as of 2026-01-31): places kept.
    registry
        .run_on(
            "2026-01-31",
            &[
                "calls",
                "record",
                unreachable,
                "--date",
                "2026-02-02",
                "--outcome",
                "unreachable",
            ],
        )
        .success()
        .stdout_has("unreachable (call 1).");
    registry
        .run_on(
            "2026-01-31",
            &["calls", "cut-off", "--date", "2026-02-02", "--apply"],
        )
        .failure()
        .stderr_has("has not passed");
    registry
        .run(&["calls", "cut-off", "--date", "2026-02-02", "--set", "late"])
        .failure()
        .stderr_has("--set: 'late' is not a time");
    // On the day, the cut-off has passed: applying it frees the party.
    registry
        .run_on(
            "2026-02-02",
            &["calls", "cut-off", "--date", "2026-02-02", "--apply"],
        )
        .success()
        .stdout_has(&format!(
            "the places of {unreachable} were freed (unreachable)"
        ));

    let manifest = registry.ok(&with_day(&["plan", "manifest"]));
    assert!(manifest.contains("assembly"), "{manifest}");
    assert!(
        manifest.contains("05:30 Nasser hospital gate"),
        "{manifest}"
    );
    assert!(manifest.contains("declined"), "{manifest}");
    assert!(manifest.contains("unreachable"), "{manifest}");
    registry
        .run(&with_day(&["gate", "reconcile"]))
        .success()
        .stdout_has("declined")
        .stdout_has("unreachable");
    let list = registry.ok(&["calls", "list", "--date", "2026-02-02"]);
    let line = list
        .lines()
        .find(|l| l.starts_with(declines.as_str()))
        .unwrap();
    assert!(
        line.contains("declined: too ill to travel [declined]"),
        "{line}"
    );
}

#[test]
fn a_cut_off_can_be_set_and_shown() {
    let registry = confirmed_day();
    registry
        .run(&["calls", "cut-off", "--date", "2026-02-02", "--set", "21:15"])
        .success()
        .stdout_has("Cut-off of rafah on 2026-02-02: 2026-02-01 21:15 UTC.");
    registry
        .run(&[
            "calls",
            "cut-off",
            "--date",
            "2026-02-02",
            "--set",
            "2026-02-03 01:00",
        ])
        .failure()
        .stderr_has("is after the crossing day 2026-02-02");
}

#[test]
fn the_notices_of_a_day_are_listed_and_a_cancelled_day_tells_everyone() {
    let registry = confirmed_day();
    let listed = registry.ok(&["notices", "list", "--date", "2026-02-02"]);
    assert!(listed.contains("scheduled"), "{listed}");
    assert!(listed.contains("standby"), "{listed}");
    assert!(listed.contains("queued"), "{listed}");
    assert!(listed.contains("+999"), "demo numbers only: {listed}");
    let words = registry.ok(&["notices", "list", "--date", "2026-02-02", "--words"]);
    assert!(words.contains("Corridor:"), "{words}");
    registry
        .run(&["notices", "list", "--date", "2026-03-01"])
        .success()
        .stdout_has("No notice is about a crossing day on 2026-03-01");

    registry
        .run(&with_day(&["plan", "cancel", "--reason", " "]))
        .failure()
        .stderr_has("reason");
    let cancelled = registry.ok(&with_day(&[
        "plan",
        "cancel",
        "--reason",
        "the crossing did not open",
    ]));
    assert!(
        cancelled.contains("Cancelled the outbound day of rafah on 2026-02-02"),
        "{cancelled}"
    );
    assert!(
        cancelled.contains("Cancelled the inbound day of rafah on 2026-02-02"),
        "{cancelled}"
    );
    let after = registry.ok(&["notices", "list", "--date", "2026-02-02"]);
    assert!(after.contains("day-cancelled"), "{after}");
    let manifest = registry.ok(&with_day(&["plan", "manifest"]));
    assert!(
        manifest.contains("CANCELLED by") && manifest.contains("the crossing did not open"),
        "{manifest}"
    );
    registry
        .run(&with_day(&["plan", "amend", "--fill"]))
        .failure()
        .stderr_has("was cancelled");
    registry
        .run(&[
            "plan",
            "cancel",
            "--crossing",
            "rafah",
            "--date",
            "2026-03-02",
            "--reason",
            "x",
        ])
        .failure()
        .stderr_has("no manifest is confirmed for rafah on 2026-03-02");

    // The sender's settings are checked before the server starts.
    registry
        .run(&["serve", "--notices-channel", "sms"])
        .failure()
        .stderr_has("--notices-channel 'sms': use log, rapidpro or webhook");
    registry
        .run(&[
            "serve",
            "--notices-channel",
            "webhook",
            "--notices-url",
            "http://127.0.0.1:9/sms",
        ])
        .failure()
        .stderr_has("the webhook channel needs --notices-secret");
}
