//! The gate on the tablet: it opens on the evacuation crossing's next
//! operating day, a tap keeps the officer at the card they were on, a
//! refused outcome shows its message in its card with what was typed, a
//! wrong tap is undone with a reason, and the cards can be searched and
//! filtered to those not yet recorded.

use axum::http::{Method, StatusCode};
use corridor_domain::{BedCapacity, UserRole};
use jiff::civil::date;
use serde_json::json;

use super::{Browser, Screen, journey};
use crate::harness::{TestApp, apps};

/// The demo's first crossing day at Rafah, the crossing evacuees leave by.
const DAY: &str = "2026-02-02";

/// The parties of the day's manifests in the order the gate shows them
/// (outbound, then inbound), after confirming the inbound day (entries
/// must equal exits) and then the outbound one.
async fn confirmed_day(app: &TestApp) -> Vec<String> {
    // Beds to spare, so that the day takes everyone cleared for it and the
    // page is as long as a real day's.
    let store = &app.state.store;
    let day = date(2026, 2, 2);
    for line in store.bed_board(day).await.unwrap() {
        let capacity = BedCapacity::new(line.specialty, 30, day, date(2026, 3, 1)).unwrap();
        store
            .publish_beds(&line.facility, &capacity, crate::harness::now(), "test")
            .await
            .unwrap();
    }
    let mut coordinator = app.with_token(UserRole::Coordinator).await;
    let mut liaison = app.with_token(UserRole::ClearanceLiaison).await;
    // More people cleared for the day in both directions (entries must
    // equal exits), as a real day has.
    for direction in ["inbound", "outbound"] {
        let submitted = coordinator
            .send_json(
                Method::POST,
                "/api/v1/clearance/batches",
                &json!({"crossing": "rafah", "needed_by": "2026-02-05", "direction": direction, "places": 12}),
            )
            .await;
        assert_eq!(submitted.status, StatusCode::CREATED, "{}", submitted.body);
        let batch = submitted.json();
        let decisions: Vec<serde_json::Value> = batch["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|request| json!({"person": request["person"], "outcome": "cleared"}))
            .collect();
        let decided = liaison
            .send_json(
                Method::POST,
                "/api/v1/clearance/decisions",
                &json!({"batch": batch["batch"]["id"], "decisions": decisions}),
            )
            .await;
        assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    }
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
    let mut parties = Vec::new();
    for direction in ["outbound", "inbound"] {
        let manifest = coordinator
            .get(&format!(
                "/api/v1/manifests?crossing=rafah&date={DAY}&direction={direction}"
            ))
            .await
            .json();
        parties.extend(
            manifest["parties"]
                .as_array()
                .unwrap()
                .iter()
                .map(|party| party["head"]["person"].as_str().unwrap().to_string()),
        );
    }
    parties
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_keeps_the_officer_at_the_card_refuses_in_the_card_and_undoes_a_wrong_tap() {
    for mut app in apps().await {
        // The officer works on the crossing day itself.
        app.set_today(date(2026, 2, 2));
        let parties = confirmed_day(&app).await;
        assert!(parties.len() >= 6, "{}: {parties:?}", app.backend);
        journey(&app, "gate", Screen::Tablet, move |browser| {
            gate_journey(browser, parties)
        })
        .await;

        // Tomorrow has not come: no outcome is taken for it.
        let mut officer = app.with_token(UserRole::CrossingOfficer).await;
        let early = officer
            .send_json(
                Method::POST,
                "/api/v1/gate",
                &json!({"crossing": "rafah", "date": "2026-02-03", "person": "P-000001", "outcome": "crossed"}),
            )
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert!(
            early["detail"]
                .as_str()
                .unwrap()
                .contains("2026-02-03 has not come yet"),
            "{early}"
        );
        app.finish().await;
    }
}

async fn gate_journey(browser: Browser, parties: Vec<String>) {
    let first = parties[0].clone();
    let last = parties[parties.len() - 1].clone();
    let refused = parties[parties.len() - 2].clone();

    // No parameters: the evacuation crossing's next operating day, not
    // the first registered crossing on a day nobody crosses.
    browser.sign_in("crossing-officer").await;
    browser.visit("/gate").await;
    browser.heading_is(&format!("Gate: rafah {DAY}")).await;
    browser.see("outbound: ").await;
    browser.screenshot("01-gate-default-day").await;

    // A tap far down the page comes back to that card.
    browser.click_button_in_card(&last, "No-show").await;
    browser.url_contains(&format!("#party-{last}")).await;
    browser.see_in_card(&last, "Undo “no-show”").await;
    let (shown, in_view, _) = browser.card_place(&last).await;
    assert!(
        shown && in_view,
        "the card of {last} is in the window after the tap"
    );
    browser.screenshot("02-recorded-far-down").await;

    // A turn-back without a reason: the message in the card, the note kept,
    // the focus there.
    browser
        .fill_in_card(&refused, "Turned back", "note", "family asked to wait")
        .await;
    browser.click_button_in_card(&refused, "Turned back").await;
    browser
        .see_in_card(&refused, "is required: give the code of the reason")
        .await;
    assert_eq!(
        browser.value_in_card(&refused, "Turned back", "note").await,
        "family asked to wait"
    );
    let (shown, in_view, focused) = browser.card_place(&refused).await;
    assert!(
        shown && in_view && focused,
        "the refused card of {refused} is in the window with the focus in it"
    );
    browser.screenshot("03-turn-back-refused-in-card").await;

    // A wrong "Crossed" is undone, with a reason.
    browser.visit("/gate").await;
    browser.click_button_in_card(&first, "Crossed").await;
    browser.see_in_card(&first, "Undo “crossed”").await;
    browser.open_in_card(&first, "Undo “crossed”").await;
    browser
        .fill_in_card(
            &first,
            "Undo crossed: expected again",
            "reason",
            "tapped the wrong card",
        )
        .await;
    browser.screenshot("04-undo-asks-why").await;
    browser
        .click_button_in_card(&first, "Undo crossed: expected again")
        .await;
    browser.see(&format!("Undone crossed: {first}")).await;
    browser.url_contains(&format!("#party-{first}")).await;
    browser.see_in_card(&first, "Turned back").await;
    browser.screenshot("05-undone").await;

    // Search by id.
    browser.fill("q", &refused).await;
    browser.click_button("Show").await;
    browser.see("Showing 1 of").await;
    let (shown, _, _) = browser.card_place(&refused).await;
    assert!(shown, "the search finds {refused}");
    let (shown, _, _) = browser.card_place(&first).await;
    assert!(!shown, "the search shows only {refused}");
    browser.screenshot("06-search-by-id").await;

    // Not yet recorded: a recorded party leaves the view, and a tap there
    // goes on to the next party still expected.
    browser.fill("q", "").await;
    browser.select("show", "expected").await;
    browser.click_button("Show").await;
    browser.url_contains("show=expected").await;
    let (shown, _, _) = browser.card_place(&last).await;
    assert!(!shown, "{last} is recorded, so not shown");
    let (second, third) = (&parties[1], &parties[2]);
    browser.click_button_in_card(second, "No-show").await;
    browser.url_contains(&format!("#party-{third}")).await;
    browser.see(&format!("no-show: {second}")).await;
    let (shown, _, _) = browser.card_place(second).await;
    assert!(!shown, "{second} is recorded, so no longer shown");
    let (shown, in_view, _) = browser.card_place(third).await;
    assert!(
        shown && in_view,
        "the next expected card, {third}, is in the window"
    );
    browser.screenshot("07-not-yet-recorded").await;
}
