//! How the places of a crossing day were used: how many there were, how
//! many were planned, how many people were reached before the day, how many
//! crossed, and why the others stayed empty. Every unused place is a day
//! longer on the list for someone else, so this is the headline figure of a
//! day of crossing.
//!
//! The store counts the manifests ([`DayUse`] per crossing, day and
//! direction); everything here is arithmetic on those counts.

use jiff::civil::Date;

use crate::report::weeks_ending;
use crate::{CrossingId, Direction};

/// Places freed after a day was confirmed, by why they were freed. A
/// freed place is lost unless someone from standby takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlacesFreed {
    /// The party said no when called before the day.
    pub declined: u32,
    /// Nobody reached the party by the cut-off.
    pub unreachable: u32,
    /// Expected at the gate and did not come.
    pub no_show: u32,
    /// Came to the gate and was not let through.
    pub turned_back: u32,
    /// Taken off the manifest by hand (died, withdrew, unscheduled).
    pub removed: u32,
}

impl PlacesFreed {
    pub fn total(&self) -> u32 {
        self.declined + self.unreachable + self.no_show + self.turned_back + self.removed
    }

    /// Each cause with its count, in the order the figures are shown.
    pub fn by_cause(&self) -> [(&'static str, u32); 5] {
        [
            ("declined", self.declined),
            ("unreachable", self.unreachable),
            ("no-show", self.no_show),
            ("turned-back", self.turned_back),
            ("removed", self.removed),
        ]
    }

    fn add(&mut self, other: &PlacesFreed) {
        self.declined += other.declined;
        self.unreachable += other.unreachable;
        self.no_show += other.no_show;
        self.turned_back += other.turned_back;
        self.removed += other.removed;
    }
}

/// The places of one confirmed manifest (one crossing, day and direction),
/// counted in people: a patient and two companions take three places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayUse {
    pub crossing: CrossingId,
    pub date: Date,
    pub direction: Direction,
    /// The places the day had when its manifest was confirmed.
    pub available: u32,
    /// People on the manifest as confirmed (before any refill).
    pub planned: u32,
    /// People added afterwards to take freed places.
    pub refilled: u32,
    /// People whose party confirmed on the call before the day.
    pub reached: u32,
    pub crossed: u32,
    /// People still expected at the gate (the day is not over).
    pub expected: u32,
    pub freed: PlacesFreed,
}

impl DayUse {
    /// Places nobody used and nobody is still expected in.
    pub fn left_empty(&self) -> u32 {
        self.available
            .saturating_sub(self.crossed)
            .saturating_sub(self.expected)
    }

    /// Freed places that standby did not take.
    pub fn not_refilled(&self) -> u32 {
        self.freed.total().saturating_sub(self.refilled)
    }

    /// Places the confirmed manifest did not fill in the first place.
    pub fn never_planned(&self) -> u32 {
        self.available.saturating_sub(self.planned)
    }

    /// Whether the gate has recorded everyone: the day's figures are final.
    pub fn finished(&self) -> bool {
        self.expected == 0
    }

    /// Crossed over available, `None` for a day without places.
    pub fn rate(&self) -> Option<f64> {
        (self.available > 0).then(|| f64::from(self.crossed) / f64::from(self.available))
    }
}

/// The sums of several days' use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UseTotals {
    pub days: u32,
    pub available: u32,
    pub planned: u32,
    pub refilled: u32,
    pub reached: u32,
    pub crossed: u32,
    pub expected: u32,
    pub freed: PlacesFreed,
}

impl UseTotals {
    pub fn of<'a>(days: impl IntoIterator<Item = &'a DayUse>) -> UseTotals {
        let mut totals = UseTotals::default();
        for day in days {
            totals.days += 1;
            totals.available += day.available;
            totals.planned += day.planned;
            totals.refilled += day.refilled;
            totals.reached += day.reached;
            totals.crossed += day.crossed;
            totals.expected += day.expected;
            totals.freed.add(&day.freed);
        }
        totals
    }

    pub fn left_empty(&self) -> u32 {
        self.available
            .saturating_sub(self.crossed)
            .saturating_sub(self.expected)
    }

    pub fn not_refilled(&self) -> u32 {
        self.freed.total().saturating_sub(self.refilled)
    }

    pub fn never_planned(&self) -> u32 {
        self.available.saturating_sub(self.planned)
    }

    pub fn rate(&self) -> Option<f64> {
        (self.available > 0).then(|| f64::from(self.crossed) / f64::from(self.available))
    }
}

/// One week's use in one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UseWeek {
    pub from: Date,
    pub to: Date,
    pub totals: UseTotals,
}

/// The days of `direction` summed by week: the same seven-day weeks ending
/// on `to` as the evacuation figures ([`weeks_ending`]). A week without a
/// confirmed day has zero totals, so a chart shows the gap.
pub fn weekly_use(days: &[DayUse], direction: Direction, from: Date, to: Date) -> Vec<UseWeek> {
    weeks_ending(from, to)
        .into_iter()
        .map(|(first, last)| UseWeek {
            from: first,
            to: last,
            totals: UseTotals::of(
                days.iter().filter(|day| {
                    day.direction == direction && day.date >= first && day.date <= last
                }),
            ),
        })
        .collect()
}

/// What finished days say about turnout: the share of planned people who
/// did not cross for their own reasons, and the share of freed places that
/// standby took. The forecast uses these instead of assuming everyone comes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasuredTurnout {
    /// Declined, unreachable, no-show or turned back, over planned.
    pub no_show: f64,
    /// Refilled over freed (0 when nothing was freed).
    pub standby_fill: f64,
    /// Crossed over available.
    pub used: f64,
    /// Finished days counted.
    pub days: u32,
    /// People planned on those days.
    pub people: u32,
}

