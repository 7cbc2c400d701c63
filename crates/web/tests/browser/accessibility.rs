//! Axe-core (vendored in `tests/vendor/axe-core`, nothing is downloaded)
//! checks every page every role can open on the demo, signed out too, and
//! the gate on the tablet: no violation of any of its rules. A failure
//! lists each violation with its rule, impact, the elements and the help.

use corridor_domain::UserRole;
use fantoccini::Locator;
use fantoccini::wd::TimeoutConfiguration;

use super::{Browser, Screen, journey};
use crate::harness::apps;
use crate::routes::all_routes;

const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");

/// Runs axe on the whole document and answers its violations in short.
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ["violations"] })
  .then((results) => done(results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }))))
  .catch((error) => done([{ id: "axe-failed", impact: "", help: String(error), targets: [] }]));
"#;

/// An address that matches no route: its page is checked like the others.
const UNKNOWN_PAGE: &str = "/no/such/page";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_core_finds_no_violation_on_any_page_of_any_role() {
    for app in apps().await {
        journey(
            &app,
            "accessibility",
            Screen::Laptop,
            every_page_of_every_role,
        )
        .await;
        journey(
            &app,
            "accessibility-gate",
            Screen::Tablet,
            the_gate_on_a_tablet,
        )
        .await;
        journey(&app, "accessibility-refused", Screen::Laptop, refused_forms).await;
        app.finish().await;
    }
}

async fn every_page_of_every_role(browser: Browser) {
    let mut violations = Vec::new();
    for path in ["/sign-in", UNKNOWN_PAGE] {
        browser.visit(path).await;
        violations.extend(check(&browser, &format!("{path} signed out")).await);
    }
    browser.screenshot("signed-out-404").await;
    for role in UserRole::ALL {
        browser.sign_in(role.as_str()).await;
        for path in pages_of(*role) {
            browser.visit(path).await;
            violations.extend(check(&browser, &format!("{path} as {role}")).await);
        }
        browser.screenshot(&format!("{role}-404")).await;
        browser.visit("/").await;
        browser.click_button("Sign out").await;
        browser.see("Sign in with the account").await;
    }
    assert_no_violations(&violations);
}

async fn the_gate_on_a_tablet(browser: Browser) {
    let officer = UserRole::CrossingOfficer;
    browser.sign_in(officer.as_str()).await;
    let mut violations = Vec::new();
    for path in pages_of(officer).filter(|path| path.starts_with("/gate")) {
        browser.visit(path).await;
        violations.extend(check(&browser, &format!("{path} on a tablet")).await);
        browser.screenshot("gate").await;
    }
    assert_no_violations(&violations);
}

/// A refused form comes back with its messages beside the fields: those
/// pages are checked too (the sign-in form, a reason of blanks only,
/// which the browser lets through and the server refuses, and a personal
/// export without its purpose).
async fn refused_forms(browser: Browser) {
    let mut violations = Vec::new();
    browser.visit("/sign-in").await;
    browser.fill("username", "coordinator").await;
    browser.fill("password", "not the password").await;
    browser.click_button("Sign in").await;
    browser.see("Sign in with the account").await;
    violations.extend(check(&browser, "/sign-in refused").await);

    browser.sign_in(UserRole::ReceivingLiaison.as_str()).await;
    browser.visit("/beds").await;
    let close = browser
        .find(Locator::Css("form[action=\"/beds/destination\"]"))
        .await;
    let reason = close
        .find(Locator::Css("input[name=\"reason\"]"))
        .await
        .expect("a reason in the form that closes a destination");
    reason.send_keys("   ").await.expect("type the reason");
    close
        .find(Locator::Css("button[type=\"submit\"]"))
        .await
        .expect("the button that closes a destination")
        .click()
        .await
        .expect("send the form");
    browser.find(Locator::Css("[aria-invalid=\"true\"]")).await;
    browser.screenshot("beds-refused").await;
    violations.extend(check(&browser, "/beds refused").await);

    // The downloads: a personal export without its purpose.
    browser.sign_in(UserRole::Coordinator.as_str()).await;
    browser.visit("/exports").await;
    browser.tick("include_personal").await;
    browser.click_button("Download the referrals").await;
    browser.find(Locator::Css("[aria-invalid=\"true\"]")).await;
    browser.screenshot("exports-refused").await;
    violations.extend(check(&browser, "/exports refused").await);
    assert_no_violations(&violations);
}

/// Every page of the route matrix the role may open, and an unknown address.
fn pages_of(role: UserRole) -> impl Iterator<Item = &'static str> {
    all_routes()
        .into_iter()
        .filter(move |case| {
            case.method == "GET" && !case.path.starts_with("/api/") && role.can(case.permission)
        })
        .map(|case| case.path)
        .chain([UNKNOWN_PAGE])
}

/// Axe's violations on the page the browser shows, one line each.
pub(super) async fn check(browser: &Browser, page: &str) -> Vec<String> {
    let client = &browser.client;
    // Axe takes a while on the longest pages; the default is 30 s.
    let mut timeouts = TimeoutConfiguration::default();
    timeouts.set_script(Some(std::time::Duration::from_secs(120)));
    client
        .update_timeouts(timeouts)
        .await
        .unwrap_or_else(|error| panic!("set the script timeout on {page}: {error}"));
    client
        .execute(AXE, Vec::new())
        .await
        .unwrap_or_else(|error| panic!("inject axe-core into {page}: {error}"));
    let found = client
        .execute_async(RUN_AXE, Vec::new())
        .await
        .unwrap_or_else(|error| panic!("run axe-core on {page}: {error}"));
    let found = found.as_array().cloned().unwrap_or_default();
    found
        .iter()
        .map(|violation| {
            let targets: Vec<&str> = violation["targets"]
                .as_array()
                .map(|targets| targets.iter().filter_map(|t| t.as_str()).collect())
                .unwrap_or_default();
            let shown = targets.len().min(5);
            format!(
                "{page}: {} ({}) {} — {} element(s): {}",
                violation["id"].as_str().unwrap_or("?"),
                violation["impact"].as_str().unwrap_or("?"),
                violation["help"].as_str().unwrap_or("?"),
                targets.len(),
                targets[..shown].join(", "),
            )
        })
        .collect()
}

pub(super) fn assert_no_violations(violations: &[String]) {
    assert!(
        violations.is_empty(),
        "axe-core found {} violation(s):\n{}",
        violations.len(),
        violations.join("\n")
    );
}
