//! A death or withdrawal recorded in error, reinstated on every database:
//! the person is back where they left (scheduled comes back cleared, the
//! place and bed not restored), the history keeps both events, the version
//! counts, a stale version is refused, and the counts see the person
//! waiting again.

use corridor_domain::{Action, Case, Direction, ReasonKind, Status, Tier};
use corridor_store::StoreError;
use jiff::civil::date;

use crate::crossing_days::confirm;
use crate::*;

fn reinstate() -> Action {
    Action::Reinstate {
        reason: reason(ReasonKind::Reinstated, "wrong-person", None),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exit_recorded_in_error_is_reinstated_and_both_events_are_kept() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        load_reference(&store).await;
        register(
            &store,
            vec![
                patient("P-1", 1970, Tier::Critical, date(2025, 6, 1)),
                patient("P-2", 1980, Tier::Urgent, date(2025, 9, 1)),
            ],
        )
        .await;
        for action in [Action::List, Action::RequestClearance, Action::Clear] {
            store
                .transition(&id("P-1"), None, action, None, now(), "coordinator")
                .await
                .unwrap_or_else(|e| panic!("{on}: {e}"));
        }
        let day = date(2026, 2, 2);
        confirm(
            &store,
            day,
            Direction::Outbound,
            &[("P-1", &[], Some("eg-1"))],
        )
        .await
        .unwrap_or_else(|e| panic!("{on}: {e}"));
        let died = store
            .transition(
                &id("P-1"),
                None,
                Action::Die {
                    on: date(2026, 1, 31),
                },
                None,
                now(),
                "referrer",
            )
            .await
            .unwrap();
        // The status left is read back from the history.
        let record = store.person(&id("P-1")).await.unwrap().unwrap();
        assert_eq!(record.line.exited_from, Some(Status::Scheduled), "{on}");
        assert_eq!(record.line.reinstated_status(), Some(Status::Cleared));
        let deaths = store
            .deaths(TODAY.yesterday().unwrap(), TODAY)
            .await
            .unwrap();
        assert_eq!(deaths.iter().map(|d| d.count).sum::<u64>(), 1, "{on}");

        // A change based on the version before the death is refused.
        let stale = store
            .transition(
                &id("P-1"),
                Some(died.line.version - 1),
                reinstate(),
                None,
                now(),
                "coordinator",
            )
            .await
            .unwrap_err();
        assert!(
            matches!(stale, StoreError::Conflict { .. }),
            "{on}: {stale}"
        );

        let back = store
            .transition(
                &id("P-1"),
                Some(died.line.version),
                reinstate(),
                None,
                now(),
                "coordinator",
            )
            .await
            .unwrap_or_else(|e| panic!("{on}: {e}"));
        assert_eq!(back.line.status, Status::Cleared, "{on}");
        assert_eq!(back.line.version, died.line.version + 1);
        assert_eq!(back.line.died_on, None);
        assert_eq!(back.line.booking, None);

        let record = store.person(&id("P-1")).await.unwrap().unwrap();
        assert_eq!(
            record.line, back.line,
            "{on}: the stored line is the returned one"
        );
        let last: Vec<(Option<Status>, Status, &str, Option<&str>)> = record.events
            [record.events.len() - 2..]
            .iter()
            .map(|event| {
                (
                    event.from,
                    event.to,
                    event.actor.as_str(),
                    event
                        .action
                        .as_ref()
                        .and_then(Action::reason)
                        .map(|reason| reason.code.as_str()),
                )
            })
            .collect();
        assert_eq!(
            last,
            [
                (
                    Some(Status::Scheduled),
                    Status::DiedWhileWaiting,
                    "referrer",
                    None
                ),
                (
                    Some(Status::DiedWhileWaiting),
                    Status::Cleared,
                    "coordinator",
                    Some("wrong-person")
                ),
            ],
            "{on}"
        );
        // Replaying the stored history gives the stored line.
        let mut replay = Case::register(record.person.clone(), now(), "tester");
        for event in &record.events[1..] {
            replay
                .apply(event.action.clone().unwrap(), event.at, &event.actor, None)
                .unwrap_or_else(|e| panic!("{on}: {e}"));
        }
        assert_eq!(replay.line, record.line, "{on}");

        // The place and the bed given up at the death stay given up.
        let eg = store
            .bed_board(day)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.facility.as_str() == "eg-1")
            .unwrap();
        assert_eq!(eg.held, 0, "{on}");

        // Counts use the current status: a death recorded in error and
        // reinstated is no death, and the person waits again.
        assert!(
            store
                .deaths(TODAY.yesterday().unwrap(), TODAY)
                .await
                .unwrap()
                .is_empty(),
            "{on}"
        );
        let summary = store.waiting_summary(TODAY).await.unwrap();
        assert_eq!(summary.died_while_waiting, 0, "{on}");
        assert_eq!(summary.waiting_patients, 2, "{on}");

        // A withdrawal while listed goes back to listed; reinstating anyone
        // still waiting is refused with what is allowed.
        store
            .transition(&id("P-2"), None, Action::List, None, now(), "c")
            .await
            .unwrap();
        let withdraw = Action::Withdraw {
            reason: reason(ReasonKind::Withdrawn, "declined-evacuation", None),
        };
        store
            .transition(&id("P-2"), None, withdraw, None, now(), "c")
            .await
            .unwrap();
        let back = store
            .transition(&id("P-2"), None, reinstate(), None, now(), "c")
            .await
            .unwrap();
        assert_eq!(back.line.status, Status::Listed, "{on}");
        let refused = store
            .transition(&id("P-2"), None, reinstate(), None, now(), "c")
            .await
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "P-2: cannot reinstate a patient who is listed; allowed: request-clearance, die, withdraw",
            "{on}"
        );

        let (entry, detail) = store
            .audit_tail(20)
            .await
            .unwrap()
            .into_iter()
            .map(|entry| {
                let detail: serde_json::Value = serde_json::from_str(&entry.detail).unwrap();
                (entry, detail)
            })
            .find(|(entry, detail)| entry.subject == "P-1" && detail["action"] == "reinstate")
            .unwrap_or_else(|| panic!("{on}: no audit entry of the reinstatement"));
        assert_eq!(entry.action, "person.transition", "{on}");
        assert_eq!(entry.actor, "coordinator");
        assert_eq!(detail["from"], "died-while-waiting");
        assert_eq!(detail["to"], "cleared");
        assert_eq!(
            detail["reason"],
            serde_json::json!({ "kind": "reinstated", "code": "wrong-person" })
        );
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");
        store.close().await;
        database.drop_database().await;
    }
}
