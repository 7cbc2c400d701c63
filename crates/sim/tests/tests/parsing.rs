//! Scenario files: errors name the key and say what to do.

use corridor_sim::{PolicySpec, parse_scenario_file};

const GOOD: &str = r#"
    replications = 200
    seed = 42
    policies = ["strict-priority", "children-first"]

    [[scenario]]
    name = "base"
    start = "2026-02-02"
    horizon_days = 365
    [[scenario.tier]]
    name = "critical"
    backlog = 440
    [[scenario.capacity]]
    from = "2026-02-02"
    per_day = 50

    [[scenario]]
    name = "150 a day"
    extends = "base"
    [[scenario.capacity]]
    from = "2026-02-02"
    per_day = 150
"#;

#[test]
fn a_good_file_parses_with_extends() {
    let file = parse_scenario_file(GOOD).unwrap();
    assert_eq!(
        file.policies,
        vec![PolicySpec::StrictPriority, PolicySpec::ChildrenFirst]
    );
    assert_eq!(file.replications.map(|r| r.get()), Some(200));
    assert_eq!(file.seed, Some(42));
    assert_eq!(file.scenarios.len(), 2);
    assert_eq!(file.scenarios[1].name, "150 a day");
    assert_eq!(file.scenarios[1].tiers, file.scenarios[0].tiers);
    assert_eq!(
        file.scenarios[1].capacity[0].places,
        corridor_sim::Places::PerDay(150)
    );
}

/// Replaces `from` by `to` in the good file and checks that the error
/// mentions `expected` (a key, or the message of the TOML parser).
fn check(from: &str, to: &str, expected: &str) {
    assert!(GOOD.contains(from), "{from}");
    let text = GOOD.replacen(from, to, 1);
    let error = parse_scenario_file(&text)
        .expect_err("should not parse")
        .to_string();
    assert!(
        error.contains(expected),
        "error {error:?} does not mention {expected:?}"
    );
}

#[test]
fn errors_name_the_key() {
    check(
        "backlog = 440",
        "backlog = 440\ncompanions = [0.5, 0.4]",
        r#"scenario["base"].tier["critical"].companions"#,
    );
    check(
        "backlog = 440",
        "backlog = 440\ncompanions = [0.5, 0.4]",
        "sum to 1",
    );
    check(
        "backlog = 440",
        "backlog = -1",
        r#"scenario["base"].tier["critical"].backlog"#,
    );
    check(
        "backlog = 440",
        "backlog = 440\nchild_fraction = 1.5",
        "child_fraction",
    );
    check(
        "backlog = 440",
        "backlog = 440\nbacklog_children = 441",
        "backlog_children",
    );
    check(
        "backlog = 440",
        "backlog = 440\nannual_mortality = 0.1\ndaily_death_hazard = 0.1",
        "annual_mortality",
    );
    check("backlog = 440", "backlg = 440", "backlg");
    check(
        r#"start = "2026-02-02""#,
        r#"start = "2026-02-30""#,
        r#"scenario["base"].start"#,
    );
    check("horizon_days = 365", "horizon_days = 0", "horizon_days");
    check(
        "per_day = 50",
        "per_day = 50\nper_week = 3",
        r#"scenario["base"].capacity[0].per_day"#,
    );
    check(
        "per_day = 50",
        "per_day = 50\nweekdays = [\"Mon\", \"Funday\"]",
        "capacity[0].weekdays[1]",
    );
    check(
        r#"extends = "base""#,
        r#"extends = "bse""#,
        r#"scenario["150 a day"].extends"#,
    );
    check(r#"name = "150 a day""#, r#"name = "base""#, "used twice");
    check(r#""children-first""#, r#""children-last""#, "policies[1]");
    check("replications = 200", "replications = 0", "replications");
    check("seed = 42", "seed = 42\nsed = 1", "sed");
    check(
        "[[scenario.tier]]\n    name = \"critical\"",
        "[[scenario.tier]]\n    name = \" critical\"",
        "tier.name",
    );
}

#[test]
fn clearance_distributions_parse_and_explain() {
    let with = |clearance: &str| {
        GOOD.replacen(
            "per_day = 50",
            &format!("per_day = 50\n[scenario.clearance]\n{clearance}"),
            1,
        )
    };
    let file =
        parse_scenario_file(&with("denial = 0.1\ndelay_days = { min = 3, max = 14 }")).unwrap();
    assert_eq!(
        file.scenarios[0].clearance.delay,
        corridor_sim::DayDistribution::Uniform { min: 3, max: 14 }
    );
    let error = parse_scenario_file(&with("delay_days = { min = 9, max = 3 }")).unwrap_err();
    assert_eq!(
        error.key(),
        Some(r#"scenario["base"].clearance.delay_days"#)
    );
    let error = parse_scenario_file(&with("delay_days = { mean = 3 }")).unwrap_err();
    assert_eq!(
        error.key(),
        Some(r#"scenario["base"].clearance.delay_days.mean"#)
    );
    let error = parse_scenario_file(&with("denial = 2")).unwrap_err();
    assert!(error.to_string().contains("between 0 and 1"), "{error}");
}

#[test]
fn shipped_scenarios_parse() {
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(&directory).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            if let Err(error) = parse_scenario_file(&text) {
                panic!("{}: {error}", path.display());
            }
            count += 1;
        }
    }
    assert!(count >= 2);
}
