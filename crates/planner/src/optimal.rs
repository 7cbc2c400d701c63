//! The exact optimiser: the greatest total value that fits the places and
//! the beds.
//!
//! Patients fall into classes by specialty, return guarantee and places
//! needed. Two patients of one class need exactly the same resources, so a
//! best plan takes the highest-ranked members of each class, and only as
//! many as the places (places left / party size) and the beds the class can
//! use allow can matter: the rest are dropped before solving.
//!
//! Beds of a specialty fit a set of patients exactly when the open beds
//! (no guarantee required) hold the patients without a guarantee, and all
//! beds hold all of them (a patient with a guarantee takes a
//! guarantee-requiring bed first; see `SpecialtyBeds::place`). So per
//! specialty a dynamic programme over (places, patients) for each guarantee
//! group, combined under those two limits, gives the best value for every
//! number of places; a knapsack over specialties then gives the day.
//!
//! Plans of equal value are told apart by the priority order (see the
//! weights in `plan`), so the last place goes to the earlier referral, then
//! the lower id, whatever class the candidates are in.

use corridor_domain::{FacilityId, Specialty};

use crate::model::{DayPlan, LeftOutReason};
use crate::prepare::{Patient, Prepared};

const NONE: u128 = u128::MAX;

pub(crate) fn plan(mut prepared: Prepared<'_>) -> DayPlan {
    let places = prepared.places_left as usize;
    let max_party = (prepared.day.rules.max_companions as usize)
        .saturating_add(1)
        .min(places);
    let specialties = Specialty::ALL.len();
    let eligible = prepared.patients.len();

    // What could be made room for, before anyone is chosen (used to tell a
    // patient outweighed by others from one who could never fit).
    let beds_before: Vec<[u32; 2]> = prepared
        .beds
        .iter()
        .map(|beds| [beds.left_for(false), beds.left_for(true)])
        .collect();

    // Classes: (specialty, guarantee, places) -> the patients who can matter.
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); specialties * 2 * max_party.max(1)];
    let bucket = |specialty: usize, guarantee: bool, party: usize| {
        (specialty * 2 + usize::from(guarantee)) * max_party.max(1) + party - 1
    };
    for (index, patient) in prepared.patients.iter().enumerate() {
        let party = patient.places as usize;
        if party <= max_party && beds_before[patient.specialty][usize::from(patient.guarantee)] > 0
        {
            buckets[bucket(patient.specialty, patient.guarantee, party)].push(index);
        }
    }
    for specialty in 0..specialties {
        for guarantee in [false, true] {
            let [open_left, all_left] = beds_before[specialty];
            let bed_limit = if guarantee { all_left } else { open_left } as usize;
            for party in 1..=max_party {
                let members = &mut buckets[bucket(specialty, guarantee, party)];
                let limit = (places / party).min(bed_limit);
                if members.len() > limit {
                    if limit == 0 {
                        members.clear();
                    } else {
                        members.select_nth_unstable_by(limit - 1, |a, b| {
                            prepared.rank(&prepared.patients[*a], &prepared.patients[*b])
                        });
                        members.truncate(limit);
                    }
                }
            }
        }
    }

    // Plans of equal value are told apart by priority: each candidate left
    // weighs its value times `scale` plus a bonus for its rank among them
    // (the best ranked the most). All the bonuses of a plan add up to less
    // than `scale`, so the weights rank plans by value first, exactly.
    let mut ranked: Vec<usize> = buckets.iter().flatten().copied().collect();
    ranked.sort_unstable_by(|a, b| prepared.rank(&prepared.patients[*a], &prepared.patients[*b]));
    let reduced = ranked.len();
    let mut bonus = vec![0u128; eligible];
    for (position, index) in ranked.iter().enumerate() {
        bonus[*index] = (reduced - position) as u128;
    }
    let scale = (reduced as u128) * (places as u128 + 1) + 1;
    let weight = |index: usize| u128::from(prepared.patients[index].value) * scale + bonus[index];

    let mut tables = Vec::with_capacity(specialties);
    let mut groups = Vec::with_capacity(specialties);
    for specialty in 0..specialties {
        let [open_left, all_left] = beds_before[specialty];
        let mut pair = Vec::with_capacity(2);
        for guarantee in [false, true] {
            let bed_limit = if guarantee { all_left } else { open_left } as usize;
            let mut classes = Vec::with_capacity(max_party);
            for party in 1..=max_party {
                let mut members = std::mem::take(&mut buckets[bucket(specialty, guarantee, party)]);
                members.sort_unstable_by_key(|index| std::cmp::Reverse(bonus[*index]));
                let mut prefix = Vec::with_capacity(members.len() + 1);
                prefix.push(0);
                for member in &members {
                    prefix.push(prefix.last().copied().unwrap_or(0) + weight(*member));
                }
                classes.push(Class {
                    party,
                    members,
                    prefix,
                });
            }
            // Bound the tables by what the class members can fill, so that
            // a day with few candidates or a large quota stays small.
            let group_places = classes
                .iter()
                .map(|class| class.party * class.members.len())
                .sum::<usize>()
                .min(places);
            let group_count = classes
                .iter()
                .map(|class| class.members.len())
                .sum::<usize>()
                .min(bed_limit);
            let group = Group::solve(&classes, group_places, group_count);
            pair.push((classes, group));
        }
        let table = SpecialtyTable::solve(
            &pair[0].1,
            &pair[1].1,
            (pair[0].1.max_places + pair[1].1.max_places).min(places),
            open_left as usize,
            all_left as usize,
        );
        tables.push(table);
        groups.push(pair);
    }

    // Knapsack over specialties: after specialty s, best[k] is the best
    // value of exactly k places from specialties 0..=s.
    let dp_places = tables
        .iter()
        .map(|table| table.best.len() - 1)
        .sum::<usize>()
        .min(places);
    let mut best = vec![0u128; dp_places + 1];
    for value in best.iter_mut().skip(1) {
        *value = NONE;
    }
    let mut takes: Vec<Vec<usize>> = Vec::with_capacity(specialties);
    for table in &tables {
        let mut next = vec![NONE; dp_places + 1];
        let mut take = vec![0usize; dp_places + 1];
        for (k, &before) in best.iter().enumerate() {
            if before == NONE {
                continue;
            }
            for (own, &value) in table.best.iter().enumerate().take(dp_places + 1 - k) {
                if value == NONE {
                    continue;
                }
                let total = before + value;
                if next[k + own] == NONE || total > next[k + own] {
                    next[k + own] = total;
                    take[k + own] = own;
                }
            }
        }
        best = next;
        takes.push(take);
    }
    let mut used = 0;
    for (k, &value) in best.iter().enumerate() {
        if value != NONE && value > best[used] {
            used = k;
        }
    }

    // Walk back to the chosen patients.
    let mut chosen_indices = Vec::new();
    let mut k = used;
    for specialty in (0..specialties).rev() {
        let own = takes[specialty][k];
        k -= own;
        if own == 0 {
            continue;
        }
        let (open_places, open_count, guaranteed_count) = tables[specialty].split[own];
        let parts = [
            (open_places, open_count),
            (own - open_places, guaranteed_count),
        ];
        for ((classes, group), (part_places, part_count)) in groups[specialty].iter().zip(parts) {
            for (class, taken) in classes
                .iter()
                .zip(group.counts(classes, part_places, part_count))
            {
                chosen_indices.extend_from_slice(&class.members[..taken]);
            }
        }
    }
    let mut is_chosen = vec![false; eligible];
    for index in &chosen_indices {
        is_chosen[*index] = true;
    }
    let patients = std::mem::take(&mut prepared.patients);
    let mut chosen: Vec<Patient> = Vec::with_capacity(chosen_indices.len());
    let mut not_chosen_patients = Vec::with_capacity(eligible - chosen_indices.len());
    for (index, patient) in patients.into_iter().enumerate() {
        if is_chosen[index] {
            chosen.push(patient);
        } else {
            not_chosen_patients.push(patient);
        }
    }
    chosen.sort_unstable_by(|a, b| prepared.rank(a, b));
    let plan_value = prepared
        .included
        .iter()
        .map(|(patient, _, _)| patient.value)
        .sum::<u64>()
        + chosen.iter().map(|patient| patient.value).sum::<u64>();
    // The lowest priority among the picks that hold places, and among those
    // that hold beds of each specialty a patient without (index 0) or with
    // (index 1) a guarantee could take.
    let mut placed: Vec<(Patient, FacilityId)> = Vec::with_capacity(chosen.len());
    let mut lowest = NO_PICK;
    let mut lowest_holding = vec![[NO_PICK; 2]; specialties];
    for patient in chosen {
        let (facility, requires_guarantee) = prepared.beds[patient.specialty]
            .place(patient.guarantee)
            .expect("the optimum respects the bed limits, and placing is exact for them");
        prepared.places_left -= patient.places;
        lowest = lowest.min(patient.priority);
        let holding = &mut lowest_holding[patient.specialty];
        if !requires_guarantee {
            holding[0] = holding[0].min(patient.priority);
        }
        holding[1] = holding[1].min(patient.priority);
        placed.push((patient, facility));
    }

    let not_chosen = not_chosen_patients
        .into_iter()
        .map(|patient| {
            let could_make_room = patient.places as usize <= places
                && beds_before[patient.specialty][usize::from(patient.guarantee)] > 0;
            let competitors = Competitors {
                places: lowest,
                beds: lowest_holding[patient.specialty][usize::from(patient.guarantee)],
            };
            let why = why_not_chosen(
                &prepared,
                &patient,
                could_make_room,
                competitors,
                plan_value,
            );
            (patient, why)
        })
        .collect();
    let notes = vec![method_note(eligible, reduced, places)];
    prepared.finish(placed, not_chosen, notes)
}

