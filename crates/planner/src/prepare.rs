//! What both outbound methods share: checking the day, working out who can
//! travel and with whom, the bed pools, the coordinator's overrides, the
//! reasons for leaving someone out, and the plan's final assembly.

use std::cmp::Ordering;
use std::collections::HashMap;

use corridor_domain::{FacilityId, PersonId, Specialty};

use crate::model::{
    Candidate, DayPlan, LeftOut, LeftOutReason, OutboundDay, OverrideList, Pick, PlanError, count,
};
use crate::policy;

/// A patient who can travel on the day: not removed, and not a child alone.
#[derive(Debug, Clone)]
pub(crate) struct Patient {
    /// Index into `OutboundDay::candidates`.
    pub candidate: usize,
    /// Priority order: see [`priority_key`].
    pub key: u128,
    /// The patient's priority value ([`policy::value`]), which orders patients.
    pub priority: u64,
    /// The party's value ([`policy::party_value`]), which the optimiser maximises.
    pub value: u64,
    pub days_waited: i64,
    /// The patient and the companions who travel with them.
    pub places: u32,
    /// Index into `Specialty::ALL`.
    pub specialty: usize,
    pub guarantee: bool,
}

/// Free beds at one facility for one specialty.
#[derive(Debug, Clone)]
pub(crate) struct Pool {
    pub facility: FacilityId,
    pub requires_guarantee: bool,
    pub free: u32,
}

/// The bed pools of one specialty, in facility id order, and what was free
/// before anyone was placed.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpecialtyBeds {
    pub pools: Vec<Pool>,
    /// Free beds open to any patient, before the plan.
    pub open_total: u32,
    /// Free beds that require a return guarantee, before the plan.
    pub guarantee_total: u32,
}

impl SpecialtyBeds {
    /// Free beds left that do not require a guarantee.
    pub fn open_left(&self) -> u32 {
        self.pools
            .iter()
            .filter(|pool| !pool.requires_guarantee)
            .map(|pool| pool.free)
            .sum()
    }

    /// Free beds left of any kind.
    pub fn all_left(&self) -> u32 {
        self.pools.iter().map(|pool| pool.free).sum()
    }

    /// Beds left that a patient with (or without) a guarantee could take,
    /// when beds are placed by [`SpecialtyBeds::place`].
    pub fn left_for(&self, guarantee: bool) -> u32 {
        if guarantee {
            self.all_left()
        } else {
            self.open_left()
        }
    }

    /// Places a patient in the bed that keeps the most room for others: a
    /// patient with a guarantee takes a guarantee-requiring bed while there is
    /// one, so that the open beds stay for patients without a guarantee. Placed
    /// this way, patients fit exactly when the open beds hold those without a
    /// guarantee and all beds hold everyone, whatever the order of placing.
    /// Returns the facility and whether its bed requires a guarantee.
    pub fn place(&mut self, guarantee: bool) -> Option<(FacilityId, bool)> {
        self.place_where(guarantee, |_| true)
    }

    /// Places a patient at the facility the coordinator chose, in the bed
    /// there that keeps the most room for others, as [`SpecialtyBeds::place`].
    pub fn place_at(
        &mut self,
        facility: &FacilityId,
        guarantee: bool,
    ) -> Option<(FacilityId, bool)> {
        self.place_where(guarantee, |pool| pool.facility == *facility)
    }

    fn place_where(
        &mut self,
        guarantee: bool,
        allowed: impl Fn(&Pool) -> bool,
    ) -> Option<(FacilityId, bool)> {
        let free = |requires_guarantee: bool| {
            self.pools.iter().position(|pool| {
                pool.requires_guarantee == requires_guarantee && pool.free > 0 && allowed(pool)
            })
        };
        let position = if guarantee {
            free(true).or_else(|| free(false))
        } else {
            free(false)
        }?;
        let pool = &mut self.pools[position];
        pool.free -= 1;
        Some((pool.facility.clone(), pool.requires_guarantee))
    }

    /// The greedy baseline's rule: the first facility in id order with a
    /// free bed the patient may take.
    pub fn place_first(&mut self, guarantee: bool) -> Option<FacilityId> {
        let pool = self
            .pools
            .iter_mut()
            .find(|pool| pool.free > 0 && (guarantee || !pool.requires_guarantee))?;
        pool.free -= 1;
        Some(pool.facility.clone())
    }
}

