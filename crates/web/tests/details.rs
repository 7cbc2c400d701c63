//! Trust in the details: times on the crossing's clock, names rather than
//! slugs, the aid chart and the weekly quota on the dashboard, the children
//! of a forecast, and empty lists that say why.

use axum::http::{Method, StatusCode};
use corridor_domain::UserRole;
use serde_json::{Value, json};

use crate::harness::{REFERRER_ORGANISATION, TestApp, apps};

/// Whether the text holds an RFC 3339 instant such as
/// `2026-02-01T10:00:00.123Z`: a date, `T`, and a time.
fn has_machine_instant(text: &str) -> bool {
    text.match_indices('T').any(|(at, _)| {
        let before = &text[..at];
        let after = &text[at + 1..];
        let date = before.len() >= 10 && is_date(&before[before.len() - 10..]);
        let time = after.len() >= 5
            && after.as_bytes()[2] == b':'
            && after[..2].chars().all(|c| c.is_ascii_digit())
            && after[3..5].chars().all(|c| c.is_ascii_digit());
        date && time
    })
}

fn is_date(text: &str) -> bool {
    text.char_indices().all(|(i, c)| match i {
        4 | 7 => c == '-',
        _ => c.is_ascii_digit(),
    })
}

#[test]
fn the_machine_instant_check_can_fail() {
    assert!(has_machine_instant("<td>2026-12-02T09:55:14.319061Z</td>"));
    assert!(!has_machine_instant("<td>2 Dec 2026, 11:55</td> Tier"));
}

/// An instant as a page shows it, worked out here independently: Gaza is
/// UTC+2 in winter and UTC+3 in summer.
fn on_the_crossing_clock(instant: &str) -> String {
    let zone = jiff::tz::db().get("Asia/Gaza").unwrap();
    let at: jiff::Timestamp = instant.parse().unwrap();
    zone.to_datetime(at)
        .strftime("%-d %b %Y, %H:%M")
        .to_string()
}

/// The HTML of one `<section id="…">` of a page.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

