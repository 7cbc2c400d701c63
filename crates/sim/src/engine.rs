//! One replication of the waiting list, day by day.
//!
//! Every random quantity of a person (child or not, companions, day of
//! death, day of clearance) is drawn when the person is referred, from the
//! replication's own generator, in referral order. None of them depends on
//! the queue, so the draws are the same whatever the policy (common random
//! numbers: policy comparisons are not blurred by different arrivals).
//! The queue itself is then exact: people wait in lanes of one tier, one
//! child flag and one party size, each a set of referral sequence numbers
//! ([`SequenceSet`]), and each evening the best lane head (by the policy)
//! that fits the remaining places leaves, until no one fits. Within a lane
//! every policy orders by sequence (the contract of [`Policy::compare`]), so
//! the best head that fits is exactly the first person in the policy's order
//! whose party fits.
//!
//! A party given places may fail to come (the scenario's turnout): how many
//! times it will fail, and how many of those failures standby makes good,
//! are drawn at referral too. A party that fails stays on the list in its
//! place and goes back to its lane after the evening; its places go to the
//! next party in order when standby makes them good, and are lost
//! otherwise.

use rand::RngExt;
use rand_distr::{Binomial, Distribution, Exp1, Geometric, Poisson};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::policy::{Candidate, Policy};
use crate::scenario::{AfterFinalDenial, Clearance, DayDistribution, Scenario, Turnout};
use crate::schedule::DailySchedule;
use crate::sequence_set::SequenceSet;

/// A day that never comes (death or clearance beyond the horizon).
const NEVER: i32 = i32::MAX;
/// The failures of a party that never comes when given places.
const NEVER_COMES: u8 = u8::MAX;

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
    lane_count: usize,
    /// Per (tier, child): the number of companions when it is certain.
    certain_companions: Vec<Option<u8>>,
}