/// The day after the checks and the coordinator's inclusions.
pub(crate) struct Prepared<'a> {
    pub day: &'a OutboundDay,
    /// min(quota, cap).
    pub places: u32,
    /// Places left after the included patients.
    pub places_left: u32,
    /// Patients who can travel, neither included nor removed.
    pub patients: Vec<Patient>,
    /// Included patients in the coordinator's order, with their facility.
    pub included: Vec<(Patient, FacilityId, &'a str)>,
    /// Bed pools per specialty (index into `Specialty::ALL`), after the
    /// included patients took theirs.
    pub beds: Vec<SpecialtyBeds>,
    /// People left out before any choice (removed, children alone,
    /// companions beyond the limit), each with the priority key and index
    /// of their candidate, and 0 for the patient or 1 + position for a companion.
    left_out: Vec<(u128, usize, usize, LeftOut)>,
    excluded: HashMap<&'a PersonId, &'a str>,
}

/// Orders patients by priority: higher priority value (the patient's, not
/// the party's) first, then the earlier referral, then the id's first 8
/// bytes; equal keys are ordered by the full id. Comparing one integer keeps the sorts of 100,000 candidates fast
/// (values stay far below 2^32; ids are ASCII with no NUL, so zero padding
/// orders as the shorter string does).
pub(crate) fn priority_key(value: u64, referral_date: jiff::civil::Date, id: &PersonId) -> u128 {
    let day = referral_date
        .duration_since(jiff::civil::Date::MIN)
        .as_secs()
        / 86_400;
    let rank = ((u64::from(u32::MAX) - value.min(u64::from(u32::MAX))) << 32) | day as u64;
    let mut prefix = [0u8; 8];
    let bytes = id.as_str().as_bytes();
    let length = bytes.len().min(8);
    prefix[..length].copy_from_slice(&bytes[..length]);
    (u128::from(rank) << 64) | u128::from(u64::from_be_bytes(prefix))
}

pub(crate) fn specialty_index(specialty: Specialty) -> usize {
    Specialty::ALL
        .iter()
        .position(|s| *s == specialty)
        .expect("every specialty is in Specialty::ALL")
}

enum Who {
    Patient,
    Companion(usize),
}

