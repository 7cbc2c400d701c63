//! The planner's inputs and outputs.

use std::fmt;

use corridor_domain::{
    DayRules, FacilityId, PersonId, ProposedParty, ProposedPerson, Role, Specialty, Tier,
};
use jiff::civil::Date;

/// One crossing day in the outbound direction: who may go and where there is room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundDay {
    /// The day, its places (the quota, or a lower cap from another rule,
    /// e.g. entries must equal exits; companions take places too) and the
    /// companions who may travel with one patient: the rules every plan
    /// keeps ([`corridor_domain::check_manifest`]).
    pub rules: DayRules,
    /// Cleared patients who are not on any manifest, in any order.
    pub candidates: Vec<Candidate>,
    /// Free beds on the day, open facilities only.
    pub beds: Vec<BedPool>,
    /// The earliest later date with a free bed of a specialty, for explanations.
    pub next_free_bed: Vec<(Specialty, Date)>,
    pub overrides: Overrides,
}

impl OutboundDay {
    /// A plan of this day as the manifest it proposes, in the terms of
    /// [`corridor_domain::check_manifest`]: each pick's patient with the
    /// companions who travel and the facility.
    pub fn proposal(&self, plan: &DayPlan) -> Vec<ProposedParty> {
        plan.picks
            .iter()
            .map(|pick| {
                let candidate = self.candidates.iter().find(|c| c.patient == pick.person);
                ProposedParty {
                    head: ProposedPerson {
                        id: pick.person.clone(),
                        role: Role::Patient,
                        is_child: candidate.is_some_and(|c| c.is_child),
                        companion_of: None,
                    },
                    companions: pick
                        .companions
                        .iter()
                        .map(|companion| ProposedPerson {
                            id: companion.clone(),
                            role: Role::Companion,
                            is_child: false,
                            companion_of: candidate
                                .filter(|c| c.companions.contains(companion))
                                .map(|c| c.patient.clone()),
                        })
                        .collect(),
                    facility: pick.facility.clone(),
                }
            })
            .collect()
    }
}

/// A cleared patient and the companions who would travel with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub patient: PersonId,
    pub tier: Tier,
    pub referral_date: Date,
    pub is_child: bool,
    pub specialty: Specialty,
    pub return_guarantee: bool,
    /// Cleared companions, in registration order.
    pub companions: Vec<PersonId>,
    /// Companions still waiting for clearance; they cannot travel on this day.
    pub companions_not_cleared: u32,
}

/// Free beds of one specialty at one facility on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BedPool {
    pub facility: FacilityId,
    pub specialty: Specialty,
    pub free: u32,
    pub requires_return_guarantee: bool,
}

/// The coordinator's decisions, each with its reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Patients who go first, if they fit.
    pub include: Vec<(PersonId, String)>,
    /// Patients or companions who do not go on this day.
    pub exclude: Vec<(PersonId, String)>,
    /// The receiving facility the coordinator chose for an included
    /// patient; without one, the planner places them as it places anyone.
    pub facilities: Vec<(PersonId, FacilityId)>,
}

/// How the outbound day is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The exact maximum of the policy's value (see the crate docs).
    Optimal,
    /// The baseline: priority order, take a patient if places and a bed are left.
    Greedy,
}

/// One crossing day in the inbound direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundDay {
    pub date: Date,
    pub quota: u32,
    /// Cleared returnees, in any order.
    pub candidates: Vec<Returnee>,
    pub overrides: Overrides,
}

/// A cleared person waiting to go back in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returnee {
    pub person: PersonId,
    pub registered_on: Date,
    pub is_child: bool,
}

/// The proposed manifest of a day, with the reason for every pick and every
/// person left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPlan {
    pub picks: Vec<Pick>,
    pub left_out: Vec<LeftOut>,
    /// The quota, or the cap when it is lower.
    pub places_available: u32,
    /// Patients and companions picked; never more than `places_available`.
    pub places_used: u32,
    /// The sum of the picks' (party) values.
    pub objective: u64,
    pub notes: Vec<String>,
}

/// A person on the manifest, with the companions who travel with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub person: PersonId,
    pub companions: Vec<PersonId>,
    /// The receiving facility (outbound only).
    pub facility: Option<FacilityId>,
    /// The policy's value of the party: the patient's priority value for
    /// each person in it ([`crate::policy::party_value`]); 0 for returnees.
    pub value: u64,
    pub reason: String,
}

/// A cleared person who is not on the manifest, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub person: PersonId,
    pub reason: LeftOutReason,
}

