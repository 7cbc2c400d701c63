//! The inbound day: first registered, first served.

use corridor_planner::{InboundDay, OverrideList, Overrides, PlanError, Returnee, plan_inbound};

use crate::*;

fn returnee(name: &str, registered_on: Date, is_child: bool) -> Returnee {
    Returnee {
        person: id(name),
        registered_on,
        is_child,
    }
}

fn inbound(quota: u32) -> InboundDay {
    InboundDay {
        date: DAY,
        quota,
        candidates: vec![
            returnee("R-4", date(2026, 1, 20), false),
            returnee("R-3", date(2026, 1, 10), false),
            returnee("R-2", date(2026, 1, 10), true),
            returnee("R-1", date(2026, 1, 12), false),
        ],
        overrides: Overrides::default(),
    }
}

#[test]
fn first_registered_first_served_children_first_on_the_same_day() {
    let plan = plan_inbound(&inbound(3)).unwrap();
    assert_eq!(picked(&plan), ["R-2", "R-3", "R-1"]);
    assert_eq!(plan.places_used, 3);
    assert_eq!(plan.places_available, 3);
    assert_eq!(plan.picks[0].reason, "registered on 2026-01-10, child");
    assert_eq!(plan.picks[0].facility, None);
    assert_eq!(why(&plan, "R-4"), "quota full: needs 1 place, 0 left");
    assert_eq!(
        plan.notes,
        [format!("method: {}", corridor_planner::INBOUND_POLICY_TEXT)]
    );
}

#[test]
fn inbound_overrides_go_first_or_stay_out() {
    let mut day = inbound(2);
    day.overrides.include = vec![(id("R-4"), "family reunification".to_string())];
    day.overrides.exclude = vec![(id("R-2"), "document check pending".to_string())];
    let plan = plan_inbound(&day).unwrap();
    assert_eq!(picked(&plan), ["R-4", "R-3"]);
    assert_eq!(
        plan.picks[0].reason,
        "included by the coordinator: family reunification; registered on 2026-01-20"
    );
    assert_eq!(
        why(&plan, "R-2"),
        "removed by the coordinator: document check pending"
    );
    assert_eq!(why(&plan, "R-1"), "quota full: needs 1 place, 0 left");
    assert_eq!(plan.picks.len() + plan.left_out.len(), 4);
}

#[test]
fn inbound_inclusions_that_cannot_be_honoured_are_errors() {
    let mut day = inbound(1);
    day.overrides.include = vec![
        (id("R-4"), "asked".to_string()),
        (id("R-1"), "asked".to_string()),
    ];
    assert_eq!(
        plan_inbound(&day).unwrap_err().to_string(),
        "cannot include R-1: quota full: needs 1 place, 0 left"
    );
    day.overrides.include = vec![(id("R-9"), "asked".to_string())];
    assert_eq!(
        plan_inbound(&day),
        Err(PlanError::NotACandidate {
            person: id("R-9"),
            list: OverrideList::Include
        })
    );
    let mut twice = inbound(1);
    twice
        .candidates
        .push(returnee("R-1", date(2026, 1, 1), false));
    assert_eq!(
        plan_inbound(&twice),
        Err(PlanError::Duplicate { person: id("R-1") })
    );
}
