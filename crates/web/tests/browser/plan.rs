//! A coordinator works the day plan: filters the people left out, opens
//! the override of one of them, is refused for want of a reason without
//! losing what was chosen, then puts them on the plan at a chosen facility
//! and sees whom that displaced. On a laptop and on a tablet.

use axum::http::{Method, StatusCode};
use corridor_domain::UserRole;
use fantoccini::Locator;
use serde_json::{Value, json};

use super::{Browser, Screen, journey};
use crate::harness::{TestApp, apps};

const DAY: &str = "crossing=rafah&date=2026-02-02";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_overrides_the_plan_for_one_person_left_out_on_a_laptop() {
    overrides_on(Screen::Laptop, "plan-laptop").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_overrides_the_plan_for_one_person_left_out_on_a_tablet() {
    overrides_on(Screen::Tablet, "plan-tablet").await;
}

/// Someone the day's plan leaves out for want of places.
struct LeftOut {
    person: String,
    tier: String,
    specialty: String,
    picks: Vec<String>,
}

async fn overrides_on(screen: Screen, name: &str) {
    for app in apps().await {
        let left_out = outbound_day_with_places(&app).await;
        let person = left_out.person.clone();
        journey(&app, name, screen, |browser| {
            override_journey(browser, left_out)
        })
        .await;
        let audit = app
            .audit()
            .await
            .into_iter()
            .filter(|e| e.action == "plan.override")
            .collect::<Vec<_>>();
        assert_eq!(audit.len(), 1, "one override, from the second submission");
        assert_eq!(audit[0].subject, person);
        app.finish().await;
    }
}

/// Confirms the inbound day (entries must equal exits) and finds a person
/// left out of the outbound plan for want of places.
async fn outbound_day_with_places(app: &TestApp) -> LeftOut {
    let mut coordinator = app.with_token(UserRole::Coordinator).await;
    let confirmed = coordinator
        .send_json(
            Method::POST,
            "/api/v1/plan/confirm",
            &json!({"crossing": "rafah", "date": "2026-02-02", "direction": "inbound"}),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let plan: Value = coordinator.get(&format!("/api/v1/plan?{DAY}")).await.json();
    let left = plan["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| {
            let reason = l["reason"].as_str().unwrap();
            reason.starts_with("capped") || reason.starts_with("quota full")
        })
        .unwrap_or_else(|| panic!("nobody left out for want of places: {plan}"));
    let text = |value: &Value| value.as_str().unwrap().to_string();
    LeftOut {
        person: text(&left["person"]),
        tier: text(&left["facts"]["tier"]),
        specialty: text(&left["facts"]["specialty"]),
        picks: plan["picks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| text(&p["person"]))
            .collect(),
    }
}

async fn override_journey(browser: Browser, left_out: LeftOut) {
    let person = left_out.person.as_str();
    browser.sign_in("coordinator").await;
    browser.visit(&format!("/plan?{DAY}")).await;
    browser.see("Proposed manifest").await;
    browser.see("Priority score").await;
    browser.screenshot("01-plan").await;

    browser.select("tier", &left_out.tier).await;
    browser.select("specialty", &left_out.specialty).await;
    browser.click_button("Filter").await;
    browser
        .url_contains(&format!("tier={}", left_out.tier))
        .await;
    let people = browser.column("table.left-out", 1).await;
    assert!(
        people.contains(&left_out.person),
        "{person} is among those filtered: {people:?}"
    );
    let tiers = browser.column("table.left-out", 2).await;
    assert!(
        tiers.iter().all(|tier| *tier == left_out.tier),
        "only {} after filtering: {tiers:?}",
        left_out.tier
    );
    browser.screenshot("02-left-out-filtered").await;

    browser
        .click(&format!("//a[@aria-label=\"Override for {person}\"]"))
        .await;
    browser.see(&format!("Change the plan for {person}")).await;
    browser.see("Left out").await;
    browser.screenshot("03-override-form").await;

    // Choose a facility, forget the reason: refused, beside the reason,
    // with the facility and the action still chosen.
    let facility = browser
        .client
        .find_all(Locator::Css("select[name=\"facility\"] option"))
        .await
        .expect("the facility choices");
    let chosen = facility
        .last()
        .expect("a facility with a free bed")
        .attr("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(!chosen.is_empty(), "a facility to choose");
    browser.select("facility", &chosen).await;
    browser.click_button("Save the override").await;
    browser.see("say why in up to 500 characters").await;
    let beside = browser.find(Locator::Css("#error-reason")).await;
    assert!(
        beside.text().await.unwrap().contains("say why"),
        "the message is beside the reason field"
    );
    let selected = browser
        .find(Locator::Css("select[name=\"facility\"]"))
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        selected.as_deref(),
        Some(chosen.as_str()),
        "the facility is kept"
    );
    let action = browser
        .find(Locator::Css("input[name=\"action\"][value=\"add\"]"))
        .await
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(action.as_deref(), Some("true"), "the action is kept");
    browser.screenshot("04-refused-without-reason").await;

    browser.fill("reason", "surgery booked abroad").await;
    browser.click_button("Save the override").await;
    browser
        .see(&format!(
            "{person} is now on the plan, with a bed at {chosen}."
        ))
        .await;
    browser.see("It displaced ").await;
    let flash = browser
        .find(Locator::Css(".flash"))
        .await
        .text()
        .await
        .unwrap();
    let displaced: Vec<&String> = left_out
        .picks
        .iter()
        .filter(|pick| flash.contains(pick.as_str()))
        .collect();
    assert!(!displaced.is_empty(), "names someone displaced: {flash}");
    browser.see(&format!("added, bed at {chosen}")).await;
    browser.screenshot("05-displaced").await;
}
