//! Companions, weekdays, weekly quotas and closures change capacity exactly.

use corridor_sim::{DailySchedule, PolicySpec};

use crate::{run, scenario};

fn one_tier(extra_tier_keys: &str, capacity: &str) -> String {
    format!(
        r#"
        [[scenario]]
        name = "capacity"
        start = "2026-02-02"   # a Monday
        horizon_days = 1000
        [[scenario.tier]]
        name = "critical"
        backlog = 20000
        {extra_tier_keys}
        {capacity}
        "#
    )
}

const FIFTY_A_DAY: &str = r#"
        [[scenario.capacity]]
        from = "2026-02-02"
        per_day = 50
"#;

#[test]
fn one_companion_each_halves_the_patients_per_day() {
    let scenario = scenario(&one_tier("companions = [0, 1]", FIFTY_A_DAY));
    let result = run(&scenario, PolicySpec::StrictPriority, 2, 1);
    assert_eq!(result.backlog_cleared.days.unwrap().mean, 800.0);
    assert_eq!(result.companions_evacuated.mean, 20_000.0);
    // After 100 days, 2,500 patients have left.
    assert_eq!(result.list_size_total[99].p50, 17_500.0);
}

#[test]
fn mixed_parties_never_exceed_the_quota() {
    let scenario = scenario(&one_tier("companions = [0.3, 0.4, 0.3]", FIFTY_A_DAY));
    let (_, trace) =
        corridor_sim::trace_replication(&scenario, PolicySpec::StrictPriority.policy(), 9, 0);
    for day in trace.iter().take(30) {
        let used: u32 = day.served.iter().map(|s| s.candidate.places).sum();
        assert!(used <= day.places);
        // Places are only left over when no waiting party fits in them.
        let left = day.places - used;
        assert!(
            day.left_waiting.iter().all(|c| c.places > left),
            "day {}",
            day.day
        );
    }
}

#[test]
fn weekdays_only_stretch_the_calendar() {
    let weekdays = r#"
        [[scenario.capacity]]
        from = "2026-02-02"
        per_day = 50
        weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]
"#;
    let result = run(
        &scenario(&one_tier("", weekdays)),
        PolicySpec::StrictPriority,
        1,
        1,
    );
    // 400 operating days are 80 weeks; the last is the Friday of week 80.
    assert_eq!(result.backlog_cleared.days.unwrap().mean, 80.0 * 7.0 - 2.0);
}

#[test]
fn closures_remove_exactly_their_operating_days() {
    let closed = r#"
        [[scenario.capacity]]
        from = "2026-02-02"
        per_day = 50
        weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]
        [[scenario.closure]]
        from = "2026-03-02"
        to = "2026-03-15"     # two whole weeks
        [[scenario.closure]]
        from = 2026-04-01     # a Wednesday, TOML date syntax
        to = 2026-04-01
"#;
    let result = run(
        &scenario(&one_tier("", closed)),
        PolicySpec::StrictPriority,
        1,
        1,
    );
    // Two weeks later, plus the lost Wednesday pushes the last day from
    // Friday to the next Monday.
    assert_eq!(
        result.backlog_cleared.days.unwrap().mean,
        80.0 * 7.0 - 2.0 + 14.0 + 3.0
    );
}

#[test]
fn weekly_quotas_are_spread_exactly_over_operating_days() {
    let weekly = r#"
        [[scenario.capacity]]
        from = "2026-02-02"
        per_week = 17
        weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]
        [[scenario.capacity]]
        from = "2026-03-02"
        per_week = 25
        weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu"]
"#;
    let schedule = DailySchedule::new(&scenario(&one_tier("", weekly)));
    assert_eq!(&schedule.places[..7], &[3, 3, 4, 3, 4, 0, 0]);
    for week in 0..4 {
        assert_eq!(
            schedule.places[week * 7..week * 7 + 7].iter().sum::<u32>(),
            17
        );
    }
    // From Monday 2 March: 5 a day, Sunday to Thursday.
    assert_eq!(&schedule.places[28..35], &[5, 5, 5, 5, 0, 0, 5]);
}

#[test]
fn capacity_before_the_first_segment_is_zero() {
    let late = r#"
        [[scenario.capacity]]
        from = "2026-02-12"
        per_day = 150
"#;
    let result = run(
        &scenario(&one_tier("", late)),
        PolicySpec::StrictPriority,
        1,
        1,
    );
    assert_eq!(result.backlog_cleared.days.unwrap().mean, 10.0 + 134.0);
}

#[test]
fn referral_schedule_scales_arrivals_from_its_date() {
    let text = r#"
        [[scenario]]
        name = "referrals"
        start = "2026-02-02"
        horizon_days = 200
        [[scenario.tier]]
        name = "critical"
        referrals_per_day = 10
        [[scenario.capacity]]
        from = "2026-02-02"
        per_day = 0
        [[scenario.referrals]]
        from = "2026-04-13"   # day 70: nobody new from then on
        factor = 0
        [[scenario.referrals]]
        from = "2026-06-22"   # day 140: three times the base rate
        factor = 3
    "#;
    let scenario = scenario(text);
    let result = run(&scenario, PolicySpec::StrictPriority, 20, 5);
    let size = |day: usize| result.list_size_total[day].p50;
    assert_eq!(
        size(69),
        size(139),
        "no referrals between day 70 and day 139"
    );
    // 700 expected by day 69, then 1,800 more over days 140..199.
    assert!((size(69) - 700.0).abs() < 80.0, "{}", size(69));
    assert!((result.list_size_total[199].p50 - size(139) - 1800.0).abs() < 150.0);
}

#[test]
fn backlog_children_are_exactly_as_many_as_given() {
    let text = one_tier(
        "backlog_children = 4500\nchild_companions = [0, 1]",
        FIFTY_A_DAY,
    );
    let result = run(&scenario(&text), PolicySpec::ChildrenFirst, 1, 1);
    // 4,500 children each with one companion, then 15,500 adults alone.
    assert_eq!(result.companions_evacuated.mean, 4500.0);
    assert_eq!(
        result.backlog_cleared.days.unwrap().mean,
        (4500.0 * 2.0 + 15_500.0) / 50.0
    );
    // Children first: after 180 days (9,000 places) every child has left.
    assert_eq!(result.list_size_total[179].p50, 15_500.0);
}
