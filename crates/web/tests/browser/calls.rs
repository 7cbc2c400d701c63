//! The call list the night before: the coordinator confirms the day, opens
//! the call list from the navigation, records a decline without a reason
//! (refused at the field, what was chosen kept), then with one (the party
//! marked, its places freed), and one unreachable party; on a laptop and
//! on a small tablet.

use axum::http::{Method, StatusCode};
use corridor_domain::{CrossingId, NewAssemblyPoint, UserRole, parse_cut_off};
use fantoccini::Locator;
use jiff::civil::date;
use serde_json::json;

use super::{Browser, Screen, journey, xpath_literal};
use crate::harness::{TestApp, apps, now};

const DAY: &str = "2026-02-02";

/// Both manifests of the day confirmed, an assembly point, and a cut-off
/// at midnight before the day (not passed at any hour of 2026-02-01, when
/// the app works). Returns the heads of the outbound and inbound parties.
async fn confirmed_day(app: &TestApp) -> (Vec<String>, Vec<String>) {
    let mut coordinator = app.with_token(UserRole::Coordinator).await;
    for direction in ["inbound", "outbound"] {
        let confirmed = coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/confirm",
                &json!({"crossing": "rafah", "date": DAY, "direction": direction}),
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    }
    let store = &app.state.store;
    let rafah = CrossingId::parse("rafah").unwrap();
    let day = date(2026, 2, 2);
    store
        .add_assembly_point(
            &rafah,
            day,
            &NewAssemblyPoint::parse("Nasser hospital gate", "05:30").unwrap(),
            now(),
            "coordinator",
        )
        .await
        .unwrap();
    store
        .set_cut_off(
            &rafah,
            day,
            parse_cut_off(day, "2026-02-02 00:00").unwrap(),
            now(),
            "coordinator",
        )
        .await
        .unwrap();
    let list = coordinator
        .get(&format!("/api/v1/calls?crossing=rafah&date={DAY}"))
        .await
        .json();
    let heads = |direction: &str| -> Vec<String> {
        list["parties"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["direction"] == direction)
            .map(|p| p["head"]["person"].as_str().unwrap().to_string())
            .collect()
    };
    (heads("outbound"), heads("inbound"))
}

/// Steps on the rows of the call list.
impl Browser {
    fn row_xpath(party: &str) -> String {
        format!("//tr[@data-party={}]", xpath_literal(party))
    }

    pub(super) async fn choose_in_row(&self, party: &str, name: &str, value: &str) {
        self.find(Locator::XPath(&format!(
            "{}//select[@name={}]",
            Browser::row_xpath(party),
            xpath_literal(name)
        )))
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|error| panic!("choose {value} for {party}: {error}"));
    }

    pub(super) async fn fill_in_row(&self, party: &str, name: &str, text: &str) {
        let field = self
            .find(Locator::XPath(&format!(
                "{}//input[@name={}]",
                Browser::row_xpath(party),
                xpath_literal(name)
            )))
            .await;
        field.clear().await.unwrap();
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|error| panic!("type {name} for {party}: {error}"));
    }

    pub(super) async fn chosen_in_row(&self, party: &str, name: &str) -> String {
        self.find(Locator::XPath(&format!(
            "{}//select[@name={}]",
            Browser::row_xpath(party),
            xpath_literal(name)
        )))
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
    }

    pub(super) async fn record_in_row(&self, party: &str) {
        self.click(&format!(
            "{}//button[normalize-space()=\"Record\"]",
            Browser::row_xpath(party)
        ))
        .await;
    }

    async fn row_text(&self, party: &str) -> String {
        self.find(Locator::XPath(&Browser::row_xpath(party)))
            .await
            .text()
            .await
            .unwrap_or_default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_liaison_works_the_call_list() {
    for app in apps().await {
        let (outbound, inbound) = confirmed_day(&app).await;
        assert!(!outbound.is_empty() && !inbound.is_empty());
        let declining = outbound[0].clone();
        let unreachable = inbound[0].clone();
        journey(&app, "calls", Screen::Laptop, |browser| async move {
            browser.sign_in("coordinator").await;
            browser.click_link("Call list").await;
            browser.url_contains("/days/calls").await;
            browser.see("Cut-off: 2026-02-02 00:00 UTC").await;
            browser.see("Nasser hospital gate").await;
            browser.see("+999").await;
            browser.screenshot("01-call-list").await;

            // A decline without a reason: refused at the field, kept.
            browser
                .choose_in_row(&declining, "outcome", "declined")
                .await;
            browser.record_in_row(&declining).await;
            browser
                .see_refused_field("reason", "is required when a party declines")
                .await;
            assert_eq!(
                browser.chosen_in_row(&declining, "outcome").await,
                "declined"
            );
            browser.screenshot("02-decline-without-a-reason").await;

            browser
                .fill_in_row(&declining, "reason", "too ill to travel this week")
                .await;
            browser.record_in_row(&declining).await;
            browser
                .see("back on the list as cleared, beds released")
                .await;
            browser.url_contains(&format!("#call-{declining}")).await;
            let row = browser.row_text(&declining).await;
            assert!(row.contains("declined: places freed"), "{row}");
            assert!(row.contains("too ill to travel this week"), "{row}");
            browser.screenshot("03-declined").await;

            browser
                .choose_in_row(&unreachable, "outcome", "unreachable")
                .await;
            browser.record_in_row(&unreachable).await;
            browser.see(&format!("{unreachable}: unreachable.")).await;
            let row = browser.row_text(&unreachable).await;
            assert!(row.contains("unreachable"), "{row}");
            assert!(!row.contains("places freed"), "before the cut-off: {row}");
            browser.screenshot("04-unreachable").await;

            browser.resize(Screen::SmallTablet).await;
            browser
                .visit(&format!("/days/calls?crossing=rafah&date={DAY}"))
                .await;
            browser.see("Cut-off").await;
            browser.screenshot("05-small-tablet").await;
        })
        .await;
        app.finish().await;
    }
}