/// What the optimiser weighed, in words that stay true when nothing could
/// be weighed (no places left, or no bed anyone may take).
fn method_note(eligible: usize, weighed: usize, places: usize) -> String {
    let method = "method: exact optimum of the total priority score over places and beds";
    if eligible == 0 {
        format!("{method}; no cleared patient can travel on this day")
    } else if places == 0 {
        format!("{method}; no places are left for the {eligible} patients who can travel")
    } else if weighed == 0 {
        format!(
            "{method}; none of the {eligible} patients who can travel has a free bed they may take on this day"
        )
    } else {
        format!(
            "{method}; of the {eligible} patients who can travel, {weighed} were weighed against \
             each other: the best of each specialty, return guarantee and party size, as many as \
             the places and beds could take"
        )
    }
}

/// The lowest priority value among the chosen picks (not the coordinator's)
/// that hold places, and that hold beds a patient could take. Priority, not
/// party value: it tells a departure from the priority order from a
/// resource that went to people ahead in it.
struct Competitors {
    places: u64,
    beds: u64,
}

/// No pick holds the resource.
const NO_PICK: u64 = u64::MAX;

/// Why the optimiser left out a patient who can travel. The places or the
/// beds are short, since with room for both the patient would raise the
/// total. If every short resource is held by some pick of lower priority,
/// the patient is outweighed; otherwise the resource went to people ahead of
/// them.
fn why_not_chosen(
    prepared: &Prepared<'_>,
    patient: &Patient,
    could_make_room: bool,
    competitors: Competitors,
    plan_value: u64,
) -> LeftOutReason {
    let bed_reason = prepared.no_bed(patient);
    if !matches!(bed_reason, LeftOutReason::BedsTaken { .. }) {
        return bed_reason;
    }
    let places_left = prepared.places_left;
    let beds_left = prepared.beds[patient.specialty].left_for(patient.guarantee);
    let places_short = patient.places > places_left;
    let beds_short = beds_left == 0;
    debug_assert!(
        places_short || beds_short,
        "a patient with room for both would be chosen"
    );
    let lower = |lowest: u64| lowest != NO_PICK && lowest < patient.priority;
    if beds_short && !lower(competitors.beds) {
        return bed_reason;
    }
    if places_short && !(could_make_room && lower(competitors.places)) {
        return prepared.no_place(patient.places);
    }
    if !could_make_room {
        return bed_reason;
    }
    LeftOutReason::Outweighed {
        needed: patient.places,
        places_left,
        specialty: Specialty::ALL[patient.specialty],
        beds_left,
        plan_value,
    }
}

