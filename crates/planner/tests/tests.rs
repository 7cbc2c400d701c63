//! The one integration-test binary of corridor-planner; its modules live in
//! `tests/tests/` so that Cargo does not build each as its own binary.

#[path = "tests/fixtures.rs"]
mod fixtures;
#[path = "tests/inbound.rs"]
mod inbound;
#[path = "tests/properties.rs"]
mod properties;

use std::collections::{HashMap, HashSet};

use corridor_domain::{CrossingId, DayRules, Direction, FacilityId, PersonId, Specialty, Tier};
use corridor_planner::{
    BedPool, Candidate, DayPlan, LeftOutReason, Method, OutboundDay, Overrides, plan_outbound,
    policy,
};
use jiff::ToSpan;
use jiff::civil::{Date, date};

pub const DAY: Date = date(2026, 2, 3);

pub fn id(text: &str) -> PersonId {
    PersonId::parse(text).unwrap()
}

pub fn facility(text: &str) -> FacilityId {
    FacilityId::parse(text).unwrap()
}

/// An adult patient without companions or guarantee, referred `waited` days before [`DAY`].
pub fn patient(name: &str, tier: Tier, waited: i64, specialty: Specialty) -> Candidate {
    Candidate {
        patient: id(name),
        tier,
        referral_date: DAY.checked_sub(waited.days()).unwrap(),
        is_child: false,
        specialty,
        return_guarantee: false,
        companions: Vec::new(),
        companions_not_cleared: 0,
    }
}

pub trait CandidateExt {
    fn child(self) -> Candidate;
    fn guarantee(self) -> Candidate;
    fn with(self, companions: &[&str]) -> Candidate;
    fn awaiting(self, companions: u32) -> Candidate;
}

impl CandidateExt for Candidate {
    fn child(mut self) -> Candidate {
        self.is_child = true;
        self
    }
    fn guarantee(mut self) -> Candidate {
        self.return_guarantee = true;
        self
    }
    fn with(mut self, companions: &[&str]) -> Candidate {
        self.companions = companions.iter().map(|c| id(c)).collect();
        self
    }
    fn awaiting(mut self, companions: u32) -> Candidate {
        self.companions_not_cleared = companions;
        self
    }
}

pub fn beds(at: &str, specialty: Specialty, free: u32) -> BedPool {
    BedPool {
        facility: facility(at),
        specialty,
        free,
        requires_return_guarantee: false,
    }
}

pub fn guarantee_beds(at: &str, specialty: Specialty, free: u32) -> BedPool {
    BedPool {
        requires_return_guarantee: true,
        ..beds(at, specialty, free)
    }
}

pub fn day(quota: u32, candidates: Vec<Candidate>, beds: Vec<BedPool>) -> OutboundDay {
    OutboundDay {
        rules: DayRules {
            crossing: CrossingId::parse("rafah").unwrap(),
            date: DAY,
            direction: Direction::Outbound,
            quota,
            cap: None,
            max_companions: 2,
        },
        candidates,
        beds,
        next_free_bed: Vec::new(),
        overrides: Overrides::default(),
    }
}

pub fn plan(day: &OutboundDay, method: Method) -> DayPlan {
    match plan_outbound(day, method) {
        Ok(plan) => plan,
        Err(error) => panic!("the day should plan: {error}"),
    }
}

pub fn picked(plan: &DayPlan) -> Vec<&str> {
    plan.picks.iter().map(|pick| pick.person.as_str()).collect()
}

/// The reason given for a person left out.
pub fn why(plan: &DayPlan, person: &str) -> String {
    plan.left_out
        .iter()
        .find(|left| left.person.as_str() == person)
        .map(|left| left.reason.to_string())
        .unwrap_or_else(|| panic!("{person} is not left out"))
}

/// The plan as text, for snapshots.
pub fn render(plan: &DayPlan) -> String {
    let mut out = format!(
        "places {}/{}, objective {}\n",
        plan.places_used, plan.places_available, plan.objective
    );
    for note in &plan.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    for pick in &plan.picks {
        let companions: Vec<&str> = pick.companions.iter().map(|c| c.as_str()).collect();
        out.push_str(&format!(
            "+ {} [{}] {}: {}\n",
            pick.person,
            companions.join(" "),
            pick.value,
            pick.reason
        ));
    }
    for left in &plan.left_out {
        out.push_str(&format!("- {}: {}\n", left.person, left.reason));
    }
    out
}

