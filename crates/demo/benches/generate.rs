//! How long the default data set (20,000 waiting patients, about 45,000
//! cases) takes to generate.

use corridor_demo::{DemoConfig, generate};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench_generate(c: &mut Criterion) {
    let config = DemoConfig::default();
    c.bench_function("generate default (20,000 waiting)", |b| {
        b.iter(|| generate(std::hint::black_box(&config)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .measurement_time(std::time::Duration::from_secs(10));
    targets = bench_generate
}
criterion_main!(benches);
