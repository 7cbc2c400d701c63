//! The figures the aid reports compute from consignment histories: trucks
//! a day against the target under each definition of a truck, tonnes
//! along the way, dwell time per stage, reasons and what is stuck.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use super::{CargoCategory, ConsignmentId, Stage, Tonnes};
use crate::{CrossingId, Text, labelled_enum};

/// The public target: trucks a day, of them fuel trucks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TruckTarget {
    pub per_day: u32,
    pub fuel_per_day: u32,
}

impl Default for TruckTarget {
    /// 600 trucks a day, 50 of them fuel.
    fn default() -> TruckTarget {
        TruckTarget {
            per_day: 600,
            fuel_per_day: 50,
        }
    }
}

labelled_enum! {
    /// What "a truck" means in a count. Public reporting disagrees: one
    /// side counts the trucks that pass inspection, often half-filled; the
    /// other the full trucks that carry the cargo on after repacking.
    TruckDefinition, field = "definition" {
        /// Trucks cleared at inspection, as presented (often half-filled).
        Inspected = "inspected",
        /// Trucks collected inside, after repacking onto authorised vehicles (full).
        Collected = "collected",
    }
}

impl TruckDefinition {
    /// The stage whose arrivals the definition counts.
    pub fn stage(self) -> Stage {
        match self {
            TruckDefinition::Inspected => Stage::Cleared,
            TruckDefinition::Collected => Stage::Collected,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            TruckDefinition::Inspected => {
                "trucks cleared at inspection, counted as presented (often half-filled)"
            }
            TruckDefinition::Collected => {
                "trucks collected inside, counted after repacking onto authorised vehicles (full)"
            }
        }
    }
}

/// Arrivals into one stage on one day (UTC) for one cargo category: the
/// consignments that entered it and their load as recorded on entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageDayCount {
    pub date: Date,
    pub stage: Stage,
    pub category: CargoCategory,
    pub consignments: u64,
    pub trucks: u64,
    pub pallets: u64,
    pub kilograms: u64,
}

/// Consignments in one stage now, by category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageCount {
    pub stage: Stage,
    pub category: CargoCategory,
    pub consignments: u64,
    pub trucks: u64,
    pub kilograms: u64,
}

/// Trucks of one day under one definition, by category, against the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyTrucks {
    pub date: Date,
    pub definition: TruckDefinition,
    /// In the order of [`CargoCategory::ALL`].
    pub by_category: Vec<u64>,
    pub total: u64,
    pub fuel: u64,
    pub met_target: bool,
    pub met_fuel_target: bool,
}

/// Every day from `from` to `to` (inclusive), in order, including days
/// with no trucks, under `definition`.
pub fn daily_trucks(
    counts: &[StageDayCount],
    definition: TruckDefinition,
    from: Date,
    to: Date,
    target: TruckTarget,
) -> Vec<DailyTrucks> {
    let stage = definition.stage();
    let mut days = Vec::new();
    let mut day = from;
    while day <= to {
        let mut by_category = vec![0u64; CargoCategory::ALL.len()];
        for count in counts
            .iter()
            .filter(|count| count.date == day && count.stage == stage)
        {
            by_category[count.category as usize] += count.trucks;
        }
        let total = by_category.iter().sum();
        let fuel = by_category[CargoCategory::Fuel as usize];
        days.push(DailyTrucks {
            date: day,
            definition,
            by_category,
            total,
            fuel,
            met_target: total >= u64::from(target.per_day),
            met_fuel_target: fuel >= u64::from(target.fuel_per_day),
        });
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    days
}

/// Tonnes along the pipeline over a period: what was dispatched, offloaded
/// at the crossing, collected inside, delivered, taken in transit and sent
/// back, as recorded on entering each stage; and the trucks under each
/// definition, so that the two counts can be set side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TonnesReconciliation {
    pub dispatched: Tonnes,
    pub offloaded: Tonnes,
    pub collected: Tonnes,
    pub delivered: Tonnes,
    pub intercepted: Tonnes,
    pub returned: Tonnes,
    /// Trucks cleared at inspection (as presented).
    pub trucks_inspected: u64,
    /// Trucks after repacking, as reloaded.
    pub trucks_reloaded: u64,
    /// Trucks collected inside.
    pub trucks_collected: u64,
}

impl TonnesReconciliation {
    pub fn from_counts(counts: &[StageDayCount]) -> TonnesReconciliation {
        let mut kilograms = [0u64; Stage::ALL.len()];
        let mut trucks = [0u64; Stage::ALL.len()];
        for count in counts {
            kilograms[count.stage as usize] += count.kilograms;
            trucks[count.stage as usize] += count.trucks;
        }
        let tonnes = |stage: Stage| Tonnes(kilograms[stage as usize]);
        TonnesReconciliation {
            dispatched: tonnes(Stage::Dispatched),
            offloaded: tonnes(Stage::Unloaded),
            collected: tonnes(Stage::Collected),
            delivered: tonnes(Stage::Delivered),
            intercepted: tonnes(Stage::Intercepted),
            returned: tonnes(Stage::Returned),
            trucks_inspected: trucks[Stage::Cleared as usize],
            trucks_reloaded: trucks[Stage::Reloaded as usize],
            trucks_collected: trucks[Stage::Collected as usize],
        }
    }
}

