//! The pipeline on one day (`aid status`) and over a period (`aid
//! report`): trucks against the target, stages, dwell and reasons.

use std::fmt::Write as _;

use anyhow::bail;
use corridor_domain::{AidReport, CargoCategory, Stage, Tonnes, TruckDefinition, TruckTarget};
use jiff::civil::Date;

use super::{hours, time_text};
use crate::context::Context;
use crate::flags::aid::TargetArgs;
use crate::output::{count, table};

pub(super) async fn report(
    context: &Context,
    from: Date,
    to: Date,
    args: &TargetArgs,
) -> anyhow::Result<AidReport> {
    if args.target == 0 {
        bail!("--target must be at least 1 truck a day");
    }
    let target = TruckTarget {
        per_day: args.target,
        fuel_per_day: args.fuel_target,
    };
    Ok(context
        .store
        .aid_report(from, to, context.now, target, args.oldest)
        .await?)
}

pub(super) fn render_status(report: &AidReport) -> String {
    let mut out = format!(
        "Aid pipeline on {} (UTC). Target: {} trucks a day, {} of them fuel.\n\n",
        report.from, report.target.per_day, report.target.fuel_per_day
    );
    out.push_str(&daily_table(report));
    out.push_str(&common_sections(report));
    out
}

pub(super) fn render_report(report: &AidReport) -> String {
    let days = report.daily.first().map_or(0, Vec::len) as u64;
    let mut out = format!(
        "Aid pipeline from {} to {} ({} days, UTC). Target: {} trucks a day, {} of them fuel.\n\n",
        report.from, report.to, days, report.target.per_day, report.target.fuel_per_day
    );
    for (definition, daily) in TruckDefinition::ALL.iter().zip(&report.daily) {
        let total: u64 = daily.iter().map(|day| day.total).sum();
        let fuel: u64 = daily.iter().map(|day| day.fuel).sum();
        let met = daily.iter().filter(|day| day.met_target).count();
        let fuel_met = daily.iter().filter(|day| day.met_fuel_target).count();
        let best = daily.iter().map(|day| day.total).max().unwrap_or(0);
        let _ = writeln!(
            out,
            "Trucks {definition} ({}): {} in all, {:.1} a day on average (best day {}), {} fuel; \
             target met on {met} of {days} days, fuel target on {fuel_met}.",
            definition.describe(),
            count(total),
            total as f64 / days.max(1) as f64,
            count(best),
            count(fuel),
        );
    }
    out.push('\n');
    out.push_str(&daily_table(report));
    out.push_str(&common_sections(report));
    out
}

