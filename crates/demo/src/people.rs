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

struct Profile {
    age: i16,
    sex: Sex,
    condition: ConditionCategory,
    specialty: Specialty,
    tier: Tier,
}

/// A step of a status line, before it becomes an `Action` on a day.
#[derive(Clone)]
enum Move {
    List,
    RequestClearance,
    Clear,
    Deny,
    Delay,
    Resubmit,
    Schedule { on: Day, crossing: &'static str },
    Unschedule(ReasonKind, &'static str),
    Cross(&'static str),
    Admit(FacilityId),
    Return,
    Die,
    Withdraw(&'static str),
}

/// How a companion's line departs from their patient's.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Divergence {
    /// Every move of the patient's, as it applies to a companion.
    Follows,
    /// Not yet put forward for clearance with the patient.
    NotYetRequested,
    /// Denied in the round in which the patient was cleared.
    DeniedWhilePatientCleared,
}

struct CompanionPlan {
    relationship: Relationship,
    age: i16,
    sex: Sex,
    same_family: bool,
    divergence: Divergence,
}

struct PatientPlan {
    profile: Profile,
    referral_day: Day,
    return_guarantee: bool,
    steps: Vec<(Day, Move)>,
    companions: Vec<CompanionPlan>,
}

struct Planner<'a> {
    calendar: &'a Calendar,
    rng: &'a mut Xoshiro256PlusPlus,
}

impl Planner<'_> {
    fn waiting(&mut self, count: usize, children: usize, critical: usize) -> Vec<PatientPlan> {
        let mut statuses = Vec::with_capacity(count);
        for &(status, per_thousand) in WAITING_SHARES {
            let share = (count as u64 * u64::from(per_thousand) / 1000) as usize;
            statuses.extend(std::iter::repeat_n(status, share));
        }
        statuses.truncate(count);
        statuses.resize(count, Status::Listed);
        statuses.shuffle(self.rng);
        let is_child = self.exact_flags(count, children.min(count));

        let mut profiles: Vec<Profile> = is_child
            .iter()
            .map(|&child| self.profile(child, Tier::Routine))
            .collect();
        // The critical tier goes to a fixed number of patients, drawn with
        // weights by condition (weighted sampling without replacement).
        let mut keys: Vec<(f64, usize)> = profiles
            .iter()
            .enumerate()
            .map(|(index, profile)| {
                let weight = criticality(profile.condition);
                (self.rng.random::<f64>().powf(1.0 / weight), index)
            })
            .collect();
        keys.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, index) in keys.iter().take(critical) {
            profiles[index].tier = Tier::Critical;
        }
        for profile in profiles.iter_mut().filter(|p| p.tier != Tier::Critical) {
            if self.rng.random_bool(0.45) {
                profile.tier = Tier::Urgent;
            }
        }

        profiles
            .into_iter()
            .zip(statuses)
            .map(|(profile, status)| self.waiting_plan(profile, status))
            .collect()
    }

