//! The aid staging queue: trucks arriving at the staging area each day and
//! a daily inspection capacity, forecast with the same machinery as the
//! waiting list (one stream per replication from [`replication_rng`],
//! replications in parallel and summarised in order into [`Band`]s and a
//! [`Completion`]).
//!
//! # The model, exactly
//!
//! Day 0 is the start date; the simulation runs days `0..horizon_days`. The
//! staging queue holds `initial_queue` trucks at the start of day 0. On day
//! `d`:
//!
//! 1. a Poisson number of trucks with mean `arrivals_per_day + d ×
//!    arrivals_growth_per_day` (never below 0) arrives in staging;
//! 2. `min(queue, capacity(d))` trucks are inspected, where `capacity(d) =
//!    floor(inspection_capacity + d × capacity_growth_per_day)` (never below 0);
//! 3. the rest stay in the queue overnight.
//!
//! The target is met on the first day on which the trucks inspected reach
//! `target_per_day`. Dwell in staging follows from the queue by Little's law
//! and is not simulated per truck.

use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;

use crate::error::ValueError;
use crate::forecast::{Completion, ForecastConfig, replication_rng};
use crate::scenario::HorizonDays;
use crate::stats::{Band, Estimate};

/// What the staging-queue forecast is given.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueScenario {
    pub horizon_days: HorizonDays,
    /// Trucks in staging at the start.
    pub initial_queue: u32,
    /// Mean trucks arriving in staging a day, on day 0.
    pub arrivals_per_day: f64,
    /// Change of that mean from one day to the next (may be negative).
    pub arrivals_growth_per_day: f64,
    /// Trucks that can be inspected a day, on day 0.
    pub inspection_capacity: f64,
    /// Change of the capacity from one day to the next (may be negative).
    pub capacity_growth_per_day: f64,
    /// Trucks a day to inspect for the target to be met (600 publicly).
    pub target_per_day: u32,
}

impl QueueScenario {
    /// Checks that every rate is a finite, non-negative number on day 0.
    pub fn check(&self) -> Result<(), ValueError> {
        for (name, value) in [
            ("arrivals per day", self.arrivals_per_day),
            ("inspection capacity", self.inspection_capacity),
        ] {
            if !value.is_finite() || value < 0.0 {
                return Err(ValueError(format!(
                    "{name} is {value}; give a number of trucks of 0 or more"
                )));
            }
        }
        for (name, value) in [
            ("arrivals growth", self.arrivals_growth_per_day),
            ("capacity growth", self.capacity_growth_per_day),
        ] {
            if !value.is_finite() {
                return Err(ValueError(format!("{name} must be a finite number")));
            }
        }
        if self.arrivals_per_day > 1e6 || self.inspection_capacity > 1e6 {
            return Err(ValueError(
                "rates above a million trucks a day are not supported".to_string(),
            ));
        }
        Ok(())
    }

    fn arrivals_on(&self, day: u32) -> f64 {
        (self.arrivals_per_day + f64::from(day) * self.arrivals_growth_per_day).clamp(0.0, 1e6)
    }

    pub fn capacity_on(&self, day: u32) -> u64 {
        (self.inspection_capacity + f64::from(day) * self.capacity_growth_per_day)
            .clamp(0.0, 1e6)
            .floor() as u64
    }

    /// Why the target cannot be met by the end of the horizon, if the
    /// rates alone rule it out: the capacity, or the arrivals, stay below it.
    pub fn shortfall(&self) -> Option<Shortfall> {
        let target = u64::from(self.target_per_day);
        let last = self.horizon_days.get() - 1;
        let best_capacity = self.capacity_on(0).max(self.capacity_on(last));
        if best_capacity < target {
            return Some(Shortfall::Capacity {
                best: best_capacity,
            });
        }
        let best_arrivals = self.arrivals_on(0).max(self.arrivals_on(last));
        if best_arrivals < f64::from(self.target_per_day) {
            return Some(Shortfall::Arrivals {
                best: best_arrivals,
            });
        }
        None
    }
}

/// What keeps the daily inspections below the target over the horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shortfall {
    /// The inspection capacity never reaches the target; `best` is its highest value.
    Capacity { best: u64 },
    /// The mean arrivals never reach the target; it can be met only while a
    /// queue lasts. `best` is their highest mean.
    Arrivals { best: f64 },
}

/// The forecast of the staging queue over replications.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueForecast {
    pub replications: u32,
    pub seed: u64,
    /// Trucks in staging at the end of each day.
    pub queue: Vec<Band>,
    /// Trucks inspected each day.
    pub inspected: Vec<Band>,
    /// The first day (counted from 1) on which the target is met.
    pub target_met: Completion,
    /// Trucks in staging at the end of the horizon.
    pub final_queue: Estimate,
}

struct QueueRun {
    queue: Vec<u64>,
    inspected: Vec<u64>,
    target_met_on: Option<u32>,
}

