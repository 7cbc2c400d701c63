//! Many replications in parallel, summarised in order.

use jiff::civil::Date;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::engine::{DayTrace, Prepared, ReplicationResult, simulate};
use crate::error::ValueError;
use crate::policy::Policy;
use crate::scenario::Scenario;
use crate::stats::{Band, Estimate};

/// How many replications to run and from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForecastConfig {
    pub replications: Replications,
    pub seed: u64,
}

/// A number of replications from 1 to 1,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Replications(u32);

impl Replications {
    pub const MAX: u32 = 1_000_000;

    pub fn new(count: u32) -> Result<Self, ValueError> {
        if (1..=Self::MAX).contains(&count) {
            Ok(Replications(count))
        } else {
            Err(ValueError(format!(
                "is {count}; give a number from 1 to {}",
                Self::MAX
            )))
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// The summary of one scenario under one policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub scenario: String,
    pub policy: String,
    pub start: Date,
    pub horizon_days: u32,
    pub replications: u32,
    pub seed: u64,
    /// Tier names, highest priority first; every per-tier vector below is
    /// in this order.
    pub tiers: Vec<String>,
    pub initial_backlog_by_tier: Vec<u32>,
    /// Days until no one of the initial backlog is waiting any more.
    pub backlog_cleared: Completion,
    /// Days until the list is empty at the end of a day.
    pub list_empty: Completion,
    pub evacuated: Estimate,
    pub evacuated_by_tier: Vec<Estimate>,
    pub companions_evacuated: Estimate,
    pub deaths: Estimate,
    pub deaths_by_tier: Vec<Estimate>,
    /// Taken off the list after a final clearance denial.
    pub removed_after_denial_by_tier: Vec<Estimate>,
    pub waiting_at_end_by_tier: Vec<Estimate>,
    pub wait_by_tier: Vec<WaitEstimates>,
    /// End-of-day list size, `[tier][day]`.
    pub list_size_by_tier: Vec<Vec<Band>>,
    /// End-of-day list size, all tiers, by day.
    pub list_size_total: Vec<Band>,
    /// Cumulative deaths while waiting (all tiers) by the end of each day.
    pub cumulative_deaths: Vec<Band>,
}

/// When something happens within the horizon in some replications only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Completion {
    /// Replications in which it happened within the horizon.
    pub completed: u32,
    pub replications: u32,
    /// Days until it happened; `Some` only when it happened in every
    /// replication (a mean over a subset would be biased).
    pub days: Option<Estimate>,
}

/// Waits (days) of the evacuated of one tier: per replication the mean,
/// the median and the 90th percentile, each then averaged over the
/// replications in which someone of the tier left (`None` if none did).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitEstimates {
    pub mean: Option<Estimate>,
    pub p50: Option<Estimate>,
    pub p90: Option<Estimate>,
}

/// The random number generator of replication `replication`:
/// Xoshiro256++ seeded through rand_xoshiro's `seed_from_u64` (SplitMix64)
/// from `mix(seed ^ mix(replication))`, where `mix` is the SplitMix64
/// finaliser, a bijection, so distinct replications never share a stream.
pub fn replication_rng(seed: u64, replication: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(mix(seed ^ mix(replication)))
}

fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Runs the replications in parallel on the current rayon pool and
/// summarises them. `progress` is called with 1 each time a replication
/// ends (from any thread). The result depends only on the arguments, not on
/// the number of threads.
pub fn forecast(
    scenario: &Scenario,
    policy: &dyn Policy,
    config: &ForecastConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Forecast {
    let prepared = Prepared::new(scenario);
    let results: Vec<ReplicationResult> = (0..u64::from(config.replications.get()))
        .into_par_iter()
        .map(|replication| {
            let mut rng = replication_rng(config.seed, replication);
            let result = simulate(&prepared, policy, &mut rng, None);
            progress(1);
            result
        })
        .collect();
    summarise(scenario, policy, config, &results)
}

/// One replication, as [`forecast`] runs it.
pub fn replicate(
    scenario: &Scenario,
    policy: &dyn Policy,
    seed: u64,
    replication: u64,
) -> ReplicationResult {
    let prepared = Prepared::new(scenario);
    simulate(
        &prepared,
        policy,
        &mut replication_rng(seed, replication),
        None,
    )
}

/// One replication with a per-day record of who left and who was left
/// waiting, for tests and for explaining a policy. It is slow on large
/// lists (it lists everyone waiting every day).
pub fn trace_replication(
    scenario: &Scenario,
    policy: &dyn Policy,
    seed: u64,
    replication: u64,
) -> (ReplicationResult, Vec<DayTrace>) {
    let prepared = Prepared::new(scenario);
    let mut trace = Vec::new();
    let result = simulate(
        &prepared,
        policy,
        &mut replication_rng(seed, replication),
        Some(&mut trace),
    );
    (result, trace)
}

fn summarise(
    scenario: &Scenario,
    policy: &dyn Policy,
    config: &ForecastConfig,
    results: &[ReplicationResult],
) -> Forecast {
    let tiers = scenario.tiers.len();
    let horizon = scenario.horizon_days.get() as usize;
    let replications = results.len() as u32;
    let estimate = |value: &dyn Fn(&ReplicationResult) -> f64| {
        let samples: Vec<f64> = results.iter().map(value).collect();
        // `results` is never empty (at least one replication).
        Estimate::from_samples(&samples).unwrap_or(Estimate {
            mean: 0.0,
            low: 0.0,
            high: 0.0,
            samples: 0,
        })
    };
    let per_tier = |value: &dyn Fn(&ReplicationResult, usize) -> f64| -> Vec<Estimate> {
        (0..tiers)
            .map(|tier| estimate(&|result| value(result, tier)))
            .collect()
    };
    let completion = |days: &dyn Fn(&ReplicationResult) -> Option<u32>| {
        let samples: Vec<f64> = results.iter().filter_map(days).map(f64::from).collect();
        let completed = samples.len() as u32;
        Completion {
            completed,
            replications,
            days: if completed == replications {
                Estimate::from_samples(&samples)
            } else {
                None
            },
        }
    };
    let wait_by_tier = (0..tiers)
        .map(|tier| {
            let pick = |field: fn(&crate::engine::WaitSummary) -> f64| {
                let samples: Vec<f64> = results
                    .iter()
                    .filter_map(|r| r.wait_by_tier[tier].as_ref().map(field))
                    .collect();
                Estimate::from_samples(&samples)
            };
            WaitEstimates {
                mean: pick(|w| w.mean),
                p50: pick(|w| w.p50),
                p90: pick(|w| w.p90),
            }
        })
        .collect();

    let mut column = vec![0.0; results.len()];
    let mut band_of = |value: &dyn Fn(&ReplicationResult) -> f64| {
        for (slot, result) in column.iter_mut().zip(results) {
            *slot = value(result);
        }
        Band::from_values(&mut column)
    };
    let list_size_by_tier = (0..tiers)
        .map(|tier| {
            (0..horizon)
                .map(|day| band_of(&|r| f64::from(r.list_size[day * tiers + tier])))
                .collect()
        })
        .collect();
    let list_size_total = (0..horizon)
        .map(|day| {
            band_of(&|r| {
                r.list_size[day * tiers..(day + 1) * tiers]
                    .iter()
                    .map(|&n| f64::from(n))
                    .sum()
            })
        })
        .collect();
    let cumulative_deaths = (0..horizon)
        .map(|day| {
            band_of(&|r| {
                r.cumulative_deaths[day * tiers..(day + 1) * tiers]
                    .iter()
                    .map(|&n| f64::from(n))
                    .sum()
            })
        })
        .collect();

    Forecast {
        scenario: scenario.name.clone(),
        policy: policy.name().to_owned(),
        start: scenario.start,
        horizon_days: horizon as u32,
        replications,
        seed: config.seed,
        tiers: scenario
            .tiers
            .iter()
            .map(|tier| tier.name.as_str().to_owned())
            .collect(),
        initial_backlog_by_tier: scenario.tiers.iter().map(|tier| tier.backlog).collect(),
        backlog_cleared: completion(&|r| r.backlog_cleared_after),
        list_empty: completion(&|r| r.list_empty_after),
        evacuated: estimate(&|r| r.evacuated_by_tier.iter().map(|&n| f64::from(n)).sum()),
        evacuated_by_tier: per_tier(&|r, tier| f64::from(r.evacuated_by_tier[tier])),
        companions_evacuated: estimate(&|r| r.companions_evacuated as f64),
        deaths: estimate(&|r| r.deaths_by_tier.iter().map(|&n| f64::from(n)).sum()),
        deaths_by_tier: per_tier(&|r, tier| f64::from(r.deaths_by_tier[tier])),
        removed_after_denial_by_tier: per_tier(&|r, tier| {
            f64::from(r.removed_after_denial_by_tier[tier])
        }),
        waiting_at_end_by_tier: per_tier(&|r, tier| f64::from(r.waiting_at_end_by_tier[tier])),
        wait_by_tier,
        list_size_by_tier,
        list_size_total,
        cumulative_deaths,
    }
}
