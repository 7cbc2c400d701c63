//! A crossing day through the web: a clearance batch submitted and
//! answered, the day planned with reasons and overrides, confirmed, the
//! manifest read (audited), the gate worked and the day reconciled.

use axum::http::{Method, StatusCode, header};
use corridor_domain::{Permission, PersonId, UserRole};
use serde_json::{Value, json};

use crate::harness::{RouteCase, TestApp, apps};

const DAY: &str = "crossing=rafah&date=2026-02-02";

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/api/v1/clearance/batches",
        body: None,
        permission: Permission::ViewClearance,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/clearance/batches",
        body: Some(r#"{"crossing": "rafah", "needed_by": "2026-02-05"}"#),
        permission: Permission::SubmitClearance,
        // 400: the body does not say how many people to submit.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/clearance/batches/CB-0001",
        body: None,
        permission: Permission::ViewClearance,
        // 404: the small demo submits no batch, and the matrix asks before its own
        // submission.
        answers: &[StatusCode::NOT_FOUND],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/clearance/decisions",
        body: Some(r#"{"batch": "CB-0001", "decisions": []}"#),
        permission: Permission::RecordClearance,
        // 400: the body gives no decision.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/clearance/sweep",
        body: None,
        permission: Permission::RecordClearance,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/plan?crossing=rafah&date=2026-02-02&direction=inbound",
        body: None,
        permission: Permission::PlanDays,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/plan/overrides",
        body: Some(
            r#"{"crossing": "rafah", "date": "2026-02-02", "person": "P-000001", "action": "remove", "reason": ""}"#,
        ),
        permission: Permission::PlanDays,
        // 400: the body gives no reason.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/plan/confirm",
        body: Some(r#"{"crossing": "rafah", "date": "2026-02-07"}"#),
        permission: Permission::PlanDays,
        // 400: the body's day is a Saturday, when the crossing does not operate.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/manifests?crossing=rafah&date=2026-02-02&direction=outbound",
        body: None,
        permission: Permission::ViewManifests,
        // 404: no manifest is confirmed for the day when this case runs.
        answers: &[StatusCode::NOT_FOUND],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/gate",
        body: Some(
            r#"{"crossing": "rafah", "date": "2026-02-02", "person": "P-000001", "outcome": "crossed"}"#,
        ),
        permission: Permission::WorkGate,
        // 400: P-000001 is not on a confirmed manifest.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/gate/undo",
        body: Some(
            r#"{"crossing": "rafah", "date": "2026-02-02", "person": "P-000001", "reason": "wrong card"}"#,
        ),
        permission: Permission::WorkGate,
        // 400: an outcome is undone only on its crossing day, and it is not today.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/gate/reconciliation?crossing=rafah&date=2026-02-02",
        body: None,
        permission: Permission::ViewManifests,
        // 404: no manifest is confirmed for the day when this case runs.
        answers: &[StatusCode::NOT_FOUND],
    },
    RouteCase {
        method: "GET",
        path: "/clearance",
        body: None,
        permission: Permission::ViewClearance,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/clearance/batches",
        body: Some("crossing=rafah&needed_by=2026-02-05&count=none"),
        permission: Permission::SubmitClearance,
        // 400: the form comes back with "none" refused beside the count.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/clearance/sweep",
        body: Some(""),
        permission: Permission::RecordClearance,
        answers: &[StatusCode::SEE_OTHER],
    },
    RouteCase {
        method: "GET",
        path: "/clearance/CB-0001",
        body: None,
        permission: Permission::ViewClearance,
        // 404: the small demo submits no batch, and the matrix asks before its own
        // submission.
        answers: &[StatusCode::NOT_FOUND],
    },
    RouteCase {
        method: "POST",
        path: "/clearance/CB-0001/decisions",
        body: Some("decided_on=2026-02-01"),
        permission: Permission::RecordClearance,
        // 404: no batch CB-0001 to show the refused form on (as for the page above).
        answers: &[StatusCode::NOT_FOUND],
    },
    RouteCase {
        method: "GET",
        path: "/plan?crossing=rafah&date=2026-02-02&direction=inbound",
        body: None,
        permission: Permission::PlanDays,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/plan/overrides",
        body: Some("crossing=rafah&date=2026-02-02&person=P-000001&action=remove&reason="),
        permission: Permission::PlanDays,
        // 400: no reason, on the override page shown again; 404: P-000001 is
        // not waiting for the day, so there is no override page to show.
        answers: &[StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND],
    },
    RouteCase {
        method: "POST",
        path: "/plan/confirm",
        body: Some("crossing=rafah&date=2026-02-07&direction=outbound"),
        permission: Permission::PlanDays,
        // Refused (nothing to confirm, or the day is closed): the plan shown again.
        answers: &[
            StatusCode::SEE_OTHER,
            StatusCode::BAD_REQUEST,
            StatusCode::CONFLICT,
        ],
    },
    RouteCase {
        method: "GET",
        path: "/plan/manifest?crossing=rafah&date=2026-02-02&direction=outbound",
        body: None,
        permission: Permission::ViewManifests,
        // 404: no manifest is confirmed for the day when this case runs.
        answers: &[StatusCode::NOT_FOUND],
    },
    RouteCase {
        method: "GET",
        path: "/gate?crossing=rafah&date=2026-02-02",
        body: None,
        permission: Permission::WorkGate,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/gate",
        body: Some("crossing=rafah&date=2026-02-02&person=P-000001&outcome=crossed"),
        permission: Permission::WorkGate,
        // 400, the page shown again: the day has not come.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/gate/undo",
        body: Some("crossing=rafah&date=2026-02-02&person=P-000001&reason=wrong+card"),
        permission: Permission::WorkGate,
        // 400, the page shown again: an outcome is undone only on its day.
        answers: &[StatusCode::BAD_REQUEST],
    },
];

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["person"].as_str().unwrap().to_string())
        .collect()
}

