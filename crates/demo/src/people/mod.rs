//! Patients and companions: who they are, and the history that brought each
//! of them to where they stand on `today`.
//!
//! Generation has two stages. First every patient is planned: a profile
//! (age, sex, condition, tier), a referral day, the moves of their status
//! line with the day of each, and their companions. Then the plans are put
//! in referral order, given ids, and turned into cases by `Case::register`
//! and `Case::apply` alone, so that every history is one the domain accepts.

use corridor_domain::{
    Action, BirthYear, Booking, Case, ConditionCategory, Facility, FacilityId, LegalBasis,
    NewPerson, OrganisationId, PersonId, PersonKind, PersonName, Reason, ReasonKind, Referral,
    ReferralDate, Relationship, Sex, Specialty, Status, Tier,
};
use jiff::civil::date;
use rand::RngExt;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::calendar::{Calendar, Day, EventClock, FIRST_DAY};
use crate::names::{FAMILY, FEMALE_GIVEN, MALE_GIVEN};
use crate::places::{
    KEREM_SHALOM, RAFAH, REFERRING_FACILITIES, country_share, crossing_id, operating_days,
};
use crate::{DemoConfig, REFERENCE_WAITING};

mod builder;
mod planner;

use builder::Builder;
use planner::{Move, Planner};

// The public aggregates for 20,000 waiting patients; all scale with
// `waiting_patients`.
const CHILDREN_WAITING: f64 = 4_500.0;
const CRITICAL_WAITING: f64 = 440.0;
const DIED_WHILE_WAITING: f64 = 1_200.0;
/// No public figure; a small number so that the status exists in the data.
const WITHDRAWN: f64 = 300.0;

/// Shares of the waiting list by status (per thousand); `listed` takes the rest.
const WAITING_SHARES: &[(Status, u32)] = &[
    (Status::Referred, 70),
    (Status::ClearanceRequested, 100),
    (Status::Denied, 60),
    (Status::Delayed, 40),
    (Status::Cleared, 70),
];

const REFERRER: &str = "referrer@moh.demo";
const COORDINATOR: &str = "coordinator@medevac.demo";
const CLEARANCE: &str = "clearance@liaison.demo";
const RECEIVING: &str = "receiving@liaison.demo";

/// Reason codes (of the list migration 0006 seeds) with relative weights,
/// as public reporting describes them: most denials come as a security
/// objection or with no reason at all, most delays are no answer. The demo
/// writes no notes: a code says what the aggregates need.
const DENIAL_CODES: &[(&str, u32)] = &[
    ("security-objection", 45),
    ("no-reason-given", 35),
    ("documents-incomplete", 12),
    ("identity-not-verified", 5),
    ("companion-not-approved", 3),
];
const DELAY_CODES: &[(&str, u32)] = &[
    ("no-answer", 80),
    ("more-information-requested", 12),
    ("further-security-review", 8),
];
const WITHDRAWAL_CODES: &[(&str, u32)] = &[
    ("no-longer-needed", 30),
    ("declined-evacuation", 20),
    ("chose-treatment-elsewhere", 20),
    ("lost-contact", 15),
    ("referral-cancelled", 10),
    ("duplicate-referral", 5),
];
/// Why a patient put on a day's plan went back among the cleared.
const UNSCHEDULE_REASONS: &[((ReasonKind, &str), u32)] = &[
    ((ReasonKind::Unscheduled, "bed-no-longer-available"), 35),
    ((ReasonKind::NoShow, "not-reached"), 20),
    ((ReasonKind::NoShow, "did-not-reach-assembly-point"), 15),
    ((ReasonKind::TurnedBack, "refused-at-crossing"), 15),
    ((ReasonKind::TurnedBack, "companion-refused"), 10),
    ((ReasonKind::Unscheduled, "too-ill-to-travel"), 5),
];

