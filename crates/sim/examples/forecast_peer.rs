//! corridor's side of the peer cross-check in `bench/forecast/`: reads the
//! common parameter file, runs the forecast and prints the same JSON shape
//! as the Python peers (see bench/forecast/common.py).
//!
//! `cargo run --release -p corridor-sim --example forecast_peer -- params.json [replications]`

use std::collections::BTreeMap;
use std::time::Instant;

use corridor_sim::{
    CapacitySegment, Clearance, CompanionDistribution, Estimate, ForecastConfig, HorizonDays,
    OperatingWeekdays, Places, PolicySpec, Probability, Rate, Replications, Scenario, Tier,
    TierName,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Params {
    horizon_days: u32,
    capacity_per_day: u32,
    replications: u32,
    seed: u64,
    tiers: Vec<TierParams>,
}

#[derive(Deserialize)]
struct TierParams {
    name: String,
    backlog: u32,
    referrals_per_day: f64,
    daily_death_hazard: f64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut arguments = std::env::args().skip(1);
    let path = arguments
        .next()
        .ok_or("usage: forecast_peer params.json [replications]")?;
    let params: Params = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let replications = match arguments.next() {
        Some(count) => count.parse()?,
        None => params.replications,
    };
    let start: jiff::civil::Date = "2026-02-02".parse()?;
    let no_companions = CompanionDistribution::exactly(0)?;
    let scenario = Scenario {
        name: "peer cross-check".to_owned(),
        start,
        horizon_days: HorizonDays::new(params.horizon_days)?,
        tiers: params
            .tiers
            .iter()
            .map(|tier| {
                Ok(Tier {
                    name: TierName::parse(&tier.name)?,
                    backlog: tier.backlog,
                    backlog_children: 0,
                    backlog_referred_over_days: 0,
                    referrals_per_day: Rate::new(tier.referrals_per_day)?,
                    child_fraction: Probability::ZERO,
                    daily_death_hazard: Rate::new(tier.daily_death_hazard)?,
                    weight: Rate::ONE,
                    companions: no_companions.clone(),
                    child_companions: no_companions.clone(),
                })
            })
            .collect::<Result<_, corridor_sim::ValueError>>()?,
        capacity: vec![CapacitySegment {
            from: start,
            places: Places::PerDay(params.capacity_per_day),
            weekdays: OperatingWeekdays::EVERY_DAY,
        }],
        closures: Vec::new(),
        referral_schedule: Vec::new(),
        clearance: Clearance::default(),
        turnout: corridor_sim::Turnout::EVERYONE,
    };
    let config = ForecastConfig {
        replications: Replications::new(replications)?,
        seed: params.seed,
    };
    let started = Instant::now();
    let forecast = corridor_sim::forecast(
        &scenario,
        PolicySpec::StrictPriority.policy(),
        &config,
        &|_| {},
    );
    let seconds = started.elapsed().as_secs_f64();

    let json_estimate =
        |e: &Estimate| serde_json::json!({ "mean": e.mean, "low": e.low, "high": e.high });
    let mut deaths = BTreeMap::new();
    let mut waits = BTreeMap::new();
    for (index, name) in forecast.tiers.iter().enumerate() {
        deaths.insert(name.clone(), json_estimate(&forecast.deaths_by_tier[index]));
        waits.insert(
            name.clone(),
            forecast.wait_by_tier[index]
                .mean
                .as_ref()
                .map(json_estimate),
        );
    }
    let output = serde_json::json!({
        "tool": "corridor",
        "replications": forecast.replications,
        "seconds": seconds,
        "days_to_clear": forecast.backlog_cleared.days.as_ref().map(json_estimate),
        "cleared_in": forecast.backlog_cleared.completed,
        "deaths": deaths,
        "mean_wait": waits,
    });
    println!("{output}");
    Ok(())
}
