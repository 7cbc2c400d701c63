//! Integration tests of the domain through its public API. Larger modules
//! live in `tests/tests/` so that Cargo does not build each as its own binary.

#[path = "tests/luggage.rs"]
mod luggage;

mod status_line {
    use corridor_domain::{
        Action, ActionKind, BirthYear, Booking, Case, ConditionCategory, CountryCode, CrossingId,
        FacilityId, LegalBasis, NewPerson, PersonId, PersonKind, Referral, ReferralDate,
        Relationship, Role, Sex, Specialty, Status, Text, Tier, allowed_actions,
    };
    use jiff::Timestamp;
    use jiff::civil::{Date, date};
    use proptest::prelude::*;

    const TODAY: Date = date(2026, 2, 1);

    fn text(value: &str) -> Text {
        Text::parse("reason", value, 200).unwrap()
    }

    fn person(role: Role) -> NewPerson {
        let kind = match role {
            Role::Patient => PersonKind::Patient(Referral {
                condition: ConditionCategory::WarInjury,
                specialty: Specialty::Orthopaedics,
                tier: Tier::Urgent,
                referral_date: ReferralDate::new(date(2025, 8, 1), TODAY).unwrap(),
                referring_facility: text("Nasser Medical Complex"),
                return_guarantee: false,
            }),
            Role::Companion => PersonKind::Companion {
                of: PersonId::parse("P-1").unwrap(),
                relationship: Relationship::Parent,
            },
            Role::Returnee => PersonKind::Returnee {
                returning_from: CountryCode::parse("EG").unwrap(),
            },
        };
        let id = match role {
            Role::Patient => "P-1",
            Role::Companion => "C-1",
            Role::Returnee => "R-1",
        };
        NewPerson {
            id: PersonId::parse(id).unwrap(),
            name: None,
            birth_year: BirthYear::new(1990, TODAY).unwrap(),
            sex: Sex::Female,
            legal_basis: LegalBasis::Consent,
            kind,
        }
    }

    /// An action of the given kind with sample data; `variant` picks among
    /// a few values so that histories carry different facts.
    fn sample(kind: ActionKind, variant: u8) -> Action {
        let day = date(2026, 2, 2 + i8::try_from(variant % 20).unwrap());
        match kind {
            ActionKind::List => Action::List,
            ActionKind::RequestClearance => Action::RequestClearance,
            ActionKind::Clear => Action::Clear,
            ActionKind::Deny => Action::Deny {
                reason: text("security objection"),
            },
            ActionKind::Delay => Action::Delay { needed_by: day },
            ActionKind::Resubmit => Action::Resubmit,
            ActionKind::Schedule => Action::Schedule {
                booking: Booking {
                    date: day,
                    crossing: CrossingId::parse(if variant.is_multiple_of(2) {
                        "rafah"
                    } else {
                        "kerem-shalom"
                    })
                    .unwrap(),
                },
            },
            ActionKind::Unschedule => Action::Unschedule {
                reason: text("turned back at the gate"),
            },
            ActionKind::Cross => Action::Cross,
            ActionKind::Admit => Action::Admit {
                facility: FacilityId::parse("eg-arish").unwrap(),
            },
            ActionKind::Return => Action::Return,
            ActionKind::Die => Action::Die { on: day },
            ActionKind::Withdraw => Action::Withdraw {
                reason: text("family declined"),
            },
        }
    }

    /// One step of a random history: an action kind drawn from all kinds,
    /// or, one time in four, from those allowed at that moment, so that
    /// histories also reach the late states (most steps are still illegal).
    #[derive(Debug, Clone)]
    struct Step {
        from_allowed: bool,
        choice: usize,
        variant: u8,
    }

    fn step() -> impl Strategy<Value = Step> {
        (prop::bool::weighted(0.25), any::<usize>(), any::<u8>()).prop_map(
            |(from_allowed, choice, variant)| Step {
                from_allowed,
                choice,
                variant,
            },
        )
    }

    fn role() -> impl Strategy<Value = Role> {
        prop_oneof![
            Just(Role::Patient),
            Just(Role::Companion),
            Just(Role::Returnee)
        ]
    }

    const BOOKED: &[Status] = &[
        Status::Scheduled,
        Status::Crossed,
        Status::Admitted,
        Status::Returned,
    ];
    const TERMINAL: &[Status] = &[
        Status::Returned,
        Status::DiedWhileWaiting,
        Status::Withdrawn,
    ];

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(1_769_904_000 + second).unwrap()
    }

    /// Everything that must hold of a case after any sequence of attempts.
    fn check_consistent(case: &Case, successes: u32, passed_clearance: bool) {
        let line = &case.line;
        let role = case.person.role();
        assert_eq!(
            line.booking.is_some(),
            BOOKED.contains(&line.status),
            "booking in {}",
            line.status
        );
        match role {
            Role::Patient => assert_eq!(
                line.admitted_to.is_some(),
                matches!(line.status, Status::Admitted | Status::Returned),
                "admission in {}",
                line.status
            ),
            Role::Companion | Role::Returnee => assert_eq!(line.admitted_to, None),
        }
        assert_eq!(
            line.died_on.is_some(),
            line.status == Status::DiedWhileWaiting
        );
        assert_eq!(line.clearance_attempt >= 1, passed_clearance);
        assert_eq!(line.version, 1 + successes);
        assert_eq!(line.version as usize, case.events.len());

        assert_eq!(case.events[0].from, None);
        assert_eq!(case.events[0].to, Status::initial(role));
        for (index, event) in case.events.iter().enumerate() {
            assert_eq!(event.version as usize, index + 1);
            assert_eq!(event.action.is_none(), index == 0);
        }
        for pair in case.events.windows(2) {
            assert_eq!(pair[1].from, Some(pair[0].to));
        }
        let last = case.events.last().unwrap();
        assert_eq!(last.to, line.status);
        assert_eq!(last.clearance_attempt, line.clearance_attempt);

        if TERMINAL.contains(&line.status) {
            assert!(allowed_actions(role, line.status).is_empty());
            for &kind in ActionKind::ALL {
                assert!(line.apply(role, &sample(kind, 0)).is_err(), "{kind}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn random_actions_never_reach_an_inconsistent_state(
            role in role(),
            steps in prop::collection::vec(step(), 0..80),
        ) {
            let mut case = Case::register(person(role), at(0), "referrer@moh.test");
            let mut successes = 0;
            let mut passed_clearance = false;
            check_consistent(&case, successes, passed_clearance);
            for (index, step) in steps.iter().enumerate() {
                let allowed = allowed_actions(role, case.line.status);
                let kind = if step.from_allowed && !allowed.is_empty() {
                    allowed[step.choice % allowed.len()]
                } else {
                    ActionKind::ALL[step.choice % ActionKind::ALL.len()]
                };
                let before = case.clone();
                let stamp = at(60 * (index as i64 + 1));
                match case.apply(sample(kind, step.variant), stamp, "someone@corridor.test", None) {
                    Ok(event) => {
                        prop_assert!(allowed.contains(&kind));
                        prop_assert_eq!(event.from, Some(before.line.status));
                        successes += 1;
                        if case.line.status == Status::ClearanceRequested {
                            passed_clearance = true;
                        }
                    }
                    Err(error) => {
                        prop_assert!(!allowed.contains(&kind));
                        prop_assert_eq!(error.from, before.line.status);
                        prop_assert_eq!(error.action, kind);
                        prop_assert_eq!(&error.allowed, &allowed);
                        prop_assert_eq!(&case, &before, "a failed action changed the case");
                    }
                }
                check_consistent(&case, successes, passed_clearance);
            }
        }
    }
}
