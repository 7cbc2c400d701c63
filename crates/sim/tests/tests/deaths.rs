//! Deaths only, no service: the expected number of deaths is N(1 − e^(−hT)).

use corridor_sim::PolicySpec;

use crate::{run, scenario};

#[test]
fn deaths_without_service_follow_the_hazard() {
    let (people, hazard, days) = (10_000.0_f64, 0.001_f64, 365.0_f64);
    let scenario = scenario(
        r#"
        [[scenario]]
        name = "no service"
        start = "2026-02-02"
        horizon_days = 365
        [[scenario.tier]]
        name = "critical"
        backlog = 10000
        daily_death_hazard = 0.001
        [[scenario.capacity]]
        from = "2026-02-02"
        per_day = 0
        "#,
    );
    let result = run(&scenario, PolicySpec::StrictPriority, 40, 11);
    let p = 1.0 - (-hazard * days).exp();
    let expected = people * p;
    let standard_error = (people * p * (1.0 - p) / 40.0).sqrt();
    let deaths = result.deaths_by_tier[0];
    assert!(
        (deaths.mean - expected).abs() < 4.0 * standard_error,
        "mean deaths {} vs expected {expected} (standard error {standard_error})",
        deaths.mean
    );
    // The interval covers the truth and its width matches the binomial error.
    assert!(
        deaths.low < expected && expected < deaths.high,
        "{deaths:?}"
    );
    assert!((deaths.half_width() / (1.96 * standard_error) - 1.0).abs() < 0.5);
    // Nobody left, and cumulative deaths end at the total.
    assert_eq!(result.evacuated.mean, 0.0);
    assert_eq!(result.cumulative_deaths.last().unwrap().p50.round(), {
        let mut totals: Vec<f64> = (0..40)
            .map(|i| corridor_sim::replicate(&scenario, PolicySpec::StrictPriority.policy(), 11, i))
            .map(|r| f64::from(r.deaths_by_tier[0]))
            .collect();
        totals.sort_by(f64::total_cmp);
        corridor_sim::quantile_sorted(&totals, 0.5).round()
    });
    assert!(result.backlog_cleared.days.is_none());
    assert_eq!(result.backlog_cleared.completed, 0);
}

#[test]
fn hazard_from_annual_mortality_kills_that_fraction_in_a_year() {
    let scenario = scenario(
        r#"
        [[scenario]]
        name = "annual"
        start = "2026-02-02"
        horizon_days = 365
        [[scenario.tier]]
        name = "critical"
        backlog = 20000
        annual_mortality = 0.25
        [[scenario.capacity]]
        from = "2026-02-02"
        per_day = 0
        "#,
    );
    let result = run(&scenario, PolicySpec::StrictPriority, 10, 3);
    // 5,000 expected; binomial standard error of the mean about 19.
    assert!(
        (result.deaths.mean - 5000.0).abs() < 80.0,
        "{:?}",
        result.deaths
    );
}

#[test]
fn deaths_and_departures_account_for_everyone() {
    let scenario = scenario(
        r#"
        [[scenario]]
        name = "mixed"
        start = "2026-02-02"
        horizon_days = 200
        [[scenario.tier]]
        name = "critical"
        backlog = 300
        referrals_per_day = 2
        daily_death_hazard = 0.01
        [[scenario.tier]]
        name = "routine"
        backlog = 2000
        referrals_per_day = 5
        daily_death_hazard = 0.001
        companions = [0.5, 0.3, 0.2]
        [[scenario.capacity]]
        from = "2026-02-02"
        per_week = 60
        weekdays = ["Mon", "Wed", "Fri"]
        [scenario.clearance]
        denial = 0.2
        delay_days = { min = 2, max = 9 }
        resubmit = 0.5
        resubmit_after_days = 14
        "#,
    );
    for replication in 0..5 {
        let result =
            corridor_sim::replicate(&scenario, PolicySpec::Weighted.policy(), 5, replication);
        let total_cumulative_deaths: u32 = result.cumulative_deaths
            [result.cumulative_deaths.len() - 2..]
            .iter()
            .sum();
        let deaths: u32 = result.deaths_by_tier.iter().sum();
        assert_eq!(total_cumulative_deaths, deaths);
        let last_day_sizes = &result.list_size[result.list_size.len() - 2..];
        assert_eq!(last_day_sizes, result.waiting_at_end_by_tier.as_slice());
        // Everyone referred has left, died or is still waiting, per tier.
        for tier in 0..2 {
            let accounted = result.evacuated_by_tier[tier]
                + result.deaths_by_tier[tier]
                + result.removed_after_denial_by_tier[tier]
                + result.waiting_at_end_by_tier[tier];
            assert_eq!(accounted, result.referred_by_tier[tier]);
        }
        assert!(result.referred_by_tier[1] > 2000);
        assert!(result.removed_after_denial_by_tier.iter().sum::<u32>() > 0);
    }
}

#[test]
fn extreme_hazards_neither_overflow_nor_misbehave() {
    let text = |hazard: &str| {
        format!(
            r#"
            [[scenario]]
            name = "extreme"
            start = "2026-02-02"
            horizon_days = 30
            [[scenario.tier]]
            name = "critical"
            backlog = 1000
            daily_death_hazard = {hazard}
            [[scenario.capacity]]
            from = "2026-02-02"
            per_day = 10
            "#
        )
    };
    let tiny = run(&scenario(&text("1e-300")), PolicySpec::StrictPriority, 2, 1);
    assert_eq!(tiny.deaths.mean, 0.0);
    assert_eq!(tiny.evacuated.mean, 300.0);
    // A huge hazard: everybody dies on day 0, before the evening departures.
    let huge = run(&scenario(&text("1e6")), PolicySpec::StrictPriority, 2, 1);
    assert_eq!(huge.deaths.mean, 1000.0);
    assert_eq!(huge.evacuated.mean, 0.0);
    assert_eq!(huge.backlog_cleared.days.map(|d| d.mean), Some(1.0));
}
