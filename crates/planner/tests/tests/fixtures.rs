//! Hand-made days whose right plan is known.

use corridor_domain::DayCap;
use corridor_domain::Specialty::{Cardiology, Oncology, Orthopaedics};
use corridor_domain::Tier::{Critical, Routine, Urgent};
use corridor_planner::{Method, OverrideList, PlanError, plan_outbound};

use crate::*;

#[test]
fn the_optimiser_keeps_open_beds_for_patients_without_a_guarantee() {
    // Greedy sends the guaranteed patient to the first facility in id order,
    // an open one, and strands the next patient, who needs an open bed.
    let day = day(
        10,
        vec![
            patient("P-1", Critical, 400, Oncology).guarantee(),
            patient("P-2", Critical, 300, Oncology),
        ],
        vec![
            beds("a-open", Oncology, 1),
            guarantee_beds("b-guarantee", Oncology, 1),
        ],
    );
    let greedy = plan(&day, Method::Greedy);
    check_plan(&day, &greedy);
    assert_eq!(picked(&greedy), ["P-1"]);
    assert_eq!(
        why(&greedy, "P-2"),
        "the 1 oncology bed it could take on 2026-02-03 went to people ahead of it"
    );

    let optimal = plan(&day, Method::Optimal);
    check_plan(&day, &optimal);
    assert_eq!(picked(&optimal), ["P-1", "P-2"]);
    assert_eq!(optimal.picks[0].facility, Some(facility("b-guarantee")));
    assert_eq!(optimal.picks[1].facility, Some(facility("a-open")));
    assert!(optimal.objective > greedy.objective);
}

#[test]
fn a_family_that_greedy_shuts_out_of_the_last_places_or_bed_goes_instead() {
    // Three places. In priority order the patient alone comes first (one day
    // longer wait); greedy takes him, the family of three no longer fits and
    // two places stay empty. Every place carries nearly the same priority,
    // so the optimiser gives the three places to the family.
    let one_day_apart = |quota, oncology_beds| {
        day(
            quota,
            vec![
                patient("S-1", Critical, 500, Oncology),
                patient("F-1", Critical, 499, Oncology).with(&["F-2", "F-3"]),
            ],
            vec![beds("eg-arish", Oncology, oncology_beds)],
        )
    };
    // S-1: 100 x 2 x (365 + 500) = 173,000. F-1: 100 x 2 x (365 + 499)
    // = 172,800 for each of three people = 518,400.
    let alone = 173_000;
    let family = 3 * 172_800;

    let day = one_day_apart(3, 4);
    let greedy = plan(&day, Method::Greedy);
    check_plan(&day, &greedy);
    assert_eq!(picked(&greedy), ["S-1"]);
    assert_eq!(greedy.objective, alone);
    assert_eq!(why(&greedy, "F-1"), "quota full: needs 3 places, 2 left");
    assert!(
        greedy.notes.contains(
            &"2 places unused: no other cleared patient fits (see the reasons left out)"
                .to_string()
        ),
        "{:?}",
        greedy.notes
    );

    let optimal = plan(&day, Method::Optimal);
    check_plan(&day, &optimal);
    assert_eq!(picked(&optimal), ["F-1"]);
    assert_eq!(optimal.places_used, 3);
    assert_eq!(optimal.objective, family);
    // S-1 is ahead of the pick in priority order: the reason says why the
    // order was departed from, not that the place went to someone ahead.
    assert_eq!(
        why(&optimal, "S-1"),
        "needs 1 place and a bed in oncology (0 places left, 3 suitable beds left): making \
         room would remove picks with at least the same priority score, so no plan that \
         includes it has a higher total priority score than this one (518400)"
    );

    // The same with room for everyone but one oncology bed: greedy gives it
    // to the patient alone, the optimiser to the family.
    let day = one_day_apart(10, 1);
    let greedy = plan(&day, Method::Greedy);
    check_plan(&day, &greedy);
    assert_eq!(picked(&greedy), ["S-1"]);
    assert_eq!(greedy.objective, alone);
    assert_eq!(
        why(&greedy, "F-1"),
        "the 1 oncology bed it could take on 2026-02-03 went to people ahead of it"
    );
    let optimal = plan(&day, Method::Optimal);
    check_plan(&day, &optimal);
    assert_eq!(picked(&optimal), ["F-1"]);
    assert_eq!(optimal.objective, family);
    assert_eq!(
        why(&optimal, "S-1"),
        "needs 1 place and a bed in oncology (7 places left, 0 suitable beds left): making \
         room would remove picks with at least the same priority score, so no plan that \
         includes it has a higher total priority score than this one (518400)"
    );
}

