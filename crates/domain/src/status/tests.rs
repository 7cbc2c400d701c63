//! Tests of the status machine: every legal and illegal transition, the
//! reasons actions carry, reinstatement, resubmission and booking.

use super::*;
use jiff::civil::date;

fn sample(kind: ActionKind) -> Action {
    let reason = || {
        Reason::parse(
            kind.reason_kind().unwrap(),
            Some("other"),
            Some("test reason"),
        )
        .unwrap()
    };
    match kind {
        ActionKind::List => Action::List,
        ActionKind::RequestClearance => Action::RequestClearance,
        ActionKind::Clear => Action::Clear,
        ActionKind::Deny => Action::Deny { reason: reason() },
        ActionKind::Delay => Action::Delay {
            needed_by: date(2026, 2, 10),
            reason: reason(),
        },
        ActionKind::Resubmit => Action::Resubmit,
        ActionKind::Schedule => Action::Schedule {
            booking: Booking {
                date: date(2026, 2, 12),
                crossing: CrossingId::parse("rafah").unwrap(),
            },
        },
        ActionKind::Unschedule => Action::Unschedule { reason: reason() },
        ActionKind::Cross => Action::Cross,
        ActionKind::Admit => Action::Admit {
            facility: FacilityId::parse("eg-arish").unwrap(),
        },
        ActionKind::Return => Action::Return,
        ActionKind::Die => Action::Die {
            on: date(2026, 2, 11),
        },
        ActionKind::Withdraw => Action::Withdraw { reason: reason() },
        ActionKind::Reinstate => Action::Reinstate { reason: reason() },
        ActionKind::UndoGate => Action::UndoGate {
            booking: Booking {
                date: date(2026, 2, 12),
                crossing: CrossingId::parse("rafah").unwrap(),
            },
        },
    }
}

/// A line in `status`; one who died or withdrew did so while cleared.
fn line_in(status: Status) -> StatusLine {
    let exited_from =
        matches!(status, Status::DiedWhileWaiting | Status::Withdrawn).then_some(Status::Cleared);
    StatusLine {
        status,
        exited_from,
        ..StatusLine::new(Role::Patient)
    }
}

#[test]
fn actions_are_built_from_the_facts_they_need_and_name_what_is_missing() {
    let today = date(2026, 2, 1);
    let none = ActionFacts::default();
    for kind in ActionKind::ALL {
        let facts = ActionFacts {
            reason_code: Some("other"),
            note: Some("test reason"),
            date: Some(date(2026, 1, 30)),
            facility: Some("eg-arish"),
            crossing: Some("rafah"),
        };
        let action = Action::from_kind(*kind, &facts, today).unwrap();
        assert_eq!(action.kind(), *kind);
    }
    let check = |kind: ActionKind, facts: ActionFacts<'_>, field: &str, message: &str| {
        let error = Action::from_kind(kind, &facts, today).unwrap_err();
        assert_eq!(error.field(), field, "{kind}");
        assert_eq!(error.to_string(), message, "{kind}");
    };
    check(
        ActionKind::Deny,
        none,
        "reason_code",
        "reason_code: is required: give the code of the reason (clearance denied)",
    );
    check(
        ActionKind::Withdraw,
        ActionFacts {
            reason_code: Some("other"),
            note: Some("  "),
            ..none
        },
        "note",
        "note: the reason code 'other' needs a note saying what the reason was (withdrawn from the list)",
    );
    // A delay without a code is a delay with no answer by the date needed.
    let delay = Action::from_kind(
        ActionKind::Delay,
        &ActionFacts {
            date: Some(today),
            ..none
        },
        today,
    )
    .unwrap();
    assert_eq!(delay.reason().unwrap().code.as_str(), "no-answer");
    check(
        ActionKind::Die,
        none,
        "date",
        "die needs a date (the date of death)",
    );
    check(
        ActionKind::Die,
        ActionFacts {
            date: Some(date(2026, 2, 2)),
            ..none
        },
        "date",
        "date: 2026-02-02 is in the future (today is 2026-02-01)",
    );
    check(
        ActionKind::Admit,
        ActionFacts {
            facility: Some("no such place!"),
            ..none
        },
        "facility",
        "facility: 'no such place!' contains ' '; use letters, digits, '-', '_' or '.'",
    );
    check(
        ActionKind::Schedule,
        ActionFacts {
            date: Some(today),
            ..none
        },
        "crossing",
        "schedule needs a crossing (the crossing's id)",
    );
    assert_eq!(
        Action::from_kind(ActionKind::Clear, &none, today).unwrap(),
        Action::Clear
    );
    // A reason code is required exactly where the action's kind of
    // reason has no default.
    for kind in ActionKind::ALL {
        let facts = ActionFacts {
            reason_code: None,
            note: None,
            date: Some(date(2026, 1, 30)),
            facility: Some("eg-arish"),
            crossing: Some("rafah"),
        };
        let missing_reason = Action::from_kind(*kind, &facts, today)
            .is_err_and(|error| error.field() == "reason_code");
        let needs_code = kind
            .reason_kind()
            .is_some_and(|reason_kind| reason_kind.default_code().is_none());
        assert_eq!(needs_code, missing_reason, "{kind}");
    }
}

