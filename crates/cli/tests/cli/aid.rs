//! `corridor aid …` and `import/export consignments`, as a logistics officer runs them.

use super::support::Registry;

fn add(registry: &Registry, id: &str, category: &str, trucks: &str, at: &str) -> String {
    registry.ok(&[
        "aid",
        "add",
        "--id",
        id,
        "--agency",
        "WFP",
        "--category",
        category,
        "--origin",
        "Al-Arish",
        "--crossing",
        "kerem-shalom",
        "--trucks",
        trucks,
        "--pallets",
        "200",
        "--tonnes",
        "150",
        "--at",
        at,
    ])
}

fn step(registry: &Registry, id: &str, stage: &str, at: &str, extra: &[&str]) -> String {
    let mut args = vec!["aid", "move", id, stage, "--at", at];
    args.extend(extra);
    registry.ok(&args)
}

/// WB-1 all the way to delivered on 31 January, WB-2 rejected and sent back,
/// WB-3 waiting in staging since 30 January.
fn pipeline() -> Registry {
    let registry = Registry::new();
    assert_eq!(
        add(&registry, "WB-1", "food", "10", "2026-01-30T06:00"),
        "Registered WB-1: WFP food, 10 trucks, 200 pallets, 150 t, dispatched 2026-01-30 06:00 (version 1).\n"
    );
    for (stage, at) in [
        ("staging", "2026-01-30T12:00"),
        ("checkpoint", "2026-01-31T00:00"),
        ("inspection", "2026-01-31T02:00"),
        ("cleared", "2026-01-31T06:00"),
        ("unloaded", "2026-01-31T08:00"),
    ] {
        step(&registry, "WB-1", stage, at, &[]);
    }
    assert_eq!(
        step(
            &registry,
            "WB-1",
            "reloaded",
            "2026-01-31T10:00",
            &["--trucks", "6"]
        ),
        "WB-1: unloaded → reloaded at 2026-01-31 10:00 (6 trucks, 200 pallets, 150 t; version 7).\n"
    );
    step(&registry, "WB-1", "crossed", "2026-01-31T11:00", &[]);
    step(
        &registry,
        "WB-1",
        "collected",
        "2026-01-31T15:00",
        &["--tonnes", "148.5"],
    );
    step(&registry, "WB-1", "delivered", "2026-01-31T20:00", &[]);

    add(&registry, "WB-2", "fuel", "3", "2026-01-30T07:00");
    for (stage, at) in [
        ("staging", "2026-01-30T10:00"),
        ("checkpoint", "2026-01-30T13:00"),
        ("inspection", "2026-01-30T14:00"),
    ] {
        step(&registry, "WB-2", stage, at, &[]);
    }
    step(
        &registry,
        "WB-2",
        "rejected",
        "2026-01-31T09:00",
        &["--reason", "dual-use items", "--items", "generators"],
    );
    step(
        &registry,
        "WB-2",
        "returned",
        "2026-01-31T12:00",
        &["--reason", "rejected at inspection"],
    );
    add(&registry, "WB-3", "medical", "4", "2026-01-30T08:00");
    step(&registry, "WB-3", "staging", "2026-01-30T09:00", &[]);
    registry
}