#[test]
fn children_and_parties_with_companions_no_longer_wait_behind_adults_alone_who_waited_less() {
    // Four places, beds for all. A child with a parent and a patient with a
    // carer waited longest; four adults of the same tier who travel alone
    // waited less. When companions counted for nothing, the four adults were
    // worth more on the same four places (the assertion below), and the
    // optimiser left the child and the carer's patient behind.
    let day = day(
        4,
        vec![
            patient("K-1", Critical, 400, Oncology)
                .child()
                .with(&["K-1-m"]),
            patient("C-1", Critical, 350, Cardiology).with(&["C-1-c"]),
            patient("A-1", Critical, 300, Oncology),
            patient("A-2", Critical, 250, Cardiology),
            patient("A-3", Critical, 200, Orthopaedics),
            patient("A-4", Critical, 150, Oncology),
        ],
        vec![
            beds("eg-arish", Oncology, 5),
            beds("eg-arish", Cardiology, 5),
            beds("qa-hamad", Orthopaedics, 5),
        ],
    );
    let value = |waited, child| policy::value(Critical, waited, child);
    // K-1: 100 x (2 x (365 + 400) + 1) = 153,100; C-1: 100 x 2 x 715 = 143,000;
    // the adults: 133,000, 123,000, 113,000 and 103,000.
    assert_eq!((value(400, true), value(350, false)), (153_100, 143_000));
    let adults_alone: u64 = [300, 250, 200, 150].map(|w| value(w, false)).iter().sum();
    assert_eq!(adults_alone, 472_000);
    assert!(adults_alone > value(400, true) + value(350, false));

    // Now each party counts its companion: 2 x 153,100 + 2 x 143,000.
    for method in [Method::Optimal, Method::Greedy] {
        let plan = plan(&day, method);
        check_plan(&day, &plan);
        assert_eq!(picked(&plan), ["K-1", "C-1"], "{method:?}");
        assert_eq!(plan.picks[0].companions, [id("K-1-m")]);
        assert_eq!(plan.picks[1].companions, [id("C-1-c")]);
        assert_eq!(plan.picks[0].value, 306_200);
        assert_eq!(plan.picks[1].value, 286_000);
        assert_eq!(plan.objective, 592_200);
        for adult in ["A-1", "A-2", "A-3", "A-4"] {
            assert_eq!(why(&plan, adult), "quota full: needs 1 place, 0 left");
        }
    }
}

#[test]
fn a_lower_tier_never_displaces_a_higher_one() {
    // Three places: a critical patient who just arrived, with two companions
    // (3 x 73,000), beats three urgent patients who waited two years
    // (3 x 21,900).
    let day = day(
        3,
        vec![
            patient("C-1", Critical, 0, Oncology).with(&["C-2", "C-3"]),
            patient("U-1", Urgent, 900, Oncology),
            patient("U-2", Urgent, 900, Oncology),
            patient("U-3", Urgent, 900, Oncology),
        ],
        vec![beds("eg-arish", Oncology, 5)],
    );
    let optimal = plan(&day, Method::Optimal);
    check_plan(&day, &optimal);
    assert_eq!(picked(&optimal), ["C-1"]);
    assert_eq!(optimal.objective, 219_000);

    // Nor does a family of the tier below outweigh one place of the tier
    // above: a critical patient alone who just arrived (73,000) beats an
    // urgent child who waited two years, with two companions (3 x 21,910).
    let day = super::day(
        3,
        vec![
            patient("C-1", Critical, 0, Oncology),
            patient("U-1", Urgent, 900, Oncology)
                .child()
                .with(&["U-1-m", "U-1-f"]),
        ],
        vec![beds("eg-arish", Oncology, 5)],
    );
    let optimal = plan(&day, Method::Optimal);
    check_plan(&day, &optimal);
    assert_eq!(picked(&optimal), ["C-1"]);
    assert_eq!(optimal.objective, 73_000);
    assert_eq!(why(&optimal, "U-1"), "quota full: needs 3 places, 2 left");
}

