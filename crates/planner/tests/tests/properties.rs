//! Random days, people and beds: the plan keeps every rule, the optimiser is
//! never worse than greedy, and on tiny days it equals a brute-force optimum.

use corridor_domain::DayCap;
use corridor_domain::{Specialty, Tier};
use corridor_planner::{DayPlan, Method, OutboundDay, Pick, PlanError, plan_outbound};
use proptest::prelude::*;

use crate::*;

const SPECIALTIES: [Specialty; 3] = [
    Specialty::Oncology,
    Specialty::Cardiology,
    Specialty::Orthopaedics,
];

/// (tier, days waited, child, specialty, guarantee, cleared companions, awaiting clearance)
type PatientSeed = (usize, i64, bool, usize, bool, usize, u32);
/// (requires a guarantee, free beds per specialty)
type FacilitySeed = (bool, [u32; 3]);

fn days(max_patients: usize) -> impl Strategy<Value = OutboundDay> {
    let patient = (
        0..3usize,
        0..1000i64,
        any::<bool>(),
        0..3usize,
        any::<bool>(),
        0..4usize,
        0..2u32,
    );
    let facility = (any::<bool>(), [0..4u32, 0..4u32, 0..4u32]);
    (
        proptest::collection::vec(patient, 0..=max_patients),
        proptest::collection::vec(facility, 0..=4),
        0..10u32,
        0..3u32,
        proptest::option::of(0..10u32),
        proptest::collection::vec(any::<prop::sample::Index>(), 0..3),
        proptest::collection::vec(any::<prop::sample::Index>(), 0..3),
    )
        .prop_map(
            |(patients, facilities, quota, max_companions, cap, include, exclude)| {
                build(
                    &patients,
                    &facilities,
                    quota,
                    max_companions,
                    cap,
                    &include,
                    &exclude,
                )
            },
        )
}

fn build(
    patients: &[PatientSeed],
    facilities: &[FacilitySeed],
    quota: u32,
    max_companions: u32,
    cap: Option<u32>,
    include: &[prop::sample::Index],
    exclude: &[prop::sample::Index],
) -> OutboundDay {
    let tiers = [Tier::Critical, Tier::Urgent, Tier::Routine];
    let candidates: Vec<Candidate> = patients
        .iter()
        .enumerate()
        .map(
            |(n, &(tier, waited, child, specialty, guarantee, companions, awaiting))| {
                let name = format!("P-{n:02}");
                let companions: Vec<String> =
                    (0..companions).map(|c| format!("{name}-{c}")).collect();
                let companions: Vec<&str> = companions.iter().map(String::as_str).collect();
                let mut candidate = patient(&name, tiers[tier], waited, SPECIALTIES[specialty])
                    .with(&companions)
                    .awaiting(awaiting);
                candidate.is_child = child;
                candidate.return_guarantee = guarantee;
                candidate
            },
        )
        .collect();
    let mut pools = Vec::new();
    for (n, (requires, free)) in facilities.iter().enumerate() {
        for (specialty, free) in SPECIALTIES.iter().zip(free) {
            let mut pool = beds(&format!("f-{n}"), *specialty, *free);
            pool.requires_return_guarantee = *requires;
            pools.push(pool);
        }
    }
    let mut day = day(quota, candidates, pools);
    day.rules.max_companions = max_companions;
    day.rules.cap = cap.map(|places| DayCap {
        places,
        reason: "entries must equal exits".to_string(),
    });
    let everyone: Vec<PersonId> = day
        .candidates
        .iter()
        .flat_map(|c| std::iter::once(c.patient.clone()).chain(c.companions.iter().cloned()))
        .collect();
    if !everyone.is_empty() {
        for index in exclude {
            let person = index.get(&everyone).clone();
            if !day.overrides.exclude.iter().any(|(p, _)| *p == person) {
                day.overrides.exclude.push((person, "not fit".to_string()));
            }
        }
    }
    if !day.candidates.is_empty() {
        for index in include {
            let person = index.get(&day.candidates).patient.clone();
            let named = |list: &Vec<(PersonId, String)>| list.iter().any(|(p, _)| *p == person);
            if !named(&day.overrides.include) && !named(&day.overrides.exclude) {
                day.overrides.include.push((person, "booked".to_string()));
            }
        }
    }
    day
}

