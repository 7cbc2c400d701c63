//! Flags of `corridor aid …`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

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
