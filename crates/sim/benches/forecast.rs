//! The calibrated scenario (about 20,000 waiting, two years, 1,000
//! replications) under strict priority, as `cargo bench -p corridor-sim`.

use std::time::Duration;

use corridor_sim::{ForecastConfig, PolicySpec, Replications, forecast, parse_scenario_file};
use criterion::{Criterion, criterion_group, criterion_main};

fn calibrated(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/calibrated.toml"
    );
    let text = std::fs::read_to_string(path).expect("scenarios/calibrated.toml is readable");
    let file = parse_scenario_file(&text).expect("scenarios/calibrated.toml parses");
    let scenario = &file.scenarios[0];
    let config = ForecastConfig {
        replications: Replications::new(1000).expect("1000 is valid"),
        seed: 20260202,
    };
    let mut group = c.benchmark_group("forecast");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("calibrated 50 a day, 1000 replications x 730 days", |b| {
        b.iter(|| {
            forecast(
                scenario,
                PolicySpec::StrictPriority.policy(),
                &config,
                &|_| {},
            )
        })
    });
    group.finish();
}

criterion_group!(benches, calibrated);
criterion_main!(benches);
