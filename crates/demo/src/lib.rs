//! Demo data for corridor: a medical-evacuation waiting list as it stands on
//! a given day, with its history, the crossings, the receiving countries
//! and facilities, and the public figures it is calibrated to.
//!
//! **All of it is generated.** Names are random combinations from short
//! lists of common given and family names; birth years, conditions and
//! histories are drawn at random. No real person's data is used, and the
//! receiving facilities are fictional (each is named "… (demo)"). The only
//! real data are the sourced figures, with their citations, and the names
//! of crossings, countries and referring hospitals.
//!
//! The generator is pure: [`generate`] takes a [`DemoConfig`] (seed, today,
//! now, size) and returns the same [`DemoData`] for the same configuration.
//! It reads no clock and no global random number generator; it uses one
//! Xoshiro256++ stream seeded from `seed`.
//!
//! # Calibration
//!
//! To the public aggregates for Gaza in early 2026 (the Gaza Health
//! Ministry, WHO and UN figures reported by AP and AFP around 1 February
//! 2026, see [`DemoData::figures`]), scaled by `waiting_patients / 20,000`:
//!
//! - exactly `waiting_patients` patients still waiting (referred, listed,
//!   clearance-requested, cleared, denied, delayed or scheduled), of whom
//!   exactly 4,500 are children (under 18 on `today` by birth year) and
//!   exactly 440 in the critical tier, drawn mostly from cancer, cardiac,
//!   congenital and renal conditions;
//! - about 20 % (~4,000) with cancer or a blood disease needing oncology or
//!   haematology; the rest war injuries (orthopaedics, neurosurgery,
//!   rehabilitation, ophthalmology, burns), cardiac, renal, congenital,
//!   neurological and other conditions;
//! - referral dates over the two years before `today`, recent ones more
//!   frequent; about a third have waited more than a year;
//! - 1,200 patients who died while waiting (dates over the whole period,
//!   sooner after referral in the critical tier, where a third of them are),
//!   and 300 withdrawn (no public figure; an assumption);
//! - the evacuees of the last two years at the weekly rates reported: about
//!   17 a week (WHO, from the closure of Rafah in May 2024 until the October
//!   2025 ceasefire, and assumed for the months before), 220 a week during
//!   the ceasefire of 19 January to 18 March 2025 (WHO: "more than 200"),
//!   and 25 a week since 10 October 2025 (UN). The timeline keeps its
//!   distance to `today`: with another `today` it moves with it. They left
//!   through Rafah when it was open and through Kerem Shalom otherwise,
//!   were admitted abroad, and one in ten of those who left before the
//!   early-2025 ceasefire came back during it.
//!
//! # Assumptions
//!
//! - Rafah operates Sunday to Thursday (the articles name no days), with
//!   quotas of 50 evacuees out and 50 returnees in per operating day from
//!   the day after `today` (2 February 2026 by default, the announced
//!   reopening), until further notice. No quotas are given for earlier
//!   periods. Kerem Shalom appears only in the history.
//! - Status shares among the waiting: 7 % referred, 10 % clearance
//!   requested (a third of them resubmitted after a denial or a delay), 6 %
//!   denied, 4 % delayed, 7 % cleared, 75 scheduled on Rafah's first
//!   operating days after `today` (within the quota, companions counted),
//!   the rest listed.
//! - Every child has one or two companions, mostly a parent; four adults
//!   in five have one (a few two). Companions start listed and follow their
//!   patient's clearance requests and decisions, except that one in ten is
//!   not yet put forward with their patient, or is denied when the patient
//!   is cleared (never the only companion of a child).
//! - Legal basis is consent, except for half of the critical patients
//!   (vital interest). One patient in seven has a return guarantee.
//! - Events are recorded between 07:00 and 12:00 UTC on working days and
//!   never after `now`.
//!
//! # Aid trucks
//!
//! [`DemoData::consignments`] is four months of aid consignments up to
//! `now`, well under the target of 600 trucks a day, three quarters of them
//! inspected at Kerem Shalom, with some rejections and returns; the
//! calibration and assumptions are in the `aid` module. It does not scale
//! with `waiting_patients`, and it comes from its own random stream, so the
//! people of a seed are the same with or without it.

mod aid;
mod calendar;
mod contacts;
mod figures;
mod names;
mod people;
mod places;
mod returnees;

use corridor_domain::{
    Case, ConsignmentCase, Country, Crossing, CrossingRules, Facility, LuggageDeclaration,
    LuggageRuleSet, NewContact, Organisation, PersonId, Quota, SourcedFigure,
};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The size of the waiting list the public figures describe; every count
/// of the data set scales with `waiting_patients` relative to it.
const REFERENCE_WAITING: f64 = 20_000.0;

/// Mixed into the seed for the aid history's random stream.
const AID_STREAM: u64 = 0x00A1_D00A_1D00_A1D0;

/// Mixed into the seed for the contacts' random stream.
const CONTACT_STREAM: u64 = 0x0C0A_7AC7_0C0A_7AC7;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    pub seed: u64,
    /// The day the list is seen on: the data are the list as it stands then.
    pub today: Date,
    /// No event is later than `now`, which is expected to be on `today`.
    /// Events of a day are recorded by 12:00 UTC: with a `now` earlier than
    /// that on `today`, the history ends the day before. A `now` more than
    /// a year before `today` is not supported and gives meaningless data.
    pub now: Timestamp,
    /// Patients still waiting; the public figure is 20,000.
    pub waiting_patients: u32,
}