/// Every (role, status, action) triple: the expected target, or an error
/// that names the status and exactly the allowed actions.
#[test]
fn every_legal_and_illegal_transition() {
    use ActionKind as A;
    use Status as S;
    let expected_patient: &[(Status, ActionKind, Status)] = &[
        (S::Referred, A::List, S::Listed),
        (S::Listed, A::RequestClearance, S::ClearanceRequested),
        (S::ClearanceRequested, A::Clear, S::Cleared),
        (S::ClearanceRequested, A::Deny, S::Denied),
        (S::ClearanceRequested, A::Delay, S::Delayed),
        (S::Denied, A::Resubmit, S::ClearanceRequested),
        (S::Delayed, A::Resubmit, S::ClearanceRequested),
        (S::Cleared, A::Schedule, S::Scheduled),
        (S::Scheduled, A::Unschedule, S::Cleared),
        (S::Scheduled, A::Cross, S::Crossed),
        (S::Crossed, A::Admit, S::Admitted),
        (S::Admitted, A::Return, S::Returned),
        (S::DiedWhileWaiting, A::Reinstate, S::Cleared),
        (S::Withdrawn, A::Reinstate, S::Cleared),
        (S::Crossed, A::UndoGate, S::Scheduled),
        (S::Cleared, A::UndoGate, S::Scheduled),
    ];
    let expected_companion: &[(Status, ActionKind, Status)] = &[
        (S::Listed, A::RequestClearance, S::ClearanceRequested),
        (S::ClearanceRequested, A::Clear, S::Cleared),
        (S::ClearanceRequested, A::Deny, S::Denied),
        (S::ClearanceRequested, A::Delay, S::Delayed),
        (S::Denied, A::Resubmit, S::ClearanceRequested),
        (S::Delayed, A::Resubmit, S::ClearanceRequested),
        (S::Cleared, A::Schedule, S::Scheduled),
        (S::Scheduled, A::Unschedule, S::Cleared),
        (S::Scheduled, A::Cross, S::Crossed),
        (S::DiedWhileWaiting, A::Reinstate, S::Cleared),
        (S::Withdrawn, A::Reinstate, S::Cleared),
        (S::Crossed, A::UndoGate, S::Scheduled),
        (S::Cleared, A::UndoGate, S::Scheduled),
        (S::Crossed, A::Return, S::Returned),
    ];
    // A returnee's line ends when they have crossed in.
    let expected_returnee = &expected_companion[..expected_companion.len() - 1];
    for (role, table) in [
        (Role::Patient, expected_patient),
        (Role::Companion, expected_companion),
        (Role::Returnee, expected_returnee),
    ] {
        let mut legal = 0;
        for &from in Status::ALL {
            for &kind in ActionKind::ALL {
                let waiting_exit = match kind {
                    A::Die if from.is_waiting() => Some(S::DiedWhileWaiting),
                    A::Withdraw if from.is_waiting() => Some(S::Withdrawn),
                    _ => None,
                };
                let expected = table
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == kind)
                    .map(|(_, _, to)| *to)
                    .or(waiting_exit);
                let result = line_in(from).apply(role, &sample(kind));
                match (expected, result) {
                    (Some(to), Ok(line)) => {
                        legal += 1;
                        assert_eq!(line.status, to, "{role} {from} {kind}");
                        assert_eq!(line.version, 2);
                    }
                    (None, Err(error)) => {
                        assert_eq!(error.from, from);
                        assert_eq!(error.action, kind);
                        assert!(!error.allowed.contains(&kind));
                        for allowed in &error.allowed {
                            assert!(line_in(from).apply(role, &sample(*allowed)).is_ok());
                        }
                    }
                    (expected, result) => {
                        panic!("{role} {from} {kind}: expected {expected:?}, got {result:?}")
                    }
                }
            }
        }
        assert_eq!(legal, table.len() + 2 * Status::WAITING.len(), "{role}");
    }
}

