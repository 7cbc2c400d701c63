//! Same seed, any number of threads: the same forecast.

use corridor_sim::PolicySpec;

use crate::{run, scenario};

const BUSY: &str = r#"
    [[scenario]]
    name = "busy"
    start = "2026-02-02"
    horizon_days = 120
    [[scenario.tier]]
    name = "critical"
    backlog = 200
    referrals_per_day = 1.5
    daily_death_hazard = 0.004
    child_fraction = 0.3
    companions = [0.2, 0.6, 0.2]
    child_companions = [0, 0.5, 0.5]
    [[scenario.tier]]
    name = "routine"
    backlog = 3000
    backlog_referred_over_days = 400
    referrals_per_day = 12
    annual_mortality = 0.05
    companions = [0.4, 0.6]
    [[scenario.capacity]]
    from = "2026-02-02"
    per_day = 30
    weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu"]
    [scenario.clearance]
    denial = 0.1
    delay_days = { min = 1, max = 6 }
    resubmit = 0.6
    resubmit_after_days = { min = 7, max = 21 }
"#;

fn with_threads(threads: usize, policy: PolicySpec) -> corridor_sim::Forecast {
    let scenario = scenario(BUSY);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| run(&scenario, policy, 24, 2026))
}

#[test]
fn one_thread_and_many_threads_give_identical_forecasts() {
    for policy in [PolicySpec::StrictPriority, PolicySpec::Weighted] {
        let single = with_threads(1, policy);
        assert_eq!(single, with_threads(3, policy));
        assert_eq!(single, with_threads(8, policy));
    }
}

#[test]
fn different_seeds_give_different_forecasts() {
    let scenario = scenario(BUSY);
    let a = run(&scenario, PolicySpec::StrictPriority, 4, 1);
    let b = run(&scenario, PolicySpec::StrictPriority, 4, 2);
    assert_ne!(a.deaths, b.deaths);
}

#[test]
fn policies_share_referrals_deaths_and_clearances() {
    // Common random numbers: the same people are referred whatever the policy.
    let scenario = scenario(BUSY);
    for replication in 0..3 {
        let strict = corridor_sim::replicate(
            &scenario,
            PolicySpec::StrictPriority.policy(),
            5,
            replication,
        );
        let fcfs = corridor_sim::replicate(
            &scenario,
            PolicySpec::FirstComeFirstServed.policy(),
            5,
            replication,
        );
        assert_eq!(strict.referred_by_tier, fcfs.referred_by_tier);
        assert_ne!(strict.wait_by_tier, fcfs.wait_by_tier);
    }
}

#[test]
fn progress_is_reported_once_per_replication() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let done = AtomicU64::new(0);
    let config = corridor_sim::ForecastConfig {
        replications: corridor_sim::Replications::new(7).unwrap(),
        seed: 1,
    };
    corridor_sim::forecast(
        &scenario(BUSY),
        PolicySpec::ChildrenFirst.policy(),
        &config,
        &|n| {
            done.fetch_add(n, Ordering::Relaxed);
        },
    );
    assert_eq!(done.load(Ordering::Relaxed), 7);
}
