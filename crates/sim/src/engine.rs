//! One replication of the waiting list, day by day.
//!
//! Every random quantity of a person (child or not, companions, day of
//! death, day of clearance) is drawn when the person is referred, from the
//! replication's own generator, in referral order. None of them depends on
//! the queue, so the draws are the same whatever the policy (common random
//! numbers: policy comparisons are not blurred by different arrivals).
//! The queue itself is then exact: people wait in lanes of one tier, one
//! child flag and one party size, each a min-heap of referral sequence
//! numbers, and each evening the best lane head (by the policy) that fits
//! the remaining places leaves, until no one fits.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::RngExt;
use rand_distr::{Distribution, Exp1, Poisson};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::policy::{Candidate, Policy};
use crate::scenario::{DayDistribution, Scenario};
use crate::schedule::DailySchedule;

/// A day that never comes (death or clearance beyond the horizon).
const NEVER: i32 = i32::MAX;

/// What is shared by all replications of one scenario.
#[derive(Debug, Clone)]
pub(crate) struct Prepared<'a> {
    pub scenario: &'a Scenario,
    pub horizon: usize,
    pub places: Vec<u32>,
    /// Arrival distribution per day and tier (`None`: no arrivals).
    pub arrivals: Vec<Vec<Option<Poisson<f64>>>>,
    /// The initial backlog in referral order: (tier, referral day, child).
    pub backlog: Vec<(u8, i32, bool)>,
    /// Lane index for (tier, child, places): `lane_of[(tier * 2 + child) * MAX_PLACES + places]`.
    lane_of: Vec<usize>,
    lanes: Vec<LaneKey>,
}

const MAX_PLACES: usize = crate::scenario::CompanionDistribution::MAX_COMPANIONS + 2;

#[derive(Debug, Clone, Copy)]
struct LaneKey {
    tier: u8,
    is_child: bool,
    places: u32,
}

impl<'a> Prepared<'a> {
    pub fn new(scenario: &'a Scenario) -> Self {
        let horizon = scenario.horizon_days.get() as usize;
        let schedule = DailySchedule::new(scenario);
        let arrivals = schedule
            .referral_factor
            .iter()
            .map(|factor| {
                scenario
                    .tiers
                    .iter()
                    .map(|tier| {
                        let rate = tier.referrals_per_day.get() * factor;
                        // Poisson::new refuses only a non-positive or
                        // non-finite mean; both mean "no arrivals" here.
                        Poisson::new(rate).ok()
                    })
                    .collect()
            })
            .collect();
        let mut lanes = Vec::new();
        let mut lane_of = vec![usize::MAX; scenario.tiers.len() * 2 * MAX_PLACES];
        for (tier, _) in scenario.tiers.iter().enumerate() {
            for is_child in [false, true] {
                for places in 1..MAX_PLACES {
                    lane_of[(tier * 2 + usize::from(is_child)) * MAX_PLACES + places] = lanes.len();
                    lanes.push(LaneKey { tier: tier as u8, is_child, places: places as u32 });
                }
            }
        }
        Prepared {
            scenario,
            horizon,
            places: schedule.places,
            arrivals,
            backlog: backlog_in_referral_order(scenario),
            lane_of,
            lanes,
        }
    }

    fn lane(&self, person: &Person) -> usize {
        self.lane_of[(usize::from(person.tier) * 2 + usize::from(person.is_child)) * MAX_PLACES
            + usize::from(person.places)]
    }
}

/// The backlog, deterministic and identical in every replication: each
/// tier's referral days spread evenly over the days before the start, its
/// children spread evenly among them, then all tiers merged by referral day.
fn backlog_in_referral_order(scenario: &Scenario) -> Vec<(u8, i32, bool)> {
    let mut backlog = Vec::new();
    for (tier_index, tier) in scenario.tiers.iter().enumerate() {
        let count = u64::from(tier.backlog);
        let children = u64::from(tier.backlog_children);
        let spread = u64::from(tier.backlog_referred_over_days);
        for i in 0..count {
            let referral_day = if spread == 0 { 0 } else { -((spread - i * spread / count) as i64) };
            let is_child = (i + 1) * children / count > i * children / count;
            backlog.push((tier_index as u8, referral_day as i32, is_child));
        }
    }
    backlog.sort_by_key(|&(_, referral_day, _)| referral_day);
    backlog
}

#[derive(Debug, Clone, Copy)]
struct Person {
    referral_day: i32,
    death_day: i32,
    tier: u8,
    is_child: bool,
    places: u8,
}