const MAX_PLACES: usize = crate::scenario::CompanionDistribution::MAX_COMPANIONS + 2;

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
        // Only the party sizes that can occur get a lane, since every lane
        // is looked at for every departure.
        let mut lane_count = 0;
        let mut lane_of = vec![usize::MAX; scenario.tiers.len() * 2 * MAX_PLACES];
        for (tier_index, tier) in scenario.tiers.iter().enumerate() {
            for is_child in [false, true] {
                let companions = if is_child {
                    &tier.child_companions
                } else {
                    &tier.companions
                };
                for (count, probability) in companions.probabilities().iter().enumerate() {
                    if *probability > 0.0 {
                        let places = count + 1;
                        lane_of[(tier_index * 2 + usize::from(is_child)) * MAX_PLACES + places] =
                            lane_count;
                        lane_count += 1;
                    }
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
            lane_count,
            certain_companions: scenario
                .tiers
                .iter()
                .flat_map(|tier| [tier.companions.certain(), tier.child_companions.certain()])
                .collect(),
        }
    }

    fn lane_of_candidate(&self, candidate: &Candidate) -> usize {
        self.lane_of[(candidate.tier * 2 + usize::from(candidate.is_child)) * MAX_PLACES
            + candidate.places as usize]
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
            let referral_day = if spread == 0 {
                0
            } else {
                -((spread - i * spread / count) as i64)
            };
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
    /// Times the party will still fail to come when given places.
    no_shows: u8,
    /// How many of those failures standby makes good.
    refills: u8,
}

/// The raw result of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationResult {
    /// Days (1-based count) until no one of the initial backlog is waiting.
    pub backlog_cleared_after: Option<u32>,
    /// Days until the list is empty at the end of a day.
    pub list_empty_after: Option<u32>,
    /// The backlog plus the new referrals, by tier.
    pub referred_by_tier: Vec<u32>,
    pub evacuated_by_tier: Vec<u32>,
    /// Companions who left with the evacuated patients.
    pub companions_evacuated: u64,
    pub deaths_by_tier: Vec<u32>,
    /// People who left the list after a final clearance denial (only when
    /// the scenario's clearance says they leave it).
    pub removed_after_denial_by_tier: Vec<u32>,
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
    let mut lanes: Vec<SequenceSet> = vec![SequenceSet::default(); prepared.lane_count];
    // The lane heads in the policy's order, rebuilt every evening.
    let mut order: Vec<Candidate> = Vec::with_capacity(prepared.lane_count);
    // People cleared after their referral day, by the day they are cleared.
    let mut cleared_on: Vec<Vec<u32>> = vec![Vec::new(); horizon];
    let mut scheduled_deaths = vec![0u32; horizon * tiers];
    let mut scheduled_removals = vec![0u32; horizon * tiers];
    let mut scheduled_backlog_exits = vec![0u32; horizon];
    let mut waiting = vec![0u32; tiers];
    let mut referred = vec![0u32; tiers];
    let mut deaths = vec![0u32; tiers];
    let mut removed = vec![0u32; tiers];
    let mut evacuated = vec![0u32; tiers];
    let mut companions_evacuated = 0u64;
    let mut wait_histogram = vec![0u32; tiers * horizon];
    let mut list_size = Vec::with_capacity(horizon * tiers);
    let mut cumulative_deaths = Vec::with_capacity(horizon * tiers);
    let backlog_len = prepared.backlog.len() as u32;
    let mut backlog_remaining = backlog_len;
    let mut backlog_cleared_after = (backlog_len == 0).then_some(0);
    let mut list_empty_after = None;
    // Parties that failed to come this evening, back in their lanes after it.
    let mut stayed: Vec<u32> = Vec::new();

    let mut referrer = Referrer {
        prepared,
        people: &mut people,
        lanes: &mut lanes,
        cleared_on: &mut cleared_on,
        scheduled_deaths: &mut scheduled_deaths,
        scheduled_removals: &mut scheduled_removals,
        scheduled_backlog_exits: &mut scheduled_backlog_exits,
        waiting: &mut waiting,
        referred: &mut referred,
        deaths: &mut deaths,
        removed: &mut removed,
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
        // Deaths and removals after a final denial, of those already waiting.
        for tier in 0..tiers {
            let dying = std::mem::take(&mut referrer.scheduled_deaths[day * tiers + tier]);
            referrer.waiting[tier] -= dying;
            referrer.deaths[tier] += dying;
            let leaving = std::mem::take(&mut referrer.scheduled_removals[day * tiers + tier]);
            referrer.waiting[tier] -= leaving;
            referrer.removed[tier] += leaving;
        }
        *referrer.backlog_remaining -= std::mem::take(&mut referrer.scheduled_backlog_exits[day]);
        // Clearance decisions of the day.
        for sequence in std::mem::take(&mut referrer.cleared_on[day]) {
            let person = referrer.people[sequence as usize];
            if person.death_day > today {
                referrer.lanes[prepared.lane(&person)].insert(sequence);
            }
        }
        // Departures in the evening. The lane heads are sorted once by the
        // policy; after each departure only the new head of that lane is
        // looked up and put back in place. The first head in that order
        // whose party fits leaves next.
        let mut places_left = prepared.places[day];
        let mut served = Vec::new();
        order.clear();
        if places_left > 0 {
            for lane in referrer.lanes.iter_mut() {
                order.extend(lane_head(lane, referrer.people, scenario, today));
            }
            order.sort_by(|a, b| policy.compare(a, b, day as i64));
        }
        while places_left > 0 {
            let Some(position) = order.iter().position(|c| c.places <= places_left) else {
                break;
            };
            let chosen = order.remove(position);
            let lane = &mut referrer.lanes[prepared.lane_of_candidate(&chosen)];
            lane.remove(chosen.sequence);
            if let Some(next) = lane_head(lane, referrer.people, scenario, today) {
                let at = order.partition_point(|c| policy.compare(c, &next, day as i64).is_lt());
                order.insert(at, next);
            }
            if trace.is_some() {
                served.push(ServedTrace {
                    candidate: chosen,
                    places_left_before: places_left,
                });
            }
            let failing = &mut referrer.people[chosen.sequence as usize];
            if failing.no_shows > 0 {
                if failing.no_shows != NEVER_COMES {
                    failing.no_shows -= 1;
                }
                if failing.refills > 0 {
                    failing.refills -= 1;
                } else {
                    places_left -= chosen.places;
                }
                stayed.push(chosen.sequence);
                continue;
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
                    referrer.scheduled_backlog_exits[death_day] -= 1;
                }
            }
            if chosen.sequence < backlog_len {
                *referrer.backlog_remaining -= 1;
            }
        }
        for sequence in stayed.drain(..) {
            let person = referrer.people[sequence as usize];
            referrer.lanes[prepared.lane(&person)].insert(sequence);
        }
        if let Some(trace) = trace.as_deref_mut() {
            let left_waiting = referrer
                .lanes
                .iter()
                .flat_map(|lane| lane.iter())
                .map(|sequence| (sequence, referrer.people[sequence as usize]))
                .filter(|(_, person)| person.death_day > today)
                .map(|(sequence, person)| candidate(scenario, &person, sequence))
                .collect();
            trace.push(DayTrace {
                day: day as u32,
                places: prepared.places[day],
                served,
                left_waiting,
            });
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
        referred_by_tier: referred,
        evacuated_by_tier: evacuated,
        companions_evacuated,
        deaths_by_tier: deaths,
        removed_after_denial_by_tier: removed,
        waiting_at_end_by_tier: waiting,
        wait_by_tier,
        list_size,
        cumulative_deaths,
    }
}

