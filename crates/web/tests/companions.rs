//! Companions one by one at the gate (the row actions of the gate page and
//! `member` in the API), and replacing a companion who cannot travel from
//! the patient's record: permissions, refusals that keep what was typed.

use axum::http::{Method, StatusCode, header};
use corridor_domain::{Permission, PersonId, UserRole};
use serde_json::json;

use crate::harness::{Client, RouteCase, TestApp, apps};

const DAY: &str = "crossing=rafah&date=2026-02-02";

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/people/P-000001/replace-companion",
        body: None,
        permission: Permission::RegisterPatients,
        // 403: outside a referrer's scope (the way to break the glass is said).
        answers: &[StatusCode::OK, StatusCode::FORBIDDEN],
    },
    RouteCase {
        method: "POST",
        path: "/people/P-000001/replace-companion",
        body: Some("companion=&relationship=&birth_year=&sex=&reason="),
        permission: Permission::RegisterPatients,
        // 400: nobody to replace is named, on purpose; 403 outside the scope.
        answers: &[StatusCode::BAD_REQUEST, StatusCode::FORBIDDEN],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/people/P-000001/replace-companion",
        body: Some(
            r#"{"companion": "", "relationship": "", "birth_year": "", "sex": "", "reason": ""}"#,
        ),
        permission: Permission::RegisterPatients,
        // 400: nobody to replace is named, on purpose; 403 outside the scope.
        answers: &[StatusCode::BAD_REQUEST, StatusCode::FORBIDDEN],
    },
];

