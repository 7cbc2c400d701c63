//! The storage story, run against every database: SQLite always, and
//! PostgreSQL when CORRIDOR_TEST_POSTGRES_URL names a server (a fresh
//! database is created for each test and dropped after it).

mod aggregates;
mod aid;
mod audit_chain;
mod audit_data;
mod backup;
mod calls;
mod companions;
mod concurrency;
mod crossing_days;
mod day_properties;
#[cfg(unix)]
mod files;
mod freshness;
mod gate_undo;
mod notices;
mod reasons;
mod registry;
mod reinstate;
mod rules;
mod standby;
mod users;
mod utilisation;

use std::io::Write as _;
use std::sync::atomic::{AtomicU32, Ordering};

use corridor_domain::{
    BirthYear, Case, ConditionCategory, LegalBasis, NewPerson, PersonId, PersonKind, PersonName,
    Reason, ReasonKind, Referral, ReferralDate, Relationship, Sex, Specialty, Text, Tier,
};
use corridor_store::{ImportMode, NewAuditEntry, Store};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use sqlx::Executor;

pub const TODAY: Date = date(2026, 2, 1);
/// The organisation that refers every test patient.
pub const TEST_HOSPITAL: &str = "test-hospital";

pub fn now() -> Timestamp {
    "2026-02-01T10:00:00Z".parse().unwrap()
}

/// Ten in the morning (UTC) of `day`: when the gate records its outcomes,
/// which it does only once the day has come.
pub fn on_the_day(day: Date) -> Timestamp {
    jiff::tz::Offset::UTC
        .to_timestamp(day.at(10, 0, 0, 0))
        .unwrap()
}

/// A database made for one test; dropped (PostgreSQL) or deleted (SQLite) after it.
pub struct TestDatabase {
    pub url: String,
    pub name: &'static str,
    _directory: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// The store, with the organisation the test patients are referred by
    /// (`test-hospital`), put there as a fixture before the data is first
    /// bound to the audit chain, so that the first entry (which binds the
    /// seeded reason codes) binds it too.
    pub async fn store(&self) -> Store {
        let fresh = Store::open_for_restore(&self.url)
            .await
            .expect("open the test database");
        fresh.close().await;
        let raw = self.raw().await;
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, created_at) \
             VALUES ('test-hospital', 'Test Hospital', 'referring-facility', 0) ON CONFLICT DO NOTHING",
        )
        .execute(&raw)
        .await
        .expect("the test organisation");
        raw.close().await;
        Store::open(&self.url)
            .await
            .expect("open the test database")
    }

    /// A raw connection, for tampering the way someone with database access could.
    pub async fn raw(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.url)
            .await
            .expect("raw connection")
    }

    pub async fn drop_database(self) {
        if let Some((admin_url, name)) = &self.postgres {
            let admin = sqlx::AnyPool::connect(admin_url)
                .await
                .expect("admin connection");
            admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .await
                .expect("drop the test database");
            admin.close().await;
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The databases every storage test runs against.
pub async fn databases() -> Vec<TestDatabase> {
    sqlx::any::install_default_drivers();
    let directory = tempfile::tempdir().expect("temporary directory");
    let sqlite = TestDatabase {
        url: format!("sqlite://{}", directory.path().join("test.db").display()),
        name: "SQLite",
        _directory: Some(directory),
        postgres: None,
    };
    let mut all = vec![sqlite];
    match std::env::var("CORRIDOR_TEST_POSTGRES_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!(
                "corridor_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed),
                Timestamp::now().as_microsecond() % 1_000_000
            );
            let admin = sqlx::AnyPool::connect(&admin_url)
                .await
                .expect("connect to CORRIDOR_TEST_POSTGRES_URL");
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create a test database");
            admin.close().await;
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(base, _)| base)
                .to_string();
            all.push(TestDatabase {
                url: format!("{base}/{name}"),
                name: "PostgreSQL",
                _directory: None,
                postgres: Some((admin_url, name)),
            });
        }
        _ => {
            // Written past the test harness's capture so that it shows.
            let _ = writeln!(
                std::io::stderr(),
                "PostgreSQL half SKIPPED: set CORRIDOR_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres to run it"
            );
        }
    }
    all
}

pub fn patient(id: &str, birth_year: i16, tier: Tier, referred: Date) -> NewPerson {
    NewPerson {
        id: PersonId::parse(id).unwrap(),
        name: Some(PersonName::parse("Test Person").unwrap()),
        birth_year: BirthYear::new(birth_year, TODAY).unwrap(),
        sex: Sex::Female,
        legal_basis: LegalBasis::Consent,
        kind: PersonKind::Patient(Referral {
            condition: ConditionCategory::Cancer,
            specialty: Specialty::Oncology,
            tier,
            referral_date: ReferralDate::new(referred, TODAY).unwrap(),
            referring_facility: corridor_domain::OrganisationId::parse(
                "referring_facility",
                TEST_HOSPITAL,
            )
            .unwrap(),
            return_guarantee: false,
        }),
    }
}

