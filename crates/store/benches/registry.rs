//! The foundation's performance targets, on SQLite (and PostgreSQL when
//! CORRIDOR_TEST_POSTGRES_URL names a server):
//!
//! - generating and loading the 20,000-person demo set: under 5 s;
//! - importing a 100,000-row referral CSV (parse, check, write): under 5 s;
//! - listing with a filter over 100,000 referrals: under 100 ms;
//! - verifying the audit chain and every row of the 20,000-person demo: under 5 s.
//!
//! Run with `cargo bench -p corridor-store --bench registry`.

use std::time::{Duration, Instant};

use corridor_demo::{DemoConfig, generate};
use corridor_domain::Case;
use corridor_domain::{AgeGroup, Specialty, Tier};
use corridor_interop::referrals::{check_against_registry, read_referrals};
use corridor_store::{ImportMode, ListFilter, NewAuditEntry, ReferenceData, Store};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use jiff::civil::{Date, date};
use sqlx::Executor;

// The allocator of the `corridor` binary, which runs these in production:
// with glibc's, a third of the time of a verify went to malloc and free of
// rows made on SQLite's thread and dropped on another.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TODAY: Date = date(2026, 2, 1);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Generates the default 20,000-person demo and loads it, as `corridor demo` does.
async fn load_demo(store: &Store) {
    let data = generate(&DemoConfig::default());
    let reference = ReferenceData {
        organisations: data.organisations,
        crossings: data.crossings,
        quotas: data.quotas,
        countries: data.countries,
        facilities: data.facilities,
        figures: data.figures,
        crossing_rules: data.crossing_rules,
        luggage_rules: data.luggage_rules,
    };
    store
        .load_dataset(
            &reference,
            &data.cases,
            &data.luggage,
            &data.contacts,
            &data.consignments,
            &audit(),
            &mut |_| {},
        )
        .await
        .expect("load");
}

fn audit() -> NewAuditEntry {
    NewAuditEntry {
        at: "2026-02-01T12:00:00Z".parse().expect("timestamp"),
        actor: "bench".to_string(),
        action: "bench".to_string(),
        subject: "bench".to_string(),
        detail: serde_json::json!({}),
    }
}

/// A fresh, empty database for one measurement.
struct Fresh {
    url: String,
    _directory: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

async fn fresh(postgres_admin: Option<&str>, serial: u32) -> Fresh {
    sqlx::any::install_default_drivers();
    match postgres_admin {
        None => {
            let directory = tempfile::tempdir().expect("temporary directory");
            Fresh {
                url: format!("sqlite://{}", directory.path().join("bench.db").display()),
                _directory: Some(directory),
                postgres: None,
            }
        }
        Some(admin_url) => {
            let name = format!("corridor_bench_{}_{serial}", std::process::id());
            let admin = sqlx::AnyPool::connect(admin_url)
                .await
                .expect("admin connection");
            admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .await
                .expect("drop");
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create");
            admin.close().await;
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url, |(base, _)| base);
            Fresh {
                url: format!("{base}/{name}"),
                _directory: None,
                postgres: Some((admin_url.to_string(), name)),
            }
        }
    }
}

impl Fresh {
    async fn drop_database(self) {
        if let Some((admin_url, name)) = self.postgres {
            let admin = sqlx::AnyPool::connect(&admin_url)
                .await
                .expect("admin connection");
            admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .await
                .expect("drop");
            admin.close().await;
        }
    }
}

/// A valid referral file of `rows` rows: every fifth patient is a child
/// travelling with a parent.
fn referral_csv(rows: usize) -> String {
    let tiers = [
        "critical", "urgent", "urgent", "routine", "routine", "routine",
    ];
    let specialties = [
        "oncology",
        "orthopaedics",
        "neurosurgery",
        "cardiology",
        "nephrology",
    ];
    let mut csv = String::from(
        "id,role,companion_of,relationship,name,birth_year,sex,legal_basis,condition,specialty,tier,referral_date,referring_facility,return_guarantee\n",
    );
    let mut written = 0;
    let mut n = 0usize;
    while written < rows {
        n += 1;
        let child = n.is_multiple_of(5);
        let birth_year = if child { 2010 + n % 15 } else { 1945 + n % 60 };
        let day = date(2024, 2, 1)
            .checked_add(jiff::Span::new().days((n * 7919 % 730) as i64))
            .expect("date in range");
        csv.push_str(&format!(
            "P-{n:07},patient,,,Name {n},{birth_year},{},consent,other,{},{},{day},hospital-{},no\n",
            if n.is_multiple_of(2) { "female" } else { "male" },
            specialties[n % specialties.len()],
            tiers[n % tiers.len()],
            n % 12,
        ));
        written += 1;
        if child && written < rows {
            csv.push_str(&format!(
                "C-{n:07},companion,P-{n:07},parent,,1985,female,consent,,,,,,\n"
            ));
            written += 1;
        } else if child {
            // The last row would leave a child alone: make it an adult instead.
            csv.truncate(csv.trim_end().rfind('\n').map_or(0, |i| i + 1));
            written -= 1;
            n += 1;
        }
    }
    csv
}