pub(crate) fn prepare(day: &OutboundDay) -> Result<Prepared<'_>, PlanError> {
    let mut who: HashMap<&PersonId, Who> = HashMap::with_capacity(day.candidates.len() * 2);
    for (index, candidate) in day.candidates.iter().enumerate() {
        if who.insert(&candidate.patient, Who::Patient).is_some() {
            return Err(PlanError::Duplicate {
                person: candidate.patient.clone(),
            });
        }
        for companion in &candidate.companions {
            if who.insert(companion, Who::Companion(index)).is_some() {
                return Err(PlanError::Duplicate {
                    person: companion.clone(),
                });
            }
        }
    }

    let mut excluded: HashMap<&PersonId, &str> = HashMap::new();
    for (person, reason) in &day.overrides.exclude {
        if !who.contains_key(person) {
            return Err(PlanError::NotACandidate {
                person: person.clone(),
                list: OverrideList::Exclude,
            });
        }
        if excluded.insert(person, reason).is_some() {
            return Err(PlanError::NamedTwice {
                person: person.clone(),
                list: OverrideList::Exclude,
            });
        }
    }
    let mut included: HashMap<&PersonId, &str> = HashMap::new();
    for (person, reason) in &day.overrides.include {
        match who.get(person) {
            None => {
                return Err(PlanError::NotACandidate {
                    person: person.clone(),
                    list: OverrideList::Include,
                });
            }
            Some(Who::Companion(index)) => {
                return Err(PlanError::IncludedCompanion {
                    person: person.clone(),
                    patient: day.candidates[*index].patient.clone(),
                });
            }
            Some(Who::Patient) => {}
        }
        if excluded.contains_key(person) {
            return Err(PlanError::IncludedAndExcluded {
                person: person.clone(),
            });
        }
        if included.insert(person, reason).is_some() {
            return Err(PlanError::NamedTwice {
                person: person.clone(),
                list: OverrideList::Include,
            });
        }
    }

    let mut chosen_facilities: HashMap<&PersonId, &FacilityId> = HashMap::new();
    for (person, facility) in &day.overrides.facilities {
        if !included.contains_key(person) {
            return Err(PlanError::FacilityWithoutInclusion {
                person: person.clone(),
            });
        }
        chosen_facilities.insert(person, facility);
    }

    let places = day.rules.places();
    let beds = bed_pools(day);

    let mut patients = Vec::with_capacity(day.candidates.len());
    let mut included_patients: HashMap<&PersonId, Patient> = HashMap::new();
    let mut left_out = Vec::new();
    for (index, candidate) in day.candidates.iter().enumerate() {
        let days_waited = policy::days_waited(candidate.referral_date, day.rules.date);
        let value = policy::value(candidate.tier, days_waited, candidate.is_child);
        let key = priority_key(value, candidate.referral_date, &candidate.patient);
        let travelling = travelling_companions(day, &excluded, (key, index), &mut left_out);
        let removed = excluded.get(&candidate.patient);
        if let Some(reason) = removed {
            left_out.push((
                key,
                index,
                0,
                LeftOut {
                    person: candidate.patient.clone(),
                    reason: LeftOutReason::RemovedByCoordinator((*reason).to_string()),
                },
            ));
            continue;
        }
        if candidate.is_child && travelling == 0 {
            let why = LeftOutReason::ChildWithoutCompanion {
                awaiting_clearance: candidate.companions_not_cleared,
            };
            if included.contains_key(&candidate.patient) {
                return Err(PlanError::DoesNotFit {
                    person: candidate.patient.clone(),
                    why,
                });
            }
            left_out.push((
                key,
                index,
                0,
                LeftOut {
                    person: candidate.patient.clone(),
                    reason: why,
                },
            ));
            continue;
        }
        let patient = Patient {
            candidate: index,
            key,
            priority: value,
            value: policy::party_value(value, 1 + travelling),
            days_waited,
            places: 1 + travelling,
            specialty: specialty_index(candidate.specialty),
            guarantee: candidate.return_guarantee,
        };
        if included.contains_key(&candidate.patient) {
            included_patients.insert(&candidate.patient, patient);
        } else {
            patients.push(patient);
        }
    }

    let mut prepared = Prepared {
        day,
        places,
        places_left: places,
        patients,
        included: Vec::new(),
        beds,
        left_out,
        excluded,
    };
    for (person, reason) in &day.overrides.include {
        let patient = included_patients
            .remove(person)
            .expect("every included person was checked to be a patient who can travel");
        if patient.places > prepared.places_left {
            return Err(PlanError::DoesNotFit {
                person: person.clone(),
                why: prepared.no_place(patient.places),
            });
        }
        let beds = &mut prepared.beds[patient.specialty];
        let placed = match chosen_facilities.get(person) {
            Some(chosen) => {
                let Some(placed) = beds.place_at(chosen, patient.guarantee) else {
                    return Err(PlanError::NoBedAtFacility {
                        person: person.clone(),
                        facility: (*chosen).clone(),
                        specialty: Specialty::ALL[patient.specialty],
                    });
                };
                placed
            }
            None => {
                let Some(placed) = beds.place(patient.guarantee) else {
                    return Err(PlanError::DoesNotFit {
                        person: person.clone(),
                        why: prepared.no_bed(&patient),
                    });
                };
                placed
            }
        };
        let (facility, _) = placed;
        prepared.places_left -= patient.places;
        prepared.included.push((patient, facility, reason));
    }
    Ok(prepared)
}

