//! `corridor aid …`, and `import consignments` / `export consignments`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use corridor_charts::{
    Axis, BarSeries, Caption, GroupedBarChart, LineChart, LineSeries, Size, Ticks,
};
use corridor_domain::{
    AidReport, CargoCategory, Consignment, ConsignmentCase, ConsignmentId, CrossingId, Load,
    MoveFields, Stage, StageChange, StageMove, Text, Tonnes, TruckDefinition, TruckTarget,
};
use corridor_interop::consignments::{
    ConsignmentImport, check_against_registry, read_consignments, write_consignments,
};
use corridor_sim::{ForecastConfig, HorizonDays, QueueScenario, Replications, Shortfall};
use corridor_store::{ImportMode, NewAuditEntry};
use jiff::Timestamp;
use jiff::civil::Date;
use sha2::{Digest, Sha256};

use crate::args::{ConsignmentExportArgs, ImportArgs};
use crate::context::Context;
use crate::output::{count, progress_bar, table};

#[derive(Debug, Subcommand)]
pub enum AidCommand {
    /// Register a consignment, dispatched now (or at --at).
    #[command(
        after_help = "Example:\n  corridor aid add --id WB-1 --agency WFP --category food --origin Al-Arish \\\n    --crossing kerem-shalom --trucks 10 --pallets 240 --tonnes 180\n\nCategories: food, medical, shelter, wash, fuel, other. No personal data is\nrecorded (not the driver)."
    )]
    Add(AddArgs),
    /// Move a consignment to its next stage.
    #[command(
        after_help = "Examples:\n  corridor aid move WB-1 staging\n  corridor aid move WB-1 rejected --reason \"dual-use items\" --items \"generators\"\n  corridor aid move WB-1 returned --reason \"crossing closed\"\n  corridor aid move WB-1 reloaded --trucks 6      after repacking onto 6 full trucks\n  corridor aid move WB-1 delivered --tonnes 172.5\n\nStages: dispatched → staging → checkpoint → inspection → cleared | rejected →\nunloaded → reloaded → crossed → collected → delivered | intercepted; returned\n(without unloading) from staging, checkpoint, inspection or rejected.\n`aid show` prints the moves allowed now."
    )]
    Move(MoveArgs),
    /// Show one consignment: its load, stage and history.
    #[command(after_help = "Example:\n  corridor aid show WB-1")]
    Show(ShowArgs),
    /// The pipeline on one day: trucks by category against the target, stages, dwell, reasons.
    #[command(
        after_help = "Examples:\n  corridor aid status\n  corridor aid status --date 2026-01-15"
    )]
    Status(StatusArgs),
    /// The pipeline over a period, with daily trucks against the target; optionally SVG charts.
    #[command(
        after_help = "Examples:\n  corridor aid report --from 2026-01-01 --to 2026-01-31\n  corridor aid report --from 2025-10-01 --to 2026-01-31 --svg charts/\n\nEach truck count says which definition it uses: trucks cleared at inspection\n(as presented, often half-filled) or trucks collected inside (after repacking\nonto full authorised vehicles). Days are UTC dates."
    )]
    Report(ReportArgs),
    /// Forecast the staging queue from inspection capacity and arrivals.
    #[command(
        after_help = "Examples:\n  corridor aid forecast --inspection-capacity 250 --arrivals 300 --days 90\n  corridor aid forecast --inspection-capacity 300 --capacity-growth 5 --arrivals 650 --days 120\n\nEach day a Poisson number of trucks (mean --arrivals) joins the staging queue\nand up to --inspection-capacity trucks are inspected. The queue starts with\n--queue trucks, or with the trucks in staging now. Prints the queue's 5th, 50th\nand 95th percentiles over the replications and the first day on which the\ntrucks inspected reach the target."
    )]
    Forecast(ForecastArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    pub id: String,
    #[arg(long)]
    pub agency: String,
    /// food, medical, shelter, wash, fuel or other.
    #[arg(long)]
    pub category: String,
    /// Where it was loaded, e.g. Al-Arish.
    #[arg(long)]
    pub origin: String,
    /// The crossing where it is inspected, e.g. kerem-shalom.
    #[arg(long)]
    pub crossing: String,
    #[arg(long)]
    pub trucks: String,
    #[arg(long)]
    pub pallets: String,
    #[arg(long)]
    pub tonnes: String,
    /// When it was dispatched (UTC, e.g. 2026-02-01T08:30); default now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct MoveArgs {
    pub id: String,
    /// The stage it moves to.
    pub stage: String,
    /// Why (required for rejected and returned; optional for intercepted).
    #[arg(long)]
    pub reason: Option<String>,
    /// The items objected to, with rejected.
    #[arg(long)]
    pub items: Option<String>,
    /// Trucks now carrying it (e.g. after repacking).
    #[arg(long)]
    pub trucks: Option<String>,
    /// Pallets now.
    #[arg(long)]
    pub pallets: Option<String>,
    /// Tonnes now (e.g. as collected or delivered).
    #[arg(long)]
    pub tonnes: Option<String>,
    /// A free note kept with the event.
    #[arg(long)]
    pub note: Option<String>,
    /// When it happened (UTC, e.g. 2026-02-01T08:30); default now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Fail instead of applying if the consignment is no longer at this version.
    #[arg(long, value_name = "VERSION")]
    pub expect_version: Option<u32>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub id: String,
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Trucks a day the target asks for.
    #[arg(long, default_value_t = 600)]
    pub target: u32,
    /// Fuel trucks a day the target asks for.
    #[arg(long, default_value_t = 50)]
    pub fuel_target: u32,
    /// How many of the consignments longest in a stage to list.
    #[arg(long, default_value_t = 10)]
    pub oldest: u32,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The day (YYYY-MM-DD, UTC); default today.
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub date: Option<jiff::civil::Date>,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day (YYYY-MM-DD, UTC).
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub from: jiff::civil::Date,
    /// Last day (YYYY-MM-DD, UTC), inclusive.
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub to: jiff::civil::Date,
    /// Write charts (daily trucks vs target, dwell time per stage) into this directory.
    #[arg(long, value_name = "DIR")]
    pub svg: Option<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// Trucks that can be inspected a day.
    #[arg(long, value_name = "TRUCKS")]
    pub inspection_capacity: f64,
    /// Mean trucks arriving in staging a day.
    #[arg(long, value_name = "TRUCKS")]
    pub arrivals: f64,
    /// Days to forecast.
    #[arg(long, default_value_t = 90)]
    pub days: u32,
    /// Trucks in staging at the start; default: the trucks in staging now.
    #[arg(long, value_name = "TRUCKS")]
    pub queue: Option<u32>,
    /// Change of the inspection capacity from one day to the next.
    #[arg(
        long,
        default_value_t = 0.0,
        value_name = "TRUCKS",
        allow_negative_numbers = true
    )]
    pub capacity_growth: f64,
    /// Change of the mean arrivals from one day to the next.
    #[arg(
        long,
        default_value_t = 0.0,
        value_name = "TRUCKS",
        allow_negative_numbers = true
    )]
    pub arrivals_growth: f64,
    /// Trucks inspected a day that meet the target.
    #[arg(long, default_value_t = 600)]
    pub target: u32,
    #[arg(long, default_value_t = 200)]
    pub replications: u32,
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