#[test]
fn an_action_carries_only_the_kinds_of_reason_it_takes() {
    use crate::{ReasonCode, ReasonEntry};
    let catalogue = ReasonCatalogue::new(
        [ReasonKind::Denied, ReasonKind::TurnedBack]
            .into_iter()
            .map(|kind| ReasonEntry {
                kind,
                code: ReasonCode::other(),
                label: "Other".to_string(),
                in_use: true,
            })
            .collect(),
    );
    let turned_back = Reason::parse(ReasonKind::TurnedBack, Some("other"), Some("a note")).unwrap();
    let unschedule = Action::Unschedule {
        reason: turned_back.clone(),
    };
    assert_eq!(unschedule.check_reason(&catalogue), Ok(()));
    let error = Action::Deny {
        reason: turned_back,
    }
    .check_reason(&catalogue)
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "reason_kind: deny takes a reason of kind denied, not turned-back"
    );
    let withdraw = sample(ActionKind::Withdraw);
    assert_eq!(
        withdraw.check_reason(&catalogue).unwrap_err().field,
        "reason_code"
    );
    assert_eq!(Action::Clear.check_reason(&catalogue), Ok(()));
}

#[test]
fn illegal_transition_names_current_and_allowed() {
    let error = line_in(Status::Listed)
        .apply(Role::Patient, &Action::Clear)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot clear a patient who is listed; allowed: request-clearance, die, withdraw"
    );
    let error = line_in(Status::Returned)
        .apply(Role::Patient, &Action::List)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot list a patient who is returned; no transition is allowed from this status"
    );
    let error = line_in(Status::Withdrawn)
        .apply(Role::Patient, &Action::Clear)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot clear a patient who is withdrawn; allowed: reinstate"
    );
}

/// Reinstatement is legal only from the two exits, and from every other
/// status the error names exactly what is allowed there.
#[test]
fn reinstatement_is_legal_from_the_two_exits_only() {
    let reinstate = sample(ActionKind::Reinstate);
    for role in Role::ALL.iter().copied() {
        for &from in Status::ALL {
            let line = line_in(from);
            let allowed = allowed_actions(role, &line);
            match line.apply(role, &reinstate) {
                Ok(next) => {
                    assert!(
                        matches!(from, Status::DiedWhileWaiting | Status::Withdrawn),
                        "{role} {from}"
                    );
                    assert_eq!(next.status, Status::Cleared);
                    assert_eq!(allowed, [ActionKind::Reinstate], "{role} {from}");
                }
                Err(error) => {
                    assert!(
                        !matches!(from, Status::DiedWhileWaiting | Status::Withdrawn),
                        "{role} {from}"
                    );
                    assert_eq!(error.action, ActionKind::Reinstate);
                    assert_eq!(error.allowed, allowed, "{role} {from}");
                    assert!(!allowed.contains(&ActionKind::Reinstate));
                }
            }
        }
    }
    let error = line_in(Status::Listed)
        .apply(Role::Patient, &reinstate)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot reinstate a patient who is listed; allowed: request-clearance, die, withdraw"
    );
}

/// A person goes back to the waiting status the exit took them out of,
/// except scheduled, which comes back as cleared without the booking;
/// the date of death goes, and the exit can happen again.
#[test]
fn reinstatement_returns_to_the_status_that_was_left() {
    let role = Role::Patient;
    let path = [
        Action::List,
        Action::RequestClearance,
        sample(ActionKind::Deny),
        Action::Resubmit,
        Action::Clear,
        sample(ActionKind::Schedule),
    ];
    let mut line = StatusLine::new(role);
    let mut waiting = vec![line.clone()];
    for action in &path {
        line = line.apply(role, action).unwrap();
        waiting.push(line.clone());
    }
    for before in waiting {
        assert!(before.status.is_waiting());
        let expected = match before.status {
            Status::Scheduled => Status::Cleared,
            other => other,
        };
        for exit in [sample(ActionKind::Die), sample(ActionKind::Withdraw)] {
            let gone = before.apply(role, &exit).unwrap();
            assert_eq!(gone.exited_from, Some(before.status));
            assert_eq!(gone.booking, None);
            assert_eq!(gone.reinstated_status(), Some(expected));
            let back = gone.apply(role, &sample(ActionKind::Reinstate)).unwrap();
            assert_eq!(back.status, expected, "from {}", before.status);
            assert_eq!(back.version, before.version + 2);
            assert_eq!(back.died_on, None);
            assert_eq!(back.exited_from, None);
            assert_eq!(back.booking, None);
            assert_eq!(back.clearance_attempt, before.clearance_attempt);
            assert!(
                back.apply(role, &exit).is_ok(),
                "the exit can be recorded again"
            );
        }
    }
}

