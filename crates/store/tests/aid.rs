//! Aid consignments on every database: stage changes with optimistic
//! concurrency and audit, the append-only history, and the report on a
//! fixed data set whose figures are computed by hand.

use corridor_domain::{
    CargoCategory, Consignment, ConsignmentCase, ConsignmentId, CrossingId, DwellStats, Load,
    ReasonCount, Recount, Stage, StageChange, StageCount, Text, Tonnes, TruckDefinition,
    TruckTarget,
};
use corridor_store::{ConsignmentMove, StoreError, Thing};
use jiff::Timestamp;
use jiff::civil::date;
use sqlx::Executor;

use crate::*;

fn at(text: &str) -> Timestamp {
    format!("2026-01-{text}:00Z").parse().unwrap()
}

fn consignment(id: &str, category: CargoCategory, trucks: u32, tonnes: &str) -> Consignment {
    Consignment {
        id: ConsignmentId::parse(id).unwrap(),
        agency: Text::parse("agency", "WFP", 100).unwrap(),
        category,
        origin: Text::parse("origin", "Al-Arish", 100).unwrap(),
        crossing: CrossingId::parse("kerem-shalom").unwrap(),
        load: Load::new(trucks, trucks * 20, Tonnes::parse(tonnes).unwrap()).unwrap(),
    }
}

fn change(stage: Stage, reason: Option<&str>, items: Option<&str>) -> StageChange {
    StageChange::new(stage, reason, items).unwrap()
}

/// Five consignments over 10 and 11 January (times are "DDTHH:MM"); the
/// dwell of each stay in minutes is noted where it matters.
fn fixture() -> Vec<ConsignmentCase> {
    let build =
        |consignment: Consignment, dispatched: &str, steps: &[(StageChange, Recount, &str)]| {
            let mut case = ConsignmentCase::register(consignment, at(dispatched), "logistics");
            for (change, recount, time) in steps {
                case.apply(change.clone(), *recount, at(time), "logistics", None)
                    .unwrap();
            }
            case
        };
    let none = Recount::default();
    let plain = |stage| change(stage, None, None);
    vec![
        // Delivered: dispatched 360, staging 720, checkpoint 120, inspection
        // 240, cleared 120, unloaded 120, reloaded 60, crossed 240, collected 300.
        build(
            consignment("WB-1", CargoCategory::Food, 10, "180"),
            "10T06:00",
            &[
                (plain(Stage::Staging), none, "10T12:00"),
                (plain(Stage::Checkpoint), none, "11T00:00"),
                (plain(Stage::Inspection), none, "11T02:00"),
                (plain(Stage::Cleared), none, "11T06:00"),
                (plain(Stage::Unloaded), none, "11T08:00"),
                (
                    plain(Stage::Reloaded),
                    Recount::new(Some(6), None, None).unwrap(),
                    "11T10:00",
                ),
                (plain(Stage::Crossed), none, "11T11:00"),
                (
                    plain(Stage::Collected),
                    Recount::new(None, None, Some(Tonnes::parse("176.5").unwrap())).unwrap(),
                    "11T15:00",
                ),
                (plain(Stage::Delivered), none, "11T20:00"),
            ],
        ),
        // Cleared and waiting: dispatched 180, staging 180, checkpoint 60, inspection 480.
        build(
            consignment("WB-2", CargoCategory::Fuel, 3, "90"),
            "10T07:00",
            &[
                (plain(Stage::Staging), none, "10T10:00"),
                (plain(Stage::Checkpoint), none, "10T13:00"),
                (plain(Stage::Inspection), none, "10T14:00"),
                (plain(Stage::Cleared), none, "10T22:00"),
            ],
        ),
        // Rejected and sent back: dispatched 60, staging 60, checkpoint 60,
        // inspection 1440, rejected 120.
        build(
            consignment("WB-3", CargoCategory::Medical, 4, "20"),
            "10T08:00",
            &[
                (plain(Stage::Staging), none, "10T09:00"),
                (plain(Stage::Checkpoint), none, "10T10:00"),
                (plain(Stage::Inspection), none, "10T11:00"),
                (
                    change(Stage::Rejected, Some("dual-use items"), Some("generators")),
                    none,
                    "11T11:00",
                ),
                (
                    change(Stage::Returned, Some("rejected at inspection"), None),
                    none,
                    "11T13:00",
                ),
            ],
        ),
        // Sent back from staging: dispatched 60, staging 360.
        build(
            consignment("WB-4", CargoCategory::Shelter, 2, "20"),
            "11T09:00",
            &[
                (plain(Stage::Staging), none, "11T10:00"),
                (
                    change(Stage::Returned, Some("crossing closed"), None),
                    none,
                    "11T16:00",
                ),
            ],
        ),
        // Still on the road.
        build(
            consignment("WB-5", CargoCategory::Food, 5, "90"),
            "11T12:00",
            &[],
        ),
    ]
}

