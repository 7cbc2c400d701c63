//! `corridor report` (the situation report) and the HXL exports of
//! aggregates: `corridor export waiting-list|evacuations|deaths`.
//!
//! The report is assembled here from the registry and the simulator into a
//! [`SitrepData`], one `*_section` function per part, and rendered by
//! `corridor_interop::sitrep`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use corridor_domain::{
    AgeGroup, Direction, FacilityId, QuotaCategory, Role, Specialty, Tier, TruckTarget,
};
use corridor_interop::aggregates::{
    DeathsRow, EvacuationRow, WaitingCell, write_aid, write_deaths, write_evacuations,
    write_waiting,
};
use corridor_interop::sitrep::{
    DeathsSection, EvacuationDay, EvacuationSection, ForecastRun, ForecastSection, SitrepData,
    WaitingSection, render_html,
};
use corridor_sim::{
    CapacitySegment, ForecastConfig, OperatingWeekdays, Places, PolicySpec, Replications,
};
use corridor_store::{EvacuationCount, ReferenceData};
use jiff::civil::Date;

use super::parse_date;
use crate::context::Context;

/// The model assumptions the report's forecast uses unless `--scenario`
/// names others: the calibrated scenario shipped with corridor.
const CALIBRATED_SCENARIO: &str = include_str!("../../../../scenarios/calibrated.toml");

#[derive(Debug, clap::Args)]
pub struct OutArgs {
    /// Output file; standard output when omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct WindowArgs {
    /// First day (YYYY-MM-DD); default 28 days before --to.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD); default today.
    #[arg(long)]
    pub to: Option<String>,
    /// Output file; standard output when omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Write the weekly situation report as one self-contained HTML file.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The day the report is as of (YYYY-MM-DD); default today.
    #[arg(long)]
    pub date: Option<String>,
    /// The HTML file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Days covered by the evacuation, death and denial sections, ending on --date.
    #[arg(long, default_value_t = 7, value_name = "DAYS")]
    pub window_days: u32,
    /// Places a day for the "current" forecast; default: the evacuee quota
    /// in force on --date.
    #[arg(long, value_name = "PLACES")]
    pub current_capacity: Option<u32>,
    /// Places a day for the "proposed" forecast.
    #[arg(long, default_value_t = 150, value_name = "PLACES")]
    pub proposed_capacity: u32,
    /// Monte Carlo replications of each forecast (few keep the report fast).
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub replications: u32,
    /// Seed of the forecast's random streams.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub seed: u64,
    /// Scenario file whose assumptions (referrals, mortality, companions,
    /// clearance) the forecast uses; default: corridor's calibrated scenario.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
}

/// Writes to `out` (atomically: a temporary file renamed into place, so a
/// failure never leaves half a file under the name) or to standard output.
pub fn write_output(
    out: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<u64>,
) -> anyhow::Result<u64> {
    match out {
        Some(path) => {
            let directory = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let mut temporary = tempfile::NamedTempFile::new_in(directory)
                .with_context(|| format!("cannot write in {}", directory.display()))?;
            let written = write(&mut temporary)?;
            temporary
                .persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(written)
        }
        None => write(&mut std::io::stdout().lock()),
    }
}

fn window(context: &Context, args: &WindowArgs) -> anyhow::Result<(Date, Date)> {
    let to = match &args.to {
        Some(text) => parse_date("--to", text)?,
        None => context.today,
    };
    let from = match &args.from {
        Some(text) => parse_date("--from", text)?,
        None => to.saturating_sub(jiff::Span::new().days(27)),
    };
    if from > to {
        bail!("--from {from} is after --to {to}; give a window that runs forwards");
    }
    Ok((from, to))
}

