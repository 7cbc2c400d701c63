//! The waiting list and personal records: roles, scope, breaking the glass
//! and the audit of every personal read.

use axum::http::{Method, StatusCode};
use corridor_domain::UserRole;

use corridor_domain::Permission;

use crate::harness::{REFERRER_ORGANISATION, RouteCase, apps};

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/api/v1/me",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/people",
        body: None,
        permission: Permission::ViewPeople,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/people",
        body: None,
        permission: Permission::ViewPeople,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/people/P-000001",
        body: None,
        permission: Permission::ViewPeople,
        // 403: outside the scope of a role that sees only its own registrations (with the
        // way to break the glass).
        answers: &[StatusCode::OK, StatusCode::FORBIDDEN],
    },
    RouteCase {
        method: "GET",
        path: "/people/P-000001",
        body: None,
        permission: Permission::ViewPeople,
        // 403: outside the scope of a role that sees only its own registrations (with the
        // way to break the glass).
        answers: &[StatusCode::OK, StatusCode::FORBIDDEN],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/people/P-000001/break-glass",
        body: Some(r#"{"reason": "checking the route matrix"}"#),
        permission: Permission::ViewPeople,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/people/P-000001/break-glass",
        body: Some("reason=checking+the+route+matrix"),
        permission: Permission::ViewPeople,
        answers: &[StatusCode::SEE_OTHER],
    },
];

