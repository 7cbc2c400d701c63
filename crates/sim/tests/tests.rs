//! The one integration-test binary of corridor-sim; its modules live in
//! `tests/tests/` so that Cargo does not build each as its own binary.

#[path = "tests/arithmetic.rs"]
mod arithmetic;
#[path = "tests/capacity.rs"]
mod capacity;
#[path = "tests/clearance.rs"]
mod clearance;
#[path = "tests/deaths.rs"]
mod deaths;
#[path = "tests/determinism.rs"]
mod determinism;
#[path = "tests/parsing.rs"]
mod parsing;
#[path = "tests/priority.rs"]
mod priority;
#[path = "tests/turnout.rs"]
mod turnout;

use corridor_sim::{
    Forecast, ForecastConfig, PolicySpec, Replications, Scenario, forecast, parse_scenario_file,
};

/// The scenarios of a TOML text (which must parse).
pub fn scenarios(toml: &str) -> Vec<Scenario> {
    match parse_scenario_file(toml) {
        Ok(file) => file.scenarios,
        Err(error) => panic!("test scenario does not parse: {error}"),
    }
}

/// The single scenario of a TOML text.
pub fn scenario(toml: &str) -> Scenario {
    let mut all = scenarios(toml);
    assert_eq!(all.len(), 1, "expected one scenario");
    all.remove(0)
}

pub fn run(scenario: &Scenario, policy: PolicySpec, replications: u32, seed: u64) -> Forecast {
    let config = ForecastConfig {
        replications: Replications::new(replications).unwrap(),
        seed,
    };
    forecast(scenario, policy.policy(), &config, &|_| {})
}
