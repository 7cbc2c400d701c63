//! The standby list of a day and filling the places freed on it.
//!
//! The standby list is what the same rules would pick next: the day is
//! planned again without the parties already chosen (and without the beds
//! they hold), with the standby size as its places — so a party with
//! companions counts as its people, a child never stands by alone, and
//! every standby patient has a bed that is still free. Outbound, the exact
//! optimiser chooses; inbound, first registered, first served.
//!
//! Filling freed places runs the same planner again on the standby parties
//! alone, with the freed places as the day's places and the beds free at
//! the moment of filling: the best subset of the standby list that fits.

use std::collections::HashSet;

use corridor_domain::{DayRules, FacilityId, PersonId};

use crate::inbound::plan_inbound;
use crate::model::{DayPlan, InboundDay, OutboundDay, Overrides, Pick, PlanError};
use crate::{optimal, policy, prepare};

/// A party on the standby list, in rank order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandbyParty {
    /// The patient, or the returnee.
    pub person: PersonId,
    pub companions: Vec<PersonId>,
    /// Where an outbound patient would be received, with a bed free when
    /// the list was made.
    pub facility: Option<FacilityId>,
    /// The party's priority score ([`policy::party_value`]); 0 inbound.
    pub score: u64,
    /// Why the party is on the list, as the planner explains a pick.
    pub reason: String,
}

impl StandbyParty {
    /// The places the party takes: the head and the companions.
    pub fn people(&self) -> u32 {
        1 + u32::try_from(self.companions.len()).unwrap_or(u32::MAX - 1)
    }
}

/// The outbound standby list of a day planned as `plan`: the best parties
/// not picked that fit in `size` places and the beds the picks leave, in
/// priority order (the highest priority value first, then the earlier
/// referral, then the lower id).
pub fn standby_outbound(
    day: &OutboundDay,
    plan: &DayPlan,
    size: u32,
) -> Result<Vec<StandbyParty>, PlanError> {
    let picked: HashSet<&PersonId> = plan.picks.iter().map(|pick| &pick.person).collect();
    let mut rest = day_without(day, |patient| !picked.contains(patient));
    for pick in &plan.picks {
        let specialty = day
            .candidates
            .iter()
            .find(|c| c.patient == pick.person)
            .map(|c| c.specialty);
        if let (Some(facility), Some(specialty)) = (&pick.facility, specialty)
            && let Some(pool) = rest
                .beds
                .iter_mut()
                .find(|b| b.facility == *facility && b.specialty == specialty && b.free > 0)
        {
            pool.free -= 1;
        }
    }
    rest.rules = DayRules {
        quota: size,
        cap: None,
        ..day.rules.clone()
    };
    let standby = optimal::plan(prepare::prepare(&rest)?);
    Ok(ranked_outbound(&rest, standby.picks))
}

/// The best subset of the outbound standby parties (named by patient) that
/// fits `freed_places` and the free beds of `day`, chosen by the exact
/// optimiser as the day plan is. `day` carries the beds free now; its
/// candidates not on standby are ignored. The plan's picks are the fill.
pub fn fill_outbound(
    day: &OutboundDay,
    freed_places: u32,
    standby: &[PersonId],
) -> Result<DayPlan, PlanError> {
    let on_standby: HashSet<&PersonId> = standby.iter().collect();
    let mut fill = day_without(day, |patient| on_standby.contains(patient));
    fill.rules = DayRules {
        quota: freed_places,
        cap: None,
        ..day.rules.clone()
    };
    Ok(optimal::plan(prepare::prepare(&fill)?))
}

/// The inbound standby list of a day planned as `plan`: the returnees not
/// picked who come next, first registered, first served, up to `size`.
pub fn standby_inbound(
    day: &InboundDay,
    plan: &DayPlan,
    size: u32,
) -> Result<Vec<StandbyParty>, PlanError> {
    let picked: HashSet<&PersonId> = plan.picks.iter().map(|pick| &pick.person).collect();
    let rest = inbound_without(day, size, |person| !picked.contains(person));
    Ok(plan_inbound(&rest)?
        .picks
        .into_iter()
        .map(standby_party)
        .collect())
}

/// The inbound standby returnees who fill `freed_places`, in the order of
/// the inbound rule (first registered, first served).
pub fn fill_inbound(
    day: &InboundDay,
    freed_places: u32,
    standby: &[PersonId],
) -> Result<DayPlan, PlanError> {
    let on_standby: HashSet<&PersonId> = standby.iter().collect();
    plan_inbound(&inbound_without(day, freed_places, |person| {
        on_standby.contains(person)
    }))
}