/// `corridor export waiting-list`.
pub async fn export_waiting(context: &Context, args: &OutArgs) -> anyhow::Result<ExitCode> {
    let cells = waiting_cells(context).await?;
    let written = write_output(args.out.as_deref(), |out| {
        Ok(write_waiting(out, context.today, &cells)?)
    })?;
    if let Some(path) = &args.out {
        eprintln!(
            "Exported {written} rows to {} (HXL; counts below 5 shown as <5).",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn waiting_cells(context: &Context) -> anyhow::Result<Vec<WaitingCell>> {
    Ok(context
        .store
        .waiting_breakdown(context.today)
        .await?
        .into_iter()
        .map(|c| WaitingCell {
            tier: c.tier,
            specialty: c.specialty,
            age_group: c.age_group,
            count: c.count,
        })
        .collect())
}

/// `corridor export evacuations`.
pub async fn export_evacuations(context: &Context, args: &WindowArgs) -> anyhow::Result<ExitCode> {
    let (from, to) = window(context, args)?;
    let reference = context.store.reference().await?;
    let counts = context.store.evacuations(from, to).await?;
    let rows = evacuation_rows(&counts, &reference);
    let written = write_output(args.out.as_deref(), |out| {
        Ok(write_evacuations(out, &rows)?)
    })?;
    if let Some(path) = &args.out {
        eprintln!(
            "Exported {written} rows ({from} to {to}) to {} (HXL; counts below 5 shown as <5).",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `corridor export deaths`.
pub async fn export_deaths(context: &Context, args: &WindowArgs) -> anyhow::Result<ExitCode> {
    let (from, to) = window(context, args)?;
    let rows: Vec<DeathsRow> = context
        .store
        .deaths(from, to)
        .await?
        .into_iter()
        .map(|d| DeathsRow {
            date: d.date,
            tier: d.tier,
            deaths: d.count,
        })
        .collect();
    let written = write_output(args.out.as_deref(), |out| Ok(write_deaths(out, &rows)?))?;
    if let Some(path) = &args.out {
        eprintln!(
            "Exported {written} rows ({from} to {to}) to {} (HXL; counts below 5 shown as <5).",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `corridor export aid`: arrivals into each stage per day and category (HXL).
pub async fn export_aid(context: &Context, args: &WindowArgs) -> anyhow::Result<ExitCode> {
    let (from, to) = window(context, args)?;
    let rows = context.store.aid_arrivals(from, to).await?;
    let target = TruckTarget::default();
    let written = write_output(args.out.as_deref(), |out| {
        Ok(write_aid(out, &rows, target.per_day)?)
    })?;
    if let Some(path) = &args.out {
        eprintln!(
            "Exported {written} rows ({from} to {to}) to {} (HXL; trucks, pallets and tonnes per day, stage and category).",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The evacuee quota of a crossing (or of all crossings) on a day.
fn quota_on(reference: &ReferenceData, crossing: Option<&str>, day: Date) -> Option<u32> {
    let quotas: Vec<u32> = reference
        .quotas
        .iter()
        .filter(|q| q.direction == Direction::Outbound && q.category == QuotaCategory::Evacuees)
        .filter(|q| crossing.is_none_or(|c| q.crossing.as_str() == c))
        .filter(|q| q.applies_on(day))
        .map(|q| q.per_day)
        .collect();
    (!quotas.is_empty()).then(|| quotas.iter().sum())
}

/// The evacuee quota in force on `date`, else the next one announced (a
/// crossing about to reopen): what "current capacity" means for a forecast.
fn current_quota(reference: &ReferenceData, date: Date) -> Option<u32> {
    quota_on(reference, None, date).or_else(|| {
        let next = reference
            .quotas
            .iter()
            .filter(|q| q.direction == Direction::Outbound && q.category == QuotaCategory::Evacuees)
            .map(|q| q.valid_from)
            .filter(|from| *from > date)
            .min()?;
        quota_on(reference, None, next)
    })
}

fn destination(
    reference: &ReferenceData,
    facility: Option<&FacilityId>,
) -> Option<(String, String)> {
    let facility = reference
        .facilities
        .iter()
        .find(|f| Some(&f.id) == facility)?;
    let name = reference
        .countries
        .iter()
        .find(|c| c.code == facility.country)
        .map_or_else(|| facility.country.to_string(), |c| c.name.to_string());
    Some((facility.country.to_string(), name))
}

fn evacuation_rows(counts: &[EvacuationCount], reference: &ReferenceData) -> Vec<EvacuationRow> {
    type Key = (Date, String, Option<(String, String)>);
    let mut rows: BTreeMap<Key, (u64, u64)> = BTreeMap::new();
    for count in counts {
        let crossing = count
            .crossing
            .as_ref()
            .map_or_else(String::new, |c| c.as_str().to_string());
        let key = (
            count.date,
            crossing,
            destination(reference, count.facility.as_ref()),
        );
        let entry = rows.entry(key).or_default();
        match count.role {
            Role::Patient => entry.0 += count.count,
            Role::Companion => entry.1 += count.count,
            // Evacuations are outbound; returnees enter and are not counted here.
            Role::Returnee => {}
        }
    }
    rows.into_iter()
        .map(
            |((date, crossing, destination), (patients, companions))| EvacuationRow {
                crossing_name: reference
                    .crossings
                    .iter()
                    .find(|c| c.id.as_str() == crossing)
                    .map_or_else(|| crossing.clone(), |c| c.name.to_string()),
                quota: quota_on(reference, Some(&crossing), date),
                date,
                crossing,
                destination,
                patients,
                companions,
            },
        )
        .collect()
}

/// `corridor report`.
pub async fn run(context: &Context, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let date = match &args.date {
        Some(text) => parse_date("--date", text)?,
        None => context.today,
    };
    if args.window_days == 0 {
        bail!("--window-days must be at least 1");
    }
    if args.out.extension().is_none_or(|e| e != "html") {
        bail!("--out {}: give an .html file name", args.out.display());
    }
    let from = date.saturating_sub(jiff::Span::new().days(i64::from(args.window_days) - 1));
    let reference = context.store.reference().await?;
    let summary = context.store.waiting_summary(date).await?;
    let waiting = waiting_section(context, date, &summary).await?;
    let evacuations = evacuations_section(context, &reference, from, date, &summary).await?;
    let deaths = deaths_section(context, from, date, &summary).await?;
    let current = match args.current_capacity {
        Some(places) => places,
        None => current_quota(&reference, date).ok_or_else(|| {
            anyhow!(
                "no evacuee quota is in force on {date} or announced after it; give --current-capacity PLACES"
            )
        })?,
    };
    let (weekdays, days_text) = evacuee_operating_days(&reference, date)?;
    let forecast = forecast_section(args, &summary, date, current, weekdays, &days_text)?;
    let aid = context
        .store
        .aid_report(from, date, context.now, TruckTarget::default(), 0)
        .await?;
    let aid = (!(aid.arrivals.is_empty() && aid.in_stage.is_empty())).then_some(aid);
    let data = SitrepData {
        date,
        registry: format!("corridor registry ({})", context.store.backend().name()),
        waiting,
        evacuations,
        deaths,
        forecast: Some(forecast),
        denial_reasons: context.store.denial_reasons(from, date).await?,
        aid,
        figures: context.store.figures().await?,
    };
    let html = render_html(&data);
    write_output(Some(&args.out), |out| {
        out.write_all(html.as_bytes())?;
        Ok(html.len() as u64)
    })?;
    println!(
        "Situation report as of {date} written to {} ({} KiB). Print it to PDF from a browser.",
        args.out.display(),
        html.len().div_ceil(1024)
    );
    Ok(ExitCode::SUCCESS)
}

async fn waiting_section(
    context: &Context,
    date: Date,
    summary: &corridor_store::WaitingSummary,
) -> anyhow::Result<WaitingSection> {
    let breakdown = context.store.waiting_breakdown(date).await?;
    let sum = |keep: &dyn Fn(&corridor_store::WaitingCount) -> bool| -> u64 {
        breakdown.iter().filter(|c| keep(c)).map(|c| c.count).sum()
    };
    Ok(WaitingSection {
        by_tier: Tier::ALL
            .iter()
            .map(|t| (*t, sum(&|c| c.tier == *t)))
            .collect(),
        by_age_group: AgeGroup::ALL
            .iter()
            .map(|g| (*g, sum(&|c| c.age_group == *g)))
            .collect(),
        by_specialty: Specialty::ALL
            .iter()
            .map(|s| (*s, sum(&|c| c.specialty == *s)))
            .collect(),
        by_tier_and_age_group: Tier::ALL
            .iter()
            .flat_map(|t| AgeGroup::ALL.iter().map(move |g| (*t, *g)))
            .map(|(t, g)| (t, g, sum(&|c| c.tier == t && c.age_group == g)))
            .collect(),
        companions: summary.waiting_companions,
        median_wait_days: summary.median_wait_days,
        over_a_year: summary.waiting_over_a_year,
    })
}

async fn evacuations_section(
    context: &Context,
    reference: &ReferenceData,
    from: Date,
    to: Date,
    summary: &corridor_store::WaitingSummary,
) -> anyhow::Result<EvacuationSection> {
    let counts = context.store.evacuations(from, to).await?;
    let mut days = Vec::new();
    let mut day = from;
    while day <= to {
        let of_day = |role: Role| -> u64 {
            counts
                .iter()
                .filter(|c| c.date == day && c.role == role)
                .map(|c| c.count)
                .sum()
        };
        days.push(EvacuationDay {
            date: day,
            patients: of_day(Role::Patient),
            companions: of_day(Role::Companion),
            quota: quota_on(reference, None, day),
        });
        day = day
            .tomorrow()
            .context("the report window runs past the calendar")?;
    }
    let mut by_destination: BTreeMap<String, u64> = BTreeMap::new();
    for count in counts.iter().filter(|c| c.role == Role::Patient) {
        let name = destination(reference, count.facility.as_ref())
            .map_or_else(|| "not yet admitted".to_string(), |(_, name)| name);
        *by_destination.entry(name).or_default() += count.count;
    }
    let mut by_destination: Vec<(String, u64)> = by_destination.into_iter().collect();
    by_destination.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(EvacuationSection {
        from,
        to,
        days,
        by_destination,
        total_to_date: summary.evacuated_patients,
    })
}

async fn deaths_section(
    context: &Context,
    from: Date,
    to: Date,
    summary: &corridor_store::WaitingSummary,
) -> anyhow::Result<DeathsSection> {
    let deaths = context.store.deaths(from, to).await?;
    Ok(DeathsSection {
        total_by_tier: summary
            .died_by_tier
            .iter()
            .map(|c| (c.tier, c.count))
            .collect(),
        window_by_tier: Tier::ALL
            .iter()
            .map(|tier| {
                let n = deaths
                    .iter()
                    .filter(|d| d.tier == *tier)
                    .map(|d| d.count)
                    .sum();
                (*tier, n)
            })
            .collect(),
    })
}

/// Runs the registry's backlog forward under the current and the proposed
/// capacity, with the scenario's other assumptions.
/// The weekdays on which evacuees can leave: those of the crossings with an
/// evacuee quota in force on `date` or announced after it (all of them
/// together, if several), so that a forecast does not count closed days.
fn evacuee_operating_days(
    reference: &ReferenceData,
    date: Date,
) -> anyhow::Result<(OperatingWeekdays, String)> {
    let open = reference
        .crossings
        .iter()
        .filter(|crossing| {
            reference.quotas.iter().any(|q| {
                q.crossing == crossing.id
                    && q.direction == Direction::Outbound
                    && q.category == QuotaCategory::Evacuees
                    && q.valid_to.is_none_or(|to| to >= date)
            })
        })
        .map(|crossing| crossing.operating_days)
        .reduce(corridor_domain::WeekdaySet::union);
    let Some(open) = open else {
        return Ok((OperatingWeekdays::EVERY_DAY, "open every day".to_string()));
    };
    let weekdays = OperatingWeekdays::new(&open.days())
        .map_err(|e| anyhow!("the crossings' operating days: {e}"))?;
    Ok((weekdays, format!("open on {open}")))
}

fn forecast_section(
    args: &ReportArgs,
    summary: &corridor_store::WaitingSummary,
    date: Date,
    current: u32,
    weekdays: OperatingWeekdays,
    days_text: &str,
) -> anyhow::Result<ForecastSection> {
    let (text, origin) = match &args.scenario {
        Some(path) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the scenario file {}", path.display()))?,
            path.display().to_string(),
        ),
        None => (
            CALIBRATED_SCENARIO.to_string(),
            "corridor's calibrated scenario (scenarios/calibrated.toml)".to_string(),
        ),
    };
    let file = corridor_sim::parse_scenario_file(&text)
        .with_context(|| format!("in the scenario file {origin}"))?;
    let template = file
        .scenarios
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("the scenario file {origin} defines no scenario"))?;
    let backlog: Vec<(String, u64)> = summary
        .waiting_by_tier
        .iter()
        .map(|c| (c.tier.as_str().to_string(), c.count))
        .collect();
    let config = ForecastConfig {
        replications: Replications::new(args.replications)
            .map_err(|e| anyhow!("--replications {e}"))?,
        seed: args.seed,
    };
    let mut runs = Vec::new();
    for (label, places) in [
        (format!("current ({current} a day)"), current),
        (
            format!("proposed ({} a day)", args.proposed_capacity),
            args.proposed_capacity,
        ),
    ] {
        let mut scenario = template.clone();
        crate::forecast::apply_registry_backlog(&mut scenario, &backlog)?;
        scenario.name = label.clone();
        scenario.start = date;
        scenario.capacity = vec![CapacitySegment {
            from: date,
            places: Places::PerDay(places),
            weekdays,
        }];
        let forecast = corridor_sim::forecast(
            &scenario,
            PolicySpec::StrictPriority.policy(),
            &config,
            &|_| {},
        );
        runs.push(ForecastRun {
            label,
            places_per_day: places,
            start: date,
            horizon_days: forecast.horizon_days,
            days_to_clear: forecast
                .backlog_cleared
                .days
                .map(|e| (e.mean, e.low, e.high)),
            cleared_in: (
                forecast.backlog_cleared.completed,
                forecast.backlog_cleared.replications,
            ),
            deaths: (
                forecast.deaths.mean,
                forecast.deaths.low,
                forecast.deaths.high,
            ),
            list_p5: forecast.list_size_total.iter().map(|b| b.p5).collect(),
            list_p50: forecast.list_size_total.iter().map(|b| b.p50).collect(),
            list_p95: forecast.list_size_total.iter().map(|b| b.p95).collect(),
        });
    }
    Ok(ForecastSection {
        model: format!(
            "{origin}, strict-priority policy, {} replications, seed {}, crossings {days_text}",
            args.replications, args.seed
        ),
        runs,
    })
}
