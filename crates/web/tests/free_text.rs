//! Free text — reasons, notes, names, labels — has an upper limit and no
//! control characters (a NUL among them, which PostgreSQL cannot store),
//! wherever it comes in: every API body and the forms. A refusal names the
//! field; a form that refuses shows itself again with what was typed.

use axum::http::{Method, StatusCode};
use corridor_domain::UserRole;
use serde_json::Value;

use crate::harness::apps;

/// The place-holder replaced by the text under test.
const TEXT: &str = "§TEXT§";

/// Every free-text field of the API: the route, a body that the route
/// takes with the text in the field, and the field a refusal names.
/// Organisations are keys of a table, not free text: a referring facility
/// or a user's organisation is refused as an unknown key.
const FIELDS: &[(UserRole, &str, &str, &str)] = &[
    (
        UserRole::Coordinator,
        "/api/v1/people/P-000001/contacts",
        r#"{"phone": "+999 59 123 4567", "label": "§TEXT§"}"#,
        "label",
    ),
    (
        UserRole::Coordinator,
        "/api/v1/calls",
        r#"{"crossing": "rafah", "date": "2026-02-02", "party": "P-000001", "outcome": "declined",
            "reason": "§TEXT§"}"#,
        "reason",
    ),
    (
        UserRole::Coordinator,
        "/api/v1/people/P-000001/break-glass",
        r#"{"reason": "§TEXT§"}"#,
        "reason",
    ),
    (
        UserRole::Coordinator,
        "/api/v1/people",
        r#"{"name": "§TEXT§", "birth_year": "1970", "sex": "male", "condition": "renal",
            "specialty": "nephrology", "tier": "routine", "referring_facility": "Al-Shifa",
            "legal_basis": "consent"}"#,
        "name",
    ),
    (
        UserRole::Coordinator,
        "/api/v1/people",
        r#"{"birth_year": "2019", "sex": "male", "condition": "renal",
            "specialty": "nephrology", "tier": "routine", "referring_facility": "Al-Shifa",
            "legal_basis": "consent",
            "companions": [{"name": "§TEXT§", "relationship": "parent", "birth_year": "1990", "sex": "female"}]}"#,
        "companions[0].name",
    ),
    (
        UserRole::Coordinator,
        "/api/v1/people/P-000001/transitions",
        r#"{"action": "withdraw", "reason_code": "other", "note": "§TEXT§"}"#,
        "note",
    ),
    (
        UserRole::Coordinator,
        "/api/v1/clearance/batches",
        r#"{"crossing": "rafah", "needed_by": "2026-02-05", "places": 1, "note": "§TEXT§"}"#,
        "note",
    ),
    (
        UserRole::ClearanceLiaison,
        "/api/v1/clearance/decisions",
        r#"{"batch": "CB-0001", "decisions": [{"person": "P-000001", "outcome": "denied", "reason_code": "other", "note": "§TEXT§"}]}"#,
        "decisions[0].note",
    ),
    (
        UserRole::Coordinator,
        "/api/v1/plan/overrides",
        r#"{"crossing": "rafah", "date": "2026-02-02", "person": "P-000001", "action": "remove", "reason": "§TEXT§"}"#,
        "reason",
    ),
    (
        UserRole::CrossingOfficer,
        "/api/v1/gate",
        r#"{"crossing": "rafah", "date": "2026-02-02", "person": "P-000001", "outcome": "turned-back", "reason_code": "other", "note": "§TEXT§"}"#,
        "note",
    ),
    (
        UserRole::ReceivingLiaison,
        "/api/v1/destinations/country/EG/close",
        r#"{"reason": "§TEXT§"}"#,
        "reason",
    ),
    (
        UserRole::LogisticsOfficer,
        "/api/v1/aid/consignments/WB-000001/moves",
        r#"{"stage": "staging", "note": "§TEXT§"}"#,
        "note",
    ),
    (
        UserRole::Admin,
        "/api/v1/users",
        r#"{"username": "new-analyst", "display_name": "§TEXT§", "role": "analyst"}"#,
        "display_name",
    ),
    (
        UserRole::Admin,
        "/api/v1/tokens",
        r#"{"username": "analyst", "label": "§TEXT§"}"#,
        "label",
    ),
    (
        UserRole::Coordinator,
        "/api/v1/exports/referrals",
        r#"{"include_personal": true, "purpose": "§TEXT§"}"#,
        "purpose",
    ),
];

/// A body with `text` in the field: written into the JSON as a JSON string.
fn body_with(template: &str, text: &str) -> Value {
    let quoted = serde_json::to_string(text).unwrap();
    let json = template.replace(&format!("\"{TEXT}\""), &quoted);
    serde_json::from_str(&json).unwrap_or_else(|error| panic!("{error}: {json}"))
}

