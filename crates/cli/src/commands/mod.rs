//! One module per command group; each validates its arguments into domain
//! values, calls the store, and prints.

mod aid;
mod audit;
mod backup;
mod calls;
mod clearance;
mod demo;
mod exchange;
mod fhir;
mod figures;
mod patients;
mod places;
mod plan;
mod reasons;
mod report;
mod serve;
mod users;

use std::process::ExitCode;

use anyhow::Context as _;
use corridor_domain::Tier;
use corridor_store::ImportMode;

use crate::context::{Context, Opening};
use crate::flags::{Cli, Command};

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        // The forecast without --from-registry needs no database at all.
        if let Command::Forecast(args) = &cli.command
            && !crate::forecast::wants_registry(args)
        {
            let (today, _) = crate::context::clock(&cli.global)?;
            crate::forecast::run(args, None, today, &mut std::io::stdout().lock())?;
            return Ok(ExitCode::SUCCESS);
        }
        let opening = match &cli.command {
            Command::Restore(_) => Opening::Restore,
            _ => Opening::Work,
        };
        let context = Context::open(&cli.global, opening).await?;
        let result = match &cli.command {
            Command::Demo(args) => demo::run(&context, args).await,
            Command::Serve(args) => serve::run(&context, args).await,
            Command::Summary => demo::summary(&context).await,
            Command::Patients(command) => patients::run(&context, command).await,
            Command::Import(command) => exchange::import(&context, command).await,
            Command::Export(command) => exchange::export(&context, command).await,
            Command::Audit(command) => audit::run(&context, command).await,
            Command::Backup(args) => backup::backup(&context, args).await,
            Command::Restore(args) => backup::restore(&context, args).await,
            Command::Clearance(command) => clearance::run(&context, command).await,
            Command::Beds(command) => places::beds(&context, command).await,
            Command::Rules(command) => places::rules(&context, command).await,
            Command::Returnees(command) => places::returnees(&context, command).await,
            Command::Luggage(command) => places::luggage(&context, command).await,
            Command::Plan(command) => plan::run(&context, command).await,
            Command::Gate(command) => plan::gate(&context, command).await,
            Command::Calls(command) => calls::run(&context, command).await,
            Command::Notices(command) => calls::notices(&context, command).await,
            Command::Figures(command) => figures::run(&context, command).await,
            Command::Report(args) => report::run(&context, args).await,
            Command::Utilisation(args) => report::utilisation(&context, args).await,
            Command::Aid(command) => aid::run(&context, command).await,
            Command::Users(command) => users::run(&context, command).await,
            Command::Reasons(command) => reasons::run(&context, command).await,
            Command::Organisations(command) => users::organisations(&context, command).await,
            Command::Forecast(args) => {
                let summary = context.store.waiting_summary(context.today).await?;
                let backlog = summary.backlog_by_tier();
                debug_assert_eq!(backlog.len(), Tier::ALL.len());
                crate::forecast::run(
                    args,
                    Some(backlog),
                    context.today,
                    &mut std::io::stdout().lock(),
                )
                .map(|()| ExitCode::SUCCESS)
            }
        };
        context.store.close().await;
        result
    })
}

/// The value parser of every date flag (`--date`, `--from`, …): clap
/// refuses a value that is not a date before any command runs, naming the
/// flag.
pub(crate) fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    let text = text.trim();
    text.parse()
        .map_err(|_| format!("'{text}' is not a date; use YYYY-MM-DD"))
}

/// `--dry-run` as the store's mode: a dry run goes through the real
/// import and rolls it back.
pub fn import_mode(dry_run: bool) -> ImportMode {
    if dry_run {
        ImportMode::DryRun
    } else {
        ImportMode::Commit
    }
}

/// The summary of an import, the same for a real import and a dry run,
/// which says that nothing was recorded.
pub fn import_summary(mode: ImportMode, summary: &str) -> String {
    match mode {
        ImportMode::Commit => format!("{summary}."),
        ImportMode::DryRun => {
            format!("{summary}, and rolled back: nothing was recorded (--dry-run).")
        }
    }
}