    fn waiting_plan(&mut self, profile: Profile, status: Status) -> PatientPlan {
        let latest = self.calendar.latest_day;
        // A line that has come further needs an older referral.
        let min_age = match status {
            Status::Referred | Status::Listed => 0,
            Status::ClearanceRequested => 20,
            Status::Denied | Status::Delayed => 25,
            _ => 30,
        };
        let referral_day = if status == Status::Referred {
            -self.rng.random_range(0..=120)
        } else {
            self.referral_day(min_age)
        }
        .min(latest);

        let extra_rounds = |planner: &mut Self, chance: f64| {
            if planner.rng.random_bool(chance) {
                planner.rng.random_range(1..=2)
            } else {
                0
            }
        };
        let mut chain = Vec::new();
        let mut tail = Vec::new();
        match status {
            Status::Referred => {}
            Status::Listed => chain.push(self.gap(1, 21, Move::List)),
            Status::ClearanceRequested => {
                let rounds = extra_rounds(self, 0.3);
                self.clearance(&mut chain, rounds, None);
            }
            Status::Denied | Status::Delayed => {
                let rounds = extra_rounds(self, 0.2);
                let outcome = if status == Status::Denied {
                    Move::Deny
                } else {
                    Move::Delay
                };
                self.clearance(&mut chain, rounds, Some(outcome));
            }
            Status::Cleared => {
                let rounds = extra_rounds(self, 0.2);
                self.clearance(&mut chain, rounds, Some(Move::Clear));
            }
            _ => unreachable!("only waiting statuses are planned here"),
        }
        let companions = self.companions(&profile, status);
        let mut end = latest;
        if status == Status::Cleared && self.rng.random_bool(0.05) {
            // Put on a day plan, then taken off it again: the place goes back.
            let on = self.next_operating_days(1)[0];
            end = (latest - 1).max(referral_day);
            tail.push((
                end,
                Move::Schedule {
                    on,
                    crossing: RAFAH,
                },
            ));
            let (kind, code) = self.pick(UNSCHEDULE_REASONS);
            tail.push((latest, Move::Unschedule(kind, code)));
        }
        let mut steps = if status == Status::Cleared {
            // Clearance is sought for a crossing in sight: the requests of
            // those cleared now are recent, however long ago they were listed.
            let listing = chain.remove(0);
            let mut steps = place(vec![listing], referral_day, end);
            let listed_on = steps[0].0;
            let cleared_by = (end - self.rng.random_range(0..=10)).max(listed_on);
            steps.extend(place_before(chain, listed_on, cleared_by));
            steps
        } else {
            place(chain, referral_day, end)
        };
        steps.extend(tail);
        self.plan(profile, referral_day, steps, companions)
    }

    fn died(&mut self) -> PatientPlan {
        let tier = self.pick(&[
            (Tier::Critical, 35),
            (Tier::Urgent, 45),
            (Tier::Routine, 20),
        ]);
        let child = self.rng.random_bool(0.2);
        let profile = self.profile(child, tier);
        let latest = self.calendar.latest_day;
        let referral_day = self.rng.random_range(FIRST_DAY..=latest);
        let mean_days = match tier {
            Tier::Critical => 60.0,
            Tier::Urgent => 150.0,
            Tier::Routine => 250.0,
        };
        let death_day = (referral_day + self.exponential(mean_days)).min(latest);
        let before = self.pick(&[
            (Status::Referred, 10),
            (Status::Listed, 70),
            (Status::ClearanceRequested, 8),
            (Status::Denied, 6),
            (Status::Delayed, 6),
        ]);
        let chain = self.chain_before_exit(before);
        let companions = self.companions(&profile, before);
        let mut steps = place(chain, referral_day, death_day);
        steps.push((death_day, Move::Die));
        self.plan(profile, referral_day, steps, companions)
    }

    fn withdrawn(&mut self) -> PatientPlan {
        let tier = self.pick(&[(Tier::Critical, 5), (Tier::Urgent, 40), (Tier::Routine, 55)]);
        let child = self.rng.random_bool(0.15);
        let profile = self.profile(child, tier);
        let latest = self.calendar.latest_day;
        let referral_day = self.rng.random_range(FIRST_DAY..=latest);
        let withdrawal_day = (referral_day + self.rng.random_range(10..=200)).min(latest);
        let before = self.pick(&[
            (Status::Referred, 30),
            (Status::Listed, 55),
            (Status::Denied, 15),
        ]);
        let chain = self.chain_before_exit(before);
        let companions = self.companions(&profile, before);
        let mut steps = place(chain, referral_day, withdrawal_day);
        let code = self.pick(WITHDRAWAL_CODES);
        steps.push((withdrawal_day, Move::Withdraw(code)));
        self.plan(profile, referral_day, steps, companions)
    }

