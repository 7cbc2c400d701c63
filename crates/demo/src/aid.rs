//! The aid pipeline's history: consignments dispatched from Egypt over the
//! last [`HISTORY_DAYS`] days and moved through their stages, each with the
//! dwell times and outcomes described below, up to `now`.
//!
//! Calibration (AFP, 1 February 2026, in [`crate::figures`]): a target of
//! 600 trucks a day that is far from met (here about 100 to 250 trucks are
//! dispatched a day, so fewer still clear inspection on most days); three
//! quarters of the volume inspected at Kerem Shalom, the rest at Rafah; and
//! "dozens" of trucks sent back without unloading over the period. The
//! stage durations, the shares of rejections, returns and interceptions,
//! the repacking and the loads are demo assumptions, not public figures.
//!
//! Every history is built by [`ConsignmentCase::register`] and
//! [`ConsignmentCase::apply`] alone, so it is one the domain accepts.

use corridor_domain::{
    CargoCategory, Consignment, ConsignmentCase, ConsignmentId, Load, Recount, StageChange, Tonnes,
};
use jiff::{SignedDuration, Timestamp};
use rand::{Rng, RngExt};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::calendar::Calendar;
use crate::places::{KEREM_SHALOM, RAFAH, crossing_id, text};

/// How far back the aid history reaches.
pub(crate) const HISTORY_DAYS: i32 = 120;
/// Trucks dispatched a day: uniform between these bounds.
const TRUCKS_PER_DAY: (u32, u32) = (100, 250);
/// Share of consignments inspected at Kerem Shalom (AFP: three quarters of aid).
const KEREM_SHALOM_SHARE: f64 = 0.75;

const LOGISTICS: &str = "logistics@aid.demo";

/// Category, relative share, tonnes per truck, pallets per truck.
const CATEGORIES: &[(CargoCategory, u32, u32, u32)] = &[
    (CargoCategory::Food, 62, 18, 24),
    (CargoCategory::Medical, 8, 8, 20),
    (CargoCategory::Shelter, 10, 10, 18),
    (CargoCategory::Wash, 8, 12, 20),
    // A fuel tanker carries about 36,000 litres, some 30 tonnes, no pallets.
    (CargoCategory::Fuel, 8, 30, 0),
    (CargoCategory::Other, 4, 12, 20),
];

const AGENCIES: &[&str] = &[
    "WFP",
    "UNICEF",
    "UNRWA",
    "WHO",
    "Egyptian Red Crescent",
    "IOM",
    "UNHCR",
    "Private sector (demo)",
];

const ORIGINS: &[&str] = &["Al-Arish", "Cairo", "Port Said", "Ismailia"];

const REJECTION_REASONS: &[(&str, &str)] = &[
    ("dual-use items", "generators, water pumps"),
    ("dual-use items", "solar panels"),
    ("dual-use items", "metal tent poles"),
    ("packaging not as declared", "mixed pallets"),
    ("items not on the approved list", "medical scanners"),
];

const RETURN_REASONS: &[&str] = &[
    "crossing closed",
    "paperwork incomplete",
    "vehicle failed inspection",
    "exceeded waiting time in staging",
];

/// Consignments over the last [`HISTORY_DAYS`] days up to `now`, ids
/// `WB-000001`… in dispatch order.
pub(crate) fn consignments(
    calendar: &Calendar,
    now: Timestamp,
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<ConsignmentCase> {
    let mut cases = Vec::new();
    for day in -HISTORY_DAYS..=0 {
        let mut trucks_today = rng.random_range(TRUCKS_PER_DAY.0..=TRUCKS_PER_DAY.1);
        let mut minute_of_day = 5 * 60;
        while trucks_today > 0 {
            let trucks = rng.random_range(2..=12).min(trucks_today);
            trucks_today -= trucks;
            minute_of_day += rng.random_range(1..=4);
            let dispatched = calendar.timestamp(i64::from(day) * 1440 + minute_of_day);
            if dispatched > now {
                break;
            }
            let id = format!("WB-{:06}", cases.len() + 1);
            cases.push(consignment(&id, trucks, dispatched, now, rng));
        }
    }
    cases
}

fn consignment(
    id: &str,
    trucks: u32,
    dispatched: Timestamp,
    now: Timestamp,
    rng: &mut Xoshiro256PlusPlus,
) -> ConsignmentCase {
    let (category, tonnes_per_truck, pallets_per_truck) = pick_category(rng);
    // Trucks leave Egypt part-loaded as often as full.
    let kilograms = u64::from(trucks) * u64::from(tonnes_per_truck) * rng.random_range(550..=1000);
    let load = Load::new(
        trucks,
        trucks * pallets_per_truck,
        Tonnes::from_kilograms(kilograms),
    )
    .expect("demo loads are within bounds");
    let crossing = if rng.random_bool(KEREM_SHALOM_SHARE) {
        KEREM_SHALOM
    } else {
        RAFAH
    };
    let consignment = Consignment {
        id: ConsignmentId::parse(id).expect("demo consignment ids are valid"),
        agency: text("agency", AGENCIES[rng.random_range(0..AGENCIES.len())]),
        category,
        origin: text("origin", ORIGINS[rng.random_range(0..ORIGINS.len())]),
        crossing: crossing_id(crossing),
        load,
    };
    let mut case = ConsignmentCase::register(consignment, dispatched, LOGISTICS);
    let mut journey = Journey {
        case: &mut case,
        at: dispatched,
        now,
    };
    journey.run(rng);
    case
}

fn pick_category(rng: &mut impl Rng) -> (CargoCategory, u32, u32) {
    let total: u32 = CATEGORIES.iter().map(|&(_, share, ..)| share).sum();
    let mut draw = rng.random_range(0..total);
    for &(category, share, tonnes, pallets) in CATEGORIES {
        if draw < share {
            return (category, tonnes, pallets);
        }
        draw -= share;
    }
    let (category, _, tonnes, pallets) = CATEGORIES[0];
    (category, tonnes, pallets)
}

/// One consignment moving on until its journey ends or the next change
/// would come after `now`.
struct Journey<'c> {
    case: &'c mut ConsignmentCase,
    at: Timestamp,
    now: Timestamp,
}