/// The raw result of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationResult {
    /// Days (1-based count) until no one of the initial backlog is waiting.
    pub backlog_cleared_after: Option<u32>,
    /// Days until the list is empty at the end of a day.
    pub list_empty_after: Option<u32>,
    pub evacuated_by_tier: Vec<u32>,
    /// Companions who left with the evacuated patients.
    pub companions_evacuated: u64,
    pub deaths_by_tier: Vec<u32>,
    pub waiting_at_end_by_tier: Vec<u32>,
    /// Per tier, over the evacuated of that tier: mean, p50, p90 of the
    /// wait in days (`None` when no one of the tier left).
    pub wait_by_tier: Vec<Option<WaitSummary>>,
    /// End-of-day list size, `list_size[day * tiers + tier]`.
    pub list_size: Vec<u32>,
    /// Cumulative deaths by the end of each day, `[day * tiers + tier]`.
    pub cumulative_deaths: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitSummary {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
}

/// One day of a traced replication (see [`crate::trace_replication`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DayTrace {
    pub day: u32,
    pub places: u32,
    /// Who left, in the order they were chosen.
    pub served: Vec<ServedTrace>,
    /// Cleared, alive people still waiting at the end of the day.
    pub left_waiting: Vec<Candidate>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServedTrace {
    pub candidate: Candidate,
    /// Places still free just before this party was chosen.
    pub places_left_before: u32,
}

struct Lane {
    key: LaneKey,
    queue: BinaryHeap<Reverse<u32>>,
}

