//! The standby list and amendments through the JSON API: a confirmed day
//! has a ranked standby list, a decline frees places, a fill takes them
//! from standby (audited), and refused amendments say why. And the same on
//! the confirmed day's plan page: the freed places, the standby list, the
//! fill button and the forms that add and remove a party, refused forms
//! shown again as typed, and other roles refused.

use axum::http::{Method, StatusCode};
use corridor_domain::{Permission, UserRole};
use serde_json::json;

use crate::harness::{Client, RouteCase, apps};

const DAY: &str = "crossing=rafah&date=2026-02-02";

pub const ROUTES: &[RouteCase] = &[
    RouteCase {
        method: "GET",
        path: "/api/v1/plan/standby?crossing=rafah&date=2026-02-02",
        body: None,
        permission: Permission::PlanDays,
        // 400: the day is not confirmed.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/api/v1/plan/amend",
        body: Some(r#"{"crossing": "rafah", "date": "2026-02-02", "kind": "fill"}"#),
        permission: Permission::PlanDays,
        // 400: the day is not confirmed.
        answers: &[StatusCode::BAD_REQUEST],
    },
    RouteCase {
        method: "POST",
        path: "/plan/amend",
        body: Some("crossing=rafah&date=2026-02-02&direction=outbound&kind=fill"),
        permission: Permission::PlanDays,
        // 400: the day is not confirmed; the plan is shown again with the message.
        answers: &[StatusCode::BAD_REQUEST],
    },
];

/// The day the page is tested on: its outbound manifest is confirmed with
/// directions independent (see [`open_day`]).
pub(crate) const OPEN_DATE: &str = "2026-02-03";
/// The waiting patients of the demo the page is tested on: the small demo
/// clears fewer patients than the day has places, so its standby list
/// would be empty.
pub(crate) const STANDBY_DEMO: u32 = 1000;
const OPEN_DAY: &str = "crossing=rafah&date=2026-02-03";

/// From [`OPEN_DATE`] on, Rafah's directions are independent (the demo's
/// rule that entries equal exits caps the outbound day at the two
/// returnees expected in): the day has parties to decline and a standby
/// list to fill from.
pub(crate) async fn independent_directions(app: &crate::harness::TestApp) {
    let rules = corridor_domain::CrossingRules::new(
        corridor_domain::CrossingId::parse("rafah").unwrap(),
        jiff::civil::date(2026, 2, 3),
        None,
        2,
        false,
        corridor_domain::Text::parse("source", "a test of the standby list", 200).unwrap(),
    )
    .unwrap();
    app.state
        .store
        .add_crossing_rules(&rules, crate::harness::now(), "coordinator")
        .await
        .unwrap();
}

/// [`independent_directions`], and that day's outbound manifest confirmed.
pub(crate) async fn open_day(app: &crate::harness::TestApp, coordinator: &mut Client) {
    independent_directions(app).await;
    let confirmed = coordinator
        .send_json(
            Method::POST,
            "/api/v1/plan/confirm",
            &json!({"crossing": "rafah", "date": OPEN_DATE, "direction": "outbound"}),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
}

async fn confirm_day(coordinator: &mut Client) {
    for direction in ["inbound", "outbound"] {
        let confirmed = coordinator
            .send_json(
                Method::POST,
                "/api/v1/plan/confirm",
                &json!({"crossing": "rafah", "date": "2026-02-02", "direction": direction}),
            )
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    }
}

async fn amend(coordinator: &mut Client, body: serde_json::Value) -> crate::harness::Reply {
    coordinator
        .send_json(Method::POST, "/api/v1/plan/amend", &body)
        .await
}

#[tokio::test]
async fn a_decline_is_filled_from_the_standby_list() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let early = coordinator
            .get(&format!("/api/v1/plan/standby?{DAY}"))
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert!(
            early["detail"]
                .as_str()
                .unwrap()
                .contains("confirm the day first"),
            "{backend}: {early}"
        );
        confirm_day(&mut coordinator).await;
        let standby = coordinator
            .get(&format!("/api/v1/plan/standby?{DAY}"))
            .await
            .json();
        assert_eq!(standby["free"], 0, "{backend}: {standby}");
        let parties = standby["parties"].as_array().unwrap().clone();
        let full = amend(
            &mut coordinator,
            json!({"crossing": "rafah", "date": "2026-02-02", "kind": "fill"}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
        assert!(
            full["detail"]
                .as_str()
                .unwrap()
                .contains("no places are free"),
            "{backend}: {full}"
        );
        let no_reason = amend(
            &mut coordinator,
            json!({"crossing": "rafah", "date": "2026-02-02", "kind": "remove", "person": "P-000001"}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
        assert_eq!(no_reason["field"], "reason", "{backend}: {no_reason}");
        let unknown = amend(
            &mut coordinator,
            json!({"crossing": "rafah", "date": "2026-02-02", "kind": "swap"}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
        assert_eq!(unknown["field"], "amendment", "{backend}: {unknown}");

        // The first outbound party declines on the call; its places are filled.
        let manifest = coordinator
            .get(&format!("/api/v1/manifests?{DAY}"))
            .await
            .json();
        let head = manifest["parties"][0]["head"]["person"]
            .as_str()
            .unwrap_or_else(|| panic!("{backend}: {manifest}"))
            .to_string();
        let declined = coordinator
            .send_json(
                Method::POST,
                "/api/v1/calls",
                &json!({"crossing": "rafah", "date": "2026-02-02", "party": head, "outcome": "declined", "reason": "not ready"}),
            )
            .await;
        assert_eq!(
            declined.status,
            StatusCode::OK,
            "{backend}: {}",
            declined.body
        );
        let freed = coordinator
            .get(&format!("/api/v1/plan/standby?{DAY}"))
            .await
            .json();
        assert!(freed["free"].as_u64().unwrap() > 0, "{backend}: {freed}");
        if parties.is_empty() {
            app.finish().await;
            continue;
        }
        let filled = amend(
            &mut coordinator,
            json!({"crossing": "rafah", "date": "2026-02-02", "kind": "fill"}),
        )
        .await;
        assert_eq!(filled.status, StatusCode::OK, "{backend}: {}", filled.body);
        let filled = filled.json();
        assert_eq!(filled["kind"], "fill", "{backend}");
        assert_eq!(filled["number"], 1, "{backend}");
        let taken = filled["parties"][0]["person"].as_str().unwrap().to_string();
        assert!(
            parties.iter().any(|p| p["person"] == taken.as_str()),
            "{backend}: {taken} not on {parties:?}"
        );
        let after = coordinator
            .get(&format!("/api/v1/plan/standby?{DAY}"))
            .await
            .json();
        assert!(
            after["parties"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["person"] != taken.as_str()),
            "{backend}: {after}"
        );
        let audit = app.audit().await;
        assert_eq!(
            audit.last().map(|e| e.action.as_str()),
            Some("manifest.amend"),
            "{backend}"
        );
        app.finish().await;
    }
}

/// The heads of the day's outbound parties and how many people each is.
async fn manifest_parties(coordinator: &mut Client) -> Vec<(String, usize)> {
    let manifest = coordinator
        .get(&format!("/api/v1/manifests?{OPEN_DAY}"))
        .await
        .json();
    manifest["parties"]
        .as_array()
        .unwrap_or_else(|| panic!("{manifest}"))
        .iter()
        .map(|party| {
            (
                party["head"]["person"].as_str().unwrap().to_string(),
                1 + party["companions"].as_array().map_or(0, Vec::len),
            )
        })
        .collect()
}

async fn decline(coordinator: &mut Client, head: &str) {
    let declined = coordinator
        .send_json(
            Method::POST,
            "/api/v1/calls",
            &json!({"crossing": "rafah", "date": OPEN_DATE, "party": head, "outcome": "declined", "reason": "not ready"}),
        )
        .await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
}

/// The amendment form of the plan page, as the browser sends it.
async fn amend_on_page(
    desk: &mut Client,
    kind: &str,
    fields: &[(&str, &str)],
) -> crate::harness::Reply {
    let mut all = vec![
        ("crossing", "rafah"),
        ("date", OPEN_DATE),
        ("direction", "outbound"),
        ("kind", kind),
    ];
    all.extend_from_slice(fields);
    desk.post_form("/plan/amend", &all).await
}

fn amendments(audit: &[corridor_store::AuditEntry]) -> usize {
    audit
        .iter()
        .filter(|entry| entry.action == "manifest.amend")
        .count()
}

/// The text of the `<form>` whose hidden kind is `kind`.
fn form_of<'a>(page: &'a str, kind: &str) -> &'a str {
    let marker = format!("name=\"kind\" value=\"{kind}\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {kind} form on the page:\n{page}"));
    let start = page[..at].rfind("<form").unwrap();
    let end = at + page[at..].find("</form>").unwrap();
    &page[start..end]
}

#[tokio::test]
async fn the_plan_page_fills_freed_places_and_amends_the_manifest_by_hand() {
    for app in crate::harness::apps_with_demo(STANDBY_DEMO).await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        open_day(&app, &mut coordinator).await;
        let mut desk = app.signed_in(UserRole::Coordinator).await;
        let page_path = format!("{OPEN_DAY}&direction=outbound");

        // Nothing freed yet: the page says so, and a fill changes nothing.
        let page = desk.get(&format!("/plan?{page_path}")).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(page.body.contains("Standby: freed places"), "{backend}");
        assert!(page.body.contains("0 places free now"), "{backend}");
        assert!(
            page.body.contains("No place has been freed yet"),
            "{backend}"
        );
        assert!(
            page.body.contains("Fill freed places from standby"),
            "{backend}"
        );
        let before = amendments(&app.audit().await);
        let full = amend_on_page(&mut desk, "fill", &[]).await;
        assert_eq!(full.status, StatusCode::BAD_REQUEST, "{backend}");
        let fill_form = form_of(&full.body, "fill");
        assert!(
            fill_form.contains("Not done: no places are free"),
            "{backend}: the store's message at the button: {fill_form}"
        );
        assert_eq!(amendments(&app.audit().await), before, "{backend}");

        // Two parties decline on the call: their places are freed.
        let parties = manifest_parties(&mut coordinator).await;
        assert!(parties.len() >= 3, "{backend}: {parties:?}");
        let freed: usize = parties[..2].iter().map(|(_, people)| people).sum();
        for (head, _) in &parties[..2] {
            decline(&mut coordinator, head).await;
        }
        let standby = coordinator
            .get(&format!("/api/v1/plan/standby?{OPEN_DAY}"))
            .await
            .json();
        assert_eq!(standby["free"], freed, "{backend}: {standby}");
        assert_eq!(
            standby["freed"],
            json!([{"state": "declined", "people": freed}]),
            "{backend}"
        );
        let listed: Vec<String> = standby["parties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["person"].as_str().unwrap().to_string())
            .collect();
        assert!(!listed.is_empty(), "{backend}: a standby list: {standby}");
        let page = desk.get(&format!("/plan?{page_path}")).await;
        assert!(
            page.body.contains(&format!("{freed} places free now")),
            "{backend}"
        );
        assert!(
            page.body
                .contains(&format!("{freed} places freed: {freed} declined.")),
            "{backend}"
        );
        assert!(
            page.body
                .contains(&format!("<a href=\"/people/{}\">", listed[0])),
            "{backend}: the standby list links to the person"
        );

        // The fill: back to the page, which says who was added.
        let filled = amend_on_page(&mut desk, "fill", &[]).await;
        assert_eq!(
            filled.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            filled.body
        );
        assert_eq!(
            filled.headers["location"], "/plan?crossing=rafah&date=2026-02-03&direction=outbound",
            "{backend}"
        );
        assert_eq!(amendments(&app.audit().await), before + 1, "{backend}");
        let after_fill = coordinator
            .get(&format!("/api/v1/plan/standby?{OPEN_DAY}"))
            .await
            .json();
        let taken: Vec<&String> = listed
            .iter()
            .filter(|p| {
                !after_fill["parties"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|left| left["person"] == p.as_str())
            })
            .collect();
        assert!(!taken.is_empty(), "{backend}: {after_fill}");
        let page = desk.get(&format!("/plan?{page_path}")).await;
        assert!(
            page.body.contains("Added from standby: "),
            "{backend}: {}",
            page.body
        );
        for person in &taken {
            assert!(page.body.contains(person.as_str()), "{backend}: {person}");
            assert!(
                manifest_parties(&mut coordinator)
                    .await
                    .iter()
                    .any(|(head, _)| head == *person),
                "{backend}: {person} is on the manifest"
            );
        }
        // Sent twice: the second fill is refused by the store, nothing added.
        let again = amend_on_page(&mut desk, "fill", &[]).await;
        assert!(
            again.status == StatusCode::BAD_REQUEST,
            "{backend}: {}",
            again.status
        );
        assert!(
            form_of(&again.body, "fill").contains("Not done: "),
            "{backend}"
        );
        assert_eq!(amendments(&app.audit().await), before + 1, "{backend}");

        // Remove without a reason: refused at the field, the id kept.
        let removing = parties[2].0.clone();
        let refused = amend_on_page(
            &mut desk,
            "remove",
            &[("person", &removing), ("reason", "  ")],
        )
        .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend}");
        let remove_form = form_of(&refused.body, "remove");
        assert!(
            remove_form.contains(&format!(
                "name=\"person\" maxlength=\"20\" placeholder=\"P-000123\" value=\"{removing}\""
            )),
            "{backend}: the id is kept: {remove_form}"
        );
        assert!(
            remove_form.contains("name=\"reason\"")
                && remove_form.contains("aria-invalid=\"true\" aria-describedby=\"error-reason\""),
            "{backend}: {remove_form}"
        );
        assert!(
            remove_form.contains("id=\"error-reason\">is required: say why the party is removed"),
            "{backend}: {remove_form}"
        );
        assert!(
            !form_of(&refused.body, "add").contains("aria-invalid"),
            "{backend}: only the remove form is marked"
        );
        assert_eq!(amendments(&app.audit().await), before + 1, "{backend}");

        // With a reason: removed, its places free again.
        let removed = amend_on_page(
            &mut desk,
            "remove",
            &[("person", &removing), ("reason", "admitted locally")],
        )
        .await;
        assert_eq!(
            removed.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            removed.body
        );
        let page = desk.get(&format!("/plan?{page_path}")).await;
        assert!(
            page.body
                .contains(&format!("Removed from the manifest: {removing} (")),
            "{backend}"
        );
        let removed_people = parties[2].1;
        assert!(
            page.body.contains(&format!(
                "{} places freed: {removed_people} removed, {freed} declined.",
                freed + removed_people
            )),
            "{backend}"
        );

        // Add by hand: an unknown person is refused and kept as typed.
        let unknown = amend_on_page(&mut desk, "add", &[("person", "P-999999")]).await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{backend}");
        let add_form = form_of(&unknown.body, "add");
        assert!(
            add_form.contains("value=\"P-999999\""),
            "{backend}: {add_form}"
        );
        assert!(
            add_form.contains("Not done: P-999999 is not a cleared patient"),
            "{backend}: {add_form}"
        );
        let malformed = amend_on_page(
            &mut desk,
            "add",
            &[("person", " "), ("facility", "eg-alexandria")],
        )
        .await;
        assert_eq!(malformed.status, StatusCode::BAD_REQUEST, "{backend}");
        let add_form = form_of(&malformed.body, "add");
        assert!(
            add_form.contains("id=\"error-person\""),
            "{backend}: {add_form}"
        );
        assert!(
            add_form.contains("id=\"error-person\">is required: the id of the cleared patient"),
            "{backend}: {add_form}"
        );
        assert!(
            add_form.contains("<option value=\"eg-alexandria\" selected>"),
            "{backend}: the facility chosen is kept: {add_form}"
        );

        // A standby party still available that fits the places removed is
        // added by hand; a second submit of the same form is refused by
        // the store, and nothing more is added.
        let left = coordinator
            .get(&format!("/api/v1/plan/standby?{OPEN_DAY}"))
            .await
            .json();
        let free = left["free"].as_u64().unwrap();
        let next = left["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["available"] == true && p["people"].as_u64().unwrap() <= free)
            .map(|p| p["person"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{backend}: a standby party fits {free} places: {left}"));
        let added = amend_on_page(&mut desk, "add", &[("person", &next), ("facility", "")]).await;
        assert_eq!(
            added.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            form_of(&added.body, "add")
        );
        let page = desk.get(&format!("/plan?{page_path}")).await;
        assert!(
            page.body.contains(&format!("Added by hand: {next} (")),
            "{backend}"
        );
        let count = amendments(&app.audit().await);
        let twice = amend_on_page(&mut desk, "add", &[("person", &next)]).await;
        assert_eq!(twice.status, StatusCode::BAD_REQUEST, "{backend}");
        let add_form = form_of(&twice.body, "add");
        assert!(
            add_form.contains("Not done: no places are free")
                || add_form.contains(&format!("Not done: {next} is not a cleared patient")),
            "{backend}: {add_form}"
        );
        assert!(add_form.contains(&format!("value=\"{next}\"")), "{backend}");
        assert_eq!(amendments(&app.audit().await), count, "{backend}");

        // Other roles: no standby on a page they cannot open, and the form refused.
        let mut liaison = app.signed_in(UserRole::ClearanceLiaison).await;
        let refused = liaison
            .post_form(
                "/plan/amend",
                &[("crossing", "rafah"), ("date", OPEN_DATE), ("kind", "fill")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend}");
        let page = liaison.get(&format!("/plan?{page_path}")).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{backend}");
        assert!(!page.body.contains("Fill freed places"), "{backend}");
        app.finish().await;
    }
}
