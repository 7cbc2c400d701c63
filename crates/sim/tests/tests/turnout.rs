//! Turnout: parties given places that do not come, and standby taking
//! their places. A party that fails stays on the list; its places are lost
//! unless standby takes them.

use corridor_sim::{PolicySpec, parse_scenario_file};

use crate::{run, scenario};

fn thousand_at_50(turnout: &str) -> String {
    format!(
        r#"
        [[scenario]]
        name = "turnout"
        start = "2026-02-02"
        horizon_days = 400
        [[scenario.tier]]
        name = "critical"
        backlog = 1000
        [[scenario.capacity]]
        from = "2026-02-02"
        per_day = 50
        {turnout}
        "#
    )
}

#[test]
fn everyone_coming_clears_on_the_arithmetic_day() {
    let result = run(
        &scenario(&thousand_at_50("")),
        PolicySpec::StrictPriority,
        3,
        7,
    );
    assert_eq!(result.backlog_cleared.days.unwrap().mean, 20.0);
}

#[test]
fn places_lost_to_no_shows_slow_the_list_down() {
    // Half the parties given places fail each time: on average two places
    // are given for each person who leaves, so the 1,000 take about 40 days,
    // and a few more at the end, when the last ones are tried once a day.
    let turnout = "[scenario.turnout]\nno_show = 0.5";
    let result = run(
        &scenario(&thousand_at_50(turnout)),
        PolicySpec::StrictPriority,
        40,
        11,
    );
    let days = result.backlog_cleared.days.expect("cleared in every run");
    assert!(
        (38.0..=50.0).contains(&days.mean),
        "cleared in {} days",
        days.mean
    );
    assert_eq!(result.evacuated.mean, 1000.0);
}

#[test]
fn standby_taking_every_freed_place_loses_almost_nothing() {
    let turnout = "[scenario.turnout]\nno_show = 0.5\nstandby_fill = 1.0";
    let result = run(
        &scenario(&thousand_at_50(turnout)),
        PolicySpec::StrictPriority,
        40,
        11,
    );
    let days = result.backlog_cleared.days.expect("cleared in every run");
    // Places are lost only at the very end, when nobody is left to take them.
    assert!(
        (20.0..30.0).contains(&days.mean),
        "cleared in {} days",
        days.mean
    );
    let lost = run(
        &scenario(&thousand_at_50("[scenario.turnout]\nno_show = 0.5")),
        PolicySpec::StrictPriority,
        40,
        11,
    );
    assert!(days.mean < lost.backlog_cleared.days.unwrap().mean);
}

#[test]
fn a_party_that_never_comes_never_leaves() {
    let result = run(
        &scenario(&thousand_at_50("[scenario.turnout]\nno_show = 1.0")),
        PolicySpec::StrictPriority,
        2,
        3,
    );
    assert_eq!(result.evacuated.mean, 0.0);
    assert_eq!(result.backlog_cleared.completed, 0);
}

#[test]
fn no_turnout_section_and_a_zero_no_show_give_the_same_forecast() {
    // With deaths and companions drawn at random, the same result means
    // the same stream of draws.
    let with = |turnout: &str| {
        format!(
            r#"
            [[scenario]]
            name = "same"
            start = "2026-02-02"
            horizon_days = 120
            [[scenario.tier]]
            name = "critical"
            backlog = 400
            referrals_per_day = 3.0
            annual_mortality = 0.4
            companions = [0.3, 0.5, 0.2]
            [[scenario.capacity]]
            from = "2026-02-02"
            per_day = 6
            {turnout}
            "#
        )
    };
    let plain = run(&scenario(&with("")), PolicySpec::StrictPriority, 5, 9);
    let zero = run(
        &scenario(&with(
            "[scenario.turnout]\nno_show = 0.0\nstandby_fill = 0.7",
        )),
        PolicySpec::StrictPriority,
        5,
        9,
    );
    assert_eq!(plain.deaths, zero.deaths);
    assert_eq!(plain.list_size_total, zero.list_size_total);
    let some = run(
        &scenario(&with("[scenario.turnout]\nno_show = 0.3")),
        PolicySpec::StrictPriority,
        5,
        9,
    );
    assert!(some.deaths.mean > plain.deaths.mean);
}

#[test]
fn a_wrong_turnout_names_its_key() {
    let error =
        parse_scenario_file(&thousand_at_50("[scenario.turnout]\nno_show = 1.5")).unwrap_err();
    assert_eq!(error.key(), Some(r#"scenario["turnout"].turnout.no_show"#));
    assert!(error.to_string().contains("between 0 and 1"), "{error}");
    let error =
        parse_scenario_file(&thousand_at_50("[scenario.turnout]\nstandby = 0.5")).unwrap_err();
    assert!(error.to_string().contains("standby"), "{error}");
}
