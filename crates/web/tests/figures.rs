//! The public figures: read by everyone signed in, added by analysts and
//! coordinators on the page and through the API, audited, one per key and
//! date, and a refused form comes back as typed.

use axum::http::{Method, StatusCode};
use corridor_domain::{Permission, UserRole};
use serde_json::json;

use crate::harness::{RouteCase, apps};

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/figures",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/figures",
        body: Some(
            "key=matrix-check&label=A+check&value=5&unit=people&date=2026-01-05\
             &publisher=WHO&title=Briefing&published=2026-01-06&url=&note=",
        ),
        permission: Permission::ManageFigures,
        // 303 for the first role allowed, which records it; 409 (the form
        // again: that key and date is recorded) for the roles after it.
        answers: &[StatusCode::SEE_OTHER, StatusCode::CONFLICT],
    },
    RouteCase {
        method: "POST",
        path: "/figures/import",
        body: Some(""),
        permission: Permission::ManageFigures,
        // 400: no file was sent.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/figures",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/figures",
        body: Some(
            r#"{"key": "matrix-api-check", "label": "A check", "value": 5, "unit": "people",
                "date": "2026-01-05", "publisher": "WHO", "title": "Briefing", "published": "2026-01-06"}"#,
        ),
        permission: Permission::ManageFigures,
        // 201 for the first role allowed; 409 for the roles after it.
        answers: &[StatusCode::CREATED, StatusCode::CONFLICT],
    },
];

const FIGURE_FORM: [(&str, &str); 10] = [
    ("key", "waiting-list-children"),
    ("label", "Children waiting for medical evacuation"),
    ("value", "4,500"),
    ("unit", "people"),
    ("date", "2026-01-20"),
    ("publisher", "WHO"),
    ("title", "Medical evacuations from Gaza, briefing"),
    ("published", "2026-01-21"),
    ("url", ""),
    ("note", "about a quarter of the list"),
];

fn with(field: &str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    FIGURE_FORM
        .iter()
        .map(|&(name, typed)| (name, if name == field { value } else { typed }))
        .collect()
}

