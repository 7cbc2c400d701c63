//! A companion refused at the crossing while the patient goes on: the
//! crossing officer turns back one companion of an adult patient alone,
//! the patient crosses, and the page keeps its place; then the coordinator
//! replaces the companion from the patient's record.

use corridor_domain::{PersonId, Status, UserRole};
use jiff::civil::date;

use super::{Browser, Screen, journey};
use crate::companions::an_adult_party;
use crate::harness::apps;

const GATE: &str = "/gate?crossing=rafah&date=2026-02-02";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_companion_is_turned_back_alone_the_patient_crosses_and_the_companion_is_replaced() {
    for mut app in apps().await {
        app.set_today(date(2026, 2, 2));
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let (patient, companions) = an_adult_party(&app, &mut coordinator).await;
        let companion = companions[0].clone();
        let (p, c) = (patient.clone(), companion.clone());
        journey(&app, "companions", Screen::Laptop, move |browser| {
            companions_journey(browser, p, c)
        })
        .await;
        let store = &app.state.store;
        let line = |id: &str| {
            let id = PersonId::parse(id).unwrap();
            async move { store.person(&id).await.unwrap().unwrap().line.status }
        };
        assert_eq!(line(&patient).await, Status::Crossed, "{}", app.backend);
        assert_eq!(line(&companion).await, Status::Withdrawn, "{}", app.backend);
        let standing = store
            .companions_of(&PersonId::parse(&patient).unwrap())
            .await
            .unwrap();
        let replaced = standing
            .iter()
            .find(|c| c.id.as_str() == companion)
            .unwrap();
        let new = replaced.replaced_by.clone().expect("replaced by the form");
        assert_eq!(line(new.as_str()).await, Status::Listed, "{}", app.backend);
        app.finish().await;
    }
}

async fn companions_journey(browser: Browser, patient: String, companion: String) {
    let row = format!("member-{companion}");
    let alone = format!("Record {companion} alone");
    let turn_back = format!("Turn back {companion} alone");

    // The officer works the day, showing only those not yet recorded.
    browser.sign_in("crossing-officer").await;
    browser.visit(&format!("{GATE}&show=expected")).await;
    browser.see_in_card(&patient, &alone).await;
    browser.scroll_to(&format!("#party-{patient}")).await;
    browser.open_in_card(&patient, &alone).await;
    browser
        .choose_in_card(&patient, &turn_back, "reason_code", "companion-refused")
        .await;
    browser
        .fill_in_card(&patient, &turn_back, "note", "exit permit expired")
        .await;
    browser.screenshot("01-companion-row-open").await;
    browser.click_button_in_card(&patient, &turn_back).await;

    // Back at the same row, with the filter kept; the patient is still expected.
    browser.url_contains(&format!("show=expected#{row}")).await;
    browser.see(&format!("turned-back: {companion}")).await;
    let place = browser.place_of(&row).await;
    browser.screenshot("02-companion-turned-back-alone").await;
    assert!(
        place.0 && place.1,
        "the row of {companion} is in the window after the tap: {place:?}"
    );
    browser
        .see_in_card(&patient, "turned-back: Companion refused at the crossing")
        .await;

    // The patient crosses with whoever is still expected.
    browser.click_button_in_card(&patient, "Crossed").await;
    browser.see(&format!("crossed: {patient}")).await;
    browser.url_contains("show=expected#party-").await;
    browser.screenshot("03-patient-crossed-next-card").await;

    // The whole day, on the smaller tablet: the party's states side by side.
    browser.resize(Screen::SmallTablet).await;
    browser.visit(GATE).await;
    browser.scroll_to(&format!("#party-{patient}")).await;
    browser.see_in_card(&patient, "crossed").await;
    browser.see_in_card(&patient, "turned-back").await;
    browser.screenshot("04-party-on-small-tablet").await;

    // The coordinator replaces the companion from the patient's record.
    browser.resize(Screen::Laptop).await;
    browser.sign_in("coordinator").await;
    browser.visit(&format!("/people/{patient}")).await;
    browser.scroll_to("#companions").await;
    browser.screenshot("05-record-with-replace").await;
    browser.click_link(&format!("Replace {companion}")).await;
    browser.fill("name", "Huda").await;
    browser.select("relationship", "sibling").await;
    browser.fill("birth_year", "19 92").await;
    browser.select("sex", "female").await;
    browser
        .fill(
            "reason",
            "turned back at the gate; her sister travels instead",
        )
        .await;
    browser.click_button("Replace the companion").await;
    browser
        .see_refused_field("birth_year", "is not a year")
        .await;
    assert_eq!(
        browser.value_of("name").await,
        "Huda",
        "the form keeps what was typed"
    );
    assert_eq!(
        browser.value_of("reason").await,
        "turned back at the gate; her sister travels instead"
    );
    browser.screenshot("06-replace-refused-kept").await;
    browser.fill("birth_year", "1992").await;
    browser.click_button("Replace the companion").await;
    browser
        .see(&format!("replaces {companion} as a companion of {patient}"))
        .await;
    browser.url_contains("#companions").await;
    browser.see("replaced by").await;
    browser.screenshot("07-replaced").await;
    browser.resize(Screen::SmallTablet).await;
    browser.scroll_to("#companions").await;
    browser.screenshot("08-replaced-small-tablet").await;
}
