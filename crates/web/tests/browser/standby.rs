//! The day of crossing: two parties declined on the call the night before.
//! The coordinator opens the confirmed day's plan, sees the places freed,
//! fills them from the standby list and sees the standby party on the
//! manifest; then removes a party, refused first for want of a reason
//! (the message at the field, the id kept), then with one. On a laptop
//! and on a small tablet, with axe-core on the refused form.

use axum::http::{Method, StatusCode};
use corridor_domain::UserRole;
use fantoccini::Locator;
use serde_json::json;

use super::accessibility::{assert_no_violations, check};
use super::{Browser, Screen, journey, xpath_literal};
use crate::harness::{TestApp, apps_with_demo};
use crate::standby::{OPEN_DATE, STANDBY_DEMO, open_day};

const DAY: &str = "crossing=rafah&date=2026-02-03";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coordinator_fills_freed_places_from_standby_on_a_laptop() {
    standby_on(Screen::Laptop, "standby-laptop").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coordinator_fills_freed_places_from_standby_on_a_small_tablet() {
    standby_on(Screen::SmallTablet, "standby-small-tablet").await;
}

/// The day as the journey finds it.
struct Day {
    /// People whose places the two declines freed.
    freed: usize,
    /// A party still on the manifest, to remove.
    removing: String,
}

async fn standby_on(screen: Screen, name: &str) {
    for app in apps_with_demo(STANDBY_DEMO).await {
        let day = day_with_two_declines(&app).await;
        let removing = day.removing.clone();
        journey(&app, name, screen, |browser| standby_journey(browser, day)).await;
        let kinds: Vec<String> = app
            .audit()
            .await
            .into_iter()
            .filter(|e| e.action == "manifest.amend")
            .map(|e| {
                let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
                detail["kind"].as_str().unwrap_or_default().to_string()
            })
            .collect();
        assert_eq!(
            kinds,
            ["fill", "remove"],
            "one fill, and one removal (from the second submission of {removing})"
        );
        app.finish().await;
    }
}

/// The outbound manifest of [`OPEN_DATE`] confirmed (with more cleared
/// patients than places, so that it has a standby list), and two of its
/// parties (of one person each where the manifest has them) declined on
/// the call.
async fn day_with_two_declines(app: &TestApp) -> Day {
    let mut coordinator = app.with_token(UserRole::Coordinator).await;
    open_day(app, &mut coordinator).await;
    let manifest = coordinator
        .get(&format!("/api/v1/manifests?{DAY}"))
        .await
        .json();
    let mut parties: Vec<(String, usize)> = manifest["parties"]
        .as_array()
        .unwrap_or_else(|| panic!("{manifest}"))
        .iter()
        .map(|party| {
            (
                party["head"]["person"].as_str().unwrap().to_string(),
                1 + party["companions"].as_array().map_or(0, Vec::len),
            )
        })
        .collect();
    assert!(parties.len() >= 3, "{manifest}");
    // Single people first (a stable sort keeps the manifest's order).
    parties.sort_by_key(|(_, people)| *people);
    for (head, _) in &parties[..2] {
        let declined = coordinator
            .send_json(
                Method::POST,
                "/api/v1/calls",
                &json!({"crossing": "rafah", "date": OPEN_DATE, "party": head, "outcome": "declined", "reason": "not ready to travel"}),
            )
            .await;
        assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    }
    Day {
        freed: parties[..2].iter().map(|(_, people)| people).sum(),
        removing: parties[2].0.clone(),
    }
}

const REMOVE: &str = "Remove a party";

/// Steps on the forms of the standby section, named by their labels.
impl Browser {
    fn form_field_xpath(form: &str, name: &str) -> String {
        format!(
            "//form[@aria-label={}]//*[@name={}]",
            xpath_literal(form),
            xpath_literal(name)
        )
    }

    async fn fill_in_form(&self, form: &str, name: &str, text: &str) {
        let field = self
            .find(Locator::XPath(&Browser::form_field_xpath(form, name)))
            .await;
        field.clear().await.unwrap();
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|error| panic!("type {name} in {form}: {error}"));
    }

    async fn value_in_form(&self, form: &str, name: &str) -> String {
        self.find(Locator::XPath(&Browser::form_field_xpath(form, name)))
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// The notice the last action left at the top of the page.
    async fn notice(&self) -> String {
        self.find(Locator::Css("p.flash[role=\"status\"]"))
            .await
            .text()
            .await
            .unwrap_or_default()
    }
}

async fn standby_journey(browser: Browser, day: Day) {
    let Day { freed, removing } = day;
    browser.sign_in("coordinator").await;
    browser
        .visit(&format!("/plan?{DAY}&direction=outbound"))
        .await;
    browser.see("Standby: freed places").await;
    browser.see(&format!("{freed} places free now")).await;
    browser
        .see(&format!("{freed} places freed: {freed} declined."))
        .await;
    browser.screenshot("01-freed-places").await;

    // Fill: the notice says who was added, and they are on the manifest.
    browser.click_button("Fill freed places from standby").await;
    browser.see("Added from standby: ").await;
    let notice = browser.notice().await;
    let added = notice
        .trim_start_matches("Added from standby: ")
        .split([' ', '.', ';'])
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(added.starts_with("P-"), "{notice}");
    let manifest = browser.column("table.confirmed", 2).await;
    assert!(
        manifest.contains(&added),
        "{added} on the manifest: {manifest:?}"
    );
    browser.screenshot("02-filled").await;
    browser
        .scroll_to("table.confirmed tbody tr:last-child")
        .await;
    browser.screenshot("03-on-the-manifest").await;
    let standby = browser.column("table.standby", 2).await;
    assert!(
        standby.iter().all(|p| !p.starts_with(&added)),
        "{added} left the standby list: {standby:?}"
    );

    // Remove without a reason: refused at the field, the id kept.
    browser.fill_in_form(REMOVE, "person", &removing).await;
    browser.click_button("Remove the party").await;
    browser
        .see_refused_field("reason", "say why the party is removed")
        .await;
    assert_eq!(browser.value_in_form(REMOVE, "person").await, removing);
    browser.screenshot("04-remove-without-a-reason").await;
    assert_no_violations(&check(&browser, "the plan with a refused removal").await);

    browser
        .fill_in_form(REMOVE, "reason", "admitted to a local hospital")
        .await;
    browser.click_button("Remove the party").await;
    browser
        .see(&format!("Removed from the manifest: {removing} ("))
        .await;
    browser.see(" removed, ").await;
    browser.screenshot("05-removed").await;
}
