//! Every route × every role: a role without the route's permission gets
//! 403 (a problem document from the API), a role with it gets past the
//! role check (a personal record outside the user's scope is still refused,
//! with the way to break the glass). And every path of the OpenAPI document is in the matrix.

use axum::http::{Method, StatusCode};
use corridor_domain::UserRole;

use crate::harness::{RouteCase, TestApp};

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
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[tokio::test]
async fn every_route_refuses_every_role_without_its_permission() {
    let app = TestApp::sqlite().await;
    for case in all_routes() {
        for role in UserRole::ALL {
            let is_api = case.path.starts_with("/api/");
            let method = Method::from_bytes(case.method.as_bytes()).unwrap();
            let reply = if is_api {
                let mut client = app.with_token(*role).await;
                match case.body {
                    Some(body) => {
                        let body: serde_json::Value = serde_json::from_str(body).unwrap();
                        client.send_json(method, case.path, &body).await
                    }
                    None => client.send(method, case.path, None, None).await,
                }
            } else {
                let mut browser = app.signed_in(*role).await;
                match case.body {
                    Some(body) => {
                        let fields: Vec<(String, String)> =
                            serde_urlencoded::from_str(body).unwrap();
                        let fields: Vec<(&str, &str)> = fields
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.as_str()))
                            .collect();
                        browser.post_form(case.path, &fields).await
                    }
                    None => browser.send(method, case.path, None, None).await,
                }
            };
            let allowed = role.can(case.permission);
            let context = format!("{} {} as {role}: {}", case.method, case.path, reply.status);
            if allowed {
                // Allowed by role; a record outside the user's scope is
                // still refused, with the way to break the glass.
                let out_of_scope = reply.status == StatusCode::FORBIDDEN
                    && reply.body.to_lowercase().contains("break");
                assert!(
                    reply.status != StatusCode::UNAUTHORIZED
                        && (reply.status != StatusCode::FORBIDDEN || out_of_scope),
                    "{context} {}",
                    reply.body
                );
            } else if is_api {
                reply.problem(StatusCode::FORBIDDEN);
            } else {
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{context}");
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
    for (path, operations) in document["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            let covered = routes.iter().any(|case| {
                case.method.eq_ignore_ascii_case(method) && same_template(path, case.path)
            });
            assert!(covered, "{method} {path} has no case in the route matrix");
        }
    }
    app.finish().await;
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
