//! Signing in, sessions, CSRF, API tokens and roles.

use axum::http::{Method, StatusCode, header};
use corridor_domain::{Permission, UserRole};

use crate::harness::{PASSWORD, apps};

#[tokio::test]
async fn signing_in_opens_a_session_with_a_hardened_cookie_and_signing_out_ends_it() {
    for app in apps().await {
        let mut browser = app.anonymous();
        let dashboard = browser.get("/").await;
        assert_eq!(dashboard.status, StatusCode::SEE_OTHER, "{}", app.backend);
        assert_eq!(dashboard.headers[header::LOCATION], "/sign-in");

        let form = browser.get("/sign-in").await;
        let cookie = form.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Strict"), "{cookie}");

        let reply = browser
            .post_form(
                "/sign-in",
                &[("username", "coordinator"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let page = browser.get("/").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Test coordinator"));
        browser.csrf = crate::harness::csrf_in(&page.body);
        // The same cookie, kept by someone else.
        let mut copied = browser.clone();

        let out = browser.post_form("/sign-out", &[]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(browser.get("/").await.status, StatusCode::SEE_OTHER);
        // The session is gone, not only its cookie.
        let stale = copied.get("/").await;
        assert_eq!(stale.status, StatusCode::SEE_OTHER, "{}", app.backend);
        assert_eq!(stale.headers[header::LOCATION], "/sign-in");

        let actions: Vec<String> = app.audit().await.into_iter().map(|e| e.action).collect();
        assert!(actions.contains(&"user.sign-in".to_string()));
        assert!(actions.contains(&"user.sign-out".to_string()));
        app.finish().await;
    }
}

#[tokio::test]
async fn wrong_passwords_are_refused_alike_and_repeated_failures_lock_the_account() {
    for app in apps().await {
        let mut browser = app.anonymous();
        browser.get("/sign-in").await;
        let unknown = browser
            .post_form(
                "/sign-in",
                &[("username", "nobody"), ("password", "whatever it is")],
            )
            .await;
        let wrong = browser
            .post_form(
                "/sign-in",
                &[("username", "analyst"), ("password", "not the password")],
            )
            .await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(
            unknown
                .body
                .contains("the user name or the password is wrong")
        );
        assert!(
            wrong
                .body
                .contains("the user name or the password is wrong")
        );

        for _ in 0..2 {
            browser
                .post_form(
                    "/sign-in",
                    &[("username", "analyst"), ("password", "not the password")],
                )
                .await;
        }
        // Three failures in a row: even the right password waits now.
        let locked = browser
            .post_form(
                "/sign-in",
                &[("username", "analyst"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            locked.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            locked.body
        );
        assert!(locked.body.contains("too many failed sign-ins"));
        // A name typed in another case is the same account, and as locked.
        let shouted = browser
            .post_form(
                "/sign-in",
                &[("username", "ANALYST"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(shouted.status, StatusCode::TOO_MANY_REQUESTS);
        let account = app.state.store.user("analyst").await.unwrap().unwrap();
        assert_eq!(account.failed_sign_ins, 3);
        assert!(account.locked_until.is_some());
        app.finish().await;
    }
}

#[tokio::test]
async fn a_form_without_the_session_csrf_token_is_refused() {
    for app in apps().await {
        let mut browser = app.signed_in(UserRole::Coordinator).await;
        browser.csrf = Some("forged".to_string());
        let reply = browser.post_form("/sign-out", &[]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert!(reply.body.contains("CSRF"), "{}", reply.body);
        // Still signed in: the forged request changed nothing.
        assert_eq!(browser.get("/").await.status, StatusCode::OK);

        let reply = browser
            .send_json(
                Method::POST,
                "/api/v1/people/P-000001/break-glass",
                &serde_json::json!({ "reason": "a forged request from elsewhere" }),
            )
            .await;
        let problem = reply.problem(StatusCode::FORBIDDEN);
        assert!(problem["detail"].as_str().unwrap().contains("X-CSRF-Token"));

        let mut anonymous = app.anonymous();
        let reply = anonymous
            .post_form("/sign-in", &[("username", "admin"), ("password", PASSWORD)])
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "login CSRF");
        app.finish().await;
    }
}

#[tokio::test]
async fn api_tokens_authenticate_without_csrf_and_unknown_tokens_are_refused() {
    for app in apps().await {
        let mut integration = app.with_token(UserRole::Analyst).await;
        let me = integration.get("/api/v1/me").await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        assert_eq!(me.json()["role"], "analyst");
        assert_eq!(
            me.json()["permissions"],
            serde_json::json!(["view-aggregates", "run-forecasts", "manage-figures"])
        );

        let mut request = app.anonymous();
        let reply = request.send(Method::GET, "/api/v1/me", None, None).await;
        reply.problem(StatusCode::UNAUTHORIZED);

        let (token, _) = corridor_web::generate_token();
        let reply = app
            .anonymous()
            .send_bearer(Method::GET, "/api/v1/me", &token)
            .await;
        let problem = reply.problem(StatusCode::UNAUTHORIZED);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("unknown, revoked")
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn every_role_gets_exactly_its_permissions_from_the_api() {
    for app in apps().await {
        for role in UserRole::ALL {
            let mut client = app.with_token(*role).await;
            let me = client.get("/api/v1/me").await.json();
            let expected: Vec<&str> = role.permissions().iter().map(|p| p.as_str()).collect();
            assert_eq!(me["permissions"], serde_json::json!(expected), "{role}");
            let summary = client.get("/api/v1/dashboard").await;
            assert_eq!(
                summary.status == StatusCode::OK,
                role.can(Permission::ViewAggregates),
                "{role}: {}",
                summary.body
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn the_openapi_document_lists_the_api_routes() {
    let app = crate::harness::TestApp::sqlite().await;
    let reply = app.anonymous().get("/api/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let document = reply.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/me",
        "/api/v1/dashboard",
        "/api/v1/forecasts",
        "/api/v1/people",
        "/api/v1/people/{id}",
    ] {
        assert!(document["paths"][path].is_object(), "{path} missing");
    }
    app.finish().await;
}

/// A failed sign-in answer with the name as typed and the session's own
/// token taken out: what an attacker compares between names.
fn answer_without(
    reply: &crate::harness::Reply,
    name: &str,
) -> (StatusCode, Option<String>, String) {
    (
        reply.status,
        reply
            .headers
            .get(axum::http::header::RETRY_AFTER)
            .map(|value| value.to_str().unwrap().to_string()),
        reply.body.replace(name, "NAME"),
    )
}

#[tokio::test]
async fn unknown_and_known_names_are_answered_byte_for_byte_alike_and_locked_alike() {
    for app in apps().await {
        // One browser, so that the page's CSRF token is the same in both.
        let mut browser = app.anonymous();
        browser.get("/sign-in").await;
        // "analyst" exists; "analyzt" does not: same length, same page.
        for attempt in 1..=5 {
            let known = browser
                .post_form(
                    "/sign-in",
                    &[("username", "analyst"), ("password", "not the password")],
                )
                .await;
            let unknown = browser
                .post_form(
                    "/sign-in",
                    &[("username", "analyzt"), ("password", "not the password")],
                )
                .await;
            let expected = if attempt <= 3 {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::TOO_MANY_REQUESTS
            };
            assert_eq!(known.status, expected, "{}: attempt {attempt}", app.backend);
            assert_eq!(
                answer_without(&known, "analyst"),
                answer_without(&unknown, "analyzt"),
                "{}: attempt {attempt}",
                app.backend
            );
        }
        app.finish().await;
    }
}

/// Forty guesses sent at once: each attempt is counted before its password
/// is checked, so at most the lock's allowance is checked (and audited as
/// a failed sign-in); the rest are refused unchecked with 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_guesses_sent_at_once_are_checked_no_more_often_than_the_lock_allows() {
    for app in apps().await {
        let mut browser = app.anonymous();
        browser.get("/sign-in").await;
        let guesses: Vec<_> = (0..40)
            .map(|n| {
                let mut browser = browser.clone();
                tokio::spawn(async move {
                    let guess = format!("guess number {n}");
                    browser
                        .post_form("/sign-in", &[("username", "analyst"), ("password", &guess)])
                        .await
                        .status
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for guess in guesses {
            statuses.push(guess.await.unwrap());
        }
        let checked = app
            .audit()
            .await
            .iter()
            .filter(|entry| entry.action == "user.sign-in-failed" && entry.subject == "analyst")
            .count();
        let allowance = corridor_domain::FREE_SIGN_IN_FAILURES as usize;
        assert!(
            checked <= allowance,
            "{}: {checked} passwords checked",
            app.backend
        );
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::UNAUTHORIZED)
                .count(),
            checked,
            "{}",
            app.backend
        );
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
                .count(),
            40 - checked
        );
        app.finish().await;
    }
}