async fn name_of(app: &TestApp, id: &str) -> String {
    let record = app
        .state
        .store
        .person(&PersonId::parse(id).unwrap())
        .await
        .unwrap()
        .unwrap();
    record.person.name.unwrap().as_str().to_string()
}

#[tokio::test]
async fn a_batch_is_submitted_by_priority_and_answered_by_the_clearance_liaison() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let mut liaison = app.with_token(UserRole::ClearanceLiaison).await;

        let vague = coordinator
            .send_json(
                Method::POST,
                "/api/v1/clearance/batches",
                &json!({"crossing": "rafah", "needed_by": "2026-02-05"}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(vague["field"], "places", "{backend}");
        let past = coordinator
            .send_json(
                Method::POST,
                "/api/v1/clearance/batches",
                &json!({"crossing": "rafah", "needed_by": "2026-01-05", "places": 6}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(past["field"], "needed_by");
        liaison
            .send_json(
                Method::POST,
                "/api/v1/clearance/batches",
                &json!({"crossing": "rafah", "needed_by": "2026-02-05", "places": 6}),
            )
            .await
            .problem(StatusCode::FORBIDDEN);

        let first = coordinator
            .get("/api/v1/people?status=listed&per_page=1")
            .await
            .json();
        let first = first["rows"][0]["id"].as_str().unwrap().to_string();
        let submitted = coordinator
            .send_json(
                Method::POST,
                "/api/v1/clearance/batches",
                &json!({"crossing": "rafah", "needed_by": "2026-02-05", "places": 6}),
            )
            .await;
        assert_eq!(submitted.status, StatusCode::CREATED, "{}", submitted.body);
        let batch = submitted.json();
        let id = batch["batch"]["id"].as_str().unwrap().to_string();
        let people = ids(&batch["requests"]);
        assert_eq!(people.len(), 6, "{backend}: {batch}");
        assert_eq!(batch["batch"]["pending"], 6);
        // The most urgent listed patient is in the batch (the list's order).
        assert!(
            people.contains(&first),
            "{backend}: {first} not in {people:?}"
        );

        // A denial needs the authority's reason; nothing is recorded without it.
        let no_reason = liaison
            .send_json(
                Method::POST,
                "/api/v1/clearance/decisions",
                &json!({"batch": id, "decisions": [
                    {"person": people[0], "outcome": "cleared"},
                    {"person": people[1], "outcome": "denied"},
                ]}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(no_reason["field"], "decisions[1].reason_code");
        // A code that is not on the list, or `other` without a note, is
        // refused naming the field.
        for (decision, field, says) in [
            (
                json!({"person": people[1], "outcome": "denied", "reason_code": "watch-list"}),
                "decisions[0].reason_code",
                "'watch-list' is not a reason code for clearance denied; use one of: security-objection,",
            ),
            (
                json!({"person": people[1], "outcome": "denied", "reason_code": "other"}),
                "decisions[0].note",
                "the reason code 'other' needs a note",
            ),
            (
                json!({"person": people[1], "outcome": "cleared", "reason_code": "security-objection"}),
                "decisions[0].reason_code",
                "a clearance takes no reason",
            ),
        ] {
            let refused = liaison
                .send_json(
                    Method::POST,
                    "/api/v1/clearance/decisions",
                    &json!({"batch": id, "decisions": [decision]}),
                )
                .await
                .problem(StatusCode::BAD_REQUEST);
            assert_eq!(refused["field"], field, "{refused}");
            assert!(
                refused["detail"].as_str().unwrap().contains(says),
                "{refused}"
            );
        }
        coordinator
            .send_json(
                Method::POST,
                "/api/v1/clearance/decisions",
                &json!({"batch": id, "decisions": [{"person": people[0], "outcome": "cleared"}]}),
            )
            .await
            .problem(StatusCode::FORBIDDEN);
        let recorded = liaison
            .send_json(
                Method::POST,
                "/api/v1/clearance/decisions",
                &json!({"batch": id, "decisions": [
                    {"person": people[0], "outcome": "cleared"},
                    {"person": people[1], "outcome": "denied", "reason_code": "security-objection", "note": "asked twice about a relative"},
                ]}),
            )
            .await;
        assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);
        let shown = liaison
            .get(&format!("/api/v1/clearance/batches/{id}"))
            .await
            .json();
        assert_eq!(shown["batch"]["cleared"], 1, "{shown}");
        assert_eq!(shown["batch"]["denied"], 1);
        assert_eq!(shown["batch"]["pending"], 4);
        let denied = shown["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["person"] == people[1].as_str())
            .unwrap()
            .clone();
        assert_eq!(denied["outcome"], "denied");
        assert_eq!(
            denied["reason"],
            json!({"kind": "denied", "code": "security-objection", "label": "Security objection by the clearing authority"}),
            "the batch shows the code and label, not the note"
        );
        assert_eq!(denied["decided_on"], "2026-02-01");
        let list = liaison.get("/api/v1/clearance/batches").await.json();
        assert_eq!(list["batches"][0]["id"], id.as_str());
        assert_eq!(list["rates"][0]["group"], "everyone");
        assert_eq!(list["rates"][0]["denied_rate"], 0.5);

        // The screens: the liaison records the rest from the batch page.
        let mut browser = app.signed_in(UserRole::ClearanceLiaison).await;
        let page = browser.get(&format!("/clearance/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains(&format!("name=\"outcome:{}\"", people[2]))
        );
        // One denial without a reason: nothing is recorded, and every
        // decision set comes back as it was, the message beside that
        // person's reason.
        let denied_without_reason = browser
            .post_form(
                &format!("/clearance/{id}/decisions"),
                &[
                    (&format!("outcome:{}", people[2]), "denied"),
                    (&format!("note:{}", people[2]), "asked at the desk"),
                    (&format!("outcome:{}", people[3]), "delayed"),
                    (&format!("reason_code:{}", people[3]), "no-answer"),
                    ("decided_on", "2026-01-31"),
                ],
            )
            .await;
        assert_eq!(denied_without_reason.status, StatusCode::BAD_REQUEST);
        let body = &denied_without_reason.body;
        assert!(
            body.contains(&format!(
                "<span class=\"field-error\" role=\"alert\" id=\"error-reason_code:{}\">{}: is required: give the code of the reason (clearance denied)</span>",
                people[2], people[2]
            )),
            "{body}"
        );
        assert!(!body.contains("decisions[0]"), "{body}");
        for (person, outcome) in [(&people[2], "denied"), (&people[3], "delayed")] {
            let select = body
                .split(&format!("name=\"outcome:{person}\""))
                .nth(1)
                .and_then(|rest| rest.split("</select>").next())
                .unwrap();
            assert!(
                select.contains(&format!("<option value=\"{outcome}\" selected>")),
                "{person}: {select}"
            );
        }
        assert!(body.contains("value=\"asked at the desk\""), "{body}");
        assert!(
            body.contains("<option value=\"no-answer\" selected>"),
            "{body}"
        );
        assert!(body.contains("value=\"2026-01-31\""), "{body}");
        let page = browser.get(&format!("/clearance/{id}")).await;
        assert!(
            !page.body.contains("selected>denied"),
            "nothing was recorded"
        );
        // The batch page offers the codes of a denial and of a delay.
        assert!(
            page.body
                .contains(&format!("name=\"reason_code:{}\"", people[2]))
        );
        assert!(page.body.contains("<option value=\"security-objection\">Security objection by the clearing authority</option>"));
        assert!(
            page.body
                .contains("<option value=\"no-answer\">No answer by the date needed</option>")
        );
        assert!(!page.body.contains("asked twice about a relative"));
        let cleared = browser
            .post_form(
                &format!("/clearance/{id}/decisions"),
                &[
                    (&format!("outcome:{}", people[2]), "cleared"),
                    (&format!("outcome:{}", people[3]), "delayed"),
                    ("decided_on", "2026-02-01"),
                ],
            )
            .await;
        assert_eq!(cleared.status, StatusCode::SEE_OTHER);
        let page = browser.get("/clearance").await;
        assert!(page.body.contains("Recorded 2 decisions"), "{}", page.body);
        assert!(page.body.contains(&format!("/clearance/{id}")));
        let shown = liaison
            .get(&format!("/api/v1/clearance/batches/{id}"))
            .await
            .json();
        assert_eq!(shown["batch"]["cleared"], 2, "{shown}");
        assert_eq!(shown["batch"]["delayed"], 1);

        // The coordinator submits from the screen too, in days of quota.
        let mut desk = app.signed_in(UserRole::Coordinator).await;
        let reply = desk
            .post_form(
                "/clearance/batches",
                &[
                    ("crossing", "rafah"),
                    ("direction", "outbound"),
                    ("needed_by", "2026-02-09"),
                    ("count", "1"),
                    ("size", "days"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let next = desk.get("/clearance").await;
        assert!(
            next.body.contains("people, needed by 2026-02-09"),
            "{}",
            next.body
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_day_is_planned_overridden_confirmed_worked_at_the_gate_and_reconciled() {
    for mut app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let mut officer = app.with_token(UserRole::CrossingOfficer).await;

        officer
            .get(&format!("/api/v1/plan?{DAY}"))
            .await
            .problem(StatusCode::FORBIDDEN);
        // Entries must equal exits: the inbound day is confirmed first.
        let inbound = coordinator
            .get(&format!("/api/v1/plan?{DAY}&direction=inbound"))
            .await;
        assert_eq!(inbound.status, StatusCode::OK, "{}", inbound.body);
        let inbound = inbound.json();
        let returnees = ids(&inbound["picks"]);
        assert!(returnees.len() >= 2, "{backend}: {inbound}");
        let confirmed = coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/confirm",
                &json!({"crossing": "rafah", "date": "2026-02-02", "direction": "inbound"}),
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);

        let plan = coordinator.get(&format!("/api/v1/plan?{DAY}")).await.json();
        let picks = ids(&plan["picks"]);
        assert!(!picks.is_empty(), "{backend}: {plan}");
        assert!(plan["cap"]["reason"].as_str().is_some(), "{plan}");
        for pick in plan["picks"].as_array().unwrap() {
            assert!(pick["reason"].as_str().unwrap().len() > 10, "{pick}");
        }
        assert!(!plan["left_out"].as_array().unwrap().is_empty(), "{plan}");

        // Remove the first pick, with a reason: they are left out, and why.
        let no_reason = coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/overrides",
                &json!({"crossing": "rafah", "date": "2026-02-02", "person": picks[0], "action": "remove", "reason": " "}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(no_reason["field"], "reason");
        coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/overrides",
                &json!({"crossing": "rafah", "date": "2026-02-02", "person": "P-999999", "action": "add", "reason": "x"}),
            )
            .await
            .problem(StatusCode::NOT_FOUND);
        let removed = &picks[0];
        let changed = coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/overrides",
                &json!({"crossing": "rafah", "date": "2026-02-02", "person": removed, "action": "remove", "reason": "family asked for a later day"}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        let plan = coordinator.get(&format!("/api/v1/plan?{DAY}")).await.json();
        assert!(!ids(&plan["picks"]).contains(removed), "{plan}");
        let left = plan["left_out"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["person"] == removed.as_str())
            .unwrap_or_else(|| panic!("{removed} is not listed as left out: {plan}"));
        assert_eq!(
            left["reason"],
            "removed by the coordinator: family asked for a later day"
        );
        assert_eq!(plan["overrides"][0]["kind"], "exclude");
        let override_audit = app
            .audit()
            .await
            .into_iter()
            .rfind(|e| e.action == "plan.override")
            .unwrap();
        assert_eq!(override_audit.subject, *removed);
        assert_eq!(override_audit.actor, "coordinator");

        // The plan page shows the reasons and the override.
        let mut desk = app.signed_in(UserRole::Coordinator).await;
        let page = desk.get(&format!("/plan?{DAY}")).await;
        assert_eq!(page.status, StatusCode::OK);
        // The crossing is chosen by its name; its id is what is sent.
        assert!(
            page.body
                .contains("<option value=\"rafah\" selected>Rafah</option>"),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("removed by the coordinator: family asked for a later day")
        );
        assert!(page.body.contains("Confirm this plan"));

        let picks = ids(&plan["picks"]);
        let manifest = coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/confirm",
                &json!({"crossing": "rafah", "date": "2026-02-02"}),
            )
            .await;
        assert_eq!(manifest.status, StatusCode::OK, "{}", manifest.body);
        let manifest = manifest.json();
        assert_eq!(manifest["parties"].as_array().unwrap().len(), picks.len());
        let twice = coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/confirm",
                &json!({"crossing": "rafah", "date": "2026-02-02"}),
            )
            .await
            .problem(StatusCode::CONFLICT);
        assert!(
            twice["detail"]
                .as_str()
                .unwrap()
                .contains("already confirmed")
        );
        let page = desk.get(&format!("/plan?{DAY}")).await;
        assert!(
            page.body.contains("This plan was confirmed by"),
            "{}",
            page.body
        );

        // The printable manifest: names, and one audit entry for the read.
        let mut gate = app.signed_in(UserRole::CrossingOfficer).await;
        let reads_before = app
            .audit()
            .await
            .iter()
            .filter(|e| e.action == "manifest.read")
            .count();
        let printed = gate
            .get(&format!("/plan/manifest?{DAY}&direction=outbound"))
            .await;
        assert_eq!(printed.status, StatusCode::OK);
        let first_name = name_of(&app, &picks[0]).await;
        assert!(printed.body.contains(&first_name), "{}", printed.body);
        assert!(printed.body.contains("Signature"));
        let reads: Vec<_> = app
            .audit()
            .await
            .into_iter()
            .filter(|e| e.action == "manifest.read")
            .collect();
        assert_eq!(reads.len(), reads_before + 1);
        let read = reads.last().unwrap();
        assert_eq!(read.actor, "crossing-officer");
        assert_eq!(read.subject, "rafah 2026-02-02 outbound");
        for pick in &picks {
            assert!(read.detail.contains(pick.as_str()), "{}", read.detail);
        }

        // The gate, on the crossing day.
        let too_early = officer
            .send_json(
                Method::POST,
                "/api/v1/gate",
                &json!({"crossing": "rafah", "date": "2026-02-02", "person": picks[0], "outcome": "crossed"}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert!(
            too_early["detail"]
                .as_str()
                .unwrap()
                .contains("2026-02-02 has not come yet"),
            "{too_early}"
        );
        app.set_today(jiff::civil::date(2026, 2, 2));
        for client in [&mut coordinator, &mut officer, &mut gate] {
            client.follow(&app);
        }
        let record = |person: &str, outcome: &str, reason_code: Option<&str>| json!({"crossing": "rafah", "date": "2026-02-02", "person": person, "outcome": outcome, "reason_code": reason_code});
        coordinator
            .send_json(
                Method::POST,
                "/api/v1/gate",
                &record(&picks[0], "crossed", None),
            )
            .await
            .problem(StatusCode::FORBIDDEN);
        let crossed = officer
            .send_json(
                Method::POST,
                "/api/v1/gate",
                &record(&picks[0], "crossed", None),
            )
            .await;
        assert_eq!(crossed.status, StatusCode::OK, "{}", crossed.body);
        let crossed_party = crossed.json()["people"].as_array().unwrap().len();
        // Returnees of the inbound manifest: one turned back, one no-show.
        let missing = officer
            .send_json(
                Method::POST,
                "/api/v1/gate",
                &record(&returnees[0], "turned-back", None),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(missing["field"], "reason_code");
        let mut turn_back = record(&returnees[0], "turned-back", Some("documents-not-accepted"));
        turn_back["note"] = "exit stamp of the uncle missing".into();
        let turned = officer
            .send_json(Method::POST, "/api/v1/gate", &turn_back)
            .await;
        assert_eq!(turned.status, StatusCode::OK, "{}", turned.body);
        assert_eq!(turned.json()["outcome"], "turned-back");
        // The gate screen: big buttons, names, and the turn-back needs a reason there too.
        let screen = gate.get(&format!("/gate?{DAY}")).await;
        assert_eq!(screen.status, StatusCode::OK);
        assert!(
            screen
                .body
                .contains("<option value=\"rafah\" selected>Rafah</option>")
        );
        assert!(screen.body.contains("class=\"big\""));
        assert!(screen.body.contains(&first_name), "{}", screen.body);
        assert!(
            screen
                .body
                .contains("Documents not accepted at the crossing")
        );
        assert!(!screen.body.contains("exit stamp of the uncle missing"));
        assert!(
            screen
                .body
                .contains("<option value=\"refused-at-crossing\">Refused at the crossing</option>")
        );
        let no_reason = gate
            .post_form(
                "/gate",
                &[
                    ("crossing", "rafah"),
                    ("date", "2026-02-02"),
                    ("person", &returnees[1]),
                    ("outcome", "turned-back"),
                    ("reason_code", ""),
                    ("note", ""),
                ],
            )
            .await;
        // Refused in its card, on the page itself.
        assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
        assert!(
            no_reason.body.contains("id=\"error-reason_code\""),
            "{}",
            no_reason.body
        );
        let tapped = gate
            .post_form(
                "/gate",
                &[
                    ("crossing", "rafah"),
                    ("date", "2026-02-02"),
                    ("person", &returnees[1]),
                    ("outcome", "no-show"),
                    ("reason_code", "not-reached"),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(tapped.status, StatusCode::SEE_OTHER);
        assert!(
            tapped.headers[header::LOCATION]
                .to_str()
                .unwrap()
                .ends_with(&format!("#party-{}", returnees[1])),
            "{tapped:?}"
        );
        let screen = gate.get(&format!("/gate?{DAY}")).await;
        assert!(
            screen.body.contains(&format!("no-show: {}", returnees[1])),
            "{}",
            screen.body
        );

        // Illegal outcomes are refused, precisely.
        let not_on = officer
            .send_json(
                Method::POST,
                "/api/v1/gate",
                &record(removed, "crossed", None),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert!(
            not_on["detail"]
                .as_str()
                .unwrap()
                .contains("is not expected"),
            "{not_on}"
        );
        officer
            .send_json(
                Method::POST,
                "/api/v1/gate",
                &record(&picks[0], "crossed", None),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        let wrong = officer
            .send_json(
                Method::POST,
                "/api/v1/gate",
                &record(&picks[0], "waved", None),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(wrong["field"], "outcome");

        // The reconciliation adds up.
        let day = officer
            .get("/api/v1/gate/reconciliation?crossing=rafah&date=2026-02-02")
            .await;
        assert_eq!(day.status, StatusCode::OK, "{}", day.body);
        let day = day.json();
        let count = |direction: &str, what: &str| {
            day["directions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["direction"] == direction)
                .unwrap()[what]
                .as_u64()
                .unwrap()
        };
        assert_eq!(count("outbound", "crossed"), crossed_party as u64, "{day}");
        assert_eq!(count("inbound", "turned_back"), 1, "{day}");
        assert_eq!(count("inbound", "no_show"), 1, "{day}");
        for direction in ["outbound", "inbound"] {
            assert_eq!(
                ["crossed", "turned_back", "no_show", "removed", "expected"]
                    .iter()
                    .map(|what| count(direction, what))
                    .sum::<u64>(),
                count(direction, "planned"),
                "{day}"
            );
        }
        assert_eq!(count("inbound", "planned"), returnees.len() as u64);
        assert_eq!(day["exited"], crossed_party as u64);
        assert_eq!(day["entered"], 0);
        assert_eq!(day["entries_must_equal_exits"], true);
        let back = ids(&day["back_on_the_list"]);
        assert_eq!(back, [returnees[0].clone(), returnees[1].clone()], "{day}");
        assert_eq!(
            day["back_on_the_list"][0]["reason"]["code"],
            "documents-not-accepted"
        );
        assert_eq!(day["back_on_the_list"][1]["reason"]["code"], "not-reached");
        assert!(!day.to_string().contains("exit stamp"), "{day}");
        let screen = gate.get(&format!("/gate?{DAY}")).await;
        assert!(
            screen.body.contains("Entries do NOT equal exits"),
            "{}",
            screen.body
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn day_inputs_are_checked_with_the_field_at_fault() {
    let app = TestApp::sqlite().await;
    let mut coordinator = app.with_token(UserRole::Coordinator).await;
    for (path, field) in [
        ("/api/v1/plan?crossing=nowhere", "crossing"),
        ("/api/v1/plan?crossing=rafah&date=2-2-2026", "date"),
        (
            "/api/v1/plan?crossing=rafah&direction=sideways",
            "direction",
        ),
        ("/api/v1/plan?crossing=rafah&method=random", "method"),
    ] {
        let problem = coordinator.get(path).await.problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], field, "{path}");
    }
    // Without a date, the next operating day from today.
    let plan = coordinator
        .get("/api/v1/plan?crossing=rafah&direction=inbound")
        .await
        .json();
    assert_eq!(plan["date"], "2026-02-02", "{plan}");
    // A day the crossing does not operate says why.
    let closed = coordinator
        .get("/api/v1/plan?crossing=rafah&date=2026-02-07")
        .await
        .json();
    assert!(
        closed["closed_reason"]
            .as_str()
            .unwrap()
            .contains("does not operate"),
        "{closed}"
    );
    let refused = coordinator
        .send_json(
            Method::POST,
            "/api/v1/plan/confirm",
            &json!({"crossing": "rafah", "date": "2026-02-07"}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("does not operate")
    );
    let mut officer = app.with_token(UserRole::CrossingOfficer).await;
    officer
        .get("/api/v1/manifests?crossing=rafah&date=2026-02-02&direction=outbound")
        .await
        .problem(StatusCode::NOT_FOUND);
    app.finish().await;
}

/// Two coordinators (or one impatient double click) confirming the same
/// day at the same moment: exactly one manifest is confirmed, the others
/// get the 409 a second confirmation gets — never a 500 from the unique
/// index that keeps a person on one manifest. Repeated, both databases.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_confirmations_of_one_day_confirm_it_once_and_answer_409_to_the_others() {
    const AT_ONCE: usize = 4;
    const ROUNDS: usize = 3;
    for round in 0..ROUNDS {
        for app in apps().await {
            let backend = app.backend;
            let coordinator = app.with_token(UserRole::Coordinator).await;
            // Entries equal exits: the inbound day first.
            for direction in ["inbound", "outbound"] {
                let context = format!("{backend}, round {round}, {direction}");
                let plan = coordinator
                    .clone()
                    .get(&format!("/api/v1/plan?{DAY}&direction={direction}"))
                    .await
                    .json();
                assert!(
                    !plan["picks"].as_array().unwrap().is_empty(),
                    "{context}: {plan}"
                );
                let body =
                    json!({"crossing": "rafah", "date": "2026-02-02", "direction": direction});
                let attempts: Vec<_> = (0..AT_ONCE)
                    .map(|_| {
                        let mut client = coordinator.clone();
                        let body = body.clone();
                        tokio::spawn(async move {
                            client
                                .send_json(Method::POST, "/api/v1/plan/confirm", &body)
                                .await
                        })
                    })
                    .collect();
                let mut confirmed = 0;
                for attempt in attempts {
                    let reply = attempt.await.unwrap();
                    if reply.status == StatusCode::OK {
                        confirmed += 1;
                    } else {
                        let problem = reply.problem(StatusCode::CONFLICT);
                        assert!(
                            problem["detail"]
                                .as_str()
                                .unwrap()
                                .contains("already confirmed"),
                            "{context}: {problem}"
                        );
                    }
                }
                assert_eq!(confirmed, 1, "{context}");
            }
            app.finish().await;
        }
    }
}