/// The best total value over every set of patients that fits, found by
/// trying them all, with beds matched by augmenting paths. `None` if no set
/// holds everyone the coordinator included.
fn brute_force(day: &OutboundDay) -> Option<u64> {
    let excluded: Vec<&PersonId> = day.overrides.exclude.iter().map(|(p, _)| p).collect();
    let places = day
        .rules
        .cap
        .as_ref()
        .map_or(day.rules.quota, |c| c.places.min(day.rules.quota));
    // (value, places, specialty, guarantee, included)
    let mut parties = Vec::new();
    for candidate in &day.candidates {
        let included = day
            .overrides
            .include
            .iter()
            .any(|(p, _)| *p == candidate.patient);
        let travelling = candidate
            .companions
            .iter()
            .filter(|c| !excluded.contains(c))
            .count()
            .min(day.rules.max_companions as usize) as u32;
        if excluded.contains(&&candidate.patient) || (candidate.is_child && travelling == 0) {
            if included {
                return None;
            }
            continue;
        }
        let value = policy::party_value(
            policy::value(
                candidate.tier,
                policy::days_waited(candidate.referral_date, day.rules.date),
                candidate.is_child,
            ),
            1 + travelling,
        );
        parties.push((
            value,
            1 + travelling,
            candidate.specialty,
            candidate.return_guarantee,
            included,
        ));
    }
    // One slot per free bed: (specialty, requires a guarantee).
    let slots: Vec<(Specialty, bool)> = day
        .beds
        .iter()
        .flat_map(|b| {
            std::iter::repeat_n((b.specialty, b.requires_return_guarantee), b.free as usize)
        })
        .collect();
    let mut best = None;
    for set in 0u32..(1 << parties.len()) {
        let chosen: Vec<_> = (0..parties.len())
            .filter(|i| set & (1 << i) != 0)
            .map(|i| parties[i])
            .collect();
        let all_included = parties
            .iter()
            .enumerate()
            .all(|(i, p)| !p.4 || set & (1 << i) != 0);
        let used: u32 = chosen.iter().map(|p| p.1).sum();
        if !all_included || used > places {
            continue;
        }
        let wants: Vec<(Specialty, bool)> = chosen.iter().map(|p| (p.2, p.3)).collect();
        if !matches_all(&wants, &slots) {
            continue;
        }
        let value: u64 = chosen.iter().map(|p| p.0).sum();
        if best.is_none_or(|b| value > b) {
            best = Some(value);
        }
    }
    best
}

fn matches_all(wants: &[(Specialty, bool)], slots: &[(Specialty, bool)]) -> bool {
    fn augment(
        patient: usize,
        wants: &[(Specialty, bool)],
        slots: &[(Specialty, bool)],
        owner: &mut [Option<usize>],
        seen: &mut [bool],
    ) -> bool {
        for slot in 0..slots.len() {
            let (specialty, requires) = slots[slot];
            if seen[slot] || specialty != wants[patient].0 || (requires && !wants[patient].1) {
                continue;
            }
            seen[slot] = true;
            if owner[slot].is_none_or(|other| augment(other, wants, slots, owner, seen)) {
                owner[slot] = Some(patient);
                return true;
            }
        }
        false
    }
    let mut owner = vec![None; slots.len()];
    (0..wants.len()).all(|patient| {
        let mut seen = vec![false; slots.len()];
        augment(patient, wants, slots, &mut owner, &mut seen)
    })
}