async fn import(store: &Store, csv: &str) {
    let mut import = read_referrals(csv.as_bytes(), TODAY, &mut |_| {}).expect("readable");
    let ids: Vec<_> = import
        .rows
        .iter()
        .map(|row| row.person.id.clone())
        .collect();
    let existing = store.roles_of(&ids).await.expect("roles");
    // The referring facilities the file names; added once per database.
    for n in 0..12 {
        let hospital = corridor_domain::Organisation::parse(
            &format!("hospital-{n}"),
            &format!("Hospital {n}"),
            "referring-facility",
        )
        .expect("a valid organisation");
        let _already_there = store
            .add_organisation(&hospital, jiff::Timestamp::now(), "bench")
            .await;
    }
    let organisations = store
        .organisations()
        .await
        .expect("organisations")
        .into_iter()
        .map(|organisation| organisation.id)
        .collect();
    check_against_registry(&mut import, &existing, &organisations);
    assert!(
        import.errors.is_empty(),
        "{:?}",
        &import.errors[..3.min(import.errors.len())]
    );
    let at = audit().at;
    let cases: Vec<Case> = import
        .rows
        .into_iter()
        .map(|row| Case::register(row.person, at, "bench"))
        .collect();
    store
        .insert_cases(&cases, &audit(), ImportMode::Commit, &mut |_| {})
        .await
        .expect("insert");
}

/// Runs `work` `iterations` times, each on a new empty database, and
/// returns the time spent in `work` alone (not creating or dropping databases).
fn time_on_fresh_databases(
    runtime: &tokio::runtime::Runtime,
    admin: Option<&str>,
    serial: &mut u32,
    iterations: u64,
    work: impl AsyncFn(&Store),
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iterations {
        *serial += 1;
        total += runtime.block_on(async {
            let database = fresh(admin, *serial).await;
            let store = Store::open(&database.url).await.expect("open");
            let started = Instant::now();
            work(&store).await;
            let elapsed = started.elapsed();
            store.close().await;
            database.drop_database().await;
            elapsed
        });
    }
    total
}

fn backends() -> Vec<(&'static str, Option<String>)> {
    let mut all = vec![("sqlite", None)];
    match std::env::var("CORRIDOR_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => all.push(("postgres", Some(url))),
        _ => eprintln!("PostgreSQL benchmarks skipped: set CORRIDOR_TEST_POSTGRES_URL to run them"),
    }
    all
}

fn registry(c: &mut Criterion) {
    let runtime = runtime();
    let mut group = c.benchmark_group("registry");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    let mut serial = 0;

    for (name, admin) in backends() {
        group.bench_function(format!("demo_generate_and_load_20000/{name}"), |b| {
            b.iter_custom(|iterations| {
                time_on_fresh_databases(
                    &runtime,
                    admin.as_deref(),
                    &mut serial,
                    iterations,
                    load_demo,
                )
            })
        });
    }

    let csv = referral_csv(100_000);
    for (name, admin) in backends() {
        group.bench_function(format!("import_csv_100000_rows/{name}"), |b| {
            b.iter_custom(|iterations| {
                time_on_fresh_databases(
                    &runtime,
                    admin.as_deref(),
                    &mut serial,
                    iterations,
                    async |store: &Store| import(store, &csv).await,
                )
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("registry_list");
    for (name, admin) in backends() {
        serial += 1;
        let (database, store) = runtime.block_on(async {
            let database = fresh(admin.as_deref(), serial).await;
            let store = Store::open(&database.url).await.expect("open");
            import(&store, &referral_csv(120_000)).await;
            (database, store)
        });
        let filters = [
            (
                "tier_and_specialty",
                ListFilter {
                    tiers: vec![Tier::Urgent],
                    specialties: vec![Specialty::Oncology],
                    limit: 50,
                    ..ListFilter::default()
                },
            ),
            (
                "children_waiting_over_a_year",
                ListFilter {
                    children_only: true,
                    wait: corridor_store::WaitFilter {
                        more_than_days: Some(365),
                        less_than_days: None,
                    },
                    limit: 50,
                    ..ListFilter::default()
                },
            ),
            (
                "age_group_last_page",
                ListFilter {
                    age_groups: vec![AgeGroup::Age60Plus],
                    limit: 50,
                    offset: 10_000,
                    ..ListFilter::default()
                },
            ),
        ];
        // Lists are kept in memory until the registry changes: an audit
        // entry before each call (not timed) makes every call the first
        // read after a change, from the database.
        for (filter_name, filter) in filters {
            group.bench_function(format!("list_100000_{filter_name}/{name}"), |b| {
                b.iter_batched(
                    || runtime.block_on(store.record(&audit())).expect("record"),
                    |_| runtime.block_on(store.list(&filter, TODAY)).expect("list"),
                    BatchSize::PerIteration,
                )
            });
        }
        runtime.block_on(async {
            store.close().await;
            database.drop_database().await;
        });
    }
    group.finish();

    // The whole chain and every row of the 20,000-person demo, checked
    // against what their changes wrote: under 5 s.
    let mut group = c.benchmark_group("audit");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    for (name, admin) in backends() {
        serial += 1;
        let (database, store) = runtime.block_on(async {
            let database = fresh(admin.as_deref(), serial).await;
            let store = Store::open(&database.url).await.expect("open");
            load_demo(&store).await;
            (database, store)
        });
        group.bench_function(format!("verify_demo_20000/{name}"), |b| {
            b.iter(|| {
                let report = runtime.block_on(store.verify_audit()).expect("verify");
                assert!(report.is_intact());
                report
            })
        });
        runtime.block_on(async {
            store.close().await;
            database.drop_database().await;
        });
    }
    group.finish();
}

criterion_group!(benches, registry);
criterion_main!(benches);