/// The lane's first person still alive on `today`; those who died are
/// dropped here (their deaths are already counted).
fn lane_head(
    lane: &mut SequenceSet,
    people: &[Person],
    scenario: &Scenario,
    today: i32,
) -> Option<Candidate> {
    while let Some(sequence) = lane.first() {
        let person = &people[sequence as usize];
        if person.death_day > today {
            return Some(candidate(scenario, person, sequence));
        }
        lane.remove(sequence);
    }
    None
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
    let total: u64 = histogram
        .iter()
        .enumerate()
        .map(|(days, &n)| days as u64 * u64::from(n))
        .sum();
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
    Some(WaitSummary {
        mean: total as f64 / count as f64,
        p50: nearest_rank(0.5),
        p90: nearest_rank(0.9),
    })
}

/// Creates people and schedules their death and clearance.
struct Referrer<'p, 'a> {
    prepared: &'p Prepared<'a>,
    people: &'p mut Vec<Person>,
    lanes: &'p mut Vec<SequenceSet>,
    cleared_on: &'p mut Vec<Vec<u32>>,
    scheduled_deaths: &'p mut Vec<u32>,
    scheduled_removals: &'p mut Vec<u32>,
    scheduled_backlog_exits: &'p mut Vec<u32>,
    waiting: &'p mut Vec<u32>,
    referred: &'p mut Vec<u32>,
    deaths: &'p mut Vec<u32>,
    removed: &'p mut Vec<u32>,
    backlog_remaining: &'p mut u32,
}

impl Referrer<'_, '_> {
    /// Refers one person. For the backlog `referral_day` may be negative;
    /// exposure to death and the first clearance submission start on the
    /// later of the referral day and day 0.
    fn refer(
        &mut self,
        rng: &mut Xoshiro256PlusPlus,
        tier: u8,
        referral_day: i32,
        is_child: bool,
        in_backlog: bool,
    ) {
        let scenario = self.prepared.scenario;
        let horizon = self.prepared.horizon;
        let tiers = scenario.tiers.len();
        let tier_params = &scenario.tiers[usize::from(tier)];
        let first_day = referral_day.max(0);
        let companions = if is_child {
            &tier_params.child_companions
        } else {
            &tier_params.companions
        };
        let companion_count =
            match self.prepared.certain_companions[usize::from(tier) * 2 + usize::from(is_child)] {
                Some(count) => count,
                None => companions.companions_for(rng.random::<f64>()),
            };
        let hazard = tier_params.daily_death_hazard.get();
        let death_day = if hazard > 0.0 {
            let exposure: f64 = Exp1.sample(rng);
            // Whole days survived: the quotient is non-negative, so the
            // truncating (and saturating) cast is the floor.
            let days_survived = (exposure / hazard) as i64;
            i32::try_from(i64::from(first_day).saturating_add(days_survived)).unwrap_or(NEVER)
        } else {
            NEVER
        };
        let outcome = clearance_outcome(&scenario.clearance, first_day, horizon as i32, rng);
        let (no_shows, refills) = turnout_draws(&scenario.turnout, rng);

        let sequence = self.people.len() as u32;
        let person = Person {
            referral_day,
            death_day,
            tier,
            is_child,
            places: companion_count + 1,
            no_shows,
            refills,
        };
        self.people.push(person);
        let tier_index = usize::from(tier);
        self.waiting[tier_index] += 1;
        self.referred[tier_index] += 1;
        // Whoever leaves the list first: death, or removal after a final
        // denial (when the scenario says the denied leave the list).
        let removal_day = match outcome {
            Outcome::FinallyDenied(day)
                if scenario.clearance.after_final_denial == AfterFinalDenial::LeavesList
                    && day < death_day =>
            {
                Some(day)
            }
            _ => None,
        };
        let (exit_day, schedule) = match removal_day {
            Some(day) => (day, &mut *self.scheduled_removals),
            None => (death_day, &mut *self.scheduled_deaths),
        };
        if exit_day == first_day {
            // Leaves during the day of referral (or day 0 for the backlog):
            // the day's exit step may already have run, so count it here.
            self.waiting[tier_index] -= 1;
            match removal_day {
                Some(_) => self.removed[tier_index] += 1,
                None => self.deaths[tier_index] += 1,
            }
            if in_backlog {
                *self.backlog_remaining -= 1;
            }
            return;
        }
        if (exit_day as i64) < horizon as i64 {
            schedule[exit_day as usize * tiers + tier_index] += 1;
            if in_backlog {
                self.scheduled_backlog_exits[exit_day as usize] += 1;
            }
        }
        let Outcome::Cleared(cleared_day) = outcome else {
            return;
        };
        if cleared_day >= death_day {
            return;
        }
        if cleared_day == first_day {
            self.lanes[self.prepared.lane(&person)].insert(sequence);
        } else {
            // Outcome::Cleared is always within the horizon.
            self.cleared_on[cleared_day as usize].push(sequence);
        }
    }
}