#[test]
fn pick_reasons_name_tier_wait_child_bed_and_companions() {
    let day = day(
        5,
        vec![
            patient("P-1", Critical, 412, Oncology)
                .child()
                .with(&["P-1-m"])
                .awaiting(1),
        ],
        vec![beds("eg-arish-general", Oncology, 1)],
    );
    let optimal = plan(&day, Method::Optimal);
    assert_eq!(
        optimal.picks[0].reason,
        "critical, waited 412 days, child; bed at eg-arish-general (oncology); with 1 companion; \
         1 companion awaiting clearance stays behind"
    );
    assert_eq!(optimal.picks[0].companions, [id("P-1-m")]);
    assert_eq!(optimal.places_used, 2);
}

#[test]
fn a_child_without_a_cleared_companion_stays() {
    let day = day(
        5,
        vec![
            patient("K-1", Critical, 100, Oncology).child().awaiting(2),
            patient("K-2", Urgent, 100, Oncology)
                .child()
                .with(&["K-2-f"]),
        ],
        vec![beds("eg-arish", Oncology, 5)],
    );
    for method in [Method::Optimal, Method::Greedy] {
        let plan = plan(&day, method);
        check_plan(&day, &plan);
        assert_eq!(picked(&plan), ["K-2"]);
        assert_eq!(
            why(&plan, "K-1"),
            "child without a cleared companion (2 companions awaiting clearance)"
        );
    }
}

#[test]
fn companions_beyond_the_limit_are_left_out_and_take_no_place() {
    let mut day = day(
        3,
        vec![patient("P-1", Urgent, 10, Oncology).with(&["A", "B", "C"])],
        vec![beds("eg-arish", Oncology, 1)],
    );
    day.rules.max_companions = 2;
    let plan = plan(&day, Method::Optimal);
    check_plan(&day, &plan);
    assert_eq!(plan.picks[0].companions, [id("A"), id("B")]);
    assert_eq!(plan.places_used, 3);
    assert_eq!(
        why(&plan, "C"),
        "companion of P-1 beyond the limit of 2 companions per patient"
    );
}

#[test]
fn bed_reasons_say_what_is_missing_and_when_it_frees_up() {
    let mut day = day(
        10,
        vec![
            patient("N-1", Critical, 10, Cardiology),
            patient("N-2", Critical, 10, Orthopaedics),
            patient("G-1", Critical, 10, Oncology),
        ],
        vec![guarantee_beds("ae-sheikh", Oncology, 3)],
    );
    day.next_free_bed = vec![
        (Cardiology, date(2026, 2, 20)),
        (Cardiology, date(2026, 2, 10)),
    ];
    for method in [Method::Optimal, Method::Greedy] {
        let plan = plan(&day, method);
        check_plan(&day, &plan);
        assert!(plan.picks.is_empty());
        assert_eq!(
            why(&plan, "N-1"),
            "no cardiology bed free on 2026-02-03 (next free on 2026-02-10)"
        );
        assert_eq!(
            why(&plan, "N-2"),
            "no orthopaedics bed free on 2026-02-03 (none published)"
        );
        assert_eq!(
            why(&plan, "G-1"),
            "needs a return guarantee: only guarantee-requiring oncology beds are free on 2026-02-03"
        );
    }
}

#[test]
fn a_binding_cap_limits_the_places_and_is_quoted() {
    let mut day = day(
        10,
        (1..=4)
            .map(|n| patient(&format!("P-{n}"), Urgent, 100 - n, Oncology))
            .collect(),
        vec![beds("eg-arish", Oncology, 10)],
    );
    let reason = "entries must equal exits: 2 people are confirmed inbound on 2026-02-03";
    day.rules.cap = Some(DayCap {
        places: 2,
        reason: reason.to_string(),
    });
    for method in [Method::Optimal, Method::Greedy] {
        let plan = plan(&day, method);
        check_plan(&day, &plan);
        assert_eq!(plan.places_available, 2);
        assert_eq!(picked(&plan), ["P-1", "P-2"]);
        assert!(
            plan.notes.contains(&format!(
                "capped at 2 places instead of the quota's 10: {reason}"
            )),
            "{:?}",
            plan.notes
        );
        assert_eq!(
            why(&plan, "P-3"),
            "capped by the rule in the notes (2 places): needs 1 place, 0 left"
        );
    }
    // A cap above the quota does not bind and is not quoted.
    day.rules.cap = Some(DayCap {
        places: 20,
        reason: reason.to_string(),
    });
    let plan = plan(&day, Method::Optimal);
    assert_eq!(plan.places_available, 10);
    assert!(!plan.notes.iter().any(|note| note.contains(reason)));
}

