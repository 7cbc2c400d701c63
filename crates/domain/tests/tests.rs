//! Integration tests of the domain through its public API. Larger modules
//! live in `tests/tests/` so that Cargo does not build each as its own binary.

#[path = "tests/luggage.rs"]
mod luggage;
#[path = "tests/quotas.rs"]
mod quotas;

mod status_line {
    use corridor_domain::{
        Action, ActionKind, BirthYear, Booking, Case, ConditionCategory, CountryCode, CrossingId,
        FacilityId, LegalBasis, NewPerson, PersonId, PersonKind, Reason, ReasonKind, Referral,
        ReferralDate, Relationship, Role, Sex, Specialty, Status, Tier, allowed_actions,
        exited_from,
    };
    use jiff::Timestamp;
    use jiff::civil::{Date, date};
    use proptest::prelude::*;

    const TODAY: Date = date(2026, 2, 1);

    fn reason(kind: ReasonKind, code: &str, note: Option<&str>) -> Reason {
        Reason::parse(kind, Some(code), note).unwrap()
    }

    fn person(role: Role) -> NewPerson {
        let kind = match role {
            Role::Patient => PersonKind::Patient(Referral {
                condition: ConditionCategory::WarInjury,
                specialty: Specialty::Orthopaedics,
                tier: Tier::Urgent,
                referral_date: ReferralDate::new(date(2025, 8, 1), TODAY).unwrap(),
                referring_facility: corridor_domain::OrganisationId::parse(
                    "referring_facility",
                    "nasser-medical-complex",
                )
                .unwrap(),
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
                reason: reason(ReasonKind::Denied, "security-objection", None),
            },
            ActionKind::Delay => Action::Delay {
                needed_by: day,
                reason: reason(ReasonKind::Delayed, "no-answer", None),
            },
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
                reason: reason(ReasonKind::TurnedBack, "refused-at-crossing", None),
            },
            ActionKind::Cross => Action::Cross,
            ActionKind::Admit => Action::Admit {
                facility: FacilityId::parse("eg-arish").unwrap(),
            },
            ActionKind::Return => Action::Return,
            ActionKind::Die => Action::Die { on: day },
            ActionKind::Withdraw => Action::Withdraw {
                reason: reason(ReasonKind::Withdrawn, "other", Some("family declined")),
            },
            ActionKind::Reinstate => Action::Reinstate {
                reason: reason(ReasonKind::Reinstated, "wrong-person", None),
            },
            ActionKind::UndoGate => Action::UndoGate {
                booking: Booking {
                    date: day,
                    crossing: CrossingId::parse("rafah").unwrap(),
                },
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
    /// No way out, not even a reinstatement.
    const TERMINAL: &[Status] = &[Status::Returned];
    /// Off the list, unless the exit was recorded in error.
    const EXITS: &[Status] = &[Status::DiedWhileWaiting, Status::Withdrawn];

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

        assert_eq!(line.exited_from, exited_from(&case.events));
        assert_eq!(line.exited_from.is_some(), EXITS.contains(&line.status));
        if let Some(left) = line.exited_from {
            assert!(left.is_waiting(), "left {left}");
            assert_eq!(allowed_actions(role, line), [ActionKind::Reinstate]);
        }
        if TERMINAL.contains(&line.status) {
            assert!(allowed_actions(role, line).is_empty());
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
                let allowed = allowed_actions(role, &case.line);
                let kind = if step.from_allowed && !allowed.is_empty() {
                    allowed[step.choice % allowed.len()]
                } else {
                    ActionKind::ALL[step.choice % ActionKind::ALL.len()]
                };
                let before = case.clone();
                let stamp = at(60 * (index as i64 + 1));
                match case.apply(sample(kind, step.variant), stamp, "someone@corridor.test", None) {
                    Ok(event) => {
                        // Undo-gate is legal but never offered (see allowed_actions).
                        prop_assert!(allowed.contains(&kind) || kind == ActionKind::UndoGate);
                        prop_assert_eq!(event.from, Some(before.line.status));
                        if kind == ActionKind::Reinstate {
                            let expected = match before.line.exited_from {
                                Some(Status::Scheduled) => Some(Status::Cleared),
                                left => left,
                            };
                            prop_assert_eq!(Some(event.to), expected);
                        }
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

mod aid {
    use corridor_domain::{
        CargoCategory, Consignment, ConsignmentCase, ConsignmentId, CrossingId, DwellStats, Load,
        Recount, Stage, StageChange, StageError, StageLine, Text, Tonnes, next_stages,
    };
    use jiff::{SignedDuration, Timestamp};

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn load() -> Load {
        Load::new(10, 240, Tonnes::parse("180").unwrap()).unwrap()
    }

    /// The change to `to` with a reason where one is needed.
    fn change(to: Stage) -> Option<StageChange> {
        let reason = match to {
            Stage::Rejected | Stage::Returned => Some("dual-use items"),
            _ => None,
        };
        StageChange::new(to, reason, None).ok()
    }

    fn line_at(stage: Stage) -> StageLine {
        StageLine {
            stage,
            ..StageLine::new(load(), at("2026-01-10T08:00:00Z"))
        }
    }

    /// Every (from, to) pair: legal exactly when the table below says so,
    /// and an illegal one names the current stage and the allowed moves.
    #[test]
    fn every_legal_and_illegal_stage_change() {
        use Stage as S;
        let legal: &[(Stage, Stage)] = &[
            (S::Dispatched, S::Staging),
            (S::Staging, S::Checkpoint),
            (S::Staging, S::Returned),
            (S::Checkpoint, S::Inspection),
            (S::Checkpoint, S::Returned),
            (S::Inspection, S::Cleared),
            (S::Inspection, S::Rejected),
            (S::Inspection, S::Returned),
            (S::Rejected, S::Returned),
            (S::Cleared, S::Unloaded),
            (S::Unloaded, S::Reloaded),
            (S::Reloaded, S::Crossed),
            (S::Crossed, S::Collected),
            (S::Collected, S::Delivered),
            (S::Collected, S::Intercepted),
        ];
        let mut count = 0;
        for &from in Stage::ALL {
            for &to in Stage::ALL {
                let Some(change) = change(to) else {
                    assert_eq!(to, S::Dispatched, "only dispatched has no change");
                    continue;
                };
                let result = line_at(from).transition(
                    change,
                    Recount::default(),
                    at("2026-01-10T09:00:00Z"),
                    "tester",
                    None,
                );
                match (legal.contains(&(from, to)), result) {
                    (true, Ok((line, event))) => {
                        count += 1;
                        assert_eq!((line.stage, line.version), (to, 2));
                        assert_eq!((event.from, event.to), (Some(from), to));
                        assert_eq!(event.dwell, Some(SignedDuration::from_hours(1)));
                    }
                    (
                        false,
                        Err(StageError::Illegal {
                            from: f,
                            to: t,
                            allowed,
                        }),
                    ) => {
                        assert_eq!((f, t), (from, to));
                        assert_eq!(allowed, next_stages(from));
                    }
                    (expected, result) => panic!("{from} → {to}: legal {expected}, got {result:?}"),
                }
            }
        }
        assert_eq!(count, legal.len());
        for stage in [S::Delivered, S::Intercepted, S::Returned] {
            assert!(stage.is_final());
        }
    }

    #[test]
    fn errors_name_the_stage_and_the_allowed_moves() {
        let error = line_at(Stage::Inspection)
            .transition(
                StageChange::Unloaded,
                Recount::default(),
                at("2026-01-10T09:00:00Z"),
                "tester",
                None,
            )
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot move a consignment that is at inspection to unloaded; allowed: cleared, rejected, returned"
        );
        let error = line_at(Stage::Delivered)
            .transition(
                StageChange::Staging,
                Recount::default(),
                at("2026-01-10T09:00:00Z"),
                "tester",
                None,
            )
            .unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("it has reached the end of the pipeline and cannot be moved")
        );
        let error = line_at(Stage::Staging)
            .transition(
                StageChange::Checkpoint,
                Recount::default(),
                at("2026-01-10T07:59:59Z"),
                "tester",
                None,
            )
            .unwrap_err();
        assert!(
            matches!(error, StageError::BeforePrevious { .. }),
            "{error}"
        );
    }

    #[test]
    fn reasons_are_required_where_the_stage_needs_them() {
        assert_eq!(
            StageChange::new(Stage::Returned, None, None)
                .unwrap_err()
                .to_string(),
            "reason: is required when moving to returned"
        );
        assert_eq!(
            StageChange::new(Stage::Rejected, Some("  "), None)
                .unwrap_err()
                .field,
            "reason"
        );
        assert_eq!(
            StageChange::new(Stage::Cleared, None, Some("generators"))
                .unwrap_err()
                .field,
            "items"
        );
        assert_eq!(
            StageChange::new(Stage::Staging, Some("late"), None)
                .unwrap_err()
                .field,
            "reason"
        );
        assert!(StageChange::new(Stage::Dispatched, None, None).is_err());
        let rejected =
            StageChange::new(Stage::Rejected, Some("dual-use items"), Some("generators")).unwrap();
        assert_eq!(rejected.reason().unwrap().as_str(), "dual-use items");
        assert_eq!(rejected.items().unwrap().as_str(), "generators");
        assert_eq!(
            StageChange::new(Stage::Intercepted, None, None).unwrap(),
            StageChange::Intercepted { reason: None }
        );
    }

    #[test]
    fn a_journey_records_recounts_and_dwell() {
        let consignment = Consignment {
            id: ConsignmentId::parse("WB-1").unwrap(),
            agency: Text::parse("agency", "WFP", 100).unwrap(),
            category: CargoCategory::Food,
            origin: Text::parse("origin", "Al-Arish", 100).unwrap(),
            crossing: CrossingId::parse("kerem-shalom").unwrap(),
            load: load(),
        };
        let mut case = ConsignmentCase::register(consignment, at("2026-01-10T08:00:00Z"), "a");
        let steps: [(StageChange, Recount, &str); 9] = [
            (
                StageChange::Staging,
                Recount::default(),
                "2026-01-11T08:00:00Z",
            ),
            (
                StageChange::Checkpoint,
                Recount::default(),
                "2026-01-13T08:00:00Z",
            ),
            (
                StageChange::Inspection,
                Recount::default(),
                "2026-01-13T10:00:00Z",
            ),
            (
                StageChange::Cleared,
                Recount::default(),
                "2026-01-13T20:00:00Z",
            ),
            (
                StageChange::Unloaded,
                Recount::default(),
                "2026-01-14T02:00:00Z",
            ),
            (
                StageChange::Reloaded,
                Recount::new(Some(6), None, None).unwrap(),
                "2026-01-14T08:00:00Z",
            ),
            (
                StageChange::Crossed,
                Recount::default(),
                "2026-01-14T09:30:00Z",
            ),
            (
                StageChange::Collected,
                Recount::new(None, None, Some(Tonnes::parse("176.5").unwrap())).unwrap(),
                "2026-01-15T09:30:00Z",
            ),
            (
                StageChange::Delivered,
                Recount::default(),
                "2026-01-15T15:30:00Z",
            ),
        ];
        for (change, recount, time) in steps {
            case.apply(change, recount, at(time), "b", None).unwrap();
        }
        assert_eq!(case.line.stage, Stage::Delivered);
        assert_eq!(case.line.version, 10);
        assert_eq!(case.line.load.trucks, 6);
        assert_eq!(case.line.load.tonnes.to_string(), "176.5");
        assert_eq!(case.events[2].dwell, Some(SignedDuration::from_hours(48)));
        // The load as inspected is the dispatched one: 10 half-filled trucks.
        assert_eq!(case.events[4].load.trucks, 10);
        assert!(Recount::new(Some(0), None, None).is_err());
    }

    fn minutes(values: &[i64]) -> Vec<SignedDuration> {
        values
            .iter()
            .map(|m| SignedDuration::from_mins(*m))
            .collect()
    }

    /// Hand-computed: type-7 quantiles, position p·(n−1) between order statistics.
    #[test]
    fn dwell_statistics_on_hand_computed_fixtures() {
        let check = |values: &[i64], median: f64, p90: f64, max: u64| {
            let stats = DwellStats::from_durations(Stage::Staging, &minutes(values)).unwrap();
            assert_eq!(stats.count, values.len() as u64, "{values:?}");
            assert!(
                (stats.median_minutes - median).abs() < 1e-9,
                "{values:?}: {stats:?}"
            );
            assert!(
                (stats.p90_minutes - p90).abs() < 1e-9,
                "{values:?}: {stats:?}"
            );
            assert_eq!(stats.max_minutes, max);
        };
        // One stay: every quantile is it.
        check(&[90], 90.0, 90.0, 90);
        // 60, 120, 180, 600: median at 1.5 → 150; p90 at 2.7 → 180 + 0.7·420 = 474.
        check(&[600, 60, 180, 120], 150.0, 474.0, 600);
        // 1..=10 hours: median at 4.5 → 5.5 h = 330; p90 at 8.1 → 9.1 h = 546.
        check(
            &[60, 120, 180, 240, 300, 360, 420, 480, 540, 600],
            330.0,
            546.0,
            600,
        );
        // Repeated values, in any order.
        check(&[30, 30, 30, 1000], 30.0, 709.0, 1000);
        assert!(DwellStats::from_durations(Stage::Staging, &[]).is_none());
        // Seconds are cut to whole minutes; a histogram gives the same figures.
        let stats = DwellStats::from_durations(
            Stage::Inspection,
            &[
                SignedDuration::from_secs(119),
                SignedDuration::from_secs(61),
            ],
        )
        .unwrap();
        assert_eq!(stats.median_minutes, 1.0);
        let histogram =
            DwellStats::from_histogram(Stage::Staging, &[(600, 1), (60, 1), (120, 1), (180, 1)]);
        assert_eq!(
            histogram,
            DwellStats::from_durations(Stage::Staging, &minutes(&[600, 60, 180, 120]))
        );
    }
}
