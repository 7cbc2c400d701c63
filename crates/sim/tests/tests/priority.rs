//! Strict priority never serves a lower tier while a higher tier waits and
//! is cleared (unless the higher tier's party did not fit in the places
//! that were left), checked on a per-day trace of random small scenarios.

use corridor_sim::{DayTrace, PolicySpec, trace_replication};
use proptest::prelude::*;

use crate::scenario;

fn small_scenario(
    backlogs: &[u32],
    rates: &[f64],
    hazard: f64,
    per_day: u32,
    companions: (f64, f64),
    denial: f64,
    max_delay: u32,
) -> corridor_sim::Scenario {
    let mut text = format!(
        r#"
        [[scenario]]
        name = "random"
        start = "2026-02-05"
        horizon_days = 40
        [[scenario.capacity]]
        from = "2026-02-05"
        per_day = {per_day}
        weekdays = ["Mon", "Tue", "Wed", "Thu", "Sat"]
        [scenario.clearance]
        denial = {denial}
        delay_days = {{ min = 0, max = {max_delay} }}
        resubmit = 0.5
        resubmit_after_days = 3
        "#
    );
    let (zero, one) = companions;
    for (index, (backlog, rate)) in backlogs.iter().zip(rates).enumerate() {
        text.push_str(&format!(
            r#"
            [[scenario.tier]]
            name = "tier{index}"
            backlog = {backlog}
            backlog_referred_over_days = 20
            referrals_per_day = {rate}
            child_fraction = 0.3
            daily_death_hazard = {hazard}
            companions = [{zero}, {one}, {two}]
            "#,
            two = 1.0 - zero - one
        ));
    }
    scenario(&text)
}

/// For every lower-tier party served, every higher-tier party left waiting
/// (cleared, alive) must have been too big for the places left then.
fn check_strict(trace: &[DayTrace]) -> Result<(), TestCaseError> {
    for day in trace {
        for served in &day.served {
            for waiting in &day.left_waiting {
                if waiting.tier < served.candidate.tier {
                    prop_assert!(
                        waiting.places > served.places_left_before,
                        "day {}: served {:?} while {:?} waited",
                        day.day,
                        served.candidate,
                        waiting
                    );
                }
            }
        }
        // Served in priority order among parties that fit.
        for pair in day.served.windows(2) {
            let (first, second) = (pair[0].candidate, pair[1].candidate);
            let in_order = (first.tier, first.sequence) < (second.tier, second.sequence);
            prop_assert!(
                in_order || second.places < first.places,
                "day {}: {:?}",
                day.day,
                pair
            );
        }
        let used: u32 = day.served.iter().map(|s| s.candidate.places).sum();
        prop_assert!(used <= day.places);
        prop_assert!(
            day.left_waiting
                .iter()
                .all(|c| c.places > day.places - used)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn strict_priority_respects_tiers(
        backlogs in proptest::collection::vec(0u32..25, 2..4),
        rates in proptest::collection::vec(0.0f64..3.0, 3),
        hazard in 0.0f64..0.05,
        per_day in 0u32..8,
        zero in 0.0f64..1.0,
        share_of_one in 0.0f64..1.0,
        denial in 0.0f64..0.5,
        max_delay in 0u32..4,
        seed in any::<u64>(),
    ) {
        let one = (1.0 - zero) * share_of_one;
        let scenario = small_scenario(&backlogs, &rates, hazard, per_day, (zero, one), denial, max_delay);
        let (result, trace) = trace_replication(&scenario, PolicySpec::StrictPriority.policy(), seed, 0);
        check_strict(&trace)?;
        // The traced run is the same run as the untraced one.
        prop_assert_eq!(result, corridor_sim::replicate(&scenario, PolicySpec::StrictPriority.policy(), seed, 0));
    }

    #[test]
    fn children_first_respects_tiers_then_children(
        backlogs in proptest::collection::vec(0u32..25, 2..4),
        per_day in 1u32..8,
        seed in any::<u64>(),
    ) {
        let scenario = small_scenario(&backlogs, &[1.0, 1.0, 1.0], 0.01, per_day, (0.4, 0.4), 0.1, 2);
        let (_, trace) = trace_replication(&scenario, PolicySpec::ChildrenFirst.policy(), seed, 0);
        for day in &trace {
            for served in &day.served {
                for waiting in &day.left_waiting {
                    let outranks = waiting.tier < served.candidate.tier
                        || (waiting.tier == served.candidate.tier && waiting.is_child && !served.candidate.is_child);
                    prop_assert!(!outranks || waiting.places > served.places_left_before);
                }
            }
        }
    }
}

#[test]
fn first_come_first_served_ignores_tiers() {
    let scenario = small_scenario(&[0, 0, 0], &[2.0, 2.0, 2.0], 0.0, 3, (1.0, 0.0), 0.0, 0);
    let (_, trace) = trace_replication(&scenario, PolicySpec::FirstComeFirstServed.policy(), 4, 0);
    let mut last_sequence = None;
    for day in &trace {
        for served in &day.served {
            assert!(last_sequence < Some(served.candidate.sequence));
            last_sequence = Some(served.candidate.sequence);
        }
    }
    assert!(last_sequence.is_some());
}

#[test]
fn weighted_lets_long_waiting_routine_cases_overtake() {
    // Critical weight 10 against routine weight 1: a routine case waiting
    // more than 10 times as long as the newest critical case goes first.
    let text = r#"
        [[scenario]]
        name = "weighted"
        start = "2026-02-02"
        horizon_days = 3
        [[scenario.tier]]
        name = "critical"
        backlog = 1
        weight = 10
        [[scenario.tier]]
        name = "routine"
        backlog = 1
        backlog_referred_over_days = 30
        [[scenario.capacity]]
        from = "2026-02-02"
        per_day = 1
    "#;
    let (_, trace) = trace_replication(&scenario(text), PolicySpec::Weighted.policy(), 1, 0);
    assert_eq!(trace[0].served[0].candidate.tier, 1);
    assert_eq!(trace[1].served[0].candidate.tier, 0);
    let (_, strict) = trace_replication(&scenario(text), PolicySpec::StrictPriority.policy(), 1, 0);
    assert_eq!(strict[0].served[0].candidate.tier, 0);
}
