//! corridor-charts: small, deterministic SVG charts written by hand.
//!
//! Data in, SVG text out: no I/O, no fonts read from the system (text uses
//! the generic `sans-serif` family and its width is estimated), no external
//! crates. The same input always gives the same bytes, so charts can be
//! snapshot-tested and embedded in the web dashboard and the situation
//! report alike.
//!
//! Three charts:
//! - [`fan_chart`]: for each series a median line and a shaded 5–95% band
//!   (e.g. the waiting list by tier over time);
//! - [`line_chart`]: plain lines (e.g. cumulative deaths under each policy);
//! - [`grouped_bar_chart`]: bars grouped by category with optional interval
//!   whiskers (e.g. deaths by tier under each policy).
//!
//! Every chart has a title, a legend, labelled axes with ticks, and the
//! accessible `<title>` and `<desc>` elements referenced by `aria-labelledby`.
//! The x axis of the fan and line charts is the index of the value (a day
//! number); give [`Ticks::Custom`] to label it with dates.

mod axis;
mod svg;

pub use axis::{Axis, Ticks, format_number, format_value};

use svg::{Frame, Svg};

/// Size of the drawing in SVG user units (pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    pub width: f64,
    pub height: f64,
}

impl Default for Size {
    fn default() -> Self {
        Size {
            width: 720.0,
            height: 420.0,
        }
    }
}

/// What every chart has: a title, a longer description for screen readers,
/// and an id prefix that keeps element ids unique when several charts share
/// one HTML page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Caption {
    pub id: String,
    pub title: String,
    pub description: String,
}

/// One series of a fan chart: values by x index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FanSeries {
    pub label: String,
    pub p5: Vec<f64>,
    pub p50: Vec<f64>,
    pub p95: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FanChart {
    pub caption: Caption,
    pub x_axis: Axis,
    pub y_axis: Axis,
    pub series: Vec<FanSeries>,
    pub size: Size,
}

/// One line: values by x index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineSeries {
    pub label: String,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineChart {
    pub caption: Caption,
    pub x_axis: Axis,
    pub y_axis: Axis,
    pub series: Vec<LineSeries>,
    pub size: Size,
}

/// One bar per group; `intervals`, when not empty, gives a (low, high)
/// whisker per group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarSeries {
    pub label: String,
    pub values: Vec<f64>,
    pub intervals: Vec<(f64, f64)>,
}

/// A level drawn across the whole plot as a dashed line (e.g. a daily
/// target), instead of as a bar in every group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReferenceLine {
    pub label: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupedBarChart {
    pub caption: Caption,
    /// Category names along the x axis (e.g. policies).
    pub groups: Vec<String>,
    pub x_label: String,
    pub y_axis: Axis,
    pub series: Vec<BarSeries>,
    pub size: Size,
    pub reference: Option<ReferenceLine>,
    /// Label only every n-th group, starting with the first (0 or 1: every
    /// group); many narrow groups (a month of days) would have their labels
    /// run together. Every bar keeps its group's name in its title.
    pub label_every: usize,
}

/// Colour-blind-safe colours (Okabe and Ito), used in series order.
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
];

fn colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// A fan chart: per series a median line over a shaded 5–95% band.
pub fn fan_chart(chart: &FanChart) -> String {
    let points = chart
        .series
        .iter()
        .map(|s| s.p50.len().max(s.p5.len()).max(s.p95.len()))
        .max()
        .unwrap_or(0);
    let y_max = chart
        .series
        .iter()
        .flat_map(|s| s.p95.iter().chain(&s.p50).chain(&s.p5))
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let mut legend: Vec<(String, &str, svg::Swatch)> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (s.label.clone(), colour(i), svg::Swatch::Line))
        .collect();
    legend.push((
        "shaded: 5–95% of replications".to_owned(),
        "#888888",
        svg::Swatch::Band,
    ));
    let mut out = Svg::start(&chart.caption, chart.size);
    let frame = Frame::new(
        &mut out,
        &chart.caption,
        chart.size,
        &legend,
        points.saturating_sub(1) as f64,
        y_max,
    );
    frame.draw_axes(&mut out, &chart.x_axis, &chart.y_axis);
    for (index, series) in chart.series.iter().enumerate() {
        let colour = colour(index);
        let upper: Vec<(f64, f64)> = indexed(&series.p95);
        let lower: Vec<(f64, f64)> = indexed(&series.p5);
        frame.band(&mut out, &upper, &lower, colour);
    }
    for (index, series) in chart.series.iter().enumerate() {
        let median: Vec<(f64, f64)> = indexed(&series.p50);
        frame.line(&mut out, &median, colour(index), &series.label);
    }
    out.finish()
}

