//! What a store keeps in memory: its own changes show at once, another
//! process's within `OTHER_PROCESS_DELAY`. Two stores on one database stand
//! for a server and the CLI beside it.

use std::time::Duration;

use corridor_domain::search::SearchQuery;
use corridor_domain::{Action, NewPerson, ReasonKind, Scope, Status, Tier, UserRole};
use corridor_store::RoleFilter;
use corridor_store::{ListFilter, NewUser, OTHER_PROCESS_DELAY, Store, UserUpdate};
use jiff::civil::date;

use crate::*;

fn coordinator(username: &str) -> NewUser {
    NewUser {
        username: username.to_string(),
        display_name: format!("User {username}"),
        role: UserRole::Coordinator,
        scope: Scope::All,
        organisation: None,
        password_hash: "$argon2id$not-a-real-hash".to_string(),
    }
}

fn active(active: bool) -> UserUpdate {
    UserUpdate {
        role: UserRole::Coordinator,
        scope: Scope::All,
        organisation: None,
        active,
    }
}

async fn waiting(store: &Store) -> Vec<String> {
    let filter = ListFilter {
        limit: 50,
        ..ListFilter::default()
    };
    let page = store.list(&filter, TODAY).await.expect("list");
    assert_eq!(page.total, page.rows.len() as u64);
    page.rows.iter().map(|row| row.id.to_string()).collect()
}

