//! `corridor forecast`: Monte Carlo forecast of the waiting list.
//!
//! Arguments are first turned into a [`Plan`] (scenarios, policies,
//! replications, seed), then every scenario × policy is simulated with
//! `corridor-sim`, printed as a table (or JSON) and drawn with
//! `corridor-charts`. The wire shapes of `--json` are defined here, not in
//! the simulator, because only the edge knows formats.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use corridor_sim::{
    CompanionDistribution, Completion, Estimate, Forecast, ForecastConfig, OperatingWeekdays,
    PolicySpec, QuickField, QuickScenario, QuickTier, Replications, Scenario,
};
use jiff::civil::Date;
use serde::Serialize;

use crate::flags::forecast::ForecastArgs;

/// Whether the caller must read the backlog from the registry.
pub fn wants_registry(args: &ForecastArgs) -> bool {
    args.from_registry
}

/// Runs the forecast. `backlog_from_registry` is the per-tier count of
/// people waiting, highest priority first, when `--from-registry` was given.
pub fn run(
    args: &ForecastArgs,
    backlog_from_registry: Option<Vec<(String, u64)>>,
    today: Date,
    out: &mut dyn Write,
) -> Result<()> {
    let plan = Plan::from_args(args, backlog_from_registry, || today)?;
    let total = u64::from(plan.config.replications.get())
        * (plan.scenarios.len() * plan.policies.len()) as u64;
    let bar = crate::output::BARS.add(indicatif::ProgressBar::new(total));
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg:40!} [{bar:30}] {pos}/{len} replications, {elapsed} elapsed, ~{eta} left",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    let mut forecasts = Vec::new();
    for scenario in &plan.scenarios {
        for policy in &plan.policies {
            bar.set_message(format!("{} / {}", scenario.name, policy));
            let forecast =
                corridor_sim::forecast(scenario, policy.policy(), &plan.config, &|n| bar.inc(n));
            forecasts.push(forecast);
        }
    }
    bar.finish_and_clear();

    if args.json {
        let report = JsonReport::new(&plan, &forecasts);
        serde_json::to_writer_pretty(&mut *out, &report).context("writing the JSON report")?;
        writeln!(out)?;
    } else {
        write_text(out, &plan, &forecasts)?;
    }
    if let Some(directory) = &args.svg {
        let written = write_charts(directory, &plan, &forecasts)?;
        if !args.json {
            writeln!(
                out,
                "\nCharts written to {}: {}",
                directory.display(),
                written.join(", ")
            )?;
        }
    }
    Ok(())
}

/// What to simulate, validated.
#[derive(Debug)]
struct Plan {
    scenarios: Vec<Scenario>,
    policies: Vec<PolicySpec>,
    config: ForecastConfig,
}