#[test]
fn stages_move_only_by_the_table_and_report_the_day() {
    let registry = pipeline();

    let refused = registry
        .run(&["aid", "move", "WB-3", "cleared", "--at", "2026-01-31T10:00"])
        .failure();
    assert!(
        refused.stderr.contains(
            "WB-3: cannot move a consignment that is at staging to cleared; allowed: checkpoint, returned"
        ),
        "{}",
        refused.stderr
    );
    registry
        .run(&[
            "aid",
            "move",
            "WB-3",
            "returned",
            "--at",
            "2026-01-31T10:00",
        ])
        .failure()
        .stderr_has("reason: is required when moving to returned");
    registry
        .run(&["aid", "move", "WB-3", "checkpoint", "--expect-version", "1"])
        .failure()
        .stderr_has("changed by someone else meanwhile");
    registry
        .run(&["aid", "move", "WB-1", "staging"])
        .failure()
        .stderr_has("it has reached the end of the pipeline");

    let show = registry.ok(&["aid", "show", "WB-2"]);
    assert!(
        show.contains("Now: returned since 2026-01-31 12:00"),
        "{show}"
    );
    assert!(show.contains("dual-use items; items: generators"), "{show}");
    assert!(show.contains("Its journey is over"), "{show}");
    let show = registry.ok(&["aid", "show", "WB-3"]);
    assert!(
        show.contains("Allowed moves: checkpoint, returned."),
        "{show}"
    );

    let status = registry.ok(&["aid", "status", "--date", "2026-01-31"]);
    for line in [
        "Aid pipeline on 2026-01-31 (UTC). Target: 600 trucks a day, 50 of them fuel.",
        "2026-01-31  inspected    10        0        0     0     0      0     10         2%",
        "2026-01-31  collected     6        0        0     0     0      0      6         1%",
        "dispatched 0, offloaded at the crossing 150, collected inside 149, delivered 149, intercepted in transit 0, sent back 150.",
        "Trucks: 10 cleared at inspection (as presented), 6 after repacking (reloaded), 6 collected.",
        "delivered             1       6     149",
        "staging               1       4     150",
        "inspection      2  11.5 h  17.5 h   19.0 h",
        "dual-use items             1       3",
        "rejected at inspection             1       3",
        "WB-3         staging  2026-01-30 09:00",
    ] {
        assert!(status.contains(line), "lacks {line:?}:\n{status}");
    }

    let charts = registry.file("charts");
    let report = registry.ok(&[
        "aid",
        "report",
        "--from",
        "2026-01-30",
        "--to",
        "2026-01-31",
        "--svg",
        charts.to_str().unwrap(),
    ]);
    assert!(
        report.contains("Trucks inspected (trucks cleared at inspection, counted as presented (often half-filled)): 10 in all, 5.0 a day on average (best day 10), 0 fuel; target met on 0 of 2 days, fuel target on 0."),
        "{report}"
    );
    assert!(report.contains("Charts written to"), "{report}");
    for name in ["aid-daily-trucks.svg", "aid-dwell.svg"] {
        let svg = std::fs::read_to_string(charts.join(name)).unwrap();
        assert!(svg.starts_with("<svg"), "{name}");
    }
    registry
        .run(&[
            "aid",
            "report",
            "--from",
            "2026-02-01",
            "--to",
            "2026-01-01",
        ])
        .failure()
        .stderr_has("--to 2026-01-01 is before --from 2026-02-01");

    let log = registry.ok(&["audit", "log", "--limit", "3"]);
    assert!(log.contains("consignment.move"), "{log}");
    registry.ok(&["audit", "verify"]);
}

const FILE_HEADER: &str = "id,agency,category,origin,crossing,trucks,pallets,tonnes,dispatched_at,staging_at,returned_at,return_reason";