pub fn companion(id: &str, of: &str) -> NewPerson {
    NewPerson {
        id: PersonId::parse(id).unwrap(),
        name: None,
        birth_year: BirthYear::new(1980, TODAY).unwrap(),
        sex: Sex::Male,
        legal_basis: LegalBasis::Consent,
        kind: PersonKind::Companion {
            of: PersonId::parse(of).unwrap(),
            relationship: Relationship::Parent,
        },
    }
}

pub fn audit(action: &str) -> NewAuditEntry {
    NewAuditEntry {
        at: now(),
        actor: "tester".to_string(),
        action: action.to_string(),
        subject: "test".to_string(),
        detail: serde_json::json!({}),
    }
}

pub async fn register(store: &Store, people: Vec<NewPerson>) {
    let cases: Vec<Case> = people
        .into_iter()
        .map(|person| Case::register(person, now(), "tester"))
        .collect();
    store
        .insert_cases(
            &cases,
            &audit("person.register"),
            ImportMode::Commit,
            &mut |_| {},
        )
        .await
        .expect("register");
}

/// A reason with a code of the list migration 0006 seeds.
pub fn reason(kind: ReasonKind, code: &str, note: Option<&str>) -> Reason {
    Reason::parse(kind, Some(code), note).unwrap()
}

pub fn id(text: &str) -> PersonId {
    PersonId::parse(text).unwrap()
}

/// Rafah open every day both ways (quotas of 3 out and 3 in from 2026-02-01),
/// Egypt and the UAE open, `eg-1` with 2 open oncology beds and `ae-1` with
/// 1 oncology bed for patients with a return guarantee, and Rafah's luggage
/// rules; no crossing rules (the tests that need them add them).
pub fn reference() -> corridor_store::ReferenceData {
    use corridor_domain::{
        BedCapacity, CashLimit, Country, CountryCode, Crossing, CrossingId, CurrencyCode,
        Direction, Facility, FacilityId, ItemCategory, LuggageRuleSet, Quota, QuotaCategory,
        WeekdaySet,
    };
    let rafah = CrossingId::parse("rafah").unwrap();
    let text = |value: &str| Text::parse("name", value, 200).unwrap();
    let facility = |id: &str, country: &str, beds: u32, guarantee: bool| Facility {
        id: FacilityId::parse(id).unwrap(),
        name: text(id),
        country: CountryCode::parse(country).unwrap(),
        requires_return_guarantee: guarantee,
        open: true,
        beds: vec![
            BedCapacity::new(
                Specialty::Oncology,
                beds,
                date(2026, 1, 15),
                date(2026, 3, 31),
            )
            .unwrap(),
        ],
    };
    let quota = |direction, category| {
        Quota::new(rafah.clone(), direction, category, 3, TODAY, None).unwrap()
    };
    corridor_store::ReferenceData {
        organisations: vec![
            corridor_domain::Organisation::parse(
                TEST_HOSPITAL,
                "Test Hospital",
                "referring-facility",
            )
            .unwrap(),
        ],
        crossings: vec![Crossing {
            id: rafah.clone(),
            name: text("Rafah"),
            directions: vec![Direction::Outbound, Direction::Inbound],
            operating_days: WeekdaySet::EVERY_DAY,
        }],
        quotas: vec![
            quota(Direction::Outbound, QuotaCategory::Evacuees),
            quota(Direction::Inbound, QuotaCategory::Returnees),
        ],
        countries: vec![
            Country {
                code: CountryCode::parse("EG").unwrap(),
                name: text("Egypt"),
                open: true,
            },
            Country {
                code: CountryCode::parse("AE").unwrap(),
                name: text("United Arab Emirates"),
                open: true,
            },
        ],
        facilities: vec![
            facility("eg-1", "EG", 2, false),
            facility("ae-1", "AE", 1, true),
        ],
        figures: Vec::new(),
        crossing_rules: Vec::new(),
        luggage_rules: vec![
            LuggageRuleSet::new(rafah, 1, TODAY, None, text("test rules"))
                .unwrap()
                .with_max_pieces(1)
                .forbidding(&[ItemCategory::Electronics, ItemCategory::Cigarettes])
                .with_max_cash(CashLimit {
                    currency: CurrencyCode::parse("ILS").unwrap(),
                    amount: 2000,
                }),
        ],
    }
}

/// Loads [`reference`] into an empty store.
pub async fn load_reference(store: &Store) {
    store
        .load_dataset(
            &reference(),
            &[],
            &[],
            &[],
            &[],
            &audit("dataset.load"),
            &mut |_| {},
        )
        .await
        .expect("load the reference data");
}