/// The final clearance outcome of a party first submitted on `submitted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Cleared(i32),
    /// Denied on that day and not resubmitted.
    FinallyDenied(i32),
    /// No final decision within the horizon.
    Undecided,
}

fn clearance_outcome(
    clearance: &Clearance,
    submitted: i32,
    horizon: i32,
    rng: &mut Xoshiro256PlusPlus,
) -> Outcome {
    let mut submitted = submitted;
    loop {
        if submitted >= horizon {
            return Outcome::Undecided;
        }
        let decided = submitted.saturating_add(draw_days(&clearance.delay, rng));
        let denied = clearance.denial.get() > 0.0 && rng.random::<f64>() < clearance.denial.get();
        if decided >= horizon {
            // The draws above still happen so that the stream of draws does
            // not depend on where the horizon falls.
            return Outcome::Undecided;
        }
        if !denied {
            return Outcome::Cleared(decided);
        }
        let resubmitted =
            clearance.resubmit.get() > 0.0 && rng.random::<f64>() < clearance.resubmit.get();
        if !resubmitted {
            return Outcome::FinallyDenied(decided);
        }
        submitted = decided.saturating_add(draw_days(&clearance.resubmit_after, rng));
    }
}

/// How many times a party will fail to come when given places, and how
/// many of those failures standby makes good. Nothing is drawn when
/// everyone comes, so such scenarios keep their stream of draws.
fn turnout_draws(turnout: &Turnout, rng: &mut Xoshiro256PlusPlus) -> (u8, u8) {
    let no_show = turnout.no_show.get();
    if no_show <= 0.0 {
        return (0, 0);
    }
    if no_show >= 1.0 {
        return (NEVER_COMES, 0);
    }
    // Failures before the first time the party comes.
    let no_shows = match Geometric::new(1.0 - no_show) {
        Ok(failures) => u8::try_from(failures.sample(rng)).unwrap_or(u8::MAX),
        // A party that never comes.
        Err(_) => u8::MAX,
    };
    let fill = turnout.standby_fill.get();
    if no_shows == 0 || fill <= 0.0 {
        return (no_shows, 0);
    }
    let refills = match Binomial::new(u64::from(no_shows), fill) {
        Ok(refills) => u8::try_from(refills.sample(rng)).unwrap_or(no_shows),
        Err(_) => no_shows,
    };
    (no_shows, refills)
}

fn draw_days(distribution: &DayDistribution, rng: &mut Xoshiro256PlusPlus) -> i32 {
    let days = match *distribution {
        DayDistribution::Fixed(days) => days,
        DayDistribution::Uniform { min, max } => rng.random_range(min..=max),
    };
    i32::try_from(days).unwrap_or(NEVER)
}
