//! The notices sender against a fake gateway on loopback that times out,
//! then answers 500 for a while, then 200; with a sender that dies holding
//! notices and a new sender that takes over. Every notice reaches the
//! gateway exactly once (the gateway counts by `Idempotency-Key` and drops
//! repeats, as a real one does), and none is lost.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::post;
use corridor_domain::{
    Action, NewContact, NoticeChannel, NoticeKind, NoticeState, Permission, Role, Status, UserRole,
};
use corridor_store::{NoticeFilter, Store};
use corridor_web::notices::{Gateway, NoticeSender, sign, signature_matches};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::harness::*;

const SECRET: &str = "shared secret";

#[derive(Default)]
struct Fake {
    calls: u32,
    /// Deliveries by idempotency key: a repeat is answered 200 and dropped.
    accepted: HashMap<String, u32>,
    repeats: u32,
    bad_signatures: u32,
}

async fn gateway(
    State(fake): State<Arc<Mutex<Fake>>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let signature = headers
        .get("x-corridor-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let call = {
        let mut fake = fake.lock().unwrap();
        if !signature_matches(SECRET, &body, &signature) {
            fake.bad_signatures += 1;
            return (StatusCode::UNAUTHORIZED, String::new());
        }
        fake.calls += 1;
        fake.calls
    };
    match call {
        // Received, but the answer comes too late: the sender gives up
        // waiting and will try again with the same key.
        1 => {
            fake.lock().unwrap().accepted.insert(key, 1);
            tokio::time::sleep(Duration::from_secs(2)).await;
            (StatusCode::OK, "{}".to_string())
        }
        2..=4 => (StatusCode::INTERNAL_SERVER_ERROR, String::new()),
        _ => {
            let mut fake = fake.lock().unwrap();
            let fake = &mut *fake;
            match fake.accepted.entry(key) {
                std::collections::hash_map::Entry::Occupied(_) => fake.repeats += 1,
                std::collections::hash_map::Entry::Vacant(entry) => {
                    entry.insert(1);
                }
            }
            (StatusCode::OK, format!("{{\"id\": \"gw-{call}\"}}"))
        }
    }
}

fn later(start: Timestamp, seconds: i64) -> Timestamp {
    start
        .saturating_add(SignedDuration::from_secs(seconds))
        .unwrap()
}

async fn queue_listed_notices(store: &Store, count: usize, at: Timestamp) -> Vec<String> {
    let registered: Vec<_> = store
        .all_people()
        .await
        .unwrap()
        .into_iter()
        .filter(|(person, line)| person.role() == Role::Patient && line.status == Status::Referred)
        .take(count)
        .collect();
    assert_eq!(registered.len(), count, "the demo has referred patients");
    let mut keys = Vec::new();
    for (index, (person, _)) in registered.iter().enumerate() {
        let language = if index % 2 == 0 { "ar" } else { "en" };
        let phone = format!("+999 59 200 {index:04}");
        store
            .add_contact(
                &person.id,
                &NewContact::parse(&phone, "family", Some(language)).unwrap(),
                at,
                "referrer",
            )
            .await
            .unwrap();
        store
            .transition(&person.id, None, Action::List, None, at, "coordinator")
            .await
            .unwrap();
        let notices = store
            .notices(&NoticeFilter::Person(person.id.clone()))
            .await
            .unwrap();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].kind, NoticeKind::Listed);
        keys.push(notices[0].key.clone());
    }
    keys
}

