//! Writes random small outbound days as JSON, with the objectives of the
//! optimiser and of greedy, for the HiGHS cross-check in `bench/planner/`.
//!
//! `cargo run --release -p corridor-planner --example instances -- N SEED > instances.json`
//!
//! Each instance carries what a MILP needs, from the day itself: the places,
//! every candidate (the patient's priority value by the policy, cleared
//! companions, child, specialty, guarantee), the companion limit and every
//! bed pool. The checker works out places needed, eligibility and each
//! party's value (priority x places) on its own.

#[path = "../benches/support/random_day.rs"]
mod random_day;

use corridor_planner::{Method, plan_outbound, policy};
use random_day::{Random, Shape, random_day};
use serde_json::{Value, json};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (count, seed) = match args.as_slice() {
        [count, seed] => match (count.parse::<usize>(), seed.parse::<u64>()) {
            (Ok(count), Ok(seed)) => (count, seed),
            _ => usage(),
        },
        _ => usage(),
    };
    let mut random = Random::new(seed);
    let instances: Vec<Value> = (0..count).map(|_| instance(&mut random)).collect();
    println!("{}", json!({ "seed": seed, "instances": instances }));
}

fn usage() -> ! {
    eprintln!("usage: instances N SEED   (N instances from SEED, JSON on stdout)");
    std::process::exit(2)
}

fn instance(random: &mut Random) -> Value {
    let quota = 2 + random.below(29) as u32;
    let shape = Shape {
        candidates: 1 + random.below(60) as usize,
        facilities: 1 + random.below(10) as usize,
        specialties: 2 + random.below(4) as usize,
        quota,
        cap: random
            .chance(20)
            .then(|| random.below(u64::from(quota)) as u32),
        max_companions: random.below(3) as u32,
        offers: 3,
        free: 1 + random.below(4) as u32,
        guarantee_facilities: 40,
    };
    let day = random_day(&shape, random);
    let objective = |method| match plan_outbound(&day, method) {
        Ok(plan) => plan.objective,
        Err(error) => panic!("a day without overrides always plans: {error}"),
    };
    let candidates: Vec<Value> = day
        .candidates
        .iter()
        .map(|c| {
            let days = policy::days_waited(c.referral_date, day.rules.date);
            json!({
                "id": c.patient.as_str(),
                "tier": c.tier.as_str(),
                "days_waited": days,
                "child": c.is_child,
                "value": policy::value(c.tier, days, c.is_child),
                "specialty": c.specialty.as_str(),
                "guarantee": c.return_guarantee,
                "cleared_companions": c.companions.len(),
            })
        })
        .collect();
    let beds: Vec<Value> = day
        .beds
        .iter()
        .map(|b| {
            json!({
                "facility": b.facility.as_str(),
                "specialty": b.specialty.as_str(),
                "free": b.free,
                "requires_guarantee": b.requires_return_guarantee,
            })
        })
        .collect();
    json!({
        "quota": day.rules.quota,
        "cap": day.rules.cap.as_ref().map(|cap| cap.places),
        "max_companions": day.rules.max_companions,
        "candidates": candidates,
        "beds": beds,
        "optimal": objective(Method::Optimal),
        "greedy": objective(Method::Greedy),
    })
}