#[test]
fn imports_are_all_or_nothing_and_exports_load_again() {
    let registry = Registry::new();
    let bad = registry.write_file(
        "bad.csv",
        &format!(
            "{FILE_HEADER}\n\
             WB-1,WFP,food,Al-Arish,kerem-shalom,10,240,180,2026-01-10 06:00,2026-01-10 12:00,,\n\
             WB-2,WFP,food,Al-Arish,kerem-shalom,10,240,180,2026-01-10 06:00,,2026-01-10 12:00,crossing closed\n\
             WB-3,WFP,toys,Al-Arish,kerem-shalom,10,240,180,2026-01-10 06:00,,,\n"
        ),
    );
    let bad = bad.to_str().unwrap();
    let out = registry
        .run(&["import", "consignments", bad])
        .failure()
        .stdout;
    assert_eq!(
        out,
        format!(
            "{bad}: nothing was imported. 2 problem(s) on 2 line(s); fix them and run the import again:\n  \
             line 3, column returned_at: cannot move a consignment that is at dispatched to returned; allowed: staging\n  \
             line 4, column category: unknown value 'toys'; expected one of: food, medical, shelter, wash, fuel, other\n"
        )
    );
    registry
        .run(&["aid", "show", "WB-1"])
        .failure()
        .stderr_has("no consignment with id WB-1 is registered");

    let good = registry.write_file(
        "good.csv",
        &format!(
            "{FILE_HEADER}\n\
             WB-1,WFP,food,Al-Arish,kerem-shalom,10,240,180,2026-01-10 06:00,2026-01-10 12:00,,\n\
             WB-2,WFP,food,Al-Arish,kerem-shalom,10,240,180,2026-01-10 06:00,2026-01-10 09:00,2026-01-10 12:00,crossing closed\n"
        ),
    );
    let good = good.to_str().unwrap();
    assert!(
        registry
            .ok(&["import", "consignments", good, "--dry-run"])
            .ends_with(&format!("Imported 2 consignments with 5 stage events from {good}, and rolled back: nothing was recorded (--dry-run).\n"))
    );
    assert!(
        registry
            .ok(&["import", "consignments", good])
            .starts_with("Imported 2 consignments with 5 stage events from ")
    );
    registry
        .run(&["import", "consignments", good])
        .failure()
        .stdout_has("line 2, column id: consignment WB-1 already exists in the registry");

    let exported = registry.file("out.csv");
    registry.ok(&[
        "export",
        "consignments",
        "--out",
        exported.to_str().unwrap(),
    ]);
    let other = Registry::new();
    assert!(
        other
            .ok(&["import", "consignments", exported.to_str().unwrap()])
            .starts_with("Imported 2 consignments with 5 stage events")
    );
    let show = other.ok(&["aid", "show", "WB-2"]);
    assert!(
        show.contains("Now: returned since 2026-01-10 12:00"),
        "{show}"
    );
}

#[test]
fn the_staging_queue_forecast_says_when_or_why_not() {
    let registry = Registry::new();
    let out = registry.ok(&[
        "aid",
        "forecast",
        "--inspection-capacity",
        "250",
        "--arrivals",
        "300",
        "--days",
        "30",
        "--queue",
        "400",
        "--replications",
        "20",
    ]);
    assert!(out.contains("400 trucks at the start (given)"), "{out}");
    assert!(
        out.contains("is not met within the horizon in 20 of 20 replications: the inspection capacity stays at or below 250 trucks a day, under the target of 600."),
        "{out}"
    );
    let out = registry.ok(&[
        "aid",
        "forecast",
        "--inspection-capacity",
        "500",
        "--capacity-growth",
        "10",
        "--arrivals",
        "700",
        "--days",
        "60",
        "--queue",
        "0",
        "--replications",
        "20",
    ]);
    assert!(
        out.contains("The target of 600 trucks inspected in a day is first met on day 11.0 (95% CI 11.0 to 11.0)."),
        "{out}"
    );
    registry
        .run(&[
            "aid",
            "forecast",
            "--inspection-capacity=-5",
            "--arrivals",
            "1",
            "--queue",
            "0",
        ])
        .failure()
        .stderr_has("inspection capacity is -5; give a number of trucks of 0 or more");
}

#[test]
fn the_demo_loads_an_aid_history() {
    let registry = Registry::new();
    let out = registry.ok(&["demo", "--size", "100"]);
    assert!(out.contains(" aid consignments."), "{out}");
    let report = registry.ok(&[
        "aid",
        "report",
        "--from",
        "2025-12-01",
        "--to",
        "2026-01-31",
    ]);
    for needle in [
        "kerem-shalom",
        "delivered",
        "Returns without unloading",
        "dual-use items",
    ] {
        assert!(report.contains(needle), "lacks {needle:?}:\n{report}");
    }
}
