//! corridor-sim: the Monte Carlo forecast of the medical-evacuation waiting
//! list, and of the aid trucks' staging queue ([`forecast_queue`], whose
//! model is stated in its module). Pure computation: no I/O, no clock, no global random generator. The
//! start date is in the [`Scenario`] and the seed in the [`ForecastConfig`].
//!
//! # The model, exactly
//!
//! Time is counted in whole days. Day 0 is the scenario's `start` date, and
//! the simulation runs days `0..horizon_days`.
//!
//! **People.** Each person is one patient, in one tier. Tiers are data,
//! ordered from highest priority (index 0). A person is referred on a
//! *referral day*; the initial backlog of each tier is on the list at the
//! start of day 0, with referral days spread evenly over the
//! `backlog_referred_over_days` days before the start (this only orders them
//! for the policies; waits are counted from day 0 for them). A given number
//! of the backlog (`backlog_children`) are children, spread evenly; a new
//! referral is a child with probability `child_fraction`.
//!
//! **Referrals.** On each day `d`, each tier receives a Poisson number of
//! new referrals with mean `referrals_per_day × factor(d)`, where `factor` is
//! the referral schedule (1 before its first change).
//!
//! **Companions.** Each patient travels with `k` companions, drawn at
//! referral from the tier's categorical distribution over 0, 1, 2, … (a
//! separate one for children if given). The party takes `1 + k` places of
//! the same daily quota.
//!
//! **Capacity.** The daily number of places follows the capacity schedule:
//! segments starting at given dates, each `per_day` places on each operating
//! weekday, or `per_week` places spread over the operating weekdays with
//! fractions carried exactly (see [`Places`]). Before the first segment, on
//! non-operating weekdays and on closure dates (inclusive ranges) there are
//! no places. Unused places are lost.
//!
//! **Clearance.** Each person is submitted for clearance on the later of the
//! referral day and day 0. A decision comes `delay` days after submission
//! and is a denial with probability `denial`. After a denial the person is
//! resubmitted `resubmit_after` days later with probability `resubmit`;
//! otherwise, by default, the person **leaves the list on the day of the
//! final denial** and is counted as removed, apart from deaths and
//! evacuations (so a few denials do not turn "days to clear" into "never").
//! A scenario may instead say `after_final_denial = "stays-uncleared"`: the
//! person then stays on the list, never cleared, exposed to death until the
//! horizon. Only cleared people can leave through the crossing.
//!
//! **Death while waiting.** Each tier has a daily hazard `h`: the death time
//! of a person is exponential with rate `h` from the start of the later of
//! the referral day and day 0, and the death falls on the day that contains
//! it. So the probability of dying within one day is `1 − e^(−h)` and
//! within `T` days `1 − e^(−hT)`. Scenario files may give `annual_mortality`
//! `m` instead: `h = −ln(1 − m) / 365`.
//!
//! **Order within a day.** During day `d` the day's deaths, new referrals
//! and clearance decisions happen; the day's departures leave at the end of
//! day `d`. So someone referred on day `d` and cleared on day `d` can leave
//! that evening, and someone whose death falls on day `d` does not leave.
//!
//! **Departures.** In the evening the policy orders everyone who is cleared
//! and alive. Parties are taken in that order while they fit in the places
//! left; a party larger than the places left is passed over for the day and
//! the next one that fits is taken (so places are not wasted on a day when a
//! large family is next). The day ends when no one left fits.
//!
//! **Policies** ([`PolicySpec`], each a small type implementing [`Policy`]):
//! strict priority by tier then longest wait; first come first served;
//! weighted (highest `weight × (days since referral + 1)` first); children
//! first within a tier, then longest wait. "Longest wait" means earliest
//! referral, ties by referral order.
//!
//! # Outputs
//!
//! Per replication: the number of days after which no one of the initial
//! backlog is on the list (evacuated, dead or removed after denial); the number of days after which
//! the list is empty at the end of a day (if ever within the horizon); the
//! evacuated, deaths while waiting, removed after a final denial and people
//! still waiting at the horizon, by tier; and over each tier's evacuated, the mean, median and 90th
//! percentile wait (days from the later of referral and day 0 to the day of
//! leaving, nearest-rank percentiles). "Day 400" means the 400th day, i.e.
//! the evening of day index 399.
//!
//! Over replications ([`Forecast`]): each of these as a mean with a 95%
//! confidence interval `mean ± t(0.975, n−1)·s/√n` ([`Estimate`]); days to
//! clear and days to empty only when it happened in every replication,
//! otherwise the count of replications in which it did ([`Completion`]);
//! and per day the 5th, 50th and 95th percentiles over replications of the
//! list size by tier and in total, and of the cumulative deaths ([`Band`]).
//!
//! # Reproducibility
//!
//! Replication `i` draws from its own Xoshiro256++ stream derived from
//! `(seed, i)` ([`replication_rng`]); replications run in parallel with
//! rayon, their results are collected in index order and summarised
//! serially, so a forecast depends on the seed and not on the number of
//! threads. All random draws of a person happen at referral, in referral
//! order, independently of the queue, so two policies with the same seed see
//! the same referrals, deaths and clearances (common random numbers).

mod engine;
mod error;
mod forecast;
mod parse;
mod policy;
mod queue;
mod quick;
mod scenario;
mod schedule;
mod sequence_set;
mod stats;

pub use engine::{DayTrace, ReplicationResult, ServedTrace, WaitSummary};
pub use error::{ScenarioError, ValueError};
pub use forecast::{
    Completion, Forecast, ForecastConfig, Replications, WaitEstimates, forecast, replicate,
    replication_rng, trace_replication,
};
pub use parse::{MAX_TIERS, ScenarioFile, parse_scenario_file};
pub use policy::{
    Candidate, ChildrenFirst, FirstComeFirstServed, Policy, PolicySpec, SamePolicies,
    StrictPriority, Weighted, policies_that_cannot_differ,
};
pub use queue::{QueueForecast, QueueScenario, Shortfall, forecast_queue};
pub use quick::{
    BacklogError, CALIBRATED_SCENARIO, QuickError, QuickField, QuickScenario, QuickTier,
    apply_registry_backlog, calibrated_template, parse_weekday,
};
pub use scenario::{
    AfterFinalDenial, CapacitySegment, Clearance, Closure, CompanionDistribution, DayDistribution,
    HorizonDays, OperatingWeekdays, Places, Probability, Rate, ReferralFactor, Scenario, Tier,
    TierName, Turnout,
};
pub use schedule::{DailySchedule, day_index};
pub use stats::{Band, Estimate, quantile_sorted, student_t_975};
