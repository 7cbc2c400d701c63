//! Trust in the details, as an analyst sees them on a laptop and a tablet:
//! the weekly quota that was never in force says so, the aid target is one
//! line, and the forecast has its share of children and says when two
//! policies cannot differ.

use super::{Browser, Screen, journey};
use crate::harness::apps;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_reads_the_dashboard_and_a_forecast_with_children_on_a_laptop_and_a_tablet() {
    for app in apps().await {
        journey(&app, "details", Screen::Laptop, details_journey).await;
        app.finish().await;
    }
}

async fn details_journey(browser: Browser) {
    browser.sign_in("analyst").await;
    browser.heading_is("Dashboard").await;
    // The demo's people left with no quota in force: not a quota of 0.
    browser.see("none in force").await;
    browser.see("target (600 a day)").await;
    browser.visit("/#evacuations").await;
    browser.screenshot("01-dashboard-quota-laptop").await;
    browser.scroll_to("#aid figure.chart").await;
    browser.see("target (600 a day)").await;
    browser.screenshot("02-dashboard-aid-chart-laptop").await;
    browser.resize(Screen::Tablet).await;
    browser.visit("/#evacuations").await;
    browser.see("none in force").await;
    browser.screenshot("03-dashboard-quota-tablet").await;
    browser.scroll_to("#aid figure.chart").await;
    browser.screenshot("04-dashboard-aid-chart-tablet").await;
    browser.resize(Screen::Laptop).await;

    // The forecast's form fits a small tablet: every field in reach.
    browser.resize(Screen::SmallTablet).await;
    browser.visit("/forecast").await;
    browser.heading_is("Forecast").await;
    browser.fits_the_width().await;
    browser.screenshot("05-forecast-form-small-tablet").await;
    browser.resize(Screen::Laptop).await;
    browser.see("Share of patients who are children").await;
    browser.fill("horizon_days", "60").await;
    browser.fill("replications", "5").await;
    browser.fill("child_share", "0").await;
    browser.click_button("Run the forecast").await;
    browser.see("Results").await;
    browser
        .see("strict-priority and children-first give the same result here: no patient is a child")
        .await;
    browser
        .screenshot("06-forecast-without-children-laptop")
        .await;

    browser.fill("child_share", "2").await;
    browser.click_button("Run the forecast").await;
    browser
        .see("2 is not a share of patients; give one from 0 to 1")
        .await;
    browser.screenshot("07-forecast-share-refused-laptop").await;

    browser.fill("child_share", "0.3").await;
    browser.click_button("Run the forecast").await;
    browser.see("children-first: by tier").await;
    browser.resize(Screen::Tablet).await;
    browser.fits_the_width().await;
    browser.screenshot("08-forecast-with-children-tablet").await;
}
