//! Downloads: every export of the CLI from the page `/exports` and from
//! `/api/v1/exports/…`, with its content type and file name; the files
//! about people audited before they are written, the personal one only
//! with a purpose and only for the role allowed it; a refused form comes
//! back as typed.

use axum::http::{Method, StatusCode, header};
use corridor_domain::{Permission, Scope, UserRole};
use serde_json::json;

use crate::harness::{Client, Reply, RouteCase, TestApp, apps};

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/exports",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/exports/referrals",
        body: Some(""),
        permission: Permission::ExportRecords,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/exports/referrals",
        body: Some("include_personal=yes&purpose=the+route+matrix"),
        permission: Permission::ExportPersonal,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/exports/fhir",
        body: Some(""),
        permission: Permission::ExportRecords,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/exports/waiting-list",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/exports/evacuations?from=2026-01-01&to=2026-01-31",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/exports/deaths",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/exports/utilisation",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/exports/aid",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/exports/figures",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/exports/consignments",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/exports/report?window_days=0",
        body: None,
        permission: Permission::ViewAggregates,
        // Refused (400, at its field) before the forecast runs, which takes
        // seconds unoptimised: the report itself is checked below.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/exports/referrals",
        body: Some("{}"),
        permission: Permission::ExportRecords,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/exports/referrals",
        body: Some(r#"{"include_personal": true, "purpose": "the route matrix"}"#),
        permission: Permission::ExportPersonal,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/exports/fhir",
        body: None,
        permission: Permission::ExportRecords,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/exports/waiting-list",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/exports/evacuations?from=2026-01-01",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/exports/deaths?to=2026-01-31",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/exports/utilisation?to=2026-01-31",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/exports/aid",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/exports/figures",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/exports/consignments",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/exports/report?window_days=0",
        body: None,
        permission: Permission::ViewAggregates,
        // Refused (400, at its field) before the forecast runs, which takes
        // seconds unoptimised: the report itself is checked below.
        answers: &[StatusCode::BAD_REQUEST],
    },
];

/// The download's type and file name; returns its lines.
fn downloaded<'a>(reply: &'a Reply, content_type: &str, file_name: &str) -> Vec<&'a str> {
    assert_eq!(reply.status, StatusCode::OK, "{file_name}: {}", reply.body);
    assert_eq!(reply.content_type(), content_type, "{file_name}");
    assert_eq!(
        reply.headers[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"{file_name}\"").as_str()
    );
    assert_eq!(
        reply.headers[header::CACHE_CONTROL],
        "no-store",
        "{file_name}"
    );
    reply.body.lines().collect()
}

const CSV: &str = "text/csv; charset=utf-8";

/// Every name the registry holds.
async fn names(app: &TestApp) -> Vec<String> {
    let names: Vec<String> = app
        .state
        .store
        .all_people()
        .await
        .unwrap()
        .iter()
        .filter_map(|(person, _)| person.name.as_ref().map(|name| name.as_str().to_string()))
        .collect();
    assert!(names.len() > 300, "the demo names its people");
    names
}

fn audited(entries: &[corridor_store::AuditEntry], action: &str) -> usize {
    entries
        .iter()
        .filter(|entry| entry.action == action)
        .count()
}

