//! The standby list and amendments through the JSON API: a confirmed day
//! has a ranked standby list, a decline frees places, a fill takes them
//! from standby (audited), and refused amendments say why.

use axum::http::{Method, StatusCode};
use corridor_domain::{Permission, UserRole};
use serde_json::json;

use crate::harness::{Client, RouteCase, apps};

const DAY: &str = "crossing=rafah&date=2026-02-02";

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/api/v1/plan/standby?crossing=rafah&date=2026-02-02",
        body: None,
        permission: Permission::PlanDays,
        // 400: the day is not confirmed.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/plan/amend",
        body: Some(r#"{"crossing": "rafah", "date": "2026-02-02", "kind": "fill"}"#),
        permission: Permission::PlanDays,
        // 400: the day is not confirmed.
        answers: &[StatusCode::BAD_REQUEST],
    },
];

async fn confirm_day(coordinator: &mut Client) {
    for direction in ["inbound", "outbound"] {
        let confirmed = coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/confirm",
                &json!({"crossing": "rafah", "date": "2026-02-02", "direction": direction}),
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    }
}

async fn amend(coordinator: &mut Client, body: serde_json::Value) -> crate::harness::Reply {
    coordinator
        .send_json(Method::POST, "/api/v1/plan/amend", &body)
        .await
}

#[tokio::test]
async fn a_decline_is_filled_from_the_standby_list() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let early = coordinator
            .get(&format!("/api/v1/plan/standby?{DAY}"))
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert!(
            early["detail"]
                .as_str()
                .unwrap()
                .contains("confirm the day first"),
            "{backend}: {early}"
        );
        confirm_day(&mut coordinator).await;
        let standby = coordinator
            .get(&format!("/api/v1/plan/standby?{DAY}"))
            .await
            .json();
        assert_eq!(standby["free"], 0, "{backend}: {standby}");
        let parties = standby["parties"].as_array().unwrap().clone();
        let full = amend(
            &mut coordinator,
            json!({"crossing": "rafah", "date": "2026-02-02", "kind": "fill"}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
        assert!(
            full["detail"]
                .as_str()
                .unwrap()
                .contains("no places are free"),
            "{backend}: {full}"
        );
        let no_reason = amend(
            &mut coordinator,
            json!({"crossing": "rafah", "date": "2026-02-02", "kind": "remove", "person": "P-000001"}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
        assert_eq!(no_reason["field"], "reason", "{backend}: {no_reason}");
        let unknown = amend(
            &mut coordinator,
            json!({"crossing": "rafah", "date": "2026-02-02", "kind": "swap"}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
        assert_eq!(unknown["field"], "amendment", "{backend}: {unknown}");

        // The first outbound party declines on the call; its places are filled.
        let manifest = coordinator
            .get(&format!("/api/v1/manifests?{DAY}"))
            .await
            .json();
        let head = manifest["parties"][0]["head"]["person"]
            .as_str()
            .unwrap_or_else(|| panic!("{backend}: {manifest}"))
            .to_string();
        let declined = coordinator
            .send_json(
                Method::POST,
                "/api/v1/calls",
                &json!({"crossing": "rafah", "date": "2026-02-02", "party": head, "outcome": "declined", "reason": "not ready"}),
            )
            .await;
        assert_eq!(
            declined.status,
            StatusCode::OK,
            "{backend}: {}",
            declined.body
        );
        let freed = coordinator
            .get(&format!("/api/v1/plan/standby?{DAY}"))
            .await
            .json();
        assert!(freed["free"].as_u64().unwrap() > 0, "{backend}: {freed}");
        if parties.is_empty() {
            app.finish().await;
            continue;
        }
        let filled = amend(
            &mut coordinator,
            json!({"crossing": "rafah", "date": "2026-02-02", "kind": "fill"}),
        )
        .await;
        assert_eq!(filled.status, StatusCode::OK, "{backend}: {}", filled.body);
        let filled = filled.json();
        assert_eq!(filled["kind"], "fill", "{backend}");
        assert_eq!(filled["number"], 1, "{backend}");
        let taken = filled["parties"][0]["person"].as_str().unwrap().to_string();
        assert!(
            parties.iter().any(|p| p["person"] == taken.as_str()),
            "{backend}: {taken} not on {parties:?}"
        );
        let after = coordinator
            .get(&format!("/api/v1/plan/standby?{DAY}"))
            .await
            .json();
        assert!(
            after["parties"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["person"] != taken.as_str()),
            "{backend}: {after}"
        );
        let audit = app.audit().await;
        assert_eq!(
            audit.last().map(|e| e.action.as_str()),
            Some("manifest.amend"),
            "{backend}"
        );
        app.finish().await;
    }
}