fn dwell(stage: Stage, count: u64, median: f64, p90: f64, max: u64) -> DwellStats {
    DwellStats {
        stage,
        count,
        median_minutes: median,
        p90_minutes: p90,
        max_minutes: max,
    }
}

#[tokio::test]
async fn the_report_on_a_fixed_data_set() {
    for database in databases().await {
        let on = database.name;
        let store = database.store().await;
        store
            .insert_consignments(
                &fixture(),
                &audit("consignment.import"),
                ImportMode::Commit,
                &mut |_| {},
            )
            .await
            .unwrap();
        let report = store
            .aid_report(
                date(2026, 1, 10),
                date(2026, 1, 11),
                at("12T00:00"),
                TruckTarget::default(),
                10,
            )
            .await
            .unwrap();

        let totals = |definition: TruckDefinition| -> Vec<(String, u64, u64)> {
            report.daily[definition as usize]
                .iter()
                .map(|day| (day.date.to_string(), day.total, day.fuel))
                .collect()
        };
        assert_eq!(
            totals(TruckDefinition::Inspected),
            [("2026-01-10".into(), 3, 3), ("2026-01-11".into(), 10, 0)],
            "{on}"
        );
        assert_eq!(
            totals(TruckDefinition::Collected),
            [("2026-01-10".into(), 0, 0), ("2026-01-11".into(), 6, 0)],
            "{on}"
        );
        assert!(report.daily[0].iter().all(|day| !day.met_target));

        let t = report.tonnes;
        let shown = [
            t.dispatched,
            t.offloaded,
            t.collected,
            t.delivered,
            t.intercepted,
            t.returned,
        ]
        .map(|tonnes| tonnes.to_string());
        assert_eq!(shown, ["400", "180", "176.5", "176.5", "0", "40"], "{on}");
        assert_eq!(
            (t.trucks_inspected, t.trucks_reloaded, t.trucks_collected),
            (13, 6, 6),
            "{on}"
        );

        let in_stage: Vec<(Stage, CargoCategory, u64, u64)> = report
            .in_stage
            .iter()
            .map(
                |StageCount {
                     stage,
                     category,
                     consignments,
                     trucks,
                     ..
                 }| { (*stage, *category, *consignments, *trucks) },
            )
            .collect();
        assert_eq!(
            in_stage,
            [
                (Stage::Dispatched, CargoCategory::Food, 1, 5),
                (Stage::Cleared, CargoCategory::Fuel, 1, 3),
                (Stage::Delivered, CargoCategory::Food, 1, 6),
                (Stage::Returned, CargoCategory::Medical, 1, 4),
                (Stage::Returned, CargoCategory::Shelter, 1, 2),
            ],
            "{on}"
        );

        assert_eq!(
            report.dwell,
            [
                dwell(Stage::Dispatched, 4, 120.0, 306.0, 360),
                dwell(Stage::Staging, 4, 270.0, 612.0, 720),
                dwell(Stage::Checkpoint, 3, 60.0, 108.0, 120),
                dwell(Stage::Inspection, 3, 480.0, 1248.0, 1440),
                dwell(Stage::Cleared, 1, 120.0, 120.0, 120),
                dwell(Stage::Rejected, 1, 120.0, 120.0, 120),
                dwell(Stage::Unloaded, 1, 120.0, 120.0, 120),
                dwell(Stage::Reloaded, 1, 60.0, 60.0, 60),
                dwell(Stage::Crossed, 1, 240.0, 240.0, 240),
                dwell(Stage::Collected, 1, 300.0, 300.0, 300),
            ],
            "{on}"
        );

        let reason = |stage, reason: &str, consignments, trucks| ReasonCount {
            stage,
            reason: reason.to_string(),
            consignments,
            trucks,
        };
        assert_eq!(
            report.rejections,
            [reason(Stage::Rejected, "dual-use items", 1, 4)],
            "{on}"
        );
        assert_eq!(
            report.returns,
            [
                reason(Stage::Returned, "rejected at inspection", 1, 4),
                reason(Stage::Returned, "crossing closed", 1, 2),
            ],
            "{on}"
        );
        let oldest: Vec<(&str, Stage)> = report
            .oldest
            .iter()
            .map(|stuck| (stuck.id.as_str(), stuck.stage))
            .collect();
        assert_eq!(
            oldest,
            [("WB-2", Stage::Cleared), ("WB-5", Stage::Dispatched)],
            "{on}"
        );

        // One day only: the 10th.
        let day = store
            .aid_dwell(date(2026, 1, 10), date(2026, 1, 10))
            .await
            .unwrap();
        assert_eq!(
            day[0],
            dwell(Stage::Dispatched, 3, 180.0, 324.0, 360),
            "{on}"
        );

        // The history reads back as written.
        let record = store
            .consignment(&ConsignmentId::parse("WB-3").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.events, fixture()[2].events, "{on}");
        assert_eq!(record.line, fixture()[2].line, "{on}");
        store.close().await;
        database.drop_database().await;
    }
}

