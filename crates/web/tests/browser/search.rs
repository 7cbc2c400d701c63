//! Finding a person on the waiting list by part of a name and by id, on a
//! laptop and on a tablet.

use corridor_store::ListFilter;

use super::{Browser, Screen, journey};
use crate::harness::{TODAY, TestApp, apps};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_finds_a_person_by_part_of_a_name_and_by_id() {
    for app in apps().await {
        for (screen, name) in [
            (Screen::Laptop, "search-laptop"),
            (Screen::Tablet, "search-tablet"),
        ] {
            let (id, full_name) = someone_deep_in_the_list(&app).await;
            journey(&app, name, screen, |browser| {
                search_journey(browser, id, full_name)
            })
            .await;
        }
        app.finish().await;
    }
}

/// A patient far down the waiting list (past the first pages), with a name.
async fn someone_deep_in_the_list(app: &TestApp) -> (String, String) {
    let page = app
        .state
        .store
        .list(
            &ListFilter {
                limit: 500,
                ..ListFilter::default()
            },
            TODAY,
        )
        .await
        .unwrap();
    let row = page.rows[page.rows.len() * 3 / 4].clone();
    (
        row.id.to_string(),
        row.name.expect("the demo names everyone"),
    )
}

async fn search_journey(browser: Browser, id: String, full_name: String) {
    browser.sign_in("coordinator").await;
    browser.click_link("Waiting list").await;
    browser.heading_is("Waiting list").await;
    browser.screenshot("01-waiting-list").await;

    // Part of the family name, typed in lower case.
    let family = full_name.rsplit(' ').next().unwrap().to_string();
    browser.fill("q", &family.to_lowercase()).await;
    browser.click_button("Filter").await;
    browser.url_contains("q=").await;
    browser.see("people match").await;
    let names = browser.column("table.list", 2).await;
    assert!(!names.is_empty(), "someone called {family} is found");
    assert!(
        names.iter().all(|name| name.contains(&family)),
        "everyone found is called {family}: {names:?}"
    );
    let ids = browser.column("table.list", 1).await;
    assert!(ids.contains(&id), "{id} ({full_name}) is among {ids:?}");
    browser.screenshot("02-found-by-name").await;

    // The id, as read out over a radio: that person alone.
    browser.fill("q", &id.to_lowercase()).await;
    browser.click_button("Filter").await;
    browser.see("1 person matches").await;
    assert_eq!(browser.column("table.list", 1).await, vec![id.clone()]);
    assert_eq!(
        browser.column("table.list", 2).await,
        vec![full_name.clone()]
    );
    browser.screenshot("03-found-by-id").await;

    browser.click_link(&id).await;
    browser.heading_is(&format!("Person {id}")).await;
    browser.see(&full_name).await;
    browser.screenshot("04-record").await;
}
