//! The clearance batch page as the liaison works it: companions under
//! their patient, search, bulk clearing, and the batch as a file for the
//! authority, downloaded and uploaded answered, all or nothing.

use axum::http::{Method, StatusCode, header};
use corridor_domain::{Permission, UserRole};
use serde_json::json;

use crate::harness::{RouteCase, TestApp, apps};

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/clearance/CB-0001/batch.csv",
        body: None,
        permission: Permission::ViewClearance,
        // 404: the small demo submits no batch (as for the batch page).
        answers: &[StatusCode::NOT_FOUND],
    },
    RouteCase {
        method: "GET",
        path: "/clearance/CB-0001/batch.xlsx",
        body: None,
        permission: Permission::ViewClearance,
        // 404: as above.
        answers: &[StatusCode::NOT_FOUND],
    },
    RouteCase {
        method: "POST",
        path: "/clearance/CB-0001/answers",
        body: Some(""),
        permission: Permission::RecordClearance,
        // 404: no batch CB-0001 to take answers for.
        answers: &[StatusCode::NOT_FOUND],
    },
];

/// Submits a batch of `places` through the API; its id and its people in
/// the page's order.
pub async fn submit_batch(app: &TestApp, places: u32) -> (String, Vec<String>) {
    let mut coordinator = app.with_token(UserRole::Coordinator).await;
    let submitted = coordinator
        .send_json(
            Method::POST,
            "/api/v1/clearance/batches",
            &json!({"crossing": "rafah", "needed_by": "2026-02-05", "places": places}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::CREATED, "{}", submitted.body);
    let batch = submitted.json();
    let people = batch["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["person"].as_str().unwrap().to_string())
        .collect();
    (batch["batch"]["id"].as_str().unwrap().to_string(), people)
}

/// The file's lines with the answer columns of some rows filled in:
/// (row, `decision,reason_code,note,decided_on`).
fn answered(csv: &str, answers: &[(usize, &str)]) -> String {
    csv.lines()
        .enumerate()
        .map(
            |(row, line)| match answers.iter().find(|(r, _)| *r == row) {
                Some((_, answer)) => format!("{},{answer}", line.trim_end_matches(',')),
                None => line.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("\n")
}

/// Audit entries of recorded clearance decisions.
async fn decisions_audited(app: &TestApp) -> usize {
    app.audit()
        .await
        .iter()
        .filter(|entry| entry.action == "clearance.decide")
        .count()
}

async fn pending(app: &TestApp, batch: &str) -> u64 {
    let mut liaison = app.with_token(UserRole::ClearanceLiaison).await;
    liaison
        .get(&format!("/api/v1/clearance/batches/{batch}"))
        .await
        .json()["batch"]["pending"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_batch_file_is_downloaded_and_its_answers_uploaded_all_or_nothing() {
    for app in apps().await {
        let backend = app.backend;
        let (batch, _) = submit_batch(&app, 6).await;
        let mut liaison = app.signed_in(UserRole::ClearanceLiaison).await;
        assert_eq!(
            liaison.get(&format!("/clearance/{batch}")).await.status,
            StatusCode::OK
        );

        let download = liaison.get(&format!("/clearance/{batch}/batch.csv")).await;
        assert_eq!(download.status, StatusCode::OK, "{backend}");
        assert_eq!(download.content_type(), "text/csv; charset=utf-8");
        assert_eq!(
            download.headers[header::CONTENT_DISPOSITION],
            format!("attachment; filename=\"{batch}.csv\"").as_str()
        );
        let csv = download.body.clone();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "batch,person_id,role,patient,group,decision,reason_code,note,decided_on"
        );
        assert_eq!(lines.len(), 7, "{backend}: {csv}");
        // A companion comes right after their patient.
        for (row, line) in lines.iter().enumerate().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            if cells[2] == "companion" {
                let previous: Vec<&str> = lines[row - 1].split(',').collect();
                let patient = if previous[2] == "companion" {
                    previous[3]
                } else {
                    previous[1]
                };
                assert_eq!(cells[3], patient, "{backend}: {csv}");
            }
        }
        let person = |row: usize| lines[row].split(',').nth(1).unwrap().to_string();
        let audited = decisions_audited(&app).await;

        // Line 4 (the third person) is a denial without its reason, line 5
        // an unknown decision: nothing is recorded, and the page names the
        // line and the column of each.
        let bad = answered(
            &csv,
            &[
                (1, "cleared,,,2026-02-01"),
                (3, "denied,,,"),
                (4, "approved,,,"),
            ],
        );
        let refused = liaison
            .upload(
                &format!("/clearance/{batch}/answers"),
                "answers.csv",
                bad.as_bytes(),
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend}");
        for says in [
            "The file was not taken: 2 problems to fix, each below by line and column; nothing was recorded.",
            "line 4, column reason_code: is required: give the code of the reason (clearance denied)",
            "line 5, column decision: unknown value &#39;approved&#39;",
        ] {
            assert!(
                refused.body.contains(says),
                "{backend}: {says}: {}",
                refused.body
            );
        }
        assert_eq!(
            pending(&app, &batch).await,
            6,
            "{backend}: nothing was recorded"
        );
        assert_eq!(decisions_audited(&app).await, audited, "{backend}");

        // A row of another batch is refused too.
        let other = answered(&csv, &[(2, "cleared,,,")]).replace(&batch, "CB-9999");
        let refused = liaison
            .upload(
                &format!("/clearance/{batch}/answers"),
                "answers.csv",
                other.as_bytes(),
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(
            refused.body.contains("line 3, column batch: "),
            "{backend}: {}",
            refused.body
        );

        // A file with no answer yet says so.
        let refused = liaison
            .upload(
                &format!("/clearance/{batch}/answers"),
                "answers.csv",
                csv.as_bytes(),
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(
            refused
                .body
                .contains("the file has no answer yet (6 rows without a decision)"),
            "{}",
            refused.body
        );

        // The good file decides the batch, in one audited change.
        let good = answered(
            &csv,
            &[
                (1, "cleared,,,2026-02-01"),
                (3, "denied,security-objection,,"),
            ],
        );
        let taken = liaison
            .upload(
                &format!("/clearance/{batch}/answers"),
                "answers.csv",
                good.as_bytes(),
            )
            .await;
        assert_eq!(
            taken.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            taken.body
        );
        let page = liaison.get(&format!("/clearance/{batch}")).await;
        assert!(
            page.body.contains(&format!(
                "Recorded 2 decisions from the file in batch {batch}; 4 still pending."
            )),
            "{backend}: {}",
            page.body
        );
        assert_eq!(pending(&app, &batch).await, 4, "{backend}");
        assert_eq!(
            decisions_audited(&app).await,
            audited + 1,
            "{backend}: one audited change"
        );

        // The same people again: already decided (a rule of clearance, as
        // in the CLI), refused whole.
        let again = liaison
            .upload(
                &format!("/clearance/{batch}/answers"),
                "answers.csv",
                good.as_bytes(),
            )
            .await;
        assert_eq!(
            again.status,
            StatusCode::BAD_REQUEST,
            "{backend}: {}",
            again.body
        );
        assert!(
            again.body.contains("was already decided (cleared)"),
            "{backend}: {}",
            again.body
        );
        assert_eq!(pending(&app, &batch).await, 4, "{backend}");

        // The spreadsheet: the four still pending, answered in XLSX.
        let download = liaison.get(&format!("/clearance/{batch}/batch.xlsx")).await;
        assert_eq!(download.status, StatusCode::OK);
        assert_eq!(
            download.content_type(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(download.body.starts_with("PK"), "a ZIP archive");
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        let header = [
            "batch",
            "person_id",
            "role",
            "patient",
            "group",
            "decision",
            "reason_code",
            "note",
            "decided_on",
        ];
        for (column, name) in (0u16..).zip(header) {
            sheet.write_string(0, column, name).unwrap();
        }
        for (column, value) in (0u16..).zip([batch.as_str(), &person(2), "", "", "", "delayed"]) {
            sheet.write_string(1, column, value).unwrap();
        }
        let xlsx = workbook.save_to_buffer().unwrap();
        let taken = liaison
            .upload(
                &format!("/clearance/{batch}/answers"),
                "answers.xlsx",
                &xlsx,
            )
            .await;
        assert_eq!(
            taken.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            taken.body
        );
        assert_eq!(pending(&app, &batch).await, 3, "{backend}");
        app.finish().await;
    }
}

#[tokio::test]
async fn ticked_people_are_set_to_cleared_on_the_form_and_the_rest_kept() {
    for app in apps().await {
        let backend = app.backend;
        let (batch, people) = submit_batch(&app, 4).await;
        let mut liaison = app.signed_in(UserRole::ClearanceLiaison).await;
        let page = liaison.get(&format!("/clearance/{batch}")).await;
        assert!(
            page.body
                .contains(&format!("name=\"select:{}\"", people[0]))
        );
        let reply = liaison
            .post_form(
                &format!("/clearance/{batch}/decisions"),
                &[
                    (&format!("select:{}", people[0]), "yes"),
                    (&format!("select:{}", people[1]), "yes"),
                    (&format!("outcome:{}", people[1]), "denied"),
                    (&format!("outcome:{}", people[2]), "denied"),
                    (&format!("reason_code:{}", people[2]), "security-objection"),
                    (&format!("note:{}", people[2]), "asked twice"),
                    ("decided_on", "2026-01-30"),
                    ("bulk", "clear"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{backend}: {}", reply.body);
        let chosen = |person: &str| {
            reply
                .body
                .split(&format!("name=\"outcome:{person}\""))
                .nth(1)
                .and_then(|rest| rest.split("</select>").next())
                .unwrap()
                .split(" selected>")
                .nth(1)
                .map(|rest| rest.split('<').next().unwrap().to_string())
        };
        assert_eq!(chosen(&people[0]).as_deref(), Some("cleared"), "{backend}");
        assert_eq!(chosen(&people[1]).as_deref(), Some("cleared"), "{backend}");
        assert_eq!(chosen(&people[2]).as_deref(), Some("denied"), "{backend}");
        assert_eq!(chosen(&people[3]), None, "{backend}");
        assert!(reply.body.contains("value=\"asked twice\""));
        assert!(reply.body.contains("value=\"2026-01-30\""));
        assert_eq!(pending(&app, &batch).await, 4, "nothing recorded yet");

        let none_ticked = liaison
            .post_form(
                &format!("/clearance/{batch}/decisions"),
                &[("bulk", "clear")],
            )
            .await;
        assert_eq!(none_ticked.status, StatusCode::BAD_REQUEST);
        assert!(
            none_ticked.body.contains("no one is ticked"),
            "{}",
            none_ticked.body
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_batch_is_searched_by_id_and_a_refused_submission_keeps_what_was_typed() {
    for app in apps().await {
        let backend = app.backend;
        let (batch, people) = submit_batch(&app, 6).await;
        let mut liaison = app.signed_in(UserRole::ClearanceLiaison).await;
        let found = liaison
            .get(&format!(
                "/clearance/{batch}?q={}",
                people[0].to_lowercase()
            ))
            .await;
        assert_eq!(found.status, StatusCode::OK);
        let shown: Vec<&String> = people
            .iter()
            .filter(|p| found.body.contains(&format!("href=\"/people/{p}\"")))
            .collect();
        assert!(shown.contains(&&people[0]), "{backend}");
        assert!(shown.len() < people.len(), "{backend}: {shown:?}");

        let mut desk = app.signed_in(UserRole::Coordinator).await;
        desk.get("/clearance").await;
        let refused = desk
            .post_form(
                "/clearance/batches",
                &[
                    ("crossing", "rafah"),
                    ("direction", "outbound"),
                    ("needed_by", "2026-02-09"),
                    ("count", "fifty"),
                    ("tiers", "critical"),
                    ("note", "for the weekly list"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(
            refused
                .body
                .contains("id=\"error-count\">&#39;fifty&#39; is not a number"),
            "{}",
            refused.body
        );
        for kept in [
            "value=\"fifty\"",
            "value=\"critical\"",
            "value=\"for the weekly list\"",
            "value=\"2026-02-09\"",
        ] {
            assert!(refused.body.contains(kept), "{backend}: {kept}");
        }
        app.finish().await;
    }
}