/// Runs the replications in parallel and summarises them in order; the
/// result depends only on the arguments. `scenario` must pass [`QueueScenario::check`].
pub fn forecast_queue(scenario: &QueueScenario, config: &ForecastConfig) -> QueueForecast {
    let runs: Vec<QueueRun> = (0..u64::from(config.replications.get()))
        .into_par_iter()
        .map(|replication| simulate(scenario, &mut replication_rng(config.seed, replication)))
        .collect();
    let horizon = scenario.horizon_days.get() as usize;
    let mut column = vec![0.0; runs.len()];
    let mut band_of = |value: &dyn Fn(&QueueRun) -> f64| {
        for (slot, run) in column.iter_mut().zip(&runs) {
            *slot = value(run);
        }
        Band::from_values(&mut column)
    };
    let queue = (0..horizon)
        .map(|day| band_of(&|run| run.queue[day] as f64))
        .collect();
    let inspected = (0..horizon)
        .map(|day| band_of(&|run| run.inspected[day] as f64))
        .collect();
    let replications = runs.len() as u32;
    let met: Vec<f64> = runs
        .iter()
        .filter_map(|run| run.target_met_on.map(f64::from))
        .collect();
    let completed = met.len() as u32;
    let final_queue: Vec<f64> = runs
        .iter()
        .map(|run| run.queue.last().copied().unwrap_or(0) as f64)
        .collect();
    QueueForecast {
        replications,
        seed: config.seed,
        queue,
        inspected,
        target_met: Completion {
            completed,
            replications,
            days: if completed == replications {
                Estimate::from_samples(&met)
            } else {
                None
            },
        },
        final_queue: Estimate::from_samples(&final_queue).unwrap_or(Estimate {
            mean: 0.0,
            low: 0.0,
            high: 0.0,
            samples: 0,
        }),
    }
}

fn simulate(scenario: &QueueScenario, rng: &mut impl rand::Rng) -> QueueRun {
    let horizon = scenario.horizon_days.get();
    let mut run = QueueRun {
        queue: Vec::with_capacity(horizon as usize),
        inspected: Vec::with_capacity(horizon as usize),
        target_met_on: None,
    };
    let mut waiting = u64::from(scenario.initial_queue);
    for day in 0..horizon {
        let mean = scenario.arrivals_on(day);
        // Poisson::new refuses a mean of 0: no arrivals then.
        waiting += Poisson::new(mean).map_or(0, |poisson| poisson.sample(rng) as u64);
        let inspected = waiting.min(scenario.capacity_on(day));
        waiting -= inspected;
        if run.target_met_on.is_none() && inspected >= u64::from(scenario.target_per_day) {
            run.target_met_on = Some(day + 1);
        }
        run.queue.push(waiting);
        run.inspected.push(inspected);
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::Replications;

    fn scenario(arrivals: f64, capacity: f64, queue: u32) -> QueueScenario {
        QueueScenario {
            horizon_days: HorizonDays::new(30).unwrap(),
            initial_queue: queue,
            arrivals_per_day: arrivals,
            arrivals_growth_per_day: 0.0,
            inspection_capacity: capacity,
            capacity_growth_per_day: 0.0,
            target_per_day: 600,
        }
    }

    fn config(replications: u32) -> ForecastConfig {
        ForecastConfig {
            replications: Replications::new(replications).unwrap(),
            seed: 7,
        }
    }

    #[test]
    fn without_arrivals_the_queue_drains_at_capacity() {
        let forecast = forecast_queue(&scenario(0.0, 200.0, 1000), &config(3));
        let queue: Vec<f64> = forecast.queue.iter().take(6).map(|band| band.p50).collect();
        assert_eq!(queue, [800.0, 600.0, 400.0, 200.0, 0.0, 0.0]);
        assert_eq!(forecast.target_met.completed, 0);
        assert_eq!(
            scenario(0.0, 200.0, 1000).shortfall(),
            Some(Shortfall::Capacity { best: 200 })
        );
    }

    #[test]
    fn a_large_queue_meets_the_target_on_day_one_and_growth_later() {
        let forecast = forecast_queue(&scenario(0.0, 600.0, 700), &config(2));
        assert_eq!(forecast.target_met.days.unwrap().mean, 1.0);
        let mut growing = scenario(700.0, 500.0, 0);
        growing.capacity_growth_per_day = 10.0;
        // Capacity reaches 600 on day index 10, the 11th day; arrivals exceed it.
        let forecast = forecast_queue(&growing, &config(20));
        assert_eq!(forecast.target_met.completed, 20);
        assert_eq!(forecast.target_met.days.unwrap().mean, 11.0);
        assert_eq!(growing.shortfall(), None);
    }

    #[test]
    fn results_depend_on_the_seed_only() {
        let a = forecast_queue(&scenario(180.0, 170.0, 50), &config(50));
        let b = forecast_queue(&scenario(180.0, 170.0, 50), &config(50));
        assert_eq!(a, b);
        // Arrivals above capacity: the queue grows by about 10 a day.
        let last = a.queue.last().unwrap().p50;
        assert!((200.0..500.0).contains(&last), "{last}");
    }
}
