//! Finding a person on the waiting list (and a consignment on the aid
//! board) by what is typed, and walking the list page by page.

use std::collections::HashSet;

use axum::http::{Method, StatusCode};
use corridor_domain::UserRole;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use crate::harness::{Client, apps};

/// The rows of a page of the API's waiting list, by id.
fn ids(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_str().unwrap().to_string())
        .collect()
}

/// A query string value as a link carries it.
fn encoded(text: &str) -> String {
    serde_urlencoded::to_string([("v", text)]).unwrap()[2..].to_string()
}

async fn page(client: &mut Client, query: &str) -> Value {
    let reply = client.get(&format!("/api/v1/people?{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
    reply.json()
}

#[tokio::test]
async fn a_coordinator_finds_a_person_by_part_of_a_name_or_by_id() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let all = page(&mut coordinator, "per_page=500").await;
        let deep = &all["rows"][237];
        let id = deep["id"].as_str().unwrap();
        let name = deep["name"].as_str().expect("the list shows names");
        let family = name.rsplit(' ').next().unwrap();

        // Part of the name, in another case and with stray spaces.
        let query = format!(
            "q={}&per_page=500",
            encoded(&format!("  {}  ", family.to_uppercase()))
        );
        let found = page(&mut coordinator, &query).await;
        let rows = found["rows"].as_array().unwrap();
        assert!(ids(&found).contains(&id.to_string()), "{backend}: {found}");
        assert_eq!(found["total"], rows.len(), "{backend}");
        assert!(rows.len() < 300, "{backend}: a search narrows the list");
        for row in rows {
            let row_name = row["name"].as_str().unwrap_or_default().to_lowercase();
            assert!(
                row_name.contains(&family.to_lowercase()),
                "{backend}: {row}"
            );
        }

        // The whole name, words in any order.
        let (given, _) = name.split_once(' ').unwrap();
        let found = page(
            &mut coordinator,
            &format!("q={}", encoded(&format!("{family} {given}"))),
        )
        .await;
        assert!(ids(&found).contains(&id.to_string()), "{backend}: {found}");

        // The id, typed in lower case: that person alone.
        let found = page(
            &mut coordinator,
            &format!("q={}", encoded(&id.to_lowercase())),
        )
        .await;
        assert_eq!(ids(&found), vec![id.to_string()], "{backend}");
        assert_eq!(found["rows"][0]["name"], name, "{backend}");

        // Nobody matches: an empty page, not an error.
        let found = page(&mut coordinator, "q=zzzz-nobody-qqqq").await;
        assert_eq!(found["total"], 0, "{backend}");
        assert_eq!(found["rows"], json!([]), "{backend}");

        // The page: a search box that keeps what was typed, names beside ids.
        let mut browser = app.signed_in(UserRole::Coordinator).await;
        let reply = browser.get(&format!("/people?q={}", encoded(family))).await;
        assert_eq!(reply.status, StatusCode::OK, "{backend}: {}", reply.body);
        assert!(
            reply.body.contains(&format!(
                "name=\"q\" size=\"24\" maxlength=\"100\" value=\"{family}\""
            )),
            "{backend}: {}",
            reply.body
        );
        assert!(
            reply.body.contains(&format!(
                "<a href=\"/people/{id}\">{id}</a></td><td><bdi>{name}</bdi></td>"
            )),
            "{backend}: {}",
            reply.body
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_scoped_referrer_does_not_find_people_outside_their_scope() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let everyone = page(&mut coordinator, "per_page=500").await;
        let mut referrer = app.with_token(UserRole::Referrer).await;
        let own: HashSet<String> = ids(&page(&mut referrer, "per_page=500").await)
            .into_iter()
            .collect();
        let outside = everyone["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| !own.contains(row["id"].as_str().unwrap()))
            .expect("someone outside the referrer's scope");
        let id = outside["id"].as_str().unwrap();
        let name = outside["name"].as_str().unwrap();

        let by_id = page(&mut referrer, &format!("q={}", encoded(id))).await;
        assert_eq!(by_id["total"], 0, "{backend}: {by_id}");
        let by_name = page(&mut referrer, &format!("q={}&per_page=500", encoded(name))).await;
        assert!(
            !ids(&by_name).contains(&id.to_string()),
            "{backend}: {by_name}"
        );
        assert!(
            ids(&by_name).iter().all(|found| own.contains(found)),
            "{backend}: only people within scope are found"
        );
        let mut browser = app.signed_in(UserRole::Referrer).await;
        let reply = browser.get(&format!("/people?q={}", encoded(name))).await;
        assert_eq!(reply.status, StatusCode::OK, "{backend}");
        assert!(!reply.body.contains(id), "{backend}: {}", reply.body);

        // Inside their scope, the referrer finds by name like anyone.
        let mine = own.iter().next().unwrap();
        let found = page(&mut referrer, &format!("q={}", encoded(mine))).await;
        assert_eq!(ids(&found), vec![mine.clone()], "{backend}");
        assert!(found["rows"][0]["name"].is_string(), "{backend}: {found}");
        app.finish().await;
    }
}

#[tokio::test]
async fn names_are_not_shown_to_roles_that_may_not_see_people() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let first = page(&mut coordinator, "per_page=1").await;
        let name = first["rows"][0]["name"].as_str().unwrap().to_string();
        for role in [
            UserRole::Analyst,
            UserRole::LogisticsOfficer,
            UserRole::Admin,
        ] {
            let reply = app
                .with_token(role)
                .await
                .get(&format!("/api/v1/people?q={}", encoded(&name)))
                .await;
            reply.problem(StatusCode::FORBIDDEN);
            assert!(!reply.body.contains(&name), "{backend} {role:?}");
            let reply = app
                .signed_in(role)
                .await
                .get(&format!("/people?q={}", encoded(&name)))
                .await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{backend} {role:?}");
            // The search typed is not even echoed back to them.
            assert!(
                !reply.body.contains(&name),
                "{backend} {role:?}: {}",
                reply.body
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn a_search_or_a_place_that_cannot_be_taken_is_refused_with_its_field() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let long = "a".repeat(101);
        let first = page(&mut coordinator, "per_page=1").await;
        let place = first["next_after"].as_str().unwrap().to_string();
        for (query, field) in [
            (format!("q={long}"), "q"),
            ("q=amal%01".to_string(), "q"),
            ("after=somewhere".to_string(), "after"),
            ("before=critical~yesterday~P-000001".to_string(), "before"),
            (format!("after={0}&before={0}", encoded(&place)), "before"),
            (format!("after={}&page=2", encoded(&place)), "page"),
        ] {
            let reply = coordinator.get(&format!("/api/v1/people?{query}")).await;
            let problem = reply.problem(StatusCode::BAD_REQUEST);
            assert_eq!(problem["field"], field, "{backend} {query}: {problem}");
        }

        // The page keeps the search as typed, the message beside it.
        let mut browser = app.signed_in(UserRole::Coordinator).await;
        let reply = browser.get(&format!("/people?q={long}&tier=urgent")).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{backend}: {}",
            reply.body
        );
        assert!(reply.body.contains(&format!("value=\"{long}\" autocomplete=\"off\" aria-invalid=\"true\" aria-describedby=\"error-q\"")), "{backend}: {}", reply.body);
        assert!(
            reply
                .body
                .contains("id=\"error-q\">a search is at most 100 characters"),
            "{backend}: {}",
            reply.body
        );
        assert!(
            reply.body.contains("<option value=\"urgent\" selected>"),
            "{backend}"
        );
        app.finish().await;
    }
}

/// Every page from the first, following `next_after`; then back from the
/// last, following `previous_before`.
async fn walk(client: &mut Client, filter: &str) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let mut forward = Vec::new();
    let mut current = page(client, filter).await;
    loop {
        forward.push(ids(&current));
        let Some(after) = current["next_after"].as_str() else {
            break;
        };
        current = page(client, &format!("{filter}&after={}", encoded(after))).await;
    }
    let mut backward = vec![ids(&current)];
    while let Some(before) = current["previous_before"].as_str() {
        current = page(client, &format!("{filter}&before={}", encoded(before))).await;
        backward.push(ids(&current));
    }
    backward.reverse();
    (forward, backward)
}

