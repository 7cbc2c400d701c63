//! The quota in force and the crossing day to work on.

use corridor_domain::{
    Crossing, CrossingId, Direction, Quota, QuotaCategory, Text, WeekdaySet, check_quota_periods,
};
use jiff::civil::{Date, date};
use proptest::prelude::*;

fn rafah() -> CrossingId {
    CrossingId::parse("rafah").unwrap()
}

fn evacuees(per_day: u32, from: Date, to: Option<Date>) -> Quota {
    Quota::new(
        rafah(),
        Direction::Outbound,
        QuotaCategory::Evacuees,
        per_day,
        from,
        to,
    )
    .unwrap()
}

fn in_force(quotas: &[Quota], on: Date) -> Option<u32> {
    Quota::in_force(
        quotas,
        &rafah(),
        Direction::Outbound,
        QuotaCategory::Evacuees,
        on,
    )
    .map(|quota| quota.per_day)
}

#[test]
fn the_quota_in_force_is_the_one_whose_period_covers_the_day() {
    let quotas = [
        evacuees(50, date(2026, 2, 2), Some(date(2026, 2, 28))),
        evacuees(80, date(2026, 3, 1), None),
        Quota::new(
            rafah(),
            Direction::Inbound,
            QuotaCategory::Returnees,
            30,
            date(2026, 1, 1),
            None,
        )
        .unwrap(),
    ];
    check_quota_periods(&quotas).unwrap();
    assert_eq!(in_force(&quotas, date(2026, 2, 1)), None);
    assert_eq!(in_force(&quotas, date(2026, 2, 2)), Some(50));
    assert_eq!(in_force(&quotas, date(2026, 2, 28)), Some(50));
    assert_eq!(in_force(&quotas, date(2026, 3, 1)), Some(80));
    // The category counts: evacuees never take the returnees' places.
    assert_eq!(
        Quota::in_force(
            &quotas,
            &rafah(),
            Direction::Inbound,
            QuotaCategory::Evacuees,
            date(2026, 2, 2)
        ),
        None
    );
    assert_eq!(
        QuotaCategory::of(Direction::Inbound),
        QuotaCategory::Returnees
    );
}

#[test]
fn overlapping_quotas_are_refused_with_both_named() {
    let open_ended = evacuees(50, date(2026, 2, 2), None);
    let later = evacuees(80, date(2026, 3, 1), Some(date(2026, 3, 31)));
    let error = check_quota_periods(&[open_ended.clone(), later.clone()]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "quotas: the evacuees outbound quota of rafah from 2026-02-02 (50 a day) overlaps \
         the one 2026-03-01 to 2026-03-31 (80 a day); end the first before the second begins"
    );
    // Touching on one day is an overlap; the day after is not.
    let ends = evacuees(50, date(2026, 2, 2), Some(date(2026, 3, 1)));
    assert!(ends.overlaps(&later));
    let ends_before = evacuees(50, date(2026, 2, 2), Some(date(2026, 2, 28)));
    assert!(!ends_before.overlaps(&later));
    check_quota_periods(&[ends_before, later.clone()]).unwrap();
    // Another direction, category or crossing counts other places.
    let mut inbound = open_ended.clone();
    inbound.direction = Direction::Inbound;
    let mut elsewhere = open_ended.clone();
    elsewhere.crossing = CrossingId::parse("kerem-shalom").unwrap();
    check_quota_periods(&[open_ended, inbound, elsewhere]).unwrap();
}

#[test]
fn old_overlapping_quotas_resolve_to_the_latest_start() {
    // Entered before overlaps were refused: the latest valid_from wins,
    // then the fewer places.
    let quotas = [
        evacuees(50, date(2026, 2, 2), None),
        evacuees(40, date(2026, 2, 10), Some(date(2026, 2, 20))),
        evacuees(45, date(2026, 2, 10), None),
    ];
    assert_eq!(in_force(&quotas, date(2026, 2, 9)), Some(50));
    assert_eq!(in_force(&quotas, date(2026, 2, 10)), Some(40));
    assert_eq!(in_force(&quotas, date(2026, 2, 21)), Some(45));
}

fn quota_strategy() -> impl Strategy<Value = Quota> {
    (1u32..100, 0i32..60, proptest::option::of(0i32..60)).prop_map(|(per_day, start, length)| {
        let from = date(2026, 1, 1)
            .checked_add(jiff::Span::new().days(start))
            .unwrap();
        let to = length.map(|days| from.checked_add(jiff::Span::new().days(days)).unwrap());
        evacuees(per_day, from, to)
    })
}