/// Every rule a plan must keep, checked from the day and the plan alone.
pub fn check_plan(day: &OutboundDay, plan: &DayPlan) {
    // The manifest rules the store checks again at confirmation.
    let breaks = corridor_domain::check_manifest(&day.rules, &day.proposal(plan));
    assert!(breaks.is_empty(), "the plan breaks {breaks:?}");
    let places = day
        .rules
        .cap
        .as_ref()
        .map_or(day.rules.quota, |cap| cap.places.min(day.rules.quota));
    assert_eq!(plan.places_available, places);
    let used: u32 = plan
        .picks
        .iter()
        .map(|p| 1 + p.companions.len() as u32)
        .sum();
    assert_eq!(plan.places_used, used);
    assert!(used <= places, "{used} places used of {places}");

    let excluded: HashSet<&PersonId> = day.overrides.exclude.iter().map(|(p, _)| p).collect();
    let candidates: HashMap<&PersonId, &Candidate> =
        day.candidates.iter().map(|c| (&c.patient, c)).collect();
    let mut seen = HashSet::new();
    let mut taken: HashMap<(FacilityId, Specialty), u32> = HashMap::new();
    let mut objective = 0;
    for pick in &plan.picks {
        let candidate = candidates
            .get(&pick.person)
            .unwrap_or_else(|| panic!("{} picked but not a candidate", pick.person));
        assert!(
            !excluded.contains(&pick.person),
            "{} was removed",
            pick.person
        );
        // All or nothing: exactly the companions who may travel go.
        let travelling: Vec<PersonId> = candidate
            .companions
            .iter()
            .filter(|c| !excluded.contains(c))
            .take(day.rules.max_companions as usize)
            .cloned()
            .collect();
        assert_eq!(pick.companions, travelling, "companions of {}", pick.person);
        if candidate.is_child {
            assert!(!pick.companions.is_empty(), "child {} alone", pick.person);
        }
        for person in std::iter::once(&pick.person).chain(&pick.companions) {
            assert!(seen.insert(person.clone()), "{person} twice");
        }
        let at = pick
            .facility
            .clone()
            .expect("an outbound pick has a facility");
        let pools: Vec<&BedPool> = day
            .beds
            .iter()
            .filter(|b| b.facility == at && b.specialty == candidate.specialty)
            .collect();
        assert!(
            !pools.is_empty(),
            "{} sent to {at} without beds",
            pick.person
        );
        if pools.iter().all(|b| b.requires_return_guarantee) {
            assert!(
                candidate.return_guarantee,
                "{} has no guarantee for {at}",
                pick.person
            );
        }
        *taken.entry((at, candidate.specialty)).or_default() += 1;
        // A party is worth the patient's priority for each person in it.
        let value = policy::value(
            candidate.tier,
            policy::days_waited(candidate.referral_date, day.rules.date),
            candidate.is_child,
        ) * (1 + travelling.len() as u64);
        assert_eq!(pick.value, value, "value of {}", pick.person);
        objective += value;
    }
    assert_eq!(plan.objective, objective);
    for ((at, specialty), count) in taken {
        let free: u32 = day
            .beds
            .iter()
            .filter(|b| b.facility == at && b.specialty == specialty)
            .map(|b| b.free)
            .sum();
        assert!(
            count <= free,
            "{at} {specialty}: {count} placed, {free} free"
        );
    }
    for (person, _) in &day.overrides.include {
        assert!(
            plan.picks.iter().any(|p| &p.person == person),
            "{person} included"
        );
    }
    let unused = plan.places_available - plan.places_used;
    for left in &plan.left_out {
        assert!(seen.insert(left.person.clone()), "{} twice", left.person);
        // Places reasons are true: short when given, and never fewer left
        // than remain at the end.
        match left.reason {
            LeftOutReason::QuotaFull {
                needed,
                left: places_left,
            }
            | LeftOutReason::Capped {
                needed,
                left: places_left,
                ..
            } => {
                assert!(needed > places_left, "{}: {}", left.person, left.reason);
                assert!(places_left >= unused, "{}: {}", left.person, left.reason);
            }
            LeftOutReason::Outweighed { places_left, .. } => assert_eq!(places_left, unused),
            _ => {}
        }
    }
    for candidate in &day.candidates {
        assert!(
            seen.contains(&candidate.patient),
            "{} missing",
            candidate.patient
        );
        let patient_out = plan.left_out.iter().any(|l| l.person == candidate.patient);
        for companion in &candidate.companions {
            assert!(
                seen.contains(companion) || patient_out,
                "companion {companion} missing"
            );
        }
    }
}