#[tokio::test]
async fn the_pseudonymised_referrals_hold_no_names_and_are_audited() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let reply = coordinator.post_form("/exports/referrals", &[]).await;
        let lines = downloaded(&reply, CSV, "corridor-referrals-2026-02-01.csv");
        let header: Vec<&str> = lines[0].split(',').collect();
        assert_eq!(header[..2], ["id", "role"], "{backend}: {}", lines[0]);
        assert!(header.contains(&"birth_year_band"), "{}", lines[0]);
        assert!(!header.contains(&"name") && !header.contains(&"birth_year"));
        for name in names(&app).await {
            assert!(!reply.body.contains(&name), "{backend}: {name} leaked");
        }
        let people = app.state.store.all_people().await.unwrap();
        let referred = people
            .iter()
            .filter(|(person, _)| person.role() != corridor_domain::Role::Returnee)
            .count();
        assert_eq!(lines.len(), referred + 1, "{backend}: a row per person");

        let entry = app.audit().await.pop().unwrap();
        assert_eq!(
            (entry.action.as_str(), entry.actor.as_str()),
            ("person.export-pseudonymised", "coordinator")
        );
        let detail: serde_json::Value = serde_json::from_str(&entry.detail).unwrap();
        assert_eq!(detail["people"], referred);
        assert_eq!(detail["purpose"], serde_json::Value::Null);
        assert_eq!(detail["to"], "corridor-referrals-2026-02-01.csv");

        // The API gives the same file.
        let api = app
            .with_token(UserRole::Coordinator)
            .await
            .send_json(Method::POST, "/api/v1/exports/referrals", &json!({}))
            .await;
        assert_eq!(
            downloaded(&api, CSV, "corridor-referrals-2026-02-01.csv"),
            lines,
            "{backend}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_personal_referrals_are_recorded_with_their_purpose_before_they_leave() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let reply = coordinator
            .post_form(
                "/exports/referrals",
                &[
                    ("include_personal", "yes"),
                    ("purpose", "transfer to the MoH registry"),
                ],
            )
            .await;
        let lines = downloaded(&reply, CSV, "corridor-referrals-personal-2026-02-01.csv");
        let header: Vec<&str> = lines[0].split(',').collect();
        assert!(
            header.contains(&"name") && header.contains(&"birth_year"),
            "{}",
            lines[0]
        );
        let names = names(&app).await;
        assert!(
            names
                .iter()
                .take(20)
                .all(|name| reply.body.contains(name.as_str())),
            "{backend}: the names are in the personal file"
        );
        let entry = app.audit().await.pop().unwrap();
        assert_eq!(
            (
                entry.action.as_str(),
                entry.actor.as_str(),
                entry.subject.as_str()
            ),
            ("person.export-personal", "coordinator", "referrals")
        );
        let detail: serde_json::Value = serde_json::from_str(&entry.detail).unwrap();
        assert_eq!(detail["purpose"], "transfer to the MoH registry");
        assert_eq!(detail["people"], lines.len() - 1);
        assert_eq!(detail["to"], "corridor-referrals-personal-2026-02-01.csv");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_personal_export_without_a_purpose_is_refused_at_the_field_and_records_nothing() {
    for app in apps().await {
        let backend = app.backend;
        let before = app.audit().await.len();
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        for blank in ["", "   "] {
            let refused = coordinator
                .post_form(
                    "/exports/referrals",
                    &[("include_personal", "yes"), ("purpose", blank)],
                )
                .await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend}");
            assert!(refused.content_type().starts_with("text/html"));
            assert!(
                refused.body.contains("id=\"error-purpose\""),
                "{backend}: {}",
                refused.body
            );
            assert!(
                refused
                    .body
                    .contains("say what the export with names is for"),
                "{}",
                refused.body
            );
            // The tick is kept: the form is as it was sent.
            assert!(
                refused
                    .body
                    .contains("name=\"include_personal\" value=\"yes\" checked"),
                "{}",
                refused.body
            );
        }
        let api = app
            .with_token(UserRole::Coordinator)
            .await
            .send_json(
                Method::POST,
                "/api/v1/exports/referrals",
                &json!({"include_personal": true}),
            )
            .await;
        assert_eq!(api.problem(StatusCode::BAD_REQUEST)["field"], "purpose");
        // Signing in is recorded; no export is.
        let entries = app.audit().await;
        assert!(
            entries[before..]
                .iter()
                .all(|entry| !entry.action.starts_with("person.export")),
            "{backend}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn only_a_role_allowed_exports_people_and_personal_data_only_with_every_one_in_scope() {
    for app in apps().await {
        let backend = app.backend;
        for role in UserRole::ALL.iter().copied() {
            let mut browser = app.signed_in(role).await;
            let page = browser.get("/exports").await;
            assert_eq!(page.status, StatusCode::OK, "{backend} {role}");
            assert_eq!(
                page.body.contains("Download the referrals"),
                role.can(Permission::ExportRecords),
                "{role}"
            );
            assert_eq!(
                page.body.contains("name=\"purpose\""),
                role.can(Permission::ExportPersonal),
                "{role}"
            );
            assert!(page.body.contains("Download the waiting list"), "{role}");
            assert!(
                page.body.contains("href=\"/exports\""),
                "{role}: in the navigation"
            );
            if role.can(Permission::ExportRecords) {
                continue;
            }
            for (path, fields) in [
                ("/exports/referrals", vec![]),
                (
                    "/exports/referrals",
                    vec![("include_personal", "yes"), ("purpose", "curiosity")],
                ),
                ("/exports/fhir", vec![]),
            ] {
                let refused = browser.post_form(path, &fields).await;
                assert_eq!(
                    refused.status,
                    StatusCode::FORBIDDEN,
                    "{backend} {role} {path}"
                );
            }
            let api = app
                .with_token(role)
                .await
                .send_json(
                    Method::POST,
                    "/api/v1/exports/referrals",
                    &json!({"include_personal": true, "purpose": "curiosity"}),
                )
                .await;
            api.problem(StatusCode::FORBIDDEN);
        }

        // A coordinator who sees only their own registrations may not take
        // everyone's names away.
        app.add_user("own-coordinator", UserRole::Coordinator, Scope::Own, None)
            .await;
        let mut own = app.signed_in_as("own-coordinator").await;
        let refused = own
            .post_form(
                "/exports/referrals",
                &[("include_personal", "yes"), ("purpose", "a transfer")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(
            refused.body.contains("only an account whose scope is"),
            "{}",
            refused.body
        );
        let pseudonymised = own.post_form("/exports/referrals", &[]).await;
        assert_eq!(pseudonymised.status, StatusCode::OK, "{backend}");
        let entries = app.audit().await;
        assert_eq!(audited(&entries, "person.export-personal"), 0, "{backend}");
        assert_eq!(
            audited(&entries, "person.export-pseudonymised"),
            1,
            "{backend}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_fhir_export_is_a_bundle_per_referral_on_record() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let reply = coordinator.post_form("/exports/fhir", &[]).await;
        let lines = downloaded(
            &reply,
            "application/fhir+ndjson",
            "corridor-fhir-2026-02-01.ndjson",
        );
        assert!(lines.len() > 300, "{backend}: {} Bundles", lines.len());
        for line in &lines {
            let bundle: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(bundle["resourceType"], "Bundle");
            assert_eq!(bundle["type"], "collection");
        }
        for name in names(&app).await {
            assert!(!reply.body.contains(&name), "{backend}: {name} leaked");
        }
        let entry = app.audit().await.pop().unwrap();
        assert_eq!(
            (entry.action.as_str(), entry.actor.as_str()),
            ("person.export-fhir", "coordinator")
        );
        let detail: serde_json::Value = serde_json::from_str(&entry.detail).unwrap();
        assert_eq!(detail["patients"], lines.len());

        let api = app
            .with_token(UserRole::Coordinator)
            .await
            .send(Method::POST, "/api/v1/exports/fhir", None, None)
            .await;
        assert_eq!(
            downloaded(
                &api,
                "application/fhir+ndjson",
                "corridor-fhir-2026-02-01.ndjson"
            )
            .len(),
            lines.len()
        );
        app.finish().await;
    }
}

/// The HXL hashtag row of a file: its second line.
fn tags<'a>(lines: &[&'a str]) -> &'a str {
    lines.get(1).copied().unwrap_or_default()
}

#[tokio::test]
async fn the_aggregates_come_with_their_tags_and_small_counts_suppressed() {
    for app in apps().await {
        let backend = app.backend;
        let before = app.audit().await.len();
        let mut analyst = app.signed_in(UserRole::Analyst).await;
        let token = app.with_token(UserRole::Analyst).await;
        let cases: [(&str, &str, &str); 6] = [
            (
                "waiting-list",
                "corridor-waiting-list-2026-02-01.csv",
                "#date+reported,#severity,#sector+specialty,#inneed+age0_4",
            ),
            (
                "evacuations?from=2025-12-01&to=2026-01-31",
                "corridor-evacuations-2025-12-01-to-2026-01-31.csv",
                "#reached+patients,#reached+companions,#capacity+quota",
            ),
            (
                "deaths",
                "corridor-deaths-2026-01-05-to-2026-02-01.csv",
                "#date+reported,#severity,#affected+killed",
            ),
            (
                "aid?from=2026-01-01",
                "corridor-aid-2026-01-01-to-2026-02-01.csv",
                "#date+reported,#status+stage,#item+category,#reached+consignments,#reached+trucks",
            ),
            (
                "figures",
                "corridor-figures-2026-02-01.csv",
                "#indicator+code",
            ),
            (
                "consignments",
                "corridor-consignments-2026-02-01.csv",
                "id,agency,category",
            ),
        ];
        for (export, file_name, expected) in cases {
            let page = analyst.get(&format!("/exports/{export}")).await;
            let lines = downloaded(&page, CSV, file_name);
            let header = if export == "consignments" {
                lines[0]
            } else {
                tags(&lines)
            };
            assert!(header.contains(expected), "{backend} {export}: {header}");
            // Few die in four weeks of the small demo; the others have rows.
            if !export.starts_with("deaths") {
                assert!(lines.len() > 2, "{backend} {export}: rows below the header");
            }
            let api = token
                .clone()
                .get(&format!("/api/v1/exports/{export}"))
                .await;
            assert_eq!(
                downloaded(&api, CSV, file_name),
                lines,
                "{backend} {export}"
            );
        }
        // Counts of people below 5 are published as <5.
        let waiting = analyst.get("/exports/waiting-list").await;
        assert!(waiting.body.contains(",<5"), "{backend}");
        // Aggregates are not about anyone: nothing is recorded.
        let entries = app.audit().await;
        assert!(
            entries[before..]
                .iter()
                .all(|entry| !entry.action.starts_with("person.export")),
            "{backend}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_window_that_runs_backwards_comes_back_as_typed_with_the_message_at_its_first_day() {
    for app in apps().await {
        let backend = app.backend;
        let mut analyst = app.signed_in(UserRole::Analyst).await;
        let refused = analyst
            .get("/exports/deaths?from=2026-02-02&to=2026-01-15")
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(
            refused.body.contains("id=\"error-from\""),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("is after the last day, 2026-01-15"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("value=\"2026-02-02\""));
        assert!(refused.body.contains("value=\"2026-01-15\""));
        let not_a_date = analyst.get("/exports/aid?from=yesterday").await;
        assert_eq!(not_a_date.status, StatusCode::BAD_REQUEST);
        assert!(not_a_date.body.contains("id=\"error-from\""));
        assert!(not_a_date.body.contains("value=\"yesterday\""));

        let mut token = app.with_token(UserRole::Analyst).await;
        let problem = token
            .get("/api/v1/exports/evacuations?from=2026-02-02&to=2026-01-15")
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], "from");
        app.finish().await;
    }
}

async fn report(client: &mut Client, query: &str) -> Reply {
    client.get(&format!("/exports/report{query}")).await
}

#[tokio::test]
async fn the_situation_report_is_an_html_file_with_its_forecast() {
    for app in apps().await {
        let backend = app.backend;
        let mut analyst = app.signed_in(UserRole::Analyst).await;
        let reply = report(
            &mut analyst,
            "?date=2026-01-31&window_days=14&current_capacity=&proposed_capacity=60",
        )
        .await;
        downloaded(
            &reply,
            "text/html; charset=utf-8",
            "corridor-report-2026-01-31.html",
        );
        assert!(
            reply.body.starts_with("<!doctype html>") || reply.body.starts_with("<!DOCTYPE html>"),
            "{backend}"
        );
        assert!(reply.body.contains("proposed (60 a day)"), "{backend}");
        assert!(reply.body.contains("200 replications, seed 1"), "{backend}");

        for (query, field) in [
            ("?window_days=0", "window_days"),
            ("?window_days=400", "window_days"),
            ("?proposed_capacity=many&window_days=9", "proposed_capacity"),
            ("?date=31/01/2026", "date"),
        ] {
            let refused = report(&mut analyst, query).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend} {query}");
            assert!(
                refused.body.contains(&format!("id=\"error-{field}\"")),
                "{query}: {}",
                refused.body
            );
        }
        // What was typed is kept.
        let refused = report(&mut analyst, "?proposed_capacity=many&window_days=9").await;
        assert!(refused.body.contains("value=\"many\""));
        assert!(refused.body.contains("value=\"9\""));
        app.finish().await;
    }
}
