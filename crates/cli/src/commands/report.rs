//! `corridor report` (the situation report) and the HXL exports of
//! aggregates: `corridor export waiting-list|evacuations|deaths`.
//!
//! The report's figures are gathered by `corridor_store::Store::situation`
//! (the same gathering as the web dashboard's), its forecast is run by
//! `corridor_store::RegistryForecast`, and it is rendered by
//! `corridor_interop::sitrep`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use corridor_domain::{Role, TruckTarget};
use corridor_interop::aggregates::{
    DeathsRow, EvacuationRow, WaitingCell, write_aid, write_deaths, write_evacuations,
    write_waiting,
};
use corridor_interop::sitrep::render_html;
use corridor_sim::{ForecastConfig, Replications, Scenario};
use corridor_store::{EvacuationCount, ReferenceData, RegistryForecast};
use jiff::civil::Date;

use crate::context::Context;
use crate::flags::report::{OutArgs, ReportArgs, WindowArgs};

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
        Some(date) => *date,
        None => context.today,
    };
    let from = match &args.from {
        Some(date) => *date,
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
            reference.destination(count.facility.as_ref()),
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
                quota: reference.evacuee_quota_on(Some(&crossing), date),
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
        Some(date) => *date,
        None => context.today,
    };
    if args.window_days == 0 {
        bail!("--window-days must be at least 1");
    }
    if args.out.extension().is_none_or(|e| e != "html") {
        bail!("--out {}: give an .html file name", args.out.display());
    }
    let mut data = context
        .store
        .situation(date, args.window_days, context.now)
        .await?;
    let reference = context.store.reference().await?;
    let summary = context.store.waiting_summary(date).await?;
    let current = match args.current_capacity {
        Some(places) => places,
        None => reference.current_evacuee_quota(date).ok_or_else(|| {
            anyhow!(
                "no evacuee quota is in force on {date} or announced after it; give --current-capacity PLACES"
            )
        })?,
    };
    let (weekdays, weekdays_text) = reference
        .evacuee_operating_days(date)
        .map_err(|e| anyhow!("{e}"))?;
    let (template, origin) = forecast_template(args)?;
    let forecast = RegistryForecast {
        template,
        origin,
        backlog: summary.backlog_by_tier(),
        start: date,
        capacities: vec![
            (format!("current ({current} a day)"), current),
            (
                format!("proposed ({} a day)", args.proposed_capacity),
                args.proposed_capacity,
            ),
        ],
        weekdays,
        weekdays_text,
        config: ForecastConfig {
            replications: Replications::new(args.replications)
                .map_err(|e| anyhow!("--replications {e}"))?,
            seed: args.seed,
        },
    };
    data.forecast = Some(forecast.run()?);
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

/// The scenario whose assumptions the report's forecast uses, and where it
/// comes from: `--scenario FILE`, else corridor's calibrated scenario.
fn forecast_template(args: &ReportArgs) -> anyhow::Result<(Scenario, String)> {
    let Some(path) = &args.scenario else {
        return Ok((
            corridor_sim::calibrated_template()?,
            "corridor's calibrated scenario (scenarios/calibrated.toml)".to_string(),
        ));
    };
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the scenario file {origin}"))?;
    let file = corridor_sim::parse_scenario_file(&text)
        .with_context(|| format!("in the scenario file {origin}"))?;
    let template = file
        .scenarios
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("the scenario file {origin} defines no scenario"))?;
    Ok((template, origin))
}