impl Plan {
    fn from_args(
        args: &ForecastArgs,
        registry: Option<Vec<(String, u64)>>,
        today: impl Fn() -> Date,
    ) -> Result<Plan> {
        let start = args
            .start
            .as_deref()
            .map(|text| {
                text.parse::<Date>()
                    .map_err(|_| anyhow!("--start {text:?}: give a date as YYYY-MM-DD"))
            })
            .transpose()?;
        let registry =
            if args.from_registry {
                Some(registry.ok_or_else(|| {
                    anyhow!("--from-registry: no backlog was read from the registry")
                })?)
            } else {
                None
            };
        let (mut scenarios, file_policies, file_replications, file_seed) = match &args.scenario {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading the scenario file {}", path.display()))?;
                let file = corridor_sim::parse_scenario_file(&text)
                    .with_context(|| format!("in the scenario file {}", path.display()))?;
                (file.scenarios, file.policies, file.replications, file.seed)
            }
            None => {
                let backlog = match (&args.backlog, &registry) {
                    (Some(text), _) => parse_pairs(text, "--backlog")?
                        .into_iter()
                        .map(|(name, count)| {
                            let count = count_from(count, &format!("--backlog {name}"))?;
                            Ok((name, u64::from(count)))
                        })
                        .collect::<Result<Vec<_>>>()?,
                    (None, Some(registry)) => registry.clone(),
                    (None, None) => bail!(
                        "give --scenario FILE, or a quick scenario with --backlog TIER=COUNT,... \
                         (or --from-registry) and --capacity PLACES"
                    ),
                };
                let scenario = quick_scenario(args, &backlog, start.unwrap_or_else(&today))?;
                (vec![scenario], vec![PolicySpec::StrictPriority], None, None)
            }
        };
        if let Some(registry) = &registry {
            for scenario in &mut scenarios {
                corridor_sim::apply_registry_backlog(scenario, registry)?;
                // The registry's backlog is today's: the forecast starts today.
                scenario.start = start.unwrap_or_else(&today);
            }
        } else if let Some(start) = start {
            for scenario in &mut scenarios {
                scenario.start = start;
            }
        }
        let policies = if args.policies.is_empty() {
            file_policies
        } else if args.policies.iter().any(|name| name == "all") {
            PolicySpec::ALL.to_vec()
        } else {
            args.policies
                .iter()
                .map(|name| PolicySpec::parse(name).map_err(|e| anyhow!("--policy {e}")))
                .collect::<Result<_>>()?
        };
        let replications = match args.replications {
            Some(count) => Replications::new(count).map_err(|e| anyhow!("--replications {e}"))?,
            None => match file_replications {
                Some(replications) => replications,
                None => Replications::new(1000).map_err(|e| anyhow!("default replications {e}"))?,
            },
        };
        let seed = args.seed.or(file_seed).unwrap_or(1);
        Ok(Plan {
            scenarios,
            policies,
            config: ForecastConfig { replications, seed },
        })
    }
}

fn quick_scenario(args: &ForecastArgs, backlog: &[(String, u64)], start: Date) -> Result<Scenario> {
    let capacity = args
        .capacity
        .ok_or_else(|| anyhow!("a quick scenario needs --capacity PLACES (places a day)"))?;
    let referrals = match &args.referrals {
        Some(text) => parse_pairs(text, "--referrals")?,
        None => Vec::new(),
    };
    let mortality = match &args.annual_mortality {
        Some(text) => parse_pairs(text, "--annual-mortality")?,
        None => Vec::new(),
    };
    for (name, _) in referrals.iter().chain(&mortality) {
        if !backlog.iter().any(|(tier, _)| tier == name) {
            bail!(
                "tier {name:?} is not in the backlog; give it in --backlog (with 0 if nobody waits)"
            );
        }
    }
    let companions = match &args.companions {
        Some(text) => {
            let probabilities = text
                .split(',')
                .map(|p| {
                    p.trim()
                        .parse::<f64>()
                        .map_err(|_| anyhow!("--companions: {p:?} is not a number"))
                })
                .collect::<Result<Vec<_>>>()?;
            CompanionDistribution::new(&probabilities).map_err(|e| anyhow!("--companions {e}"))?
        }
        None => CompanionDistribution::exactly(0).map_err(|e| anyhow!("{e}"))?,
    };
    let weekdays = match &args.weekdays {
        None => OperatingWeekdays::EVERY_DAY,
        Some(text) => {
            let days = text
                .split(',')
                .map(|day| weekday(day.trim()))
                .collect::<Result<Vec<_>>>()?;
            OperatingWeekdays::new(&days).map_err(|e| anyhow!("--weekdays {e}"))?
        }
    };
    let value_for = |pairs: &[(String, f64)], name: &str| {
        pairs.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    };
    let quick = QuickScenario {
        start,
        horizon_days: args.horizon_days,
        tiers: backlog
            .iter()
            .map(|(name, count)| QuickTier {
                name: name.clone(),
                backlog: *count,
                referrals_per_day: value_for(&referrals, name).unwrap_or(0.0),
                annual_mortality: value_for(&mortality, name).unwrap_or(0.0),
            })
            .collect(),
        places_per_day: capacity,
        weekdays,
        companions,
        // A quick forecast from the command line has no children; a
        // scenario file gives each tier its share.
        child_share: 0.0,
        no_show: args.no_show.unwrap_or(0.0),
        standby_fill: args.standby_fill.unwrap_or(0.0),
    };
    quick.build().map_err(|error| {
        let flag = match &error.field {
            QuickField::Tiers => {
                return anyhow!(
                    "the backlog names no tier; give e.g. --backlog critical=440,routine=19560"
                );
            }
            QuickField::TierName(_) => "tier name".to_owned(),
            QuickField::Backlog(name) => format!("tier {name}"),
            QuickField::Referrals(name) => format!("--referrals {name}"),
            QuickField::AnnualMortality(name) => format!("--annual-mortality {name}"),
            QuickField::HorizonDays => "--horizon-days".to_owned(),
            QuickField::ChildShare => "child share".to_owned(),
            QuickField::NoShow => "--no-show".to_owned(),
            QuickField::StandbyFill => "--standby-fill".to_owned(),
        };
        anyhow!("{flag} {error}")
    })
}

