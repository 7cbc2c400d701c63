//! The public arithmetic: no arrivals, no deaths, no companions, every day
//! operating. The list must clear on exactly the day arithmetic says.

use corridor_sim::PolicySpec;

use crate::{run, scenario};

fn backlog_at(per_day: u32) -> String {
    format!(
        r#"
        [[scenario]]
        name = "arithmetic"
        start = "2026-02-02"
        horizon_days = 500
        [[scenario.tier]]
        name = "critical"
        backlog = 440
        [[scenario.tier]]
        name = "urgent"
        backlog = 5000
        [[scenario.tier]]
        name = "routine"
        backlog = 14560
        [[scenario.capacity]]
        from = "2026-02-02"
        per_day = {per_day}
        "#
    )
}

fn check(per_day: u32, expected_days: u32) {
    let scenario = scenario(&backlog_at(per_day));
    for policy in PolicySpec::ALL {
        let result = run(&scenario, policy, 3, 7);
        let days = result
            .backlog_cleared
            .days
            .expect("cleared in every replication");
        let expected = f64::from(expected_days);
        assert_eq!(
            (days.low, days.mean, days.high),
            (expected, expected, expected),
            "{policy}"
        );
        assert_eq!(
            result.list_empty.days.map(|d| d.mean),
            Some(f64::from(expected_days))
        );
        assert_eq!(result.evacuated.mean, 20_000.0);
        assert_eq!(result.deaths.mean, 0.0);
    }
}

#[test]
fn twenty_thousand_at_50_a_day_clear_on_day_400() {
    check(50, 400);
}

#[test]
fn twenty_thousand_at_150_a_day_clear_on_day_134() {
    check(150, 134);
}

#[test]
fn strict_priority_serves_tiers_in_order_and_waits_follow() {
    let result = run(&scenario(&backlog_at(50)), PolicySpec::StrictPriority, 1, 1);
    let mean_wait = |tier: usize| result.wait_by_tier[tier].mean.unwrap().mean;
    // Critical: 440 people, days 0..8 (the ninth day takes the last 40).
    assert_eq!(result.wait_by_tier[0].p90.unwrap().mean, 7.0);
    assert!(mean_wait(0) < mean_wait(1) && mean_wait(1) < mean_wait(2));
    // Routine leaves from day 108 (5,440 / 50 = 108.8) to day 399.
    assert_eq!(result.wait_by_tier[2].p90.unwrap().mean, 370.0);
}