/// The number of companions who travel with the candidate; records those
/// removed by the coordinator and those beyond the limit.
fn travelling_companions(
    day: &OutboundDay,
    excluded: &HashMap<&PersonId, &str>,
    (key, index): (u128, usize),
    left_out: &mut Vec<(u128, usize, usize, LeftOut)>,
) -> u32 {
    let candidate = &day.candidates[index];
    let mut travelling = 0;
    for (position, companion) in candidate.companions.iter().enumerate() {
        if let Some(reason) = excluded.get(companion) {
            left_out.push((
                key,
                index,
                1 + position,
                LeftOut {
                    person: companion.clone(),
                    reason: LeftOutReason::RemovedByCoordinator((*reason).to_string()),
                },
            ));
        } else if travelling < day.rules.max_companions {
            travelling += 1;
        } else {
            left_out.push((
                key,
                index,
                1 + position,
                LeftOut {
                    person: companion.clone(),
                    reason: LeftOutReason::CompanionBeyondLimit {
                        patient: candidate.patient.clone(),
                        limit: day.rules.max_companions,
                    },
                },
            ));
        }
    }
    travelling
}

/// Bed pools per specialty, in facility id order, pools of the same
/// facility, specialty and guarantee rule merged, empty ones dropped.
fn bed_pools(day: &OutboundDay) -> Vec<SpecialtyBeds> {
    let mut beds = vec![SpecialtyBeds::default(); Specialty::ALL.len()];
    for pool in day.beds.iter().filter(|pool| pool.free > 0) {
        let specialty = &mut beds[specialty_index(pool.specialty)];
        if pool.requires_return_guarantee {
            specialty.guarantee_total += pool.free;
        } else {
            specialty.open_total += pool.free;
        }
        match specialty.pools.iter_mut().find(|known| {
            known.facility == pool.facility
                && known.requires_guarantee == pool.requires_return_guarantee
        }) {
            Some(known) => known.free += pool.free,
            None => specialty.pools.push(Pool {
                facility: pool.facility.clone(),
                requires_guarantee: pool.requires_return_guarantee,
                free: pool.free,
            }),
        }
    }
    for specialty in &mut beds {
        specialty.pools.sort_by(|a, b| {
            a.facility
                .cmp(&b.facility)
                .then(a.requires_guarantee.cmp(&b.requires_guarantee))
        });
    }
    beds
}