pub(crate) fn simulate(
    prepared: &Prepared<'_>,
    policy: &dyn Policy,
    rng: &mut Xoshiro256PlusPlus,
    mut trace: Option<&mut Vec<DayTrace>>,
) -> ReplicationResult {
    let scenario = prepared.scenario;
    let tiers = scenario.tiers.len();
    let horizon = prepared.horizon;
    let expected_people = prepared.backlog.len()
        + scenario
            .tiers
            .iter()
            .map(|tier| (tier.referrals_per_day.get() * horizon as f64 * 1.2) as usize)
            .sum::<usize>();
    let mut people: Vec<Person> = Vec::with_capacity(expected_people);
    let mut lanes: Vec<Lane> = prepared
        .lanes
        .iter()
        .map(|&key| Lane { key, queue: BinaryHeap::new() })
        .collect();
    // Cleared later than their referral: (clearance day, sequence).
    let mut pending: BinaryHeap<Reverse<(i32, u32)>> = BinaryHeap::new();
    let mut scheduled_deaths = vec![0u32; horizon * tiers];
    let mut scheduled_backlog_deaths = vec![0u32; horizon];
    let mut waiting = vec![0u32; tiers];
    let mut deaths = vec![0u32; tiers];
    let mut evacuated = vec![0u32; tiers];
    let mut companions_evacuated = 0u64;
    let mut wait_histogram = vec![0u32; tiers * horizon];
    let mut list_size = Vec::with_capacity(horizon * tiers);
    let mut cumulative_deaths = Vec::with_capacity(horizon * tiers);
    let backlog_len = prepared.backlog.len() as u32;
    let mut backlog_remaining = backlog_len;
    let mut backlog_cleared_after = (backlog_len == 0).then_some(0);
    let mut list_empty_after = None;

    let mut referrer = Referrer {
        prepared,
        people: &mut people,
        lanes: &mut lanes,
        pending: &mut pending,
        scheduled_deaths: &mut scheduled_deaths,
        scheduled_backlog_deaths: &mut scheduled_backlog_deaths,
        waiting: &mut waiting,
        deaths: &mut deaths,
        backlog_remaining: &mut backlog_remaining,
    };
    for &(tier, referral_day, is_child) in &prepared.backlog {
        referrer.refer(rng, tier, referral_day, is_child, true);
    }

    for day in 0..horizon {
        let today = day as i32;
        // New referrals of the day (their own deaths of the day included).
        for tier in 0..tiers {
            if let Some(poisson) = &prepared.arrivals[day][tier] {
                let count = poisson.sample(rng) as u64;
                for _ in 0..count {
                    let is_child = rng.random::<f64>() < scenario.tiers[tier].child_fraction.get();
                    referrer.refer(rng, tier as u8, today, is_child, false);
                }
            }
        }
        // Deaths of the day among those already waiting.
        for tier in 0..tiers {
            let dying = std::mem::take(&mut referrer.scheduled_deaths[day * tiers + tier]);
            referrer.waiting[tier] -= dying;
            referrer.deaths[tier] += dying;
        }
        *referrer.backlog_remaining -= std::mem::take(&mut referrer.scheduled_backlog_deaths[day]);
        // Clearance decisions of the day.
        while let Some(&Reverse((cleared_day, sequence))) = referrer.pending.peek() {
            if cleared_day > today {
                break;
            }
            referrer.pending.pop();
            let person = referrer.people[sequence as usize];
            if person.death_day > today {
                referrer.lanes[prepared.lane(&person)].queue.push(Reverse(sequence));
            }
        }
        // Departures in the evening.
        let mut places_left = prepared.places[day];
        let mut served = Vec::new();
        while places_left > 0 {
            let mut best: Option<(usize, Candidate)> = None;
            for (lane_index, lane) in referrer.lanes.iter_mut().enumerate() {
                if lane.key.places > places_left {
                    continue;
                }
                // Those who died are dropped lazily; their deaths are
                // already counted.
                while let Some(&Reverse(sequence)) = lane.queue.peek() {
                    if referrer.people[sequence as usize].death_day > today {
                        break;
                    }
                    lane.queue.pop();
                }
                let Some(&Reverse(sequence)) = lane.queue.peek() else { continue };
                let candidate = candidate(scenario, &referrer.people[sequence as usize], sequence);
                let better = match &best {
                    None => true,
                    Some((_, incumbent)) => policy.compare(&candidate, incumbent, day as i64).is_lt(),
                };
                if better {
                    best = Some((lane_index, candidate));
                }
            }
            let Some((lane_index, chosen)) = best else { break };
            referrer.lanes[lane_index].queue.pop();
            if trace.is_some() {
                served.push(ServedTrace { candidate: chosen, places_left_before: places_left });
            }
            places_left -= chosen.places;
            let person = referrer.people[chosen.sequence as usize];
            let tier = chosen.tier;
            referrer.waiting[tier] -= 1;
            evacuated[tier] += 1;
            companions_evacuated += u64::from(person.places) - 1;
            let waited_from = person.referral_day.max(0);
            wait_histogram[tier * horizon + (today - waited_from) as usize] += 1;
            if person.death_day != NEVER && (person.death_day as usize) < horizon {
                let death_day = person.death_day as usize;
                referrer.scheduled_deaths[death_day * tiers + tier] -= 1;
                if chosen.sequence < backlog_len {
                    referrer.scheduled_backlog_deaths[death_day] -= 1;
                }
            }
            if chosen.sequence < backlog_len {
                *referrer.backlog_remaining -= 1;
            }
        }
        if let Some(trace) = trace.as_deref_mut() {
            let left_waiting = referrer
                .lanes
                .iter()
                .flat_map(|lane| lane.queue.iter())
                .map(|&Reverse(sequence)| (sequence, referrer.people[sequence as usize]))
                .filter(|(_, person)| person.death_day > today)
                .map(|(sequence, person)| candidate(scenario, &person, sequence))
                .collect();
            trace.push(DayTrace { day: day as u32, places: prepared.places[day], served, left_waiting });
        }
        list_size.extend_from_slice(referrer.waiting);
        cumulative_deaths.extend_from_slice(referrer.deaths);
        if backlog_cleared_after.is_none() && *referrer.backlog_remaining == 0 {
            backlog_cleared_after = Some(day as u32 + 1);
        }
        if list_empty_after.is_none() && referrer.waiting.iter().all(|&w| w == 0) {
            list_empty_after = Some(day as u32 + 1);
        }
    }

    let wait_by_tier = (0..tiers)
        .map(|tier| wait_summary(&wait_histogram[tier * horizon..(tier + 1) * horizon]))
        .collect();
    ReplicationResult {
        backlog_cleared_after,
        list_empty_after,
        evacuated_by_tier: evacuated,
        companions_evacuated,
        deaths_by_tier: deaths,
        waiting_at_end_by_tier: waiting,
        wait_by_tier,
        list_size,
        cumulative_deaths,
    }
}

fn candidate(scenario: &Scenario, person: &Person, sequence: u32) -> Candidate {
    let tier = usize::from(person.tier);
    Candidate {
        tier,
        is_child: person.is_child,
        referral_day: i64::from(person.referral_day),
        sequence,
        places: u32::from(person.places),
        weight: scenario.tiers[tier].weight.get(),
    }
}