#[tokio::test]
async fn moves_are_checked_versioned_and_audited() {
    for database in databases().await {
        let on = database.name;
        let store = database.store().await;
        let case = ConsignmentCase::register(
            consignment("WB-9", CargoCategory::Wash, 4, "48"),
            at("10T06:00"),
            "logistics",
        );
        store
            .insert_consignments(
                std::slice::from_ref(&case),
                &audit("consignment.register"),
                ImportMode::Commit,
                &mut |_| {},
            )
            .await
            .unwrap();
        let id = ConsignmentId::parse("WB-9").unwrap();
        let duplicate = store
            .insert_consignments(
                &[case],
                &audit("consignment.register"),
                ImportMode::Commit,
                &mut |_| {},
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&duplicate, StoreError::Exists { thing: Thing::Consignment, detail } if detail.contains("WB-9 is already registered")),
            "{on}: {duplicate}"
        );

        let moved = store
            .move_consignment(
                ConsignmentMove {
                    consignment: id.clone(),
                    expected_version: Some(1),
                    change: StageChange::Staging,
                    recount: Recount::default(),
                    note: None,
                },
                at("10T09:00"),
                "officer",
            )
            .await
            .unwrap();
        assert_eq!((moved.line.stage, moved.line.version), (Stage::Staging, 2));
        assert_eq!(moved.event.dwell, Some(jiff::SignedDuration::from_hours(3)));

        // Based on a version that is no longer current.
        let stale = store
            .move_consignment(
                ConsignmentMove {
                    consignment: id.clone(),
                    expected_version: Some(1),
                    change: StageChange::Checkpoint,
                    recount: Recount::default(),
                    note: None,
                },
                at("10T10:00"),
                "officer",
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                stale,
                StoreError::Conflict {
                    expected: 1,
                    current: 2,
                    ..
                }
            ),
            "{on}: {stale}"
        );
        // A skipped stage.
        let skipped = store
            .move_consignment(
                ConsignmentMove {
                    consignment: id.clone(),
                    expected_version: None,
                    change: StageChange::Cleared,
                    recount: Recount::default(),
                    note: None,
                },
                at("10T10:00"),
                "officer",
            )
            .await
            .unwrap_err();
        assert_eq!(
            skipped.to_string(),
            "WB-9: cannot move a consignment that is at staging to cleared; allowed: checkpoint, returned",
            "{on}"
        );
        let missing = store
            .move_consignment(
                ConsignmentMove {
                    consignment: ConsignmentId::parse("WB-404").unwrap(),
                    expected_version: None,
                    change: StageChange::Staging,
                    recount: Recount::default(),
                    note: None,
                },
                at("10T10:00"),
                "officer",
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                missing,
                StoreError::NotFound {
                    thing: Thing::Consignment,
                    ..
                }
            ),
            "{on}"
        );

        let record = store.consignment(&id).await.unwrap().unwrap();
        assert_eq!(record.events.len(), 2, "{on}: refused moves leave no trace");
        assert_eq!(record.line.version, 2);
        let log = store.audit_tail(10).await.unwrap();
        assert_eq!(
            log.iter()
                .filter(|e| e.action == "consignment.move")
                .count(),
            1,
            "{on}"
        );
        assert!(store.verify_audit().await.unwrap().is_intact(), "{on}");

        // The stage history is append-only.
        let raw = database.raw().await;
        for statement in [
            "UPDATE stage_events SET to_stage = 'delivered'",
            "DELETE FROM stage_events",
        ] {
            let refused = raw.execute(statement).await.unwrap_err();
            assert!(
                refused.to_string().contains("append-only"),
                "{on}: {refused}"
            );
        }
        raw.close().await;
        store.close().await;
        database.drop_database().await;
    }
}

