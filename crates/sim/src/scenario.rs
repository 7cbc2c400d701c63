//! The validated scenario: what the engine simulates.
//!
//! Every value here has already been checked, either by the TOML parser in
//! [`crate::parse`] or by the constructors of the newtypes below, so the
//! engine never has to ask whether a probability lies between 0 and 1.

use std::fmt;

use jiff::civil::{Date, Weekday};

use crate::error::ValueError;

/// A complete forecast scenario: one waiting list, one capacity schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// A human name, shown in reports ("public arithmetic, 50 a day").
    pub name: String,
    /// The calendar date of simulated day 0.
    pub start: Date,
    /// How many days are simulated (day 0 to day `horizon_days - 1`).
    pub horizon_days: HorizonDays,
    /// Tiers ordered from highest priority (index 0) to lowest.
    pub tiers: Vec<Tier>,
    /// Crossing capacity from given dates on; before the first segment the
    /// crossing is closed. Segments may be given in any order.
    pub capacity: Vec<CapacitySegment>,
    /// Date ranges when the crossing is closed whatever the schedule says.
    pub closures: Vec<Closure>,
    /// Multipliers of every tier's referral rate from given dates on.
    pub referral_schedule: Vec<ReferralFactor>,
    /// Third-party security clearance of each patient and party.
    pub clearance: Clearance,
    /// Whether a party given places takes them.
    pub turnout: Turnout,
}

/// What happens between a party being given places and crossing. Each
/// time a party is given places it fails to come (declines, cannot be
/// reached, does not show, is turned back) with probability `no_show`; it
/// stays on the list in its place and can be given places again on a
/// later day. Each freed place is taken by someone from standby the same
/// day with probability `standby_fill`, and lost otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Turnout {
    pub no_show: Probability,
    pub standby_fill: Probability,
}

impl Turnout {
    /// Everyone given places comes.
    pub const EVERYONE: Turnout = Turnout {
        no_show: Probability::ZERO,
        standby_fill: Probability::ZERO,
    };
}

impl Default for Turnout {
    fn default() -> Self {
        Turnout::EVERYONE
    }
}

/// One medical urgency tier.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub name: TierName,
    /// People of this tier on the list on day 0.
    pub backlog: u32,
    /// How many of the backlog are children (at most `backlog`).
    pub backlog_children: u32,
    /// The backlog's referral dates are spread evenly over this many days
    /// before the start (0: all referred on day 0). Only the order matters:
    /// waiting times are counted from the start date for the backlog.
    pub backlog_referred_over_days: u32,
    /// Mean new referrals per day (Poisson), before the referral schedule.
    pub referrals_per_day: Rate,
    /// Probability that a new referral is a child.
    pub child_fraction: Probability,
    /// Daily death hazard `h` while waiting: the chance of dying within one
    /// day is `1 - exp(-h)`, within `T` days `1 - exp(-h T)`.
    pub daily_death_hazard: Rate,
    /// Weight used by the weighted policy (weight × days waited).
    pub weight: Rate,
    /// Number of companions of an adult patient.
    pub companions: CompanionDistribution,
    /// Number of companions of a child patient (defaults to `companions`).
    pub child_companions: CompanionDistribution,
}

/// From `from` on, `places` a day on `weekdays` (until the next segment).
#[derive(Debug, Clone, PartialEq)]
pub struct CapacitySegment {
    pub from: Date,
    pub places: Places,
    pub weekdays: OperatingWeekdays,
}

/// How many places (patients plus companions) a segment offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Places {
    /// This many places on every operating day.
    PerDay(u32),
    /// This many places a week, spread evenly over the operating days; the
    /// fractions are carried from day to day, so 25 a week over 5 days gives
    /// exactly 5 a day and 17 a week gives 3, 4, 3, 4, 3, … (exactly 17 a
    /// week in the long run). Closed days lose their share.
    PerWeek(u32),
}

/// A closure, both dates included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closure {
    pub from: Date,
    pub to: Date,
}

/// From `from` on, every tier's referral rate is multiplied by `factor`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferralFactor {
    pub from: Date,
    pub factor: Rate,
}