#[tokio::test]
async fn walking_next_then_previous_returns_the_same_rows_and_skips_no_one() {
    let filters = prop_oneof![
        Just(""),
        Just("tier=critical,urgent"),
        Just("role=companions"),
        Just("role=everyone&status=referred,listed,denied,delayed,crossed"),
        Just("age_group=0-4,5-17"),
        Just("q=a"),
    ];
    let cases = (1u32..=120, filters);
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let mut runner = TestRunner::deterministic();
        for _ in 0..16 {
            let (per_page, filter) = cases.new_tree(&mut runner).unwrap().current();
            let mut everyone = Vec::new();
            for number in 1.. {
                let rows = ids(&page(
                    &mut coordinator,
                    &format!("per_page=500&page={number}&{filter}"),
                )
                .await);
                if rows.is_empty() {
                    break;
                }
                everyone.extend(rows);
            }
            let filter = format!("per_page={per_page}&{filter}");
            let (forward, backward) = walk(&mut coordinator, &filter).await;
            assert_eq!(forward, backward, "{backend} {filter}");
            let walked: Vec<String> = forward.concat();
            assert_eq!(
                walked, everyone,
                "{backend} {filter}: no one skipped or repeated"
            );
            let distinct: HashSet<&String> = walked.iter().collect();
            assert_eq!(distinct.len(), walked.len(), "{backend} {filter}");
            let total = page(&mut coordinator, &filter).await["total"]
                .as_u64()
                .unwrap();
            assert_eq!(walked.len() as u64, total, "{backend} {filter}");
            assert!(forward.iter().all(|rows| rows.len() <= per_page as usize));
            // Pages reached by walking are the numbered pages.
            let numbered = page(
                &mut coordinator,
                &format!("{filter}&page={}", forward.len()),
            )
            .await;
            assert_eq!(
                ids(&numbered),
                *forward.last().unwrap(),
                "{backend} {filter}"
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn next_starts_after_the_last_row_seen_even_when_rows_before_it_leave() {
    for app in apps().await {
        let backend = app.backend;
        let mut coordinator = app.with_token(UserRole::Coordinator).await;
        let first = page(&mut coordinator, "per_page=10").await;
        let seen = ids(&first);
        let expected_next = ids(&page(&mut coordinator, "per_page=10&page=2").await);

        // Someone on the first page leaves the list meanwhile.
        let leaving = &seen[0];
        let reply = coordinator
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{leaving}/transitions"),
                &json!({"action": "withdraw", "reason_code": "other", "note": "moved by the family"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{backend}: {}", reply.body);

        let after = first["next_after"].as_str().unwrap();
        let next = page(
            &mut coordinator,
            &format!("per_page=10&after={}", encoded(after)),
        )
        .await;
        assert_eq!(ids(&next), expected_next, "{backend}: nobody skipped");
        assert_eq!(next["start"], 9, "{backend}: one fewer before it now");
        // Counting pages instead would have skipped the first of them.
        let numbered = page(&mut coordinator, "per_page=10&page=2").await;
        assert_ne!(ids(&numbered)[0], expected_next[0], "{backend}");

        // The page's links walk by row.
        let mut browser = app.signed_in(UserRole::Coordinator).await;
        let reply = browser.get("/people?per_page=10").await;
        let now_first = page(&mut coordinator, "per_page=10").await;
        let after = now_first["next_after"].as_str().unwrap();
        let link = format!("/people?after={}&#38;per_page=10", encoded(after));
        assert!(
            reply.body.contains(&link),
            "{backend}: {link} in {}",
            reply.body
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn logistics_finds_a_consignment_by_id_or_agency_on_the_aid_board() {
    for app in apps().await {
        let backend = app.backend;
        let mut logistics = app.signed_in(UserRole::LogisticsOfficer).await;
        let reply = logistics.get("/aid?q=wb-000001").await;
        assert_eq!(reply.status, StatusCode::OK, "{backend}: {}", reply.body);
        assert!(
            reply.body.contains("1 consignment matches"),
            "{backend}: {}",
            reply.body
        );
        assert!(
            reply
                .body
                .contains("<a href=\"/aid/consignments/WB-000001\">WB-000001</a>"),
            "{backend}"
        );

        let agency = app.state.store.all_consignments().await.unwrap()[0]
            .0
            .agency
            .to_string();
        let word = agency.split(' ').next().unwrap().to_lowercase();
        let reply = logistics.get(&format!("/aid?q={}", encoded(&word))).await;
        assert_eq!(reply.status, StatusCode::OK, "{backend}");
        assert!(
            reply.body.contains(&format!("<td>{agency}</td>")),
            "{backend}: {}",
            reply.body
        );

        let reply = logistics.get("/aid?q=no-such-agency-at-all").await;
        assert!(
            reply.body.contains("No consignment matches"),
            "{backend}: {}",
            reply.body
        );
        let long = "w".repeat(101);
        let reply = logistics.get(&format!("/aid?q={long}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(
            reply.body.contains(&format!("value=\"{long}\"")),
            "{backend}"
        );
        app.finish().await;
    }
}