/// Condition, specialty, and relative weights among adults and among children.
const CONDITIONS: &[(ConditionCategory, Specialty, u32, u32)] = {
    use ConditionCategory as C;
    use Specialty as S;
    &[
        (C::Cancer, S::Oncology, 14, 9),
        (C::Cancer, S::Haematology, 2, 6),
        (C::Blood, S::Haematology, 2, 5),
        (C::WarInjury, S::Orthopaedics, 20, 18),
        (C::WarInjury, S::Neurosurgery, 5, 4),
        (C::WarInjury, S::Rehabilitation, 6, 5),
        (C::WarInjury, S::Ophthalmology, 3, 4),
        (C::WarInjury, S::GeneralSurgery, 4, 2),
        (C::Burns, S::BurnsPlastic, 5, 8),
        (C::Eye, S::Ophthalmology, 2, 2),
        (C::Cardiovascular, S::CardiacSurgery, 4, 0),
        (C::Cardiovascular, S::Cardiology, 6, 1),
        (C::Congenital, S::CardiacSurgery, 0, 12),
        (C::Congenital, S::Paediatrics, 0, 8),
        (C::Renal, S::Nephrology, 8, 3),
        (C::Neurological, S::Neurosurgery, 4, 2),
        (C::Neurological, S::Paediatrics, 0, 4),
        (C::Other, S::GeneralSurgery, 4, 3),
        (C::Other, S::Paediatrics, 0, 3),
    ]
};

/// How likely a condition is to be life-threatening, relative to a war injury.
fn criticality(condition: ConditionCategory) -> f64 {
    match condition {
        ConditionCategory::Cancer
        | ConditionCategory::Cardiovascular
        | ConditionCategory::Congenital
        | ConditionCategory::Renal => 3.0,
        ConditionCategory::Blood | ConditionCategory::Neurological | ConditionCategory::Burns => {
            2.0
        }
        ConditionCategory::Eye => 0.3,
        ConditionCategory::WarInjury | ConditionCategory::Other => 1.0,
    }
}

/// The generated cases, in registration order: each patient followed by
/// their companions.
pub(crate) fn cases(
    config: &DemoConfig,
    calendar: &Calendar,
    facilities: &[Facility],
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<Case> {
    let scale = f64::from(config.waiting_patients) / REFERENCE_WAITING;
    let scaled = |count: f64| (count * scale).round() as usize;
    let mut planner = Planner { calendar, rng };
    let mut plans = planner.waiting(
        config.waiting_patients as usize,
        scaled(CHILDREN_WAITING),
        scaled(CRITICAL_WAITING),
    );
    for _ in 0..scaled(DIED_WHILE_WAITING) {
        plans.push(planner.died());
    }
    for _ in 0..scaled(WITHDRAWN) {
        plans.push(planner.withdrawn());
    }
    plans.extend(planner.evacuated(scale, facilities));
    // Ids follow the registry's order, the order of referral.
    plans.sort_by_key(|plan| plan.referral_day);

    let mut builder = Builder {
        calendar,
        rng: planner.rng,
        companions_built: 0,
    };
    let mut cases = Vec::with_capacity(plans.len() * 2);
    for (index, plan) in plans.into_iter().enumerate() {
        builder.build(index + 1, plan, &mut cases);
    }
    cases
}

/// One of `options`, drawn with the relative weight beside each.
fn pick<T: Copy>(rng: &mut Xoshiro256PlusPlus, options: &[(T, u32)]) -> T {
    let weights: Vec<u32> = options.iter().map(|&(_, weight)| weight).collect();
    options[weighted_index(rng, &weights)].0
}

fn weighted_index(rng: &mut Xoshiro256PlusPlus, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut ticket = rng.random_range(0..total);
    for (index, &weight) in weights.iter().enumerate() {
        if ticket < weight {
            return index;
        }
        ticket -= weight;
    }
    weights.len() - 1
}

fn actor(step: &Move) -> &'static str {
    match step {
        Move::List
        | Move::RequestClearance
        | Move::Resubmit
        | Move::Schedule { .. }
        | Move::Unschedule(..)
        | Move::Withdraw(_) => COORDINATOR,
        Move::Clear | Move::Deny | Move::Delay => CLEARANCE,
        Move::Cross(crossing) if *crossing == KEREM_SHALOM => "gate@kerem-shalom.demo",
        Move::Cross(_) | Move::Return => "gate@rafah.demo",
        Move::Admit(_) => RECEIVING,
        Move::Die => REFERRER,
    }
}

/// A reason of the demo's lists: codes without a note.
pub(crate) fn reason(kind: ReasonKind, code: &str) -> Reason {
    Reason::parse(kind, Some(code), None)
        .expect("the demo's codes are valid codes other than `other`")
}

fn person_id(text: &str) -> PersonId {
    PersonId::parse(text).expect("P- and C- followed by six digits is a valid identifier")
}