#[test]
fn the_coordinators_inclusions_go_first_and_removals_stay_out() {
    let mut day = day(
        3,
        vec![
            patient("R-1", Routine, 5, Oncology).with(&["R-1-c"]),
            patient("C-1", Critical, 300, Oncology),
            patient("C-2", Critical, 200, Oncology),
            patient("C-3", Critical, 100, Oncology).with(&["C-3-c"]),
        ],
        vec![beds("eg-arish", Oncology, 3)],
    );
    day.overrides.include = vec![(id("R-1"), "surgery booked abroad".to_string())];
    day.overrides.exclude = vec![
        (id("C-1"), "admitted to hospital locally".to_string()),
        (id("C-3-c"), "travel document expired".to_string()),
    ];
    for method in [Method::Optimal, Method::Greedy] {
        let plan = plan(&day, method);
        check_plan(&day, &plan);
        assert_eq!(picked(&plan), ["R-1", "C-2"]);
        assert!(
            plan.picks[0]
                .reason
                .starts_with("included by the coordinator: surgery booked abroad; routine"),
            "{}",
            plan.picks[0].reason
        );
        assert_eq!(
            why(&plan, "C-1"),
            "removed by the coordinator: admitted to hospital locally"
        );
        assert_eq!(
            why(&plan, "C-3-c"),
            "removed by the coordinator: travel document expired"
        );
        assert_eq!(why(&plan, "C-3"), "quota full: needs 1 place, 0 left");
    }
}

#[test]
fn an_inclusion_that_cannot_be_honoured_is_an_error_that_says_why() {
    let base = day(
        2,
        vec![
            patient("P-1", Critical, 30, Oncology).with(&["P-1-a", "P-1-b"]),
            patient("P-2", Urgent, 30, Cardiology),
            patient("P-3", Urgent, 30, Oncology).child(),
            patient("P-4", Urgent, 30, Oncology).guarantee(),
            patient("P-5", Urgent, 20, Oncology).guarantee(),
        ],
        vec![beds("eg-arish", Oncology, 1)],
    );
    let include = |names: &[&str]| {
        let mut day = base.clone();
        day.overrides.include = names.iter().map(|n| (id(n), "asked".to_string())).collect();
        plan_outbound(&day, Method::Optimal).map(|plan| picked(&plan).join(" "))
    };
    let error = |names: &[&str]| include(names).unwrap_err().to_string();
    assert_eq!(
        error(&["P-9"]),
        "the coordinator asked to include P-9, who is not a cleared candidate for this day"
    );
    assert_eq!(
        error(&["P-1-a"]),
        "the coordinator asked to include P-1-a, a companion of P-1: include the patient; \
         companions travel with them"
    );
    assert_eq!(
        error(&["P-1"]),
        "cannot include P-1: quota full: needs 3 places, 2 left"
    );
    assert_eq!(
        error(&["P-2"]),
        "cannot include P-2: no cardiology bed free on 2026-02-03 (none published)"
    );
    assert_eq!(
        error(&["P-3"]),
        "cannot include P-3: child without a cleared companion (none awaiting clearance)"
    );
    assert_eq!(
        error(&["P-4", "P-5"]),
        "cannot include P-5: the 1 oncology bed it could take on 2026-02-03 went to people ahead of it"
    );
    assert_eq!(
        include(&["P-4", "P-4"]),
        Err(PlanError::NamedTwice {
            person: id("P-4"),
            list: OverrideList::Include
        })
    );
    assert_eq!(include(&["P-4"]).unwrap(), "P-4");

    let mut both = base.clone();
    both.overrides.include = vec![(id("P-4"), "asked".to_string())];
    both.overrides.exclude = vec![(id("P-4"), "not fit to travel".to_string())];
    assert_eq!(
        plan_outbound(&both, Method::Greedy),
        Err(PlanError::IncludedAndExcluded { person: id("P-4") })
    );
}

