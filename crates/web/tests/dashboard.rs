//! The dashboard (aggregates only, dated and sourced, small counts
//! suppressed) and the forecast page and API.

use axum::http::{Method, StatusCode};
use corridor_domain::{AgeGroup, Permission, Tier, UserRole};
use corridor_interop::disclosure::{Count, suppress, suppress_grid, suppress_parts};
use serde_json::{Value, json};

use crate::harness::{RouteCase, TODAY, TestApp, apps};

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/dashboard",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/api/v1/utilisation?from=2026-01-05&to=2026-02-01",
        body: None,
        permission: Permission::ViewAggregates,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "GET",
        path: "/forecast",
        body: None,
        permission: Permission::RunForecasts,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/forecast",
        body: Some(
            "backlog.critical=5&referrals.critical=0&mortality.critical=0.1\
             &backlog.urgent=5&referrals.urgent=0&mortality.urgent=0\
             &backlog.routine=5&referrals.routine=0&mortality.routine=0\
             &capacity_per_day=5&weekday=mon&policy=strict-priority\
             &horizon_days=5&replications=2&seed=1",
        ),
        permission: Permission::RunForecasts,
        answers: &[StatusCode::OK],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/forecasts",
        body: Some(
            r#"{"tiers":[{"name":"critical","backlog":5,"referrals_per_day":0,"annual_mortality":0.1}],
                "capacity_per_day":5,"weekdays":["mon"],"policies":["strict-priority"],
                "horizon_days":5,"replications":2,"seed":1}"#,
        ),
        permission: Permission::RunForecasts,
        answers: &[StatusCode::OK],
    },
];

