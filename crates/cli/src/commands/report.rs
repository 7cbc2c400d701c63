//! `corridor report` (the situation report) and the HXL exports of
//! aggregates: `corridor export waiting-list|evacuations|deaths`.
//!
//! Every export is one function of the store (`corridor_store::Store::export_…`,
//! shared with the web's downloads): this module turns the flags into its
//! inputs, gives it the file to write (`Output`) and says what was written.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use corridor_sim::{ForecastConfig, Replications, Scenario};
use corridor_store::{ExportWindow, ReportRequest, StoreError};

use corridor_domain::Direction;
use corridor_domain::utilisation::{DayUse, UseTotals};

use crate::context::Context;
use crate::flags::report::{OutArgs, ReportArgs, UtilisationArgs, WindowArgs};
use crate::output;

/// Where an export goes: a file, or standard output. A file is written next
/// to its target and renamed into place by [`Output::finish`], so a failure
/// never leaves half a file under the name; it is created by
/// [`Output::open`], before the export runs, so that an export that cannot
/// be written is not recorded as done.
pub struct Output {
    target: Target,
}

enum Target {
    File {
        path: PathBuf,
        temporary: BufWriter<tempfile::NamedTempFile>,
    },
    Stdout(BufWriter<std::io::Stdout>),
}

impl Output {
    pub fn open(out: Option<&Path>) -> anyhow::Result<Output> {
        let target = match out {
            Some(path) => {
                let directory = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let temporary = tempfile::NamedTempFile::new_in(directory)
                    .with_context(|| format!("cannot write in {}", directory.display()))?;
                Target::File {
                    path: path.to_path_buf(),
                    temporary: BufWriter::new(temporary),
                }
            }
            None => Target::Stdout(BufWriter::new(std::io::stdout())),
        };
        Ok(Output { target })
    }

    pub fn writer(&mut self) -> &mut (dyn Write + Send) {
        match &mut self.target {
            Target::File { temporary, .. } => temporary,
            Target::Stdout(stdout) => stdout,
        }
    }

