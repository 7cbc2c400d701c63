//! Registering patients with companions, status changes from the person
//! page and the API, and the bed board.

use axum::http::{Method, StatusCode, header};
use corridor_domain::{Permission, UserRole};
use serde_json::{Value, json};

use crate::harness::{Client, REFERRER_ORGANISATION, RouteCase, TestApp, apps};

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/people/new",
        body: None,
        permission: Permission::RegisterPatients,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/people/new",
        body: Some(
            "birth_year=1970&sex=male&condition=renal&specialty=nephrology&tier=routine\
             &referral_date=2026-01-20&legal_basis=consent",
        ),
        permission: Permission::RegisterPatients,
        // 400: for a role whose account has no organisation, the form names no referring
        // facility.
        answers: &[StatusCode::SEE_OTHER, StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/people",
        body: Some(
            r#"{"birth_year": "1970", "sex": "male", "condition": "renal", "specialty": "nephrology",
                "tier": "routine", "legal_basis": "consent"}"#,
        ),
        permission: Permission::RegisterPatients,
        // 400: for a role whose account has no organisation, the body names no referring
        // facility.
        answers: &[StatusCode::CREATED, StatusCode::BAD_REQUEST],
    },
    // An unknown action: refused as 403 without the permission, 400 with it,
    // so the case changes nothing whoever runs it.
    RouteCase {
        method: "POST",
        path: "/people/P-000001/transitions",
        body: Some("action=not-an-action&expected_version=1"),
        permission: Permission::ViewPeople,
        // 400: the form's action is unknown on purpose.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/people/P-000001/transitions",
        body: Some(r#"{"action": "not-an-action"}"#),
        permission: Permission::ViewPeople,
        // 400: the body's action is unknown on purpose.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "GET",
        path: "/beds",
        body: None,
        permission: Permission::ViewBeds,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/beds?date=2026-02-01",
        body: None,
        permission: Permission::ViewBeds,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/beds",
        body: Some(
            "facility=jo-amman-field&specialty=paediatrics&beds=3&from=2026-05-01&to=2026-05-31",
        ),
        permission: Permission::ManageBeds,
        answers: &[StatusCode::SEE_OTHER],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/beds",
        body: Some(
            r#"{"facility": "jo-amman-field", "specialty": "paediatrics", "beds": 3,
                "from": "2026-06-01", "to": "2026-06-30"}"#,
        ),
        permission: Permission::ManageBeds,
        answers: &[StatusCode::CREATED],
    },
    RouteCase {
        method: "POST",
        path: "/beds/destination",
        body: Some("kind=facility&id=eg-arish-field&change=open&reason=checking+the+route+matrix"),
        permission: Permission::ManageBeds,
        answers: &[StatusCode::SEE_OTHER],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/destinations/facility/eg-arish-field/open",
        body: Some(r#"{"reason": "checking the route matrix"}"#),
        permission: Permission::ManageBeds,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/destinations/country/EG/close",
        body: Some(r#"{"reason": "checking the route matrix"}"#),
        permission: Permission::ManageBeds,
        answers: &[StatusCode::OK],
    },
];

fn adult() -> Value {
    json!({
        "birth_year": "1961",
        "sex": "male",
        "condition": "cancer",
        "specialty": "oncology",
        "tier": "urgent",
        "referral_date": "2025-11-03",
        "legal_basis": "consent",
    })
}

async fn post(client: &mut Client, path: &str, body: &Value) -> crate::harness::Reply {
    client.send_json(Method::POST, path, body).await
}

fn location(reply: &crate::harness::Reply) -> String {
    reply
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

async fn count_actions(app: &TestApp, action: &str, subject: &str) -> Vec<String> {
    app.audit()
        .await
        .into_iter()
        .filter(|entry| entry.action == action && entry.subject == subject)
        .map(|entry| entry.actor)
        .collect()
}

#[tokio::test]
async fn a_referrer_registers_a_patient_with_companions_through_the_form() {
    for app in apps().await {
        let mut referrer = app.signed_in(UserRole::Referrer).await;
        let form = referrer.get("/people/new").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(
            form.body.contains(&format!(
                "<input type=\"hidden\" name=\"referring_facility\" value=\"{REFERRER_ORGANISATION}\">"
            )),
            "the referring facility is the referrer's organisation: {}",
            form.body
        );
        assert!(
            !form.body.contains("<select name=\"referring_facility\""),
            "a referrer of one organisation is offered no other"
        );
        assert!(form.body.contains("name=\"companion2_relationship\""));

        let child = [
            ("birth_year", "2017"),
            ("sex", "female"),
            ("condition", "congenital"),
            ("specialty", "cardiac-surgery"),
            ("tier", "critical"),
            ("referral_date", "2026-01-15"),
            ("referring_facility", REFERRER_ORGANISATION),
            ("legal_basis", "consent"),
            ("return_guarantee", "yes"),
        ];
        // A child alone is refused; the form comes back as typed, naming the field.
        let refused = referrer.post_form("/people/new", &child).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert!(
            refused
                .body
                .contains("<p class=\"error\" role=\"alert\" tabindex=\"-1\" autofocus>Not done: "),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("never registered alone"));
        assert!(refused.body.contains("value=\"2017\""));

        let mut with_parent = child.to_vec();
        with_parent.extend([
            ("companion1_relationship", "parent"),
            ("companion1_birth_year", "1988"),
            ("companion1_sex", "female"),
            ("companion1_name", "Amal"),
            // A blank second row is no companion.
            ("companion2_relationship", ""),
            ("companion2_birth_year", ""),
            ("companion2_sex", ""),
        ]);
        let bad_companion = {
            let mut fields = with_parent.clone();
            fields.retain(|(k, _)| *k != "companion1_birth_year");
            fields.push(("companion1_birth_year", "1788"));
            referrer.post_form("/people/new", &fields).await
        };
        assert_eq!(bad_companion.status, StatusCode::BAD_REQUEST);
        assert!(
            bad_companion
                .body
                .contains("id=\"error-companion1_birth_year\">1788 is out of range"),
            "{}",
            bad_companion.body
        );

        let done = referrer.post_form("/people/new", &with_parent).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let path = location(&done);
        let id = path.strip_prefix("/people/").expect("to the person page");
        assert!(id.starts_with("P-") && id.len() == 10, "{id}");
        let page = referrer.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains(&format!("Registered patient {id} with companion(s) C-"))
        );
        assert!(page.body.contains("referred"));

        let person = app
            .state
            .store
            .person(&corridor_domain::PersonId::parse(id).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(person.companions.len(), 1);
        assert_eq!(person.events[0].actor, "referrer");
        assert_eq!(
            count_actions(&app, "person.register", id).await,
            ["referrer"]
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_api_registers_patients_and_names_every_field_at_fault() {
    for app in apps().await {
        let mut referrer = app.with_token(UserRole::Referrer).await;
        for (change, field) in [
            (json!({ "birth_year": "1850" }), "birth_year"),
            (json!({ "birth_year": "nineteen" }), "birth_year"),
            (json!({ "tier": "soon" }), "tier"),
            (json!({ "referral_date": "2026-03-01" }), "referral_date"),
            (json!({ "birth_year": "2015" }), "companions"),
            (
                json!({ "companions": [{ "relationship": "parent", "birth_year": "1980", "sex": "yes" }] }),
                "companions[0].sex",
            ),
        ] {
            let mut body = adult();
            for (key, value) in change.as_object().unwrap() {
                body[key] = value.clone();
            }
            let reply = post(&mut referrer, "/api/v1/people", &body).await;
            let problem = reply.problem(StatusCode::BAD_REQUEST);
            assert_eq!(problem["field"], field, "{change}: {problem}");
        }
        // The demo's rules allow so many companions; one more is refused.
        let limit = corridor_domain::CrossingRules::companion_limit(
            &app.state.store.crossing_rules().await.unwrap(),
            crate::harness::TODAY,
        );
        let mut crowd = adult();
        crowd["companions"] = (0..=limit)
            .map(|_| json!({ "relationship": "sibling", "birth_year": "1990", "sex": "male" }))
            .collect();
        let problem = post(&mut referrer, "/api/v1/people", &crowd)
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "companions");
        assert_eq!(
            app.audit()
                .await
                .iter()
                .filter(|e| e.action == "person.register")
                .count(),
            0
        );

        // No referring facility given: the referrer's organisation.
        let created = post(&mut referrer, "/api/v1/people", &adult()).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let own_facility = created.json()["id"].as_str().unwrap().to_string();
        // Another organisation's facility is refused: the referrer registers
        // for their own organisation only.
        let mut elsewhere = adult();
        elsewhere["referring_facility"] = json!("al-awda-hospital");
        elsewhere["birth_year"] = json!("2012");
        elsewhere["companions"] =
            json!([{ "relationship": "parent", "birth_year": "1980", "sex": "female" }]);
        let refused = post(&mut referrer, "/api/v1/people", &elsewhere).await;
        let problem = refused.problem(StatusCode::FORBIDDEN);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("your own organisation (nasser-medical-complex)"),
            "{problem}"
        );
        elsewhere["referring_facility"] = json!(REFERRER_ORGANISATION);
        let created = post(&mut referrer, "/api/v1/people", &elsewhere).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let created = created.json();
        assert_eq!(created["status"], "referred");
        assert_eq!(created["companions"].as_array().unwrap().len(), 1);
        let with_companion = created["id"].as_str().unwrap().to_string();

        let list = referrer
            .get("/api/v1/people?status=referred&per_page=500")
            .await
            .json();
        let ids: Vec<&str> = list["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&own_facility.as_str()), "{}", app.backend);
        assert!(ids.contains(&with_companion.as_str()), "{}", app.backend);
        let record = referrer
            .get(&format!("/api/v1/people/{own_facility}"))
            .await
            .json();
        assert_eq!(record["referring_facility"], REFERRER_ORGANISATION);
        assert_eq!(record["timeline"][0]["actor"], "referrer");

        // Roles that do not register are refused.
        for role in [UserRole::ClearanceLiaison, UserRole::Analyst] {
            let mut client = app.with_token(role).await;
            post(&mut client, "/api/v1/people", &adult())
                .await
                .problem(StatusCode::FORBIDDEN);
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn status_changes_keep_to_the_role_the_status_and_the_version() {
    for app in apps().await {
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let mut body = adult();
        body["referring_facility"] = json!(REFERRER_ORGANISATION);
        let id = post(&mut coordinator, "/api/v1/people", &body).await.json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let path = format!("/api/v1/people/{id}/transitions");

        let listed = post(
            &mut coordinator,
            &path,
            &json!({ "action": "list", "expected_version": 1 }),
        )
        .await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        assert_eq!(listed.json()["status"], "listed");
        let requested = post(
            &mut coordinator,
            &path,
            &json!({ "action": "request-clearance", "expected_version": 2 }),
        )
        .await;
        assert_eq!(requested.json()["version"], 3, "{}", requested.body);
        // Scheduling is the day plan's, never a hand change.
        let problem = post(&mut coordinator, &path, &json!({ "action": "schedule" }))
            .await
            .problem(StatusCode::FORBIDDEN);
        assert!(
            problem["detail"].as_str().unwrap().contains("Coordinator"),
            "{problem}"
        );

        // A referrer may not deny, whatever the record.
        let mut referrer = app.with_token(UserRole::Referrer).await;
        let problem = post(
            &mut referrer,
            &path,
            &json!({ "action": "deny", "reason_code": "security-objection" }),
        )
        .await
        .problem(StatusCode::FORBIDDEN);
        assert!(
            problem["detail"].as_str().unwrap().contains("Referrer"),
            "{problem}"
        );

        let mut liaison = app.with_token(UserRole::ClearanceLiaison).await;
        let problem = post(
            &mut liaison,
            &path,
            &json!({ "action": "deny", "expected_version": 3 }),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "reason_code");
        // A code not on the list, `other` without a note, a reason for an
        // action that takes none: each a 400 naming the field.
        for (body, field, says) in [
            (
                json!({ "action": "deny", "reason_code": "watch-list", "expected_version": 3 }),
                "reason_code",
                "'watch-list' is not a reason code for clearance denied; use one of: security-objection,",
            ),
            (
                json!({ "action": "deny", "reason_code": "other", "expected_version": 3 }),
                "note",
                "the reason code 'other' needs a note",
            ),
            (
                json!({ "action": "deny", "reason_code": "no-answer", "expected_version": 3 }),
                "reason_code",
                "'no-answer' is not a reason code for clearance denied",
            ),
            (
                json!({ "action": "clear", "reason_code": "security-objection", "expected_version": 3 }),
                "reason_code",
                "clear takes no reason",
            ),
        ] {
            let problem = post(&mut liaison, &path, &body)
                .await
                .problem(StatusCode::BAD_REQUEST);
            assert_eq!(problem["field"], field, "{problem}");
            assert!(
                problem["detail"].as_str().unwrap().contains(says),
                "{problem}"
            );
        }
        let problem = post(
            &mut liaison,
            &path,
            &json!({ "action": "delay", "date": "next week" }),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "date");
        // Based on a version someone else has changed since.
        let problem = post(
            &mut liaison,
            &path,
            &json!({ "action": "deny", "reason_code": "security-objection", "expected_version": 2 }),
        )
        .await
        .problem(StatusCode::CONFLICT);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("changed by someone else meanwhile"),
            "{problem}"
        );
        let denied = post(
            &mut liaison,
            &path,
            &json!({ "action": "deny", "reason_code": "other", "note": "security screening of a cousin", "expected_version": 3 }),
        )
        .await;
        assert_eq!(denied.status, StatusCode::OK, "{}", denied.body);
        assert_eq!(denied.json()["status"], "denied");
        // The status machine: a denied person is not cleared, and says what is allowed.
        let problem = post(&mut liaison, &path, &json!({ "action": "clear" }))
            .await
            .problem(StatusCode::CONFLICT);
        assert!(
            problem["detail"].as_str().unwrap().contains("allowed"),
            "{problem}"
        );
        let resubmitted = post(
            &mut coordinator,
            &path,
            &json!({ "action": "resubmit", "expected_version": 4 }),
        )
        .await;
        assert_eq!(resubmitted.status, StatusCode::OK, "{}", resubmitted.body);
        let cleared = post(
            &mut liaison,
            &path,
            &json!({ "action": "clear", "expected_version": 5 }),
        )
        .await;
        assert_eq!(cleared.json()["status"], "cleared", "{}", cleared.body);

        let record = coordinator
            .get(&format!("/api/v1/people/{id}"))
            .await
            .json();
        assert_eq!(record["status"], "cleared");
        assert_eq!(
            record["timeline"][3]["reason"],
            json!({
                "kind": "denied",
                "code": "other",
                "label": "Other (see note)",
                "note": "security screening of a cousin",
            }),
            "the person's record shows the code, its label and the note"
        );
        assert_eq!(
            count_actions(&app, "person.transition", &id).await,
            [
                "coordinator",
                "coordinator",
                "clearance-liaison",
                "coordinator",
                "clearance-liaison"
            ]
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_person_page_offers_the_roles_actions_as_forms() {
    for app in apps().await {
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let mut body = adult();
        body["referring_facility"] = json!("al-awda-hospital");
        let id = post(&mut coordinator, "/api/v1/people", &body).await.json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let page = coordinator.get(&format!("/people/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("name=\"action\" value=\"list\""),
            "{}",
            page.body
        );
        assert!(page.body.contains("name=\"action\" value=\"withdraw\""));
        assert!(page.body.contains("name=\"expected_version\" value=\"1\""));
        assert!(!page.body.contains("value=\"schedule\""));
        assert!(!page.body.contains("value=\"clear\""));

        let path = format!("/people/{id}/transitions");
        let done = coordinator
            .post_form(&path, &[("action", "list"), ("expected_version", "1")])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(
            coordinator
                .get(&format!("/people/{id}"))
                .await
                .body
                .contains(&format!("{id} is now listed (version 2)"))
        );
        // The same form sent again is based on version 1: refused, and said
        // so over the record as it is now.
        let page = coordinator
            .post_form(
                &path,
                &[("action", "request-clearance"), ("expected_version", "1")],
            )
            .await;
        assert_eq!(page.status, StatusCode::CONFLICT);
        assert!(
            page.body.contains("changed by someone else meanwhile"),
            "{}",
            page.body
        );
        assert!(page.body.contains("<strong>listed</strong>"));
        coordinator
            .post_form(
                &path,
                &[("action", "request-clearance"), ("expected_version", "2")],
            )
            .await;

        // The clearance liaison sees deny with its reason, and delay with its date.
        let mut liaison = app.signed_in(UserRole::ClearanceLiaison).await;
        let page = liaison.get(&format!("/people/{id}")).await;
        assert!(
            page.body.contains("name=\"action\" value=\"deny\""),
            "{}",
            page.body
        );
        // A select of the denial codes with their labels, and a note.
        assert!(page.body.contains("<select name=\"reason_code\" required>"));
        assert!(page.body.contains("<option value=\"security-objection\">Security objection by the clearing authority</option>"));
        assert!(page.body.contains("name=\"note\""));
        // A delay's code defaults to no answer by the date needed.
        assert!(page.body.contains(
            "<option value=\"no-answer\" selected>No answer by the date needed</option>"
        ));
        assert!(page.body.contains("Answer needed by"));
        // A refused form comes back with the message next to its field.
        let page = liaison
            .post_form(
                &path,
                &[
                    ("action", "deny"),
                    ("reason_code", ""),
                    ("note", ""),
                    ("expected_version", "3"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(
            page.body
                .contains("</select></label><span class=\"field-error\" role=\"alert\" id=\"error-reason_code\">"),
            "{}",
            page.body
        );
        let done = liaison
            .post_form(&path, &[("action", "clear"), ("expected_version", "3")])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert!(
            liaison
                .get(&format!("/people/{id}"))
                .await
                .body
                .contains("is now cleared")
        );

        // A crossing officer sees people but changes no status by hand.
        let mut officer = app.signed_in(UserRole::CrossingOfficer).await;
        let refused = officer
            .post_form(
                &path,
                &[
                    ("action", "withdraw"),
                    ("reason_code", "lost-contact"),
                    ("expected_version", "4"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(
            refused.body.contains("Crossing officer"),
            "{}",
            refused.body
        );
        app.finish().await;
    }
}

/// A death recorded in error: only the coordinator may reinstate, with a
/// reason, from the person page or the API; the timeline keeps both events.
#[tokio::test]
async fn a_coordinator_reinstates_a_death_recorded_in_error() {
    for app in apps().await {
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let mut body = adult();
        body["referring_facility"] = json!(REFERRER_ORGANISATION);
        let id = post(&mut coordinator, "/api/v1/people", &body).await.json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let page_path = format!("/people/{id}");
        let path = format!("/people/{id}/transitions");
        let list = coordinator
            .post_form(&path, &[("action", "list"), ("expected_version", "1")])
            .await;
        assert_eq!(list.status, StatusCode::SEE_OTHER, "{}", list.body);
        let mut referrer = app.signed_in(UserRole::Referrer).await;
        let died = referrer
            .post_form(
                &path,
                &[
                    ("action", "die"),
                    ("date", "2026-01-30"),
                    ("expected_version", "2"),
                ],
            )
            .await;
        assert_eq!(died.status, StatusCode::SEE_OTHER, "{}", died.body);

        // The referrer is offered no reinstatement and is refused one.
        let page = referrer.get(&page_path).await;
        assert!(page.body.contains("<strong>died-while-waiting</strong>"));
        assert!(!page.body.contains("value=\"reinstate\""), "{}", page.body);
        let refused = referrer
            .post_form(
                &path,
                &[
                    ("action", "reinstate"),
                    ("reason_code", "wrong-person"),
                    ("expected_version", "3"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert!(refused.body.contains("Referrer"), "{}", refused.body);

        // The coordinator sees the form with its reason codes.
        let page = coordinator.get(&page_path).await;
        assert!(
            page.body.contains("name=\"action\" value=\"reinstate\""),
            "{}",
            page.body
        );
        assert!(page.body.contains("Reinstate (recorded in error)"));
        assert!(
            page.body.contains("name=\"reason_code\" required")
                && page.body.contains("Recorded against the wrong person"),
            "{}",
            page.body
        );
        // Without a reason: nothing changes, and the form is there again
        // with the message.
        let missing = coordinator
            .post_form(
                &path,
                &[
                    ("action", "reinstate"),
                    ("reason_code", ""),
                    ("expected_version", "3"),
                ],
            )
            .await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST);
        let page = missing;
        assert!(
            page.body
                .contains("</select></label><span class=\"field-error\" role=\"alert\" id=\"error-reason_code\">"),
            "{}",
            page.body
        );
        assert!(page.body.contains("<strong>died-while-waiting</strong>"));
        assert!(page.body.contains("Reinstate (recorded in error)"));
        let done = coordinator
            .post_form(
                &path,
                &[
                    ("action", "reinstate"),
                    ("reason_code", "death-recorded-in-error"),
                    ("note", "the death was of another patient of the same name"),
                    ("expected_version", "3"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let page = coordinator.get(&page_path).await;
        assert!(
            page.body
                .contains(&format!("{id} is now listed (version 4)")),
            "{}",
            page.body
        );

        let record = coordinator
            .get(&format!("/api/v1/people/{id}"))
            .await
            .json();
        assert_eq!(record["status"], "listed");
        let timeline: Vec<(Value, Value, Value)> = record["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["action"].clone(), e["to"].clone(), e["actor"].clone()))
            .collect();
        assert_eq!(
            timeline[2..],
            [
                (json!("die"), json!("died-while-waiting"), json!("referrer")),
                (json!("reinstate"), json!("listed"), json!("coordinator")),
            ]
        );
        assert_eq!(
            record["timeline"][3]["reason"]["code"],
            "death-recorded-in-error"
        );
        assert_eq!(
            record["timeline"][3]["reason"]["note"],
            "the death was of another patient of the same name"
        );

        // The API takes the same change: a withdrawal reinstated by token.
        let mut api = app.with_token(UserRole::Coordinator).await;
        let api_path = format!("/api/v1/people/{id}/transitions");
        let withdrawn = post(
            &mut api,
            &api_path,
            &json!({ "action": "withdraw", "reason_code": "declined-evacuation", "expected_version": 4 }),
        )
        .await;
        assert_eq!(withdrawn.json()["allowed_actions"], json!(["reinstate"]));
        let problem = post(
            &mut api,
            &api_path,
            &json!({ "action": "reinstate", "expected_version": 5 }),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "reason_code");
        let back = post(
            &mut api,
            &api_path,
            &json!({ "action": "reinstate", "reason_code": "withdrawal-recorded-in-error", "expected_version": 5 }),
        )
        .await;
        assert_eq!(back.status, StatusCode::OK, "{}", back.body);
        assert_eq!(back.json()["status"], "listed");
        assert_eq!(back.json()["version"], 6);
        let mut referrer_api = app.with_token(UserRole::Referrer).await;
        post(
            &mut referrer_api,
            &api_path,
            &json!({ "action": "reinstate", "reason_code": "wrong-person", "expected_version": 6 }),
        )
        .await
        .problem(StatusCode::FORBIDDEN);
        app.finish().await;
    }
}

#[tokio::test]
async fn receiving_liaisons_publish_beds_and_coordinators_see_the_board() {
    for app in apps().await {
        let mut liaison = app.with_token(UserRole::ReceivingLiaison).await;
        let offer = json!({
            "facility": "tr-ankara", "specialty": "paediatrics", "beds": 7,
            "from": "2026-03-01", "to": "2026-03-31",
        });
        for (change, field) in [
            (json!({ "from": "first of March" }), "from"),
            (json!({ "to": "2026-02-28" }), "to"),
            (json!({ "beds": 0 }), "beds"),
            (json!({ "specialty": "dentistry" }), "specialty"),
            (json!({ "facility": "nowhere" }), "facility"),
        ] {
            let mut body = offer.clone();
            for (key, value) in change.as_object().unwrap() {
                body[key] = value.clone();
            }
            let problem = post(&mut liaison, "/api/v1/beds", &body)
                .await
                .problem(StatusCode::BAD_REQUEST);
            assert_eq!(problem["field"], field, "{change}: {problem}");
        }
        let published = post(&mut liaison, "/api/v1/beds", &offer).await;
        assert_eq!(published.status, StatusCode::CREATED, "{}", published.body);
        let again = post(&mut liaison, "/api/v1/beds", &offer).await;
        assert_eq!(again.problem(StatusCode::BAD_REQUEST)["field"], "from");

        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let board = coordinator.get("/api/v1/beds?date=2026-03-10").await;
        assert_eq!(board.status, StatusCode::OK, "{}", board.body);
        let board = board.json();
        let line = board["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["facility"] == "tr-ankara" && l["specialty"] == "paediatrics")
            .expect("the new offer is on the board")
            .clone();
        assert_eq!(line["beds"], 7);
        assert_eq!(line["free"], 7);
        assert_eq!(line["country"], "TR");
        assert!(
            coordinator.get("/api/v1/beds?date=2026-04-01").await.json()["lines"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| !(l["facility"] == "tr-ankara" && l["specialty"] == "paediatrics"))
        );
        coordinator
            .get("/api/v1/beds?date=tomorrow")
            .await
            .problem(StatusCode::BAD_REQUEST);
        post(&mut coordinator, "/api/v1/beds", &offer)
            .await
            .problem(StatusCode::FORBIDDEN);
        post(
            &mut coordinator,
            "/api/v1/destinations/facility/tr-ankara/close",
            &json!({ "reason": "policy" }),
        )
        .await
        .problem(StatusCode::FORBIDDEN);

        // Closing the facility leaves its beds on the board, marked, none free.
        let problem = post(
            &mut liaison,
            "/api/v1/destinations/facility/tr-ankara/close",
            &json!({ "reason": " " }),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "reason");
        post(
            &mut liaison,
            "/api/v1/destinations/planet/mars/close",
            &json!({ "reason": "policy" }),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
        post(
            &mut liaison,
            "/api/v1/destinations/facility/nowhere/close",
            &json!({ "reason": "policy" }),
        )
        .await
        .problem(StatusCode::NOT_FOUND);
        let closed = post(
            &mut liaison,
            "/api/v1/destinations/facility/tr-ankara/close",
            &json!({ "reason": "ward under repair" }),
        )
        .await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
        let board = coordinator.get("/api/v1/beds?date=2026-03-10").await.json();
        let line = board["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["facility"] == "tr-ankara" && l["specialty"] == "paediatrics")
            .unwrap()
            .clone();
        assert_eq!(line["facility_open"], false);
        assert_eq!(line["free"], 0);

        let actions: Vec<(String, String)> = app
            .audit()
            .await
            .into_iter()
            .filter(|e| e.subject == "tr-ankara")
            .map(|e| (e.action, e.actor))
            .collect();
        assert_eq!(
            actions,
            [
                ("beds.publish".to_string(), "receiving-liaison".to_string()),
                (
                    "facility.close".to_string(),
                    "receiving-liaison".to_string()
                ),
            ]
        );

        // The screen: the coordinator sees the board, marked, without the forms.
        let mut browser = app.signed_in(UserRole::Coordinator).await;
        let page = browser.get("/beds?date=2026-03-10").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Ankara Training Hospital (demo)"));
        assert!(page.body.contains("facility closed"));
        assert!(
            !page
                .body
                .contains("method=\"post\" action=\"/beds\" class=\"action\" id=\"publish\"")
        );
        // Germany is closed in the demo: its beds are marked and none are free.
        let today = browser.get("/beds").await;
        assert!(today.body.contains("country closed"), "{}", today.body);
        // The receiving liaison publishes from the screen.
        let mut browser = app.signed_in(UserRole::ReceivingLiaison).await;
        assert!(
            browser
                .get("/beds")
                .await
                .body
                .contains("method=\"post\" action=\"/beds\" class=\"action\" id=\"publish\"")
        );
        let done = browser
            .post_form(
                "/beds",
                &[
                    ("facility", "qa-doha-cancer"),
                    ("specialty", "oncology"),
                    ("beds", "5"),
                    ("from", "2026-04-01"),
                    ("to", "2026-04-30"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let page = browser.get(&location(&done)).await;
        assert!(
            page.body
                .contains("Published 5 oncology beds at qa-doha-cancer"),
            "{}",
            page.body
        );
        // "to" before "from": the form again, as typed, the message beside
        // "to" once, and that field focused; nothing published.
        let refused = browser
            .post_form(
                "/beds",
                &[
                    ("board_date", "2026-04-15"),
                    ("facility", "qa-doha-cancer"),
                    ("specialty", "oncology"),
                    ("beds", "6"),
                    ("from", "2026-05-30"),
                    ("to", "2026-05-01"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        let body = &refused.body;
        assert!(body.contains("Beds for arrivals on 2026-04-15"), "{body}");
        assert!(
            body.contains("<option value=\"qa-doha-cancer\" selected>"),
            "{body}"
        );
        assert!(
            body.contains("<option value=\"oncology\" selected>"),
            "{body}"
        );
        assert!(
            body.contains("name=\"beds\" inputmode=\"numeric\" size=\"5\" required value=\"6\""),
            "{body}"
        );
        assert!(body.contains("value=\"2026-05-30\""), "{body}");
        assert!(
            body.contains("name=\"to\" required value=\"2026-05-01\" aria-invalid=\"true\""),
            "{body}"
        );
        let message = body
            .split("<span class=\"field-error\" role=\"alert\" id=\"error-to\">")
            .nth(1)
            .and_then(|rest| rest.split("</span>").next())
            .expect("the message beside 'to'");
        assert!(!message.starts_with("to:"), "{message}");
        assert_eq!(body.matches("class=\"field-error\"").count(), 1, "{body}");
        // A number of beds that is not one: beside "beds", the rest kept.
        let refused = browser
            .post_form(
                "/beds",
                &[
                    ("facility", "qa-doha-cancer"),
                    ("specialty", "oncology"),
                    ("beds", "six"),
                    ("from", "2026-05-01"),
                    ("to", "2026-05-30"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(
            refused
                .body
                .contains("id=\"error-beds\">&#39;six&#39; is not a number of beds"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("value=\"2026-05-30\""));
        // Closing without a reason: that row's form again, its message beside it.
        let refused = browser
            .post_form(
                "/beds/destination",
                &[
                    ("kind", "facility"),
                    ("id", "qa-doha-cancer"),
                    ("change", "close"),
                    ("reason", "  "),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert_eq!(refused.body.matches("id=\"error-reason\"").count(), 1);
        assert!(refused.body.contains("id=\"facility-qa-doha-cancer\""));
        let published: Vec<String> = app
            .audit()
            .await
            .into_iter()
            .filter(|e| e.subject == "qa-doha-cancer")
            .map(|e| e.action)
            .collect();
        assert_eq!(published, ["beds.publish"], "only the first offer");
        app.finish().await;
    }
}