/// How long consignments stayed in one stage before leaving it: the median
/// and the 90th percentile (linear interpolation between order statistics,
/// "type 7"), in minutes. Dwell times are counted in whole minutes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DwellStats {
    pub stage: Stage,
    /// How many stays the figures are over.
    pub count: u64,
    pub median_minutes: f64,
    pub p90_minutes: f64,
    pub max_minutes: u64,
}

impl DwellStats {
    /// From a histogram of (minutes, how many stays lasted that long), in
    /// any order; `None` when there are no stays.
    pub fn from_histogram(stage: Stage, histogram: &[(u64, u64)]) -> Option<DwellStats> {
        let mut sorted: Vec<(u64, u64)> =
            histogram.iter().copied().filter(|&(_, n)| n > 0).collect();
        sorted.sort_unstable();
        let count: u64 = sorted.iter().map(|&(_, n)| n).sum();
        if count == 0 {
            return None;
        }
        let quantile = |p: f64| {
            let position = p * (count - 1) as f64;
            let below = position.floor() as u64;
            let fraction = position - below as f64;
            let low = order_statistic(&sorted, below) as f64;
            let high = order_statistic(&sorted, (below + 1).min(count - 1)) as f64;
            low + (high - low) * fraction
        };
        Some(DwellStats {
            stage,
            count,
            median_minutes: quantile(0.5),
            p90_minutes: quantile(0.9),
            max_minutes: sorted.last().map_or(0, |&(minutes, _)| minutes),
        })
    }

    /// From individual stays.
    pub fn from_durations(stage: Stage, durations: &[SignedDuration]) -> Option<DwellStats> {
        let histogram: Vec<(u64, u64)> = durations
            .iter()
            .map(|duration| (dwell_minutes(*duration), 1))
            .collect();
        DwellStats::from_histogram(stage, &histogram)
    }
}

/// The `k`-th smallest value (from 0) of a sorted histogram.
fn order_statistic(sorted: &[(u64, u64)], k: u64) -> u64 {
    let mut seen = 0;
    for &(value, n) in sorted {
        seen += n;
        if k < seen {
            return value;
        }
    }
    sorted.last().map_or(0, |&(value, _)| value)
}

/// A stay in whole minutes, rounded down; never negative.
pub fn dwell_minutes(duration: SignedDuration) -> u64 {
    u64::try_from(duration.as_secs().max(0) / 60).unwrap_or(0)
}

/// How often one reason was given for a rejection or a return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonCount {
    /// [`Stage::Rejected`] or [`Stage::Returned`].
    pub stage: Stage,
    pub reason: String,
    pub consignments: u64,
    pub trucks: u64,
}

/// A consignment still in the pipeline, and since when it is in its stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StuckConsignment {
    pub id: ConsignmentId,
    pub agency: Text,
    pub category: CargoCategory,
    pub crossing: CrossingId,
    pub stage: Stage,
    pub since: Timestamp,
    pub trucks: u32,
}

/// Everything `aid report` and `aid status` show, for a period of days.
#[derive(Debug, Clone, PartialEq)]
pub struct AidReport {
    pub from: Date,
    pub to: Date,
    /// The moment "now" refers to: consignments in each stage and the
    /// oldest stuck ones are as of then.
    pub as_of: Timestamp,
    pub target: TruckTarget,
    /// Per definition (in the order of [`TruckDefinition::ALL`]), every day of the period.
    pub daily: Vec<Vec<DailyTrucks>>,
    /// Arrivals into each stage per day and category, as counted.
    pub arrivals: Vec<StageDayCount>,
    pub in_stage: Vec<StageCount>,
    /// Stays that ended in the period, per stage in pipeline order.
    pub dwell: Vec<DwellStats>,
    /// Most frequent first.
    pub rejections: Vec<ReasonCount>,
    pub returns: Vec<ReasonCount>,
    pub tonnes: TonnesReconciliation,
    /// Oldest first.
    pub oldest: Vec<StuckConsignment>,
}

/// Ranks reasons: most consignments first, then most trucks, then by reason.
pub fn rank_reasons(reasons: &mut [ReasonCount]) {
    reasons.sort_by(|a, b| {
        b.consignments
            .cmp(&a.consignments)
            .then(b.trucks.cmp(&a.trucks))
            .then_with(|| a.reason.cmp(&b.reason))
    });
}
