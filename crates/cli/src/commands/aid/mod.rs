//! `corridor aid …`, and `import consignments` / `export consignments`:
//! the commands and their dispatch here, each part in its own module.

mod charts;
mod exchange;
mod forecast;
mod moves;
mod report;

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use jiff::Timestamp;

use crate::context::Context;
use crate::flags::aid::AidCommand;
use charts::write_charts;
pub use exchange::{export, import};
use forecast::forecast;
use moves::{add, move_consignment, show};
use report::{render_report, render_status, report};

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
