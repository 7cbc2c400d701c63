//! The frame around every page: an HTML page for an address that matches
//! no route (a problem document under /api/), error pages that keep the
//! signed-in user's navigation and say where to go next, the favicon, and
//! a skip link as the first thing the keyboard reaches.

use axum::http::{Method, StatusCode, header};
use corridor_domain::UserRole;

use crate::harness::{Reply, apps};
use crate::routes::all_routes;

/// Asserts an HTML page with this status, framed for a signed-in user: the
/// navigation, the sign-out button and a way back to the dashboard.
fn framed_error_page(reply: &Reply, status: StatusCode, context: &str) {
    assert_eq!(reply.status, status, "{context}: {}", reply.body);
    assert!(
        reply.content_type().starts_with("text/html"),
        "{context}: {}",
        reply.content_type()
    );
    for part in [
        "<nav aria-label=\"Screens\">",
        "<a href=\"/\">Dashboard</a>",
        "Sign out</button>",
        "role=\"alert\"",
        "go back to the dashboard</a>",
    ] {
        assert!(
            reply.body.contains(part),
            "{context}: no {part}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn an_unknown_address_answers_a_page_in_the_frame_or_a_problem_under_the_api() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let page = coordinator.get("/no/such/page").await;
        framed_error_page(&page, StatusCode::NOT_FOUND, backend);
        assert!(
            page.body.contains("<title>Not Found · corridor</title>"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("there is no page at this address"),
            "{}",
            page.body
        );
        // The coordinator's own screens are offered.
        assert!(
            page.body.contains("<a href=\"/people\">Waiting list</a>"),
            "{}",
            page.body
        );

        // Signed out: the same page, offering to sign in instead.
        let page = app.anonymous().get("/no/such/page").await;
        assert_eq!(
            page.status,
            StatusCode::NOT_FOUND,
            "{backend}: {}",
            page.body
        );
        assert!(page.content_type().starts_with("text/html"), "{backend}");
        assert!(
            page.body.contains("<a href=\"/sign-in\">Sign in</a>"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("<nav"), "{}", page.body);
        assert!(!page.body.contains("Sign out"), "{}", page.body);

        for mut client in [app.anonymous(), app.with_token(UserRole::Coordinator).await] {
            let problem = client
                .get("/api/v1/no-such-thing")
                .await
                .problem(StatusCode::NOT_FOUND);
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains("/api/openapi.json"),
                "{backend}: {problem}"
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn error_pages_keep_the_navigation_of_the_signed_in_user() {
    for app in apps().await {
        let backend = app.backend;
        let mut analyst = app.signed_in(UserRole::Analyst).await;
        // Refused by a handler.
        let page = analyst.get("/admin/users").await;
        framed_error_page(&page, StatusCode::FORBIDDEN, backend);
        assert!(page.body.contains("may not do this"), "{}", page.body);
        assert!(
            page.body.contains("Test analyst</bdi> · Analyst"),
            "{}",
            page.body
        );
        assert!(
            !page.body.contains("<a href=\"/admin/users\">"),
            "{}",
            page.body
        );
        // Refused before any handler: a query string that does not parse,
        // and a change without its CSRF token.
        let page = app
            .signed_in(UserRole::Coordinator)
            .await
            .get("/people?page=minus-one")
            .await;
        framed_error_page(&page, StatusCode::BAD_REQUEST, backend);
        assert!(
            page.body.contains("Test coordinator</bdi> · Coordinator"),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("the request is not what this address takes"),
            "{}",
            page.body
        );
        let page = analyst.send(Method::DELETE, "/forecast", None, None).await;
        framed_error_page(&page, StatusCode::FORBIDDEN, backend);
        assert!(page.body.contains("X-CSRF-Token"), "{}", page.body);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_favicon_is_served_long_cached_and_linked_from_every_frame() {
    for app in apps().await {
        let backend = app.backend;
        let icon = app.anonymous().get("/assets/favicon.svg").await;
        assert_eq!(icon.status, StatusCode::OK, "{backend}");
        assert_eq!(icon.content_type(), "image/svg+xml", "{backend}");
        assert!(icon.body.starts_with("<svg"), "{}", icon.body);
        let caching = icon.headers[header::CACHE_CONTROL].to_str().unwrap();
        let max_age: u64 = caching
            .split("max-age=")
            .nth(1)
            .and_then(|age| age.split(',').next())
            .and_then(|age| age.trim().parse().ok())
            .unwrap_or_else(|| panic!("a max-age in {caching}"));
        assert!(
            caching.starts_with("public") && max_age >= 7 * 24 * 3600,
            "{caching}"
        );

        let link = "<link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">";
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        for page in [
            app.anonymous().get("/sign-in").await,
            coordinator.get("/").await,
            coordinator.get("/no/such/page").await,
        ] {
            assert!(page.body.contains(link), "{backend}: {}", page.body);
        }
        app.finish().await;
    }
}

/// The first element of the body that takes the keyboard's focus.
fn first_focusable(html: &str) -> &str {
    let body = &html[html.find("<body").expect("a body")..];
    let start = ["<a ", "<button", "<input", "<select", "<textarea"]
        .iter()
        .filter_map(|tag| body.find(tag))
        .min()
        .expect("something to focus");
    let element = &body[start..];
    &element[..=element.find('>').expect("a whole tag")]
}

#[tokio::test]
async fn the_first_thing_the_keyboard_reaches_on_every_page_skips_to_the_content() {
    let skip_link = "<a class=\"skip-link\" href=\"#content\">";
    for app in apps().await {
        let backend = app.backend;
        let sign_in = app.anonymous().get("/sign-in").await;
        assert_eq!(
            first_focusable(&sign_in.body),
            skip_link,
            "{backend}: sign-in"
        );
        assert!(
            sign_in.body.contains("Skip to content</a>"),
            "{}",
            sign_in.body
        );
        assert!(
            sign_in
                .body
                .contains("<main class=\"narrow\" id=\"content\""),
            "{}",
            sign_in.body
        );

        for role in UserRole::ALL {
            let mut client = app.signed_in(*role).await;
            let pages = all_routes()
                .into_iter()
                .filter(|case| case.method == "GET" && !case.path.starts_with("/api/"))
                .filter(|case| role.can(case.permission))
                .map(|case| case.path)
                .chain(["/no/such/page"]);
            for path in pages {
                let page = client.get(path).await;
                let context = format!("{backend} {path} as {role}: {}", page.status);
                if !page.content_type().starts_with("text/html") {
                    continue;
                }
                assert_eq!(first_focusable(&page.body), skip_link, "{context}");
                assert!(page.body.contains("<main id=\"content\""), "{context}");
            }
        }
        app.finish().await;
    }
}