/// The day with only the candidates `keep` accepts, and the coordinator's
/// removals that concern them (inclusions were honoured by the day plan).
fn day_without(day: &OutboundDay, keep: impl Fn(&PersonId) -> bool) -> OutboundDay {
    let candidates: Vec<_> = day
        .candidates
        .iter()
        .filter(|c| keep(&c.patient))
        .cloned()
        .collect();
    let known: HashSet<&PersonId> = candidates
        .iter()
        .flat_map(|c| std::iter::once(&c.patient).chain(&c.companions))
        .collect();
    let exclude = day
        .overrides
        .exclude
        .iter()
        .filter(|(person, _)| known.contains(person))
        .cloned()
        .collect();
    OutboundDay {
        rules: day.rules.clone(),
        beds: day.beds.clone(),
        next_free_bed: day.next_free_bed.clone(),
        overrides: Overrides {
            exclude,
            ..Overrides::default()
        },
        candidates,
    }
}

fn inbound_without(day: &InboundDay, quota: u32, keep: impl Fn(&PersonId) -> bool) -> InboundDay {
    InboundDay {
        date: day.date,
        quota,
        candidates: day
            .candidates
            .iter()
            .filter(|r| keep(&r.person))
            .cloned()
            .collect(),
        overrides: Overrides {
            exclude: day
                .overrides
                .exclude
                .iter()
                .filter(|(person, _)| {
                    day.candidates
                        .iter()
                        .any(|r| r.person == *person && keep(person))
                })
                .cloned()
                .collect(),
            ..Overrides::default()
        },
    }
}

/// Picks in priority order, as standby parties.
fn ranked_outbound(day: &OutboundDay, picks: Vec<Pick>) -> Vec<StandbyParty> {
    let mut keyed: Vec<(u128, Pick)> = picks
        .into_iter()
        .map(|pick| {
            let key = day
                .candidates
                .iter()
                .find(|c| c.patient == pick.person)
                .map_or(u128::MAX, |c| {
                    let waited = policy::days_waited(c.referral_date, day.rules.date);
                    let value = policy::value(c.tier, waited, c.is_child);
                    prepare::priority_key(value, c.referral_date, &c.patient)
                });
            (key, pick)
        })
        .collect();
    keyed.sort_by(|(a, first), (b, second)| a.cmp(b).then(first.person.cmp(&second.person)));
    keyed
        .into_iter()
        .map(|(_, pick)| standby_party(pick))
        .collect()
}

