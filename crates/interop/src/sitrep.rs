//! The weekly situation report: one self-contained HTML file (inline SVG
//! charts, a print stylesheet; a PDF comes from the browser's print).
//!
//! The report is built from a [`SitrepData`], filled by the caller from the
//! registry and the simulator; each section is its own function over it.
//! Only aggregates appear, and every count about people goes through
//! [`suppress`]. Every figure says where it comes from: registry counts say
//! they are computed and from what, forecasts name their model run, public
//! figures carry their publisher, title and date.

use std::fmt::Write as _;

use corridor_charts::{
    Axis, BarSeries, Caption, FanChart, FanSeries, GroupedBarChart, ReferenceLine, Size, Ticks,
};
use corridor_domain::utilisation::{DayUse, UseTotals, weekly_use};
use corridor_domain::{
    AgeGroup, AidReport, CargoCategory, Direction, Stage, Tier, TruckDefinition,
};
use jiff::civil::Date;

use crate::disclosure::{group_thousands, suppress, suppress_parts};

pub use corridor_domain::report::{
    DeathsSection, EvacuationDay, EvacuationSection, ForecastRun, ForecastSection, SitrepData,
    WaitingSection,
};

/// The HTML document.
pub fn render_html(data: &SitrepData) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Situation report {date}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header><h1>Medical evacuation and crossing: situation report</h1>\n\
         <p class=\"meta\">As of {date}. Aggregates only: no personal data; counts of people \
         below {threshold} are shown as &lt;{threshold}. Registry counts are computed from the {registry}.</p>\n\
         </header>\n",
        date = data.date,
        threshold = crate::disclosure::SMALL_COUNT_THRESHOLD,
        registry = escape(&data.registry),
    );
    html.push_str(&waiting_section(data));
    html.push_str(&evacuations_section(data));
    html.push_str(&utilisation_section(data));
    html.push_str(&deaths_section(data));
    html.push_str(&forecast_section(data));
    html.push_str(&denials_section(data));
    html.push_str(&aid_section(data));
    html.push_str(&figures_section(data));
    html.push_str("</body>\n</html>\n");
    html
}