    /// The evacuees of the last two years, week by week as public reporting
    /// describes the throughput (see the crate documentation).
    fn evacuated(&mut self, scale: f64, facilities: &[Facility]) -> Vec<PatientPlan> {
        let latest = self.calendar.latest_day;
        let last_crossing_day = latest.min(-1);
        let surge = (
            self.calendar.shifted(date(2025, 1, 19)),
            self.calendar.shifted(date(2025, 3, 18)),
        );
        let phases = [
            (
                FIRST_DAY,
                self.calendar.shifted(date(2024, 5, 6)),
                RAFAH,
                17.0,
            ),
            (
                self.calendar.shifted(date(2024, 5, 7)),
                surge.0 - 1,
                KEREM_SHALOM,
                17.0,
            ),
            (surge.0, surge.1, RAFAH, 220.0),
            (
                surge.1 + 1,
                self.calendar.shifted(date(2025, 10, 9)),
                KEREM_SHALOM,
                17.0,
            ),
            (
                self.calendar.shifted(date(2025, 10, 10)),
                last_crossing_day,
                KEREM_SHALOM,
                25.0,
            ),
        ];
        let days = operating_days();
        let mut plans = Vec::new();
        for (start, end, crossing, per_week) in phases {
            let start = start.max(FIRST_DAY);
            let end = end.min(last_crossing_day);
            let crossing_days: Vec<Day> = (start..=end)
                .filter(|&day| days.operates_on(self.calendar.date(day)))
                .collect();
            if crossing_days.is_empty() {
                continue;
            }
            let weeks = f64::from(end - start + 1) / 7.0;
            let count = (weeks * per_week * scale).round() as usize;
            for _ in 0..count {
                let crossing_day = *self.choose(&crossing_days);
                let plan = self.evacuee(crossing_day, crossing, surge, facilities);
                plans.push(plan);
            }
        }
        plans
    }

    fn evacuee(
        &mut self,
        crossing_day: Day,
        crossing: &'static str,
        surge: (Day, Day),
        facilities: &[Facility],
    ) -> PatientPlan {
        let tier = self.pick(&[
            (Tier::Critical, 20),
            (Tier::Urgent, 50),
            (Tier::Routine, 30),
        ]);
        let child = self.rng.random_bool(0.25);
        let profile = self.profile(child, tier);
        let latest = self.calendar.latest_day;
        let referral_day = (crossing_day - self.rng.random_range(20..=300)).max(FIRST_DAY);
        let schedule_day = (crossing_day - self.rng.random_range(1..=4)).max(referral_day);
        let mut chain = Vec::new();
        let rounds = usize::from(self.rng.random_bool(0.15));
        self.clearance(&mut chain, rounds, Some(Move::Clear));
        let mut steps = place(chain, referral_day, schedule_day);
        steps.push((
            schedule_day,
            Move::Schedule {
                on: crossing_day,
                crossing,
            },
        ));
        steps.push((crossing_day, Move::Cross(crossing)));
        let return_guarantee = self.rng.random_bool(0.15);
        let facility = self.receiving_facility(facilities, profile.specialty, return_guarantee);
        let admission_day = (crossing_day + self.rng.random_range(0..=1)).min(latest);
        steps.push((admission_day, Move::Admit(facility)));
        // Returns were possible only while Rafah was open in early 2025.
        let earliest_return = (crossing_day + 30).max(surge.0);
        let last_return = surge.1.min(latest);
        if earliest_return <= last_return && self.rng.random_bool(0.10) {
            let return_day = self.rng.random_range(earliest_return..=last_return);
            steps.push((return_day, Move::Return));
        }
        let companions = self.companions(&profile, Status::Crossed);
        let mut plan = self.plan(profile, referral_day, steps, companions);
        plan.return_guarantee = return_guarantee;
        plan
    }

    fn receiving_facility(
        &mut self,
        facilities: &[Facility],
        specialty: Specialty,
        return_guarantee: bool,
    ) -> FacilityId {
        let candidates: Vec<(&Facility, u32)> = facilities
            .iter()
            .filter(|facility| facility.open)
            .filter(|facility| return_guarantee || !facility.requires_return_guarantee)
            .filter(|facility| facility.beds.iter().any(|beds| beds.specialty == specialty))
            .map(|facility| (facility, country_share(&facility.country)))
            .filter(|&(_, share)| share > 0)
            .collect();
        let total: u32 = candidates.iter().map(|(_, share)| share).sum();
        let mut ticket = self.rng.random_range(0..total.max(1));
        for (facility, share) in &candidates {
            if ticket < *share {
                return facility.id.clone();
            }
            ticket -= share;
        }
        candidates
            .first()
            .map(|(facility, _)| facility.id.clone())
            .expect("every specialty has an open facility in an open country without a return-guarantee requirement")
    }

