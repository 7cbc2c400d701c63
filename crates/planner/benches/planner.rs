//! The outbound planner on a full day: 100,000 cleared candidates, 200
//! facilities with beds over 12 specialties (30% of facilities require a
//! return guarantee), quota 50, up to 2 companions. Target: under 100 ms
//! for the exact optimiser. `cargo bench -p corridor-planner`.

#[path = "support/random_day.rs"]
mod random_day;

use corridor_planner::{Method, fill_outbound, plan_outbound, standby_outbound};
use criterion::{Criterion, criterion_group, criterion_main};
use random_day::{Random, Shape, random_day};

fn full_day(c: &mut Criterion) {
    let shape = Shape {
        candidates: 100_000,
        facilities: 200,
        specialties: 12,
        quota: 50,
        cap: None,
        max_companions: 2,
        offers: 4,
        free: 3,
        guarantee_facilities: 30,
    };
    let day = random_day(&shape, &mut Random::new(20260203));
    let mut group = c.benchmark_group("plan_outbound");
    group.sample_size(20);
    group.bench_function("optimal, 100k candidates, 200 facilities, quota 50", |b| {
        b.iter(|| plan_outbound(&day, Method::Optimal).expect("the day plans"))
    });
    group.bench_function("greedy, 100k candidates, 200 facilities, quota 50", |b| {
        b.iter(|| plan_outbound(&day, Method::Greedy).expect("the day plans"))
    });
    group.finish();
}

/// Filling freed places on the same day: the day planned, its standby
/// list (30 % of the quota) fixed, then 5 freed places filled from it by
/// the exact optimiser over all 100,000 candidates' day (the standby
/// parties picked out of it). Target: under 100 ms.
fn fill(c: &mut Criterion) {
    let shape = Shape {
        candidates: 100_000,
        facilities: 200,
        specialties: 12,
        quota: 50,
        cap: None,
        max_companions: 2,
        offers: 4,
        free: 3,
        guarantee_facilities: 30,
    };
    let day = random_day(&shape, &mut Random::new(20260203));
    let plan = plan_outbound(&day, Method::Optimal).expect("the day plans");
    let size = corridor_domain::standby_size(shape.quota);
    let standby: Vec<_> = standby_outbound(&day, &plan, size)
        .expect("the standby list")
        .into_iter()
        .map(|party| party.person)
        .collect();
    assert!(!standby.is_empty(), "the bench day has a standby list");
    let mut group = c.benchmark_group("fill");
    group.sample_size(20);
    group.bench_function(
        "fill 5 places from standby, 100k candidates, 200 facilities",
        |b| b.iter(|| fill_outbound(&day, 5, &standby).expect("the fill plans")),
    );
    group.finish();
}

criterion_group!(benches, full_day, fill);
criterion_main!(benches);
