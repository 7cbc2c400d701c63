//! Coded reasons on every database: the seeded list, the check every write
//! of a reason goes through, notes kept in the person's history only, and
//! free-text reasons written before the codes read as `other`.

use corridor_domain::{
    Action, Case, ClearanceOutcome, CrossingId, Direction, GateOutcome, ReasonCode, ReasonKind,
    Status, Tier,
};
use corridor_store::{
    Decision, EntryState, GateRecording, ImportMode, StoreError, Submission, Thing,
};
use jiff::civil::date;
use sqlx::Executor;

use crate::crossing_days::confirm;
use crate::*;

fn refused_field(error: &StoreError) -> Option<&'static str> {
    match error {
        StoreError::Invalid { invalid, .. } => Some(invalid.field),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_has_its_codes_with_other_and_the_defaults() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        let catalogue = store.reason_codes().await.unwrap();
        for kind in ReasonKind::ALL {
            let codes: Vec<&str> = catalogue
                .in_use(*kind)
                .map(|entry| entry.code.as_str())
                .collect();
            assert!(codes.len() >= 3, "{on}: {kind} has {codes:?}");
            assert_eq!(
                codes.last(),
                Some(&"other"),
                "{on}: {kind} offers other last"
            );
            if let Some(default) = kind.default_code() {
                assert!(codes.contains(&default.as_str()), "{on}: {kind}");
            }
        }
        let reason = corridor_domain::Reason::patient_not_travelling();
        assert_eq!(catalogue.check(&reason), Ok(()), "{on}");
        assert_eq!(
            catalogue.label(
                ReasonKind::Denied,
                &ReasonCode::parse("security-objection").unwrap()
            ),
            "Security objection by the clearing authority"
        );
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reason_not_on_the_list_is_refused_and_changes_nothing() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        register(
            &store,
            vec![patient("P-1", 1970, Tier::Urgent, date(2025, 1, 10))],
        )
        .await;
        for action in [Action::List, Action::RequestClearance] {
            store
                .transition(&id("P-1"), None, action, None, now(), "coordinator")
                .await
                .unwrap();
        }
        let deny = |code: &str| Action::Deny {
            reason: reason(ReasonKind::Denied, code, None),
        };
        let error = store
            .transition(&id("P-1"), None, deny("watch-list"), None, now(), "liaison")
            .await
            .unwrap_err();
        assert_eq!(refused_field(&error), Some("reason_code"), "{on}: {error}");
        assert!(
            error
                .to_string()
                .starts_with("P-1: reason_code: 'watch-list' is not a reason code for clearance denied; use one of: security-objection,"),
            "{on}: {error}"
        );
        // A code of another kind is not a denial's.
        let error = store
            .transition(
                &id("P-1"),
                None,
                deny("chose-treatment-elsewhere"),
                None,
                now(),
                "liaison",
            )
            .await
            .unwrap_err();
        assert_eq!(refused_field(&error), Some("reason_code"), "{on}");
        // A code no longer in use reads, but is not offered or accepted.
        database
            .raw()
            .await
            .execute(
                "UPDATE reason_codes SET in_use = 0 WHERE kind = 'denied' AND code = 'no-reason-given'",
            )
            .await
            .unwrap();
        let error = store
            .transition(
                &id("P-1"),
                None,
                deny("no-reason-given"),
                None,
                now(),
                "liaison",
            )
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("is no longer in use"),
            "{on}: {error}"
        );
        let record = store.person(&id("P-1")).await.unwrap().unwrap();
        assert_eq!(record.line.status, Status::ClearanceRequested, "{on}");
        assert_eq!(record.events.len(), 3, "{on}: nothing was written");

        // A bulk write is checked the same way.
        let mut case = Case::register(
            patient("P-2", 1980, Tier::Routine, date(2025, 3, 1)),
            now(),
            "tester",
        );
        case.apply(Action::List, now(), "tester", None).unwrap();
        case.apply(
            Action::Withdraw {
                reason: reason(ReasonKind::Withdrawn, "bored", None),
            },
            now(),
            "tester",
            None,
        )
        .unwrap();
        let error = store
            .insert_cases(
                &[case],
                &audit("person.register"),
                ImportMode::Commit,
                &mut |_| {},
            )
            .await
            .unwrap_err();
        assert_eq!(refused_field(&error), Some("reason_code"), "{on}: {error}");
        assert!(store.person(&id("P-2")).await.unwrap().is_none(), "{on}");
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn notes_stay_in_the_history_and_aggregates_carry_codes() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        register(
            &store,
            vec![patient("P-1", 1970, Tier::Urgent, date(2025, 1, 10))],
        )
        .await;
        let note = "brother K. M. on a watch list";
        for action in [
            Action::List,
            Action::RequestClearance,
            Action::Deny {
                reason: reason(ReasonKind::Denied, "security-objection", Some(note)),
            },
        ] {
            store
                .transition(&id("P-1"), None, action, None, now(), "liaison")
                .await
                .unwrap();
        }
        let record = store.person(&id("P-1")).await.unwrap().unwrap();
        let kept = record.events[3].action.as_ref().unwrap().reason().unwrap();
        assert_eq!(kept.code.as_str(), "security-objection", "{on}");
        assert_eq!(kept.note.as_ref().unwrap().as_str(), note, "{on}");
        let counts = store.denial_reasons(TODAY, TODAY).await.unwrap();
        assert_eq!(counts.len(), 1, "{on}");
        assert_eq!(counts[0].code.as_str(), "security-objection");
        assert_eq!(counts[0].count, 1);
        // The audit entry names the code, not the note.
        let entries = store.audit_tail(10).await.unwrap();
        let transition = entries
            .iter()
            .find(|e| e.action == "person.transition" && e.detail.contains("deny"))
            .expect("the denial is audited");
        assert!(transition.detail.contains("security-objection"), "{on}");
        assert!(!transition.detail.contains("watch list"), "{on}");
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn clearance_and_gate_reasons_are_coded_with_their_defaults() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        load_reference(&store).await;
        register(
            &store,
            vec![
                patient("P-1", 1970, Tier::Urgent, date(2025, 1, 10)),
                patient("P-2", 1971, Tier::Urgent, date(2025, 1, 11)),
                patient("P-3", 1972, Tier::Urgent, date(2025, 1, 12)),
                patient("P-4", 1973, Tier::Urgent, date(2025, 1, 13)),
            ],
        )
        .await;
        let people = ["P-1", "P-2", "P-3", "P-4"];
        for person in people {
            store
                .transition(&id(person), None, Action::List, None, now(), "coordinator")
                .await
                .unwrap();
        }
        let batch = store
            .submit_clearance(
                &Submission {
                    crossing: CrossingId::parse("rafah").unwrap(),
                    direction: Direction::Outbound,
                    needed_by: date(2026, 2, 3),
                    people: people.iter().map(|p| id(p)).collect(),
                    note: None,
                },
                ImportMode::Commit,
                TODAY,
                now(),
                "coordinator",
            )
            .await
            .unwrap();
        let decision = |person: &str, outcome, reason| Decision {
            batch: batch.id.clone(),
            person: id(person),
            outcome,
            reason,
            decided_on: TODAY,
        };
        // A clearance takes no reason; a denial needs one.
        for refused in [
            decision(
                "P-1",
                ClearanceOutcome::Cleared,
                Some(reason(ReasonKind::Denied, "security-objection", None)),
            ),
            decision("P-1", ClearanceOutcome::Denied, None),
        ] {
            let error = store
                .record_decisions(&[refused], ImportMode::Commit, TODAY, now(), "liaison")
                .await
                .unwrap_err();
            assert_eq!(refused_field(&error), Some("reason_code"), "{on}: {error}");
        }
        store
            .record_decisions(
                &[
                    decision("P-1", ClearanceOutcome::Cleared, None),
                    decision("P-2", ClearanceOutcome::Cleared, None),
                    decision(
                        "P-3",
                        ClearanceOutcome::Denied,
                        Some(reason(
                            ReasonKind::Denied,
                            "other",
                            Some("asked for a new permit"),
                        )),
                    ),
                    decision("P-4", ClearanceOutcome::Delayed, None),
                ],
                ImportMode::Commit,
                TODAY,
                now(),
                "liaison",
            )
            .await
            .unwrap();
        let requests = store.clearance_requests(Some(&batch.id)).await.unwrap();
        let reason_of = |person: &str| {
            requests
                .iter()
                .find(|r| r.person == id(person))
                .unwrap()
                .reason
                .clone()
        };
        assert_eq!(reason_of("P-1"), None, "{on}");
        let denied = reason_of("P-3").unwrap();
        assert_eq!(
            (denied.code.as_str(), denied.note.unwrap().as_str()),
            ("other", "asked for a new permit")
        );
        assert_eq!(reason_of("P-4").unwrap().code.as_str(), "no-answer", "{on}");
        let delay = store.person(&id("P-4")).await.unwrap().unwrap();
        assert!(matches!(
            delay.events.last().unwrap().action,
            Some(Action::Delay { ref reason, .. }) if reason.code.as_str() == "no-answer"
        ));

        // At the gate: a turn-back needs a code of its own kind; a no-show
        // without one is `not-known`.
        let day = date(2026, 2, 2);
        confirm(
            &store,
            day,
            Direction::Outbound,
            &[("P-1", &[], Some("eg-1")), ("P-2", &[], Some("eg-1"))],
        )
        .await
        .unwrap();
        let rafah = CrossingId::parse("rafah").unwrap();
        let gate = |person: &str, outcome, reason: Option<corridor_domain::Reason>| {
            let (store, rafah, person) = (&store, rafah.clone(), id(person));
            async move {
                store
                    .record_gate(
                        &GateRecording {
                            crossing: rafah.clone(),
                            date: day,
                            person: person.clone(),
                            outcome,
                            reason: reason.clone(),
                        },
                        on_the_day(day),
                        "officer",
                    )
                    .await
            }
        };
        let error = gate("P-1", GateOutcome::TurnedBack, None)
            .await
            .unwrap_err();
        assert_eq!(refused_field(&error), Some("reason_code"), "{on}: {error}");
        let error = gate(
            "P-1",
            GateOutcome::TurnedBack,
            Some(reason(ReasonKind::NoShow, "not-reached", None)),
        )
        .await
        .unwrap_err();
        assert_eq!(refused_field(&error), Some("reason_kind"), "{on}: {error}");
        gate(
            "P-1",
            GateOutcome::TurnedBack,
            Some(reason(
                ReasonKind::TurnedBack,
                "documents-not-accepted",
                Some("stamp missing on the referral"),
            )),
        )
        .await
        .unwrap();
        gate("P-2", GateOutcome::NoShow, None).await.unwrap();
        let manifest = store
            .manifest(&rafah, day, Direction::Outbound)
            .await
            .unwrap()
            .unwrap();
        let entry = |person: &str| {
            manifest
                .entries
                .iter()
                .find(|e| e.person == id(person))
                .unwrap()
                .clone()
        };
        let turned_back = entry("P-1");
        assert_eq!(turned_back.state, EntryState::TurnedBack);
        let why = turned_back.state_reason.unwrap();
        assert_eq!(
            (why.kind, why.code.as_str()),
            (ReasonKind::TurnedBack, "documents-not-accepted"),
            "{on}"
        );
        assert_eq!(
            entry("P-2").state_reason.unwrap().code.as_str(),
            "not-known",
            "{on}"
        );
        let history = store.person(&id("P-1")).await.unwrap().unwrap();
        let unschedule = history.events.last().unwrap().action.clone().unwrap();
        let reason = unschedule.reason().unwrap();
        assert_eq!(reason.kind, ReasonKind::TurnedBack, "{on}");
        assert_eq!(
            reason.note.as_ref().unwrap().as_str(),
            "stamp missing on the referral"
        );
        database.drop_database().await;
    }
}