/// Turnout measured on the finished days of one direction, or `None` when
/// they planned fewer than `min_people` people: too few to say anything.
/// Places removed by hand (deaths, withdrawals) are not a turnout choice
/// and do not count as no-shows.
pub fn measured_turnout(
    days: &[DayUse],
    direction: Direction,
    min_people: u32,
) -> Option<MeasuredTurnout> {
    let finished: Vec<&DayUse> = days
        .iter()
        .filter(|day| day.direction == direction && day.finished())
        .collect();
    let totals = UseTotals::of(finished.iter().copied());
    let people = totals.planned + totals.refilled;
    if people == 0 || people < min_people {
        return None;
    }
    let freed = totals.freed;
    let did_not_come = freed.declined + freed.unreachable + freed.no_show + freed.turned_back;
    let standby_fill = if freed.total() == 0 {
        0.0
    } else {
        (f64::from(totals.refilled) / f64::from(freed.total())).min(1.0)
    };
    Some(MeasuredTurnout {
        no_show: f64::from(did_not_come) / f64::from(people),
        standby_fill,
        used: totals.rate().unwrap_or(0.0),
        days: totals.days,
        people,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn day(on: Date, direction: Direction, available: u32, crossed: u32) -> DayUse {
        DayUse {
            crossing: CrossingId::parse("rafah").unwrap(),
            date: on,
            direction,
            available,
            planned: available,
            refilled: 0,
            reached: 0,
            crossed,
            expected: 0,
            freed: PlacesFreed::default(),
        }
    }

    #[test]
    fn a_day_says_where_its_places_went() {
        let mut use_ = day(date(2026, 2, 2), Direction::Outbound, 150, 98);
        use_.planned = 140;
        use_.refilled = 6;
        use_.freed = PlacesFreed {
            declined: 20,
            unreachable: 10,
            no_show: 8,
            turned_back: 10,
            removed: 0,
        };
        assert_eq!(use_.freed.total(), 48);
        assert_eq!(use_.not_refilled(), 42);
        assert_eq!(use_.never_planned(), 10);
        assert_eq!(use_.left_empty(), 52);
        assert!((use_.rate().unwrap() - 98.0 / 150.0).abs() < 1e-12);
        let zero = day(date(2026, 2, 2), Direction::Outbound, 0, 0);
        assert_eq!(zero.rate(), None);
    }

    #[test]
    fn people_still_expected_are_not_empty_places() {
        let mut use_ = day(date(2026, 2, 2), Direction::Outbound, 50, 10);
        use_.expected = 30;
        assert_eq!(use_.left_empty(), 10);
        assert!(!use_.finished());
    }

    #[test]
    fn weeks_end_on_the_last_day_and_keep_empty_weeks() {
        let days = [
            day(date(2026, 2, 3), Direction::Outbound, 50, 36),
            day(date(2026, 2, 4), Direction::Outbound, 50, 40),
            day(date(2026, 2, 4), Direction::Inbound, 50, 50),
            day(date(2026, 2, 17), Direction::Outbound, 50, 20),
        ];
        let weeks = weekly_use(
            &days,
            Direction::Outbound,
            date(2026, 2, 1),
            date(2026, 2, 21),
        );
        let spans: Vec<(Date, Date)> = weeks.iter().map(|w| (w.from, w.to)).collect();
        assert_eq!(
            spans,
            [
                (date(2026, 2, 1), date(2026, 2, 7)),
                (date(2026, 2, 8), date(2026, 2, 14)),
                (date(2026, 2, 15), date(2026, 2, 21)),
            ]
        );
        assert_eq!(weeks[0].totals.crossed, 76);
        assert_eq!(weeks[0].totals.days, 2);
        assert_eq!(weeks[1].totals.days, 0);
        assert_eq!(weeks[2].totals.available, 50);
    }

    #[test]
    fn turnout_counts_only_finished_days_of_the_direction() {
        let mut finished = day(date(2026, 2, 2), Direction::Outbound, 100, 80);
        finished.refilled = 5;
        finished.planned = 95;
        finished.freed = PlacesFreed {
            declined: 10,
            unreachable: 5,
            no_show: 3,
            turned_back: 2,
            removed: 5,
        };
        let mut open = day(date(2026, 2, 3), Direction::Outbound, 100, 0);
        open.expected = 100;
        let inbound = day(date(2026, 2, 2), Direction::Inbound, 100, 10);
        let turnout =
            measured_turnout(&[finished, open, inbound], Direction::Outbound, 50).unwrap();
        assert_eq!(turnout.days, 1);
        assert_eq!(turnout.people, 100);
        assert!((turnout.no_show - 0.20).abs() < 1e-12);
        assert!((turnout.standby_fill - 5.0 / 25.0).abs() < 1e-12);
        assert!((turnout.used - 0.80).abs() < 1e-12);
    }

    #[test]
    fn too_few_people_measure_nothing() {
        let small = day(date(2026, 2, 2), Direction::Outbound, 20, 20);
        assert_eq!(
            measured_turnout(std::slice::from_ref(&small), Direction::Outbound, 50),
            None
        );
        assert!(measured_turnout(&[small], Direction::Outbound, 20).is_some());
        assert_eq!(measured_turnout(&[], Direction::Outbound, 0), None);
    }
}