/// `a=1,b=2.5` into pairs, keeping the order.
fn parse_pairs(text: &str, flag: &str) -> Result<Vec<(String, f64)>> {
    text.split(',')
        .filter(|item| !item.trim().is_empty())
        .map(|item| {
            let (name, value) = item
                .split_once('=')
                .ok_or_else(|| anyhow!("{flag}: {item:?} should look like tier=number"))?;
            let value: f64 = value
                .trim()
                .parse()
                .map_err(|_| anyhow!("{flag}: {value:?} (tier {}) is not a number", name.trim()))?;
            Ok((name.trim().to_owned(), value))
        })
        .collect()
}

fn count_from(value: f64, what: &str) -> Result<u32> {
    if value >= 0.0 && value.fract() == 0.0 && value <= f64::from(u32::MAX) {
        Ok(value as u32)
    } else {
        bail!("{what}: {value} is not a whole number of people")
    }
}

fn weekday(name: &str) -> Result<jiff::civil::Weekday> {
    corridor_sim::parse_weekday(name).map_err(|e| anyhow!("--weekdays: {e}"))
}

// ---------------------------------------------------------------- text

fn write_text(out: &mut dyn Write, plan: &Plan, forecasts: &[Forecast]) -> Result<()> {
    writeln!(
        out,
        "corridor forecast: {} replications a run, seed {}. Figures are means over the replications, \
         with 95% confidence intervals in [brackets].",
        plan.config.replications.get(),
        plan.config.seed
    )?;
    for forecast in forecasts {
        let backlog: u32 = forecast.initial_backlog_by_tier.iter().sum();
        let tiers: Vec<String> = forecast
            .tiers
            .iter()
            .zip(&forecast.initial_backlog_by_tier)
            .map(|(name, count)| format!("{name} {}", thousands(f64::from(*count))))
            .collect();
        writeln!(out)?;
        writeln!(out, "{} | policy: {}", forecast.scenario, forecast.policy)?;
        writeln!(
            out,
            "  from {} for {} days; initial backlog {} ({})",
            forecast.start,
            forecast.horizon_days,
            thousands(f64::from(backlog)),
            tiers.join(", ")
        )?;
        let mut summary = Table::default();
        summary.row([
            "initial backlog cleared after".to_owned(),
            completion(
                &forecast.backlog_cleared,
                forecast.start,
                forecast.horizon_days,
            ),
        ]);
        summary.row([
            "list empty after".to_owned(),
            completion(&forecast.list_empty, forecast.start, forecast.horizon_days),
        ]);
        summary.row([
            "patients evacuated".to_owned(),
            format!(
                "{} (with {} companions)",
                estimate(&forecast.evacuated, 0),
                estimate_plain(&forecast.companions_evacuated)
            ),
        ]);
        summary.row([
            "deaths while waiting".to_owned(),
            estimate(&forecast.deaths, 0),
        ]);
        summary.write(out, "  ")?;
        writeln!(out)?;
        let mut table = Table::default();
        table.row(
            [
                "tier",
                "evacuated",
                "deaths while waiting",
                "still waiting at end",
                "mean wait (days)",
                "median wait (days)",
                "90th pct wait (days)",
            ]
            .map(str::to_owned),
        );
        for (index, name) in forecast.tiers.iter().enumerate() {
            let waits = &forecast.wait_by_tier[index];
            let wait = |value: &Option<Estimate>| {
                value
                    .as_ref()
                    .map_or("nobody left".to_owned(), |e| estimate(e, 1))
            };
            table.row([
                name.clone(),
                estimate(&forecast.evacuated_by_tier[index], 0),
                estimate(&forecast.deaths_by_tier[index], 0),
                estimate(&forecast.waiting_at_end_by_tier[index], 0),
                wait(&waits.mean),
                wait(&waits.p50),
                wait(&waits.p90),
            ]);
        }
        table.write(out, "  ")?;
        let removed: f64 = forecast
            .removed_after_denial_by_tier
            .iter()
            .map(|e| e.mean)
            .sum();
        if removed > 0.0 {
            writeln!(
                out,
                "  {} left the list after a final clearance denial.",
                thousands(removed)
            )?;
        }
    }
    Ok(())
}