impl Journey<'_> {
    /// Moves to `change` after `minutes`; false (and nothing recorded) if
    /// that is after `now`.
    fn step(&mut self, minutes: i64, change: StageChange, recount: Recount) -> bool {
        let at = self.at + SignedDuration::from_mins(minutes.max(1));
        if at > self.now {
            return false;
        }
        self.at = at;
        self.case
            .apply(change, recount, at, LOGISTICS, None)
            .expect("the demo journey follows the stage table");
        true
    }

    fn simple(&mut self, minutes: i64, change: StageChange) -> bool {
        self.step(minutes, change, Recount::default())
    }

    fn returned(&mut self, minutes: i64, reason: &str) {
        self.simple(
            minutes,
            StageChange::Returned {
                reason: text("reason", reason),
            },
        );
    }

    fn run(&mut self, rng: &mut Xoshiro256PlusPlus) {
        let hour = 60;
        let day = 24 * hour;
        // On the road from the origin to the staging area.
        if !self.simple(rng.random_range(6 * hour..=30 * hour), StageChange::Staging) {
            return;
        }
        // The queue before the crossing: most wait days, some a week or more.
        let staging = (exponential(rng, 2.5) * day as f64) as i64 + 2 * hour;
        if rng.random_bool(0.002) {
            return self.returned(staging, pick(rng, RETURN_REASONS));
        }
        if !self.simple(staging, StageChange::Checkpoint) {
            return;
        }
        if rng.random_bool(0.002) {
            return self.returned(rng.random_range(hour..=6 * hour), pick(rng, RETURN_REASONS));
        }
        if !self.simple(rng.random_range(hour..=6 * hour), StageChange::Inspection) {
            return;
        }
        let inspection = rng.random_range(2 * hour..=30 * hour);
        if rng.random_bool(0.01) {
            let (reason, items) = REJECTION_REASONS[rng.random_range(0..REJECTION_REASONS.len())];
            let rejected = StageChange::Rejected {
                reason: text("reason", reason),
                items: Some(text("items", items)),
            };
            if self.simple(inspection, rejected) {
                self.returned(
                    rng.random_range(4 * hour..=2 * day),
                    "rejected at inspection",
                );
            }
            return;
        }
        if rng.random_bool(0.002) {
            return self.returned(inspection, pick(rng, RETURN_REASONS));
        }
        if !self.simple(inspection, StageChange::Cleared) {
            return;
        }
        if !self.simple(rng.random_range(hour..=10 * hour), StageChange::Unloaded) {
            return;
        }
        // Repacked onto fewer, full authorised vehicles (fuel is pumped
        // across tanker to tanker, one for one).
        let load = self.case.line.load;
        let trucks = if self.case.consignment.category == CargoCategory::Fuel {
            load.trucks
        } else {
            let fill: f64 = rng.random_range(0.5..=0.85);
            ((f64::from(load.trucks) * fill).ceil() as u32).max(1)
        };
        let reloaded = Recount {
            trucks: Some(trucks),
            ..Recount::default()
        };
        if !self.step(
            rng.random_range(2 * hour..=20 * hour),
            StageChange::Reloaded,
            reloaded,
        ) {
            return;
        }
        if !self.simple(rng.random_range(hour..=5 * hour), StageChange::Crossed) {
            return;
        }
        // Collection inside waits on security and on the agencies' trucks.
        let collection = (exponential(rng, 0.6) * day as f64) as i64 + hour;
        // A little is lost or spoiled between offloading and collection.
        let collected_kilograms =
            load.tonnes.kilograms() * u64::from(rng.random_range(960..=1000u32)) / 1000;
        let collected = Recount {
            tonnes: Some(Tonnes::from_kilograms(collected_kilograms)),
            ..Recount::default()
        };
        if !self.step(collection, StageChange::Collected, collected) {
            return;
        }
        let transit = rng.random_range(2 * hour..=14 * hour);
        if rng.random_bool(0.04) {
            self.simple(
                transit,
                StageChange::Intercepted {
                    reason: Some(text("reason", "looted in transit")),
                },
            );
        } else {
            self.simple(transit, StageChange::Delivered);
        }
    }
}

fn pick<'a>(rng: &mut impl Rng, values: &[&'a str]) -> &'a str {
    values[rng.random_range(0..values.len())]
}

/// An exponential draw with the given mean.
fn exponential(rng: &mut impl Rng, mean: f64) -> f64 {
    let uniform: f64 = rng.random_range(f64::EPSILON..1.0);
    -uniform.ln() * mean
}