/// Why a cleared person is not on the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeftOutReason {
    /// The coordinator removed the person from this day.
    RemovedByCoordinator(String),
    /// A child patient travels only with a cleared companion.
    ChildWithoutCompanion { awaiting_clearance: u32 },
    /// A cleared companion beyond the number allowed per patient.
    CompanionBeyondLimit { patient: PersonId, limit: u32 },
    /// Not enough places left in the quota.
    QuotaFull { needed: u32, left: u32 },
    /// Not enough places left under the cap; the quota alone would have
    /// left enough. The plan's notes quote the cap's reason.
    Capped { needed: u32, left: u32, cap: u32 },
    /// No free bed of the specialty on the day, at any open facility.
    NoBed {
        specialty: Specialty,
        date: Date,
        next_free: Option<Date>,
    },
    /// The only free beds of the specialty require a return guarantee, and
    /// the patient's referral has none.
    NeedsReturnGuarantee { specialty: Specialty, date: Date },
    /// Every free bed the patient could take went to people ahead of them.
    BedsTaken {
        specialty: Specialty,
        date: Date,
        beds: u32,
    },
    /// A patient ahead of some picks in priority order, left out by the
    /// optimiser because making room for their party (places, or a bed)
    /// would remove picks worth at least as much.
    Outweighed {
        needed: u32,
        places_left: u32,
        specialty: Specialty,
        beds_left: u32,
        plan_value: u64,
    },
}

impl fmt::Display for LeftOutReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LeftOutReason::RemovedByCoordinator(reason) => {
                write!(f, "removed by the coordinator: {reason}")
            }
            LeftOutReason::ChildWithoutCompanion { awaiting_clearance } => {
                write!(f, "child without a cleared companion")?;
                match awaiting_clearance {
                    0 => write!(f, " (none awaiting clearance)"),
                    1 => write!(f, " (1 companion awaiting clearance)"),
                    n => write!(f, " ({n} companions awaiting clearance)"),
                }
            }
            LeftOutReason::CompanionBeyondLimit { patient, limit } => write!(
                f,
                "companion of {patient} beyond the limit of {}",
                count(*limit, "companion per patient", "companions per patient")
            ),
            LeftOutReason::QuotaFull { needed, left } => write!(
                f,
                "quota full: needs {}, {} left",
                count(*needed, "place", "places"),
                left
            ),
            LeftOutReason::Capped { needed, left, cap } => write!(
                f,
                "capped by the rule in the notes ({}): needs {}, {} left",
                count(*cap, "place", "places"),
                count(*needed, "place", "places"),
                left
            ),
            LeftOutReason::NoBed {
                specialty,
                date,
                next_free,
            } => {
                write!(f, "no {specialty} bed free on {date}")?;
                match next_free {
                    Some(next) => write!(f, " (next free on {next})"),
                    None => write!(f, " (none published)"),
                }
            }
            LeftOutReason::NeedsReturnGuarantee { specialty, date } => write!(
                f,
                "needs a return guarantee: only guarantee-requiring {specialty} beds are free on {date}"
            ),
            LeftOutReason::BedsTaken {
                specialty,
                date,
                beds,
            } => write!(
                f,
                "the {} it could take on {date} went to people ahead of it",
                count(
                    *beds,
                    &format!("{specialty} bed"),
                    &format!("{specialty} beds")
                )
            ),
            LeftOutReason::Outweighed {
                needed,
                places_left,
                specialty,
                beds_left,
                plan_value,
            } => write!(
                f,
                "needs {} and a bed in {specialty} ({} left, {} left): \
                 making room would remove picks with at least the same priority score, \
                 so no plan that includes it has a higher total priority score than this one ({plan_value})",
                count(*needed, "place", "places"),
                count(*places_left, "place", "places"),
                count(*beds_left, "suitable bed", "suitable beds"),
            ),
        }
    }
}

/// `1 place`, `3 places`.
pub(crate) fn count(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Which list of the coordinator's overrides a person was named in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideList {
    Include,
    Exclude,
}

impl fmt::Display for OverrideList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OverrideList::Include => "include",
            OverrideList::Exclude => "exclude",
        })
    }
}

/// A day that cannot be planned as asked; nothing is proposed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{person} appears more than once among the candidates and their companions")]
    Duplicate { person: PersonId },
    #[error(
        "the coordinator asked to {list} {person}, who is not a cleared candidate for this day"
    )]
    NotACandidate {
        person: PersonId,
        list: OverrideList,
    },
    #[error(
        "the coordinator asked to include {person}, a companion of {patient}: include the patient; companions travel with them"
    )]
    IncludedCompanion { person: PersonId, patient: PersonId },
    #[error("the coordinator named {person} twice in the {list} list")]
    NamedTwice {
        person: PersonId,
        list: OverrideList,
    },
    #[error("the coordinator both included and removed {person}")]
    IncludedAndExcluded { person: PersonId },
    #[error("cannot include {person}: {why}")]
    DoesNotFit {
        person: PersonId,
        why: LeftOutReason,
    },
    #[error(
        "cannot include {person} at {facility}: it has no free {specialty} bed on the day that they may take; choose a facility with a free bed"
    )]
    NoBedAtFacility {
        person: PersonId,
        facility: FacilityId,
        specialty: Specialty,
    },
    #[error(
        "a receiving facility was chosen for {person}, who is not included: a facility goes with an inclusion"
    )]
    FacilityWithoutInclusion { person: PersonId },
}