fn completion(completion: &Completion, start: Date, horizon: u32) -> String {
    match &completion.days {
        Some(days) => {
            // "After N days" ends on the evening of day index N - 1.
            let last_day = (days.mean.round() as i64 - 1).max(0);
            match start.checked_add(jiff::Span::new().days(last_day)) {
                Ok(date) => format!("{} days (around {date})", estimate(days, 1)),
                Err(_) => format!("{} days", estimate(days, 1)),
            }
        }
        None if completion.completed == 0 => {
            format!("not within {horizon} days (in no replication)")
        }
        None => format!(
            "not within {horizon} days in {} of {} replications",
            completion.replications - completion.completed,
            completion.replications
        ),
    }
}

/// "16,950 [16,941 – 16,959]"; the interval is omitted when it has no width.
fn estimate(estimate: &Estimate, decimals: usize) -> String {
    let value = |v: f64| {
        if decimals == 0 {
            thousands(v)
        } else {
            format!("{v:.decimals$}")
        }
    };
    if estimate.high - estimate.low < 0.05 {
        let text = value(estimate.mean);
        text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
    } else {
        format!(
            "{} [{} – {}]",
            value(estimate.mean),
            value(estimate.low),
            value(estimate.high)
        )
    }
}

fn estimate_plain(estimate: &Estimate) -> String {
    thousands(estimate.mean)
}

/// A whole number with thousands separators.
fn thousands(value: f64) -> String {
    corridor_charts::format_number(value.round(), 1.0)
}