#[tokio::test]
async fn pages_show_times_on_the_crossing_clock_and_facility_names() {
    for app in apps().await {
        let backend = app.backend;
        let mut admin = app.signed_in(UserRole::Admin).await;
        let entries = app.audit().await;
        let latest = entries.last().unwrap();
        let audit = admin.get("/admin/audit").await;
        assert_eq!(audit.status, StatusCode::OK, "{backend}");
        assert!(
            audit
                .body
                .contains(&on_the_crossing_clock(&latest.at.to_string())),
            "{backend}: the latest audit entry at {} is not shown as people read it",
            latest.at
        );
        for path in [
            "/admin/audit",
            "/admin/tokens",
            "/admin/users/admin",
            "/aid",
        ] {
            let page = admin.get(path).await;
            assert!(
                !has_machine_instant(&page.body),
                "{backend}: {path} shows an RFC 3339 instant"
            );
        }

        // A patient admitted abroad: the timeline in Gaza time, the
        // referring and the receiving facility by name.
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let admitted = coordinator
            .get("/api/v1/people?status=admitted&per_page=1")
            .await
            .json();
        let id = admitted["rows"][0]["id"].as_str().unwrap().to_string();
        let record = coordinator
            .get(&format!("/api/v1/people/{id}"))
            .await
            .json();
        let page = coordinator.get(&format!("/people/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(!has_machine_instant(&page.body), "{backend}: {id}");
        let first = record["timeline"][0]["at"].as_str().unwrap();
        assert!(
            page.body.contains(&on_the_crossing_clock(first)),
            "{backend}: {id} registered at {first}"
        );
        let facility = record["admitted_to"].as_str().unwrap();
        let reference = app.state.store.reference().await.unwrap();
        let name = reference
            .facilities
            .iter()
            .find(|f| f.id.as_str() == facility)
            .unwrap()
            .name
            .to_string();
        assert_eq!(record["admitted_to_name"], name.as_str(), "{backend}");
        assert!(
            page.body.contains(&format!(
                "<dt>Admitted to</dt><dd>{name} <span class=\"id\">{facility}</span>"
            )),
            "{backend}: {id} admitted to {facility}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_aid_chart_draws_the_target_as_a_line_and_labels_weeks() {
    let app = TestApp::sqlite().await;
    let mut analyst = app.signed_in(UserRole::Analyst).await;
    let dashboard = analyst.get("/").await;
    let aid = section(&dashboard.body, "aid");
    let days = aid.matches("met</td></tr>").count();
    assert!(days >= 28, "the demo has a month of aid: {days} days");
    let svg = &aid[aid.find("<svg").unwrap()..];
    assert_eq!(svg.matches("class=\"reference\"").count(), 1, "{svg}");
    assert!(
        svg.contains("<title>target (600 a day): 600</title>"),
        "{svg}"
    );
    // No bar for the target any more: only inspected and collected.
    assert!(!svg.contains(", target: "), "{svg}");
    let x_axis = &svg[svg.find("<g class=\"x-axis\">").unwrap()..];
    let x_axis = &x_axis[..x_axis.find("</g>").unwrap()];
    let labels = x_axis.matches("<text").count() - 1;
    assert_eq!(labels, days.div_ceil(7), "one label a week: {x_axis}");
    app.finish().await;
}

#[tokio::test]
async fn the_weekly_quota_says_none_in_force_rather_than_zero() {
    for app in apps().await {
        let backend = app.backend;
        let mut analyst = app.signed_in(UserRole::Analyst).await;
        let dashboard = analyst.get("/api/v1/dashboard").await.json();
        let evacuations = &dashboard["evacuations"];
        // The demo's evacuees left through Kerem Shalom, with no quota
        // recorded; the only evacuee quota (Rafah's) starts the day after
        // today. (domain `report::tests` has weeks with people and none.)
        let weeks = evacuations["weeks"].as_array().unwrap();
        for week in weeks {
            assert_eq!(week["places"], Value::Null, "{backend}: {week}");
        }
        let page = analyst.get("/").await;
        let table = section(&page.body, "evacuations");
        assert_eq!(
            table
                .matches("<td class=\"num\">none in force</td>")
                .count(),
            weeks.len(),
            "{backend}: {table}"
        );
        assert!(!table.contains("<td class=\"num\">0</td></tr>"), "{table}");
        app.finish().await;
    }
}

fn children_request(child_share: f64) -> Value {
    json!({
        "tiers": [
            {"name": "critical", "backlog": 120, "referrals_per_day": 2.0, "annual_mortality": 0.9},
            {"name": "routine", "backlog": 40, "referrals_per_day": 0.5, "annual_mortality": 0.1}
        ],
        "capacity_per_day": 2,
        "weekdays": ["sun", "mon", "tue", "wed", "thu"],
        "policies": ["strict-priority", "children-first"],
        "horizon_days": 120,
        "replications": 20,
        "seed": 4,
        "child_share": child_share
    })
}

/// The figures of a run that a policy could change, as text.
fn figures(run: &Value) -> String {
    format!(
        "{} {} {}",
        run["deaths"], run["evacuated"], run["tiers"][0]["wait_p50"]
    )
}

#[tokio::test]
async fn the_share_of_children_lets_children_first_differ_and_the_page_says_when_it_cannot() {
    let app = TestApp::sqlite().await;
    let mut analyst = app.with_token(UserRole::Analyst).await;
    let without = analyst
        .send_json(Method::POST, "/api/v1/forecasts", &children_request(0.0))
        .await
        .json();
    let runs = without["runs"].as_array().unwrap();
    assert_eq!(figures(&runs[0]), figures(&runs[1]));
    assert_eq!(
        without["cannot_differ"][0],
        "strict-priority and children-first give the same result here: no patient is a child (the share of children is 0), so children-first is strict priority."
    );
    let with = analyst
        .send_json(Method::POST, "/api/v1/forecasts", &children_request(0.4))
        .await
        .json();
    let runs = with["runs"].as_array().unwrap();
    assert_ne!(figures(&runs[0]), figures(&runs[1]));
    assert_eq!(with["cannot_differ"], json!([]));

    // The page: the share of children prefilled from the registry, and
    // the note when the policies cannot differ.
    let mut browser = app.signed_in(UserRole::Analyst).await;
    let form = browser.get("/forecast").await;
    let summary = app
        .state
        .store
        .waiting_summary(crate::harness::TODAY)
        .await
        .unwrap();
    assert!(summary.waiting_children > 0);
    let share =
        (summary.waiting_children as f64 / summary.waiting_patients as f64 * 100.0).round() / 100.0;
    assert!(
        form.body
            .contains(&format!("name=\"child_share\" value=\"{share}\"")),
        "{}",
        form.body
    );
    let mut fields = vec![
        ("backlog.critical", "30"),
        ("referrals.critical", "0"),
        ("mortality.critical", "0.5"),
        ("backlog.urgent", "0"),
        ("referrals.urgent", "0"),
        ("mortality.urgent", "0"),
        ("backlog.routine", "10"),
        ("referrals.routine", "0"),
        ("mortality.routine", "0"),
        ("capacity_per_day", "2"),
        ("weekday", "mon"),
        ("policy", "strict-priority"),
        ("policy", "children-first"),
        ("horizon_days", "30"),
        ("replications", "2"),
        ("seed", "1"),
        ("child_share", "0"),
    ];
    let reply = browser.post_form("/forecast", &fields).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply
            .body
            .contains("strict-priority and children-first give the same result here"),
        "{}",
        reply.body
    );
    fields[16] = ("child_share", "0.3");
    let reply = browser.post_form("/forecast", &fields).await;
    assert!(!reply.body.contains("give the same result"));
    // A share that is not one comes back beside its field, as typed.
    fields[16] = ("child_share", "1.5");
    let reply = browser.post_form("/forecast", &fields).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.body.contains(
            "name=\"child_share\" value=\"1.5\" inputmode=\"decimal\" aria-invalid=\"true\" aria-describedby=\"error-child_share\""
        ),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("id=\"error-child_share\""));
    app.finish().await;
}

#[tokio::test]
async fn an_empty_list_says_why() {
    for app in apps().await {
        let backend = app.backend;
        let organisation = app
            .state
            .store
            .organisations()
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.id.as_str() == REFERRER_ORGANISATION)
            .unwrap();
        let mut referrer = app.signed_in(UserRole::Referrer).await;
        let list = referrer
            .get("/people?tier=critical&waited_more_than=100000")
            .await;
        assert_eq!(list.status, StatusCode::OK, "{backend}");
        assert!(
            list.body.contains(&format!(
                "Nobody matches the filters: tier critical, waited more than (days) 100000. Remove a filter to see more. You see patients referred by {} and the people you registered.",
                organisation.name
            )),
            "{backend}: {}",
            list.body
        );
        let mut coordinator = app.signed_in(UserRole::Coordinator).await;
        let list = coordinator
            .get("/people?specialty=oncology&age_group=0-4&waited_more_than=100000")
            .await;
        assert!(
            list.body.contains("Nobody matches the filters: specialty oncology, age 0-4, waited more than (days) 100000."),
            "{backend}: {}",
            list.body
        );
        assert!(
            !list.body.contains("You see"),
            "{backend}: a coordinator sees everyone"
        );
        let full = coordinator.get("/people").await;
        assert!(!full.body.contains("class=\"empty\""), "{backend}");

        let mut admin = app.signed_in(UserRole::Admin).await;
        let audit = admin.get("/admin/audit?action=no-such-action.").await;
        assert!(
            audit
                .body
                .contains("No entry's action starts with “no-such-action.”"),
            "{backend}: {}",
            audit.body
        );
        let beds = coordinator.get("/beds?date=2031-01-01").await;
        assert!(
            beds.body
                .contains("No receiving facility has published beds for arrivals on 2031-01-01"),
            "{backend}"
        );
        app.finish().await;
    }
}