fn standby_party(pick: Pick) -> StandbyParty {
    StandbyParty {
        person: pick.person,
        companions: pick.companions,
        facility: pick.facility,
        score: pick.value,
        reason: pick.reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BedPool, Candidate, Returnee};
    use crate::{Method, plan_outbound};
    use corridor_domain::{CrossingId, Direction, Specialty, Tier};
    use jiff::ToSpan;
    use jiff::civil::{Date, date};
    use proptest::prelude::*;

    const DAY: Date = date(2026, 2, 3);

    fn id(text: &str) -> PersonId {
        PersonId::parse(text).unwrap()
    }

    fn patient(name: &str, tier: Tier, waited: i64, companions: &[&str]) -> Candidate {
        Candidate {
            patient: id(name),
            tier,
            referral_date: DAY.checked_sub(waited.days()).unwrap(),
            is_child: false,
            specialty: Specialty::ALL[0],
            return_guarantee: false,
            companions: companions.iter().map(|c| id(c)).collect(),
            companions_not_cleared: 0,
        }
    }

    fn day(quota: u32, candidates: Vec<Candidate>, beds: u32) -> OutboundDay {
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
            beds: vec![BedPool {
                facility: FacilityId::parse("eg-arish").unwrap(),
                specialty: Specialty::ALL[0],
                free: beds,
                requires_return_guarantee: false,
            }],
            next_free_bed: Vec::new(),
            overrides: Overrides::default(),
        }
    }

    fn names(parties: &[StandbyParty]) -> Vec<&str> {
        parties.iter().map(|p| p.person.as_str()).collect()
    }

    #[test]
    fn standby_is_who_comes_next_and_companions_count() {
        let day = day(
            2,
            vec![
                patient("P-1", Tier::Critical, 10, &[]),
                patient("P-2", Tier::Critical, 5, &[]),
                patient("P-3", Tier::Routine, 300, &["C-3"]),
                patient("P-4", Tier::Urgent, 100, &[]),
                patient("P-5", Tier::Routine, 10, &[]),
            ],
            10,
        );
        let plan = plan_outbound(&day, Method::Optimal).unwrap();
        let standby = standby_outbound(&day, &plan, 3).unwrap();
        // P-1 and P-2 travel; of the rest, three places hold P-4 and P-3's
        // party of two (more value than P-4 and P-5).
        assert_eq!(names(&standby), ["P-4", "P-3"]);
        assert_eq!(standby[1].people(), 2);
        assert!(standby[0].score > 0);
        assert!(
            standby[0].reason.contains("urgent"),
            "{}",
            standby[0].reason
        );
        assert_eq!(
            standby[0].facility.as_ref().map(FacilityId::as_str),
            Some("eg-arish")
        );
    }

    #[test]
    fn standby_parties_need_a_bed_the_picks_left() {
        let day = day(
            1,
            vec![
                patient("P-1", Tier::Critical, 10, &[]),
                patient("P-2", Tier::Urgent, 5, &[]),
            ],
            1,
        );
        let plan = plan_outbound(&day, Method::Optimal).unwrap();
        assert_eq!(plan.picks.len(), 1);
        assert!(standby_outbound(&day, &plan, 3).unwrap().is_empty());
    }

    #[test]
    fn a_fill_takes_the_best_standby_parties_that_fit() {
        let day = day(
            5,
            vec![
                patient("P-3", Tier::Routine, 300, &["C-3"]),
                patient("P-4", Tier::Urgent, 100, &[]),
                patient("P-5", Tier::Routine, 10, &[]),
                patient("P-6", Tier::Critical, 1, &[]),
            ],
            10,
        );
        let standby = [id("P-3"), id("P-4"), id("P-5")];
        let fill = fill_outbound(&day, 2, &standby).unwrap();
        let mut picked: Vec<&str> = fill.picks.iter().map(|p| p.person.as_str()).collect();
        picked.sort();
        // P-6 is not on standby; two places hold P-4 and P-5, worth more
        // than P-3's party of two (routine, waited 300 days).
        assert_eq!(picked, ["P-4", "P-5"]);
        let one_bed = OutboundDay {
            beds: vec![BedPool {
                free: 1,
                ..day.beds[0].clone()
            }],
            ..day.clone()
        };
        let fill = fill_outbound(&one_bed, 2, &[id("P-3"), id("P-5")]).unwrap();
        assert_eq!(fill.picks.len(), 1);
        assert_eq!(fill.picks[0].person.as_str(), "P-3");
        assert_eq!(fill.places_used, 2);
        assert!(fill_outbound(&day, 0, &standby).unwrap().picks.is_empty());
    }

    #[test]
    fn inbound_standby_is_first_registered_first_served() {
        let returnee = |name: &str, days: i64| Returnee {
            person: id(name),
            registered_on: DAY.checked_sub(days.days()).unwrap(),
            is_child: false,
        };
        let day = InboundDay {
            date: DAY,
            quota: 1,
            candidates: vec![
                returnee("R-1", 30),
                returnee("R-2", 10),
                returnee("R-3", 20),
                returnee("R-4", 5),
            ],
            overrides: Overrides::default(),
        };
        let plan = plan_inbound(&day).unwrap();
        let standby = standby_inbound(&day, &plan, 2).unwrap();
        assert_eq!(names(&standby), ["R-3", "R-2"]);
        let fill = fill_inbound(&day, 1, &[id("R-2"), id("R-3")]).unwrap();
        assert_eq!(fill.picks[0].person.as_str(), "R-3");
        assert_eq!(fill.picks.len(), 1);
    }

    proptest! {
        #[test]
        fn a_fill_never_exceeds_the_freed_places_or_the_beds(
            parties in proptest::collection::vec((0u8..3, 0i64..800, 0usize..3), 0..12),
            freed in 0u32..8,
            beds in 0u32..6,
        ) {
            let candidates: Vec<Candidate> = parties
                .iter()
                .enumerate()
                .map(|(n, (tier, waited, companions))| {
                    let name = format!("P-{n}");
                    let companions: Vec<String> =
                        (0..*companions).map(|c| format!("C-{n}-{c}")).collect();
                    let refs: Vec<&str> = companions.iter().map(String::as_str).collect();
                    patient(&name, Tier::ALL[usize::from(*tier)], *waited, &refs)
                })
                .collect();
            let standby: Vec<PersonId> = candidates.iter().map(|c| c.patient.clone()).collect();
            let day = day(50, candidates, beds);
            let fill = fill_outbound(&day, freed, &standby).unwrap();
            let people: u32 = fill.picks.iter().map(|p| 1 + p.companions.len() as u32).sum();
            prop_assert!(people <= freed);
            prop_assert!(fill.picks.len() as u32 <= beds);
            prop_assert!(fill.picks.iter().all(|p| standby.contains(&p.person)));
        }
    }
}
