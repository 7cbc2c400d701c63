//! What the server logs for the operator: one access line per request with
//! the route template — never the raw path or query string, which may hold
//! a name — and every server failure under an id that the answer repeats.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use corridor_domain::UserRole;

use crate::harness::TestApp;

/// A logger writing into memory, for this thread (the test's runtime).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn start(&self) -> tracing::subscriber::DefaultGuard {
        let sink = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The access lines of a log, by the route they name.
fn access_line<'a>(log: &'a str, route: &str) -> &'a str {
    log.lines()
        .find(|line| line.contains(" request ") && line.contains(&format!("route={route} ")))
        .unwrap_or_else(|| panic!("no access line for {route}:\n{log}"))
}

#[tokio::test]
async fn an_access_line_names_the_route_template_and_never_the_query() {
    let log = Captured::default();
    let _logging = log.start();
    let app = TestApp::sqlite().await;
    let mut coordinator = app.with_token(UserRole::Coordinator).await;
    let list = coordinator
        .get("/api/v1/people?tier=critical&specialty=oncology&age_group=0-4")
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let name = app
        .state
        .store
        .person(&corridor_domain::PersonId::parse("P-000001").unwrap())
        .await
        .unwrap()
        .unwrap()
        .person
        .name
        .unwrap();
    let person = coordinator.get("/api/v1/people/P-000001").await;
    assert_eq!(person.status, StatusCode::OK);
    assert!(person.body.contains(name.as_str()));
    let mut browser = app.signed_in(UserRole::Coordinator).await;
    browser.get("/people/P-000001").await;
    app.anonymous()
        .get(&format!(
            "/no-such-page?name={}",
            name.as_str().replace(' ', "+")
        ))
        .await;
    let log = log.text();

    let line = access_line(&log, "/api/v1/people");
    for field in [
        "INFO",
        "method=GET",
        "status=200",
        "user=coordinator",
        "latency_ms=",
    ] {
        assert!(line.contains(field), "{field} missing: {line}");
    }
    let line = access_line(&log, "/api/v1/people/{id}");
    assert!(line.contains("status=200"), "{line}");
    let line = access_line(&log, "/people/{id}");
    assert!(line.contains("user=coordinator"), "{line}");
    let line = access_line(&log, "(unmatched)");
    assert!(
        line.contains("status=404") && line.contains("user=-"),
        "{line}"
    );
    for personal in ["critical", "oncology", "0-4", "P-000001", name.as_str()] {
        assert!(!log.contains(personal), "{personal} was logged:\n{log}");
    }
    app.finish().await;
}

#[tokio::test]
async fn a_server_failure_is_logged_under_the_id_its_answer_gives() {
    let log = Captured::default();
    let _logging = log.start();
    let app = TestApp::sqlite().await;
    let mut coordinator = app.with_token(UserRole::Coordinator).await;
    let mut browser = app.signed_in(UserRole::Coordinator).await;
    app.state.store.close().await;

    let problem = coordinator
        .get("/api/v1/people?tier=critical")
        .await
        .problem(StatusCode::INTERNAL_SERVER_ERROR);
    let id = problem["error_id"].as_str().unwrap().to_string();
    let page = browser.get("/people").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    let log = log.text();

    let error = log
        .lines()
        .find(|line| line.contains("ERROR") && line.contains(&format!("error_id={id}")))
        .unwrap_or_else(|| panic!("no error line with {id}:\n{log}"));
    assert!(error.contains("closed pool"), "what failed: {error}");
    assert!(!error.contains("critical"), "{error}");
    let access = access_line(&log, "/api/v1/people");
    assert!(
        access.contains("status=500") && access.contains(&format!("error_id={id}")),
        "{access}"
    );
    // The page shows the id of its own failure, which is in the log too.
    let access = access_line(&log, "/people");
    let page_id = access
        .split("error_id=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{access}"));
    assert!(page.body.contains(page_id), "{}", page.body);
    app.finish().await;
}
