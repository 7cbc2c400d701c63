//! Every route × every role, and no one signed in. A role without the
//! route's permission gets 403 (a problem document from the API); a role
//! with it gets one of the answers its case names, never a 5xx (a personal
//! record outside the user's scope is still refused, with the way to break
//! the glass); no one signed in gets 401 from the API and the sign-in page
//! from a page (a form sent without a session fails its CSRF check: 403).
//! The routes anyone may use have their own cases. And the matrix is
//! complete: every operation of the OpenAPI document and every other route
//! of the router is in it, and every case is a route.

use axum::http::{Method, StatusCode, header};
use corridor_domain::UserRole;

use crate::harness::{Client, PASSWORD, Reply, RouteCase, TestApp};

/// Each test module lists its routes; add a module's list here.
pub fn all_routes() -> Vec<&'static RouteCase> {
    [
        crate::people::ROUTES,
        crate::dashboard::ROUTES,
        crate::registry::ROUTES,
        crate::day::ROUTES,
        crate::admin::ROUTES,
        crate::aid::ROUTES,
        crate::reasons::ROUTES,
        crate::figures::ROUTES,
        crate::clearance::ROUTES,
        crate::plan::ROUTES,
        crate::returnees::ROUTES,
        crate::exports::ROUTES,
        crate::companions::ROUTES,
        crate::calls::ROUTES,
        crate::standby::ROUTES,
        crate::notices::ROUTES,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A route that needs no permission, and what it answers to anyone, signed
/// in or not.
struct PublicRoute {
    method: &'static str,
    path: &'static str,
    form: Option<&'static [(&'static str, &'static str)]>,
    answer: StatusCode,
    location: Option<&'static str>,
}

const PUBLIC_ROUTES: &[PublicRoute] = &[
    PublicRoute {
        method: "GET",
        path: "/sign-in",
        form: None,
        answer: StatusCode::OK,
        location: None,
    },
    // Signing in again, signed in or not, goes to the dashboard.
    PublicRoute {
        method: "POST",
        path: "/sign-in",
        form: Some(&[("username", "analyst"), ("password", PASSWORD)]),
        answer: StatusCode::SEE_OTHER,
        location: Some("/"),
    },
    PublicRoute {
        method: "POST",
        path: "/sign-out",
        form: Some(&[]),
        answer: StatusCode::SEE_OTHER,
        location: Some("/sign-in"),
    },
    PublicRoute {
        method: "GET",
        path: "/assets/style.css",
        form: None,
        answer: StatusCode::OK,
        location: None,
    },
    PublicRoute {
        method: "GET",
        path: "/assets/favicon.svg",
        form: None,
        answer: StatusCode::OK,
        location: None,
    },
    // The Arabic typeface: the sign-in page uses it before anyone signs in.
    PublicRoute {
        method: "GET",
        path: "/assets/fonts/NotoSansArabic-Regular.ttf",
        form: None,
        answer: StatusCode::OK,
        location: None,
    },
    PublicRoute {
        method: "GET",
        path: "/assets/fonts/NotoSansArabic-Bold.ttf",
        form: None,
        answer: StatusCode::OK,
        location: None,
    },
    // A gateway's delivery report carries no session or token: its
    // signature is its credential, and without a secret set none is taken.
    PublicRoute {
        method: "POST",
        path: "/api/v1/notices/delivery",
        form: None,
        answer: StatusCode::FORBIDDEN,
        location: None,
    },
    PublicRoute {
        method: "GET",
        path: "/api/openapi.json",
        form: None,
        answer: StatusCode::OK,
        location: None,
    },
];

async fn send_case(client: &mut Client, case: &RouteCase) -> Reply {
    let method = Method::from_bytes(case.method.as_bytes()).unwrap();
    match case.body {
        Some(body) if case.path.starts_with("/api/") => {
            let body: serde_json::Value = serde_json::from_str(body).unwrap();
            client.send_json(method, case.path, &body).await
        }
        Some(body) => {
            let fields: Vec<(String, String)> = serde_urlencoded::from_str(body).unwrap();
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            client.post_form(case.path, &fields).await
        }
        None => client.send(method, case.path, None, None).await,
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_its_permission_says() {
    let app = TestApp::sqlite().await;
    for case in all_routes() {
        let is_api = case.path.starts_with("/api/");
        for role in UserRole::ALL {
            let mut client = if is_api {
                app.with_token(*role).await
            } else {
                app.signed_in(*role).await
            };
            let reply = send_case(&mut client, case).await;
            let context = format!("{} {} as {role}: {}", case.method, case.path, reply.status);
            if role.can(case.permission) {
                assert!(
                    case.answers.contains(&reply.status),
                    "{context}, expected one of {:?}: {}",
                    case.answers,
                    reply.body
                );
                // Allowed by role, a record outside the user's scope is
                // still refused, with the way to break the glass.
                if reply.status == StatusCode::FORBIDDEN {
                    assert!(
                        reply.body.to_lowercase().contains("break"),
                        "{context} {}",
                        reply.body
                    );
                }
            } else if is_api {
                reply.problem(StatusCode::FORBIDDEN);
            } else {
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{context}");
            }
        }

        let reply = send_case(&mut app.anonymous(), case).await;
        let context = format!("{} {} signed out: {}", case.method, case.path, reply.status);
        match (is_api, case.method) {
            (true, "GET") => {
                reply.problem(StatusCode::UNAUTHORIZED);
            }
            // A request that changes something, without a session or a
            // token, carries no CSRF token: refused before its handler.
            (_, "POST" | "PATCH" | "PUT" | "DELETE") => {
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{context}")
            }
            (false, _) => {
                assert_eq!(reply.status, StatusCode::SEE_OTHER, "{context}");
                assert_eq!(reply.headers[header::LOCATION], "/sign-in", "{context}");
            }
            (true, method) => panic!("{context}: no expectation for {method}"),
        }
    }
    app.finish().await;
}

#[tokio::test]
async fn the_public_routes_answer_everyone() {
    let app = TestApp::sqlite().await;
    for route in PUBLIC_ROUTES {
        for role in UserRole::ALL.iter().map(Some).chain([None]) {
            let mut client = match role {
                Some(role) => app.signed_in(*role).await,
                None => {
                    let mut client = app.anonymous();
                    // The sign-in form gives a session its CSRF token.
                    client.get("/sign-in").await;
                    client
                }
            };
            let reply = match route.form {
                Some(fields) => client.post_form(route.path, fields).await,
                None => {
                    let method = Method::from_bytes(route.method.as_bytes()).unwrap();
                    client.send(method, route.path, None, None).await
                }
            };
            let context = format!("{} {} as {role:?}", route.method, route.path);
            assert_eq!(reply.status, route.answer, "{context}: {}", reply.body);
            if let Some(location) = route.location {
                assert_eq!(reply.headers[header::LOCATION], location, "{context}");
            }
        }
    }
    app.finish().await;
}

#[tokio::test]
async fn every_api_path_of_the_openapi_document_is_in_the_matrix() {
    let app = TestApp::sqlite().await;
    let document = app.anonymous().get("/api/openapi.json").await.json();
    let routes = all_routes();
    let mut operations = 0;
    for (path, methods) in document["paths"].as_object().unwrap() {
        for method in methods.as_object().unwrap().keys() {
            operations += 1;
            let covered = routes.iter().any(|case| {
                case.method.eq_ignore_ascii_case(method) && same_template(path, case.path)
            }) || PUBLIC_ROUTES
                .iter()
                .any(|route| route.method.eq_ignore_ascii_case(method) && route.path == path);
            assert!(covered, "{method} {path} has no case in the route matrix");
        }
    }
    assert!(
        operations >= 30,
        "only {operations} operations in the document"
    );
    // And no case names an API route that is not in the document.
    for case in routes.iter().filter(|case| case.path.starts_with("/api/")) {
        let documented = document["paths"]
            .as_object()
            .unwrap()
            .iter()
            .any(|(path, methods)| {
                same_template(path, case.path)
                    && methods
                        .as_object()
                        .unwrap()
                        .keys()
                        .any(|method| case.method.eq_ignore_ascii_case(method))
            });
        assert!(
            documented,
            "{} {} is in the matrix but not in the OpenAPI document",
            case.method, case.path
        );
    }
    app.finish().await;
}

/// The pages, the stylesheet and the OpenAPI document, as the router lists
/// them (`web::routes_outside_the_api`): a route added to the router
/// without a case fails here.
#[test]
fn every_route_outside_the_api_is_in_the_matrix() {
    let routes = all_routes();
    let listed = corridor_web::routes_outside_the_api();
    assert!(listed.len() > 40, "only {} routes listed", listed.len());
    for (method, template) in &listed {
        let in_matrix = routes
            .iter()
            .any(|case| case.method == method.as_str() && same_template(template, case.path));
        let public = PUBLIC_ROUTES
            .iter()
            .any(|route| route.method == method.as_str() && route.path == *template);
        assert!(
            in_matrix || public,
            "{method} {template} has no case in the route matrix"
        );
        assert!(
            !(in_matrix && public),
            "{method} {template} is both public and in the matrix"
        );
    }
    // And no case names a page that is not routed (the API's are checked
    // against the OpenAPI document above).
    for case in routes.iter().filter(|case| !case.path.starts_with("/api/")) {
        assert!(
            listed
                .iter()
                .any(|(method, template)| case.method == method.as_str()
                    && same_template(template, case.path)),
            "{} {} is in the matrix but not routed",
            case.method,
            case.path
        );
    }
}

/// `/api/v1/people/{id}` matches `/api/v1/people/P-000001`.
pub fn same_template(template: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap();
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template
            .iter()
            .zip(&path)
            .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}')))
}