pub async fn run(context: &Context, command: &AidCommand) -> anyhow::Result<ExitCode> {
    match command {
        AidCommand::Add(args) => add(context, args).await,
        AidCommand::Move(args) => move_consignment(context, args).await,
        AidCommand::Show(args) => show(context, args).await,
        AidCommand::Status(args) => {
            let day = match &args.date {
                Some(date) => *date,
                None => context.today,
            };
            let report = report(context, day, day, &args.target).await?;
            print!("{}", render_status(&report));
            Ok(ExitCode::SUCCESS)
        }
        AidCommand::Report(args) => {
            let from = args.from;
            let to = args.to;
            if to < from {
                bail!("--to {to} is before --from {from}; give the first day first");
            }
            if from.until(to)?.get_days() > 3660 {
                bail!("the period {from} to {to} is longer than ten years; give a shorter one");
            }
            let report = report(context, from, to, &args.target).await?;
            print!("{}", render_report(&report));
            if let Some(directory) = &args.svg {
                let written = write_charts(directory, &report)?;
                println!(
                    "\nCharts written to {}: {}",
                    directory.display(),
                    written.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        AidCommand::Forecast(args) => forecast(context, args).await,
    }
}

async fn report(
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

async fn add(context: &Context, args: &AddArgs) -> anyhow::Result<ExitCode> {
    let load = Load::new(
        Load::parse_trucks(&args.trucks).context("--trucks")?,
        Load::parse_pallets(&args.pallets).context("--pallets")?,
        Tonnes::parse(&args.tonnes).context("--tonnes")?,
    )?;
    let consignment = Consignment {
        id: ConsignmentId::parse(&args.id).context("--id")?,
        agency: Text::parse("agency", &args.agency, Consignment::MAX_NAME_CHARS)
            .context("--agency")?,
        category: CargoCategory::parse(&args.category).context("--category")?,
        origin: Text::parse("origin", &args.origin, Consignment::MAX_NAME_CHARS)
            .context("--origin")?,
        crossing: CrossingId::parse(&args.crossing).context("--crossing")?,
        load,
    };
    let at = time_arg(context, args.at.as_deref())?;
    let case = ConsignmentCase::register(consignment, at, &context.actor);
    let id = case.consignment.id.clone();
    let audit = NewAuditEntry {
        at: context.now,
        actor: context.actor.clone(),
        action: "consignment.register".to_string(),
        subject: id.to_string(),
        detail: serde_json::json!({
            "category": case.consignment.category.as_str(),
            "crossing": case.consignment.crossing.as_str(),
            "trucks": load.trucks,
            "pallets": load.pallets,
            "tonnes": load.tonnes.to_string(),
            "dispatched_at": at.to_string(),
        }),
    };
    context
        .store
        .insert_consignments(
            std::slice::from_ref(&case),
            &audit,
            ImportMode::Commit,
            &mut |_| {},
        )
        .await?;
    println!(
        "Registered {id}: {} {}, {} trucks, {} pallets, {} t, dispatched {} (version 1).",
        case.consignment.agency,
        case.consignment.category,
        load.trucks,
        load.pallets,
        load.tonnes,
        time_text(at)
    );
    Ok(ExitCode::SUCCESS)
}

async fn move_consignment(context: &Context, args: &MoveArgs) -> anyhow::Result<ExitCode> {
    let id = ConsignmentId::parse(&args.id)?;
    let StageMove {
        change,
        recount,
        note,
    } = MoveFields {
        stage: &args.stage,
        reason: args.reason.as_deref(),
        items: args.items.as_deref(),
        trucks: args.trucks.as_deref(),
        pallets: args.pallets.as_deref(),
        tonnes: args.tonnes.as_deref(),
        note: args.note.as_deref(),
    }
    .parse()?;
    let at = time_arg(context, args.at.as_deref())?;
    let moved = context
        .store
        .move_consignment(
            corridor_store::ConsignmentMove {
                consignment: id.clone(),
                expected_version: args.expect_version,
                change,
                recount,
                note,
            },
            at,
            &context.actor,
        )
        .await?;
    let load = moved.line.load;
    println!(
        "{id}: {} → {} at {} ({} trucks, {} pallets, {} t; version {}).",
        moved.event.from.map_or("-", Stage::as_str),
        moved.line.stage,
        time_text(at),
        load.trucks,
        load.pallets,
        load.tonnes,
        moved.line.version
    );
    Ok(ExitCode::SUCCESS)
}

async fn show(context: &Context, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let id = ConsignmentId::parse(&args.id)?;
    let Some(record) = context.store.consignment(&id).await? else {
        bail!("no consignment with id {id} is registered");
    };
    let c = &record.consignment;
    let mut out = format!(
        "{id}: {} from {}, loaded at {}, inspected at {}\n\
         Dispatched with {} trucks, {} pallets, {} t.\n\
         Now: {} since {} ({} trucks, {} pallets, {} t), version {}.\n",
        c.category,
        c.agency,
        c.origin,
        c.crossing,
        c.load.trucks,
        c.load.pallets,
        c.load.tonnes,
        record.line.stage,
        time_text(record.line.since),
        record.line.load.trucks,
        record.line.load.pallets,
        record.line.load.tonnes,
        record.line.version,
    );
    let allowed = corridor_domain::next_stages(record.line.stage);
    if allowed.is_empty() {
        out.push_str("Its journey is over: no further stage.\n");
    } else {
        let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(out, "Allowed moves: {}.", names.join(", "));
    }
    let rows: Vec<Vec<String>> = record
        .events
        .iter()
        .map(|event| {
            let change = event.change.as_ref();
            let why = [
                change.and_then(StageChange::reason).map(Text::to_string),
                change
                    .and_then(StageChange::items)
                    .map(|items| format!("items: {items}")),
                event.note.as_ref().map(|note| format!("note: {note}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
            vec![
                event.version.to_string(),
                time_text(event.at),
                event.to.to_string(),
                event.dwell.map_or(String::new(), |dwell| {
                    hours(corridor_domain::dwell_minutes(dwell) as f64)
                }),
                event.load.trucks.to_string(),
                event.load.tonnes.to_string(),
                event.actor.clone(),
                why,
            ]
        })
        .collect();
    out.push('\n');
    out.push_str(&table(
        &[
            "V", "AT (UTC)", "STAGE", "AFTER", "TRUCKS", "TONNES", "BY", "REASON",
        ],
        &rows,
        &[0, 3, 4, 5],
    ));
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

pub async fn import(context: &Context, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let file_name = args.file.display().to_string();
    let digest = hex::encode(Sha256::digest(&bytes));
    let bar = progress_bar(bytes.len() as u64, "checking");
    let mut import: ConsignmentImport = {
        let mut on_progress = |read: u64| bar.set_position(read);
        read_consignments(
            bytes.as_slice(),
            context.now,
            &context.actor,
            &mut on_progress,
        )
        .with_context(|| format!("{file_name} cannot be imported"))?
    };
    bar.finish_and_clear();
    let ids: Vec<ConsignmentId> = import.ids.iter().map(|(_, id)| id.clone()).collect();
    let registered = context.store.consignments_registered(&ids).await?;
    check_against_registry(&mut import, &registered);
    if !import.errors.is_empty() {
        let lines: std::collections::BTreeSet<u64> = import.errors.iter().map(|e| e.line).collect();
        let mut out = format!(
            "{file_name}: nothing was imported. {} problem(s) on {} line(s); fix them and run the import again:\n",
            import.errors.len(),
            lines.len()
        );
        for error in &import.errors {
            let _ = writeln!(out, "  {error}");
        }
        print!("{out}");
        return Ok(ExitCode::FAILURE);
    }
    let cases: Vec<ConsignmentCase> = import.rows.into_iter().map(|row| row.case).collect();
    let events: usize = cases.iter().map(|case| case.events.len()).sum();
    let audit = NewAuditEntry {
        at: context.now,
        actor: context.actor.clone(),
        action: "consignment.import".to_string(),
        subject: file_name.clone(),
        detail: serde_json::json!({
            "file_sha256": digest,
            "consignments": cases.len(),
            "events": events,
            "ids": cases.iter().map(|case| case.consignment.id.as_str()).collect::<Vec<_>>(),
        }),
    };
    let bar = progress_bar(cases.len() as u64, "importing");
    let mut on_progress = |written: u64| bar.set_position(written);
    let mode = super::import_mode(args.dry_run);
    context
        .store
        .insert_consignments(&cases, &audit, mode, &mut on_progress)
        .await
        .context("nothing was imported")?;
    bar.finish_and_clear();
    println!(
        "{}",
        super::import_summary(
            mode,
            &format!(
                "Imported {} consignments with {} stage events from {file_name}",
                count(cases.len() as u64),
                count(events as u64)
            )
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn export(context: &Context, args: &ConsignmentExportArgs) -> anyhow::Result<ExitCode> {
    let all = context.store.all_consignments().await?;
    let mut records = Vec::with_capacity(all.len());
    for (consignment, _) in all {
        let record = context
            .store
            .consignment(&consignment.id)
            .await?
            .with_context(|| format!("{} disappeared during the export", consignment.id))?;
        records.push(record);
    }
    let rows = records
        .iter()
        .map(|record| (&record.consignment, record.events.as_slice()));
    match &args.out {
        Some(path) => {
            let directory = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            // Written next to the target and renamed, so a failed export
            // never leaves a half-written file under the expected name.
            let mut temporary = tempfile::NamedTempFile::new_in(directory)
                .with_context(|| format!("cannot write in {}", directory.display()))?;
            let written = write_consignments(&mut temporary, rows)?;
            temporary
                .persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "Exported {} consignments to {}.",
                count(written),
                path.display()
            );
        }
        None => {
            write_consignments(std::io::stdout().lock(), rows)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn forecast(context: &Context, args: &ForecastArgs) -> anyhow::Result<ExitCode> {
    let horizon = HorizonDays::new(args.days).map_err(|e| anyhow::anyhow!("--days {e}"))?;
    let replications =
        Replications::new(args.replications).map_err(|e| anyhow::anyhow!("--replications {e}"))?;
    if args.target == 0 {
        bail!("--target must be at least 1 truck a day");
    }
    let (initial_queue, queue_source) = match args.queue {
        Some(queue) => (queue, "given"),
        None => {
            let staging: u64 = context
                .store
                .aid_in_stage()
                .await?
                .iter()
                .filter(|count| count.stage == Stage::Staging)
                .map(|count| count.trucks)
                .sum();
            (u32::try_from(staging).unwrap_or(u32::MAX), "in staging now")
        }
    };
    let scenario = QueueScenario {
        horizon_days: horizon,
        initial_queue,
        arrivals_per_day: args.arrivals,
        arrivals_growth_per_day: args.arrivals_growth,
        inspection_capacity: args.inspection_capacity,
        capacity_growth_per_day: args.capacity_growth,
        target_per_day: args.target,
    };
    scenario.check().map_err(|e| anyhow::anyhow!("{e}"))?;
    let config = ForecastConfig {
        replications,
        seed: args.seed,
    };
    let result = corridor_sim::forecast_queue(&scenario, &config);
    let mut out = format!(
        "Staging queue from {} over {} days: {} trucks at the start ({queue_source}), arrivals {} a day{}, inspection capacity {} a day{}; target {} trucks inspected a day.\n\
         {} replications, seed {}; trucks in staging at the end of the day, 5th / 50th / 95th percentile:\n\n",
        context.today,
        args.days,
        count(u64::from(initial_queue)),
        args.arrivals,
        growth(args.arrivals_growth),
        args.inspection_capacity,
        growth(args.capacity_growth),
        args.target,
        result.replications,
        result.seed,
    );
    // Day 1, every seventh day, and the last.
    let mut shown: Vec<u32> = std::iter::once(1)
        .chain((7..=args.days).step_by(7))
        .collect();
    if shown.last() != Some(&args.days) {
        shown.push(args.days);
    }
    shown.dedup();
    let rows: Vec<Vec<String>> = shown
        .into_iter()
        .map(|day| {
            let index = (day - 1) as usize;
            let queue = result.queue[index];
            vec![
                day.to_string(),
                context
                    .today
                    .checked_add(jiff::Span::new().days(i64::from(day - 1)))
                    .map_or(String::new(), |date| date.to_string()),
                format!("{:.0}", queue.p5),
                format!("{:.0}", queue.p50),
                format!("{:.0}", queue.p95),
                format!("{:.0}", result.inspected[index].p50),
            ]
        })
        .collect();
    out.push_str(&table(
        &["DAY", "DATE", "QUEUE P5", "P50", "P95", "INSPECTED P50"],
        &rows,
        &[0, 2, 3, 4, 5],
    ));
    out.push('\n');
    match (&result.target_met.days, scenario.shortfall()) {
        (Some(days), _) => {
            let _ = writeln!(
                out,
                "The target of {} trucks inspected in a day is first met on day {:.1} (95% CI {:.1} to {:.1}).",
                args.target, days.mean, days.low, days.high
            );
        }
        (None, shortfall) => {
            let why = match shortfall {
                Some(Shortfall::Capacity { best }) => format!(
                    "the inspection capacity stays at or below {best} trucks a day, under the target of {}",
                    args.target
                ),
                Some(Shortfall::Arrivals { best }) => format!(
                    "arrivals stay at or below {best:.0} trucks a day on average, under the target of {}; it can be met only while a queue lasts",
                    args.target
                ),
                None => "the queue and the capacity reach it only in some replications".to_string(),
            };
            let _ = writeln!(
                out,
                "The target of {} trucks inspected in a day is not met within the horizon in {} of {} replications: {why}.",
                args.target,
                result.replications - result.target_met.completed,
                result.replications,
            );
        }
    }
    let _ = writeln!(
        out,
        "Trucks in staging after {} days: {:.0} on average (95% CI {:.0} to {:.0}).",
        args.days, result.final_queue.mean, result.final_queue.low, result.final_queue.high
    );
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn growth(per_day: f64) -> String {
    if per_day == 0.0 {
        String::new()
    } else {
        format!(" ({per_day:+} a day)")
    }
}

// ------------------------------------------------------------- rendering

fn render_status(report: &AidReport) -> String {
    let mut out = format!(
        "Aid pipeline on {} (UTC). Target: {} trucks a day, {} of them fuel.\n\n",
        report.from, report.target.per_day, report.target.fuel_per_day
    );
    out.push_str(&daily_table(report));
    out.push_str(&common_sections(report));
    out
}

fn render_report(report: &AidReport) -> String {
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

/// Minutes as hours with one decimal, or days beyond two days.
fn hours(minutes: f64) -> String {
    corridor_domain::dwell_text(minutes)
}

fn time_text(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M").to_string()
}

/// A UTC time given on the command line, or now; never in the future.
fn time_arg(context: &Context, text: Option<&str>) -> anyhow::Result<Timestamp> {
    let Some(text) = text else {
        return Ok(context.now);
    };
    let at = match text.parse::<Timestamp>() {
        Ok(at) => at,
        Err(_) => text
            .replacen(' ', "T", 1)
            .parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|local| jiff::tz::Offset::UTC.to_timestamp(local).ok())
            .with_context(|| {
                format!("--at '{text}' is not a time; write it in UTC as 2026-02-01T08:30 or 2026-02-01T08:30:00Z")
            })?,
    };
    if at > context.now {
        bail!(
            "--at {} is in the future (now is {}); record a stage change when it happens",
            time_text(at),
            time_text(context.now)
        );
    }
    Ok(at)
}

// ------------------------------------------------------------------ SVG

/// Writes `aid-daily-trucks.svg` and `aid-dwell.svg`; returns their names.
fn write_charts(directory: &Path, report: &AidReport) -> anyhow::Result<Vec<String>> {
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