    /// Puts the file in place (or flushes standard output).
    pub fn finish(self) -> anyhow::Result<()> {
        match self.target {
            Target::File { path, temporary } => {
                let temporary = temporary
                    .into_inner()
                    .map_err(|e| anyhow!("cannot write {}: {}", path.display(), e.error()))?;
                temporary
                    .persist(&path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            Target::Stdout(mut stdout) => stdout.flush()?,
        }
        Ok(())
    }
}

/// The window of an aggregate export; the default is the store's (four
/// weeks ending today), and so is the rule that it runs forwards.
fn window(context: &Context, args: &WindowArgs) -> anyhow::Result<ExportWindow> {
    ExportWindow::new(args.from, args.to, context.today).map_err(|backwards| {
        anyhow!(
            "--from {} is after --to {}; give a window that runs forwards",
            backwards.from,
            backwards.to
        )
    })
}

/// `corridor export waiting-list`.
pub async fn export_waiting(context: &Context, args: &OutArgs) -> anyhow::Result<ExitCode> {
    let mut output = Output::open(args.out.as_deref())?;
    let written = context
        .store
        .export_waiting_list(context.today, output.writer())
        .await?;
    output.finish()?;
    if let Some(path) = &args.out {
        eprintln!(
            "Exported {written} rows to {} (HXL; counts below 5 shown as <5).",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// An aggregate export over a window of days (`corridor export
/// evacuations|deaths|utilisation|aid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowedExport {
    Evacuations,
    Deaths,
    Utilisation,
    Aid,
}

impl WindowedExport {
    /// What the file holds, for the line that says where it went.
    fn holds(self) -> &'static str {
        match self {
            WindowedExport::Evacuations | WindowedExport::Deaths => {
                "HXL; counts below 5 shown as <5"
            }
            WindowedExport::Utilisation => "HXL; counts of people below 5 shown as <5",
            WindowedExport::Aid => "HXL; trucks, pallets and tonnes per day, stage and category",
        }
    }
}

/// Writes an aggregate export of the window asked for.
pub async fn export_windowed(
    context: &Context,
    args: &WindowArgs,
    export: WindowedExport,
) -> anyhow::Result<ExitCode> {
    let window = window(context, args)?;
    let mut output = Output::open(args.out.as_deref())?;
    let store = &context.store;
    let written = match export {
        WindowedExport::Evacuations => store.export_evacuations(window, output.writer()).await?,
        WindowedExport::Deaths => store.export_deaths(window, output.writer()).await?,
        WindowedExport::Utilisation => store.export_utilisation(window, output.writer()).await?,
        WindowedExport::Aid => store.export_aid(window, output.writer()).await?,
    };
    output.finish()?;
    if let Some(path) = &args.out {
        eprintln!(
            "Exported {written} rows ({} to {}) to {} ({}).",
            window.from,
            window.to,
            path.display(),
            export.holds()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `corridor utilisation`: each confirmed day's places, and the totals.
pub async fn utilisation(context: &Context, args: &UtilisationArgs) -> anyhow::Result<ExitCode> {
    let window = ExportWindow::new(args.from, args.to, context.today).map_err(|backwards| {
        anyhow!(
            "--from {} is after --to {}; give a window that runs forwards",
            backwards.from,
            backwards.to
        )
    })?;
    let direction = args
        .direction
        .as_deref()
        .map(Direction::parse)
        .transpose()
        .map_err(|e| anyhow!("--direction {e}"))?;
    let days: Vec<DayUse> = context
        .store
        .utilisation(window.from, window.to)
        .await?
        .into_iter()
        .filter(|day| direction.is_none_or(|d| d == day.direction))
        .collect();
    if days.is_empty() {
        println!(
            "No confirmed crossing day from {} to {}: nothing was planned, so no place was used or lost.\n\
             hint: `corridor plan confirm --date D` confirms a day's plan",
            window.from, window.to
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows: Vec<Vec<String>> = days
        .iter()
        .map(|day| {
            use_row(
                &format!("{} {} {}", day.date, day.crossing, day.direction),
                &UseTotals::of([day]),
            )
        })
        .collect();
    for direction in [Direction::Outbound, Direction::Inbound] {
        let totals = UseTotals::of(days.iter().filter(|day| day.direction == direction));
        if totals.days > 0 {
            rows.push(use_row(&format!("total {direction}"), &totals));
        }
    }
    println!(
        "Places used from {} to {}\n\n{}",
        window.from,
        window.to,
        output::table(
            &[
                "day",
                "places",
                "planned",
                "reached",
                "crossed",
                "expected",
                "declined",
                "unreachable",
                "no-show",
                "turned back",
                "removed",
                "refilled",
                "empty",
                "used",
            ],
            &rows,
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
        )
    );
    println!(
        "Empty places: neither crossed nor still expected. Freed places are lost unless refilled from standby."
    );
    Ok(ExitCode::SUCCESS)
}

fn use_row(label: &str, totals: &UseTotals) -> Vec<String> {
    let count = |n: u32| output::count(u64::from(n));
    let freed = totals.freed;
    vec![
        label.to_string(),
        count(totals.available),
        count(totals.planned),
        count(totals.reached),
        count(totals.crossed),
        count(totals.expected),
        count(freed.declined),
        count(freed.unreachable),
        count(freed.no_show),
        count(freed.turned_back),
        count(freed.removed),
        count(totals.refilled),
        count(totals.left_empty()),
        totals
            .rate()
            .map_or_else(|| "-".to_string(), |rate| format!("{:.0}%", rate * 100.0)),
    ]
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
    let (template, origin) = forecast_template(args)?;
    let request = ReportRequest {
        date,
        window_days: args.window_days,
        now: context.now,
        current_capacity: args.current_capacity,
        proposed_capacity: args.proposed_capacity,
        template,
        origin,
        config: ForecastConfig {
            replications: Replications::new(args.replications)
                .map_err(|e| anyhow!("--replications {e}"))?,
            seed: args.seed,
        },
    };
    let mut output = Output::open(Some(&args.out))?;
    let written = match context.store.export_report(&request, output.writer()).await {
        Ok(written) => written,
        Err(StoreError::Invalid { invalid, .. }) if invalid.field == "current_capacity" => bail!(
            "no evacuee quota is in force on {date} or announced after it; give --current-capacity PLACES"
        ),
        Err(error) => return Err(error.into()),
    };
    output.finish()?;
    println!(
        "Situation report as of {date} written to {} ({} KiB). Print it to PDF from a browser.",
        args.out.display(),
        written.div_ceil(1024)
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
