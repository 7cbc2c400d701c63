//! The SVG charts of `aid report --svg`: daily trucks against the target,
//! and dwell time per stage.

use std::path::Path;

use anyhow::Context as _;
use corridor_charts::{
    Axis, BarSeries, Caption, GroupedBarChart, LineChart, LineSeries, Size, Ticks,
};
use corridor_domain::{AidReport, TruckDefinition};
use jiff::civil::Date;

/// Writes `aid-daily-trucks.svg` and `aid-dwell.svg`; returns their names.
pub(super) fn write_charts(directory: &Path, report: &AidReport) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(directory)
        .with_context(|| format!("cannot create {}", directory.display()))?;
    let days = report.daily.first().map_or(0, Vec::len);
    let dates: Vec<Date> = report
        .daily
        .first()
        .map(|daily| daily.iter().map(|day| day.date).collect())
        .unwrap_or_default();
    let step = (days / 6).max(1);
    let ticks = dates
        .iter()
        .enumerate()
        .filter(|(index, _)| index % step == 0)
        .map(|(index, date)| (index as f64, date.to_string()))
        .collect();
    let mut series: Vec<LineSeries> = TruckDefinition::ALL
        .iter()
        .zip(&report.daily)
        .map(|(definition, daily)| LineSeries {
            label: format!("trucks {definition}"),
            values: daily.iter().map(|day| day.total as f64).collect(),
        })
        .collect();
    series.push(LineSeries {
        label: format!("target ({} a day)", report.target.per_day),
        values: vec![f64::from(report.target.per_day); days],
    });
    let daily = LineChart {
        caption: Caption {
            id: "aid-daily".to_string(),
            title: format!(
                "Aid trucks a day against the target, {} to {}",
                report.from, report.to
            ),
            description: format!(
                "Trucks a day from {} to {} (UTC) under two definitions: {}; and {}. The flat line is the target of {} trucks a day.",
                report.from,
                report.to,
                TruckDefinition::Inspected.describe(),
                TruckDefinition::Collected.describe(),
                report.target.per_day
            ),
        },
        x_axis: Axis {
            label: "date".to_string(),
            ticks: Ticks::Custom(ticks),
        },
        y_axis: Axis::new("trucks a day"),
        series,
        size: Size::default(),
    };
    let dwell = GroupedBarChart {
        reference: None,
        label_every: 0,
        caption: Caption {
            id: "aid-dwell".to_string(),
            title: format!("Dwell time per stage, {} to {}", report.from, report.to),
            description: format!(
                "Median and 90th percentile, in hours, of the time consignments spent in each stage, over the stays that ended from {} to {}.",
                report.from, report.to
            ),
        },
        groups: report.dwell.iter().map(|d| d.stage.to_string()).collect(),
        x_label: "stage".to_string(),
        y_axis: Axis::new("hours"),
        series: vec![
            BarSeries {
                label: "median".to_string(),
                values: report
                    .dwell
                    .iter()
                    .map(|d| d.median_minutes / 60.0)
                    .collect(),
                intervals: Vec::new(),
            },
            BarSeries {
                label: "90th percentile".to_string(),
                values: report.dwell.iter().map(|d| d.p90_minutes / 60.0).collect(),
                intervals: Vec::new(),
            },
        ],
        size: Size::default(),
    };
    let mut written = Vec::new();
    for (name, svg) in [
        ("aid-daily-trucks.svg", corridor_charts::line_chart(&daily)),
        ("aid-dwell.svg", corridor_charts::grouped_bar_chart(&dwell)),
    ] {
        let path = directory.join(name);
        std::fs::write(&path, svg).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(name.to_string());
    }
    Ok(written)
}