#[tokio::test]
async fn the_waiting_list_is_for_roles_working_with_people_and_pages_through_the_scope() {
    for app in apps().await {
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let all = coordinator.get("/api/v1/people?per_page=20").await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.body);
        let all = all.json();
        assert_eq!(all["total"], 300, "{}", app.backend);
        assert_eq!(all["rows"].as_array().unwrap().len(), 20);
        assert_eq!(all["pages"], 15);
        let last = coordinator
            .get("/api/v1/people?per_page=20&page=15")
            .await
            .json();
        assert_eq!(last["rows"].as_array().unwrap().len(), 20);

        let critical = coordinator
            .get("/api/v1/people?tier=critical&per_page=500")
            .await
            .json();
        assert!(
            critical["rows"]
                .as_array()
                .unwrap()
                .iter()
                .all(|row| row["tier"] == "critical")
        );

        // The referrer sees the patients of their own facility only.
        let mut referrer = app.with_token(UserRole::Referrer).await;
        let own = referrer.get("/api/v1/people?per_page=500").await.json();
        let own_total = own["total"].as_u64().unwrap();
        assert!(own_total > 0 && own_total < 300, "{own_total}");
        for row in own["rows"].as_array().unwrap() {
            let id = row["id"].as_str().unwrap();
            let person = referrer.get(&format!("/api/v1/people/{id}")).await.json();
            assert_eq!(person["referring_facility"], REFERRER_ORGANISATION);
        }

        for role in [
            UserRole::Analyst,
            UserRole::LogisticsOfficer,
            UserRole::Admin,
        ] {
            let reply = app.with_token(role).await.get("/api/v1/people").await;
            reply.problem(StatusCode::FORBIDDEN);
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn bad_filters_are_refused_with_the_field_at_fault() {
    for app in apps().await {
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        for (query, field) in [
            ("tier=sometimes", "tier"),
            ("waited_more_than=a%20year", "waited_more_than"),
            ("per_page=100000", "per_page"),
            ("page=0", "page"),
            ("role=visitors", "role"),
        ] {
            let reply = coordinator.get(&format!("/api/v1/people?{query}")).await;
            let problem = reply.problem(StatusCode::BAD_REQUEST);
            assert_eq!(problem["field"], field, "{query}: {problem}");
        }
        let reply = coordinator.get("/api/v1/people/not-an-id!").await;
        assert_eq!(reply.problem(StatusCode::BAD_REQUEST)["field"], "id");
        coordinator
            .get("/api/v1/people/P-999999")
            .await
            .problem(StatusCode::NOT_FOUND);
        app.finish().await;
    }
}

#[tokio::test]
async fn every_personal_read_is_audited_and_outside_the_scope_only_by_breaking_the_glass() {
    for app in apps().await {
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let everyone = coordinator.get("/api/v1/people?per_page=500").await.json();
        let mut referrer = app.with_token(UserRole::Referrer).await;
        // The first record the referrer may not see.
        let mut outside_id = None;
        for row in everyone["rows"].as_array().unwrap() {
            let id = row["id"].as_str().unwrap();
            let reply = referrer.get(&format!("/api/v1/people/{id}")).await;
            if reply.status == StatusCode::FORBIDDEN {
                let problem = reply.problem(StatusCode::FORBIDDEN);
                assert_eq!(
                    problem["break_glass"],
                    format!("/api/v1/people/{id}/break-glass")
                );
                outside_id = Some(id.to_string());
                break;
            }
        }
        let outside_id = outside_id.expect("a patient of another facility");

        let reads_before = count_actions(&app, "person.read").await;
        let person = coordinator
            .get(&format!("/api/v1/people/{outside_id}"))
            .await;
        assert_eq!(person.status, StatusCode::OK);
        assert!(!person.json()["timeline"].as_array().unwrap().is_empty());
        assert_eq!(count_actions(&app, "person.read").await, reads_before + 1);
        let entry = app.audit().await.pop().unwrap();
        assert_eq!(entry.actor, "coordinator");
        assert_eq!(entry.subject, outside_id);

        let short = referrer
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{outside_id}/break-glass"),
                &serde_json::json!({ "reason": "need" }),
            )
            .await;
        assert_eq!(short.problem(StatusCode::BAD_REQUEST)["field"], "reason");
        let granted = referrer
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{outside_id}/break-glass"),
                &serde_json::json!({ "reason": "patient transferred to our ward tonight" }),
            )
            .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        let seen = referrer.get(&format!("/api/v1/people/{outside_id}")).await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
        let grants = app.state.store.break_glass_grants(10).await.unwrap();
        assert_eq!(grants[0].reason, "patient transferred to our ward tonight");
        assert_eq!(count_actions(&app, "person.break-glass").await, 1);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_person_page_shows_the_timeline_and_the_break_glass_form_outside_the_scope() {
    for app in apps().await {
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let list = coordinator.get("/people?tier=critical").await;
        assert_eq!(list.status, StatusCode::OK);
        let id = first_person_link(&list.body);
        let page = coordinator.get(&format!("/people/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Status timeline"));
        assert!(page.body.contains("written to the audit log"));

        let mut analyst = app.signed_in(UserRole::Analyst).await;
        assert_eq!(analyst.get("/people").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            analyst.get(&format!("/people/{id}")).await.status,
            StatusCode::FORBIDDEN
        );
        app.finish().await;
    }
}

fn first_person_link(html: &str) -> String {
    let start = html.find("href=\"/people/P-").expect("a person link") + "href=\"/people/".len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

async fn count_actions(app: &crate::harness::TestApp, action: &str) -> usize {
    app.audit()
        .await
        .iter()
        .filter(|entry| entry.action == action)
        .count()
}

/// Breaking the glass opens a record for reading only: every change is
/// refused with 403 while the grant is in force, the page shows no action
/// and says until when the record may be read. Before, a referrer of
/// another organisation could withdraw the patient for good.
#[tokio::test]
async fn breaking_the_glass_opens_a_record_for_reading_never_for_changing_it() {
    for app in apps().await {
        let outside = person_outside_the_referrers_scope(&app).await;
        let mut referrer = app.signed_in(UserRole::Referrer).await;
        let refused = referrer.get(&format!("/people/{outside}")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(
            refused.body.contains("for reading, for 8 hours"),
            "{}",
            refused.body
        );

        // The reason is bounded; the form comes back with what was typed.
        let long = format!("our ward {}", "x".repeat(300));
        let too_long = referrer
            .post_form(
                &format!("/people/{outside}/break-glass"),
                &[("reason", &long)],
            )
            .await;
        assert_eq!(
            too_long.status,
            StatusCode::BAD_REQUEST,
            "{}",
            too_long.body
        );
        assert!(too_long.body.contains("longer than 300 characters"));
        assert!(too_long.body.contains(&long), "the reason as typed");
        let granted = referrer
            .post_form(
                &format!("/people/{outside}/break-glass"),
                &[("reason", "patient transferred to our ward tonight")],
            )
            .await;
        assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);

        let page = referrer.get(&format!("/people/{outside}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains("you may read this record until ") && !page.body.contains("(UTC)"),
            "{}",
            page.body
        );
        assert!(
            !page.body.contains("/transitions"),
            "no action form: {}",
            page.body
        );
        assert!(!page.body.contains("What you can do now"));

        let version_before = app
            .state
            .store
            .person(&corridor_domain::PersonId::parse(&outside).unwrap())
            .await
            .unwrap()
            .unwrap()
            .line
            .version;
        let form = referrer
            .post_form(
                &format!("/people/{outside}/transitions"),
                &[("action", "withdraw"), ("reason", "no longer needed")],
            )
            .await;
        assert_eq!(form.status, StatusCode::FORBIDDEN, "{}", form.body);
        let mut api = app.with_token(UserRole::Referrer).await;
        let reason = serde_json::json!({ "reason": "patient transferred to our ward tonight" });
        api.send_json(
            Method::POST,
            &format!("/api/v1/people/{outside}/break-glass"),
            &reason,
        )
        .await;
        let read = api.get(&format!("/api/v1/people/{outside}")).await.json();
        assert!(read["read_only_until"].is_string(), "{read}");
        assert_eq!(read["allowed_actions"], serde_json::json!([]));
        for action in ["withdraw", "die", "list"] {
            let reply = api
                .send_json(
                    Method::POST,
                    &format!("/api/v1/people/{outside}/transitions"),
                    &serde_json::json!({
                        "action": action, "reason": "no longer needed", "date": "2026-01-30"
                    }),
                )
                .await;
            let problem = reply.problem(StatusCode::FORBIDDEN);
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains("never change it"),
                "{action}: {problem}"
            );
        }
        let version_after = app
            .state
            .store
            .person(&corridor_domain::PersonId::parse(&outside).unwrap())
            .await
            .unwrap()
            .unwrap()
            .line
            .version;
        assert_eq!(
            version_after, version_before,
            "{}: nothing changed",
            app.backend
        );
        app.finish().await;
    }
}

/// The first patient of the demo whose referral is not the referrer's.
async fn person_outside_the_referrers_scope(app: &crate::harness::TestApp) -> String {
    let mut coordinator = app.with_token(UserRole::Coordinator).await;
    let everyone = coordinator
        .get("/api/v1/people?per_page=500&status=listed")
        .await
        .json();
    for row in everyone["rows"].as_array().unwrap() {
        let id = row["id"].as_str().unwrap();
        let person = coordinator
            .get(&format!("/api/v1/people/{id}"))
            .await
            .json();
        if person["referring_facility"] != REFERRER_ORGANISATION {
            return id.to_string();
        }
    }
    panic!("the demo has listed patients of other facilities");
}
