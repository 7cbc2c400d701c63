//! The call list's performance target: the call list of a confirmed day
//! renders in under 50 ms — the whole request, `GET /days/calls` through
//! the router with a signed-in coordinator's session: the lazy cut-off
//! check, the store's read of every party (people, names, contacts,
//! assembly points, calls), the audited read and the page.
//!
//! The day is the 20,000-person demo's first Rafah day with both
//! manifests confirmed as `corridor plan confirm` does (74 parties: 50
//! returnees in, 24 patients with their companions out), more than the
//! 50-party day of the target. SQLite, in a temporary directory.
//!
//! Run with `cargo bench -p corridor-web --bench calls`.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use corridor_demo::{DemoConfig, generate};
use corridor_domain::{CrossingId, Direction, NewAssemblyPoint, Scope, UserRole};
use corridor_planner::Method;
use corridor_store::{NewAuditEntry, NewUser, ReferenceData, Store};
use corridor_web::{AppState, Clock, hash_password, router};
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::civil::{Date, date};
use tower::ServiceExt as _;

const TODAY: Date = date(2026, 2, 1);
const DAY: Date = date(2026, 2, 2);
const PASSWORD: &str = "a long bench password";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn now() -> jiff::Timestamp {
    "2026-02-01T12:00:00Z".parse().expect("timestamp")
}

/// The demo loaded, Rafah's first day confirmed both ways, one assembly
/// point and a coordinator account.
async fn confirmed_day(url: &str) -> Store {
    let store = Store::open(url).await.expect("open");
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
    let audit = NewAuditEntry {
        at: now(),
        actor: "bench".to_string(),
        action: "dataset.load-demo".to_string(),
        subject: "demo".to_string(),
        detail: serde_json::json!({}),
    };
    store
        .load_dataset(
            &reference,
            &data.cases,
            &data.luggage,
            &data.contacts,
            &data.consignments,
            &audit,
            &mut |_| {},
        )
        .await
        .expect("load");
    let rafah = CrossingId::parse("rafah").expect("crossing");
    for direction in [Direction::Inbound, Direction::Outbound] {
        store
            .confirm_plan(&rafah, DAY, direction, Method::Optimal, now(), "bench")
            .await
            .expect("confirm");
    }
    store
        .add_assembly_point(
            &rafah,
            DAY,
            &NewAssemblyPoint::parse("Nasser hospital gate", "05:30").expect("point"),
            now(),
            "bench",
        )
        .await
        .expect("assembly point");
    store
        .create_user(
            &NewUser {
                username: "coordinator".to_string(),
                display_name: "Bench coordinator".to_string(),
                role: UserRole::Coordinator,
                scope: Scope::All,
                organisation: None,
                password_hash: hash_password(PASSWORD).expect("hash"),
            },
            now(),
            "bench",
        )
        .await
        .expect("account");
    store
}

/// The cookie and CSRF token of a signed-in session.
async fn sign_in(app: &axum::Router) -> String {
    let form = app
        .clone()
        .oneshot(
            Request::get("/sign-in")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("sign-in form");
    let cookie = session_cookie(&form).expect("a session cookie");
    let body = axum::body::to_bytes(form.into_body(), 1 << 20)
        .await
        .expect("body");
    let html = String::from_utf8_lossy(&body);
    let start = html.find("name=\"csrf\" value=\"").expect("csrf") + 19;
    let csrf = &html[start..start + html[start..].find('"').expect("csrf end")];
    let body = format!(
        "username=coordinator&password={}&csrf={csrf}",
        PASSWORD.replace(' ', "+")
    );
    let signed_in = app
        .clone()
        .oneshot(
            Request::post("/sign-in")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    session_cookie(&signed_in).unwrap_or(cookie)
}

fn session_cookie(response: &axum::response::Response) -> Option<String> {
    let value = response.headers().get(header::SET_COOKIE)?.to_str().ok()?;
    value.split(';').next().map(str::to_string)
}

fn call_list(c: &mut Criterion) {
    let runtime = runtime();
    let directory = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", directory.path().join("bench.db").display());
    let (app, cookie, parties) = runtime.block_on(async {
        let store = confirmed_day(&url).await;
        let parties = store
            .call_list(
                &CrossingId::parse("rafah").expect("crossing"),
                DAY,
                now(),
                "bench",
            )
            .await
            .expect("call list")
            .parties
            .len();
        let state = AppState {
            store,
            clock: Clock {
                fixed_today: Some(TODAY),
            },
            forecasts: Default::default(),
            notices_secret: None,
            secure_cookies: false,
        };
        let app = router(state);
        let cookie = sign_in(&app).await;
        (app, cookie, parties)
    });
    assert!(parties >= 50, "a day of {parties} parties");
    let mut group = c.benchmark_group("call list");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(10));
    group.bench_function(format!("GET /days/calls, {parties} parties"), |b| {
        b.iter(|| {
            runtime.block_on(async {
                let response = app
                    .clone()
                    .oneshot(
                        Request::get("/days/calls?crossing=rafah&date=2026-02-02")
                            .header(header::COOKIE, &cookie)
                            .body(Body::empty())
                            .expect("request"),
                    )
                    .await
                    .expect("page");
                assert_eq!(response.status(), StatusCode::OK);
                let body = axum::body::to_bytes(response.into_body(), 16 << 20)
                    .await
                    .expect("body");
                assert!(body.len() > 10_000);
            })
        })
    });
    group.finish();
}

criterion_group!(benches, call_list);
criterion_main!(benches);