    fn chain_before_exit(&mut self, before: Status) -> Vec<(i32, Move)> {
        let mut chain = Vec::new();
        match before {
            Status::Referred => {}
            Status::Listed => chain.push(self.gap(1, 21, Move::List)),
            Status::ClearanceRequested => self.clearance(&mut chain, 0, None),
            Status::Denied => self.clearance(&mut chain, 0, Some(Move::Deny)),
            _ => self.clearance(&mut chain, 0, Some(Move::Delay)),
        }
        chain
    }

    /// Listing, the first request, `rounds` earlier refusals each followed by
    /// a resubmission, and the outcome of the last request if there is one.
    fn clearance(&mut self, chain: &mut Vec<(i32, Move)>, rounds: usize, outcome: Option<Move>) {
        chain.push(self.gap(1, 21, Move::List));
        chain.push(self.gap(7, 150, Move::RequestClearance));
        for _ in 0..rounds {
            let refusal = if self.rng.random_bool(0.6) {
                Move::Deny
            } else {
                Move::Delay
            };
            chain.push(self.gap(5, 40, refusal));
            chain.push(self.gap(7, 60, Move::Resubmit));
        }
        if let Some(outcome) = outcome {
            chain.push(self.gap(3, 30, outcome));
        }
    }

    fn gap(&mut self, min: i32, max: i32, step: Move) -> (i32, Move) {
        (self.rng.random_range(min..=max), step)
    }

    fn plan(
        &mut self,
        mut profile: Profile,
        referral_day: Day,
        steps: Vec<(Day, Move)>,
        companions: Vec<CompanionPlan>,
    ) -> PatientPlan {
        // Born no later than referred: a referral two years ago was not of a newborn of today.
        let referral_year = self.calendar.date(referral_day).year();
        let today_year = self.calendar.date(0).year();
        profile.age = profile.age.max(today_year - referral_year);
        PatientPlan {
            profile,
            referral_day,
            return_guarantee: self.rng.random_bool(0.15),
            steps,
            companions,
        }
    }

    /// A referral day at least `min_age` days ago, recent ones more likely.
    fn referral_day(&mut self, min_age: i32) -> Day {
        let span = f64::from(-FIRST_DAY - min_age);
        let back = (span * self.rng.random::<f64>().powf(1.6)) as i32;
        -(min_age + back)
    }

    fn profile(&mut self, child: bool, tier: Tier) -> Profile {
        let weights: Vec<u32> = CONDITIONS
            .iter()
            .map(|&(_, _, adult, young)| if child { young } else { adult })
            .collect();
        let index = self.weighted_index(&weights);
        let (condition, specialty, _, _) = CONDITIONS[index];
        let age = if child {
            if condition == ConditionCategory::Congenital {
                self.rng.random_range(0..=5)
            } else {
                self.rng.random_range(1..=17)
            }
        } else {
            let (youngest, oldest) = match condition {
                ConditionCategory::Cancer => (25, 80),
                ConditionCategory::Cardiovascular => (35, 80),
                ConditionCategory::Renal => (25, 75),
                ConditionCategory::Blood => (18, 50),
                ConditionCategory::WarInjury
                | ConditionCategory::Burns
                | ConditionCategory::Eye => (18, 60),
                _ => (18, 75),
            };
            // The mean of two draws makes middle ages more common than the extremes.
            let mean = (self.rng.random_range(youngest..=oldest)
                + self.rng.random_range(youngest..=oldest))
                / 2;
            mean.max(18)
        };
        let male_share = match condition {
            ConditionCategory::WarInjury | ConditionCategory::Burns if !child => 0.7,
            _ => 0.5,
        };
        let sex = if self.rng.random_bool(male_share) {
            Sex::Male
        } else {
            Sex::Female
        };
        Profile {
            age,
            sex,
            condition,
            specialty,
            tier,
        }
    }