/// Clearance of a patient's party by the outside authority.
///
/// Each person is submitted on the later of their referral day and day 0.
/// A decision arrives `delay` days after a submission; it is a denial with
/// probability `denial`. After a denial the party is resubmitted with
/// probability `resubmit`, `resubmit_after` days after the denial (and the
/// next decision again takes `delay` days); otherwise what happens is
/// `after_final_denial`. A cleared person can leave on the evening of the
/// decision day.
#[derive(Debug, Clone, PartialEq)]
pub struct Clearance {
    pub denial: Probability,
    pub delay: DayDistribution,
    pub resubmit: Probability,
    pub resubmit_after: DayDistribution,
    pub after_final_denial: AfterFinalDenial,
}

/// What happens to a person whose last submission is denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AfterFinalDenial {
    /// Taken off the list on the day of the denial (counted apart from
    /// deaths and evacuations). The default: a forecast of how long the list
    /// takes to clear should not read "never" because of a few denials.
    #[default]
    LeavesList,
    /// Stays on the list, never cleared, exposed to death, to the horizon.
    StaysUncleared,
}

impl Default for Clearance {
    /// Instant clearance with no denials.
    fn default() -> Self {
        Clearance {
            denial: Probability::ZERO,
            delay: DayDistribution::Fixed(0),
            resubmit: Probability::ZERO,
            resubmit_after: DayDistribution::Fixed(0),
            after_final_denial: AfterFinalDenial::LeavesList,
        }
    }
}

/// A whole number of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayDistribution {
    Fixed(u32),
    /// Uniform over `min..=max`.
    Uniform {
        min: u32,
        max: u32,
    },
}

impl DayDistribution {
    pub fn uniform(min: u32, max: u32) -> Result<Self, ValueError> {
        if min > max {
            return Err(ValueError(format!(
                "min ({min}) is greater than max ({max}); give min <= max"
            )));
        }
        Ok(DayDistribution::Uniform { min, max })
    }

    pub fn mean(&self) -> f64 {
        match *self {
            DayDistribution::Fixed(days) => f64::from(days),
            DayDistribution::Uniform { min, max } => (f64::from(min) + f64::from(max)) / 2.0,
        }
    }
}

/// A non-empty tier name without surrounding spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TierName(String);

