//! The one integration-test binary of corridor-charts: snapshots of each
//! chart, and properties every chart must have.

use corridor_charts::{
    Axis, BarSeries, Caption, FanChart, FanSeries, GroupedBarChart, LineChart, LineSeries, Size,
    Ticks, fan_chart, grouped_bar_chart, line_chart,
};

fn caption(id: &str, title: &str) -> Caption {
    Caption {
        id: id.into(),
        title: title.into(),
        description: format!("{title}, for the tests & <checks>."),
    }
}

fn ramp(start: f64, step: f64, points: usize) -> Vec<f64> {
    (0..points).map(|i| start + step * i as f64).collect()
}

fn fan() -> FanChart {
    let series = |label: &str, start: f64, step: f64| FanSeries {
        label: label.into(),
        p5: ramp(start * 0.9, step * 0.9, 12),
        p50: ramp(start, step, 12),
        p95: ramp(start * 1.1, step * 1.1, 12),
    };
    FanChart {
        caption: caption("waiting", "Waiting list by tier"),
        x_axis: Axis {
            label: "date".into(),
            ticks: Ticks::Custom(vec![(0.0, "2026-02-02".into()), (7.0, "2026-02-09".into())]),
        },
        y_axis: Axis::new("people waiting"),
        series: vec![
            series("critical", 440.0, -30.0),
            series("urgent", 5000.0, -200.0),
            series("routine", 14560.0, -50.0),
        ],
        size: Size::default(),
    }
}

fn lines() -> LineChart {
    LineChart {
        caption: caption("deaths", "Cumulative deaths while waiting"),
        x_axis: Axis::new("day"),
        y_axis: Axis::new("deaths"),
        series: vec![
            LineSeries {
                label: "strict-priority".into(),
                values: ramp(0.0, 1.5, 40),
            },
            LineSeries {
                label: "first-come-first-served".into(),
                values: ramp(0.0, 2.5, 40),
            },
        ],
        size: Size {
            width: 600.0,
            height: 360.0,
        },
    }
}

fn bars() -> GroupedBarChart {
    GroupedBarChart {
        reference: None,
        label_every: 0,
        caption: caption("policies", "Deaths while waiting by policy"),
        groups: vec!["strict-priority".into(), "weighted".into()],
        x_label: "policy".into(),
        y_axis: Axis::new("deaths in two years"),
        series: vec![
            BarSeries {
                label: "critical".into(),
                values: vec![19.0, 61.0],
                intervals: vec![(17.5, 20.5), (58.0, 64.0)],
            },
            BarSeries {
                label: "routine".into(),
                values: vec![433.0, 412.0],
                intervals: vec![],
            },
        ],
        size: Size::default(),
    }
}

#[test]
fn fan_chart_snapshot() {
    insta::assert_snapshot!(fan_chart(&fan()));
}

#[test]
fn line_chart_snapshot() {
    insta::assert_snapshot!(line_chart(&lines()));
}

#[test]
fn grouped_bar_chart_snapshot() {
    insta::assert_snapshot!(grouped_bar_chart(&bars()));
}

/// Every chart: one root element, accessible title and description that
/// the root refers to, escaped text, balanced elements, same bytes twice.
fn check_well_formed(svg: &str, id: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>\n"));
    assert!(svg.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
    assert!(svg.contains(&format!("<title id=\"{id}-title\">")));
    assert!(svg.contains(&format!("<desc id=\"{id}-desc\">")));
    assert!(svg.contains("&amp; &lt;checks&gt;"));
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
    for tag in ["svg", "g", "text", "title", "path", "rect", "desc"] {
        let opened =
            svg.matches(&format!("<{tag} ")).count() + svg.matches(&format!("<{tag}>")).count();
        let closed = svg.matches(&format!("</{tag}>")).count();
        let self_closed = svg
            .split(&format!("<{tag} "))
            .skip(1)
            .filter(|rest| {
                rest.split('>')
                    .next()
                    .is_some_and(|head| head.ends_with('/'))
            })
            .count();
        assert_eq!(opened, closed + self_closed, "unbalanced <{tag}>");
    }
}

#[test]
fn charts_are_well_formed_and_deterministic() {
    check_well_formed(&fan_chart(&fan()), "waiting");
    check_well_formed(&line_chart(&lines()), "deaths");
    check_well_formed(&grouped_bar_chart(&bars()), "policies");
    assert_eq!(fan_chart(&fan()), fan_chart(&fan()));
}

#[test]
fn empty_and_degenerate_data_still_draw() {
    let mut empty = fan();
    empty.series.clear();
    check_well_formed(&fan_chart(&empty), "waiting");
    let mut flat = lines();
    flat.series = vec![LineSeries {
        label: "none".into(),
        values: vec![0.0; 5],
    }];
    check_well_formed(&line_chart(&flat), "deaths");
    let mut odd = bars();
    odd.series[0].values = vec![f64::NAN, f64::INFINITY];
    check_well_formed(&grouped_bar_chart(&odd), "policies");
}

#[test]
fn fan_chart_has_a_band_and_a_median_per_series() {
    let svg = fan_chart(&fan());
    assert_eq!(svg.matches("fill-opacity=\"0.2\"").count(), 3);
    assert_eq!(svg.matches("stroke-width=\"2\" stroke-linejoin").count(), 3);
    assert!(svg.contains(">2026-02-09</text>"));
    // The y axis goes to a nice round number above the largest p95.
    assert!(svg.contains(">20,000</text>"));
}

#[test]
fn bars_have_whiskers_only_where_intervals_are_given() {
    let svg = grouped_bar_chart(&bars());
    assert_eq!(
        svg.matches("<rect x").count() - 1 - 2,
        4,
        "one background, two legend swatches, four bars"
    );
    assert_eq!(svg.matches("stroke-width=\"1.2\"").count(), 2);
    assert!(svg.contains("<title>weighted, critical: 61 [58 – 64]</title>"));
}