proptest! {
    #[test]
    fn the_quota_in_force_does_not_depend_on_the_order_of_the_list(
        quotas in proptest::collection::vec(quota_strategy(), 0..6),
        day in 0i32..130,
        rotation in 0usize..6,
    ) {
        let on = date(2026, 1, 1).checked_add(jiff::Span::new().days(day)).unwrap();
        let mut shuffled = quotas.clone();
        shuffled.reverse();
        if !shuffled.is_empty() {
            let by = rotation % shuffled.len();
            shuffled.rotate_left(by);
        }
        let chosen = Quota::in_force(&quotas, &rafah(), Direction::Outbound, QuotaCategory::Evacuees, on);
        let again = Quota::in_force(&shuffled, &rafah(), Direction::Outbound, QuotaCategory::Evacuees, on);
        prop_assert_eq!(chosen.map(|q| (q.per_day, q.valid_from, q.valid_to)),
            again.map(|q| (q.per_day, q.valid_from, q.valid_to)));
        // Covering the day, and no covering quota starts later.
        if let Some(chosen) = chosen {
            prop_assert!(chosen.applies_on(on));
            prop_assert!(quotas.iter().filter(|q| q.applies_on(on)).all(|q| q.valid_from <= chosen.valid_from));
        } else {
            prop_assert!(quotas.iter().all(|q| !q.applies_on(on)));
        }
        // Refused sets are exactly those where two quotas share a day.
        let shares_a_day = quotas.iter().enumerate().any(|(i, a)| {
            quotas[i + 1..].iter().any(|b| (0..130).any(|d| {
                let d = date(2026, 1, 1).checked_add(jiff::Span::new().days(d)).unwrap();
                a.applies_on(d) && b.applies_on(d)
            }) || (a.valid_to.is_none() && b.valid_to.is_none()))
        });
        prop_assert_eq!(check_quota_periods(&quotas).is_err(), shares_a_day);
    }
}

#[test]
fn the_default_crossing_day_is_the_next_day_people_can_cross() {
    let crossing = Crossing {
        id: rafah(),
        name: Text::parse("name", "Rafah", 200).unwrap(),
        directions: vec![Direction::Outbound, Direction::Inbound],
        operating_days: WeekdaySet::parse("sun,mon,tue,wed,thu").unwrap(),
    };
    let quotas = [evacuees(50, date(2026, 2, 2), None)];
    let next = |today, direction| crossing.next_crossing_day(&quotas, direction, today);
    // Sunday 1 February: no quota yet; Monday is the reopening.
    assert_eq!(
        next(date(2026, 2, 1), Some(Direction::Outbound)),
        date(2026, 2, 2)
    );
    // An operating day with a quota is its own crossing day.
    assert_eq!(
        next(date(2026, 2, 4), Some(Direction::Outbound)),
        date(2026, 2, 4)
    );
    assert_eq!(next(date(2026, 2, 4), None), date(2026, 2, 4));
    // Friday 6 February: closed on Friday and Saturday.
    assert_eq!(
        next(date(2026, 2, 6), Some(Direction::Outbound)),
        date(2026, 2, 8)
    );
    // No inbound quota at all: today, for want of a better day.
    assert_eq!(
        next(date(2026, 2, 6), Some(Direction::Inbound)),
        date(2026, 2, 6)
    );
}

#[test]
fn returnees_enter_by_the_crossing_with_the_soonest_inbound_day() {
    let crossing = |id: &str, directions: Vec<Direction>| Crossing {
        id: CrossingId::parse(id).unwrap(),
        name: Text::parse("name", id, 200).unwrap(),
        directions,
        operating_days: WeekdaySet::parse("sun,mon,tue,wed,thu").unwrap(),
    };
    // Kerem Shalom is listed first and lets evacuees out soonest; only
    // Rafah has an inbound quota.
    let crossings = [
        crossing("kerem-shalom", vec![Direction::Outbound]),
        crossing("rafah", vec![Direction::Outbound, Direction::Inbound]),
    ];
    let mut out = evacuees(50, date(2026, 2, 1), None);
    out.crossing = CrossingId::parse("kerem-shalom").unwrap();
    let returnees = Quota::new(
        rafah(),
        Direction::Inbound,
        QuotaCategory::Returnees,
        50,
        date(2026, 2, 2),
        None,
    )
    .unwrap();
    let quotas = [out, returnees];
    let today = date(2026, 2, 1);
    let soonest = |direction| {
        Crossing::soonest(&crossings, &quotas, direction, today).map(|c| c.id.as_str().to_string())
    };
    assert_eq!(soonest(Direction::Inbound).as_deref(), Some("rafah"));
    assert_eq!(
        soonest(Direction::Outbound).as_deref(),
        Some("kerem-shalom")
    );
    assert_eq!(
        Crossing::default_for(&crossings, &quotas, today).map(|c| c.id.as_str()),
        Some("kerem-shalom")
    );
    // No quota at all: the first registered.
    assert_eq!(
        Crossing::soonest(&crossings, &[], Direction::Inbound, today).map(|c| c.id.as_str()),
        Some("kerem-shalom")
    );
}