#[tokio::test]
async fn an_analyst_records_a_sourced_figure_and_every_role_reads_it() {
    for app in apps().await {
        let mut analyst = app.signed_in(UserRole::Analyst).await;
        let done = analyst.post_form("/figures", &FIGURE_FORM).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let page = analyst.get("/figures").await;
        assert!(
            page.body
                .contains("Recorded waiting-list-children = 4500 people on 2026-01-20"),
            "{}",
            page.body
        );
        let entry = app.audit().await.pop().unwrap();
        assert_eq!(
            (entry.action.as_str(), entry.actor.as_str()),
            ("figure.add", "analyst")
        );
        assert_eq!(entry.subject, "waiting-list-children");

        // Every role reads it, on the page and in the API; only some add.
        for role in UserRole::ALL {
            let mut reader = app.signed_in(*role).await;
            let page = reader.get("/figures").await;
            assert_eq!(page.status, StatusCode::OK, "{role:?}");
            assert!(
                page.body
                    .contains("Children waiting for medical evacuation")
            );
            assert_eq!(
                page.body.contains("Record the figure"),
                role.can(Permission::ManageFigures),
                "{role:?}"
            );
        }
        let listed = app
            .with_token(UserRole::LogisticsOfficer)
            .await
            .get("/api/v1/figures")
            .await
            .json();
        let figure = listed["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == "waiting-list-children" && f["date"] == "2026-01-20")
            .unwrap()
            .clone();
        assert_eq!(figure["value"], 4500.0);
        assert_eq!(figure["url"], serde_json::Value::Null);
        assert_eq!(figure["note"], "about a quarter of the list");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_refused_figure_comes_back_as_typed_with_the_message_beside_its_field() {
    for app in apps().await {
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        for (field, typed, message) in [
            ("value", "many", "is not a number"),
            ("date", "20/01/2026", "is not a date"),
            ("key", "waiting list", "use letters, digits"),
        ] {
            let refused = coordinator.post_form("/figures", &with(field, typed)).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{field}");
            assert!(
                refused.body.contains(&format!("id=\"error-{field}\"")),
                "{field}: {}",
                refused.body
            );
            assert!(refused.body.contains(message), "{field}: {}", refused.body);
            assert!(refused.body.contains("value=\"WHO\""), "the rest is kept");
            assert!(refused.body.contains("about a quarter of the list"));
        }
        // Once recorded, the same key and date is refused for the whole form.
        let done = coordinator.post_form("/figures", &FIGURE_FORM).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let again = coordinator.post_form("/figures", &FIGURE_FORM).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("already recorded"), "{}", again.body);
        assert!(again.body.contains("value=\"4,500\""));

        // The API refuses the same way, naming the field.
        let mut api = app.with_token(UserRole::Analyst).await;
        let problem = api
            .send_json(
                Method::POST,
                "/api/v1/figures",
                &json!({"key": "k", "label": "l", "value": 1, "unit": "u", "date": "2026-13-01",
                        "publisher": "p", "title": "t", "published": "2026-01-01"}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "date", "{problem}");
        // A role that may not add figures is refused.
        let mut gate = app.signed_in(UserRole::CrossingOfficer).await;
        let refused = gate.post_form("/figures", &FIGURE_FORM).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        app.finish().await;
    }
}

const FIGURES_FILE_HEAD: &str = "Key,Figure,Value,Unit,Date,Publisher,Title,Published,URL,Note\n\
    #indicator+code,#indicator+name,#indicator+num,#indicator+unit,#date+reported,#meta+source,\
    #meta+source+title,#date+source,#meta+source+url,#description+notes\n";

#[tokio::test]
async fn a_figures_file_is_imported_whole_or_refused_with_each_bad_row() {
    for app in apps().await {
        let backend = app.backend;
        let mut analyst = app.signed_in(UserRole::Analyst).await;
        let page = analyst.get("/figures").await;
        assert!(page.body.contains("Import the figures in the file"));
        let before = app.audit().await.len();

        // Line 4 has a value that is no number, line 5 no date: nothing
        // is recorded and each is named by line and column.
        let bad = format!(
            "{FIGURES_FILE_HEAD}\
             patients-out,Patients evacuated,36,people,2026-02-05,WHO,Rafah reopening,2026-02-06,,\n\
             companions-out,Companions evacuated,many,people,2026-02-05,WHO,Rafah reopening,2026-02-06,,\n\
             patients-waiting,Patients waiting,18500,people,,WHO,Rafah reopening,2026-02-06,,\n"
        );
        let refused = analyst
            .upload("/figures/import", "rafah.csv", bad.as_bytes())
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend}");
        for says in [
            "The file was not taken: 2 problems to fix",
            "id=\"error-file\"",
            "line 4, column #indicator+num",
            "line 5, column #date+reported",
        ] {
            assert!(
                refused.body.contains(says),
                "{backend}: {says}: {}",
                refused.body
            );
        }
        assert_eq!(
            app.audit().await.len(),
            before,
            "{backend}: nothing recorded"
        );
        assert!(
            !analyst
                .get("/figures")
                .await
                .body
                .contains("Patients evacuated")
        );

        // No file at all says which file to choose.
        let empty = analyst.upload("/figures/import", "", b"").await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(
            empty
                .body
                .contains("no file was sent; choose a figures file")
        );

        // The corrected file is taken whole, in one audited event.
        let good = format!(
            "{FIGURES_FILE_HEAD}\
             patients-out,Patients evacuated,36,people,2026-02-05,WHO,Rafah reopening,2026-02-06,,\n\
             companions-out,Companions evacuated,62,people,2026-02-05,WHO,Rafah reopening,2026-02-06,,first four days\n"
        );
        let taken = analyst
            .upload("/figures/import", "rafah.csv", good.as_bytes())
            .await;
        assert_eq!(
            taken.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            taken.body
        );
        let page = analyst.get("/figures").await;
        assert!(
            page.body.contains("Imported 2 figures from rafah.csv."),
            "{}",
            page.body
        );
        assert!(page.body.contains("Companions evacuated"));
        let entry = app.audit().await.pop().unwrap();
        assert_eq!(
            (
                entry.action.as_str(),
                entry.subject.as_str(),
                entry.actor.as_str()
            ),
            ("figure.import", "rafah.csv", "analyst"),
            "{backend}"
        );

        // The same file again: those keys and dates are recorded already.
        let again = analyst
            .upload("/figures/import", "rafah.csv", good.as_bytes())
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{backend}");
        assert!(again.body.contains("already recorded"), "{}", again.body);

        // A role that may not add figures may not import them.
        let mut officer = app.signed_in(UserRole::CrossingOfficer).await;
        let page = officer.get("/figures").await;
        assert!(!page.body.contains("Import the figures in the file"));
        let refused = officer
            .upload("/figures/import", "rafah.csv", good.as_bytes())
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend}");
        app.finish().await;
    }
}