/// The optimiser says a place or a bed "went to people ahead" only if no
/// pick of lower priority (the patient's value, not the party's) holds one,
/// when room could be made at all; otherwise the patient is `Outweighed`.
/// Picks the coordinator included are not the optimiser's choice and do not
/// count.
fn check_resources_went_ahead(day: &OutboundDay, plan: &DayPlan) {
    let priority = |candidate: &Candidate| {
        policy::value(
            candidate.tier,
            policy::days_waited(candidate.referral_date, day.rules.date),
            candidate.is_child,
        )
    };
    let find = |person: &PersonId| {
        day.candidates
            .iter()
            .find(|c| &c.patient == person)
            .expect("a candidate")
    };
    let chosen: Vec<(&Candidate, &Pick)> = plan
        .picks
        .iter()
        .filter(|pick| !day.overrides.include.iter().any(|(p, _)| *p == pick.person))
        .map(|pick| (find(&pick.person), pick))
        .collect();
    // The places the optimiser chose over: what the inclusions left.
    let places: u32 = plan.places_available
        - plan
            .picks
            .iter()
            .filter(|pick| day.overrides.include.iter().any(|(p, _)| *p == pick.person))
            .map(|pick| 1 + pick.companions.len() as u32)
            .sum::<u32>();
    for left in &plan.left_out {
        let Some(candidate) = day.candidates.iter().find(|c| c.patient == left.person) else {
            continue; // a companion
        };
        let behind = |holds: &dyn Fn(&Candidate, &Pick) -> bool| {
            chosen
                .iter()
                .any(|(other, pick)| holds(other, pick) && priority(other) < priority(candidate))
        };
        match &left.reason {
            LeftOutReason::QuotaFull { needed, .. } | LeftOutReason::Capped { needed, .. }
                if *needed <= places =>
            {
                assert!(
                    !behind(&|_, _| true),
                    "{}: {}\n{}",
                    left.person,
                    left.reason,
                    render(plan)
                );
            }
            LeftOutReason::BedsTaken { .. } => {
                // A bed the patient could take: same specialty, and open
                // unless the patient has a guarantee. Skip a facility with
                // both kinds of pool for the specialty: the pick's bed is
                // not known.
                let holds = |other: &Candidate, pick: &Pick| {
                    let at = pick.facility.as_ref().expect("a facility");
                    let pools: Vec<&BedPool> = day
                        .beds
                        .iter()
                        .filter(|b| &b.facility == at && b.specialty == other.specialty)
                        .filter(|b| b.free > 0)
                        .collect();
                    other.specialty == candidate.specialty
                        && (candidate.return_guarantee
                            || pools.iter().all(|b| !b.requires_return_guarantee))
                };
                if party_places(day, candidate) <= places {
                    assert!(
                        !behind(&holds),
                        "{}: {}\n{}",
                        left.person,
                        left.reason,
                        render(plan)
                    );
                }
            }
            _ => {}
        }
    }
}

/// The places a candidate's party takes.
fn party_places(day: &OutboundDay, candidate: &Candidate) -> u32 {
    let excluded: Vec<&PersonId> = day.overrides.exclude.iter().map(|(p, _)| p).collect();
    1 + candidate
        .companions
        .iter()
        .filter(|c| !excluded.contains(c))
        .count()
        .min(day.rules.max_companions as usize) as u32
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn plans_keep_every_rule_and_the_optimum_is_never_below_greedy(day in days(30)) {
        let optimal = plan_outbound(&day, Method::Optimal);
        let greedy = plan_outbound(&day, Method::Greedy);
        match (&optimal, &greedy) {
            (Ok(optimal), Ok(greedy)) => {
                check_plan(&day, optimal);
                check_plan(&day, greedy);
                check_resources_went_ahead(&day, optimal);
                prop_assert!(optimal.objective >= greedy.objective);
                let mut reversed = day.clone();
                reversed.candidates.reverse();
                reversed.beds.reverse();
                prop_assert_eq!(&plan(&reversed, Method::Optimal), optimal);
                prop_assert_eq!(&plan(&reversed, Method::Greedy), greedy);
            }
            // Only an inclusion can make a day unplannable here, and then for both methods.
            (Err(PlanError::DoesNotFit { .. }), Err(PlanError::DoesNotFit { .. })) => {
                prop_assert!(!day.overrides.include.is_empty());
                prop_assert_eq!(optimal, greedy);
            }
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }

    #[test]
    fn the_optimum_equals_brute_force_on_tiny_days(day in days(10)) {
        match (plan_outbound(&day, Method::Optimal), brute_force(&day)) {
            (Ok(plan), Some(best)) => prop_assert_eq!(plan.objective, best),
            (Err(PlanError::DoesNotFit { .. }), None) => {}
            other => prop_assert!(false, "planner and brute force disagree: {:?}", other),
        }
    }
}
