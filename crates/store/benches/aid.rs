//! The aid report's performance target: the whole report (daily trucks by
//! category and definition, stages now, dwell per stage, reasons ranked,
//! tonnes, oldest stuck) over 1,000,000 consignment stage events, under
//! 1 s on SQLite.
//!
//! The events are generated once (102,000 consignments over a year, about ten
//! events each on average, deterministic) and loaded into a fresh SQLite
//! database; only the report is timed.
//!
//! Run with `cargo bench -p corridor-store --bench aid`.

use std::time::Duration;

use corridor_domain::{
    CargoCategory, Consignment, ConsignmentCase, ConsignmentId, CrossingId, Load, Recount, Stage,
    StageChange, Text, Tonnes, TruckTarget,
};
use corridor_store::{ImportMode, NewAuditEntry, Store};
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};

const CONSIGNMENTS: usize = 102_000;

/// A small deterministic generator (xorshift64*), so the data set needs no
/// random-number crate.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn text(field: &'static str, value: &str) -> Text {
    Text::parse(field, value, 200).expect("bench text")
}

fn consignments() -> Vec<ConsignmentCase> {
    let mut draws = Draws(0x5EED_2026);
    let start: Timestamp = "2025-02-01T00:00:00Z".parse().expect("start");
    let now: Timestamp = "2026-02-01T12:00:00Z".parse().expect("now");
    let reasons = [
        "dual-use items",
        "packaging not as declared",
        "crossing closed",
    ];
    (0..CONSIGNMENTS)
        .map(|index| {
            let category = CargoCategory::ALL[draws.below(6) as usize];
            let trucks = 1 + draws.below(12) as u32;
            let consignment = Consignment {
                id: ConsignmentId::parse(&format!("B-{index:06}")).expect("id"),
                agency: text("agency", "WFP"),
                category,
                origin: text("origin", "Al-Arish"),
                crossing: CrossingId::parse(if draws.below(4) == 0 {
                    "rafah"
                } else {
                    "kerem-shalom"
                })
                .expect("crossing"),
                load: Load::new(
                    trucks,
                    trucks * 20,
                    Tonnes::from_kilograms(u64::from(trucks) * 15_000),
                )
                .expect("load"),
            };
            let minute = (index as i64 * 525_600) / CONSIGNMENTS as i64;
            let mut at = start + SignedDuration::from_mins(minute);
            let mut case = ConsignmentCase::register(consignment, at, "bench");
            let mut path = vec![
                Stage::Staging,
                Stage::Checkpoint,
                Stage::Inspection,
                Stage::Cleared,
                Stage::Unloaded,
                Stage::Reloaded,
                Stage::Crossed,
                Stage::Collected,
                Stage::Delivered,
            ];
            if draws.below(50) == 0 {
                path = vec![
                    Stage::Staging,
                    Stage::Checkpoint,
                    Stage::Inspection,
                    Stage::Rejected,
                    Stage::Returned,
                ];
            }
            for stage in path {
                at += SignedDuration::from_mins(30 + draws.below(2_000) as i64);
                if at > now {
                    break;
                }
                let reason = reasons[draws.below(3) as usize];
                let change = StageChange::new(
                    stage,
                    matches!(stage, Stage::Rejected | Stage::Returned).then_some(reason),
                    None,
                )
                .expect("change");
                case.apply(change, Recount::default(), at, "bench", None)
                    .expect("legal journey");
            }
            case
        })
        .collect()
}

fn aid(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let directory = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", directory.path().join("aid.db").display());
    let cases = consignments();
    let events: usize = cases.iter().map(|case| case.events.len()).sum();
    assert!(events >= 1_000_000, "only {events} events");
    let store = runtime.block_on(async {
        let store = Store::open(&url).await.expect("open");
        let audit = NewAuditEntry {
            at: "2026-02-01T12:00:00Z".parse().expect("timestamp"),
            actor: "bench".to_string(),
            action: "bench".to_string(),
            subject: "bench".to_string(),
            detail: serde_json::json!({}),
        };
        store
            .insert_consignments(&cases, &audit, ImportMode::Commit, &mut |_| {})
            .await
            .expect("load");
        store
    });
    drop(cases);

    let mut group = c.benchmark_group("aid");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    let as_of: Timestamp = "2026-02-01T12:00:00Z".parse().expect("as of");
    group.bench_function(format!("report_over_{events}_stage_events/SQLite"), |b| {
        b.iter(|| {
            runtime
                .block_on(store.aid_report(
                    date(2025, 2, 1),
                    date(2026, 2, 1),
                    as_of,
                    TruckTarget::default(),
                    10,
                ))
                .expect("report")
        })
    });
    // Each aggregate on its own, to see where the time goes.
    let (from, to) = (date(2025, 2, 1), date(2026, 2, 1));
    group.bench_function("arrivals/SQLite", |b| {
        b.iter(|| {
            runtime
                .block_on(store.aid_arrivals(from, to))
                .expect("arrivals")
        })
    });
    group.bench_function("dwell/SQLite", |b| {
        b.iter(|| runtime.block_on(store.aid_dwell(from, to)).expect("dwell"))
    });
    group.bench_function("reasons/SQLite", |b| {
        b.iter(|| {
            runtime
                .block_on(store.aid_reasons(Stage::Returned, from, to))
                .expect("reasons")
        })
    });
    group.bench_function("in_stage_and_oldest/SQLite", |b| {
        b.iter(|| {
            runtime.block_on(async {
                store.aid_in_stage().await.expect("in stage");
                store.aid_oldest_in_stage(10).await.expect("oldest")
            })
        })
    });
    group.finish();
    runtime.block_on(store.close());
}

criterion_group!(benches, aid);
criterion_main!(benches);