/// One row per day and definition: trucks by category, total, against the target.
fn daily_table(report: &AidReport) -> String {
    let mut header: Vec<String> = vec!["DATE".into(), "COUNTED".into()];
    header.extend(
        CargoCategory::ALL
            .iter()
            .map(|c| c.as_str().to_ascii_uppercase()),
    );
    header.extend(["TOTAL".into(), "OF TARGET".into()]);
    let days = report.daily.first().map_or(0, Vec::len);
    let mut rows = Vec::new();
    for index in 0..days {
        for daily in &report.daily {
            let day = &daily[index];
            let mut row = vec![day.date.to_string(), day.definition.to_string()];
            row.extend(day.by_category.iter().map(|n| count(*n)));
            row.push(count(day.total));
            row.push(format!(
                "{:.0}%",
                100.0 * day.total as f64 / f64::from(report.target.per_day)
            ));
            rows.push(row);
        }
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let right: Vec<usize> = (2..header.len()).collect();
    let mut out = String::from(
        "Trucks a day by category (inspected: cleared at inspection, as presented; collected: inside, after repacking):\n",
    );
    out.push_str(&table(&header, &rows, &right));
    out
}

fn common_sections(report: &AidReport) -> String {
    let mut out = String::new();
    let t = &report.tonnes;
    let _ = writeln!(
        out,
        "\nTonnes (as recorded on entering each stage in the period): dispatched {}, offloaded at the crossing {}, \
         collected inside {}, delivered {}, intercepted in transit {}, sent back {}.\n\
         Trucks: {} cleared at inspection (as presented), {} after repacking (reloaded), {} collected.",
        tonnes(t.dispatched),
        tonnes(t.offloaded),
        tonnes(t.collected),
        tonnes(t.delivered),
        tonnes(t.intercepted),
        tonnes(t.returned),
        count(t.trucks_inspected),
        count(t.trucks_reloaded),
        count(t.trucks_collected),
    );

    let _ = writeln!(
        out,
        "\nIn each stage now ({} UTC):",
        time_text(report.as_of)
    );
    let rows: Vec<Vec<String>> = Stage::ALL
        .iter()
        .filter_map(|&stage| {
            let counts: Vec<_> = report
                .in_stage
                .iter()
                .filter(|count| count.stage == stage)
                .collect();
            if counts.is_empty() {
                return None;
            }
            let consignments: u64 = counts.iter().map(|c| c.consignments).sum();
            let trucks: u64 = counts.iter().map(|c| c.trucks).sum();
            let kilograms: u64 = counts.iter().map(|c| c.kilograms).sum();
            Some(vec![
                stage.to_string(),
                count(consignments),
                count(trucks),
                tonnes(Tonnes::from_kilograms(kilograms)),
            ])
        })
        .collect();
    if rows.is_empty() {
        out.push_str("  no consignments are registered\n");
    } else {
        out.push_str(&table(
            &["STAGE", "CONSIGNMENTS", "TRUCKS", "TONNES"],
            &rows,
            &[1, 2, 3],
        ));
    }

    out.push_str("\nDwell time per stage (stays that ended in the period):\n");
    if report.dwell.is_empty() {
        out.push_str("  no consignment left a stage in the period\n");
    } else {
        let rows: Vec<Vec<String>> = report
            .dwell
            .iter()
            .map(|dwell| {
                vec![
                    dwell.stage.to_string(),
                    count(dwell.count),
                    hours(dwell.median_minutes),
                    hours(dwell.p90_minutes),
                    hours(dwell.max_minutes as f64),
                ]
            })
            .collect();
        out.push_str(&table(
            &["STAGE", "STAYS", "MEDIAN", "P90", "LONGEST"],
            &rows,
            &[1, 2, 3, 4],
        ));
    }

    for (title, reasons) in [
        ("Rejections at inspection", &report.rejections),
        ("Returns without unloading", &report.returns),
    ] {
        let _ = writeln!(out, "\n{title}, most frequent first:");
        if reasons.is_empty() {
            out.push_str("  none in the period\n");
        } else {
            let rows: Vec<Vec<String>> = reasons
                .iter()
                .map(|r| vec![r.reason.clone(), count(r.consignments), count(r.trucks)])
                .collect();
            out.push_str(&table(
                &["REASON", "CONSIGNMENTS", "TRUCKS"],
                &rows,
                &[1, 2],
            ));
        }
    }

    out.push_str("\nLongest in a stage (still there now):\n");
    if report.oldest.is_empty() {
        out.push_str("  none\n");
    } else {
        let rows: Vec<Vec<String>> = report
            .oldest
            .iter()
            .map(|stuck| {
                let minutes =
                    corridor_domain::dwell_minutes(report.as_of.duration_since(stuck.since));
                vec![
                    stuck.id.to_string(),
                    stuck.stage.to_string(),
                    time_text(stuck.since),
                    hours(minutes as f64),
                    stuck.category.to_string(),
                    stuck.trucks.to_string(),
                    stuck.crossing.to_string(),
                    stuck.agency.to_string(),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "CONSIGNMENT",
                "STAGE",
                "SINCE (UTC)",
                "FOR",
                "CATEGORY",
                "TRUCKS",
                "CROSSING",
                "AGENCY",
            ],
            &rows,
            &[3, 5],
        ));
    }
    out
}

/// A total weight in whole tonnes with thousands separators.
fn tonnes(weight: Tonnes) -> String {
    count((weight.kilograms() + 500) / 1000)
}
