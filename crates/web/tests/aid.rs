//! The aid pipeline board: everyone sees it, logistics officers move
//! consignments on.

use axum::http::{Method, StatusCode};
use corridor_domain::{ConsignmentId, Permission, UserRole};
use serde_json::json;

use crate::harness::{RouteCase, TestApp, apps};

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/aid",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/aid/consignments/WB-000001",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/aid/consignments/WB-000001/moves",
        body: Some("stage=staging&expected_version=1"),
        permission: Permission::ManageAid,
        // 303 for the first role allowed, which moves it; 409 (the form
        // again, the consignment moved meanwhile) for the roles after it.
        answers: &[StatusCode::SEE_OTHER, StatusCode::CONFLICT],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/aid/board",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/aid/consignments/WB-000001",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/aid/consignments/WB-000001/moves",
        body: Some(r#"{"stage": "staging", "expected_version": 1}"#),
        permission: Permission::ManageAid,
        // 409: the body's expected version is older than the consignment's (the page case
        // moved it first).
        answers: &[StatusCode::CONFLICT],
    },
    RouteCase {
        method: "GET",
        path: "/aid/consignments/new",
        body: None,
        permission: Permission::ManageAid,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/aid/consignments",
        body: Some(
            "id=WB-MATRIX&agency=WFP&category=food&origin=Al-Arish&crossing=kerem-shalom\
             &trucks=2&pallets=40&tonnes=30",
        ),
        permission: Permission::ManageAid,
        // 303 for the first role allowed, which registers it; 409 (the form
        // again: the id is taken) for the roles after it.
        answers: &[StatusCode::SEE_OTHER, StatusCode::CONFLICT],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/aid/consignments",
        body: Some(
            r#"{"id": "WB-MATRIX-API", "agency": "WFP", "category": "food", "origin": "Al-Arish",
                "crossing": "kerem-shalom", "trucks": "2", "pallets": "40", "tonnes": "30"}"#,
        ),
        permission: Permission::ManageAid,
        // 201 for the first role allowed; 409 (the id is taken) after it.
        answers: &[StatusCode::CREATED, StatusCode::CONFLICT],
    },
];

const NEW_CONSIGNMENT: [(&str, &str); 8] = [
    ("id", "WB-NEW-17"),
    ("agency", "UNICEF"),
    ("category", "medical"),
    ("origin", "Al-Arish"),
    ("crossing", "kerem-shalom"),
    ("trucks", "3"),
    ("pallets", "66"),
    ("tonnes", "41.5"),
];

fn consignment_with(field: &str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    NEW_CONSIGNMENT
        .iter()
        .map(|&(name, typed)| (name, if name == field { value } else { typed }))
        .collect()
}

#[tokio::test]
async fn a_logistics_officer_registers_a_consignment_on_the_web_and_a_refusal_keeps_the_form() {
    for app in apps().await {
        let mut officer = app.signed_in(UserRole::LogisticsOfficer).await;
        let board = officer.get("/aid").await;
        assert!(board.body.contains("href=\"/aid/consignments/new\""));
        for (field, typed, message) in [
            ("id", "WB 17", "use letters, digits"),
            ("trucks", "three", "trucks"),
            ("tonnes", "-4", "tonnes"),
            ("crossing", "nowhere", "there is no crossing nowhere"),
        ] {
            let refused = officer
                .post_form("/aid/consignments", &consignment_with(field, typed))
                .await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{field}");
            assert!(
                refused.body.contains(&format!("id=\"error-{field}\"")),
                "{field}: {}",
                refused.body
            );
            assert!(refused.body.contains(message), "{field}: {}", refused.body);
            assert!(
                refused.body.contains("value=\"UNICEF\""),
                "the rest is kept"
            );
        }
        let done = officer
            .post_form("/aid/consignments", &NEW_CONSIGNMENT)
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.headers["location"], "/aid/consignments/WB-NEW-17");
        let page = officer.get("/aid/consignments/WB-NEW-17").await;
        assert!(page.body.contains("Registered WB-NEW-17"), "{}", page.body);
        assert!(page.body.contains("<strong>dispatched</strong>"));
        let entry = app.audit().await.pop().unwrap();
        assert_eq!(
            (
                entry.action.as_str(),
                entry.actor.as_str(),
                entry.subject.as_str()
            ),
            ("consignment.register", "logistics-officer", "WB-NEW-17")
        );
        let stored = app
            .state
            .store
            .consignment(&ConsignmentId::parse("WB-NEW-17").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.line.load.trucks, 3);
        assert_eq!(stored.line.load.pallets, 66);

        // The same id again is refused for the whole form, as typed.
        let again = officer
            .post_form("/aid/consignments", &NEW_CONSIGNMENT)
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert!(again.body.contains("value=\"41.5\""));

        // An analyst sees the board but registers nothing.
        let mut analyst = app.signed_in(UserRole::Analyst).await;
        assert!(
            !analyst
                .get("/aid")
                .await
                .body
                .contains("/aid/consignments/new")
        );
        let refused = analyst
            .post_form("/aid/consignments", &consignment_with("id", "WB-NEW-18"))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        app.finish().await;
    }
}

