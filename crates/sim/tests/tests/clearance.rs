//! Clearance: delays, denials and resubmissions.

use corridor_sim::PolicySpec;

use crate::{run, scenario};

fn with_clearance(clearance: &str) -> corridor_sim::Scenario {
    scenario(&format!(
        r#"
        [[scenario]]
        name = "clearance"
        start = "2026-02-02"
        horizon_days = 100
        [[scenario.tier]]
        name = "critical"
        backlog = 1000
        [[scenario.capacity]]
        from = "2026-02-02"
        per_day = 50
        [scenario.clearance]
        {clearance}
        "#
    ))
}

#[test]
fn a_fixed_delay_postpones_everything_by_that_many_days() {
    let result = run(
        &with_clearance("delay_days = 10"),
        PolicySpec::StrictPriority,
        1,
        1,
    );
    assert_eq!(result.backlog_cleared.days.unwrap().mean, 30.0);
    assert_eq!(result.wait_by_tier[0].p50.unwrap().mean, 19.0);
    assert_eq!(result.list_size_total[9].p50, 1000.0);
}

#[test]
fn final_denials_stay_on_the_list_uncleared_when_asked() {
    let result = run(
        &with_clearance("denial = 1.0\nafter_final_denial = \"stays-uncleared\""),
        PolicySpec::StrictPriority,
        2,
        1,
    );
    assert_eq!(result.evacuated.mean, 0.0);
    assert_eq!(result.waiting_at_end_by_tier[0].mean, 1000.0);
    assert!(result.list_empty.days.is_none());
}

#[test]
fn denials_with_resubmission_lose_a_fraction_and_delay_the_rest() {
    // Each decision clears half; after a denial half resubmit 20 days later
    // and hear 5 days after that. Decisions fall on days 5, 30, 55 and 80
    // within the horizon, so 0.5 × (1 + 1/4 + 1/16 + 1/64) leave.
    let result = run(
        &with_clearance("denial = 0.5\ndelay_days = 5\nresubmit = 0.5\nresubmit_after_days = 20"),
        PolicySpec::StrictPriority,
        20,
        3,
    );
    let expected = 1000.0 * 0.5 * (1.0 + 0.25 + 0.0625 + 0.015625);
    // Binomial standard error of the mean over 20 replications: about 3.3.
    assert!(
        (result.evacuated.mean - expected).abs() < 14.0,
        "{:?}",
        result.evacuated
    );
    assert_eq!(result.backlog_cleared.completed, 0);
}

#[test]
fn final_denials_leave_the_list_by_default() {
    let result = run(
        &with_clearance("denial = 0.3\ndelay_days = 4"),
        PolicySpec::StrictPriority,
        10,
        1,
    );
    let removed = result.removed_after_denial_by_tier[0].mean;
    assert!((removed - 300.0).abs() < 25.0, "{removed}");
    assert_eq!(result.evacuated.mean + removed, 1000.0);
    assert_eq!(result.waiting_at_end_by_tier[0].mean, 0.0);
    // 700 cleared on day 4 leave at 50 a day: 14 days, the last on day 17.
    assert_eq!(result.list_empty.completed, 10);
    assert!(result.backlog_cleared.days.unwrap().high <= 19.0);
}