#[tokio::test]
async fn free_text_in_every_api_body_is_bounded_and_has_no_control_characters() {
    let refused = [
        (
            "a NUL \u{0} in a text long enough to pass any minimum",
            "control character",
        ),
        (
            "a bell \u{7} in a text long enough to pass any minimum",
            "control character",
        ),
        (&*"x".repeat(2_001), "longer than"),
    ];
    for app in apps().await {
        let backend = app.backend;
        for (role, path, template, field) in FIELDS {
            let mut client = app.with_token(*role).await;
            for (text, why) in &refused {
                let reply = client
                    .send_json(Method::POST, path, &body_with(template, text))
                    .await;
                let context = format!("{backend} {path} {field} ({why})");
                let problem = reply.problem(StatusCode::BAD_REQUEST);
                assert_eq!(problem["field"], *field, "{context}: {problem}");
                assert!(
                    problem["detail"].as_str().unwrap().contains(why),
                    "{context}: {problem}"
                );
            }
        }
        app.finish().await;
    }
}

/// The reason for breaking the glass is read by the admin: at least 10
/// characters, at most a few hundred.
#[tokio::test]
async fn a_break_the_glass_reason_has_an_upper_limit() {
    for app in apps().await {
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let path = "/api/v1/people/P-000001/break-glass";
        let longest = "r".repeat(300);
        let granted = coordinator
            .send_json(Method::POST, path, &serde_json::json!({"reason": longest}))
            .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        let problem = coordinator
            .send_json(
                Method::POST,
                path,
                &serde_json::json!({"reason": "r".repeat(301)}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "reason");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("longer than 300 characters"),
            "{problem}"
        );
        app.finish().await;
    }
}

/// A user name no account can have — a NUL in it, or a megabyte of it —
/// is refused like a wrong password, not with a server error.
#[tokio::test]
async fn a_sign_in_with_a_name_no_account_can_have_is_refused_like_any_other() {
    for app in apps().await {
        for username in ["coordinator\u{0}", &"u".repeat(100_000)] {
            let mut browser = app.anonymous();
            browser.get("/sign-in").await;
            let reply = browser
                .post_form(
                    "/sign-in",
                    &[("username", username), ("password", "a long test password")],
                )
                .await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", app.backend);
            assert!(
                reply
                    .body
                    .contains("the user name or the password is wrong")
            );
        }
        app.finish().await;
    }
}

/// A status change refused for its reason shows its form again, with the
/// reason as typed and the message next to it; the record is unchanged.
#[tokio::test]
async fn a_refused_status_change_shows_its_form_again_as_typed() {
    for app in apps().await {
        let listed = app
            .with_token(UserRole::Coordinator)
            .await
            .get("/api/v1/people?status=listed&per_page=1")
            .await
            .json();
        let id = listed["rows"][0]["id"].as_str().unwrap().to_string();
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let page = coordinator.get(&format!("/people/{id}")).await;
        assert!(page.body.contains("value=\"withdraw\""), "{}", page.body);
        let version = page
            .body
            .split("name=\"expected_version\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        let typed = format!("the family asked {}", "again and again ".repeat(40));
        let refused = coordinator
            .post_form(
                &format!("/people/{id}/transitions"),
                &[
                    ("action", "withdraw"),
                    ("reason_code", "other"),
                    ("note", &typed),
                    ("expected_version", &version),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", app.backend);
        assert!(
            refused.body.contains(&format!("value=\"{typed}\"")),
            "the note as typed: {}",
            refused.body
        );
        assert!(
            refused.body.contains(
                "<span class=\"field-error\" role=\"alert\" id=\"error-note\">is longer than 500 characters"
            ),
            "{}",
            refused.body
        );
        let after = coordinator.get(&format!("/people/{id}")).await;
        assert!(
            after
                .body
                .contains(&format!("name=\"expected_version\" value=\"{version}\""))
        );
        app.finish().await;
    }
}

/// Breaking the glass with a reason too long shows the form again with the
/// reason as typed and what to do.
#[tokio::test]
async fn a_refused_break_the_glass_reason_shows_the_form_again_as_typed() {
    for app in apps().await {
        let mut referrer = app.signed_in(UserRole::Referrer).await;
        let everyone = app
            .with_token(UserRole::Coordinator)
            .await
            .get("/api/v1/people?per_page=500")
            .await
            .json();
        let mut outside = None;
        for row in everyone["rows"].as_array().unwrap() {
            let id = row["id"].as_str().unwrap();
            let page = referrer.get(&format!("/people/{id}")).await;
            if page.status == StatusCode::FORBIDDEN {
                assert!(page.body.contains("Break the glass"), "{}", page.body);
                outside = Some(id.to_string());
                break;
            }
        }
        let outside = outside.expect("a record outside the referrer's scope");
        let typed = format!("patient transferred to our ward {}", "tonight ".repeat(40));
        let refused = referrer
            .post_form(
                &format!("/people/{outside}/break-glass"),
                &[("reason", &typed)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", app.backend);
        assert!(refused.body.contains(typed.trim_end()), "{}", refused.body);
        assert!(
            refused.body.contains("longer than 300 characters"),
            "{}",
            refused.body
        );
        assert!(
            app.state
                .store
                .break_glass_grants(10)
                .await
                .unwrap()
                .is_empty()
        );
        app.finish().await;
    }
}