/// The consignment longest in `stage`, from the board.
async fn oldest_in(app: &TestApp, stage: &str) -> (String, u64) {
    let board = app
        .with_token(UserRole::Analyst)
        .await
        .get("/api/v1/aid/board")
        .await
        .json();
    let column = board["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|column| column["stage"] == stage)
        .unwrap()
        .clone();
    let id = column["oldest"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("someone in {stage}: {column}"))
        .to_string();
    (id, column["consignments"].as_u64().unwrap())
}

#[tokio::test]
async fn the_board_counts_every_consignment_in_its_stage_and_names_the_oldest() {
    for app in apps().await {
        let all = app.state.store.all_consignments().await.unwrap();
        let mut analyst = app.with_token(UserRole::Analyst).await;
        let board = analyst.get("/api/v1/aid/board").await;
        assert_eq!(board.status, StatusCode::OK, "{}", board.body);
        let board = board.json();
        let stages = board["stages"].as_array().unwrap();
        assert_eq!(stages.len(), corridor_domain::Stage::ALL.len());
        let counted: u64 = stages
            .iter()
            .map(|column| column["consignments"].as_u64().unwrap())
            .sum();
        assert_eq!(counted, all.len() as u64, "{}", app.backend);
        for column in stages {
            let stage = corridor_domain::Stage::parse(column["stage"].as_str().unwrap()).unwrap();
            let here: Vec<_> = all.iter().filter(|(_, line)| line.stage == stage).collect();
            assert_eq!(column["consignments"], here.len() as u64, "{stage}");
            let trucks: u64 = here
                .iter()
                .map(|(_, line)| u64::from(line.load.trucks))
                .sum();
            assert_eq!(column["trucks"], trucks, "{stage}");
            match here
                .iter()
                .min_by_key(|(c, line)| (line.since, c.id.clone()))
            {
                Some((oldest, _)) if !stage.is_final() => {
                    assert_eq!(column["oldest"]["id"], oldest.id.as_str(), "{stage}")
                }
                _ => assert!(column["oldest"].is_null(), "{stage}"),
            }
        }
        // Stays ended in the last 30 days give dwell figures somewhere.
        assert!(
            stages
                .iter()
                .any(|column| column["dwell"]["stays"].as_u64() > Some(0))
        );

        let mut browser = app.signed_in(UserRole::Analyst).await;
        let page = browser.get("/aid").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<h2>staging</h2>"), "{}", page.body);
        assert!(page.body.contains("Dwell median"));
        let (id, _) = oldest_in(&app, "staging").await;
        assert!(page.body.contains(&format!("/aid/consignments/{id}")));
        // An analyst sees a consignment but gets no move form.
        let detail = browser.get(&format!("/aid/consignments/{id}")).await;
        assert_eq!(detail.status, StatusCode::OK);
        assert!(
            detail
                .body
                .contains("Only logistics officers move consignments")
        );
        assert!(!detail.body.contains("/moves"));
        app.finish().await;
    }
}

#[tokio::test]
async fn a_logistics_officer_moves_a_consignment_and_an_analyst_cannot() {
    for app in apps().await {
        let (id, in_staging) = oldest_in(&app, "staging").await;
        let consignment_id = ConsignmentId::parse(&id).unwrap();
        let before = app
            .state
            .store
            .consignment(&consignment_id)
            .await
            .unwrap()
            .unwrap();
        let version = before.line.version.to_string();

        let mut analyst = app.with_token(UserRole::Analyst).await;
        analyst
            .send_json(
                Method::POST,
                &format!("/api/v1/aid/consignments/{id}/moves"),
                &json!({"stage": "checkpoint"}),
            )
            .await
            .problem(StatusCode::FORBIDDEN);
        let mut analyst_browser = app.signed_in(UserRole::Analyst).await;
        let refused = analyst_browser
            .post_form(
                &format!("/aid/consignments/{id}/moves"),
                &[("stage", "checkpoint"), ("expected_version", &version)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let mut officer = app.signed_in(UserRole::LogisticsOfficer).await;
        let page = officer.get(&format!("/aid/consignments/{id}")).await;
        assert!(
            page.body.contains("returned (reason required)"),
            "{}",
            page.body
        );
        let moved = officer
            .post_form(
                &format!("/aid/consignments/{id}/moves"),
                &[
                    ("stage", "checkpoint"),
                    ("expected_version", &version),
                    ("reason", ""),
                    ("items", ""),
                    ("trucks", ""),
                    ("pallets", ""),
                    ("tonnes", ""),
                    ("note", "convoy called forward"),
                ],
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        let page = officer.get(&format!("/aid/consignments/{id}")).await;
        assert!(page.body.contains("moved to checkpoint"), "{}", page.body);
        let after = app
            .state
            .store
            .consignment(&consignment_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.line.stage, corridor_domain::Stage::Checkpoint);
        assert_eq!(after.line.version, before.line.version + 1);
        assert_eq!(after.events.last().unwrap().actor, "logistics-officer");
        let entry = app.audit().await.pop().unwrap();
        assert_eq!(
            (
                entry.action.as_str(),
                entry.actor.as_str(),
                entry.subject.as_str()
            ),
            ("consignment.move", "logistics-officer", id.as_str())
        );
        let (_, now_in_staging) = oldest_in(&app, "staging").await;
        assert_eq!(now_in_staging, in_staging - 1);

        // The same form again is out of date: a conflict, said on the page,
        // with the consignment as it is now and the form as typed.
        let stale = officer
            .post_form(
                &format!("/aid/consignments/{id}/moves"),
                &[
                    ("stage", "inspection"),
                    ("expected_version", &version),
                    ("note", "second tap"),
                ],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        assert!(
            stale
                .body
                .contains("<p class=\"error\" role=\"alert\" tabindex=\"-1\" autofocus>Not done: "),
            "{}",
            stale.body
        );
        assert!(stale.body.contains("changed by someone else meanwhile"));
        assert!(stale.body.contains("<strong>checkpoint</strong>"));
        assert!(
            stale
                .body
                .contains("<option value=\"inspection\" selected>")
        );
        assert!(stale.body.contains("value=\"second tap\""));
        assert!(!stale.body.contains("class=\"flash\""), "{}", stale.body);

        let mut api = app.with_token(UserRole::LogisticsOfficer).await;
        let path = format!("/api/v1/aid/consignments/{id}/moves");
        let problem = api
            .send_json(Method::POST, &path, &json!({"stage": "returned"}))
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "reason");
        let problem = api
            .send_json(Method::POST, &path, &json!({"stage": "delivered"}))
            .await
            .problem(StatusCode::CONFLICT);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("allowed: inspection, returned")
        );
        let returned = api
            .send_json(
                Method::POST,
                &path,
                &json!({"stage": "returned", "reason": "crossing closed", "expected_version": after.line.version}),
            )
            .await;
        assert_eq!(returned.status, StatusCode::OK, "{}", returned.body);
        let view = returned.json();
        assert_eq!(view["stage"], "returned");
        assert_eq!(
            view["history"].as_array().unwrap().last().unwrap()["reason"],
            "crossing closed"
        );
        assert!(view["next_stages"].as_array().unwrap().is_empty());
        api.get("/api/v1/aid/consignments/WB-999999")
            .await
            .problem(StatusCode::NOT_FOUND);
        app.finish().await;
    }
}

/// A move refused for a missing reason comes back as typed, with the
/// message beside the reason, styled as an error: never a success banner
/// and a form reset to another stage.
#[tokio::test]
async fn a_refused_move_shows_its_form_again_as_typed() {
    for app in apps().await {
        let (id, _) = oldest_in(&app, "inspection").await;
        let consignment_id = ConsignmentId::parse(&id).unwrap();
        let before = app
            .state
            .store
            .consignment(&consignment_id)
            .await
            .unwrap()
            .unwrap();
        let version = before.line.version.to_string();
        let mut officer = app.signed_in(UserRole::LogisticsOfficer).await;
        let refused = officer
            .post_form(
                &format!("/aid/consignments/{id}/moves"),
                &[
                    ("stage", "rejected"),
                    ("expected_version", &version),
                    ("reason", ""),
                    ("items", "generator, water pumps"),
                    ("trucks", "7"),
                    ("note", "held at the scanner"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        let body = &refused.body;
        assert!(
            body.contains("<option value=\"rejected\" selected>"),
            "{body}"
        );
        assert!(body.contains("value=\"generator, water pumps\""), "{body}");
        assert!(body.contains("value=\"7\""), "{body}");
        assert!(body.contains("value=\"held at the scanner\""), "{body}");
        assert!(
            body.contains("name=\"reason\" maxlength=\"200\" value=\"\" aria-invalid=\"true\""),
            "{body}"
        );
        assert!(
            body.contains("<span class=\"field-error\" role=\"alert\" id=\"error-reason\">"),
            "{body}"
        );
        assert!(
            !body.contains("id=\"error-reason\">reason:"),
            "the field is not named twice: {body}"
        );
        assert!(
            !body.contains("class=\"flash\""),
            "no success banner: {body}"
        );
        let after = app
            .state
            .store
            .consignment(&consignment_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.line.version, before.line.version, "nothing recorded");
        app.finish().await;
    }
}