    fn companions(&mut self, patient: &Profile, status: Status) -> Vec<CompanionPlan> {
        let child = patient.age < 18;
        let count = if child {
            if self.rng.random_bool(0.3) { 2 } else { 1 }
        } else {
            self.pick(&[(0, 20), (1, 72), (2, 8)])
        };
        let mut companions: Vec<CompanionPlan> = Vec::with_capacity(count);
        for index in 0..count {
            let relationship = if child {
                if index == 0 {
                    self.pick(&[
                        (Relationship::Parent, 90),
                        (Relationship::Sibling, 4),
                        (Relationship::OtherRelative, 6),
                    ])
                } else {
                    self.pick(&[
                        (Relationship::Parent, 70),
                        (Relationship::Sibling, 15),
                        (Relationship::OtherRelative, 15),
                    ])
                }
            } else if patient.age <= 30 {
                self.pick(&[
                    (Relationship::Parent, 45),
                    (Relationship::Sibling, 30),
                    (Relationship::Spouse, 20),
                    (Relationship::OtherRelative, 5),
                ])
            } else if patient.age < 55 {
                let child_weight = if patient.age >= 40 { 10 } else { 0 };
                self.pick(&[
                    (Relationship::Spouse, 55),
                    (Relationship::Sibling, 20),
                    (Relationship::Parent, 5),
                    (Relationship::OtherRelative, 10),
                    (Relationship::Child, child_weight),
                ])
            } else {
                self.pick(&[
                    (Relationship::Child, 50),
                    (Relationship::Spouse, 35),
                    (Relationship::Sibling, 10),
                    (Relationship::Caregiver, 5),
                ])
            };
            let age = match relationship {
                Relationship::Parent => (patient.age + self.rng.random_range(18..=38)).min(90),
                Relationship::Spouse => patient.age + self.rng.random_range(-8..=8),
                Relationship::Child => patient.age - self.rng.random_range(20..=35),
                Relationship::Sibling => patient.age + self.rng.random_range(-10..=12),
                Relationship::OtherRelative | Relationship::Caregiver => {
                    self.rng.random_range(20..=60)
                }
            }
            .max(18);
            let other_parent = companions
                .first()
                .filter(|first| first.relationship == Relationship::Parent)
                .map(|first| first.sex);
            let sex = match (relationship, other_parent) {
                (Relationship::Parent, Some(Sex::Female)) => Sex::Male,
                (Relationship::Parent, Some(_)) => Sex::Female,
                (Relationship::Spouse, _) if patient.sex == Sex::Male => Sex::Female,
                (Relationship::Spouse, _) => Sex::Male,
                _ => {
                    let female_share = match relationship {
                        Relationship::Parent if child => 0.75,
                        Relationship::Parent => 0.65,
                        Relationship::Caregiver => 0.7,
                        _ => 0.5,
                    };
                    if self.rng.random_bool(female_share) {
                        Sex::Female
                    } else {
                        Sex::Male
                    }
                }
            };
            let same_family = match relationship {
                Relationship::Parent | Relationship::Child | Relationship::Sibling => true,
                Relationship::Spouse | Relationship::Caregiver => false,
                Relationship::OtherRelative => self.rng.random_bool(0.5),
            };
            // A child always keeps one companion on the patient's line.
            let may_diverge = !child || index > 0;
            let divergence = match status {
                Status::ClearanceRequested | Status::Denied | Status::Delayed
                    if may_diverge && self.rng.random_bool(0.1) =>
                {
                    Divergence::NotYetRequested
                }
                Status::Cleared if may_diverge && self.rng.random_bool(0.1) => {
                    Divergence::DeniedWhilePatientCleared
                }
                _ => Divergence::Follows,
            };
            companions.push(CompanionPlan {
                relationship,
                age,
                sex,
                same_family,
                divergence,
            });
        }
        companions
    }

    /// The operating days from `from` (a day after today) on, a week's worth.
    fn next_operating_days(&self, from: Day) -> Vec<Day> {
        let days = operating_days();
        (from.max(1)..from.max(1) + 7)
            .filter(|&day| days.operates_on(self.calendar.date(day)))
            .collect()
    }

    /// `count` flags of which exactly `set` are true, in random order.
    fn exact_flags(&mut self, count: usize, set: usize) -> Vec<bool> {
        let mut flags = vec![false; count];
        flags[..set].fill(true);
        flags.shuffle(self.rng);
        flags
    }

    fn exponential(&mut self, mean_days: f64) -> i32 {
        let uniform: f64 = self.rng.random();
        (-mean_days * (1.0 - uniform).ln()) as i32
    }

