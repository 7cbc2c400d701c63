//! Returnees registered with their luggage declaration on the page and
//! through the API, the declaration changed on the record, and its check
//! against the luggage rules in force (Rafah's from 2026-02-02 in the demo:
//! one piece; no liquids, metal, electronics or cigarettes; cash up to
//! 2000 ILS).

use axum::http::{Method, StatusCode, header};
use corridor_domain::{Permission, PersonId, UserRole};
use serde_json::{Value, json};

use crate::harness::{Reply, RouteCase, TestApp, apps};

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/returnees/new",
        body: None,
        permission: Permission::RegisterPatients,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/returnees/new",
        body: Some(
            "birth_year=1980&sex=female&returning_from=EG&legal_basis=consent&crossing=rafah\
             &pieces=1&weight=12&items=2x+clothing",
        ),
        permission: Permission::RegisterPatients,
        answers: &[StatusCode::SEE_OTHER],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/returnees",
        body: Some(
            r#"{"birth_year": "1980", "sex": "female", "returning_from": "EG",
                "legal_basis": "consent", "luggage": {"pieces": 1, "weight": "12"}}"#,
        ),
        permission: Permission::RegisterPatients,
        answers: &[StatusCode::CREATED],
    },
    // A returnee of the demo, with the luggage checked on a day asked for.
    RouteCase {
        method: "GET",
        path: "/people/R-000001?crossing=rafah&date=2026-02-02",
        body: None,
        permission: Permission::ViewPeople,
        // 403: outside a referrer's scope (registered by the demo), with
        // the way to break the glass.
        answers: &[StatusCode::OK, StatusCode::FORBIDDEN],
    },
    RouteCase {
        method: "POST",
        path: "/people/R-000001/luggage",
        body: Some("pieces=1&weight=12&items=2x+clothing&crossing=rafah&date=2026-02-02"),
        permission: Permission::RegisterPatients,
        // 403: outside a referrer's scope.
        answers: &[StatusCode::SEE_OTHER, StatusCode::FORBIDDEN],
    },
    RouteCase {
        method: "PUT",
        path: "/api/v1/people/R-000001/luggage?crossing=rafah&date=2026-02-02",
        body: Some(r#"{"pieces": 1, "weight": "12", "items": ["2x clothing"]}"#),
        permission: Permission::RegisterPatients,
        // 403: outside a referrer's scope.
        answers: &[StatusCode::OK, StatusCode::FORBIDDEN],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/people/R-000001/luggage-check?crossing=rafah&date=2026-02-02",
        body: None,
        permission: Permission::ViewPeople,
        // 403: outside a referrer's scope.
        answers: &[StatusCode::OK, StatusCode::FORBIDDEN],
    },
];

fn location(reply: &Reply) -> String {
    reply
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A returnee with a declaration that breaks three of Rafah's rules.
const HEAVY: &[(&str, &str)] = &[
    ("birth_year", "1982"),
    ("sex", "male"),
    ("returning_from", "EG"),
    ("legal_basis", "consent"),
    ("name", "Samir Odeh"),
    ("crossing", "rafah"),
    ("pieces", "2"),
    ("weight", "19"),
    ("items", "3x clothing\r\nelectronics:laptop"),
    ("medication_days", "30"),
    ("cash", "2500 ILS"),
];

/// `fields` with `name` set to `value`.
fn with<'a>(fields: &[(&'a str, &'a str)], name: &str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    fields
        .iter()
        .map(|(key, typed)| (*key, if *key == name { value } else { *typed }))
        .collect()
}

async fn actions_on(app: &TestApp, subject: &str) -> Vec<(String, String, Value)> {
    app.audit()
        .await
        .into_iter()
        .filter(|entry| entry.subject == subject)
        .map(|entry| {
            let detail = serde_json::from_str(&entry.detail).unwrap_or(Value::Null);
            (entry.action, entry.actor, detail)
        })
        .collect()
}

