//! The clearance liaison works a batch: ticks people and clears them in
//! bulk, has a denial without a reason refused with everything kept,
//! downloads the batch for the authority and uploads its answers.

use std::io::Write as _;

use super::{Browser, Screen, journey};
use crate::clearance::submit_batch;
use crate::harness::apps;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_liaison_clears_in_bulk_and_uploads_the_authoritys_answers_on_a_laptop() {
    for app in apps().await {
        let (batch, people) = submit_batch(&app, 6).await;
        journey(&app, "clearance-laptop", Screen::Laptop, |browser| {
            liaison_journey(browser, batch, people)
        })
        .await;
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_liaison_clears_in_bulk_and_uploads_the_authoritys_answers_on_a_tablet() {
    for app in apps().await {
        let (batch, people) = submit_batch(&app, 6).await;
        journey(&app, "clearance-tablet", Screen::Tablet, |browser| {
            liaison_journey(browser, batch, people)
        })
        .await;
        app.finish().await;
    }
}

async fn liaison_journey(browser: Browser, batch: String, people: Vec<String>) {
    browser.sign_in("clearance-liaison").await;
    browser.visit(&format!("/clearance/{batch}")).await;
    browser
        .heading_is(&format!("Clearance batch {batch}"))
        .await;
    browser.see("For the authority").await;
    browser.screenshot("01-batch").await;

    // Two ticked and cleared in bulk; a third denied, with a note but no
    // reason code.
    let outcome = |person: &str| format!("outcome:{person}");
    browser.select(&outcome(&people[2]), "denied").await;
    browser
        .fill(&format!("note:{}", people[2]), "asked at the desk")
        .await;
    browser.tick(&format!("select:{}", people[0])).await;
    browser.tick(&format!("select:{}", people[1])).await;
    browser
        .click_button("Set the ticked people to cleared")
        .await;
    browser.see("nothing is recorded until").await;
    for (person, expected) in [
        (&people[0], "cleared"),
        (&people[1], "cleared"),
        (&people[2], "denied"),
    ] {
        assert_eq!(browser.chosen(&outcome(person)).await, expected, "{person}");
    }
    browser.screenshot("02-ticked-set-to-cleared").await;

    // The denial without a reason is refused; every decision is kept.
    browser.click_button("Record these decisions").await;
    browser
        .see("is required: give the code of the reason (clearance denied)")
        .await;
    for (person, expected) in [
        (&people[0], "cleared"),
        (&people[1], "cleared"),
        (&people[2], "denied"),
    ] {
        assert_eq!(browser.chosen(&outcome(person)).await, expected, "{person}");
    }
    browser.screenshot("03-denial-without-reason-refused").await;
    browser
        .select(&format!("reason_code:{}", people[2]), "security-objection")
        .await;
    browser.click_button("Record these decisions").await;
    browser.see("Recorded 3 decisions in batch").await;

    // The file for the authority: the three still pending.
    let (status, content_type, csv) = browser
        .fetch(&format!("/clearance/{batch}/batch.csv"))
        .await;
    assert_eq!(status, 200, "{csv}");
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "a header and three requests: {csv}");
    assert!(lines[0].starts_with("batch,person_id,role,patient,group,decision"));

    // The authority cleared the first of them.
    let mut answered = lines.clone();
    let first = format!("{},cleared,,,", lines[1].trim_end_matches(','));
    answered[1] = &first;
    let mut file = tempfile::Builder::new()
        .suffix(".csv")
        .tempfile()
        .expect("a file to upload");
    file.write_all(answered.join("\n").as_bytes())
        .expect("write the answers");
    browser.attach("file", file.path()).await;
    browser.click_button("Record the answers in the file").await;
    browser
        .see(&format!(
            "Recorded 1 decision from the file in batch {batch}; 2 still pending."
        ))
        .await;
    browser.screenshot("04-answers-uploaded").await;
}
