//! The figures of a situation: the aggregates the situation report, the
//! dashboard and their JSON show. Counts here are exact; whoever publishes
//! them suppresses the small ones (`corridor_interop::disclosure`).
//!
//! The registry fills these (`corridor_store::Store::situation`), the
//! forecast section comes from the simulator run on the registry's backlog.

use jiff::civil::Date;

use crate::utilisation::DayUse;
use crate::{AgeGroup, AidReport, ReasonCode, SourcedFigure, Specialty, Tier};

/// Everything the situation report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SitrepData {
    pub date: Date,
    /// Where the registry counts come from, e.g. "corridor registry (PostgreSQL)".
    pub registry: String,
    pub waiting: WaitingSection,
    pub evacuations: EvacuationSection,
    /// How the places of each confirmed day in the window were used.
    pub utilisation: Vec<DayUse>,
    pub deaths: DeathsSection,
    pub forecast: Option<ForecastSection>,
    /// Clearance denial reasons over the report window, most frequent
    /// first: codes and labels only, never the notes about people.
    pub denial_reasons: Vec<ReasonCodeCount>,
    /// The aid pipeline over the report window; `None` where no aid is tracked.
    pub aid: Option<AidReport>,
    pub figures: Vec<SourcedFigure>,
}

/// How often a reason code was given. A count of codes carries no note:
/// notes are about people and stay with their records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonCodeCount {
    pub code: ReasonCode,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WaitingSection {
    pub by_tier: Vec<(Tier, u64)>,
    pub by_age_group: Vec<(AgeGroup, u64)>,
    pub by_specialty: Vec<(Specialty, u64)>,
    pub by_tier_and_age_group: Vec<(Tier, AgeGroup, u64)>,
    pub companions: u64,
    pub median_wait_days: Option<i64>,
    pub over_a_year: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EvacuationSection {
    pub from: Date,
    pub to: Date,
    /// One entry per day from `from` to `to`.
    pub days: Vec<EvacuationDay>,
    /// Patients evacuated in the window by receiving country name.
    pub by_destination: Vec<(String, u64)>,
    /// Patients evacuated since the registry began.
    pub total_to_date: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvacuationDay {
    pub date: Date,
    pub patients: u64,
    pub companions: u64,
    /// The outbound evacuee quota in force that day (all crossings).
    pub quota: Option<u32>,
    /// The evacuee quota of the crossings that operate that day (0 when
    /// none does): the places that could have been used.
    pub places_open: u32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeathsSection {
    pub total_by_tier: Vec<(Tier, u64)>,
    /// Deaths in the report window, by tier.
    pub window_by_tier: Vec<(Tier, u64)>,
    /// Deaths in the report window by day and tier (days without deaths left out).
    pub by_day: Vec<(Date, Tier, u64)>,
}

/// Forecasts from the registry's backlog under one or more capacities.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastSection {
    /// The model run, e.g. scenario, replications and seed.
    pub model: String,
    pub runs: Vec<ForecastRun>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForecastRun {
    pub label: String,
    pub places_per_day: u32,
    pub start: Date,
    pub horizon_days: u32,
    /// Days until today's backlog is cleared (mean, low, high of the 95%
    /// interval), when it cleared in every replication.
    pub days_to_clear: Option<(f64, f64, f64)>,
    /// In how many of how many replications it cleared within the horizon.
    pub cleared_in: (u32, u32),
    /// Deaths while waiting over the horizon (mean, low, high).
    pub deaths: (f64, f64, f64),
    /// End-of-day list size: p5, p50, p95 by day.
    pub list_p5: Vec<f64>,
    pub list_p50: Vec<f64>,
    pub list_p95: Vec<f64>,
}

/// Seven-day weeks that end on `to`, oldest first; the first may be shorter
/// when the window is not a whole number of weeks. Both ends inclusive.
pub fn weeks_ending(from: Date, to: Date) -> Vec<(Date, Date)> {
    let mut weeks = Vec::new();
    let mut end = to;
    while end >= from {
        let start = end
            .checked_sub(jiff::Span::new().days(6))
            .unwrap_or(from)
            .max(from);
        weeks.push((start, end));
        match start.yesterday() {
            Ok(day) => end = day,
            Err(_) => break,
        }
    }
    weeks.reverse();
    weeks
}

/// Evacuations of one week against the places open that week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvacuationWeek {
    pub from: Date,
    pub to: Date,
    pub patients: u64,
    pub companions: u64,
    /// The sum of the evacuee quota over the operating days of the week;
    /// `None` when no quota was in force on any day of it, which is not the
    /// same as a quota of 0 (people may still have left, case by case).
    pub places_open: Option<u64>,
}

impl EvacuationSection {
    /// The window's days summed by week ([`weeks_ending`] its last day).
    pub fn weeks(&self) -> Vec<EvacuationWeek> {
        weeks_ending(self.from, self.to)
            .into_iter()
            .map(|(from, to)| {
                let days = || self.days.iter().filter(|d| d.date >= from && d.date <= to);
                EvacuationWeek {
                    from,
                    to,
                    patients: days().map(|d| d.patients).sum(),
                    companions: days().map(|d| d.companions).sum(),
                    places_open: days()
                        .any(|d| d.quota.is_some())
                        .then(|| days().map(|d| u64::from(d.places_open)).sum()),
                }
            })
            .collect()
    }
}

/// Deaths while waiting in one week, by tier in [`Tier::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeathsWeek {
    pub from: Date,
    pub to: Date,
    pub by_tier: Vec<(Tier, u64)>,
}

impl DeathsSection {
    /// The window's deaths by week ([`weeks_ending`] `to`) and tier.
    pub fn weeks(&self, from: Date, to: Date) -> Vec<DeathsWeek> {
        weeks_ending(from, to)
            .into_iter()
            .map(|(from, to)| DeathsWeek {
                from,
                to,
                by_tier: Tier::ALL
                    .iter()
                    .map(|tier| {
                        let n = self
                            .by_day
                            .iter()
                            .filter(|(date, t, _)| t == tier && *date >= from && *date <= to)
                            .map(|(_, _, n)| n)
                            .sum();
                        (*tier, n)
                    })
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn weeks_end_on_the_last_day() {
        let weeks = weeks_ending(date(2026, 1, 1), date(2026, 1, 16));
        assert_eq!(
            weeks,
            vec![
                (date(2026, 1, 1), date(2026, 1, 2)),
                (date(2026, 1, 3), date(2026, 1, 9)),
                (date(2026, 1, 10), date(2026, 1, 16)),
            ]
        );
        assert!(weeks_ending(date(2026, 1, 2), date(2026, 1, 1)).is_empty());
    }

    #[test]
    fn a_week_without_a_quota_in_force_has_no_places_not_zero() {
        // Two weeks with ~40 people leaving each: the first with no quota
        // recorded, the second with 50 places a day on 5 operating days.
        let from = date(2026, 1, 4);
        let days = (0..14)
            .map(|offset| {
                let day = from.checked_add(jiff::Span::new().days(offset)).unwrap();
                let second_week = offset >= 7;
                let operating = offset % 7 < 5;
                EvacuationDay {
                    date: day,
                    patients: if operating { 4 } else { 0 },
                    companions: if operating { 4 } else { 0 },
                    quota: second_week.then_some(50),
                    places_open: if second_week && operating { 50 } else { 0 },
                }
            })
            .collect();
        let section = EvacuationSection {
            from,
            to: date(2026, 1, 17),
            days,
            by_destination: Vec::new(),
            total_to_date: 80,
        };
        let weeks = section.weeks();
        assert_eq!(weeks.len(), 2);
        assert_eq!(weeks[0].patients + weeks[0].companions, 40);
        assert_eq!(weeks[0].places_open, None);
        assert_eq!(weeks[1].places_open, Some(250));
    }

    #[test]
    fn deaths_are_summed_by_week_and_tier() {
        let deaths = DeathsSection {
            by_day: vec![
                (date(2026, 1, 3), Tier::Critical, 2),
                (date(2026, 1, 9), Tier::Critical, 1),
                (date(2026, 1, 10), Tier::Routine, 4),
            ],
            ..DeathsSection::default()
        };
        let weeks = deaths.weeks(date(2026, 1, 3), date(2026, 1, 16));
        assert_eq!(weeks.len(), 2);
        assert_eq!(weeks[0].by_tier[0], (Tier::Critical, 3));
        assert_eq!(weeks[1].by_tier.iter().map(|(_, n)| n).sum::<u64>(), 4);
    }
}