/// Reasons written as free text before they were coded stay as they are
/// (the history is append-only) and read as `other` with the text as note.
#[tokio::test(flavor = "multi_thread")]
async fn free_text_reasons_of_older_records_read_as_other_with_a_note() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        register(
            &store,
            vec![patient("P-1", 1970, Tier::Urgent, date(2025, 1, 10))],
        )
        .await;
        let raw = database.raw().await;
        let at = now().as_microsecond();
        // Rows as a registry written before migration 0006 holds them.
        for (version, from, to, action, reason) in [
            (2, "referred", "listed", "list", None),
            (
                3,
                "listed",
                "clearance-requested",
                "request-clearance",
                None,
            ),
            (
                4,
                "clearance-requested",
                "denied",
                "deny",
                Some("security objection, no details"),
            ),
            (
                5,
                "denied",
                "withdrawn",
                "withdraw",
                Some("treated locally"),
            ),
        ] {
            sqlx::query(
                "INSERT INTO status_events (person_id, version, at, actor, from_status, to_status, \
                 action, reason, clearance_attempt) VALUES ('P-1', $1, $2, 'old', $3, $4, $5, $6, 1)",
            )
            .bind(i64::from(version))
            .bind(at)
            .bind(from)
            .bind(to)
            .bind(action)
            .bind(reason)
            .execute(&raw)
            .await
            .unwrap();
        }
        let record = store.person(&id("P-1")).await.unwrap().unwrap();
        let reason_of = |version: usize| {
            record.events[version - 1]
                .action
                .as_ref()
                .unwrap()
                .reason()
                .unwrap()
                .clone()
        };
        let denied = reason_of(4);
        assert_eq!(
            (denied.kind, denied.code.as_str()),
            (ReasonKind::Denied, "other"),
            "{on}"
        );
        assert_eq!(
            denied.note.unwrap().as_str(),
            "security objection, no details"
        );
        assert_eq!(
            reason_of(5).note.unwrap().as_str(),
            "treated locally",
            "{on}"
        );
        let counts = store.denial_reasons(TODAY, TODAY).await.unwrap();
        assert_eq!(
            counts
                .iter()
                .map(|c| (c.code.as_str(), c.label.as_str(), c.count))
                .collect::<Vec<_>>(),
            [("other", "Other (see note)", 1)],
            "{on}"
        );
        // The old rows are not rewritten: the history refuses updates.
        assert!(
            raw.execute("UPDATE status_events SET reason_code = 'other' WHERE version = 4")
                .await
                .is_err(),
            "{on}"
        );
        database.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn codes_are_added_retired_and_restored_with_an_audit_entry() {
    for database in databases().await {
        let store = database.store().await;
        let on = database.name;
        let code = ReasonCode::parse("permit-expired").unwrap();
        let label = corridor_domain::Text::parse("label", "Exit permit expired", 200).unwrap();
        store
            .add_reason_code(ReasonKind::TurnedBack, &code, &label, now(), "admin")
            .await
            .unwrap();
        let catalogue = store.reason_codes().await.unwrap();
        let offered: Vec<&str> = catalogue
            .in_use(ReasonKind::TurnedBack)
            .map(|entry| entry.code.as_str())
            .collect();
        assert_eq!(
            &offered[offered.len() - 2..],
            ["permit-expired", "other"],
            "{on}: a new code comes after the others, before other"
        );
        let error = store
            .add_reason_code(ReasonKind::TurnedBack, &code, &label, now(), "admin")
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("already has the code"),
            "{on}: {error}"
        );

        store
            .set_reason_code_in_use(ReasonKind::TurnedBack, &code, false, now(), "admin")
            .await
            .unwrap();
        let catalogue = store.reason_codes().await.unwrap();
        let retired = reason(ReasonKind::TurnedBack, "permit-expired", None);
        assert!(catalogue.check(&retired).is_err(), "{on}");
        assert_eq!(
            catalogue.label(ReasonKind::TurnedBack, &code),
            "Exit permit expired",
            "{on}: a retired code still reads"
        );
        store
            .set_reason_code_in_use(ReasonKind::TurnedBack, &code, true, now(), "admin")
            .await
            .unwrap();
        assert_eq!(
            store.reason_codes().await.unwrap().check(&retired),
            Ok(()),
            "{on}"
        );
        for (kind, fixed) in [
            (ReasonKind::Denied, "other"),
            (ReasonKind::Delayed, "no-answer"),
            (ReasonKind::Unscheduled, "patient-not-travelling"),
        ] {
            let error = store
                .set_reason_code_in_use(
                    kind,
                    &ReasonCode::parse(fixed).unwrap(),
                    false,
                    now(),
                    "admin",
                )
                .await
                .unwrap_err();
            assert!(error.to_string().contains("stays in use"), "{on}: {error}");
        }
        let error = store
            .set_reason_code_in_use(
                ReasonKind::Denied,
                &ReasonCode::parse("no-such-code").unwrap(),
                false,
                now(),
                "admin",
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                StoreError::NotFound {
                    thing: Thing::ReasonCode,
                    ..
                }
            ),
            "{on}: {error}"
        );
        let audited: Vec<String> = store
            .audit_recent(10, "reason.")
            .await
            .unwrap()
            .into_iter()
            .map(|entry| format!("{} {}", entry.action, entry.subject))
            .collect();
        assert_eq!(
            audited,
            [
                "reason.restore turned-back permit-expired",
                "reason.retire turned-back permit-expired",
                "reason.add turned-back permit-expired",
            ],
            "{on}"
        );
        database.drop_database().await;
    }
}