/// Left-aligned columns padded to their widest cell.
#[derive(Default)]
struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    fn row<const N: usize>(&mut self, cells: [String; N]) {
        self.rows.push(cells.to_vec());
    }

    fn write(&self, out: &mut dyn Write, indent: &str) -> Result<()> {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|row| row.get(c))
                    .map(|cell| cell.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &self.rows {
            let mut line = String::from(indent);
            for (index, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if index + 1 < row.len() {
                    line.push_str(&" ".repeat(widths[index] - cell.chars().count() + 3));
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- JSON

/// The `--json` document. Field names are part of the command's interface:
/// add fields, never rename or remove them.
#[derive(Debug, Serialize)]
struct JsonReport {
    replications: u32,
    seed: u64,
    confidence_interval: &'static str,
    forecasts: Vec<JsonForecast>,
}

#[derive(Debug, Serialize)]
struct JsonForecast {
    scenario: String,
    policy: String,
    start: String,
    horizon_days: u32,
    backlog_cleared: JsonCompletion,
    list_empty: JsonCompletion,
    evacuated: JsonEstimate,
    companions_evacuated: JsonEstimate,
    deaths: JsonEstimate,
    tiers: Vec<JsonTier>,
    series: JsonSeries,
}

#[derive(Debug, Serialize)]
struct JsonCompletion {
    /// Replications in which it happened within the horizon.
    completed: u32,
    replications: u32,
    /// Present only when it happened in every replication.
    days: Option<JsonEstimate>,
}

#[derive(Debug, Serialize)]
struct JsonEstimate {
    mean: f64,
    low: f64,
    high: f64,
}

#[derive(Debug, Serialize)]
struct JsonTier {
    name: String,
    initial_backlog: u32,
    evacuated: JsonEstimate,
    deaths: JsonEstimate,
    removed_after_denial: JsonEstimate,
    waiting_at_end: JsonEstimate,
    wait_days_mean: Option<JsonEstimate>,
    wait_days_p50: Option<JsonEstimate>,
    wait_days_p90: Option<JsonEstimate>,
}

/// Per day from day 0: the 5th, 50th and 95th percentiles over replications.
#[derive(Debug, Serialize)]
struct JsonSeries {
    list_size_total: JsonBands,
    list_size_by_tier: Vec<JsonTierBands>,
    cumulative_deaths: JsonBands,
}

#[derive(Debug, Serialize)]
struct JsonTierBands {
    tier: String,
    #[serde(flatten)]
    bands: JsonBands,
}

#[derive(Debug, Serialize)]
struct JsonBands {
    p5: Vec<f64>,
    p50: Vec<f64>,
    p95: Vec<f64>,
}

impl JsonReport {
    fn new(plan: &Plan, forecasts: &[Forecast]) -> Self {
        JsonReport {
            replications: plan.config.replications.get(),
            seed: plan.config.seed,
            confidence_interval: "95%, mean ± t(0.975, n-1) · s / sqrt(n) over replications",
            forecasts: forecasts.iter().map(JsonForecast::new).collect(),
        }
    }
}

impl JsonForecast {
    fn new(forecast: &Forecast) -> Self {
        let bands = |bands: &[corridor_sim::Band]| JsonBands {
            p5: bands.iter().map(|b| b.p5).collect(),
            p50: bands.iter().map(|b| b.p50).collect(),
            p95: bands.iter().map(|b| b.p95).collect(),
        };
        JsonForecast {
            scenario: forecast.scenario.clone(),
            policy: forecast.policy.clone(),
            start: forecast.start.to_string(),
            horizon_days: forecast.horizon_days,
            backlog_cleared: JsonCompletion::new(&forecast.backlog_cleared),
            list_empty: JsonCompletion::new(&forecast.list_empty),
            evacuated: forecast.evacuated.into(),
            companions_evacuated: forecast.companions_evacuated.into(),
            deaths: forecast.deaths.into(),
            tiers: (0..forecast.tiers.len())
                .map(|i| JsonTier {
                    name: forecast.tiers[i].clone(),
                    initial_backlog: forecast.initial_backlog_by_tier[i],
                    evacuated: forecast.evacuated_by_tier[i].into(),
                    deaths: forecast.deaths_by_tier[i].into(),
                    removed_after_denial: forecast.removed_after_denial_by_tier[i].into(),
                    waiting_at_end: forecast.waiting_at_end_by_tier[i].into(),
                    wait_days_mean: forecast.wait_by_tier[i].mean.map(Into::into),
                    wait_days_p50: forecast.wait_by_tier[i].p50.map(Into::into),
                    wait_days_p90: forecast.wait_by_tier[i].p90.map(Into::into),
                })
                .collect(),
            series: JsonSeries {
                list_size_total: bands(&forecast.list_size_total),
                list_size_by_tier: forecast
                    .tiers
                    .iter()
                    .zip(&forecast.list_size_by_tier)
                    .map(|(tier, series)| JsonTierBands {
                        tier: tier.clone(),
                        bands: bands(series),
                    })
                    .collect(),
                cumulative_deaths: bands(&forecast.cumulative_deaths),
            },
        }
    }
}

impl JsonCompletion {
    fn new(completion: &Completion) -> Self {
        JsonCompletion {
            completed: completion.completed,
            replications: completion.replications,
            days: completion.days.map(Into::into),
        }
    }
}

impl From<Estimate> for JsonEstimate {
    fn from(estimate: Estimate) -> Self {
        JsonEstimate {
            mean: estimate.mean,
            low: estimate.low,
            high: estimate.high,
        }
    }
}

// ---------------------------------------------------------------- SVG

/// Writes, per scenario: a fan chart of the list by tier for each policy,
/// the cumulative deaths under each policy, and a policy comparison of
/// deaths by tier. Returns the file names.
fn write_charts(directory: &Path, plan: &Plan, forecasts: &[Forecast]) -> Result<Vec<String>> {
    use corridor_interop::forecast_charts::{
        cumulative_deaths_chart, policy_comparison_chart, waiting_by_tier_chart,
    };
    std::fs::create_dir_all(directory)
        .with_context(|| format!("creating {}", directory.display()))?;
    let mut written = Vec::new();
    let mut save = |name: String, svg: String| -> Result<()> {
        let path = directory.join(&name);
        std::fs::write(&path, svg).with_context(|| format!("writing {}", path.display()))?;
        written.push(name);
        Ok(())
    };
    for scenario in &plan.scenarios {
        let of_scenario: Vec<&Forecast> = forecasts
            .iter()
            .filter(|f| f.scenario == scenario.name)
            .collect();
        let slug = slug(&scenario.name);
        for forecast in &of_scenario {
            save(
                format!("{slug}--{}--waiting.svg", forecast.policy),
                waiting_by_tier_chart(&format!("{slug}-{}-waiting", forecast.policy), forecast),
            )?;
        }
        if let Some(svg) = cumulative_deaths_chart(&format!("{slug}-deaths"), &of_scenario) {
            save(format!("{slug}--deaths.svg"), svg)?;
        }
        if let Some(svg) = policy_comparison_chart(&format!("{slug}-policies"), &of_scenario) {
            save(format!("{slug}--policies.svg"), svg)?;
        }
    }
    Ok(written)
}

/// A file-name-safe form of a scenario name.
fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        forecast: ForecastArgs,
    }

    fn run_with(arguments: &[&str], registry: Option<Vec<(String, u64)>>) -> Result<String> {
        let cli =
            Cli::try_parse_from(std::iter::once("corridor").chain(arguments.iter().copied()))?;
        let mut out = Vec::new();
        run(
            &cli.forecast,
            registry,
            jiff::civil::date(2026, 2, 2),
            &mut out,
        )?;
        Ok(String::from_utf8(out)?)
    }

    #[test]
    fn quick_scenario_reproduces_the_public_arithmetic() {
        let text = run_with(
            &[
                "--backlog",
                "critical=440,urgent=5000,routine=14560",
                "--capacity",
                "50",
                "--replications",
                "2",
            ],
            None,
        )
        .unwrap();
        assert!(
            text.contains("initial backlog cleared after   400 days"),
            "{text}"
        );
    }

    #[test]
    fn json_has_a_stable_shape() {
        let text = run_with(
            &[
                "--backlog",
                "critical=100",
                "--capacity",
                "150",
                "--replications",
                "2",
                "--json",
            ],
            None,
        )
        .unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value["forecasts"][0]["backlog_cleared"]["days"]["mean"],
            1.0
        );
        assert_eq!(value["forecasts"][0]["tiers"][0]["name"], "critical");
    }

    #[test]
    fn registry_backlog_needs_known_tiers() {
        let registry = vec![("critical".to_owned(), 10), ("routine".to_owned(), 290)];
        let text = run_with(
            &[
                "--from-registry",
                "--capacity",
                "100",
                "--replications",
                "2",
            ],
            Some(registry),
        )
        .unwrap();
        assert!(
            text.contains("initial backlog cleared after   3 days"),
            "{text}"
        );
    }

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(slug("calibrated, 50 a day"), "calibrated-50-a-day");
    }
}
