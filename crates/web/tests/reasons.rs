//! Reason codes over HTTP: the list, and a note about a person shown in
//! their record and nowhere else.

use axum::http::{Method, StatusCode};
use corridor_domain::{Permission, UserRole};
use serde_json::json;

use crate::harness::{RouteCase, apps};

pub const ROUTES: &[RouteCase] = &[RouteCase {
    method: "GET",
    path: "/api/v1/reasons",
    body: None,
    permission: Permission::ViewAggregates,
    answers: &[StatusCode::OK],
}];

#[tokio::test]
async fn the_codes_are_listed_with_their_labels() {
    for app in apps().await {
        let backend = app.backend;
        let mut analyst = app.with_token(UserRole::Analyst).await;
        let all = analyst.get("/api/v1/reasons").await.json();
        let codes = all.as_array().unwrap();
        assert!(codes.len() > 20, "{backend}: {all}");
        assert!(codes.contains(&json!({
            "kind": "denied",
            "code": "security-objection",
            "label": "Security objection by the clearing authority",
            "in_use": true,
        })));
        let no_show = analyst.get("/api/v1/reasons?kind=no-show").await.json();
        assert!(
            no_show
                .as_array()
                .unwrap()
                .iter()
                .all(|code| code["kind"] == "no-show"),
            "{no_show}"
        );
        assert_eq!(no_show[0]["code"], "not-known", "the default comes first");
        let problem = analyst
            .get("/api/v1/reasons?kind=refused")
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "kind");
        app.finish().await;
    }
}

/// A denial recorded with a note that names someone: the person's record
/// shows the note; the dashboard, its JSON and the batch of the request
/// show none of it.
#[tokio::test]
async fn a_note_about_a_person_is_shown_in_their_record_only() {
    let note = "brother K. M. on a watch list";
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let mut liaison = app.with_token(UserRole::ClearanceLiaison).await;
        let listed = coordinator
            .get("/api/v1/people?status=listed&per_page=1")
            .await
            .json();
        let id = listed["rows"][0]["id"].as_str().unwrap().to_string();
        let batch = coordinator
            .send_json(
                Method::POST,
                "/api/v1/clearance/batches",
                &json!({"crossing": "rafah", "needed_by": "2026-02-09", "ids": [id]}),
            )
            .await;
        assert_eq!(batch.status, StatusCode::CREATED, "{}", batch.body);
        let batch_id = batch.json()["batch"]["id"].as_str().unwrap().to_string();
        let decided = liaison
            .send_json(
                Method::POST,
                "/api/v1/clearance/decisions",
                &json!({"batch": batch_id, "decisions": [
                    {"person": id, "outcome": "denied", "reason_code": "other", "note": note},
                ]}),
            )
            .await;
        assert_eq!(
            decided.status,
            StatusCode::OK,
            "{backend}: {}",
            decided.body
        );

        // The record, within the reader's scope: code, label and note.
        let record = coordinator
            .get(&format!("/api/v1/people/{id}"))
            .await
            .json();
        let denial = record["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|event| event["action"] == "deny")
            .unwrap();
        assert_eq!(denial["reason"]["code"], "other");
        assert_eq!(denial["reason"]["note"], note);
        let mut desk = app.signed_in(UserRole::Coordinator).await;
        let page = desk.get(&format!("/people/{id}")).await;
        assert!(
            page.body.contains(&format!(
                "Other (see note) <span class=\"id\">other</span>: {}",
                "brother K. M. on a watch list"
            )),
            "{backend}: {}",
            page.body
        );

        // Everywhere else: the code and its label at most.
        let batch_json = liaison
            .get(&format!("/api/v1/clearance/batches/{batch_id}"))
            .await
            .body;
        let batch_page = app
            .signed_in(UserRole::ClearanceLiaison)
            .await
            .get(&format!("/clearance/{batch_id}"))
            .await
            .body;
        let mut analyst = app.with_token(UserRole::Analyst).await;
        let dashboard_json = analyst.get("/api/v1/dashboard").await.body;
        let dashboard_page = app.signed_in(UserRole::Analyst).await.get("/").await.body;
        for (what, text) in [
            ("batch JSON", &batch_json),
            ("batch page", &batch_page),
            ("dashboard JSON", &dashboard_json),
            ("dashboard page", &dashboard_page),
        ] {
            assert!(
                !text.contains("watch list"),
                "{backend}: the {what} shows the note"
            );
            assert!(
                !text.contains("K. M."),
                "{backend}: the {what} shows the note"
            );
        }
        assert!(batch_json.contains("\"code\":\"other\""), "{batch_json}");
        app.finish().await;
    }
}