#[test]
fn the_status_left_is_read_from_the_exit_event() {
    let at = jiff::Timestamp::UNIX_EPOCH;
    let line = StatusLine::new(Role::Patient);
    let (listed, listing) = line
        .transition(Role::Patient, Action::List, at, "a", None)
        .unwrap();
    let (gone, exit) = listed
        .transition(Role::Patient, sample(ActionKind::Withdraw), at, "a", None)
        .unwrap();
    assert_eq!(exited_from(std::slice::from_ref(&listing)), None);
    assert_eq!(
        exited_from(&[listing.clone(), exit.clone()]),
        Some(Status::Listed)
    );
    assert_eq!(gone.exited_from, Some(Status::Listed));
    let (_, back) = gone
        .transition(Role::Patient, sample(ActionKind::Reinstate), at, "a", None)
        .unwrap();
    assert_eq!(exited_from(&[listing, exit, back]), None);
}

#[test]
fn resubmission_counts_attempts_and_scheduling_books_a_day() {
    let role = Role::Patient;
    let mut line = StatusLine::new(role);
    for action in [
        Action::List,
        Action::RequestClearance,
        sample(ActionKind::Deny),
        Action::Resubmit,
        sample(ActionKind::Delay),
        Action::Resubmit,
        Action::Clear,
        sample(ActionKind::Schedule),
    ] {
        line = line.apply(role, &action).unwrap();
    }
    assert_eq!(line.clearance_attempt, 3);
    assert_eq!(line.version, 9);
    assert_eq!(line.booking.as_ref().unwrap().date, date(2026, 2, 12));
    let line = line.apply(role, &sample(ActionKind::Unschedule)).unwrap();
    assert_eq!(line.status, Status::Cleared);
    assert_eq!(line.booking, None);
}

/// A gate outcome recorded in error is undone back to scheduled on the
/// manifest's booking, from crossed or from the cleared a turn-back or a
/// no-show left; once the person has moved on (admitted, scheduled again,
/// gone) there is nothing to undo at the gate.
#[test]
fn a_gate_outcome_is_undone_back_to_scheduled_on_the_booking() {
    let role = Role::Patient;
    let booking = Booking {
        date: date(2026, 2, 12),
        crossing: CrossingId::parse("rafah").unwrap(),
    };
    let undo = Action::UndoGate {
        booking: booking.clone(),
    };
    let scheduled = line_in(Status::Cleared)
        .apply(
            role,
            &Action::Schedule {
                booking: booking.clone(),
            },
        )
        .unwrap();
    let crossed = scheduled.apply(role, &Action::Cross).unwrap();
    let back = crossed.apply(role, &undo).unwrap();
    assert_eq!(back.status, Status::Scheduled);
    assert_eq!(back.booking.as_ref(), Some(&booking));
    let turned_back = scheduled
        .apply(role, &sample(ActionKind::Unschedule))
        .unwrap();
    assert_eq!(turned_back.booking, None);
    let back = turned_back.apply(role, &undo).unwrap();
    assert_eq!(back.status, Status::Scheduled);
    assert_eq!(back.booking, Some(booking));
    assert_eq!(back.version, turned_back.version + 1);
    // Never offered as a next step: the line cannot tell a gate outcome.
    assert!(!allowed_actions(role, &turned_back).contains(&ActionKind::UndoGate));
    assert!(!allowed_actions(role, &crossed).contains(&ActionKind::UndoGate));
    let admitted = crossed.apply(role, &sample(ActionKind::Admit)).unwrap();
    let error = admitted.apply(role, &undo).unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot undo-gate a patient who is admitted; allowed: return"
    );
    for from in [Status::Scheduled, Status::Withdrawn, Status::Returned] {
        assert!(line_in(from).apply(role, &undo).is_err(), "{from}");
    }
}
