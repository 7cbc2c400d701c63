//! Expansion of the dated schedules of a scenario into one value per
//! simulated day. This is the only place where calendar dates are turned
//! into day indices, so the engine itself works on plain day numbers.

use jiff::civil::Date;

use crate::scenario::{Places, Scenario};

/// The per-day inputs of the engine, identical for every replication.
#[derive(Debug, Clone, PartialEq)]
pub struct DailySchedule {
    /// Places at the crossing on each day (patients plus companions).
    pub places: Vec<u32>,
    /// Multiplier of the referral rates on each day.
    pub referral_factor: Vec<f64>,
}

/// Day index of `date` relative to `start` (negative before the start).
pub fn day_index(start: Date, date: Date) -> i64 {
    i64::from((date - start).get_days())
}

impl DailySchedule {
    pub fn new(scenario: &Scenario) -> Self {
        let horizon = scenario.horizon_days.get() as usize;
        DailySchedule {
            places: expand_places(scenario, horizon),
            referral_factor: expand_referral_factor(scenario, horizon),
        }
    }
}

fn expand_places(scenario: &Scenario, horizon: usize) -> Vec<u32> {
    let start = scenario.start;
    let mut segments: Vec<_> = scenario.capacity.iter().collect();
    segments.sort_by_key(|segment| segment.from);
    let closed = |day: i64| {
        scenario
            .closures
            .iter()
            .any(|c| day_index(start, c.from) <= day && day <= day_index(start, c.to))
    };
    let start_weekday = start.weekday();
    let mut places = vec![0; horizon];
    for (index, segment) in segments.iter().enumerate() {
        let first = day_index(start, segment.from).max(0);
        let end = segments.get(index + 1).map_or(horizon as i64, |next| {
            day_index(start, next.from).min(horizon as i64)
        });
        // Weekly quotas are counted in units of 1/(operating days) so that the
        // fractions carried from day to day are exact.
        let (per_open_day, denominator) = match segment.places {
            Places::PerDay(n) => (u64::from(n), 1),
            Places::PerWeek(n) => (u64::from(n), u64::from(segment.weekdays.count())),
        };
        let mut accumulated: u64 = 0;
        for day in first..end {
            let weekday = start_weekday.wrapping_add(day);
            if !segment.weekdays.contains(weekday) || closed(day) {
                continue;
            }
            let before = accumulated / denominator;
            accumulated += per_open_day;
            let today = accumulated / denominator - before;
            // `day` lies in 0..horizon and today's places are at most the
            // segment's per-day or per-week figure, a u32.
            places[day as usize] = today as u32;
        }
    }
    places
}

fn expand_referral_factor(scenario: &Scenario, horizon: usize) -> Vec<f64> {
    let mut changes: Vec<_> = scenario.referral_schedule.iter().collect();
    changes.sort_by_key(|change| change.from);
    let mut factor = vec![1.0; horizon];
    for change in changes {
        let first = day_index(scenario.start, change.from).clamp(0, horizon as i64) as usize;
        for value in &mut factor[first..] {
            *value = change.factor.get();
        }
    }
    factor
}