#[tokio::test(flavor = "multi_thread")]
async fn every_notice_reaches_a_failing_gateway_once_across_a_restart() {
    let app = TestApp::sqlite().await;
    let store = app.state.store.clone();
    let start = now();
    let mut keys = queue_listed_notices(&store, 4, start).await;
    keys.sort();

    let fake = Arc::new(Mutex::new(Fake::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = Router::new()
        .route("/sms", post(gateway))
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let webhook = Gateway::from_settings(
        "webhook",
        Some(&format!("http://{address}/sms")),
        None,
        Some(SECRET),
    )
    .unwrap();

    // First sender: a timeout and three 500s; every notice waits to retry.
    let first = NoticeSender::new(webhook.clone(), Duration::from_millis(300));
    let report = first.send_due(&store, later(start, 1)).await.unwrap();
    assert_eq!((report.sent, report.failed), (0, 4), "{report:?}");
    // Nothing is due again before the back-off has passed.
    let report = first.send_due(&store, later(start, 10)).await.unwrap();
    assert_eq!(report.sent + report.failed, 0, "{report:?}");

    // A sender takes two notices and dies before sending them.
    let orphans = store
        .claim_due_notices(NoticeChannel::Webhook, later(start, 3600), 2, "dead-sender")
        .await
        .unwrap();
    assert_eq!(orphans.len(), 2);
    drop(first);

    // A new sender on the same database sends the two others at once, and
    // the orphans once their claim has timed out.
    let second = NoticeSender::new(webhook, Duration::from_millis(300));
    let report = second.send_due(&store, later(start, 3601)).await.unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    let report = second.send_due(&store, later(start, 3610)).await.unwrap();
    assert_eq!(report.sent, 0, "the orphans are not yet due: {report:?}");
    let report = second
        .send_due(&store, later(start, 3601 + 5 * 60 + 1))
        .await
        .unwrap();
    assert_eq!(report.sent, 2, "{report:?}");

    {
        let fake = fake.lock().unwrap();
        let mut delivered: Vec<String> = fake.accepted.keys().cloned().collect();
        delivered.sort();
        assert_eq!(delivered, keys, "every notice delivered, none lost");
        assert!(fake.accepted.values().all(|count| *count == 1));
        // The notice whose answer timed out came again, and was dropped by key.
        assert_eq!(fake.repeats, 1);
        assert_eq!(fake.bad_signatures, 0);
    }
    for key in &keys {
        let person = key.trim_start_matches("listed:");
        let notices = store
            .notices(&NoticeFilter::Person(
                corridor_domain::PersonId::parse(person).unwrap(),
            ))
            .await
            .unwrap();
        assert_eq!(notices[0].state, NoticeState::Sent, "{key}");
        assert_eq!(notices[0].channel, Some(NoticeChannel::Webhook), "{key}");
    }
    assert!(store.verify_audit().await.unwrap().is_intact());
    app.finish().await;
}

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/api/v1/notices?date=2026-02-02",
        body: None,
        permission: Permission::CallParties,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/plan/cancel",
        body: Some("crossing=rafah&date=2026-02-02&direction=outbound&kind=cancel&reason=closed"),
        permission: Permission::PlanDays,
        // 400: the day is not confirmed; the plan is shown again with the message.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/plan/cancel",
        body: Some(r#"{"crossing": "rafah", "date": "2026-02-02", "reason": "closed"}"#),
        permission: Permission::PlanDays,
        // 400: the day is not confirmed.
        answers: &[StatusCode::BAD_REQUEST],
    },
];

/// A delivery report as a gateway sends it: the body signed with `secret`.
async fn report(app: &TestApp, body: &serde_json::Value, secret: &str) -> crate::harness::Reply {
    let body = body.to_string();
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/notices/delivery")
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .header("x-corridor-signature", sign(secret, body.as_bytes()));
    app.anonymous()
        .send_request(request, axum::body::Body::from(body))
        .await
}

#[tokio::test]
async fn a_day_tells_its_parties_and_a_gateway_reports_each_delivery() {
    for mut app in apps().await {
        let on = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        crate::calls::confirm_day(&mut coordinator).await;
        let listed = coordinator
            .get("/api/v1/notices?date=2026-02-02")
            .await
            .json();
        let notices = listed["notices"].as_array().unwrap();
        let kinds: Vec<&str> = notices
            .iter()
            .map(|n| n["kind"].as_str().unwrap())
            .collect();
        assert!(kinds.contains(&"scheduled"), "{on}: {kinds:?}");
        assert!(kinds.contains(&"standby"), "{on}: {kinds:?}");
        assert!(
            notices
                .iter()
                .all(|n| n["recipient"].as_str().unwrap().starts_with("+999")),
            "{on}: demo numbers only"
        );
        assert_eq!(
            app.state.store.audit_tail(1).await.unwrap()[0].action,
            "notices.read",
            "{on}"
        );
        // An analyst sees aggregates only.
        let analyst = app
            .with_token(UserRole::Analyst)
            .await
            .get("/api/v1/notices?date=2026-02-02")
            .await;
        assert_eq!(analyst.status, StatusCode::FORBIDDEN, "{on}");

        let key = notices[0]["key"].as_str().unwrap().to_string();
        let delivered = json!({"key": key, "status": "delivered"});
        // Without a secret the server takes no report.
        report(&app, &delivered, SECRET)
            .await
            .problem(StatusCode::FORBIDDEN);
        app.set_notices_secret(SECRET);
        let forged = report(&app, &delivered, "another secret").await;
        assert!(
            forged.problem(StatusCode::FORBIDDEN)["detail"]
                .as_str()
                .unwrap()
                .contains("does not match"),
            "{on}"
        );
        let first = report(&app, &delivered, SECRET).await;
        assert_eq!(first.status, StatusCode::OK, "{on}: {}", first.body);
        assert_eq!(first.json()["state"], "delivered", "{on}");
        assert_eq!(first.json()["changed"], true, "{on}");
        let again = report(&app, &delivered, SECRET).await.json();
        assert_eq!(
            again["changed"], false,
            "{on}: a repeated report changes nothing"
        );
        let unknown = report(
            &app,
            &json!({"key": "no-such-notice", "status": "delivered"}),
            SECRET,
        )
        .await;
        unknown.problem(StatusCode::NOT_FOUND);
        // Whatever a gateway sends, signed, is answered without a failure
        // of the server.
        for body in [
            json!({"key": key, "status": "read"}),
            json!({"key": 12, "status": "delivered"}),
            json!({"key": key, "status": null}),
            json!({"gateway_id": "x".repeat(10_000), "status": "failed"}),
            json!([1, 2, 3]),
            json!("delivered"),
        ] {
            let reply = report(&app, &body, SECRET).await;
            assert!(
                matches!(
                    reply.status,
                    StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND
                ),
                "{on}: {body}: {} {}",
                reply.status,
                reply.body
            );
        }
        let nameless = report(&app, &json!({"status": "failed"}), SECRET).await;
        assert_eq!(
            nameless.problem(StatusCode::BAD_REQUEST)["field"],
            "key",
            "{on}"
        );

        // The crossing does not open: the day is cancelled, everyone told.
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let no_reason = coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/cancel",
                &json!({"crossing": "rafah", "date": "2026-02-02", "direction": "outbound"}),
            )
            .await;
        assert_eq!(
            no_reason.problem(StatusCode::BAD_REQUEST)["field"],
            "reason",
            "{on}"
        );
        let cancelled = coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/cancel",
                &json!({"crossing": "rafah", "date": "2026-02-02", "direction": "outbound",
                        "reason": "the crossing did not open"}),
            )
            .await;
        assert_eq!(cancelled.status, StatusCode::OK, "{on}: {}", cancelled.body);
        let cancelled = cancelled.json();
        assert!(cancelled["people"].as_u64().unwrap() > 0, "{on}");
        assert!(cancelled["notices"].as_u64().unwrap() > 0, "{on}");
        let after = coordinator
            .get("/api/v1/notices?date=2026-02-02")
            .await
            .json();
        let day_cancelled = after["notices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "day-cancelled")
            .count();
        assert_eq!(
            day_cancelled as u64,
            cancelled["notices"].as_u64().unwrap(),
            "{on}"
        );
        let manifest = coordinator
            .get("/api/v1/manifests?crossing=rafah&date=2026-02-02&direction=outbound")
            .await;
        assert_eq!(
            manifest.json()["cancelled"]["reason"],
            "the crossing did not open",
            "{on}: {}",
            manifest.body
        );
        // The inbound day, from its plan page: refused without a reason,
        // at the field; then cancelled.
        let mut desk = app.signed_in(UserRole::Coordinator).await;
        let inbound = "/plan?crossing=rafah&date=2026-02-02&direction=inbound";
        assert!(
            desk.get(inbound)
                .await
                .body
                .contains("Cancel the inbound day"),
            "{on}"
        );
        let form = |reason: &'static str| {
            [
                ("crossing", "rafah"),
                ("date", "2026-02-02"),
                ("direction", "inbound"),
                ("kind", "cancel"),
                ("reason", reason),
            ]
        };
        let refused = desk.post_form("/plan/cancel", &form("")).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{on}");
        assert!(
            refused.body.contains("say why the day is cancelled")
                && refused.body.contains("aria-invalid=\"true\""),
            "{on}: {}",
            refused.body
        );
        let done = desk
            .post_form("/plan/cancel", &form("no escort for the returnees"))
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{on}: {}", done.body);
        let after = desk.get(inbound).await;
        assert!(
            after.body.contains("Day cancelled: ")
                && after.body.contains("This day was cancelled by coordinator"),
            "{on}: {}",
            after.body
        );
        // A second tap is refused with the reason, nothing written twice.
        let twice = desk
            .post_form("/plan/cancel", &form("no escort for the returnees"))
            .await;
        assert_eq!(twice.status, StatusCode::BAD_REQUEST, "{on}");
        assert!(twice.body.contains("was cancelled"), "{on}");

        // The plan page says so, and offers nothing to amend.
        let page = desk
            .get("/plan?crossing=rafah&date=2026-02-02&direction=outbound")
            .await;
        assert!(
            page.body.contains("This day was cancelled by coordinator")
                && page.body.contains("the crossing did not open"),
            "{on}: {}",
            page.body
        );
        assert!(
            !page.body.contains("Fill freed places from standby"),
            "{on}"
        );
        let fill = coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/amend",
                &json!({"crossing": "rafah", "date": "2026-02-02", "kind": "fill"}),
            )
            .await;
        assert!(
            fill.problem(StatusCode::BAD_REQUEST)["detail"]
                .as_str()
                .unwrap()
                .contains("was cancelled"),
            "{on}"
        );
        app.finish().await;
    }
}