    fn pick<T: Copy>(&mut self, options: &[(T, u32)]) -> T {
        pick(self.rng, options)
    }

    fn weighted_index(&mut self, weights: &[u32]) -> usize {
        weighted_index(self.rng, weights)
    }

    fn choose<'s, T>(&mut self, items: &'s [T]) -> &'s T {
        &items[self.rng.random_range(0..items.len())]
    }
}

/// Lays the gaps of `chain` out from `start`, squeezed proportionally when
/// they do not fit before `end`.
fn place(chain: Vec<(i32, Move)>, start: Day, end: Day) -> Vec<(Day, Move)> {
    let total: i64 = chain.iter().map(|&(gap, _)| i64::from(gap)).sum();
    let room = i64::from((end - start).max(0));
    let mut elapsed = 0i64;
    chain
        .into_iter()
        .map(|(gap, step)| {
            elapsed += i64::from(gap);
            let offset = if total > room {
                elapsed * room / total
            } else {
                elapsed
            };
            (start + offset as i32, step)
        })
        .collect()
}

/// Lays the gaps of `chain` out so that the last step falls on `end`,
/// squeezed proportionally when they do not fit after `start`.
fn place_before(chain: Vec<(i32, Move)>, start: Day, end: Day) -> Vec<(Day, Move)> {
    let total: i32 = chain.iter().map(|&(gap, _)| gap).sum();
    let room = (end - start).max(0);
    if total >= room {
        return place(chain, start, end);
    }
    place(chain, end - total, end)
}

struct Builder<'a> {
    calendar: &'a Calendar,
    rng: &'a mut Xoshiro256PlusPlus,
    companions_built: usize,
}