/// Mean and nearest-rank p50 and p90 of the waits in a histogram by day.
fn wait_summary(histogram: &[u32]) -> Option<WaitSummary> {
    let count: u64 = histogram.iter().map(|&n| u64::from(n)).sum();
    if count == 0 {
        return None;
    }
    let total: u64 = histogram.iter().enumerate().map(|(days, &n)| days as u64 * u64::from(n)).sum();
    let nearest_rank = |p: f64| {
        let rank = ((p * count as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (days, &n) in histogram.iter().enumerate() {
            seen += u64::from(n);
            if seen >= rank {
                return days as f64;
            }
        }
        (histogram.len() - 1) as f64
    };
    Some(WaitSummary { mean: total as f64 / count as f64, p50: nearest_rank(0.5), p90: nearest_rank(0.9) })
}

/// Creates people and schedules their death and clearance.
struct Referrer<'p, 'a> {
    prepared: &'p Prepared<'a>,
    people: &'p mut Vec<Person>,
    lanes: &'p mut Vec<Lane>,
    pending: &'p mut BinaryHeap<Reverse<(i32, u32)>>,
    scheduled_deaths: &'p mut Vec<u32>,
    scheduled_backlog_deaths: &'p mut Vec<u32>,
    waiting: &'p mut Vec<u32>,
    deaths: &'p mut Vec<u32>,
    backlog_remaining: &'p mut u32,
}

impl Referrer<'_, '_> {
    /// Refers one person. For the backlog `referral_day` may be negative;
    /// exposure to death and the first clearance submission start on the
    /// later of the referral day and day 0.
    fn refer(&mut self, rng: &mut Xoshiro256PlusPlus, tier: u8, referral_day: i32, is_child: bool, in_backlog: bool) {
        let scenario = self.prepared.scenario;
        let horizon = self.prepared.horizon;
        let tiers = scenario.tiers.len();
        let tier_params = &scenario.tiers[usize::from(tier)];
        let first_day = referral_day.max(0);
        let companions = if is_child { &tier_params.child_companions } else { &tier_params.companions };
        let companion_count = match companions.certain() {
            Some(count) => count,
            None => companions.companions_for(rng.random::<f64>()),
        };
        let hazard = tier_params.daily_death_hazard.get();
        let death_day = if hazard > 0.0 {
            let days: f64 = Exp1.sample(rng);
            let days = (days / hazard).floor();
            if days < f64::from(NEVER - first_day) { first_day + days as i32 } else { NEVER }
        } else {
            NEVER
        };
        let cleared_day = clearance_day(&scenario.clearance, first_day, horizon as i32, rng);

        let sequence = self.people.len() as u32;
        let person = Person { referral_day, death_day, tier, is_child, places: companion_count + 1 };
        self.people.push(person);
        self.waiting[usize::from(tier)] += 1;
        if death_day == first_day {
            // Dies during the day of referral (or day 0 for the backlog): the
            // day's death step may already have run, so count it here.
            self.waiting[usize::from(tier)] -= 1;
            self.deaths[usize::from(tier)] += 1;
            if in_backlog {
                *self.backlog_remaining -= 1;
            }
            return;
        }
        if (death_day as i64) < horizon as i64 {
            self.scheduled_deaths[death_day as usize * tiers + usize::from(tier)] += 1;
            if in_backlog {
                self.scheduled_backlog_deaths[death_day as usize] += 1;
            }
        }
        if cleared_day >= death_day || cleared_day == NEVER {
            return;
        }
        if cleared_day == first_day {
            self.lanes[self.prepared.lane(&person)].queue.push(Reverse(sequence));
        } else {
            self.pending.push(Reverse((cleared_day, sequence)));
        }
    }
}

/// The day a party submitted on `submitted` is cleared, or `NEVER`.
fn clearance_day(
    clearance: &crate::scenario::Clearance,
    submitted: i32,
    horizon: i32,
    rng: &mut Xoshiro256PlusPlus,
) -> i32 {
    let mut submitted = submitted;
    loop {
        if submitted >= horizon {
            return NEVER;
        }
        let decided = submitted.saturating_add(draw_days(&clearance.delay, rng));
        let denied = clearance.denial.get() > 0.0 && rng.random::<f64>() < clearance.denial.get();
        if !denied {
            return if decided >= horizon { NEVER } else { decided };
        }
        let resubmitted = clearance.resubmit.get() > 0.0 && rng.random::<f64>() < clearance.resubmit.get();
        if !resubmitted {
            return NEVER;
        }
        submitted = decided.saturating_add(draw_days(&clearance.resubmit_after, rng));
    }
}

fn draw_days(distribution: &DayDistribution, rng: &mut Xoshiro256PlusPlus) -> i32 {
    let days = match *distribution {
        DayDistribution::Fixed(days) => days,
        DayDistribution::Uniform { min, max } => rng.random_range(min..=max),
    };
    i32::try_from(days).unwrap_or(NEVER)
}
