//! Refused forms in the browser: the form comes back with everything typed,
//! the message beside the field at fault, that field focused and in view —
//! on the tablet and the laptop.

use corridor_domain::UserRole;

use super::{Browser, Screen, journey};
use crate::harness::{PASSWORD, TestApp, apps};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_form_comes_back_as_typed_with_the_message_beside_its_field() {
    for app in apps().await {
        journey(&app, "refused-beds", Screen::Tablet, beds_refused).await;
        let consignment = in_inspection(&app).await;
        journey(&app, "refused-aid-move", Screen::Laptop, |browser| {
            aid_move_refused(browser, consignment)
        })
        .await;
        journey(&app, "refused-password", Screen::Tablet, password_refused).await;
        journey(
            &app,
            "refused-figures-file",
            Screen::Laptop,
            figures_file_refused,
        )
        .await;
        app.finish().await;
    }
}

/// Arrivals "to" before "from": the message beside "to", at the bottom of
/// a long board, in view; every field as typed.
async fn beds_refused(browser: Browser) {
    browser.sign_in("receiving-liaison").await;
    browser.visit("/beds").await;
    browser.select("facility", "jo-amman-field").await;
    browser.select("specialty", "paediatrics").await;
    browser.fill("beds", "3").await;
    browser.set_date("from", "2026-05-31").await;
    browser.set_date("to", "2026-05-01").await;
    browser.click_button("Publish").await;

    browser.see_refused_field("to", "is before from").await;
    browser.screenshot("01-to-before-from").await;
    assert_eq!(browser.value_of("facility").await, "jo-amman-field");
    assert_eq!(browser.value_of("specialty").await, "paediatrics");
    assert_eq!(browser.value_of("beds").await, "3");
    assert_eq!(browser.value_of("from").await, "2026-05-31");
    assert_eq!(browser.value_of("to").await, "2026-05-01");

    // Corrected, it is published.
    browser.set_date("to", "2026-06-30").await;
    browser.click_button("Publish").await;
    browser.see("Published 3 paediatrics beds").await;
    browser.screenshot("02-published").await;
}

/// "Rejected" without a reason: no success banner, "To" still rejected
/// (a second click must not record the opposite), items and note kept.
async fn aid_move_refused(browser: Browser, consignment: String) {
    browser.sign_in("logistics-officer").await;
    browser
        .visit(&format!("/aid/consignments/{consignment}"))
        .await;
    browser.select("stage", "rejected").await;
    browser.fill("items", "2 pallets of generators").await;
    browser.fill("note", "inspector asked for the permit").await;
    browser.click_button("Move").await;

    browser
        .see_refused_field("reason", "is required when moving to rejected")
        .await;
    browser.screenshot("01-rejected-without-reason").await;
    assert_eq!(browser.value_of("stage").await, "rejected");
    assert_eq!(browser.value_of("items").await, "2 pallets of generators");
    assert_eq!(
        browser.value_of("note").await,
        "inspector asked for the permit"
    );
    browser.see("(version").await;
    assert!(
        browser.shown_elements(".flash").await == 0,
        "no success banner on a refused move"
    );

    browser.fill("reason", "dual-use items").await;
    browser.click_button("Move").await;
    browser
        .see(&format!("{consignment} moved to rejected"))
        .await;
    browser.screenshot("02-rejected").await;
}

/// A new password typed twice differently: said beside the repetition;
/// passwords are never typed back into the page.
async fn password_refused(browser: Browser) {
    browser.sign_in("analyst").await;
    browser.visit("/account").await;
    browser.fill("current_password", PASSWORD).await;
    browser
        .fill("new_password", "seven wide rivers at dusk")
        .await;
    browser
        .fill("repeat_password", "seven wide rivers at dawn")
        .await;
    browser.click_button("Change the password").await;

    browser.see_refused_field("repeat_password", "differ").await;
    browser.screenshot("01-repetition-differs").await;
    for field in ["current_password", "new_password", "repeat_password"] {
        assert_eq!(browser.value_of(field).await, "", "{field} is not kept");
    }
}

/// A consignment in inspection, where it may be rejected.
async fn in_inspection(app: &TestApp) -> String {
    let board = app
        .with_token(UserRole::Analyst)
        .await
        .get("/api/v1/aid/board")
        .await
        .json();
    board["stages"]
        .as_array()
        .and_then(|stages| stages.iter().find(|column| column["stage"] == "inspection"))
        .and_then(|column| column["oldest"]["id"].as_str())
        .unwrap_or_else(|| panic!("the demo has a consignment in inspection: {board}"))
        .to_string()
}

/// A figures file with a bad row: nothing recorded, the row named by line
/// and column under the file field; corrected, the file is taken whole.
async fn figures_file_refused(browser: Browser) {
    use std::io::Write as _;

    const HEAD: &str = "Key,Figure,Value,Unit,Date,Publisher,Title,Published,URL,Note\n\
        #indicator+code,#indicator+name,#indicator+num,#indicator+unit,#date+reported,\
        #meta+source,#meta+source+title,#date+source,#meta+source+url,#description+notes\n";
    let write = |rows: &str| {
        let mut file = tempfile::Builder::new()
            .suffix(".csv")
            .tempfile()
            .expect("a file to upload");
        file.write_all(format!("{HEAD}{rows}").as_bytes())
            .expect("write the figures");
        file
    };
    browser.sign_in("analyst").await;
    browser.visit("/figures").await;
    let bad = write(
        "patients-out,Patients evacuated,36,people,2026-02-05,WHO,Rafah reopening,2026-02-06,,\n\
         companions-out,Companions evacuated,sixty-two,people,2026-02-05,WHO,Rafah reopening,2026-02-06,,\n",
    );
    browser.attach("file", bad.path()).await;
    browser.click_button("Import the figures in the file").await;
    browser
        .see_refused_field("file", "The file was not taken: 1 problem to fix")
        .await;
    browser.see("line 4, column #indicator+num").await;
    browser.screenshot("01-bad-row").await;

    let good = write(
        "patients-out,Patients evacuated,36,people,2026-02-05,WHO,Rafah reopening,2026-02-06,,\n\
         companions-out,Companions evacuated,62,people,2026-02-05,WHO,Rafah reopening,2026-02-06,,\n",
    );
    browser.attach("file", good.path()).await;
    browser.click_button("Import the figures in the file").await;
    browser.see("Imported 2 figures from").await;
    browser.see("Companions evacuated").await;
    browser.screenshot("02-imported").await;
}