impl Default for DemoConfig {
    /// Seed 2026, today 2026-02-01 (the eve of Rafah's reopening), now that
    /// day at 12:00 UTC, and 20,000 waiting patients.
    fn default() -> DemoConfig {
        let today = date(2026, 2, 1);
        DemoConfig {
            seed: 2026,
            today,
            now: TimeZone::UTC
                .to_timestamp(today.at(12, 0, 0, 0))
                .expect("noon UTC on 2026-02-01 is a valid timestamp"),
            waiting_patients: 20_000,
        }
    }
}

impl DemoConfig {
    /// The largest waiting list the generator is made for.
    pub const MAX_WAITING_PATIENTS: u32 = 200_000;

    /// Whether `generate` can produce a data set for this configuration. The
    /// people are up to 90 years old and were referred up to two years before
    /// `today`, and facilities offer beds for months after it, so `today`
    /// must leave room on both sides of the dates the domain accepts.
    pub fn check(&self) -> Result<(), DemoConfigError> {
        let earliest = date(2000, 1, 1);
        let latest = date(9000, 12, 31);
        if self.today < earliest || self.today > latest {
            return Err(DemoConfigError(format!(
                "the demo data set is generated as of a day that must be {earliest} or later and {latest} or earlier, not {}",
                self.today
            )));
        }
        let now_day = TimeZone::UTC.to_datetime(self.now).date();
        let year_before = self.today.saturating_sub(jiff::Span::new().days(365));
        if now_day > self.today || now_day < year_before {
            return Err(DemoConfigError(format!(
                "the generation instant {} must fall within the year up to {}",
                self.now, self.today
            )));
        }
        if !(1..=DemoConfig::MAX_WAITING_PATIENTS).contains(&self.waiting_patients) {
            return Err(DemoConfigError(format!(
                "the demo waiting list holds 1 to {} patients, not {}",
                DemoConfig::MAX_WAITING_PATIENTS,
                self.waiting_patients
            )));
        }
        Ok(())
    }
}

/// A configuration `generate` cannot produce a data set for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfigError(pub String);

impl std::fmt::Display for DemoConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DemoConfigError {}

/// The generated data set.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    /// The referring facilities, receiving agencies and coordination cell.
    pub organisations: Vec<Organisation>,
    pub crossings: Vec<Crossing>,
    pub quotas: Vec<Quota>,
    pub countries: Vec<Country>,
    pub facilities: Vec<Facility>,
    /// Patients and companions in registration order, each patient followed
    /// by their companions, then the returnees. Patient ids (`P-000001`…)
    /// follow referral dates; companion ids (`C-000001`…) follow their
    /// patients; returnee ids are `R-000001`….
    pub cases: Vec<Case>,
    /// The public figures the data are calibrated to, with their sources.
    pub figures: Vec<SourcedFigure>,
    /// Rafah's rules since its reopening: two companions, entries = exits.
    pub crossing_rules: Vec<CrossingRules>,
    pub luggage_rules: Vec<LuggageRuleSet>,
    /// The luggage declarations of the returnees among `cases`.
    pub luggage: Vec<(PersonId, LuggageDeclaration)>,
    /// Phone numbers of most patients and returnees (`+999` only), each
    /// person's in the order they are numbered.
    pub contacts: Vec<(PersonId, NewContact)>,
    /// The aid pipeline's history (see the `aid` module): consignments
    /// `WB-000001`… in dispatch order.
    pub consignments: Vec<ConsignmentCase>,
}

/// Generates the demo data set for `config`; the same configuration always
/// gives the same data. `config` must pass [`DemoConfig::check`].
pub fn generate(config: &DemoConfig) -> DemoData {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(config.seed);
    let calendar = calendar::Calendar::new(config.today, config.now);
    let facilities = places::facilities(&calendar, &mut rng);
    let mut cases = people::cases(config, &calendar, &facilities, &mut rng);
    let scale = f64::from(config.waiting_patients) / REFERENCE_WAITING;
    let mut luggage = Vec::new();
    for (case, declaration) in returnees::returnees(scale, &calendar, &mut rng) {
        luggage.push((case.person.id.clone(), declaration));
        cases.push(case);
    }
    // The aid history has its own stream, so that it leaves the people of
    // a seed as they were.
    let mut aid_rng = Xoshiro256PlusPlus::seed_from_u64(config.seed ^ AID_STREAM);
    let consignments = aid::consignments(&calendar, config.now, &mut aid_rng);
    // So do the contacts.
    let mut contact_rng = Xoshiro256PlusPlus::seed_from_u64(config.seed ^ CONTACT_STREAM);
    let contacts = contacts::contacts(&cases, &mut contact_rng);
    DemoData {
        contacts,
        organisations: places::organisations(),
        crossings: places::crossings(),
        quotas: places::quotas(&calendar),
        countries: places::countries(),
        facilities,
        cases,
        figures: figures::figures(),
        crossing_rules: returnees::crossing_rules(&calendar),
        luggage_rules: returnees::luggage_rules(&calendar),
        luggage,
        consignments,
    }
}
