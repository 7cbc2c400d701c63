//! The first journeys: a coordinator's waiting list, a crossing day from
//! registration to the gate, and a referrer breaking the glass.

use corridor_domain::UserRole;

use super::{Browser, Screen, journey};
use crate::harness::{REFERRER_ORGANISATION, TestApp, apps};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_signs_in_filters_the_waiting_list_pages_and_opens_a_person() {
    for app in apps().await {
        journey(&app, "coordinator", Screen::Laptop, coordinator_journey).await;
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referrer_breaks_the_glass_to_open_a_record_outside_their_scope_on_a_tablet() {
    for app in apps().await {
        let outside = outside_the_referrers_scope(&app).await;
        let record = outside.clone();
        journey(&app, "referrer", Screen::Tablet, |browser| {
            referrer_journey(browser, record)
        })
        .await;
        let grants = app.state.store.break_glass_grants(10).await.unwrap();
        assert_eq!(grants.len(), 1, "one break-glass grant, from the form");
        assert_eq!(grants[0].username, "referrer");
        assert_eq!(grants[0].person_id, outside);
        assert_eq!(grants[0].reason, BREAK_GLASS_REASON);
        app.finish().await;
    }
}

async fn coordinator_journey(browser: Browser) {
    browser.visit("/").await;
    browser
        .see("Sign in with the account your admin gave you")
        .await;
    browser.screenshot("01-sign-in").await;

    browser.sign_in("coordinator").await;
    browser.heading_is("Dashboard").await;
    browser.see("patients waiting").await;
    browser.see("Waiting list by tier and age group").await;
    browser.see("Test coordinator · Coordinator").await;
    browser.screenshot("02-dashboard").await;

    browser.click_link("Waiting list").await;
    browser.heading_is("Waiting list").await;
    browser.see("people match").await;
    browser.see("Page 1 of").await;
    browser.screenshot("03-waiting-list").await;

    let first_page = browser.column("table.list", 1).await;
    browser.click_link("Next →").await;
    browser.url_contains("after=").await;
    browser.see("Page 2 of").await;
    let second_page = browser.column("table.list", 1).await;
    assert!(!second_page.is_empty(), "the second page has rows");
    assert!(
        second_page.iter().all(|id| !first_page.contains(id)),
        "the second page shows other people: {second_page:?}"
    );
    browser.screenshot("04-waiting-list-page-2").await;

    browser.select("tier", "critical").await;
    browser.click_button("Filter").await;
    browser.url_contains("tier=critical").await;
    browser.see("Page 1 of 1").await;
    let tiers = browser.column("table.list", 4).await;
    assert!(!tiers.is_empty(), "critical patients are listed");
    assert!(
        tiers.iter().all(|tier| tier == "critical"),
        "only critical patients after filtering: {tiers:?}"
    );
    browser.see(&format!("{} people match", tiers.len())).await;
    browser.screenshot("05-waiting-list-critical").await;

    let id = browser.column("table.list", 1).await[0].clone();
    browser.click_link(&id).await;
    browser.heading_is(&format!("Person {id}")).await;
    browser
        .see("your view of it is written to the audit log")
        .await;
    browser.see("Status timeline").await;
    browser.see("critical").await;
    let timeline = browser.column("main table.timeline", 4).await;
    assert!(
        timeline.first().is_some_and(|to| to == "referred"),
        "the timeline starts with the referral of {id}: {timeline:?}"
    );
    browser.screenshot("06-person").await;

    browser.click_button("Sign out").await;
    browser
        .see("Sign in with the account your admin gave you")
        .await;
    browser.screenshot("07-signed-out").await;
    browser.visit("/people").await;
    browser
        .see("Sign in with the account your admin gave you")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_is_registered_cleared_planned_and_crosses_and_the_dashboard_counts_them() {
    for mut app in apps().await {
        // The day is worked on the day: the gate takes no outcome before it.
        app.set_today(jiff::civil::date(2026, 2, 2));
        journey(&app, "crossing-day", Screen::Laptop, crossing_day_journey).await;
        app.finish().await;
    }
}

/// The crossing day the journey plans: the demo's first day with crossing
/// rules (a Monday; Rafah operates Sunday to Thursday).
const DAY: &str = "crossing=rafah&date=2026-02-02";

/// A coordinator registers a critical patient who has waited longer than
/// anyone, lists them and submits them for clearance; the clearance liaison
/// records the clearance; the coordinator plans and confirms the day (the
/// returnees coming in first, since entries must equal exits); the crossing
/// officer marks the patient crossed on the gate's tablet screen; and the
/// dashboard counts them as waiting, then no longer.
async fn crossing_day_journey(browser: Browser) {
    browser.sign_in("coordinator").await;
    browser.heading_is("Dashboard").await;
    let waiting_before = browser.figure("patients waiting").await;
    browser.screenshot("01-dashboard-before").await;

    browser.click_link("Register a patient").await;
    browser.heading_is("Register a patient").await;
    browser.fill("name", "Journey Test Patient").await;
    browser.fill("birth_year", "1961").await;
    browser.select("sex", "female").await;
    browser.select("condition", "cancer").await;
    browser.select("specialty", "oncology").await;
    browser.select("tier", "critical").await;
    browser.set_date("referral_date", "2024-01-15").await;
    browser
        .select("referring_facility", "nasser-medical-complex")
        .await;
    browser.screenshot("02-register").await;
    browser.click_button("Register the patient").await;
    browser.see("Registered patient").await;
    let id = browser
        .heading()
        .await
        .trim_start_matches("Person ")
        .to_string();
    assert!(
        id.starts_with("P-"),
        "the person page of the new patient: {id}"
    );
    browser.see("Journey Test Patient").await;
    browser.screenshot("03-registered").await;

    browser.visit("/").await;
    assert_eq!(
        browser.figure("patients waiting").await,
        waiting_before + 1,
        "the dashboard counts the new patient as waiting"
    );
    browser.visit(&format!("/people/{id}")).await;
    browser.click_button("List").await;
    browser.see(&format!("{id} is now listed")).await;
    browser.visit("/clearance").await;
    browser.fill("count", "1").await;
    browser.fill("tiers", "critical").await;
    browser.screenshot("04-clearance-submit").await;
    browser.click_button("Submit for clearance").await;
    browser.see("Submitted batch").await;
    browser.see(&id).await;
    let batch = browser
        .heading()
        .await
        .trim_start_matches("Clearance batch ")
        .to_string();
    assert!(
        batch.starts_with("CB-"),
        "the page of the new batch: {batch}"
    );
    browser.click_button("Sign out").await;

    browser.sign_in("clearance-liaison").await;
    browser.visit("/clearance").await;
    browser.click_link(&batch).await;
    browser.select(&format!("outcome:{id}"), "cleared").await;
    browser.screenshot("05-clearance-decision").await;
    browser.click_button("Record these decisions").await;
    browser.see("cleared").await;
    browser.click_button("Sign out").await;

    browser.sign_in("coordinator").await;
    browser
        .visit(&format!("/plan?{DAY}&direction=inbound"))
        .await;
    browser.screenshot("06-plan-inbound").await;
    browser.click_button("Confirm this plan").await;
    browser.see("Confirmed").await;
    browser
        .visit(&format!("/plan?{DAY}&direction=outbound"))
        .await;
    browser.see(&id).await;
    browser.screenshot("07-plan-outbound").await;
    browser.click_button("Confirm this plan").await;
    browser.see("Confirmed").await;
    browser
        .visit(&format!("/plan/manifest?{DAY}&direction=outbound"))
        .await;
    browser.see("Journey Test Patient").await;
    browser.screenshot("08-manifest").await;
    browser.click_button("Sign out").await;

    browser.resize(Screen::Tablet).await;
    browser.sign_in("crossing-officer").await;
    browser.visit(&format!("/gate?{DAY}")).await;
    browser.see("Journey Test Patient").await;
    browser.screenshot("09-gate").await;
    browser.click_button_in_card(&id, "Crossed").await;
    browser.see_in_card(&id, "crossed").await;
    browser.screenshot("10-gate-crossed").await;
    browser.click_button("Sign out").await;

    browser.resize(Screen::Laptop).await;
    browser.sign_in("analyst").await;
    browser.heading_is("Dashboard").await;
    assert_eq!(
        browser.figure("patients waiting").await,
        waiting_before,
        "the patient who crossed is no longer waiting"
    );
    browser.screenshot("11-dashboard-after").await;
}

const BREAK_GLASS_REASON: &str = "Patient transferred to our ward tonight, need the history";

async fn referrer_journey(browser: Browser, outside: String) {
    browser.sign_in("referrer").await;
    browser.see("Test referrer · Referrer").await;
    browser.screenshot("01-dashboard").await;

    browser.click_link("Waiting list").await;
    browser.see("within your scope").await;
    browser.screenshot("02-waiting-list-own-organisation").await;

    browser.visit(&format!("/people/{outside}")).await;
    browser.heading_is("Outside your scope").await;
    browser
        .see(&format!("The record {outside} is outside your scope."))
        .await;
    browser.screenshot("03-outside-scope").await;

    browser.fill("reason", BREAK_GLASS_REASON).await;
    browser.click_button("Break the glass").await;
    browser
        .see(&format!(
            "You broke the glass for {outside}: you may read this record until"
        ))
        .await;
    browser.heading_is(&format!("Person {outside}")).await;
    browser.see("Status timeline").await;
    browser
        .screenshot("04-person-after-breaking-the-glass")
        .await;

    browser.click_button("Sign out").await;
    browser
        .see("Sign in with the account your admin gave you")
        .await;
    browser.screenshot("05-signed-out").await;
}

/// The first person on the waiting list referred by another facility than
/// the referrer's.
async fn outside_the_referrers_scope(app: &TestApp) -> String {
    let mut coordinator = app.with_token(UserRole::Coordinator).await;
    let everyone = coordinator.get("/api/v1/people?per_page=500").await.json();
    for row in everyone["rows"].as_array().unwrap() {
        let id = row["id"].as_str().unwrap();
        let person = coordinator
            .get(&format!("/api/v1/people/{id}"))
            .await
            .json();
        if person["referring_facility"]
            .as_str()
            .is_some_and(|facility| facility != REFERRER_ORGANISATION)
        {
            return id.to_string();
        }
    }
    panic!("the demo has patients of other facilities than {REFERRER_ORGANISATION}")
}