/// Confirms both directions of 2026-02-02 and returns an adult patient of
/// the outbound manifest with their companions.
pub async fn an_adult_party(app: &TestApp, coordinator: &mut Client) -> (String, Vec<String>) {
    for direction in ["inbound", "outbound"] {
        let confirmed = coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/confirm",
                &json!({"crossing": "rafah", "date": "2026-02-02", "direction": direction}),
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        if direction == "outbound" {
            let manifest = confirmed.json();
            for party in manifest["parties"].as_array().unwrap() {
                let head = party["head"]["person"].as_str().unwrap().to_string();
                let companions: Vec<String> = party["companions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["person"].as_str().unwrap().to_string())
                    .collect();
                let record = app
                    .state
                    .store
                    .person(&PersonId::parse(&head).unwrap())
                    .await
                    .unwrap()
                    .unwrap();
                let adult = !record
                    .person
                    .birth_year
                    .is_child_on(jiff::civil::date(2026, 2, 2));
                if adult && !companions.is_empty() {
                    return (head, companions);
                }
            }
            panic!("no adult patient with a companion: {manifest}");
        }
    }
    unreachable!("the outbound direction returns or panics")
}

fn location(reply: &crate::harness::Reply) -> String {
    reply.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_companion_is_turned_back_alone_at_the_gate_and_replaced_on_the_record() {
    for mut app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let (patient, companions) = an_adult_party(&app, &mut coordinator).await;
        let companion = companions[0].clone();
        app.set_today(jiff::civil::date(2026, 2, 2));
        coordinator.follow(&app);
        let mut officer = app.with_token(UserRole::CrossingOfficer).await;
        let mut gate = app.signed_in(UserRole::CrossingOfficer).await;
        let member = |member: &str, outcome: &str, code: Option<&str>| json!({"crossing": "rafah", "date": "2026-02-02", "person": patient, "member": member, "outcome": outcome, "reason_code": code});

        // The API: only the gate, only a real person, only what the rules allow.
        coordinator
            .send_json(
                Method::POST,
                "/api/v1/gate",
                &member(&companion, "turned-back", Some("companion-refused")),
            )
            .await
            .problem(StatusCode::FORBIDDEN);
        let bad = officer
            .send_json(
                Method::POST,
                "/api/v1/gate",
                &member("not an id", "crossed", None),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(bad["field"], "member", "{backend}");
        let ahead = officer
            .send_json(
                Method::POST,
                "/api/v1/gate",
                &member(&companion, "crossed", None),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert!(
            ahead["detail"].as_str().unwrap().contains(&format!(
                "{companion} accompanies {patient}, who has not crossed"
            )),
            "{backend}: {ahead}"
        );

        // The page offers the companion's row only what is allowed.
        let screen = gate.get(&format!("/gate?{DAY}&show=expected")).await;
        assert_eq!(screen.status, StatusCode::OK, "{}", screen.body);
        assert!(
            screen.body.contains(&format!("id=\"member-{companion}\"")),
            "{backend}"
        );
        assert!(
            screen
                .body
                .contains(&format!("Turn back {companion} alone</button>")),
            "{backend}"
        );
        assert!(
            !screen
                .body
                .contains(&format!(">{companion} crossed</button>")),
            "{backend}: a companion is not offered to cross ahead of the patient"
        );
        assert!(
            screen
                .body
                .contains(&format!(">{patient} crossed</button>")),
            "{backend}: an adult patient may go ahead"
        );

        // A tap the page no longer offers (the party changed meanwhile) is
        // refused with its message at the top of the card.
        let stale = gate
            .post_form(
                "/gate",
                &[
                    ("crossing", "rafah"),
                    ("date", "2026-02-02"),
                    ("person", &patient),
                    ("member", &companion),
                    ("outcome", "crossed"),
                ],
            )
            .await;
        assert_eq!(stale.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(
            stale.body.contains(&format!(
                "Not done: {companion} accompanies {patient}, who has not crossed"
            )),
            "{backend}: {}",
            stale.body
        );

        // A refused row form comes back with what was typed, at its field.
        let form = |reason_code: &'static str| {
            let patient = patient.clone();
            let companion = companion.clone();
            move || {
                vec![
                    ("crossing", "rafah".to_string()),
                    ("date", "2026-02-02".to_string()),
                    ("q", String::new()),
                    ("show", "expected".to_string()),
                    ("person", patient.clone()),
                    ("member", companion.clone()),
                    ("outcome", "turned-back".to_string()),
                    ("reason_code", reason_code.to_string()),
                    ("note", "no exit permit for him".to_string()),
                ]
            }
        };
        let fields = form("")();
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = gate.post_form("/gate", &fields).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(
            refused.body.contains("id=\"error-reason_code\""),
            "{backend}"
        );
        assert!(
            refused.body.contains("value=\"no exit permit for him\""),
            "{backend}: the note is kept"
        );
        assert!(
            refused
                .body
                .contains("<details class=\"member-actions\" open>"),
            "{backend}: the row's actions stay open"
        );
        let fields = form("companion-refused")();
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let tapped = gate.post_form("/gate", &fields).await;
        assert_eq!(tapped.status, StatusCode::SEE_OTHER, "{}", tapped.body);
        assert_eq!(
            location(&tapped),
            format!("/gate?{DAY}&show=expected#member-{companion}"),
            "{backend}: back at the same row, with the filters"
        );
        let screen = gate.get(&format!("/gate?{DAY}&show=expected")).await;
        assert!(
            screen.body.contains(&format!("turned-back: {companion}")),
            "{backend}: the flash says who"
        );
        // The card stays in "not yet recorded": the patient is still expected.
        assert!(
            screen.body.contains(&format!("id=\"party-{patient}\"")),
            "{backend}"
        );

        // The party's tap takes those still expected.
        let crossed = officer
            .send_json(
                Method::POST,
                "/api/v1/gate",
                &json!({"crossing": "rafah", "date": "2026-02-02", "person": patient, "outcome": "crossed"}),
            )
            .await;
        assert_eq!(crossed.status, StatusCode::OK, "{}", crossed.body);
        let people: Vec<String> = crossed.json()["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        let mut expected = vec![patient.clone()];
        expected.extend(companions[1..].iter().cloned());
        assert_eq!(people, expected, "{backend}");
        let undo_refused = gate
            .post_form(
                "/gate/undo",
                &[
                    ("crossing", "rafah"),
                    ("date", "2026-02-02"),
                    ("person", &patient),
                    ("member", &companion),
                    ("reason", " "),
                ],
            )
            .await;
        assert_eq!(undo_refused.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(
            undo_refused.body.contains("id=\"error-reason\""),
            "{backend}"
        );

        // The coordinator replaces the companion turned back.
        let mut desk = app.signed_in(UserRole::Coordinator).await;
        let record = desk.get(&format!("/people/{patient}")).await;
        assert_eq!(record.status, StatusCode::OK, "{}", record.body);
        let link = format!("/people/{patient}/replace-companion?companion={companion}");
        assert!(record.body.contains(&link), "{backend}: {}", record.body);
        let officer_form = gate.get(&link).await;
        assert_eq!(officer_form.status, StatusCode::FORBIDDEN, "{backend}");
        let page = desk.get(&link).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body
                .contains(&format!("<option value=\"{companion}\" selected>")),
            "{backend}"
        );
        let replace = |birth_year: &'static str, reason: &'static str| {
            vec![
                ("companion", companion.clone()),
                ("name", "Huda".to_string()),
                ("relationship", "sibling".to_string()),
                ("birth_year", birth_year.to_string()),
                ("sex", "female".to_string()),
                ("reason", reason.to_string()),
            ]
        };
        let path = format!("/people/{patient}/replace-companion");
        for (fields, at_fault) in [
            (
                replace("abc", "turned back; her sister instead"),
                "birth_year",
            ),
            (replace("1992", "  "), "reason"),
        ] {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let refused = desk.post_form(&path, &fields).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend}");
            assert!(
                refused.body.contains(&format!("id=\"error-{at_fault}\"")),
                "{backend}: {}",
                refused.body
            );
            assert!(refused.body.contains("value=\"Huda\""), "{backend}");
            assert!(
                refused.body.contains("<option value=\"sibling\" selected>"),
                "{backend}"
            );
        }
        let fields = replace("1992", "turned back; her sister travels instead");
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let done = desk.post_form(&path, &fields).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(location(&done), format!("/people/{patient}#companions"));
        let record = desk.get(&format!("/people/{patient}")).await;
        assert!(record.body.contains("replaced by"), "{backend}");
        assert!(record.body.contains("keeps their place"), "{backend}");
        let again = coordinator
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{patient}/replace-companion"),
                &json!({"companion": companion, "relationship": "spouse", "birth_year": "1980", "sex": "male", "reason": "again"}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(again["field"], "companion", "{backend}");
        assert!(
            again["detail"]
                .as_str()
                .unwrap()
                .contains("was already replaced by C-"),
            "{again}"
        );
        let audit = app.audit().await;
        assert_eq!(
            audit
                .iter()
                .filter(|e| e.action == "person.replace-companion")
                .count(),
            1,
            "{backend}"
        );
        app.finish().await;
    }
}