/// Whether the text holds something shaped like a person id (`P-` and six
/// or more digits or capitals).
fn has_person_id(text: &str) -> bool {
    text.match_indices("P-").any(|(at, _)| {
        text[at + 2..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            .count()
            >= 6
    })
}

#[test]
fn the_person_id_check_can_fail() {
    assert!(has_person_id("<td>P-00A1B2C</td>"));
    assert!(!has_person_id("P-12 and TP-abc"));
}

/// The HTML of one `<section id="…">` of a page.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

fn shown(count: Count) -> Value {
    match count {
        Count::Shown(n) => json!(n),
        Count::Suppressed => json!("<5"),
    }
}

#[tokio::test]
async fn an_analyst_sees_every_section_dated_and_sourced_and_no_person() {
    for app in apps().await {
        let mut analyst = app.signed_in(UserRole::Analyst).await;
        let reply = analyst.get("/").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", app.backend);
        let html = &reply.body;
        assert!(
            !has_person_id(html),
            "{}: a person id on the dashboard",
            app.backend
        );
        let registry = format!(
            "computed from the corridor registry ({}) as of {TODAY}",
            app.backend
        );
        for id in ["waiting", "evacuations", "deaths"] {
            let text = section(html, id);
            assert!(text.contains(&registry), "{id}: {text}");
            assert!(text.contains("<svg"), "{id} has its chart");
        }
        let forecast = section(html, "forecast");
        assert!(forecast.contains(&format!("As of {TODAY}")), "{forecast}");
        assert!(
            forecast.contains("Monte Carlo model from the registry"),
            "{forecast}"
        );
        assert!(forecast.contains("current quota (50 a day)"), "{forecast}");
        assert!(forecast.contains("<svg"));
        let aid = section(html, "aid");
        assert!(
            aid.contains("Source: computed from the corridor registry"),
            "{aid}"
        );
        assert!(aid.contains("600 a day, 50 fuel"), "{aid}");
        let figures = app.state.store.figures().await.unwrap();
        assert!(!figures.is_empty());
        let public = section(html, "public-figures");
        for figure in &figures {
            assert!(public.contains(&figure.date.to_string()), "{public}");
            assert!(
                public.contains(figure.source.publisher.as_str().split('&').next().unwrap()),
                "{public}"
            );
        }
        // Small counts: a tier × age group cell of the demo below 5 is shown as <5.
        let breakdown = app.state.store.waiting_breakdown(TODAY).await.unwrap();
        let cell = |tier: Tier, group: AgeGroup| -> u64 {
            breakdown
                .iter()
                .filter(|c| c.tier == tier && c.age_group == group)
                .map(|c| c.count)
                .sum()
        };
        assert!(
            Tier::ALL
                .iter()
                .any(|t| AgeGroup::ALL.iter().any(|g| cell(*t, *g) < 5)),
            "the demo has a small cell"
        );
        let waiting = section(html, "waiting");
        assert!(
            ["&lt;5", "&#60;5"]
                .iter()
                .any(|text| waiting.contains(&format!("<td class=\"num\">{text}</td>"))),
            "{waiting}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_dashboard_api_has_the_stores_aggregates() {
    for app in apps().await {
        let store = &app.state.store;
        let mut client = app.with_token(UserRole::Analyst).await;
        let reply = client.get("/api/v1/dashboard").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(!has_person_id(&reply.body));
        let dashboard = reply.json();
        assert_eq!(dashboard["as_of"], TODAY.to_string());

        let breakdown = store.waiting_breakdown(TODAY).await.unwrap();
        let sum = |keep: &dyn Fn(&corridor_store::WaitingCount) -> bool| -> u64 {
            breakdown.iter().filter(|c| keep(c)).map(|c| c.count).sum()
        };
        let by_tier: Vec<u64> = Tier::ALL.iter().map(|t| sum(&|c| c.tier == *t)).collect();
        assert_eq!(
            dashboard["waiting"]["total"],
            json!(by_tier.iter().sum::<u64>())
        );
        for (index, count) in suppress_parts(&by_tier).into_iter().enumerate() {
            assert_eq!(
                dashboard["waiting"]["by_tier"][index]["count"],
                shown(count)
            );
        }
        let grid: Vec<Vec<u64>> = Tier::ALL
            .iter()
            .map(|t| {
                AgeGroup::ALL
                    .iter()
                    .map(|g| sum(&|c| c.tier == *t && c.age_group == *g))
                    .collect()
            })
            .collect();
        for (row, counts) in suppress_grid(&grid).into_iter().enumerate() {
            for (column, count) in counts.into_iter().enumerate() {
                assert_eq!(
                    dashboard["waiting"]["by_tier_and_age_group"][row]["counts"][column],
                    shown(count),
                    "{} row {row} column {column}",
                    app.backend
                );
            }
        }

        let summary = store.waiting_summary(TODAY).await.unwrap();
        let died: Vec<u64> = summary.died_by_tier.iter().map(|c| c.count).collect();
        for (index, count) in suppress_parts(&died).into_iter().enumerate() {
            assert_eq!(
                dashboard["deaths"]["total_by_tier"][index]["count"],
                shown(count)
            );
        }

        let from = TODAY.checked_sub(jiff::Span::new().days(27)).unwrap();
        assert_eq!(dashboard["evacuations"]["from"], from.to_string());
        let crossed = store.evacuations(from, TODAY).await.unwrap();
        let weeks = dashboard["evacuations"]["weeks"].as_array().unwrap();
        assert_eq!(weeks.len(), 4);
        for week in weeks {
            let (start, end): (jiff::civil::Date, jiff::civil::Date) = (
                week["from"].as_str().unwrap().parse().unwrap(),
                week["to"].as_str().unwrap().parse().unwrap(),
            );
            let people: u64 = crossed
                .iter()
                .filter(|c| c.date >= start && c.date <= end)
                .map(|c| c.count)
                .sum();
            assert_eq!(week["people"], shown(suppress(people)));
        }
        assert_eq!(
            dashboard["figures"].as_array().unwrap().len(),
            store.figures().await.unwrap().len()
        );
        let forecast = &dashboard["forecast"];
        assert_eq!(forecast["runs"][0]["places_per_day"], 50);
        assert_eq!(forecast["runs"][0]["start"], TODAY.to_string());
        assert!(
            forecast["source"]
                .as_str()
                .unwrap()
                .contains("40 replications")
        );
        assert_eq!(dashboard["aid"]["target_per_day"], 600);
        assert_eq!(dashboard["aid"]["fuel_target_per_day"], 50);
        assert_eq!(dashboard["aid"]["days"].as_array().unwrap().len(), 28);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_forecast_page_runs_a_small_scenario() {
    for app in apps().await {
        let mut analyst = app.signed_in(UserRole::Analyst).await;
        let form = analyst.get("/forecast").await;
        assert_eq!(form.status, StatusCode::OK);
        // Prefilled with the registry's backlog as of today.
        let summary = app.state.store.waiting_summary(TODAY).await.unwrap();
        let critical = summary
            .waiting_by_tier
            .iter()
            .find(|c| c.tier == Tier::Critical)
            .unwrap()
            .count;
        assert!(
            form.body
                .contains(&format!("name=\"backlog.critical\" value=\"{critical}\"")),
            "{}",
            form.body
        );
        let reply = analyst
            .post_form(
                "/forecast",
                &[
                    ("backlog.critical", "20"),
                    ("referrals.critical", "0.5"),
                    ("mortality.critical", "0.35"),
                    ("backlog.urgent", "100"),
                    ("referrals.urgent", "1"),
                    ("mortality.urgent", "0.1"),
                    ("backlog.routine", "200"),
                    ("referrals.routine", "2"),
                    ("mortality.routine", "0.025"),
                    ("capacity_per_day", "5"),
                    ("weekday", "sun"),
                    ("weekday", "mon"),
                    ("weekday", "tue"),
                    ("weekday", "wed"),
                    ("weekday", "thu"),
                    ("policy", "strict-priority"),
                    ("policy", "first-come-first-served"),
                    ("horizon_days", "60"),
                    ("replications", "20"),
                    ("seed", "3"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let results = section(&reply.body, "results");
        assert!(
            results.contains("60 days; 20 replications, seed 3"),
            "{results}"
        );
        assert!(results.contains("strict-priority: by tier"));
        assert!(results.contains("first-come-first-served: by tier"));
        assert!(results.contains("95% CI"));
        // 300 waiting at 5 places on 5 days of 7 does not clear in 60 days.
        assert!(
            results.contains("not within the horizon in 20 of 20 replications"),
            "{results}"
        );
        assert_eq!(results.matches("<svg").count(), 3, "fan, deaths, policies");
        assert!(results.contains("Source: computed by corridor&#39;s Monte Carlo model"));
        app.finish().await;
    }
}

fn small_request() -> Value {
    json!({
        "tiers": [
            {"name": "critical", "backlog": 10, "referrals_per_day": 0.0, "annual_mortality": 0.3},
            {"name": "routine", "backlog": 40, "referrals_per_day": 0.0, "annual_mortality": 0.0}
        ],
        "capacity_per_day": 10,
        "weekdays": ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
        "policies": ["strict-priority", "children-first"],
        "horizon_days": 30,
        "replications": 5,
        "seed": 1
    })
}

#[tokio::test]
async fn the_forecast_api_returns_the_figures() {
    let app = TestApp::sqlite().await;
    let mut client = app.with_token(UserRole::LogisticsOfficer).await;
    let reply = client
        .send_json(Method::POST, "/api/v1/forecasts", &small_request())
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let result = reply.json();
    assert_eq!(result["replications"], 5);
    assert_eq!(result["start"], TODAY.to_string());
    let runs = result["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["policy"], "strict-priority");
    // 50 people, 10 places every day, nobody referred: cleared in 5 days at
    // the latest (fewer if some die first), in every replication.
    let cleared = &runs[0]["backlog_cleared"];
    assert_eq!(cleared["completed"], 5);
    assert!(
        cleared["days"]["mean"].as_f64().unwrap() <= 5.0,
        "{cleared}"
    );
    assert_eq!(runs[0]["tiers"][0]["tier"], "critical");
    assert_eq!(runs[0]["tiers"][0]["initial_backlog"], 10);
    assert!(runs[0]["tiers"][0]["wait_p50"]["mean"].as_f64().unwrap() <= 1.0);
    assert_eq!(runs[0]["list_p50"].as_array().unwrap().len(), 30);
    app.finish().await;
}

#[tokio::test]
async fn wrong_forecast_values_are_refused_with_their_field() {
    let app = TestApp::sqlite().await;
    let mut client = app.with_token(UserRole::Analyst).await;
    for (key, value, field) in [
        ("capacity_per_day", json!(-5), "capacity_per_day"),
        ("replications", json!(201), "replications"),
        ("horizon_days", json!(0), "horizon_days"),
        ("policies", json!([]), "policies"),
        ("weekdays", json!(["someday"]), "weekdays"),
    ] {
        let mut request = small_request();
        request[key] = value;
        let reply = client
            .send_json(Method::POST, "/api/v1/forecasts", &request)
            .await;
        let problem = reply.problem(StatusCode::BAD_REQUEST);
        assert_eq!(problem["field"], field, "{problem}");
    }
    let mut request = small_request();
    request["tiers"][0]["annual_mortality"] = json!(1.5);
    let problem = client
        .send_json(Method::POST, "/api/v1/forecasts", &request)
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert_eq!(problem["field"], "mortality.critical");

    // The page re-renders the form with the value given and the message.
    let mut analyst = app.signed_in(UserRole::Analyst).await;
    let mut fields = vec![
        ("backlog.critical", "5"),
        ("referrals.critical", "0"),
        ("mortality.critical", "0"),
        ("backlog.urgent", "5"),
        ("referrals.urgent", "0"),
        ("mortality.urgent", "0"),
        ("backlog.routine", "5"),
        ("referrals.routine", "0"),
        ("mortality.routine", "0"),
        ("capacity_per_day", "-1"),
        ("weekday", "mon"),
        ("policy", "weighted"),
        ("horizon_days", "10"),
        ("replications", "2"),
        ("seed", "1"),
    ];
    let reply = analyst.post_form("/forecast", &fields).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(
        reply.body.contains(
            "id=\"error-capacity_per_day\">-1 is out of range; give the places a day from 0 to 100000<"
        ),
        "{}",
        reply.body
    );
    assert!(
        reply
            .body
            .contains("name=\"capacity_per_day\" value=\"-1\"")
    );
    assert!(!reply.body.contains("id=\"results\""));
    fields[9] = ("capacity_per_day", "5");
    fields[13] = ("replications", "1000");
    let reply = analyst.post_form("/forecast", &fields).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply
            .body
            .contains("id=\"error-replications\">1000 is out of range"),
        "{}",
        reply.body
    );
    fields[13] = ("replications", "many");
    let reply = analyst.post_form("/forecast", &fields).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.body.contains("is not a whole number"),
        "{}",
        reply.body
    );
    app.finish().await;
}

#[tokio::test]
async fn roles_without_run_forecasts_are_refused() {
    let app = TestApp::sqlite().await;
    for role in [
        UserRole::CrossingOfficer,
        UserRole::Admin,
        UserRole::ClearanceLiaison,
    ] {
        assert!(!role.can(Permission::RunForecasts));
        let mut browser = app.signed_in(role).await;
        assert_eq!(browser.get("/forecast").await.status, StatusCode::FORBIDDEN);
        let page = browser.get("/").await;
        assert!(
            !page.body.contains("href=\"/forecast\""),
            "{role}: no nav entry"
        );
        let mut client = app.with_token(role).await;
        client
            .send_json(Method::POST, "/api/v1/forecasts", &small_request())
            .await
            .problem(StatusCode::FORBIDDEN);
    }
    let mut analyst = app.signed_in(UserRole::Analyst).await;
    assert!(analyst.get("/").await.body.contains("href=\"/forecast\""));
    app.finish().await;
}

#[tokio::test]
async fn the_dashboard_forecast_is_computed_once_per_day_and_backlog() {
    let app = TestApp::sqlite().await;
    let mut client = app.with_token(UserRole::Analyst).await;
    let first = client.get("/api/v1/dashboard").await.json();
    let backlog = app
        .state
        .store
        .waiting_summary(TODAY)
        .await
        .unwrap()
        .backlog_by_tier();
    let key = corridor_web::ForecastKey {
        day: TODAY,
        backlog,
        places_per_day: 50,
    };
    let cached = app.state.forecasts.get(&key).expect("cached");
    assert_eq!(
        first["forecast"]["runs"][0]["list_p50"]
            .as_array()
            .unwrap()
            .len(),
        cached.runs[0].list_p50.len()
    );
    let second = client.get("/api/v1/dashboard").await.json();
    assert_eq!(first["forecast"], second["forecast"]);
    app.finish().await;
}

#[tokio::test]
async fn utilisation_shows_each_confirmed_day_and_where_its_places_went() {
    for mut app in apps().await {
        let backend = app.backend;
        let mut analyst = app.with_token(UserRole::Analyst).await;
        let window = "/api/v1/utilisation?from=2026-02-01&to=2026-02-07";
        let before = analyst.get(window).await.json();
        assert_eq!(before["last_days"], json!([]), "{backend}: {before}");

        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        crate::calls::confirm_day(&mut coordinator).await;
        let list = coordinator
            .get("/api/v1/calls?crossing=rafah&date=2026-02-02")
            .await
            .json();
        let outbound = crate::calls::party_heads(&list, "outbound");
        for party in outbound.iter().take(1) {
            let declined = coordinator
                .send_json(
                    Method::POST,
                    "/api/v1/calls",
                    &json!({"crossing": "rafah", "date": "2026-02-02", "party": party,
                            "outcome": "declined", "reason": "the family stays"}),
                )
                .await;
            assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
        }

        let view = analyst.get(window).await.json();
        let days = view["last_days"].as_array().unwrap();
        assert_eq!(days.len(), 2, "{backend}: both directions: {view}");
        let day = days.iter().find(|d| d["direction"] == "outbound").unwrap();
        assert_eq!(day["from"], "2026-02-02");
        assert_eq!(day["crossing"], "rafah");
        assert!(day["available"].as_u64().unwrap() > 0, "{day}");
        assert_eq!(day["crossed"], "<5", "nobody has crossed yet: {day}");
        assert_ne!(day["declined"], json!(0), "{day}");
        assert_eq!(day["used_percent"], Value::Null, "{day}");
        let weeks = view["weeks"].as_array().unwrap();
        assert!(
            weeks
                .iter()
                .any(|w| w["direction"] == "outbound" && w["available"] == day["available"]),
            "{view}"
        );
        let text = view.to_string();
        assert!(!has_person_id(&text), "aggregates only: {text}");
        assert!(!text.contains("the family stays"), "no free text: {text}");

        let backwards = analyst
            .get("/api/v1/utilisation?from=2026-02-09&to=2026-02-01")
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert_eq!(backwards["field"], "from", "{backwards}");

        // On the day, the dashboard shows it in its last seven days.
        app.set_today(jiff::civil::date(2026, 2, 2));
        let mut page_reader = app.signed_in(UserRole::Analyst).await;
        let page = page_reader.get("/").await;
        let places = section(&page.body, "utilisation");
        assert!(
            places.contains("id=\"utilisation-days\""),
            "{backend}: {places}"
        );
        assert!(
            places.contains("<td>rafah</td><td>outbound</td>"),
            "{places}"
        );
        assert!(
            places.contains("id=\"places-used-per-week-title\""),
            "{places}"
        );
        assert!(!has_person_id(places), "{places}");
        let dashboard = app
            .with_token(UserRole::Analyst)
            .await
            .get("/api/v1/dashboard")
            .await
            .json();
        assert_eq!(
            dashboard["utilisation"]["last_days"]
                .as_array()
                .unwrap()
                .len(),
            2,
            "{dashboard}"
        );
        app.finish().await;
    }
}