/// The members of one class, best first, with prefix sums of their weights.
struct Class {
    party: usize,
    members: Vec<usize>,
    prefix: Vec<u128>,
}

/// Best weight of exactly `k` places and exactly `n` patients taken from a
/// group of classes, and how many each class gave.
struct Group {
    max_places: usize,
    width: usize,
    best: Vec<u128>,
    choices: Vec<Vec<u32>>,
}

impl Group {
    fn solve(classes: &[Class], max_places: usize, max_count: usize) -> Group {
        let width = max_count + 1;
        let mut best = vec![NONE; (max_places + 1) * width];
        best[0] = 0;
        let mut choices = Vec::with_capacity(classes.len());
        for class in classes {
            let mut next = best.clone();
            let mut choice = vec![0u32; best.len()];
            if class.members.is_empty() {
                choices.push(choice);
                continue;
            }
            for k in 0..=max_places {
                for n in 0..=max_count.min(k) {
                    let base = best[k * width + n];
                    if base == NONE {
                        continue;
                    }
                    for taken in 1..class.prefix.len() {
                        let (k2, n2) = (k + taken * class.party, n + taken);
                        if k2 > max_places || n2 > max_count {
                            break;
                        }
                        let value = base + class.prefix[taken];
                        let cell = &mut next[k2 * width + n2];
                        if *cell == NONE || value > *cell {
                            *cell = value;
                            choice[k2 * width + n2] = taken as u32;
                        }
                    }
                }
            }
            best = next;
            choices.push(choice);
        }
        Group {
            max_places,
            width,
            best,
            choices,
        }
    }