#[test]
fn an_included_patient_goes_to_the_facility_the_coordinator_chose() {
    let mut day = day(
        3,
        vec![
            patient("C-1", Critical, 300, Oncology),
            patient("R-1", Routine, 5, Oncology),
        ],
        vec![
            beds("ae-khalifa", Oncology, 1),
            beds("eg-arish", Oncology, 1),
        ],
    );
    day.overrides.include = vec![(id("R-1"), "surgery booked abroad".to_string())];
    // Without a choice the planner places them in the first facility.
    let plan_without = plan(&day, Method::Optimal);
    assert_eq!(plan_without.picks[0].facility, Some(facility("ae-khalifa")));
    day.overrides.facilities = vec![(id("R-1"), facility("eg-arish"))];
    for method in [Method::Optimal, Method::Greedy] {
        let plan = plan(&day, method);
        check_plan(&day, &plan);
        assert_eq!(picked(&plan), ["R-1", "C-1"]);
        assert_eq!(plan.picks[0].facility, Some(facility("eg-arish")));
        assert_eq!(plan.picks[1].facility, Some(facility("ae-khalifa")));
    }

    let mut full = day.clone();
    full.overrides.facilities = vec![(id("R-1"), facility("qa-hamad"))];
    assert_eq!(
        plan_outbound(&full, Method::Optimal)
            .unwrap_err()
            .to_string(),
        "cannot include R-1 at qa-hamad: it has no free oncology bed on the day that they may \
         take; choose a facility with a free bed"
    );
    let mut not_included = day.clone();
    not_included.overrides.include.clear();
    assert_eq!(
        plan_outbound(&not_included, Method::Optimal),
        Err(PlanError::FacilityWithoutInclusion { person: id("R-1") })
    );
}

#[test]
fn a_person_listed_twice_is_refused() {
    let day = day(
        5,
        vec![
            patient("P-1", Critical, 30, Oncology).with(&["X"]),
            patient("P-2", Critical, 30, Oncology).with(&["X"]),
        ],
        vec![beds("eg-arish", Oncology, 5)],
    );
    assert_eq!(
        plan_outbound(&day, Method::Optimal),
        Err(PlanError::Duplicate { person: id("X") })
    );
}

#[test]
fn the_plan_does_not_depend_on_the_order_of_the_input() {
    let candidates = vec![
        patient("P-1", Urgent, 30, Oncology).with(&["A"]),
        patient("P-2", Urgent, 30, Oncology),
        patient("P-3", Urgent, 30, Oncology).guarantee(),
        patient("P-4", Urgent, 31, Cardiology),
        patient("P-5", Routine, 30, Cardiology).with(&["B", "C"]),
    ];
    let pools = vec![
        beds("b", Oncology, 1),
        guarantee_beds("a", Oncology, 1),
        beds("c", Cardiology, 1),
    ];
    let forward = day(4, candidates.clone(), pools.clone());
    let mut backward = day(4, candidates, pools);
    backward.candidates.reverse();
    backward.beds.reverse();
    for method in [Method::Optimal, Method::Greedy] {
        assert_eq!(plan(&forward, method), plan(&backward, method));
    }
}

#[test]
fn an_equal_wait_goes_to_the_child_then_the_earlier_referral_then_the_lower_id() {
    let day = day(
        2,
        vec![
            patient("P-3", Urgent, 40, Oncology),
            patient("P-2", Urgent, 40, Oncology),
            patient("P-1", Urgent, 40, Oncology),
            patient("K-9", Urgent, 40, Oncology)
                .child()
                .with(&["K-9-m"]),
        ],
        vec![beds("eg-arish", Oncology, 5)],
    );
    let greedy = plan(&day, Method::Greedy);
    assert_eq!(picked(&greedy), ["K-9"]);
    let mut adults = day.clone();
    adults.candidates.pop();
    for method in [Method::Optimal, Method::Greedy] {
        assert_eq!(picked(&plan(&adults, method)), ["P-1", "P-2"]);
    }
    // Ids that share their first eight characters are still ordered in full.
    let long = super::day(
        1,
        vec![
            patient("PATIENT-0002", Urgent, 40, Oncology),
            patient("PATIENT-0001", Urgent, 40, Oncology),
        ],
        vec![beds("eg-arish", Oncology, 5)],
    );
    for method in [Method::Optimal, Method::Greedy] {
        assert_eq!(picked(&plan(&long, method)), ["PATIENT-0001"]);
    }
}

