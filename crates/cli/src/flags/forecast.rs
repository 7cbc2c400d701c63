//! Flags of `corridor forecast`.

use std::path::PathBuf;

/// Forecast how long the waiting list takes to clear and how many die
/// waiting, with 95% confidence intervals over Monte Carlo replications.
#[derive(Debug, clap::Args)]
pub struct ForecastArgs {
    /// Scenario file (TOML; see scenarios/ for documented examples).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,

    /// Take the current backlog per tier from the registry database.
    #[arg(long)]
    pub from_registry: bool,

    /// Quick scenario without a file: backlog per tier, highest priority
    /// first, e.g. critical=440,urgent=5000,routine=14560.
    #[arg(long, value_name = "TIER=COUNT,...", conflicts_with = "scenario")]
    pub backlog: Option<String>,

    /// Quick scenario: places a day at the crossing (patients and companions).
    #[arg(long, value_name = "PLACES", conflicts_with = "scenario")]
    pub capacity: Option<u32>,

    /// Quick scenario: operating weekdays, e.g. Mon,Tue,Wed,Thu,Fri (default: every day).
    #[arg(long, value_name = "DAYS", conflicts_with = "scenario")]
    pub weekdays: Option<String>,

    /// Quick scenario: new referrals a day per tier, e.g. critical=0.5,routine=8.
    #[arg(long, value_name = "TIER=RATE,...", conflicts_with = "scenario")]
    pub referrals: Option<String>,

    /// Quick scenario: chance of dying within a year of waiting, per tier,
    /// e.g. critical=0.35,urgent=0.06.
    #[arg(long, value_name = "TIER=P,...", conflicts_with = "scenario")]
    pub annual_mortality: Option<String>,

    /// Quick scenario: probabilities of 0, 1, 2, … companions, e.g. 0.15,0.6,0.25.
    #[arg(long, value_name = "P0,P1,...", conflicts_with = "scenario")]
    pub companions: Option<String>,

    /// Quick scenario: chance that a party given places does not come
    /// (declines, is unreachable, does not show, is turned back), 0 to 1.
    /// Default 0: everyone comes. `corridor utilisation` shows what was measured.
    #[arg(long, value_name = "P", conflicts_with = "scenario")]
    pub no_show: Option<f64>,

    /// Quick scenario: chance that a place freed that way is taken from
    /// standby the same day, 0 to 1. Default 0: freed places are lost.
    #[arg(long, value_name = "P", conflicts_with = "scenario")]
    pub standby_fill: Option<f64>,

    /// Day 0 of the forecast (YYYY-MM-DD). Default: the scenario's start,
    /// or today (UTC) for a quick scenario or a backlog from the registry.
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,

    /// Quick scenario: days to simulate.
    #[arg(
        long,
        value_name = "DAYS",
        default_value_t = 730,
        conflicts_with = "scenario"
    )]
    pub horizon_days: u32,

    /// Replications (default: the scenario file's, else 1000).
    #[arg(long, value_name = "N")]
    pub replications: Option<u32>,

    /// Seed of the random streams (default: the scenario file's, else 1).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Policy to simulate; repeat to compare (default: the scenario file's,
    /// else strict-priority). One of strict-priority,
    /// first-come-first-served, weighted, children-first, or "all".
    #[arg(long = "policy", value_name = "NAME")]
    pub policies: Vec<String>,

    /// Print JSON for machines instead of the table.
    #[arg(long)]
    pub json: bool,

    /// Write SVG charts into this directory.
    #[arg(long, value_name = "DIR")]
    pub svg: Option<PathBuf>,
}
