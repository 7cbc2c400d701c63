//! The charts of a forecast (`corridor forecast --svg`, the web forecast
//! page): the waiting list by tier under one policy, the cumulative deaths
//! under each policy, and the policies compared by deaths per tier. Each
//! chart is a self-contained SVG from `corridor-charts`.

use corridor_charts::{
    Axis, BarSeries, Caption, FanChart, FanSeries, GroupedBarChart, LineChart, LineSeries, Size,
    Ticks,
};
use corridor_sim::Forecast;
use jiff::civil::Date;

/// "20 replications, seed 1": how a forecast's bands were computed.
pub fn run_note(forecast: &Forecast) -> String {
    format!(
        "{} replications, seed {}",
        forecast.replications, forecast.seed
    )
}

/// Fan chart of the people waiting in each tier under one policy.
pub fn waiting_by_tier_chart(id: &str, forecast: &Forecast) -> String {
    let chart = FanChart {
        caption: Caption {
            id: id.to_owned(),
            title: format!(
                "People waiting by tier: {}, {}",
                forecast.scenario, forecast.policy
            ),
            description: format!(
                "End-of-day number of people on the waiting list in each tier, from {} over {} days: \
                 median line and shaded 5–95% range over {}.",
                forecast.start,
                forecast.horizon_days,
                run_note(forecast)
            ),
        },
        x_axis: date_axis(forecast.start, forecast.horizon_days),
        y_axis: Axis::new("people waiting"),
        series: forecast
            .tiers
            .iter()
            .zip(&forecast.list_size_by_tier)
            .map(|(tier, bands)| FanSeries {
                label: tier.clone(),
                p5: bands.iter().map(|b| b.p5).collect(),
                p50: bands.iter().map(|b| b.p50).collect(),
                p95: bands.iter().map(|b| b.p95).collect(),
            })
            .collect(),
        size: Size::default(),
    };
    corridor_charts::fan_chart(&chart)
}

/// The median cumulative deaths while waiting, one line per forecast
/// (policy) of the same scenario. `None` without forecasts.
pub fn cumulative_deaths_chart(id: &str, forecasts: &[&Forecast]) -> Option<String> {
    let first = forecasts.first()?;
    let chart = LineChart {
        caption: Caption {
            id: id.to_owned(),
            title: format!("Cumulative deaths while waiting: {}", first.scenario),
            description: format!(
                "Median over {} of the cumulative number of people who died while waiting, \
                 one line per policy.",
                run_note(first)
            ),
        },
        x_axis: date_axis(first.start, first.horizon_days),
        y_axis: Axis::new("deaths while waiting (median)"),
        series: forecasts
            .iter()
            .map(|f| LineSeries {
                label: f.policy.clone(),
                values: f.cumulative_deaths.iter().map(|b| b.p50).collect(),
            })
            .collect(),
        size: Size::default(),
    };
    Some(corridor_charts::line_chart(&chart))
}

/// Mean deaths while waiting by tier under each policy, with 95% intervals.
/// `None` without forecasts.
pub fn policy_comparison_chart(id: &str, forecasts: &[&Forecast]) -> Option<String> {
    let first = forecasts.first()?;
    let chart = GroupedBarChart {
        reference: None,
        label_every: 0,
        caption: Caption {
            id: id.to_owned(),
            title: format!(
                "Deaths while waiting by policy and tier: {}",
                first.scenario
            ),
            description: format!(
                "Mean deaths while waiting over {} days in each tier under each policy, with 95% \
                 confidence intervals over {}.",
                first.horizon_days,
                run_note(first)
            ),
        },
        groups: forecasts.iter().map(|f| f.policy.clone()).collect(),
        x_label: "policy".to_owned(),
        y_axis: Axis::new(format!("deaths in {} days", first.horizon_days)),
        series: first
            .tiers
            .iter()
            .enumerate()
            .map(|(tier, name)| BarSeries {
                label: name.clone(),
                values: forecasts
                    .iter()
                    .map(|f| f.deaths_by_tier.get(tier).map_or(0.0, |e| e.mean))
                    .collect(),
                intervals: forecasts
                    .iter()
                    .map(|f| {
                        f.deaths_by_tier
                            .get(tier)
                            .map_or((0.0, 0.0), |e| (e.low, e.high))
                    })
                    .collect(),
            })
            .collect(),
        size: Size::default(),
    };
    Some(corridor_charts::grouped_bar_chart(&chart))
}

/// Day numbers labelled with dates, about six ticks.
pub fn date_axis(start: Date, horizon_days: u32) -> Axis {
    let step = match horizon_days {
        0..=70 => 7,
        71..=200 => 30,
        201..=800 => 90,
        801..=2000 => 180,
        _ => 365,
    };
    let ticks = (0..horizon_days)
        .step_by(step)
        .filter_map(|day| {
            let date = start
                .checked_add(jiff::Span::new().days(i64::from(day)))
                .ok()?;
            Some((f64::from(day), date.to_string()))
        })
        .collect();
    Axis {
        label: "date".to_owned(),
        ticks: Ticks::Custom(ticks),
    }
}