impl<'a> Prepared<'a> {
    pub fn candidate(&self, patient: &Patient) -> &'a Candidate {
        &self.day.candidates[patient.candidate]
    }

    /// Priority order: higher priority value first, then the earlier referral, then the lower id.
    pub fn rank(&self, a: &Patient, b: &Patient) -> Ordering {
        a.key
            .cmp(&b.key)
            .then_with(|| self.candidate(a).patient.cmp(&self.candidate(b).patient))
    }

    /// Why a party does not fit in the places left.
    pub fn no_place(&self, needed: u32) -> LeftOutReason {
        let left = self.places_left;
        let rules = &self.day.rules;
        match rules.binding_cap() {
            Some(cap) if needed <= left + (rules.quota - cap.places) => LeftOutReason::Capped {
                needed,
                left,
                cap: cap.places,
            },
            _ => LeftOutReason::QuotaFull { needed, left },
        }
    }

    /// Why there is no bed the patient could take, as things stand.
    pub fn no_bed(&self, patient: &Patient) -> LeftOutReason {
        let specialty = Specialty::ALL[patient.specialty];
        let beds = &self.beds[patient.specialty];
        if beds.open_total + beds.guarantee_total == 0 {
            let next_free = self
                .day
                .next_free_bed
                .iter()
                .filter(|(s, date)| *s == specialty && *date > self.day.rules.date)
                .map(|(_, date)| *date)
                .min();
            LeftOutReason::NoBed {
                specialty,
                date: self.day.rules.date,
                next_free,
            }
        } else if !patient.guarantee && beds.open_total == 0 {
            LeftOutReason::NeedsReturnGuarantee {
                specialty,
                date: self.day.rules.date,
            }
        } else {
            LeftOutReason::BedsTaken {
                specialty,
                date: self.day.rules.date,
                beds: if patient.guarantee {
                    beds.open_total + beds.guarantee_total
                } else {
                    beds.open_total
                },
            }
        }
    }

    /// The pick of a patient: who travels with them, where, and why.
    pub fn pick(&self, patient: &Patient, facility: FacilityId, included: Option<&str>) -> Pick {
        let candidate = self.candidate(patient);
        let companions: Vec<PersonId> = candidate
            .companions
            .iter()
            .filter(|companion| !self.excluded.contains_key(companion))
            .take(patient.places as usize - 1)
            .cloned()
            .collect();
        let mut reason = String::new();
        if let Some(why) = included {
            reason.push_str(&format!("included by the coordinator: {why}; "));
        }
        reason.push_str(&format!(
            "{}, waited {}",
            candidate.tier,
            count(patient.days_waited as u32, "day", "days")
        ));
        if candidate.is_child {
            reason.push_str(", child");
        }
        reason.push_str(&format!("; bed at {facility} ({})", candidate.specialty));
        if !companions.is_empty() {
            reason.push_str(&format!(
                "; with {}",
                count(companions.len() as u32, "companion", "companions")
            ));
        }
        match candidate.companions_not_cleared {
            0 => {}
            1 => reason.push_str("; 1 companion awaiting clearance stays behind"),
            n => reason.push_str(&format!("; {n} companions awaiting clearance stay behind")),
        }
        Pick {
            person: candidate.patient.clone(),
            companions,
            facility: Some(facility),
            value: patient.value,
            reason,
        }
    }

    /// Puts the plan together: included patients first, then the chosen
    /// ones in the order given; everyone else left out, best ranked first
    /// whatever the order given.
    pub fn finish(
        mut self,
        chosen: Vec<(Patient, FacilityId)>,
        not_chosen: Vec<(Patient, LeftOutReason)>,
        mut notes: Vec<String>,
    ) -> DayPlan {
        let mut picks = Vec::with_capacity(self.included.len() + chosen.len());
        for (patient, facility, why) in &self.included {
            picks.push(self.pick(patient, facility.clone(), Some(why)));
        }
        for (patient, facility) in chosen {
            picks.push(self.pick(&patient, facility, None));
        }
        let places_used: u32 = picks
            .iter()
            .map(|pick| 1 + pick.companions.len() as u32)
            .sum();
        let objective = picks.iter().map(|pick| pick.value).sum();

        if let Some(cap) = self.day.rules.binding_cap() {
            notes.push(format!(
                "capped at {} instead of the quota's {}: {}",
                count(cap.places, "place", "places"),
                self.day.rules.quota,
                cap.reason
            ));
        }
        if places_used < self.places {
            notes.push(format!(
                "{} unused: no other cleared patient fits (see the reasons left out)",
                count(self.places - places_used, "place", "places")
            ));
        }
        if !self.included.is_empty() {
            let places: u32 = self.included.iter().map(|(p, _, _)| p.places).sum();
            notes.push(format!(
                "{} by the coordinator {} {}",
                count(
                    self.included.len() as u32,
                    "patient included",
                    "patients included"
                ),
                if self.included.len() == 1 {
                    "takes"
                } else {
                    "take"
                },
                count(places, "place", "places"),
            ));
        }

        // Those not chosen, best ranked first; then those left out before any
        // choice, in the same order, each companion after their patient.
        // Sort small (key, index) pairs rather than the entries themselves.
        let mut order: Vec<(u128, usize)> = not_chosen
            .iter()
            .enumerate()
            .map(|(index, (patient, _))| (patient.key, index))
            .collect();
        order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                let patient = |index: usize| &self.candidate(&not_chosen[index].0).patient;
                patient(a.1).cmp(patient(b.1))
            })
        });
        let mut not_chosen: Vec<Option<LeftOut>> = not_chosen
            .into_iter()
            .map(|(patient, reason)| {
                Some(LeftOut {
                    person: self.day.candidates[patient.candidate].patient.clone(),
                    reason,
                })
            })
            .collect();
        let mut early = std::mem::take(&mut self.left_out);
        early.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| {
                    let patient = |index: usize| &self.day.candidates[index].patient;
                    patient(a.1).cmp(patient(b.1))
                })
                .then(a.2.cmp(&b.2))
        });
        let mut left_out = Vec::with_capacity(early.len() + not_chosen.len());
        left_out.extend(
            order
                .iter()
                .map(|(_, index)| not_chosen[*index].take().expect("each index once")),
        );
        left_out.extend(early.into_iter().map(|(_, _, _, left)| left));

        DayPlan {
            picks,
            left_out,
            places_available: self.places,
            places_used,
            objective,
            notes,
        }
    }
}
