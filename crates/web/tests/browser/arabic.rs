//! A coordinator who reads Arabic: the sign-in page and the waiting list
//! right to left, on a laptop and on a small tablet, with filters, a number
//! of days typed in Arabic digits, and the switch back to English; nothing
//! runs off the screen and axe-core finds no violation.

use super::accessibility::{assert_no_violations, check};
use super::{Browser, Screen, journey};
use crate::harness::apps_with_demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_works_the_waiting_list_in_arabic() {
    for app in apps_with_demo(300).await {
        journey(&app, "arabic-laptop", Screen::Laptop, arabic_journey).await;
        journey(&app, "arabic-tablet", Screen::SmallTablet, arabic_journey).await;
        app.finish().await;
    }
}

async fn arabic_journey(browser: Browser) {
    let mut violations = Vec::new();
    browser.visit("/sign-in?lang=ar").await;
    browser.heading_is("corridor").await;
    browser.see("سجّل الدخول بالحساب").await;
    browser.fits_the_width().await;
    violations.extend(check(&browser, "/sign-in in Arabic").await);
    browser.screenshot("01-sign-in").await;

    // The language is remembered through signing in.
    browser.fill("username", "coordinator").await;
    browser.fill("password", crate::harness::PASSWORD).await;
    browser.click_button("تسجيل الدخول").await;
    browser.see("تسجيل الخروج").await;
    browser.click_link("قائمة الانتظار").await;
    browser.heading_is("قائمة الانتظار").await;
    browser.see("يطابق البحث").await;
    browser.fits_the_width().await;
    violations.extend(check(&browser, "/people in Arabic").await);
    browser.screenshot("02-waiting-list").await;

    // Critical patients who waited more than 100 days, typed in Arabic digits.
    browser.select("tier", "critical").await;
    browser.fill("waited_more_than", "١٠٠").await;
    browser.click_button("تصفية").await;
    browser.url_contains("tier=critical").await;
    let tiers = browser.column("table.list", 4).await;
    assert!(
        !tiers.is_empty(),
        "someone critical waited more than 100 days"
    );
    assert!(tiers.iter().all(|tier| tier == "حرج"), "{tiers:?}");
    let waited = browser.column("table.list", 8).await;
    assert!(
        waited
            .iter()
            .all(|days| days.parse::<u32>().is_ok_and(|days| days > 100)),
        "{waited:?}"
    );
    browser.fits_the_width().await;
    browser.screenshot("03-filtered").await;

    // Back to English.
    browser.click_link("English").await;
    browser.heading_is("Waiting list").await;
    browser.screenshot("04-english").await;
    assert_no_violations(&violations);
}
