//! What the server answers when a request is wrong, or when it fails
//! itself: never a 500 for bad input, always a problem document for the API
//! and a page for browsers — also for the errors made before a handler runs
//! (a bad path, a body over the limit, an unknown address, a method the
//! address does not take) — and no personal data left in a cache.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use corridor_domain::UserRole;

use crate::harness::{Reply, TestApp, apps};

/// Asserts an HTML error page in the application's frame with this status.
fn error_page(reply: &Reply, status: StatusCode) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert!(
        reply.content_type().starts_with("text/html"),
        "{}: {}",
        reply.content_type(),
        reply.body
    );
    assert!(reply.body.contains("class=\"brand\""), "{}", reply.body);
    assert!(reply.body.contains("role=\"alert\""), "{}", reply.body);
}

#[tokio::test]
async fn absurd_page_numbers_are_refused_and_a_page_past_the_end_is_empty() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let mut admin = app.with_token(UserRole::Admin).await;
        for path in [
            "/api/v1/people?page=922337203685477580",
            "/api/v1/people?page=18446744073709551615&per_page=500",
            "/api/v1/clearance/batches?page=922337203685477580",
        ] {
            let problem = coordinator.get(path).await.problem(StatusCode::BAD_REQUEST);
            assert_eq!(problem["field"], "page", "{backend} {path}: {problem}");
        }
        for path in [
            "/api/v1/users?page=922337203685477580",
            "/api/v1/tokens?page=922337203685477580",
        ] {
            let problem = admin.get(path).await.problem(StatusCode::BAD_REQUEST);
            assert_eq!(problem["field"], "page", "{backend} {path}: {problem}");
        }
        // A number that is no u64 at all is refused by the query parser.
        coordinator
            .get("/api/v1/people?page=99999999999999999999999")
            .await
            .problem(StatusCode::BAD_REQUEST);

        let past_the_end = coordinator.get("/api/v1/people?page=1000000").await;
        assert_eq!(past_the_end.status, StatusCode::OK, "{}", past_the_end.body);
        let past_the_end = past_the_end.json();
        assert_eq!(past_the_end["rows"].as_array().unwrap().len(), 0);
        assert!(
            past_the_end["total"].as_u64().unwrap() > 0,
            "{past_the_end}"
        );

        let mut browser = app.signed_in(UserRole::Coordinator).await;
        let page = browser.get("/people?page=922337203685477580").await;
        error_page(&page, StatusCode::BAD_REQUEST);
        assert!(
            page.body.contains("past the end of any list"),
            "{}",
            page.body
        );
        let page = browser.get("/people?page=1000000").await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_problem_document_or_a_page_that_says_so() {
    let app = TestApp::sqlite().await;
    let big = format!("{{\"reason\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let mut coordinator = app.with_token(UserRole::Coordinator).await;
    // Announced by its length, and sent without one (read until too long).
    for announce_length in [true, false] {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/people/P-000001/break-glass")
            .header(header::CONTENT_TYPE, "application/json");
        if announce_length {
            request = request.header(header::CONTENT_LENGTH, big.len());
        }
        let reply = coordinator
            .send_request(request, Body::from(big.clone()))
            .await;
        let problem = reply.problem(StatusCode::PAYLOAD_TOO_LARGE);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("larger than 1 MiB"),
            "{problem}"
        );
    }

    let mut browser = app.signed_in(UserRole::Coordinator).await;
    let form = format!("reason={}", "x".repeat(2 * 1024 * 1024));
    let request = Request::builder()
        .method(Method::POST)
        .uri("/people/P-000001/break-glass")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, form.len());
    let reply = browser.send_request(request, Body::from(form)).await;
    error_page(&reply, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.body.contains("larger than 1 MiB"), "{}", reply.body);
    app.finish().await;
}

