//! A returnee registered with their luggage on the laptop: the record shows
//! the rules the declaration breaks; changed on the tablet, it keeps them.
//! A weight typed in words is refused beside the weight, with everything
//! else as typed.

use super::{Browser, Screen, journey};
use crate::harness::apps;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returnee_is_registered_on_the_laptop_and_their_luggage_changed_on_the_tablet() {
    for app in apps().await {
        journey(&app, "returnees", Screen::Laptop, register_and_change).await;
        journey(&app, "returnees-refused", Screen::Tablet, weight_in_words).await;
        app.finish().await;
    }
}

async fn register_and_change(browser: Browser) {
    browser.sign_in("coordinator").await;
    browser.click_link("Register a returnee").await;
    browser.heading_is("Register a returnee").await;
    // The crossing returnees enter by is chosen already.
    assert_eq!(browser.value_of("crossing").await, "rafah");
    browser.fill("birth_year", "1982").await;
    browser.select("sex", "male").await;
    browser.select("returning_from", "EG").await;
    browser.fill("name", "Samir Odeh").await;
    browser.fill("pieces", "2").await;
    browser.fill("weight", "19").await;
    browser
        .fill("items", "3x clothing\nelectronics:laptop")
        .await;
    browser.fill("medication_days", "30").await;
    browser.fill("cash", "2500 ILS").await;
    browser.screenshot("01-registration-typed").await;
    browser.click_button("Register the returnee").await;

    browser.see("Registered returnee R-").await;
    browser.see("It breaks 3 of the rules").await;
    browser.see("2 pieces declared; at most 1 allowed").await;
    browser.see("electronics 'laptop' is not allowed").await;
    browser
        .see("2500 ILS declared; at most 2000 ILS allowed")
        .await;
    browser.see("checked again at the gate").await;
    browser.see("19 kg").await;
    browser.screenshot("02-record-breaks-the-rules").await;
    // The change form holds the declaration as recorded.
    assert_eq!(browser.value_of("pieces").await, "2");
    assert_eq!(browser.value_of("weight").await, "19");
    assert_eq!(
        browser.value_of("items").await,
        "3x clothing\nelectronics:laptop"
    );
    assert_eq!(browser.value_of("cash").await, "2500 ILS");

    browser.resize(Screen::Tablet).await;
    browser.scroll_to("#luggage").await;
    browser.screenshot("03-record-on-the-tablet").await;
    browser.fill("pieces", "1").await;
    browser.fill("weight", "14").await;
    browser.fill("items", "3x clothing").await;
    browser.fill("cash", "900 ILS").await;
    browser.click_button("Record the declaration").await;
    browser.see("new luggage declaration").await;
    browser.see("It keeps the rules").await;
    browser.see("14 kg").await;
    assert_eq!(browser.shown_elements(".violations li").await, 0);
    browser.scroll_to("#luggage").await;
    browser.screenshot("04-record-keeps-the-rules").await;

    // Another day, before the rules apply: nothing to check.
    browser.set_date("date", "2026-02-01").await;
    browser.click_button("Check the luggage").await;
    browser.see("No luggage rules are in force").await;
    browser.screenshot("05-before-the-rules").await;
}

async fn weight_in_words(browser: Browser) {
    browser.sign_in("coordinator").await;
    browser.visit("/returnees/new").await;
    browser.fill("birth_year", "1990").await;
    browser.select("sex", "female").await;
    browser.select("returning_from", "EG").await;
    browser.fill("name", "Huda Nassar").await;
    browser.fill("pieces", "1").await;
    browser.fill("weight", "fourteen").await;
    browser.fill("items", "2x clothing\ndocuments").await;
    browser.fill("medication_days", "10").await;
    browser.fill("cash", "500 ILS").await;
    browser.click_button("Register the returnee").await;

    browser.see_refused_field("weight", "is not a weight").await;
    browser.screenshot("01-weight-in-words").await;
    for (field, typed) in [
        ("birth_year", "1990"),
        ("sex", "female"),
        ("returning_from", "EG"),
        ("name", "Huda Nassar"),
        ("crossing", "rafah"),
        ("pieces", "1"),
        ("weight", "fourteen"),
        ("items", "2x clothing\ndocuments"),
        ("medication_days", "10"),
        ("cash", "500 ILS"),
    ] {
        assert_eq!(browser.value_of(field).await, typed, "{field}");
    }

    browser.fill("weight", "14").await;
    browser.click_button("Register the returnee").await;
    browser.see("Registered returnee R-").await;
    browser.see("It keeps the rules").await;
    browser.screenshot("02-registered").await;
}
