//! HXL exports of aggregate counts: the waiting list by tier, specialty and
//! age group, evacuations by day and destination, and deaths while waiting
//! by day and tier — every count about people goes through
//! [`suppress`](crate::disclosure::suppress), no row identifies anyone —
//! and aid by day, stage and category (trucks, not people: not suppressed).
//! The tags are documented in `docs/HXL.md`.

use std::io;

use corridor_domain::utilisation::DayUse;
use corridor_domain::{AgeGroup, Specialty, StageDayCount, Tier, Tonnes};
use jiff::civil::Date;

use crate::disclosure::{suppress, suppress_parts};
use crate::hxl::{self, Column};

/// Patients waiting with one tier, specialty and age group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitingCell {
    pub tier: Tier,
    pub specialty: Specialty,
    pub age_group: AgeGroup,
    pub count: u64,
}

/// Where a crossing's evacuees of one day went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvacuationRow {
    pub date: Date,
    pub crossing: String,
    pub crossing_name: String,
    /// The receiving country (code and name) of the facility that admitted
    /// the patient; `None` while the patient is not admitted yet.
    pub destination: Option<(String, String)>,
    pub patients: u64,
    pub companions: u64,
    /// The crossing's outbound evacuee quota on that day, if one was set.
    pub quota: Option<u32>,
}

/// Deaths while waiting on one day in one tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeathsRow {
    pub date: Date,
    pub tier: Tier,
    pub deaths: u64,
}

pub const WAITING_COLUMNS: &[Column] = &[
    Column {
        header: "Date",
        tag: "#date+reported",
    },
    Column {
        header: "Tier",
        tag: "#severity",
    },
    Column {
        header: "Specialty",
        tag: "#sector+specialty",
    },
    Column {
        header: "Waiting, age 0-4",
        tag: "#inneed+age0_4",
    },
    Column {
        header: "Waiting, age 5-17",
        tag: "#inneed+age5_17",
    },
    Column {
        header: "Waiting, age 18-59",
        tag: "#inneed+age18_59",
    },
    Column {
        header: "Waiting, age 60+",
        tag: "#inneed+age60plus",
    },
];

pub const EVACUATION_COLUMNS: &[Column] = &[
    Column {
        header: "Date",
        tag: "#date+reported",
    },
    Column {
        header: "Crossing",
        tag: "#loc+origin+code",
    },
    Column {
        header: "Crossing name",
        tag: "#loc+origin+name",
    },
    Column {
        header: "Destination country",
        tag: "#country+dest+code",
    },
    Column {
        header: "Destination country name",
        tag: "#country+dest+name",
    },
    Column {
        header: "Patients evacuated",
        tag: "#reached+patients",
    },
    Column {
        header: "Companions",
        tag: "#reached+companions",
    },
    Column {
        header: "Daily evacuee quota at the crossing",
        tag: "#capacity+quota",
    },
];

pub const DEATHS_COLUMNS: &[Column] = &[
    Column {
        header: "Date",
        tag: "#date+reported",
    },
    Column {
        header: "Tier",
        tag: "#severity",
    },
    Column {
        header: "Died while waiting",
        tag: "#affected+killed",
    },
];

/// The destination name written for patients who crossed but whose
/// admission is not recorded yet.
pub const NOT_YET_ADMITTED: &str = "not yet admitted";

/// One row per tier and specialty, one column per age group, as of `date`.
/// Rows with nobody waiting are left out.
pub fn write_waiting(writer: impl io::Write, date: Date, cells: &[WaitingCell]) -> io::Result<u64> {
    let mut rows = Vec::new();
    for tier in Tier::ALL {
        for specialty in Specialty::ALL {
            let counts: Vec<u64> = AgeGroup::ALL
                .iter()
                .map(|group| {
                    cells
                        .iter()
                        .filter(|c| {
                            c.tier == *tier && c.specialty == *specialty && c.age_group == *group
                        })
                        .map(|c| c.count)
                        .sum()
                })
                .collect();
            if counts.iter().all(|count| *count == 0) {
                continue;
            }
            let mut row = vec![date.to_string(), tier.to_string(), specialty.to_string()];
            row.extend(counts.into_iter().map(|count| suppress(count).to_string()));
            rows.push(row);
        }
    }
    hxl::write_table(writer, WAITING_COLUMNS, rows)
}