async fn after_the_other_process_delay() {
    tokio::time::sleep(OTHER_PROCESS_DELAY + Duration::from_millis(100)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_sees_its_own_changes_at_once_and_another_process_s_within_the_delay() {
    for database in databases().await {
        let on = database.name;
        let server = database.store().await;
        let cli = database.store().await;

        // Accounts.
        server
            .create_user(&coordinator("amal"), now(), "admin")
            .await
            .unwrap();
        assert!(
            server.signed_in_user("amal").await.unwrap().is_some(),
            "{on}"
        );
        cli.update_user("amal", &active(false), now(), "admin")
            .await
            .unwrap();
        after_the_other_process_delay().await;
        assert!(
            server.signed_in_user("amal").await.unwrap().is_none(),
            "{on}"
        );
        server
            .update_user("amal", &active(true), now(), "admin")
            .await
            .unwrap();
        assert!(
            server.signed_in_user("amal").await.unwrap().is_some(),
            "{on}"
        );

        // The waiting list.
        assert!(waiting(&server).await.is_empty(), "{on}");
        register(
            &cli,
            vec![patient("P-1", 1970, Tier::Urgent, date(2025, 1, 10))],
        )
        .await;
        after_the_other_process_delay().await;
        assert_eq!(waiting(&server).await, ["P-1"], "{on}");
        register(
            &server,
            vec![patient("P-2", 1980, Tier::Critical, date(2025, 2, 10))],
        )
        .await;
        assert_eq!(waiting(&server).await, ["P-2", "P-1"], "{on}");

        server.close().await;
        cli.close().await;
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_waiting_list_is_kept_while_the_people_do_not_change() {
    for database in databases().await {
        let on = database.name;
        let server = database.store().await;
        let cli = database.store().await;
        let nobody = server.people_head().await.unwrap();
        register(
            &server,
            vec![patient("P-1", 1970, Tier::Urgent, date(2025, 1, 10))],
        )
        .await;
        let registered = server.people_head().await.unwrap();
        assert!(registered > nobody, "{on}");

        // An audited read and a new account move the audit head, not the
        // people's, whichever process writes them.
        let head = server.head().await.unwrap();
        server.record(&audit("person.read")).await.unwrap();
        cli.create_user(&coordinator("amal"), now(), "admin")
            .await
            .unwrap();
        after_the_other_process_delay().await;
        assert!(server.head().await.unwrap() > head, "{on}");
        assert_eq!(server.people_head().await.unwrap(), registered, "{on}");

        // A change of status by another process moves it, and the list
        // shows the new status.
        let status = |store: Store| async move {
            let filter = ListFilter {
                limit: 50,
                ..ListFilter::default()
            };
            let page = store.list(&filter, TODAY).await.expect("list");
            page.rows[0].status
        };
        assert_eq!(status(server.clone()).await, Status::Referred, "{on}");
        cli.transition(&id("P-1"), None, Action::List, None, now(), "coordinator")
            .await
            .unwrap();
        after_the_other_process_delay().await;
        let listed = server.people_head().await.unwrap();
        assert!(listed > registered, "{on}");
        assert_eq!(status(server.clone()).await, Status::Listed, "{on}");
        // A store that starts afresh finds the same state of the people.
        let fresh = database.store().await;
        assert_eq!(fresh.people_head().await.unwrap(), listed, "{on}");

        fresh.close().await;
        server.close().await;
        cli.close().await;
        database.drop_database().await;
    }
}

/// Every page of every filter the test reads, as the store gives them.
async fn pages(store: &Store) -> Vec<(String, Vec<String>, u64)> {
    let search = |text: &str| SearchQuery::parse("q", text).unwrap();
    let filters = [
        ("waiting", ListFilter::default()),
        (
            "critical",
            ListFilter {
                tiers: vec![Tier::Critical],
                ..ListFilter::default()
            },
        ),
        (
            "everyone",
            ListFilter {
                role: RoleFilter::Everyone,
                statuses: vec![Status::Referred, Status::Listed, Status::Withdrawn],
                ..ListFilter::default()
            },
        ),
        (
            "search",
            ListFilter {
                role: RoleFilter::Everyone,
                search: search("P-1"),
                ..ListFilter::default()
            },
        ),
    ];
    let mut seen = Vec::new();
    for (name, filter) in filters {
        for offset in [0, 2, 4, 6] {
            let filter = ListFilter {
                limit: 2,
                offset,
                ..filter.clone()
            };
            let page = store.list(&filter, TODAY).await.expect("list");
            let rows = page
                .rows
                .iter()
                .map(|row| format!("{} {:?} {}", row.id, row.status, row.companions))
                .collect();
            seen.push((format!("{name} from {offset}"), rows, page.total));
        }
    }
    seen
}

/// Checks that `server`, which kept its pages from before a change, gives
/// the pages a store opened afresh reads.
async fn same_as_afresh(server: &Store, database: &TestDatabase, change: &str) {
    let fresh = database.store().await;
    assert_eq!(
        pages(server).await,
        pages(&fresh).await,
        "{}: after {change}",
        database.name
    );
    fresh.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_kept_waiting_list_brought_up_to_date_is_the_list_read_afresh() {
    for database in databases().await {
        let server = database.store().await;
        register(
            &server,
            vec![
                patient("P-10", 1970, Tier::Urgent, date(2025, 1, 10)),
                patient("P-11", 2015, Tier::Critical, date(2025, 3, 1)),
                patient("P-20", 1990, Tier::Routine, date(2024, 6, 1)),
                patient("P-21", 1985, Tier::Urgent, date(2025, 2, 1)),
                patient("P-12", 1960, Tier::Critical, date(2025, 5, 1)),
            ],
        )
        .await;
        pages(&server).await;

        // A critical patient referred long ago comes first.
        register(
            &server,
            vec![patient("P-13", 2010, Tier::Critical, date(2024, 1, 1))],
        )
        .await;
        same_as_afresh(&server, &database, "a new first patient").await;
        // A companion counts on their patient's row.
        register(&server, vec![companion("P-14", "P-11")]).await;
        same_as_afresh(&server, &database, "a companion").await;
        // A patient listed changes status, not place.
        server
            .transition(&id("P-10"), None, Action::List, None, now(), "c")
            .await
            .unwrap();
        same_as_afresh(&server, &database, "a patient listed").await;
        // A patient withdrawn leaves the waiting list.
        let withdraw = Action::Withdraw {
            reason: reason(ReasonKind::Withdrawn, "declined-evacuation", None),
        };
        server
            .transition(&id("P-21"), None, withdraw, None, now(), "c")
            .await
            .unwrap();
        same_as_afresh(&server, &database, "a patient withdrawn").await;

        // A bulk registration, too many rows to bring the list up to date
        // person by person: read again whole.
        let many: Vec<NewPerson> = (0..600)
            .map(|n| patient(&format!("P-9{n:03}"), 1980, Tier::Routine, date(2025, 4, 1)))
            .collect();
        register(&server, many).await;
        same_as_afresh(&server, &database, "a bulk registration").await;

        server.close().await;
        database.drop_database().await;
    }
}