    fn get(&self, places: usize, count: usize) -> u128 {
        if places > self.max_places || count >= self.width {
            return NONE;
        }
        self.best[places * self.width + count]
    }

    /// How many each class gives to the best of exactly (places, count).
    fn counts(&self, classes: &[Class], mut places: usize, mut count: usize) -> Vec<usize> {
        let mut counts = vec![0; classes.len()];
        for (index, class) in classes.iter().enumerate().rev() {
            let taken = self.choices[index][places * self.width + count] as usize;
            counts[index] = taken;
            places -= taken * class.party;
            count -= taken;
        }
        debug_assert_eq!((places, count), (0, 0));
        counts
    }
}

/// The best weight of one specialty for exactly `k` places, and the split
/// behind it: (places for patients without a guarantee, their number, the
/// number with a guarantee).
struct SpecialtyTable {
    best: Vec<u128>,
    split: Vec<(usize, usize, usize)>,
}

impl SpecialtyTable {
    fn solve(
        open: &Group,
        guaranteed: &Group,
        max_places: usize,
        open_beds: usize,
        all_beds: usize,
    ) -> SpecialtyTable {
        // For the guaranteed group: the best with at most `m` patients, and that number.
        let g_width = guaranteed.width;
        let mut at_most = vec![(NONE, 0usize); (max_places + 1) * g_width];
        for k in 0..=max_places {
            let mut running = (NONE, 0);
            for m in 0..g_width {
                let value = guaranteed.get(k, m);
                if value != NONE && (running.0 == NONE || value > running.0) {
                    running = (value, m);
                }
                at_most[k * g_width + m] = running;
            }
        }
        let mut best = vec![NONE; max_places + 1];
        let mut split = vec![(0, 0, 0); max_places + 1];
        for open_places in 0..=max_places {
            for open_count in 0..open.width.min(open_places + 1) {
                let base = open.get(open_places, open_count);
                if base == NONE || open_count > open_beds {
                    continue;
                }
                let room = (all_beds - open_count).min(g_width - 1);
                for k in open_places..=max_places {
                    let (value, count) = at_most[(k - open_places) * g_width + room];
                    if value == NONE {
                        continue;
                    }
                    let total = base + value;
                    if best[k] == NONE || total > best[k] {
                        best[k] = total;
                        split[k] = (open_places, open_count, count);
                    }
                }
            }
        }
        SpecialtyTable { best, split }
    }
}