#[tokio::test]
async fn a_returnee_registered_on_the_page_shows_their_luggage_and_its_check() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let form = coordinator.get("/returnees/new").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(form.body.contains("Register a returnee"));
        // The crossing returnees enter by is chosen; Kerem Shalom lets no one in.
        assert!(
            form.body
                .contains("<option value=\"rafah\" selected>Rafah</option>"),
            "{}",
            form.body
        );
        assert!(!form.body.contains("value=\"kerem-shalom\""));
        assert!(
            form.body
                .contains("<option value=\"EG\">Egypt (EG)</option>")
        );

        let done = coordinator.post_form("/returnees/new", HEAVY).await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            done.body
        );
        let record = location(&done);
        assert!(record.ends_with("?crossing=rafah#luggage"), "{record}");
        let id = record
            .strip_prefix("/people/")
            .and_then(|rest| rest.split('?').next())
            .unwrap()
            .to_string();
        assert!(id.starts_with("R-") && id.len() == 10, "{id}");

        let page = coordinator.get(&record).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for shown in [
            &format!("Registered returnee {id}; status listed"),
            "Samir Odeh",
            "<li>3x clothing</li><li>electronics:laptop</li>",
            "19 kg",
            "30 days",
            "<li>2500 ILS</li>",
            // The next day returnees enter by Rafah, when its rules apply.
            "It breaks 3 of the rules</strong> in force at Rafah on 2026-02-02; it is checked again at the gate",
            "<li>2 pieces declared; at most 1 allowed</li>",
            "<li>electronics &#39;laptop&#39; is not allowed</li>",
            "<li>2500 ILS declared; at most 2000 ILS allowed</li>",
            "Change the luggage declaration",
            // The change form holds the declaration as recorded.
            "name=\"weight\" size=\"8\" value=\"19\"",
            ">3x clothing\nelectronics:laptop</textarea>",
        ] {
            assert!(
                page.body.contains(shown),
                "{backend}: {shown} in {}",
                page.body
            );
        }
        let entries = actions_on(&app, &id).await;
        assert_eq!(entries[0].0, "person.register");
        assert_eq!(entries[0].1, "coordinator");
        assert_eq!(
            entries[0].2,
            json!({ "role": "returnee", "crossing": "rafah" })
        );

        // The day before the rules apply: nothing to check.
        let before = coordinator
            .get(&format!("/people/{id}?crossing=rafah&date=2026-02-01"))
            .await;
        assert!(
            before
                .body
                .contains("No luggage rules are in force at Rafah on 2026-02-01"),
            "{}",
            before.body
        );

        // Changed to keep the rules: recorded, audited, and checked again.
        let changed = coordinator
            .post_form(
                &format!("/people/{id}/luggage"),
                &[
                    ("crossing", "rafah"),
                    ("date", "2026-02-02"),
                    ("pieces", "1"),
                    ("weight", "14 kg"),
                    ("items", "3x clothing"),
                    ("medication_days", "30"),
                    ("cash", "900 ILS"),
                ],
            )
            .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
        assert_eq!(
            location(&changed),
            format!("/people/{id}?crossing=rafah&date=2026-02-02#luggage")
        );
        let page = coordinator.get(&location(&changed)).await;
        for shown in [
            "it keeps the luggage rules in force at Rafah on 2026-02-02.",
            "It keeps the rules</strong> in force at Rafah on 2026-02-02",
            "14 kg",
            "<li>900 ILS</li>",
        ] {
            assert!(
                page.body.contains(shown),
                "{backend}: {shown} in {}",
                page.body
            );
        }
        assert!(!page.body.contains("electronics:laptop"));
        let entries = actions_on(&app, &id).await;
        assert!(
            entries
                .iter()
                .any(|(action, actor, _)| action == "luggage.declare" && actor == "coordinator"),
            "{entries:?}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn each_mistake_comes_back_as_typed_with_the_message_at_its_field() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let before = app.audit().await.len();
        for (field, value, at, message) in [
            (
                "weight",
                "fourteen",
                "weight",
                "&#39;fourteen&#39; is not a weight such as 18 kg",
            ),
            (
                "weight",
                "",
                "weight",
                "give the total weight of the 2 pieces",
            ),
            (
                "pieces",
                "two",
                "pieces",
                "&#39;two&#39; is not a number of pieces",
            ),
            ("items", "3x clothing\r\n2x toys", "items", "line 2: "),
            (
                "cash",
                "lots",
                "cash",
                "line 1: &#39;lots&#39; is not an amount",
            ),
            (
                "medication_days",
                "a month",
                "medication_days",
                "is not a number of days",
            ),
            ("birth_year", "1850", "birth_year", "1850"),
            (
                "returning_from",
                "ZZ",
                "returning_from",
                "no country ZZ is registered",
            ),
            (
                "crossing",
                "kerem-shalom",
                "crossing",
                "Kerem Shalom lets no one in; returnees enter by Rafah",
            ),
            ("sex", "", "sex", ""),
        ] {
            let fields = with(HEAVY, field, value);
            let refused = coordinator.post_form("/returnees/new", &fields).await;
            let context = format!("{backend}: {field}={value:?}");
            assert_eq!(
                refused.status,
                StatusCode::BAD_REQUEST,
                "{context}: {}",
                refused.body
            );
            assert!(
                refused.body.contains(&format!(
                    "aria-invalid=\"true\" aria-describedby=\"error-{at}\""
                )),
                "{context}: {}",
                refused.body
            );
            let beside = refused
                .body
                .split(&format!("id=\"error-{at}\">"))
                .nth(1)
                .and_then(|rest| rest.split("</span>").next())
                .unwrap_or_default();
            assert!(beside.contains(message), "{context}: beside {at}: {beside}");
            // Everything typed is kept.
            for shown in [
                "value=\"1982\"",
                "value=\"Samir Odeh\"",
                "<option value=\"male\" selected>",
                "value=\"30\"",
            ] {
                if field != "birth_year" && field != "sex" && field != "medication_days" {
                    assert!(refused.body.contains(shown), "{context}: {shown}");
                }
            }
            let typed_items = if field == "items" {
                "3x clothing\r\n2x toys"
            } else {
                "3x clothing\r\nelectronics:laptop"
            };
            assert!(
                refused.body.contains(&format!(
                    ">{}</textarea>",
                    typed_items.replace("\r\n", "\n")
                )) || refused.body.contains(&format!(">{typed_items}</textarea>")),
                "{context}: the items as typed: {}",
                refused.body
            );
        }
        assert_eq!(
            app.audit().await.len(),
            before,
            "{backend}: nothing was recorded"
        );

        // A change refused on the record: the form as typed, the recorded
        // declaration unchanged.
        let done = coordinator.post_form("/returnees/new", HEAVY).await;
        let record = location(&done);
        let id = record
            .strip_prefix("/people/")
            .and_then(|rest| rest.split('?').next())
            .unwrap()
            .to_string();
        let refused = coordinator
            .post_form(
                &format!("/people/{id}/luggage"),
                &[
                    ("crossing", "rafah"),
                    ("date", "2026-02-02"),
                    ("pieces", "1"),
                    ("weight", "14"),
                    ("items", "3x clothing"),
                    ("cash", "900 ILS\r\nsome dollars"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert!(
            refused
                .body
                .contains("id=\"error-cash\">line 2: &#39;some dollars&#39; is not an amount"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("value=\"14\""));
        // The record still shows (and checks) what was recorded.
        assert!(refused.body.contains("<li>electronics:laptop</li>"));
        assert!(refused.body.contains("It breaks 3 of the rules"));
        let declared = app
            .state
            .store
            .luggage_declaration(&PersonId::parse(&id).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(declared.pieces, 2);

        // A day that is not a date, on the small form that asks for one.
        let bad_day = coordinator
            .get(&format!("/people/{id}?crossing=rafah&date=soon"))
            .await;
        assert_eq!(bad_day.status, StatusCode::BAD_REQUEST);
        assert!(
            bad_day
                .body
                .contains("id=\"error-date\">&#39;soon&#39; is not a date"),
            "{}",
            bad_day.body
        );
        assert!(bad_day.body.contains("<li>electronics:laptop</li>"));
        app.finish().await;
    }
}

#[tokio::test]
async fn the_api_registers_a_returnee_changes_the_declaration_and_checks_it() {
    for app in apps().await {
        let backend = app.backend;
        let mut referrer = app.with_token(UserRole::Referrer).await;
        let body = json!({
            "birth_year": "1975",
            "sex": "female",
            "returning_from": "EG",
            "legal_basis": "consent",
            "luggage": {
                "pieces": 1,
                "weight": "9.5 kg",
                "items": ["2x clothing", "liquids:perfume"],
                "medication_days": 20,
                "cash": ["1500 ILS", "100 USD"],
            },
        });
        let created = referrer
            .send_json(Method::POST, "/api/v1/returnees", &body)
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{backend}: {}",
            created.body
        );
        let created = created.json();
        let id = created["id"].as_str().unwrap().to_string();
        assert_eq!(created["status"], "listed");
        let luggage = &created["luggage"];
        assert_eq!(luggage["declaration"]["weight_grams"], 9500);
        assert_eq!(
            luggage["declaration"]["items"],
            json!(["2x clothing", "liquids:perfume"])
        );
        assert_eq!(luggage["check"]["crossing"], "rafah");
        assert_eq!(luggage["check"]["date"], "2026-02-02");
        assert_eq!(luggage["check"]["result"], "breaks-the-rules");
        let rules: Vec<&str> = luggage["check"]["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["rule"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["forbidden-item", "cash"], "{luggage}");

        // Each field at fault is named, nested in the registration.
        for (luggage, field) in [
            (json!({ "weight": "fourteen" }), "luggage.weight"),
            (json!({ "pieces": 2 }), "luggage.weight"),
            (json!({ "items": ["clothing", "toys"] }), "luggage.items[1]"),
            (json!({ "cash": ["lots"] }), "luggage.cash[0]"),
        ] {
            let mut refused = body.clone();
            refused["luggage"] = luggage;
            let reply = referrer
                .send_json(Method::POST, "/api/v1/returnees", &refused)
                .await;
            let problem = reply.problem(StatusCode::BAD_REQUEST);
            assert_eq!(problem["field"], field, "{problem}");
        }
        let mut unknown = body.clone();
        unknown["returning_from"] = json!("ZZ");
        let problem = referrer
            .send_json(Method::POST, "/api/v1/returnees", &unknown)
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "returning_from");

        // Replaced: the referrer registered them, so it is in their scope.
        let put = referrer
            .send_json(
                Method::PUT,
                &format!("/api/v1/people/{id}/luggage"),
                &json!({ "pieces": 1, "weight": "9", "items": ["2x clothing"], "cash": ["1500 ILS"] }),
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        assert_eq!(put.json()["check"]["result"], "keeps-the-rules");
        let problem = referrer
            .send_json(
                Method::PUT,
                &format!("/api/v1/people/{id}/luggage"),
                &json!({ "items": ["clothing", "", "3x"] }),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "items[2]");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .starts_with("items, line 3: "),
            "{problem}"
        );

        let check = referrer
            .get(&format!(
                "/api/v1/people/{id}/luggage-check?date=2026-02-01"
            ))
            .await;
        assert_eq!(check.status, StatusCode::OK, "{}", check.body);
        let check = check.json();
        assert_eq!(check["check"]["result"], "no-rules-in-force");
        assert_eq!(check["declaration"]["weight"], "9 kg");
        referrer
            .get(&format!("/api/v1/people/{id}/luggage-check?date=soon"))
            .await
            .problem(StatusCode::BAD_REQUEST);
        // A patient declares no luggage.
        app.with_token(UserRole::Coordinator)
            .await
            .get("/api/v1/people/P-000001/luggage-check")
            .await
            .problem(StatusCode::NOT_FOUND);

        let entries = actions_on(&app, &id).await;
        let actions: Vec<&str> = entries
            .iter()
            .map(|(action, _, _)| action.as_str())
            .collect();
        assert_eq!(
            actions,
            ["person.register", "luggage.declare", "person.read"],
            "{backend}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn roles_without_the_permission_are_refused() {
    for app in apps().await {
        let backend = app.backend;
        // The crossing officer sees people, and registers no one.
        let mut officer = app.signed_in(UserRole::CrossingOfficer).await;
        assert_eq!(
            officer.get("/returnees/new").await.status,
            StatusCode::FORBIDDEN
        );
        let refused = officer.post_form("/returnees/new", HEAVY).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend}");
        let home = officer.get("/").await;
        assert!(!home.body.contains("Register a returnee"));
        // They read a returnee's luggage and its check, and change nothing.
        let record = officer.get("/people/R-000001").await;
        assert_eq!(record.status, StatusCode::OK);
        assert!(record.body.contains("id=\"luggage\""));
        assert!(record.body.contains("Check the luggage"));
        assert!(!record.body.contains("Change the luggage declaration"));
        let refused = officer
            .post_form("/people/R-000001/luggage", &[("pieces", "0")])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let mut liaison = app.with_token(UserRole::ClearanceLiaison).await;
        liaison
            .send_json(
                Method::PUT,
                "/api/v1/people/R-000001/luggage",
                &json!({ "pieces": 0 }),
            )
            .await
            .problem(StatusCode::FORBIDDEN);
        liaison
            .send_json(
                Method::POST,
                "/api/v1/returnees",
                &json!({ "birth_year": "1980", "sex": "male", "returning_from": "EG",
                         "legal_basis": "consent", "luggage": {} }),
            )
            .await
            .problem(StatusCode::FORBIDDEN);
        app.with_token(UserRole::Analyst)
            .await
            .get("/api/v1/people/R-000001/luggage-check")
            .await
            .problem(StatusCode::FORBIDDEN);
        let coordinator = app.signed_in(UserRole::Coordinator).await;
        assert!(
            coordinator
                .clone()
                .get("/")
                .await
                .body
                .contains("Register a returnee")
        );
        app.finish().await;
    }
}