/// Two officers move the same consignment from the same version at once:
/// one wins, the other is told of the conflict, and the history has one event.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_moves_never_lose_an_update() {
    for database in databases().await {
        let on = database.name;
        let store = database.store().await;
        let case = ConsignmentCase::register(
            consignment("WB-7", CargoCategory::Food, 5, "90"),
            at("10T06:00"),
            "logistics",
        );
        store
            .insert_consignments(
                &[case],
                &audit("consignment.register"),
                ImportMode::Commit,
                &mut |_| {},
            )
            .await
            .unwrap();
        let id = ConsignmentId::parse("WB-7").unwrap();
        let mut racers = Vec::new();
        for (officer, change) in [
            ("officer-a", StageChange::Staging),
            ("officer-b", StageChange::Staging),
        ] {
            let (store, id) = (store.clone(), id.clone());
            racers.push(tokio::spawn(async move {
                store
                    .move_consignment(
                        ConsignmentMove {
                            consignment: id.clone(),
                            expected_version: Some(1),
                            change,
                            recount: Recount::default(),
                            note: None,
                        },
                        at("10T09:00"),
                        officer,
                    )
                    .await
            }));
        }
        let mut results = Vec::new();
        for racer in racers {
            results.push(racer.await.unwrap());
        }
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{on}");
        assert!(
            results
                .iter()
                .any(|r| matches!(r, Err(StoreError::Conflict { .. }))),
            "{on}: {results:?}"
        );
        let record = store.consignment(&id).await.unwrap().unwrap();
        assert_eq!((record.events.len(), record.line.version), (2, 2), "{on}");
        let tonnes = store
            .aid_tonnes(date(2026, 1, 10), date(2026, 1, 10))
            .await
            .unwrap();
        assert_eq!(tonnes.dispatched.to_string(), "90", "{on}");
        store.close().await;
        database.drop_database().await;
    }
}