#[tokio::test]
async fn a_request_refused_before_its_handler_is_answered_in_the_same_form() {
    let app = TestApp::sqlite().await;
    let mut coordinator = app.with_token(UserRole::Coordinator).await;

    // A path segment that is not UTF-8 once decoded.
    let problem = coordinator
        .get("/api/v1/people/%FF%FE")
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("not what this address takes"),
        "{problem}"
    );
    // A query string of the wrong type.
    coordinator
        .get("/api/v1/people?per_page=many")
        .await
        .problem(StatusCode::BAD_REQUEST);
    // A body that is not JSON, and one sent as another type.
    coordinator
        .send(
            Method::POST,
            "/api/v1/people/P-000001/break-glass",
            Some(("application/json", "{not json".to_string())),
            None,
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    let problem = coordinator
        .send(
            Method::POST,
            "/api/v1/people/P-000001/break-glass",
            Some(("text/plain", "reason".to_string())),
            None,
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("application/json"),
        "{problem}"
    );
    // A method the address does not take: 405, saying which it takes.
    let reply = coordinator
        .send(Method::DELETE, "/api/v1/people", None, None)
        .await;
    let problem = reply.problem(StatusCode::METHOD_NOT_ALLOWED);
    assert!(reply.headers.contains_key(header::ALLOW), "{reply:?}");
    assert!(
        problem["detail"].as_str().unwrap().contains("DELETE"),
        "{problem}"
    );
    // No such address.
    let problem = coordinator
        .get("/api/v1/no-such-thing")
        .await
        .problem(StatusCode::NOT_FOUND);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("/api/openapi.json"),
        "{problem}"
    );

    // Browsers get pages: an unknown page, a bad path, a bad form, a bad method.
    let mut browser = app.signed_in(UserRole::Coordinator).await;
    let reply = browser.get("/no-such-page").await;
    error_page(&reply, StatusCode::NOT_FOUND);
    let reply = app.anonymous().get("/no-such-page").await;
    error_page(&reply, StatusCode::NOT_FOUND);
    let reply = browser.get("/people/%FF%FE").await;
    error_page(&reply, StatusCode::BAD_REQUEST);
    let reply = browser.get("/people?page=minus-one").await;
    error_page(&reply, StatusCode::BAD_REQUEST);
    let reply = browser.post_form("/people/P-000001/break-glass", &[]).await;
    assert!(reply.status.is_client_error(), "{reply:?}");
    error_page(&reply, reply.status);
    let csrf = browser.csrf.clone();
    let reply = browser
        .send(Method::PUT, "/people", None, csrf.as_deref())
        .await;
    error_page(&reply, StatusCode::METHOD_NOT_ALLOWED);
    assert!(reply.headers.contains_key(header::ALLOW), "{reply:?}");
    app.finish().await;
}

#[tokio::test]
async fn a_server_failure_is_a_problem_document_or_a_page_with_the_id_it_was_logged_under() {
    for app in apps().await {
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let mut browser = app.signed_in(UserRole::Coordinator).await;
        // The database goes away under the running server.
        app.state.store.close().await;
        let problem = coordinator
            .get("/api/v1/people")
            .await
            .problem(StatusCode::INTERNAL_SERVER_ERROR);
        let id = problem["error_id"].as_str().unwrap_or_default().to_string();
        assert!(id.len() >= 8, "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("logged"), "{problem}");
        assert!(
            !detail.to_lowercase().contains("pool"),
            "no internals: {problem}"
        );

        let page = browser.get("/people").await;
        error_page(&page, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(page.body.contains("Error id:"), "{}", page.body);
        app.finish().await;
    }
}

/// Every response but the stylesheet and the public OpenAPI document says
/// `Cache-Control: no-store`, so that no personal data stays in a cache.
#[tokio::test]
async fn responses_with_personal_data_are_not_stored_in_caches() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let mut browser = app.signed_in(UserRole::Coordinator).await;
        let cache_control = |reply: &Reply| {
            reply
                .headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        // A day with a manifest, to print and to export.
        coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/confirm",
                &serde_json::json!({"crossing": "rafah", "date": "2026-02-02", "direction": "inbound"}),
            )
            .await;
        for (reply, what) in [
            (browser.get("/people/P-000001").await, "the person page"),
            (browser.get("/people").await, "the waiting list"),
            (
                coordinator.get("/api/v1/people/P-000001").await,
                "the API person",
            ),
            (
                browser
                    .get("/plan/manifest?crossing=rafah&date=2026-02-02&direction=inbound")
                    .await,
                "the manifest print",
            ),
            (
                coordinator
                    .get("/api/v1/manifests?crossing=rafah&date=2026-02-02&direction=inbound")
                    .await,
                "the manifest export",
            ),
            (coordinator.get("/api/v1/no-such-thing").await, "an error"),
            (app.anonymous().get("/sign-in").await, "the sign-in page"),
        ] {
            assert!(
                reply.status.is_success() || reply.status.is_client_error(),
                "{backend} {what}: {}",
                reply.status
            );
            assert_eq!(cache_control(&reply), "no-store", "{backend} {what}");
        }
        let style = app.anonymous().get("/assets/style.css").await;
        assert!(cache_control(&style).starts_with("public"), "{style:?}");
        let openapi = app.anonymous().get("/api/openapi.json").await;
        assert!(cache_control(&openapi).starts_with("public"), "{openapi:?}");
        app.finish().await;
    }
}