#[test]
fn a_mixed_day_reads_well() {
    let mut day = day(
        6,
        vec![
            patient("P-01", Critical, 412, Oncology)
                .child()
                .with(&["P-01-m"]),
            patient("P-02", Critical, 90, Oncology).guarantee(),
            patient("P-03", Critical, 60, Oncology),
            patient("P-04", Urgent, 700, Cardiology).with(&["P-04-s", "P-04-d", "P-04-x"]),
            patient("P-05", Urgent, 650, Orthopaedics).awaiting(1),
            patient("P-06", Routine, 800, Oncology),
            patient("P-07", Critical, 20, Specialty::Nephrology),
            patient("P-08", Urgent, 30, Orthopaedics).child(),
            patient("P-09", Routine, 10, Orthopaedics),
        ],
        vec![
            beds("eg-arish-general", Oncology, 1),
            guarantee_beds("ae-sheikh-khalifa", Oncology, 1),
            beds("tr-ankara-city", Cardiology, 2),
            beds("qa-hamad", Orthopaedics, 3),
        ],
    );
    day.next_free_bed = vec![(Specialty::Nephrology, date(2026, 2, 17))];
    day.rules.cap = Some(DayCap {
        places: 5,
        reason: "entries must equal exits: 5 people are confirmed inbound on 2026-02-03"
            .to_string(),
    });
    let optimal = plan(&day, Method::Optimal);
    check_plan(&day, &optimal);
    insta::assert_snapshot!("mixed_day_optimal", render(&optimal));
    let greedy = plan(&day, Method::Greedy);
    check_plan(&day, &greedy);
    insta::assert_snapshot!("mixed_day_greedy", render(&greedy));
}

#[test]
fn the_policy_is_stated_and_matches_the_values() {
    assert_eq!(policy::value(Critical, 0, false), 100 * 730);
    assert_eq!(policy::value(Urgent, 412, true), 10 * (2 * (365 + 412) + 1));
    assert_eq!(policy::value(Routine, 5000, false), 2 * (365 + 730));
    assert_eq!(policy::value(Routine, -3, false), 730);
    assert_eq!(policy::days_waited(date(2025, 12, 1), DAY), 64);
    assert!(corridor_planner::POLICY_TEXT.contains("critical 100, urgent 10, routine 1"));
    assert!(corridor_planner::POLICY_TEXT.contains("companions included"));
    // A party is worth the patient's value for each person in it.
    assert_eq!(
        policy::party_value(policy::value(Urgent, 412, true), 3),
        3 * 15_550
    );
    assert_eq!(
        policy::party_value(policy::value(Critical, 0, false), 1),
        73_000
    );
    // Three places of a lower tier are never worth one of the tier above, so
    // a party (at most three places) never outweighs a place above its tier.
    assert!(3 * policy::value(Urgent, 730, true) < policy::value(Critical, 0, false));
    assert!(3 * policy::value(Routine, 730, true) < policy::value(Urgent, 0, false));
}

#[test]
fn a_huge_quota_with_few_people_plans_at_once_and_says_what_is_unused() {
    let day = day(
        1_000_000,
        vec![
            patient("P-1", Urgent, 30, Oncology).with(&["A", "B"]),
            patient("P-2", Routine, 30, Oncology),
            patient("P-3", Routine, 20, Oncology),
        ],
        vec![beds("eg-arish", Oncology, 2)],
    );
    let plan = plan(&day, Method::Optimal);
    check_plan(&day, &plan);
    assert_eq!(picked(&plan), ["P-1", "P-2"]);
    assert!(
        plan.notes.contains(
            &"999996 places unused: no other cleared patient fits (see the reasons left out)"
                .to_string()
        ),
        "{:?}",
        plan.notes
    );
    assert_eq!(
        why(&plan, "P-3"),
        "the 2 oncology beds it could take on 2026-02-03 went to people ahead of it"
    );
}

#[test]
fn between_plans_of_equal_value_the_optimiser_follows_the_priority_order() {
    // Both waited past the two years that count, so their values are equal;
    // the one referred earlier goes, whatever the specialty.
    for (oncology, cardiology, expected) in [(800, 900, "P-B"), (900, 800, "P-A")] {
        let day = day(
            1,
            vec![
                patient("P-A", Urgent, oncology, Oncology),
                patient("P-B", Urgent, cardiology, Cardiology),
            ],
            vec![
                beds("eg-arish", Oncology, 1),
                beds("tr-ankara", Cardiology, 1),
            ],
        );
        for method in [Method::Optimal, Method::Greedy] {
            assert_eq!(picked(&plan(&day, method)), [expected], "{method:?}");
        }
    }
}
