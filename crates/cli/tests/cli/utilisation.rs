//! Places used, from the terminal: a confirmed day's places, a decline
//! freeing two of them, the HXL export, and turnout in a quick forecast.

use super::calls::{confirmed_day, outbound_parties};

#[test]
fn a_declined_party_shows_as_freed_places() {
    let registry = confirmed_day();
    let window = ["--from", "2026-02-02", "--to", "2026-02-02"];
    let before = registry.ok(&[&["utilisation"][..], &window[..]].concat());
    let outbound = before
        .lines()
        .find(|line| line.starts_with("2026-02-02 rafah outbound"))
        .unwrap_or_else(|| panic!("no outbound day:\n{before}"))
        .to_string();
    let planned: Vec<&str> = outbound.split_whitespace().collect();
    // day (3 words), places, planned, reached, crossed, expected, declined…
    assert_eq!(
        planned[4], planned[7],
        "everyone planned is expected: {outbound}"
    );
    assert_eq!(planned[8], "0", "{outbound}");

    let parties = outbound_parties(&registry);
    registry.ok(&[
        "calls",
        "record",
        &parties[0],
        "--date",
        "2026-02-02",
        "--outcome",
        "declined",
        "--reason",
        "too ill to travel",
    ]);
    let after =
        registry.ok(&[&["utilisation", "--direction", "outbound"][..], &window[..]].concat());
    let line = after
        .lines()
        .find(|line| line.starts_with("2026-02-02 rafah outbound"))
        .unwrap()
        .to_string();
    let columns: Vec<&str> = line.split_whitespace().collect();
    assert_ne!(columns[8], "0", "the decline freed places: {line}");
    assert!(!after.contains("inbound"), "only outbound asked: {after}");
    assert!(after.contains("total outbound"), "{after}");

    let file = registry.file("utilisation.csv");
    registry
        .run(
            &[
                &["export", "utilisation", "--out", file.to_str().unwrap()][..],
                &window[..],
            ]
            .concat(),
        )
        .success()
        .stderr_has("Exported 2 rows");
    let hxl = std::fs::read_to_string(&file).unwrap();
    assert!(hxl.contains("#affected+freed+declined"), "{hxl}");
    assert!(hxl.contains("2026-02-02,rafah,outbound,"), "{hxl}");

    registry
        .run(&["utilisation", "--from", "2026-02-09", "--to", "2026-02-02"])
        .failure()
        .stderr_has("--from 2026-02-09 is after --to 2026-02-02");
    registry
        .run(&["utilisation", "--from", "2026-03-01", "--to", "2026-03-07"])
        .success()
        .stdout_has("No confirmed crossing day from 2026-03-01 to 2026-03-07");
}

#[test]
fn a_quick_forecast_takes_turnout_and_names_a_wrong_one() {
    let registry = confirmed_day();
    let run = |no_show: &str| {
        registry.run(&[
            "forecast",
            "--backlog",
            "critical=200",
            "--capacity",
            "20",
            "--replications",
            "5",
            "--horizon-days",
            "100",
            "--no-show",
            no_show,
            "--standby-fill",
            "0.5",
        ])
    };
    run("1.5").failure().stderr_has("--no-show");
    run("0.3").success();
}