pub fn write_evacuations(writer: impl io::Write, rows: &[EvacuationRow]) -> io::Result<u64> {
    let rows = rows.iter().map(|row| {
        let (code, name) = match &row.destination {
            Some((code, name)) => (code.clone(), name.clone()),
            None => (String::new(), NOT_YET_ADMITTED.to_string()),
        };
        vec![
            row.date.to_string(),
            row.crossing.clone(),
            row.crossing_name.clone(),
            code,
            name,
            suppress(row.patients).to_string(),
            suppress(row.companions).to_string(),
            row.quota.map(|q| q.to_string()).unwrap_or_default(),
        ]
    });
    hxl::write_table(writer, EVACUATION_COLUMNS, rows)
}

pub fn write_deaths(writer: impl io::Write, rows: &[DeathsRow]) -> io::Result<u64> {
    let rows = rows.iter().map(|row| {
        vec![
            row.date.to_string(),
            row.tier.to_string(),
            suppress(row.deaths).to_string(),
        ]
    });
    hxl::write_table(writer, DEATHS_COLUMNS, rows)
}

pub const UTILISATION_COLUMNS: &[Column] = &[
    Column {
        header: "Date",
        tag: "#date+crossing",
    },
    Column {
        header: "Crossing",
        tag: "#loc+crossing+code",
    },
    Column {
        header: "Direction",
        tag: "#meta+direction",
    },
    Column {
        header: "Places available",
        tag: "#capacity+places",
    },
    Column {
        header: "Planned",
        tag: "#targeted+planned",
    },
    Column {
        header: "Reached on the call",
        tag: "#reached+called",
    },
    Column {
        header: "Crossed",
        tag: "#reached+crossed",
    },
    Column {
        header: "Still expected",
        tag: "#targeted+expected",
    },
    Column {
        header: "Freed: declined",
        tag: "#affected+freed+declined",
    },
    Column {
        header: "Freed: unreachable",
        tag: "#affected+freed+unreachable",
    },
    Column {
        header: "Freed: no-show",
        tag: "#affected+freed+noshow",
    },
    Column {
        header: "Freed: turned back",
        tag: "#affected+freed+turnedback",
    },
    Column {
        header: "Freed: removed",
        tag: "#affected+freed+removed",
    },
    Column {
        header: "Refilled from standby",
        tag: "#reached+refilled",
    },
];

/// One row per confirmed manifest. Places are not people and are shown
/// as they are; every count of people is suppressed below 5, the causes
/// of freed places as parts of one whole ([`suppress_parts`]).
pub fn write_utilisation(writer: impl io::Write, days: &[DayUse]) -> io::Result<u64> {
    let rows = days.iter().map(|day| {
        let people = |count: u32| suppress(u64::from(count)).to_string();
        let causes: Vec<u64> = day
            .freed
            .by_cause()
            .iter()
            .map(|(_, count)| u64::from(*count))
            .collect();
        let mut row = vec![
            day.date.to_string(),
            day.crossing.to_string(),
            day.direction.to_string(),
            day.available.to_string(),
            people(day.planned),
            people(day.reached),
            people(day.crossed),
            people(day.expected),
        ];
        row.extend(suppress_parts(&causes).iter().map(ToString::to_string));
        row.push(people(day.refilled));
        row
    });
    hxl::write_table(writer, UTILISATION_COLUMNS, rows)
}

pub const AID_COLUMNS: &[Column] = &[
    Column {
        header: "Date",
        tag: "#date+reported",
    },
    Column {
        header: "Stage reached",
        tag: "#status+stage",
    },
    Column {
        header: "Cargo category",
        tag: "#item+category",
    },
    Column {
        header: "Consignments",
        tag: "#reached+consignments",
    },
    Column {
        header: "Trucks",
        tag: "#reached+trucks",
    },
    Column {
        header: "Pallets",
        tag: "#reached+pallets",
    },
    Column {
        header: "Tonnes",
        tag: "#reached+tonnes",
    },
    Column {
        header: "Daily truck target",
        tag: "#capacity+target+trucks",
    },
];

/// Arrivals into each stage per day and cargo category, with the daily
/// truck target beside each row (do not sum it across rows). Trucks are
/// counted as they were at that stage: before repacking at inspection,
/// after it from `reloaded` on.
pub fn write_aid(
    writer: impl io::Write,
    rows: &[StageDayCount],
    target_per_day: u32,
) -> io::Result<u64> {
    let rows = rows.iter().map(|row| {
        vec![
            row.date.to_string(),
            row.stage.to_string(),
            row.category.to_string(),
            row.consignments.to_string(),
            row.trucks.to_string(),
            row.pallets.to_string(),
            Tonnes::from_kilograms(row.kilograms).to_string(),
            target_per_day.to_string(),
        ]
    });
    hxl::write_table(writer, AID_COLUMNS, rows)
}