/// A line chart: one line per series.
pub fn line_chart(chart: &LineChart) -> String {
    let points = chart
        .series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(0);
    let y_max = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter())
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let legend: Vec<(String, &str, svg::Swatch)> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (s.label.clone(), colour(i), svg::Swatch::Line))
        .collect();
    let mut out = Svg::start(&chart.caption, chart.size);
    let frame = Frame::new(
        &mut out,
        &chart.caption,
        chart.size,
        &legend,
        points.saturating_sub(1) as f64,
        y_max,
    );
    frame.draw_axes(&mut out, &chart.x_axis, &chart.y_axis);
    for (index, series) in chart.series.iter().enumerate() {
        let values: Vec<(f64, f64)> = indexed(&series.values);
        frame.line(&mut out, &values, colour(index), &series.label);
    }
    out.finish()
}

/// Bars grouped by category, one colour per series, with optional whiskers.
pub fn grouped_bar_chart(chart: &GroupedBarChart) -> String {
    let y_max = chart
        .series
        .iter()
        .flat_map(|s| {
            s.values
                .iter()
                .copied()
                .chain(s.intervals.iter().map(|&(_, high)| high))
        })
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let y_max = chart
        .reference
        .as_ref()
        .map(|line| line.value)
        .filter(|v| v.is_finite())
        .map_or(y_max, |value| y_max.max(value));
    let mut legend: Vec<(String, &str, svg::Swatch)> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (s.label.clone(), colour(i), svg::Swatch::Bar))
        .collect();
    if let Some(line) = &chart.reference {
        legend.push((line.label.clone(), REFERENCE_COLOUR, svg::Swatch::Dashed));
    }
    let mut out = Svg::start(&chart.caption, chart.size);
    let frame = Frame::new(&mut out, &chart.caption, chart.size, &legend, 1.0, y_max);
    frame.draw_y_axis(&mut out, &chart.y_axis);
    frame.draw_category_axis(&mut out, &chart.groups, chart.label_every, &chart.x_label);
    let groups = chart.groups.len().max(1);
    let series_count = chart.series.len().max(1);
    let group_width = frame.width() / groups as f64;
    let bar_width = group_width * 0.8 / series_count as f64;
    for (series_index, series) in chart.series.iter().enumerate() {
        for (group, &value) in series.values.iter().enumerate().take(groups) {
            if !value.is_finite() {
                continue;
            }
            let x = frame.left()
                + group as f64 * group_width
                + group_width * 0.1
                + series_index as f64 * bar_width;
            let interval = series
                .intervals
                .get(group)
                .copied()
                .filter(|(low, high)| low.is_finite() && high.is_finite());
            let title = match interval {
                Some((low, high)) => format!(
                    "{}, {}: {} [{} – {}]",
                    chart.groups[group],
                    series.label,
                    format_value(value),
                    format_value(low),
                    format_value(high)
                ),
                None => format!(
                    "{}, {}: {}",
                    chart.groups[group],
                    series.label,
                    format_value(value)
                ),
            };
            frame.bar(
                &mut out,
                x,
                bar_width,
                value,
                interval,
                colour(series_index),
                &title,
            );
        }
    }
    if let Some(line) = &chart.reference {
        frame.reference_line(&mut out, line.value, REFERENCE_COLOUR, &line.label);
    }
    out.finish()
}

/// The colour of a [`ReferenceLine`]: black, apart from every series colour.
const REFERENCE_COLOUR: &str = "#000000";

/// Points at x = 0, 1, 2, … for a series of daily values.
fn indexed(values: &[f64]) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(x, &y)| (x as f64, y))
        .collect()
}