impl TierName {
    pub fn parse(name: &str) -> Result<Self, ValueError> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return Err(ValueError(
                "is empty; give the tier a name such as \"critical\"".into(),
            ));
        }
        if trimmed != name {
            return Err(ValueError(format!(
                "{name:?} has surrounding spaces; remove them"
            )));
        }
        Ok(TierName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TierName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A probability in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Probability(f64);

impl Probability {
    pub const ZERO: Probability = Probability(0.0);
    pub const ONE: Probability = Probability(1.0);

    pub fn new(value: f64) -> Result<Self, ValueError> {
        if (0.0..=1.0).contains(&value) {
            Ok(Probability(value))
        } else {
            Err(ValueError(format!(
                "is {value}; give a probability between 0 and 1"
            )))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

/// A finite, non-negative rate (per day) or weight.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Rate(f64);

impl Rate {
    pub const ZERO: Rate = Rate(0.0);
    pub const ONE: Rate = Rate(1.0);

    pub fn new(value: f64) -> Result<Self, ValueError> {
        if value.is_finite() && value >= 0.0 {
            Ok(Rate(value))
        } else {
            Err(ValueError(format!("is {value}; give a finite number >= 0")))
        }
    }

    /// The daily hazard `h` for which the chance of dying within 365 days of
    /// waiting is `annual_mortality`.
    pub fn hazard_from_annual_mortality(annual_mortality: Probability) -> Result<Self, ValueError> {
        if annual_mortality.get() >= 1.0 {
            return Err(ValueError(
                "is 1: certain death within a year has no finite hazard; give a value below 1"
                    .into(),
            ));
        }
        Rate::new(-(1.0 - annual_mortality.get()).ln() / 365.0)
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

/// The number of simulated days, at least 1 and at most 36,500 (100 years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HorizonDays(u32);

impl HorizonDays {
    pub const MAX: u32 = 36_500;

    pub fn new(days: u32) -> Result<Self, ValueError> {
        if (1..=Self::MAX).contains(&days) {
            Ok(HorizonDays(days))
        } else {
            Err(ValueError(format!(
                "is {days}; give a number of days from 1 to {}",
                Self::MAX
            )))
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// Probabilities of 0, 1, 2, … companions, summing to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanionDistribution {
    /// Cumulative probabilities; the last is exactly 1.
    cumulative: Vec<f64>,
}

impl CompanionDistribution {
    /// At most this many companions per patient.
    pub const MAX_COMPANIONS: usize = 8;

    pub fn new(probabilities: &[f64]) -> Result<Self, ValueError> {
        if probabilities.is_empty() {
            return Err(ValueError(
                "is empty; give the probabilities of 0, 1, 2, … companions, e.g. [0.2, 0.7, 0.1]"
                    .into(),
            ));
        }
        if probabilities.len() > Self::MAX_COMPANIONS + 1 {
            return Err(ValueError(format!(
                "has {} entries; at most {} companions are supported",
                probabilities.len(),
                Self::MAX_COMPANIONS
            )));
        }
        if let Some(bad) = probabilities.iter().find(|p| !(0.0..=1.0).contains(*p)) {
            return Err(ValueError(format!(
                "contains {bad}; each entry must be between 0 and 1"
            )));
        }
        let total: f64 = probabilities.iter().sum();
        if (total - 1.0).abs() > 1e-9 {
            return Err(ValueError(format!(
                "sums to {total}; the probabilities of 0, 1, 2, … companions must sum to 1"
            )));
        }
        let mut running = 0.0;
        let mut cumulative: Vec<f64> = probabilities
            .iter()
            .map(|p| {
                running += p;
                running
            })
            .collect();
        // The sum was checked to be 1 up to rounding; making the last entry
        // exactly 1 guarantees that sampling always finds an entry.
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0;
        }
        Ok(CompanionDistribution { cumulative })
    }

    /// Exactly `companions` companions for every patient.
    pub fn exactly(companions: usize) -> Result<Self, ValueError> {
        let mut probabilities = vec![0.0; companions + 1];
        probabilities[companions] = 1.0;
        Self::new(&probabilities)
    }

    /// The probability of each number of companions.
    pub fn probabilities(&self) -> Vec<f64> {
        let mut previous = 0.0;
        self.cumulative
            .iter()
            .map(|c| {
                let p = c - previous;
                previous = *c;
                p
            })
            .collect()
    }

    pub fn mean(&self) -> f64 {
        self.probabilities()
            .iter()
            .enumerate()
            .map(|(k, p)| k as f64 * p)
            .sum()
    }

    /// The number of companions for a uniform draw `u` in `[0, 1)`.
    pub(crate) fn companions_for(&self, u: f64) -> u8 {
        let index = self
            .cumulative
            .iter()
            .position(|c| u < *c)
            .unwrap_or(self.cumulative.len() - 1);
        // At most MAX_COMPANIONS (8) entries, so the index fits in a u8.
        index as u8
    }

    /// Whether one value has probability 1 (no randomness needed).
    pub(crate) fn certain(&self) -> Option<u8> {
        let probabilities = self.probabilities();
        probabilities
            .iter()
            .position(|p| *p == 1.0)
            .map(|k| k as u8)
    }
}

/// The weekdays on which the crossing operates (at least one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperatingWeekdays {
    /// Bit `i` set: open on the weekday with Monday-zero offset `i`.
    mask: u8,
}

impl OperatingWeekdays {
    pub const EVERY_DAY: OperatingWeekdays = OperatingWeekdays { mask: 0b111_1111 };
    pub const MONDAY_TO_FRIDAY: OperatingWeekdays = OperatingWeekdays { mask: 0b001_1111 };

    pub fn new(weekdays: &[Weekday]) -> Result<Self, ValueError> {
        let mask = weekdays
            .iter()
            .fold(0u8, |mask, day| mask | (1 << day.to_monday_zero_offset()));
        if mask == 0 {
            return Err(ValueError(
                "is empty; give at least one weekday, e.g. [\"Mon\", \"Tue\"]".into(),
            ));
        }
        Ok(OperatingWeekdays { mask })
    }

    pub fn contains(self, weekday: Weekday) -> bool {
        self.mask & (1 << weekday.to_monday_zero_offset()) != 0
    }

    pub fn count(self) -> u32 {
        self.mask.count_ones()
    }
}
