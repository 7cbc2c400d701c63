//! The dashboard: aggregates only, each figure dated and sourced, counts of
//! people below 5 shown as `<5`, charts as inline SVG.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use corridor_charts::{Axis, BarSeries, Caption, GroupedBarChart, Size};
use corridor_domain::Tier;
use corridor_domain::report::SitrepData;
use corridor_interop::disclosure::suppress;
use corridor_interop::sitrep::{
    aid_trucks_chart, forecast_fan_chart, places_used_chart, waiting_by_age_and_tier_chart,
};
use tower_sessions::Session;

use crate::api::dashboard::{Dashboard, situation};
use crate::auth::PageUser;
use crate::error::PageResult;
use crate::pages::{Chrome, PageRoutes, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default().get("/", dashboard)
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    view: Dashboard,
    waiting_chart: String,
    evacuations_chart: String,
    utilisation_chart: String,
    deaths_chart: String,
    forecast_chart: Option<String>,
    aid_chart: Option<String>,
}

impl DashboardPage {
    /// Whether no crossing day of the window was confirmed.
    fn no_confirmed_day(&self) -> bool {
        self.view.utilisation.last_days.is_empty()
            && self.view.utilisation.weeks.iter().all(|w| w.available == 0)
    }

    fn days(&self, interval: &Option<crate::api::dashboard::Interval>) -> String {
        match interval {
            Some(i) => format!("{:.0} days (95% CI {:.0}–{:.0})", i.mean, i.low, i.high),
            None => "not within the horizon in every replication".to_string(),
        }
    }

    fn estimate(&self, interval: &crate::api::dashboard::Interval) -> String {
        format!(
            "{:.0} (95% CI {:.0}–{:.0})",
            interval.mean, interval.low, interval.high
        )
    }

    /// A source's address, when it is a web address (never `javascript:`).
    fn link<'a>(&self, url: &'a Option<String>) -> Option<&'a str> {
        url.as_deref()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    }

    fn figure(&self, value: &f64) -> String {
        if value.fract() == 0.0 && value.abs() < 1e15 {
            let sign = if *value < 0.0 { "-" } else { "" };
            format!("{sign}{}", crate::pages::count(value.abs() as u64))
        } else {
            value.to_string()
        }
    }
}

async fn dashboard(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    let data = situation(&state, &identity).await?;
    let chrome = Chrome::new(&identity, &session, &state, "/", "Dashboard").await?;
    Ok(render(&DashboardPage {
        chrome,
        view: Dashboard::new(&data),
        waiting_chart: waiting_by_age_and_tier_chart(&data.waiting),
        evacuations_chart: evacuations_chart(&data),
        utilisation_chart: places_used_chart(
            &data.utilisation,
            data.evacuations.from,
            data.evacuations.to,
        ),
        deaths_chart: deaths_chart(&data),
        forecast_chart: data.forecast.as_ref().and_then(forecast_fan_chart),
        aid_chart: data.aid.as_ref().map(aid_trucks_chart),
    })?)
}

fn week_label(from: jiff::civil::Date, to: jiff::civil::Date) -> String {
    format!("{}–{}", from.strftime("%m-%d"), to.strftime("%m-%d"))
}

/// People evacuated each week (drawn at zero below 5) next to the places
/// the quota offered on the week's operating days.
fn evacuations_chart(data: &SitrepData) -> String {
    let weeks = data.evacuations.weeks();
    let chart = GroupedBarChart {
        reference: None,
        label_every: 0,
        caption: Caption {
            id: "evacuations-per-week".to_string(),
            title: "Evacuations per week against the weekly quota".to_string(),
            description: "Patients and companions who crossed each week, next to the evacuee quota summed over the week's operating days; weeks with fewer than 5 people are drawn at zero.".to_string(),
        },
        groups: weeks.iter().map(|w| week_label(w.from, w.to)).collect(),
        x_label: "week".to_string(),
        y_axis: Axis::new("people / places"),
        series: vec![
            BarSeries {
                label: "evacuated (patients and companions)".to_string(),
                values: weeks
                    .iter()
                    .map(|w| suppress(w.patients + w.companions).plotted())
                    .collect(),
                intervals: Vec::new(),
            },
            BarSeries {
                label: "weekly quota (places)".to_string(),
                values: weeks
                    .iter()
                    .map(|w| w.places_open.unwrap_or(0) as f64)
                    .collect(),
                intervals: Vec::new(),
            },
        ],
        size: Size {
            width: 760.0,
            height: 340.0,
        },
    };
    corridor_charts::grouped_bar_chart(&chart)
}

/// Deaths while waiting each week, one bar per tier (drawn at zero below 5).
fn deaths_chart(data: &SitrepData) -> String {
    let weeks = data
        .deaths
        .weeks(data.evacuations.from, data.evacuations.to);
    let chart = GroupedBarChart {
        reference: None,
        label_every: 0,
        caption: Caption {
            id: "deaths-per-week".to_string(),
            title: "Deaths while waiting per week, by tier".to_string(),
            description: "Patients who died while waiting, by week of death and tier; counts below 5 are drawn at zero.".to_string(),
        },
        groups: weeks.iter().map(|w| week_label(w.from, w.to)).collect(),
        x_label: "week".to_string(),
        y_axis: Axis::new("deaths while waiting"),
        series: Tier::ALL
            .iter()
            .enumerate()
            .map(|(index, tier)| BarSeries {
                label: tier.to_string(),
                values: weeks
                    .iter()
                    .map(|w| suppress(w.by_tier.get(index).map_or(0, |(_, n)| *n)).plotted())
                    .collect(),
                intervals: Vec::new(),
            })
            .collect(),
        size: Size {
            width: 760.0,
            height: 340.0,
        },
    };
    corridor_charts::grouped_bar_chart(&chart)
}
