//! Contacts and the call list through the web: phone numbers only for the
//! roles that see names, forms that keep what was typed, the call list of a
//! confirmed day, a decline that frees the party's places, and a double
//! tap that records once.

use axum::http::{Method, StatusCode, header};
use corridor_domain::{Permission, UserRole};
use serde_json::{Value, json};

use crate::harness::{Client, RouteCase, TestApp, apps};

const DAY: &str = "crossing=rafah&date=2026-02-02";

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/api/v1/people/P-000001/contacts",
        body: None,
        permission: Permission::ViewPeople,
        // 403: outside the scope of a role that sees only its own registrations (with the
        // way to break the glass).
        answers: &[StatusCode::OK, StatusCode::FORBIDDEN],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/people/P-000001/contacts",
        body: Some(r#"{"phone": "12", "label": "mother"}"#),
        permission: Permission::EditContacts,
        // 400: not a phone number; 403: outside the scope of a referrer.
        answers: &[StatusCode::BAD_REQUEST, StatusCode::FORBIDDEN],
    },
    RouteCase {
        method: "DELETE",
        path: "/api/v1/people/P-000001/contacts/99",
        body: None,
        permission: Permission::EditContacts,
        // 404: P-000001 has no contact 99; 403: outside the scope of a referrer.
        answers: &[StatusCode::NOT_FOUND, StatusCode::FORBIDDEN],
    },
    RouteCase {
        method: "POST",
        path: "/people/P-000001/contacts",
        body: Some("phone=12&label=mother&language=ar"),
        permission: Permission::EditContacts,
        // 400: not a phone number; 403: outside the scope of a referrer.
        answers: &[StatusCode::BAD_REQUEST, StatusCode::FORBIDDEN],
    },
    RouteCase {
        method: "POST",
        path: "/people/P-000001/contacts/remove",
        body: Some("number=99"),
        permission: Permission::EditContacts,
        // 404: P-000001 has no contact 99; 403: outside the scope of a referrer.
        answers: &[StatusCode::NOT_FOUND, StatusCode::FORBIDDEN],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/calls?crossing=rafah&date=2026-02-02",
        body: None,
        permission: Permission::CallParties,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/calls",
        body: Some(
            r#"{"crossing": "rafah", "date": "2026-02-02", "party": "P-000001", "outcome": "declined"}"#,
        ),
        permission: Permission::CallParties,
        // 400: a decline needs a reason.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "GET",
        path: "/days/calls?crossing=rafah&date=2026-02-02",
        body: None,
        permission: Permission::CallParties,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/days/calls",
        body: Some("crossing=rafah&date=2026-02-02&party=P-000001&outcome=declined"),
        permission: Permission::CallParties,
        // 400: a decline needs a reason.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/days/calls/assembly",
        body: Some("crossing=rafah&date=2026-02-02&place=&time=05:00"),
        permission: Permission::PlanDays,
        // 400: the place is empty.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/days/calls/assign",
        body: Some("crossing=rafah&date=2026-02-02&party=P-000001&point=1"),
        permission: Permission::PlanDays,
        // 400: the day is not confirmed when this case runs.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/days/calls/cut-off",
        body: Some("crossing=rafah&date=2026-02-02&cut_off=late"),
        permission: Permission::PlanDays,
        // 400: not a time.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/calls/assembly-points",
        body: Some(
            r#"{"crossing": "rafah", "date": "2026-02-02", "place": "school", "time": "7h"}"#,
        ),
        permission: Permission::PlanDays,
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/calls/assignments",
        body: Some(r#"{"crossing": "rafah", "date": "2026-02-02", "party": "nobody", "point": 1}"#),
        permission: Permission::PlanDays,
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "PUT",
        path: "/api/v1/calls/cut-off",
        body: Some(r#"{"crossing": "rafah", "date": "2026-02-02", "cut_off": "25:99"}"#),
        permission: Permission::PlanDays,
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/calls/cut-off/apply",
        body: Some(r#"{"crossing": "rafah", "date": "2026-02-0"}"#),
        permission: Permission::CallParties,
        answers: &[StatusCode::BAD_REQUEST],
    },
];

/// Confirms both directions of 2026-02-02 as the coordinator (inbound
/// first: entries must equal exits).
pub(crate) async fn confirm_day(coordinator: &mut Client) {
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

pub(crate) fn party_heads(list: &Value, direction: &str) -> Vec<String> {
    list["parties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["direction"] == direction)
        .map(|p| p["head"]["person"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn phone_numbers_only_for_roles_that_see_names_and_forms_keep_what_was_typed() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let refused = coordinator
            .send_json(
                Method::POST,
                "/api/v1/people/P-000001/contacts",
                &json!({"phone": "0599 123 456", "label": "mother"}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(refused["field"], "phone", "{backend}");
        let added = coordinator
            .send_json(
                Method::POST,
                "/api/v1/people/P-000001/contacts",
                &json!({"phone": "+999 59 765 4321", "label": "mother", "language": "en"}),
            )
            .await;
        assert_eq!(
            added.status,
            StatusCode::CREATED,
            "{backend}: {}",
            added.body
        );
        let added = added.json();
        assert_eq!(added["phone"], "+999597654321");
        assert_eq!(added["language"], "en");
        let listed = coordinator
            .get("/api/v1/people/P-000001/contacts")
            .await
            .json();
        assert!(
            listed
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["phone"] == "+999597654321"),
            "{listed}"
        );
        let audit = app.audit().await;
        assert!(audit.iter().any(|e| e.action == "contact.add"), "{backend}");
        assert!(
            audit.iter().any(|e| e.action == "contacts.read"),
            "{backend}"
        );
        assert!(
            audit.iter().all(|e| !e.detail.contains("597654321")),
            "{backend}: the audit log names contacts by number in the list, never the phone"
        );

        // Roles that do not see names get no phone number, by any way.
        for role in [
            UserRole::Analyst,
            UserRole::LogisticsOfficer,
            UserRole::Admin,
        ] {
            let mut api = app.with_token(role).await;
            api.get("/api/v1/people/P-000001/contacts")
                .await
                .problem(StatusCode::FORBIDDEN);
            api.get(&format!("/api/v1/calls?{DAY}"))
                .await
                .problem(StatusCode::FORBIDDEN);
            let mut browser = app.signed_in(role).await;
            for page in ["/people/P-000001", &format!("/days/calls?{DAY}")] {
                let reply = browser.get(page).await;
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{backend} {role} {page}"
                );
                assert!(!reply.body.contains("+999"), "{backend} {role} {page}");
            }
            let dashboard = browser.get("/").await;
            assert!(!dashboard.body.contains("+999"), "{backend} {role}");
            assert!(!dashboard.body.contains("Call list"), "{backend} {role}");
        }
        // The crossing officer sees names but works the gate, not the calls.
        let mut officer = app.signed_in(UserRole::CrossingOfficer).await;
        let reply = officer.get(&format!("/days/calls?{DAY}")).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{backend}");

        // The person page: the number listed, a refused form as typed.
        let mut desk = app.signed_in(UserRole::Coordinator).await;
        let page = desk.get("/people/P-000001").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("+999597654321"), "{backend}");
        assert!(page.body.contains("Yes, remove +999597654321"), "{backend}");
        let refused = desk
            .post_form(
                "/people/P-000001/contacts",
                &[
                    ("phone", "+999 12"),
                    ("label", "grandmother"),
                    ("language", "en"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(
            refused.body.contains("value=\"+999 12\""),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("value=\"grandmother\""),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("<option value=\"en\" selected>"),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains(
                "id=\"error-phone\">&#39;+999 12&#39; has 5 digits; a number with its country code has 7 to 15"
            ),
            "{}",
            refused.body
        );
        let added = desk
            .post_form(
                "/people/P-000001/contacts",
                &[
                    ("phone", "+999 12 345 678"),
                    ("label", "grandmother"),
                    ("language", "ar"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let number = coordinator
            .get("/api/v1/people/P-000001/contacts")
            .await
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["label"] == "grandmother")
            .map(|c| c["number"].to_string())
            .unwrap();
        let removed = desk
            .post_form("/people/P-000001/contacts/remove", &[("number", &number)])
            .await;
        assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
        assert_eq!(
            removed.headers[header::LOCATION],
            "/people/P-000001#contacts"
        );
        // Removed twice (a second tab): the record says so, nothing breaks.
        let twice = desk
            .post_form("/people/P-000001/contacts/remove", &[("number", &number)])
            .await;
        assert_eq!(twice.status, StatusCode::NOT_FOUND, "{backend}");
        assert!(
            twice.body.contains("Not done: no contact number"),
            "{}",
            twice.body
        );
        let gone = coordinator
            .send(
                Method::DELETE,
                &format!("/api/v1/people/P-000001/contacts/{number}"),
                None,
                None,
            )
            .await;
        gone.problem(StatusCode::NOT_FOUND);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_call_list_of_a_confirmed_day_frees_a_declining_party() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let before = coordinator
            .get(&format!("/api/v1/calls?{DAY}"))
            .await
            .json();
        assert_eq!(before["confirmed"], false, "{backend}");
        let early = coordinator
            .send_json(
                Method::POST,
                "/api/v1/calls",
                &json!({"crossing": "rafah", "date": "2026-02-02", "party": "P-000001", "outcome": "confirmed"}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert!(
            early["detail"]
                .as_str()
                .unwrap()
                .contains("no manifest of rafah on 2026-02-02 is confirmed"),
            "{early}"
        );
        confirm_day(&mut coordinator).await;

        let mut desk = app.signed_in(UserRole::Coordinator).await;
        for (place, time) in [
            ("Nasser hospital gate", "05:30"),
            ("Khan Younis school", "6:15"),
        ] {
            let added = desk
                .post_form(
                    "/days/calls/assembly",
                    &[
                        ("crossing", "rafah"),
                        ("date", "2026-02-02"),
                        ("place", place),
                        ("time", time),
                    ],
                )
                .await;
            assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        }
        let bad_time = desk
            .post_form(
                "/days/calls/assembly",
                &[
                    ("crossing", "rafah"),
                    ("date", "2026-02-02"),
                    ("place", "Rafah school"),
                    ("time", "7h"),
                ],
            )
            .await;
        assert_eq!(bad_time.status, StatusCode::BAD_REQUEST);
        assert!(
            bad_time.body.contains("value=\"Rafah school\""),
            "{}",
            bad_time.body
        );
        assert!(
            bad_time.body.contains("id=\"error-time\""),
            "{}",
            bad_time.body
        );

        let list = coordinator
            .get(&format!("/api/v1/calls?{DAY}"))
            .await
            .json();
        assert_eq!(list["confirmed"], true, "{backend}");
        assert_eq!(list["names"], true, "{backend}");
        assert_eq!(list["cut_off"], "2026-02-01 22:00", "{backend}");
        let outbound = party_heads(&list, "outbound");
        let inbound = party_heads(&list, "inbound");
        assert!(!outbound.is_empty() && !inbound.is_empty(), "{list}");
        assert!(
            list["parties"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["point"]["place"] == "Nasser hospital gate"),
            "{list}"
        );
        // The demo gives most parties a +999 number.
        let phones: Vec<&str> = list["parties"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["phones"].as_array().unwrap())
            .map(|phone| phone["phone"].as_str().unwrap())
            .collect();
        assert!(!phones.is_empty(), "{list}");
        assert!(phones.iter().all(|p| p.starts_with("+999")), "{phones:?}");

        // The screen: every party a row, its phones and point.
        let page = desk.get(&format!("/days/calls?{DAY}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(phones[0]), "{backend}");
        assert!(
            page.body
                .contains("<strong>05:30</strong> Nasser hospital gate")
        );
        assert!(
            page.body.contains("href=\"/days/calls\""),
            "the navigation has the call list"
        );

        // A decline without a reason comes back in its row, as typed.
        let party = &outbound[0];
        let refused = desk
            .post_form(
                "/days/calls",
                &[
                    ("crossing", "rafah"),
                    ("date", "2026-02-02"),
                    ("party", party),
                    ("outcome", "declined"),
                    ("reason", " "),
                    ("seen_attempts", "0"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(
            refused.body.contains("id=\"error-reason\""),
            "{}",
            refused.body
        );
        assert!(
            refused
                .body
                .contains("<option value=\"declined\" selected>"),
            "{}",
            refused.body
        );
        let fields = [
            ("crossing", "rafah"),
            ("date", "2026-02-02"),
            ("party", party.as_str()),
            ("outcome", "declined"),
            ("reason", "the family cannot travel this week"),
            ("seen_attempts", "0"),
        ];
        let recorded = desk.post_form("/days/calls", &fields).await;
        assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
        assert_eq!(
            recorded.headers[header::LOCATION],
            format!("/days/calls?crossing=rafah&date=2026-02-02#call-{party}")
        );
        // The same form sent twice records once.
        let again = desk.post_form("/days/calls", &fields).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
        let list = coordinator
            .get(&format!("/api/v1/calls?{DAY}"))
            .await
            .json();
        let row = list["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["head"]["person"] == party.as_str())
            .unwrap();
        assert_eq!(row["attempts"], 1, "{row}");
        assert_eq!(row["holds_places"], false, "{row}");
        assert_eq!(row["head"]["state"], "declined", "{row}");
        let person = coordinator
            .get(&format!("/api/v1/people/{party}"))
            .await
            .json();
        assert_eq!(person["status"], "cleared", "{person}");
        // The printed manifest shows the point; the gate counts the decline.
        let manifest = desk
            .get(&format!("/plan/manifest?{DAY}&direction=outbound"))
            .await;
        assert!(manifest.body.contains("<th>Assembly</th>"), "{backend}");
        assert!(
            manifest
                .body
                .contains("<strong>05:30</strong> Nasser hospital gate")
        );
        let reconciliation = coordinator
            .get(&format!("/api/v1/gate/reconciliation?{DAY}"))
            .await
            .json();
        let out = reconciliation["directions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["direction"] == "outbound")
            .unwrap();
        assert!(out["declined"].as_u64().unwrap() >= 1, "{reconciliation}");

        // A cut-off at midnight before the day: whatever the hour these
        // tests run at on 2026-02-01, it has not passed.
        let cut_off = desk
            .post_form(
                "/days/calls/cut-off",
                &[
                    ("crossing", "rafah"),
                    ("date", "2026-02-02"),
                    ("cut_off", "2026-02-02 00:00"),
                ],
            )
            .await;
        assert_eq!(cut_off.status, StatusCode::SEE_OTHER, "{}", cut_off.body);
        // The API records an unreachable inbound party; the page marks it.
        let returnee = &inbound[0];
        let unreachable = coordinator
            .send_json(
                Method::POST,
                "/api/v1/calls",
                &json!({"crossing": "rafah", "date": "2026-02-02", "party": returnee, "outcome": "unreachable", "seen_attempts": 0}),
            )
            .await;
        assert_eq!(unreachable.status, StatusCode::OK, "{}", unreachable.body);
        assert_eq!(unreachable.json()["freed"], json!([]), "before the cut-off");
        let page = desk.get(&format!("/days/calls?{DAY}")).await;
        assert!(
            page.body.contains("class=\"outcome-unreachable\""),
            "{backend}"
        );
        assert!(page.body.contains("declined: places freed"), "{backend}");
        let audit = app.audit().await;
        assert!(audit.iter().any(|e| e.action == "calls.read"), "{backend}");
        assert_eq!(
            audit.iter().filter(|e| e.action == "call.record").count(),
            2,
            "{backend}: a double tap is one call"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_cut_off_frees_an_unreachable_party_when_the_list_is_read_after_it() {
    let mut app = TestApp::sqlite().await;
    let mut coordinator = app.with_token(UserRole::Coordinator).await;
    confirm_day(&mut coordinator).await;
    let list = coordinator
        .get(&format!("/api/v1/calls?{DAY}"))
        .await
        .json();
    let party = party_heads(&list, "outbound")[0].clone();
    // Midnight before the day: not passed on 2026-02-01 at any hour,
    // passed on 2026-02-02 at any hour.
    let mut desk = app.signed_in(UserRole::Coordinator).await;
    let cut_off = desk
        .post_form(
            "/days/calls/cut-off",
            &[
                ("crossing", "rafah"),
                ("date", "2026-02-02"),
                ("cut_off", "2026-02-02 00:00"),
            ],
        )
        .await;
    assert_eq!(cut_off.status, StatusCode::SEE_OTHER, "{}", cut_off.body);
    let recorded = coordinator
        .send_json(
            Method::POST,
            "/api/v1/calls",
            &json!({"crossing": "rafah", "date": "2026-02-02", "party": party, "outcome": "unreachable"}),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);
    assert_eq!(recorded.json()["freed"], json!([]), "before the cut-off");
    // The next day (the crossing day) is after the cut-off.
    app.set_today(jiff::civil::date(2026, 2, 2));
    let mut later = app.with_token(UserRole::ClearanceLiaison).await;
    let list = later.get(&format!("/api/v1/calls?{DAY}")).await.json();
    assert_eq!(list["cut_off_passed"], true, "{list}");
    assert_eq!(list["freed_now"], json!([party]), "{list}");
    let person = later.get(&format!("/api/v1/people/{party}")).await.json();
    assert_eq!(person["status"], "cleared", "{person}");
    app.finish().await;
}

#[tokio::test]
async fn the_api_sets_assembly_points_and_the_cut_off() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        confirm_day(&mut coordinator).await;
        let mut points = Vec::new();
        for (place, time) in [
            ("Nasser hospital gate", "05:30"),
            ("Khan Younis school", "6:15"),
        ] {
            let added = coordinator
                .send_json(
                    Method::POST,
                    "/api/v1/calls/assembly-points",
                    &json!({"crossing": "rafah", "date": "2026-02-02", "place": place, "time": time}),
                )
                .await;
            assert_eq!(
                added.status,
                StatusCode::CREATED,
                "{backend}: {}",
                added.body
            );
            points.push(added.json());
        }
        assert_eq!(points[1]["number"], 2, "{backend}");
        assert_eq!(points[1]["time"], "06:15", "{backend}");
        let list = coordinator
            .get("/api/v1/calls?crossing=rafah&date=2026-02-02")
            .await
            .json();
        let party = party_heads(&list, "outbound").remove(0);
        let assigned = coordinator
            .send_json(
                Method::POST,
                "/api/v1/calls/assignments",
                &json!({"crossing": "rafah", "date": "2026-02-02", "party": party, "point": 2}),
            )
            .await;
        assert_eq!(
            assigned.status,
            StatusCode::OK,
            "{backend}: {}",
            assigned.body
        );
        assert_eq!(assigned.json()["place"], "Khan Younis school");
        let missing = coordinator
            .send_json(
                Method::POST,
                "/api/v1/calls/assignments",
                &json!({"crossing": "rafah", "date": "2026-02-02", "party": party, "point": 9}),
            )
            .await;
        assert!(
            missing.status.is_client_error(),
            "{backend}: {}",
            missing.body
        );

        let set = coordinator
            .send_json(
                Method::PUT,
                "/api/v1/calls/cut-off",
                &json!({"crossing": "rafah", "date": "2026-02-02", "cut_off": "21:00"}),
            )
            .await;
        assert_eq!(set.status, StatusCode::OK, "{backend}: {}", set.body);
        assert_eq!(set.json()["cut_off"], "2026-02-01 21:00");
        let wrong = coordinator
            .send_json(
                Method::PUT,
                "/api/v1/calls/cut-off",
                &json!({"crossing": "rafah", "date": "2026-02-02", "cut_off": "9 pm"}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert!(
            wrong["detail"].as_str().unwrap().contains("9 pm"),
            "{wrong}"
        );

        let unreachable = coordinator
            .send_json(
                Method::POST,
                "/api/v1/calls",
                &json!({"crossing": "rafah", "date": "2026-02-02", "party": party, "outcome": "unreachable"}),
            )
            .await;
        assert_eq!(unreachable.status, StatusCode::OK, "{}", unreachable.body);
        // Applied before the cut-off (10:00 on 2026-02-01), it is refused.
        let early = coordinator
            .send_json(
                Method::POST,
                "/api/v1/calls/cut-off/apply",
                &json!({"crossing": "rafah", "date": "2026-02-02"}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert!(
            early["detail"].as_str().unwrap().contains("has not passed"),
            "{backend}: {early}"
        );
        let audit = app.audit().await;
        for action in ["assembly.add", "assembly.assign", "calls.set-cut-off"] {
            assert!(
                audit.iter().any(|e| e.action == action),
                "{backend}: no {action} in {:?}",
                audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>()
            );
        }
        app.finish().await;
    }
}