const STYLE: &str = "
body { font-family: sans-serif; margin: 2em auto; max-width: 60em; color: #111; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #999; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.6em 0; } th, td { padding: 0.2em 0.7em; border-bottom: 1px solid #ddd; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td { vertical-align: top; }
.source { font-size: 0.85em; color: #444; } .meta { color: #333; }
svg { max-width: 100%; height: auto; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section { break-inside: avoid-page; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
";

/// A count of people for a table cell (escaped by [`table`]).
fn count(n: u64) -> String {
    suppress(n).grouped()
}

/// Counts of people shown next to their total, for table cells.
fn counts(parts: impl IntoIterator<Item = u64>) -> Vec<String> {
    let parts: Vec<u64> = parts.into_iter().collect();
    suppress_parts(&parts)
        .into_iter()
        .map(|c| c.grouped())
        .collect()
}

/// Rows of a label and a count, the counts shown next to their total.
fn count_rows<L: ToString>(items: &[(L, u64)]) -> Vec<Vec<String>> {
    items
        .iter()
        .zip(counts(items.iter().map(|(_, n)| *n)))
        .map(|((label, _), shown)| vec![label.to_string(), shown])
        .collect()
}

/// A count of people inside running HTML text.
fn count_html(n: u64) -> String {
    escape(&count(n))
}

fn section(id: &str, title: &str, body: &str, source: &str) -> String {
    format!(
        "<section id=\"{id}\">\n<h2>{title}</h2>\n{body}<p class=\"source\">Source: {source}</p>\n</section>\n"
    )
}

/// A table; the columns in `numeric` are right-aligned and never wrap.
fn table(headers: &[&str], rows: &[Vec<String>], numeric: &[usize]) -> String {
    let mut html = String::from("<table>\n<tr>");
    for (index, header) in headers.iter().enumerate() {
        let class = if numeric.contains(&index) {
            " class=\"n\""
        } else {
            ""
        };
        let _ = write!(html, "<th{class}>{}</th>", escape(header));
    }
    html.push_str("</tr>\n");
    for row in rows {
        html.push_str("<tr>");
        for (index, cell) in row.iter().enumerate() {
            let class = if numeric.contains(&index) {
                " class=\"n\""
            } else {
                ""
            };
            let _ = write!(html, "<td{class}>{}</td>", escape(cell));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    html
}

fn computed(data: &SitrepData, what: &str) -> String {
    format!(
        "computed by corridor from the {} as of {}: {what}.",
        escape(&data.registry),
        data.date
    )
}

pub fn waiting_section(data: &SitrepData) -> String {
    let waiting = &data.waiting;
    let total: u64 = waiting.by_tier.iter().map(|(_, n)| n).sum();
    let mut body = format!(
        "<p>{} patients waiting, with {} companions. Median wait since referral: {}; waiting more than a year: {}.</p>\n",
        count_html(total),
        count_html(waiting.companions),
        waiting
            .median_wait_days
            .map_or("none waiting".to_string(), |days| format!("{days} days")),
        count_html(waiting.over_a_year),
    );
    let rows = count_rows(&waiting.by_tier);
    body.push_str(&table(&["Tier", "Patients waiting"], &rows, &[1]));
    let rows = count_rows(&waiting.by_age_group);
    body.push_str(&table(&["Age group", "Patients waiting"], &rows, &[1]));
    body.push_str(&waiting_by_age_and_tier_chart(waiting));
    let rows = count_rows(&waiting.by_specialty);
    body.push_str(&table(&["Specialty", "Patients waiting"], &rows, &[1]));
    section(
        "waiting-list",
        "Waiting list",
        &body,
        &computed(
            data,
            "patients in a waiting status (referred to scheduled), by tier, age group (from birth year) and specialty",
        ),
    )
}

/// Patients waiting by age group, one bar per tier; suppressed cells drawn
/// at zero.
pub fn waiting_by_age_and_tier_chart(waiting: &WaitingSection) -> String {
    let chart = GroupedBarChart {
        reference: None,
        label_every: 0,
        caption: Caption {
            id: "waiting-by-age-and-tier".to_string(),
            title: "Patients waiting by age group and tier".to_string(),
            description: "Number of patients waiting in each age group, one bar per tier; groups below 5 are drawn at zero.".to_string(),
        },
        groups: AgeGroup::ALL.iter().map(ToString::to_string).collect(),
        x_label: "age group".to_string(),
        y_axis: Axis::new("patients waiting"),
        series: Tier::ALL
            .iter()
            .map(|tier| BarSeries {
                label: tier.to_string(),
                values: AgeGroup::ALL
                    .iter()
                    .map(|group| {
                        let n = waiting
                            .by_tier_and_age_group
                            .iter()
                            .find(|(t, g, _)| t == tier && g == group)
                            .map_or(0, |(_, _, n)| *n);
                        suppress(n).plotted()
                    })
                    .collect(),
                intervals: Vec::new(),
            })
            .collect(),
        size: Size { width: 760.0, height: 360.0 },
    };
    corridor_charts::grouped_bar_chart(&chart)
}

pub fn evacuations_section(data: &SitrepData) -> String {
    let evacuations = &data.evacuations;
    let patients: u64 = evacuations.days.iter().map(|d| d.patients).sum();
    let companions: u64 = evacuations.days.iter().map(|d| d.companions).sum();
    let quota: u64 = evacuations
        .days
        .iter()
        .filter_map(|d| d.quota)
        .map(u64::from)
        .sum();
    let against = if evacuations.days.iter().any(|d| d.quota.is_some()) {
        format!(
            "against a cumulative evacuee quota of {} places",
            group_thousands(quota)
        )
    } else {
        "while no evacuee quota was in force".to_string()
    };
    let mut body = format!(
        "<p>From {} to {}: {} patients and {} companions crossed, {against}. \
         Patients evacuated since records began: {}.</p>\n",
        evacuations.from,
        evacuations.to,
        count_html(patients),
        count_html(companions),
        count_html(evacuations.total_to_date),
    );
    let labels: Vec<String> = evacuations
        .days
        .iter()
        .map(|d| d.date.strftime("%m-%d").to_string())
        .collect();
    let chart = GroupedBarChart {
        reference: None,
        label_every: 0,
        caption: Caption {
            id: "evacuations-per-day".to_string(),
            title: "People evacuated per day against the quota".to_string(),
            description: "Patients and companions who crossed each day, next to the evacuee quota in force; days with fewer than 5 are drawn at zero.".to_string(),
        },
        groups: labels,
        x_label: "day".to_string(),
        y_axis: Axis::new("people"),
        series: vec![
            BarSeries {
                label: "crossed (patients and companions)".to_string(),
                values: evacuations
                    .days
                    .iter()
                    .map(|d| suppress(d.patients + d.companions).plotted())
                    .collect(),
                intervals: Vec::new(),
            },
            BarSeries {
                label: "quota".to_string(),
                values: evacuations
                    .days
                    .iter()
                    .map(|d| f64::from(d.quota.unwrap_or(0)))
                    .collect(),
                intervals: Vec::new(),
            },
        ],
        size: Size { width: 900.0, height: 380.0 },
    };
    body.push_str(&corridor_charts::grouped_bar_chart(&chart));
    let patients_shown = counts(evacuations.days.iter().map(|d| d.patients));
    let companions_shown = counts(evacuations.days.iter().map(|d| d.companions));
    let rows: Vec<Vec<String>> = evacuations
        .days
        .iter()
        .zip(patients_shown.into_iter().zip(companions_shown))
        .map(|(d, (patients, companions))| {
            vec![
                d.date.to_string(),
                patients,
                companions,
                d.quota
                    .map_or("none".to_string(), |q| group_thousands(u64::from(q))),
            ]
        })
        .collect();
    body.push_str(&table(
        &["Day", "Patients", "Companions", "Quota (places)"],
        &rows,
        &[1, 2, 3],
    ));
    let rows = count_rows(&evacuations.by_destination);
    if !rows.is_empty() {
        body.push_str(&table(&["Receiving country", "Patients"], &rows, &[1]));
    }
    section(
        "evacuations",
        "Evacuations against quota",
        &body,
        &computed(
            data,
            "crossed events in the status history by day; destinations from admissions; quotas as entered for the crossings",
        ),
    )
}

/// How the places of the window's confirmed days were used, per
/// direction: a sentence with the totals and a table by week.
pub fn utilisation_section(data: &SitrepData) -> String {
    let (from, to) = (data.evacuations.from, data.evacuations.to);
    let source = computed(
        data,
        "confirmed manifests: places when confirmed, people planned, each party's latest call and each person's outcome at the gate",
    );
    if data.utilisation.is_empty() {
        let body = format!(
            "<p>No crossing day was confirmed from {from} to {to}: no place was planned, used or lost.</p>\n"
        );
        return section("utilisation", "Places used", &body, &source);
    }
    let mut body = String::new();
    for direction in [Direction::Outbound, Direction::Inbound] {
        let totals = UseTotals::of(data.utilisation.iter().filter(|d| d.direction == direction));
        if totals.days == 0 {
            continue;
        }
        let freed = totals.freed;
        let causes = counts(freed.by_cause().iter().map(|(_, n)| u64::from(*n)));
        let _ = writeln!(
            body,
            "<p>{direction}: {days} offered {places} places; {crossed} people crossed, {expected} are still expected. Places freed: {declined} declined, {unreachable} unreachable, {no_show} no-show, {turned_back} turned back, {removed} removed; {refilled} refilled from standby.</p>",
            direction = escape(&capitalised(direction.as_str())),
            days = if totals.days == 1 {
                "1 confirmed day".to_string()
            } else {
                format!("{} confirmed days", totals.days)
            },
            places = group_thousands(u64::from(totals.available)),
            crossed = count_html(u64::from(totals.crossed)),
            expected = count_html(u64::from(totals.expected)),
            declined = escape(&causes[0]),
            unreachable = escape(&causes[1]),
            no_show = escape(&causes[2]),
            turned_back = escape(&causes[3]),
            removed = escape(&causes[4]),
            refilled = count_html(u64::from(totals.refilled)),
        );
    }
    body.push_str(&places_used_chart(&data.utilisation, from, to));
    let rows: Vec<Vec<String>> = [Direction::Outbound, Direction::Inbound]
        .into_iter()
        .flat_map(|direction| {
            weekly_use(&data.utilisation, direction, from, to)
                .into_iter()
                .filter(|week| week.totals.days > 0)
                .map(move |week| {
                    let totals = week.totals;
                    vec![
                        format!("{} to {}", week.from, week.to),
                        direction.to_string(),
                        group_thousands(u64::from(totals.available)),
                        count(u64::from(totals.planned)),
                        count(u64::from(totals.crossed)),
                        count(u64::from(totals.freed.total())),
                        count(u64::from(totals.refilled)),
                    ]
                })
        })
        .collect();
    body.push_str(&table(
        &[
            "Week",
            "Direction",
            "Places",
            "Planned",
            "Crossed",
            "Freed",
            "Refilled",
        ],
        &rows,
        &[2, 3, 4, 5, 6],
    ));
    section("utilisation", "Places used", &body, &source)
}

/// Outbound places each week next to the people who crossed in them and
/// the freed places nobody took (counts of people below 5 drawn at zero).
pub fn places_used_chart(days: &[DayUse], from: Date, to: Date) -> String {
    let weeks = weekly_use(days, Direction::Outbound, from, to);
    let chart = GroupedBarChart {
        reference: None,
        label_every: 0,
        caption: Caption {
            id: "places-used-per-week".to_string(),
            title: "Outbound places used per week".to_string(),
            description: "Places on the confirmed outbound manifests of each week, the people who crossed in them, and the places freed (declined, unreachable, no-show, turned back, removed) that standby did not take; counts of people below 5 are drawn at zero.".to_string(),
        },
        groups: weeks
            .iter()
            .map(|w| format!("{}–{}", w.from.strftime("%m-%d"), w.to.strftime("%m-%d")))
            .collect(),
        x_label: "week".to_string(),
        y_axis: Axis::new("places / people"),
        series: vec![
            BarSeries {
                label: "places".to_string(),
                values: weeks.iter().map(|w| f64::from(w.totals.available)).collect(),
                intervals: Vec::new(),
            },
            BarSeries {
                label: "crossed".to_string(),
                values: weeks
                    .iter()
                    .map(|w| suppress(u64::from(w.totals.crossed)).plotted())
                    .collect(),
                intervals: Vec::new(),
            },
            BarSeries {
                label: "freed, not refilled".to_string(),
                values: weeks
                    .iter()
                    .map(|w| suppress(u64::from(w.totals.not_refilled())).plotted())
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

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn deaths_section(data: &SitrepData) -> String {
    let deaths = &data.deaths;
    let total: u64 = deaths.total_by_tier.iter().map(|(_, n)| n).sum();
    let window: u64 = deaths.window_by_tier.iter().map(|(_, n)| n).sum();
    let mut body = format!(
        "<p>{} patients died while waiting since records began; {} from {} to {}.</p>\n",
        count_html(total),
        count_html(window),
        data.evacuations.from,
        data.evacuations.to
    );
    let in_window: Vec<u64> = deaths
        .total_by_tier
        .iter()
        .map(|(tier, _)| {
            deaths
                .window_by_tier
                .iter()
                .find(|(t, _)| t == tier)
                .map_or(0, |(_, n)| *n)
        })
        .collect();
    let rows: Vec<Vec<String>> = deaths
        .total_by_tier
        .iter()
        .zip(counts(deaths.total_by_tier.iter().map(|(_, n)| *n)))
        .zip(counts(in_window))
        .map(|(((tier, _), total), window)| vec![tier.to_string(), total, window])
        .collect();
    body.push_str(&table(
        &[
            "Tier",
            "Died while waiting, all time",
            "In the report window",
        ],
        &rows,
        &[1, 2],
    ));
    section(
        "deaths",
        "Deaths while waiting",
        &body,
        &computed(
            data,
            "patients whose status is died-while-waiting, by tier and date of death",
        ),
    )
}

pub fn forecast_section(data: &SitrepData) -> String {
    let Some(forecast) = &data.forecast else {
        return section(
            "forecast",
            "Forecasts",
            "<p>No forecast was run for this report.</p>\n",
            "none.",
        );
    };
    let mut body = String::new();
    let rows: Vec<Vec<String>> = forecast
        .runs
        .iter()
        .map(|run| {
            let clear = match run.days_to_clear {
                Some((mean, low, high)) => format!("{mean:.0} days (95% CI {low:.0}–{high:.0})"),
                None => format!(
                    "not within {} days in {} of {} runs",
                    run.horizon_days,
                    run.cleared_in.1 - run.cleared_in.0,
                    run.cleared_in.1
                ),
            };
            let (mean, low, high) = run.deaths;
            vec![
                run.label.clone(),
                run.places_per_day.to_string(),
                clear,
                format!("{mean:.0} (95% CI {low:.0}–{high:.0})"),
            ]
        })
        .collect();
    body.push_str(&table(
        &[
            "Capacity",
            "Places a day",
            "Today's backlog cleared in",
            "Deaths while waiting (model)",
        ],
        &rows,
        &[1, 2, 3],
    ));
    if let Some(chart) = forecast_fan_chart(forecast) {
        body.push_str(&chart);
    }
    section(
        "forecast",
        "Forecasts under the current and proposed capacities",
        &body,
        &format!(
            "computed by corridor's Monte Carlo model from the registry's backlog as of {}: {}. \
             Model outputs are expected values, not counts of people.",
            data.date,
            escape(&forecast.model)
        ),
    )
}

/// The fan chart of the waiting list under each run of a forecast section
/// (all tiers); `None` without runs.
pub fn forecast_fan_chart(forecast: &ForecastSection) -> Option<String> {
    let first = forecast.runs.first()?;
    let step = (first.horizon_days / 6).max(1);
    let ticks = (0..first.horizon_days)
        .step_by(step as usize)
        .filter_map(|day| {
            let date = first
                .start
                .checked_add(jiff::Span::new().days(i64::from(day)))
                .ok()?;
            Some((f64::from(day), date.to_string()))
        })
        .collect();
    let chart = FanChart {
        caption: Caption {
            id: "forecast-waiting".to_string(),
            title: "Forecast of the waiting list under each capacity".to_string(),
            description: "End-of-day people waiting (all tiers): median line and 5–95% band over the model's replications.".to_string(),
        },
        x_axis: Axis { label: "date".to_string(), ticks: Ticks::Custom(ticks) },
        y_axis: Axis::new("people waiting"),
        series: forecast
            .runs
            .iter()
            .map(|run| FanSeries {
                label: run.label.clone(),
                p5: run.list_p5.clone(),
                p50: run.list_p50.clone(),
                p95: run.list_p95.clone(),
            })
            .collect(),
        size: Size { width: 900.0, height: 400.0 },
    };
    Some(corridor_charts::fan_chart(&chart))
}

pub fn denials_section(data: &SitrepData) -> String {
    let shown: Vec<Vec<String>> = data
        .denial_reasons
        .iter()
        .take(10)
        .map(|reason| {
            vec![
                reason.label.clone(),
                reason.code.to_string(),
                count(reason.count),
            ]
        })
        .collect();
    let body = if shown.is_empty() {
        "<p>No clearance denials in the report window.</p>\n".to_string()
    } else {
        table(&["Reason", "Code", "Denials"], &shown, &[2])
    };
    section(
        "clearance-denials",
        "Top clearance denial reasons",
        &body,
        &computed(
            data,
            &format!(
                "deny events in the status history from {} to {}, grouped by reason code \
                 (denials recorded before reasons were coded count as other); notes about \
                 people are never shown",
                data.evacuations.from, data.evacuations.to
            ),
        ),
    )
}

/// Aid trucks against the target, the pipeline now, tonnes reconciled, and
/// the top rejection and return reasons. Trucks are not people: no count is
/// suppressed.
pub fn aid_section(data: &SitrepData) -> String {
    let Some(aid) = &data.aid else {
        return section(
            "aid",
            "Aid trucks against target",
            "<p>No aid consignments are tracked in this registry.</p>\n",
            &computed(data, "the aid pipeline (empty)"),
        );
    };
    let inspected = trucks_per_day(aid, TruckDefinition::Inspected);
    let collected = trucks_per_day(aid, TruckDefinition::Collected);
    let total = |days: &[corridor_domain::DailyTrucks]| days.iter().map(|d| d.total).sum::<u64>();
    let fuel: u64 = inspected.iter().map(|d| d.fuel).sum();
    let met = inspected.iter().filter(|d| d.met_target).count();
    let day_count = inspected.len().max(1) as u64;
    let mut body = format!(
        "<p>From {} to {}: {} trucks inspected (cleared at inspection, as presented, often \
         half-filled), {} a day on average against a target of {} a day ({} of them fuel; \
         fuel trucks inspected: {}). The target was met on {} of {} days. Counted after \
         repacking onto full vehicles, {} trucks were collected inside.</p>\n",
        aid.from,
        aid.to,
        group_thousands(total(&inspected)),
        group_thousands(total(&inspected) / day_count),
        aid.target.per_day,
        aid.target.fuel_per_day,
        group_thousands(fuel),
        met,
        inspected.len(),
        group_thousands(total(&collected)),
    );
    body.push_str(&aid_trucks_chart(aid));
    let categories: Vec<Vec<String>> = CargoCategory::ALL
        .iter()
        .enumerate()
        .map(|(index, category)| {
            let sum = |days: &[corridor_domain::DailyTrucks]| {
                days.iter()
                    .map(|d| d.by_category.get(index).copied().unwrap_or(0))
                    .sum::<u64>()
            };
            vec![
                category.to_string(),
                group_thousands(sum(&inspected)),
                group_thousands(sum(&collected)),
            ]
        })
        .collect();
    body.push_str(&table(
        &["Cargo", "Trucks inspected", "Trucks collected"],
        &categories,
        &[1, 2],
    ));
    let tonnes = &aid.tonnes;
    body.push_str(&table(
        &["Tonnes", "In the period"],
        &[
            vec!["dispatched".to_string(), tonnes.dispatched.to_string()],
            vec![
                "offloaded at inspection".to_string(),
                tonnes.offloaded.to_string(),
            ],
            vec!["collected inside".to_string(), tonnes.collected.to_string()],
            vec!["delivered".to_string(), tonnes.delivered.to_string()],
            vec![
                "intercepted in transit".to_string(),
                tonnes.intercepted.to_string(),
            ],
            vec!["sent back".to_string(), tonnes.returned.to_string()],
        ],
        &[1],
    ));
    let mut in_stage: Vec<(Stage, u64, u64)> = Vec::new();
    for count in aid.in_stage.iter().filter(|c| !c.stage.is_final()) {
        match in_stage
            .iter_mut()
            .find(|(stage, _, _)| *stage == count.stage)
        {
            Some(entry) => {
                entry.1 += count.consignments;
                entry.2 += count.trucks;
            }
            None => in_stage.push((count.stage, count.consignments, count.trucks)),
        }
    }
    in_stage.sort_by_key(|(stage, _, _)| *stage);
    let rows: Vec<Vec<String>> = in_stage
        .iter()
        .map(|(stage, consignments, trucks)| {
            vec![
                stage.to_string(),
                group_thousands(*consignments),
                group_thousands(*trucks),
            ]
        })
        .collect();
    if !rows.is_empty() {
        body.push_str(&format!(
            "<p>In the pipeline as of {}:</p>\n",
            aid.as_of.strftime("%Y-%m-%d %H:%M UTC")
        ));
        body.push_str(&table(&["Stage", "Consignments", "Trucks"], &rows, &[1, 2]));
    }
    for (title, reasons) in [
        ("Top rejection reasons at inspection", &aid.rejections),
        ("Top reasons for sending trucks back unloaded", &aid.returns),
    ] {
        let rows: Vec<Vec<String>> = reasons
            .iter()
            .take(10)
            .map(|r| {
                vec![
                    r.reason.clone(),
                    group_thousands(r.consignments),
                    group_thousands(r.trucks),
                ]
            })
            .collect();
        let _ = writeln!(body, "<h3>{}</h3>", escape(title));
        if rows.is_empty() {
            body.push_str("<p>None in the period.</p>\n");
        } else {
            body.push_str(&table(
                &["Reason", "Consignments", "Trucks"],
                &rows,
                &[1, 2],
            ));
        }
    }
    section(
        "aid",
        "Aid trucks against target",
        &body,
        &computed(
            data,
            "stage events of the aid pipeline by UTC day; trucks inspected are arrivals into cleared, \
             trucks collected are arrivals into collected, each with the load recorded at that stage",
        ),
    )
}

/// The trucks of each day of the report under one definition of a truck.
pub fn trucks_per_day(
    aid: &AidReport,
    definition: TruckDefinition,
) -> Vec<corridor_domain::DailyTrucks> {
    TruckDefinition::ALL
        .iter()
        .position(|d| *d == definition)
        .and_then(|index| aid.daily.get(index))
        .cloned()
        .unwrap_or_default()
}

/// Trucks cleared at inspection and collected inside each day, next to the
/// target.
pub fn aid_trucks_chart(aid: &AidReport) -> String {
    let inspected = trucks_per_day(aid, TruckDefinition::Inspected);
    let collected = trucks_per_day(aid, TruckDefinition::Collected);
    let chart = GroupedBarChart {
        caption: Caption {
            id: "aid-trucks-per-day".to_string(),
            title: "Aid trucks per day against the target".to_string(),
            description: format!(
                "Trucks cleared at inspection and trucks collected inside after repacking, each day, against the target of {} a day drawn as a dashed line; the axis is labelled at the start of each week.",
                aid.target.per_day
            ),
        },
        groups: inspected
            .iter()
            .map(|d| d.date.strftime("%-d %b").to_string())
            .collect(),
        x_label: "day (labelled weekly)".to_string(),
        y_axis: Axis::new("trucks"),
        series: vec![
            BarSeries {
                label: "inspected".to_string(),
                values: inspected.iter().map(|d| d.total as f64).collect(),
                intervals: Vec::new(),
            },
            BarSeries {
                label: "collected".to_string(),
                values: collected.iter().map(|d| d.total as f64).collect(),
                intervals: Vec::new(),
            },
        ],
        reference: Some(ReferenceLine {
            label: format!("target ({} a day)", aid.target.per_day),
            value: f64::from(aid.target.per_day),
        }),
        label_every: DAYS_PER_WEEK,
        size: Size {
            width: 900.0,
            height: 380.0,
        },
    };
    corridor_charts::grouped_bar_chart(&chart)
}

const DAYS_PER_WEEK: usize = 7;

pub fn figures_section(data: &SitrepData) -> String {
    let rows: Vec<Vec<String>> = data
        .figures
        .iter()
        .map(|figure| {
            vec![
                figure.label.to_string(),
                format_figure(figure.value),
                figure.unit.to_string(),
                figure.date.to_string(),
                format!(
                    "{}, \u{201c}{}\u{201d}, {}",
                    figure.source.publisher, figure.source.title, figure.source.published
                ),
                figure
                    .note
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let body = if rows.is_empty() {
        "<p>No public figures are recorded; add them with <code>corridor figures add</code>.</p>\n"
            .to_string()
    } else {
        table(
            &["Figure", "Value", "Unit", "Date", "Source", "Note"],
            &rows,
            &[1, 3],
        )
    };
    section(
        "public-figures",
        "Public figures",
        &body,
        "as cited in each row (publisher, title, date of publication); entered in corridor with their citation.",
    )
}

fn format_figure(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        let whole = value.abs() as u64;
        let sign = if value < 0.0 { "-" } else { "" };
        format!("{sign}{}", group_thousands(whole))
    } else {
        format!("{value}")
    }
}

/// Text for HTML content and attributes.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}
