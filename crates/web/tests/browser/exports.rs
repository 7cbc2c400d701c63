//! Downloads in the browser: the coordinator asks for the referrals with
//! names and forgets the purpose (the message beside it, the tick kept),
//! gives it and downloads; an analyst downloads an aggregate. The files are
//! fetched in the browser's session from the forms as the page renders
//! them (Chromium's headless downloads leave nothing to look at), and the
//! answer's status, type, file name and first line are checked.

use super::{Browser, Screen, journey};
use crate::harness::{TestApp, apps};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_needs_its_purpose_and_then_comes_as_a_file() {
    for app in apps().await {
        let exports_before = exports_recorded(&app).await;
        journey(&app, "exports", Screen::Laptop, personal_export).await;
        let entries = app.audit().await;
        let personal: Vec<_> = entries
            .iter()
            .filter(|entry| entry.action == "person.export-personal")
            .collect();
        assert_eq!(personal.len(), 1, "one personal export, after the purpose");
        assert!(personal[0].detail.contains("transfer to the MoH registry"));
        assert_eq!(exports_recorded(&app).await, exports_before + 1);
        journey(&app, "exports-tablet", Screen::Tablet, aggregate_export).await;
        app.finish().await;
    }
}

async fn exports_recorded(app: &TestApp) -> usize {
    app.audit()
        .await
        .iter()
        .filter(|entry| entry.action.starts_with("person.export"))
        .count()
}

async fn personal_export(browser: Browser) {
    browser.sign_in("coordinator").await;
    browser.visit("/").await;
    browser.click_link("Downloads").await;
    browser.heading_is("Downloads").await;
    browser
        .see("no names, birth years in five-year bands")
        .await;
    browser.screenshot("01-downloads").await;

    browser.tick("include_personal").await;
    browser.click_button("Download the referrals").await;
    browser
        .see_refused_field("purpose", "say what the export with names is for")
        .await;
    assert!(
        checked(&browser, "include_personal").await,
        "the tick is kept"
    );
    browser.screenshot("02-purpose-forgotten").await;

    browser
        .fill("purpose", "transfer to the MoH registry")
        .await;
    let (status, content_type, disposition, text) =
        submit_and_fetch(&browser, "/exports/referrals").await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert_eq!(
        disposition,
        "attachment; filename=\"corridor-referrals-personal-2026-02-01.csv\""
    );
    let header = text.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("id,role,companion_of,relationship,name,birth_year"),
        "{header}"
    );
    assert!(text.lines().count() > 300);
}

async fn aggregate_export(browser: Browser) {
    browser.sign_in("analyst").await;
    browser.visit("/exports").await;
    browser.see("counts below 5 shown as <5").await;
    assert_eq!(
        browser.shown_elements("input[name=\"purpose\"]").await,
        0,
        "an analyst exports no names"
    );
    browser.set_date("from", "2026-02-02").await;
    browser.set_date("to", "2026-01-10").await;
    browser.click_button("Download deaths").await;
    browser
        .see_refused_field("from", "is after the last day")
        .await;
    assert_eq!(browser.value_of("to").await, "2026-01-10");
    browser.screenshot("01-window-backwards").await;

    browser.set_date("from", "2025-12-01").await;
    let (status, content_type, disposition, text) = fetch_with(
        &browser,
        "const form = document.querySelector('form[action=\"/exports/evacuations\"]'); \
         const button = [...form.querySelectorAll('button')].find(b => b.textContent.trim() === 'Download evacuations'); \
         const query = new URLSearchParams(new FormData(form)); \
         return fetch(button.formAction + '?' + query)",
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert_eq!(
        disposition,
        "attachment; filename=\"corridor-evacuations-2025-12-01-to-2026-01-10.csv\""
    );
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|tags| tags.contains("#reached+patients")),
        "{text}"
    );
    browser.screenshot("02-window-corrected").await;
}

/// Whether the checkbox named `name` is ticked.
async fn checked(browser: &Browser, name: &str) -> bool {
    browser
        .client
        .execute(
            "return document.querySelector(`input[name=\"${arguments[0]}\"]`).checked;",
            vec![name.into()],
        )
        .await
        .unwrap_or_else(|error| panic!("read the checkbox {name}: {error}"))
        .as_bool()
        .unwrap_or(false)
}

/// Sends the form whose action is `action` as the page holds it (its CSRF
/// token and what was typed), in the browser's session.
async fn submit_and_fetch(browser: &Browser, action: &str) -> (u64, String, String, String) {
    fetch_with(
        browser,
        &format!(
            "const form = document.querySelector('form[action=\"{action}\"]'); \
             return fetch(form.action, {{method: 'POST', body: new URLSearchParams(new FormData(form))}})"
        ),
    )
    .await
}

/// Runs `script`, which returns a fetch, and answers the response's status,
/// type, disposition and text.
async fn fetch_with(browser: &Browser, script: &str) -> (u64, String, String, String) {
    let script = format!(
        "const answer = (() => {{ {script}; }})(); \
         return answer.then(r => r.text().then(t => [r.status, r.headers.get('content-type'), \
         r.headers.get('content-disposition'), t]));"
    );
    let answer = browser
        .client
        .execute(&script, vec![])
        .await
        .unwrap_or_else(|error| panic!("fetch the download: {error}"));
    let text = |i: usize| answer[i].as_str().unwrap_or_default().to_string();
    (
        answer[0].as_u64().unwrap_or_default(),
        text(1),
        text(2),
        text(3),
    )
}