impl Builder<'_> {
    fn build(&mut self, number: usize, plan: PatientPlan, cases: &mut Vec<Case>) {
        let patient_id = person_id(&format!("P-{number:06}"));
        let family = self.rng.random_range(0..FAMILY.len());
        let referral = Referral {
            condition: plan.profile.condition,
            specialty: plan.profile.specialty,
            tier: plan.profile.tier,
            referral_date: ReferralDate::new(self.calendar.date(plan.referral_day), self.today())
                .expect("referral days are not after the latest day, which is not after today"),
            referring_facility: OrganisationId::parse(
                "referring_facility",
                REFERRING_FACILITIES[self.rng.random_range(0..REFERRING_FACILITIES.len())].0,
            )
            .expect("REFERRING_FACILITIES holds valid ids"),
            return_guarantee: plan.return_guarantee,
        };
        let legal_basis = if plan.profile.tier == Tier::Critical && self.rng.random_bool(0.5) {
            LegalBasis::VitalInterest
        } else {
            LegalBasis::Consent
        };
        let person = NewPerson {
            id: patient_id.clone(),
            name: Some(self.name(plan.profile.sex, family)),
            birth_year: self.birth_year(plan.profile.age),
            sex: plan.profile.sex,
            legal_basis,
            kind: PersonKind::Patient(referral),
        };

        let mut clock = EventClock::new();
        let registered = self.minute(&mut clock, plan.referral_day);
        let mut case = Case::register(person, self.calendar.timestamp(registered), REFERRER);
        let mut history = Vec::with_capacity(plan.steps.len());
        let mut previous_day = plan.referral_day;
        for (day, step) in plan.steps {
            let action = self.action(&step, day, previous_day);
            let minute = self.minute(&mut clock, day);
            let actor = actor(&step);
            case.apply(action.clone(), self.calendar.timestamp(minute), actor, None)
                .expect("plans follow the legal transitions of a patient's line");
            history.push((minute, action, actor));
            previous_day = day;
        }
        cases.push(case);

        for (index, companion) in plan.companions.into_iter().enumerate() {
            self.companions_built += 1;
            let offset = index as i64 + 1;
            let companion_family = self.companion_family(family, &companion);
            let person = NewPerson {
                id: person_id(&format!("C-{:06}", self.companions_built)),
                name: Some(self.name(companion.sex, companion_family)),
                birth_year: self.birth_year(companion.age),
                sex: companion.sex,
                legal_basis: LegalBasis::Consent,
                kind: PersonKind::Companion {
                    of: patient_id.clone(),
                    relationship: companion.relationship,
                },
            };
            let mut case = Case::register(
                person,
                self.calendar.timestamp(registered + offset),
                REFERRER,
            );
            let last = history.len().saturating_sub(1);
            for (position, (minute, action, actor)) in history.iter().enumerate() {
                let mirrored = match (action, companion.divergence) {
                    (Action::List | Action::Admit { .. }, _) => None,
                    (Action::Die { .. }, _) => Some(Action::Withdraw {
                        reason: reason(ReasonKind::Withdrawn, "patient-died"),
                    }),
                    (Action::Withdraw { .. }, _) => Some(Action::Withdraw {
                        reason: reason(ReasonKind::Withdrawn, "patient-withdrawn"),
                    }),
                    (_, Divergence::NotYetRequested) => None,
                    (Action::Clear, Divergence::DeniedWhilePatientCleared) if position == last => {
                        Some(Action::Deny {
                            reason: reason(ReasonKind::Denied, self.pick(DENIAL_CODES)),
                        })
                    }
                    (other, _) => Some(other.clone()),
                };
                if let Some(action) = mirrored {
                    case.apply(
                        action,
                        self.calendar.timestamp(minute + offset),
                        actor,
                        None,
                    )
                    .expect("a companion's line mirrors the legal line of their patient");
                }
            }
            cases.push(case);
        }
    }

    fn action(&mut self, step: &Move, day: Day, previous_day: Day) -> Action {
        match step {
            Move::List => Action::List,
            Move::RequestClearance => Action::RequestClearance,
            Move::Clear => Action::Clear,
            Move::Deny => Action::Deny {
                reason: reason(ReasonKind::Denied, self.pick(DENIAL_CODES)),
            },
            Move::Delay => {
                let needed_by = (day - self.rng.random_range(0..=5)).max(previous_day);
                Action::Delay {
                    needed_by: self.calendar.date(needed_by),
                    reason: reason(ReasonKind::Delayed, self.pick(DELAY_CODES)),
                }
            }
            Move::Resubmit => Action::Resubmit,
            Move::Schedule { on, crossing } => Action::Schedule {
                booking: Booking {
                    date: self.calendar.date(*on),
                    crossing: crossing_id(crossing),
                },
            },
            Move::Unschedule(kind, code) => Action::Unschedule {
                reason: reason(*kind, code),
            },
            Move::Cross(_) => Action::Cross,
            Move::Admit(facility) => Action::Admit {
                facility: facility.clone(),
            },
            Move::Return => Action::Return,
            Move::Die => Action::Die {
                on: self.calendar.date(day),
            },
            Move::Withdraw(code) => Action::Withdraw {
                reason: reason(ReasonKind::Withdrawn, code),
            },
        }
    }

    fn minute(&mut self, clock: &mut EventClock, day: Day) -> i64 {
        let spread = self.rng.random_range(0..180);
        let step = self.rng.random_range(1..=5);
        clock.minute_on(day, spread, step)
    }

    fn name(&mut self, sex: Sex, family: usize) -> PersonName {
        let given = if sex == Sex::Female {
            self.choose(FEMALE_GIVEN)
        } else {
            self.choose(MALE_GIVEN)
        };
        PersonName::parse(&format!("{given} {}", FAMILY[family]))
            .expect("names from the lists are short, non-empty plain text")
    }

    fn companion_family(&mut self, patient_family: usize, companion: &CompanionPlan) -> usize {
        if companion.same_family {
            patient_family
        } else {
            self.rng.random_range(0..FAMILY.len())
        }
    }

    fn birth_year(&self, age: i16) -> BirthYear {
        BirthYear::new(self.today().year() - age, self.today())
            .expect("ages are between 0 and 90, so birth years are between 1900 and today")
    }

    fn today(&self) -> jiff::civil::Date {
        self.calendar.date(0)
    }

    fn choose(&mut self, items: &[&'static str]) -> &'static str {
        items[self.rng.random_range(0..items.len())]
    }

    fn pick<T: Copy>(&mut self, options: &[(T, u32)]) -> T {
        pick(self.rng, options)
    }
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
