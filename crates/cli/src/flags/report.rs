//! Flags of `corridor report` and of the HXL exports of aggregates.

use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct OutArgs {
    /// Output file; standard output when omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct WindowArgs {
    /// First day (YYYY-MM-DD); default 28 days before --to.
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub from: Option<jiff::civil::Date>,
    /// Last day (YYYY-MM-DD); default today.
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub to: Option<jiff::civil::Date>,
    /// Output file; standard output when omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// How the places of confirmed crossing days were used.
#[derive(Debug, clap::Args)]
pub struct UtilisationArgs {
    /// First day (YYYY-MM-DD); default 28 days before --to.
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub from: Option<jiff::civil::Date>,
    /// Last day (YYYY-MM-DD); default today.
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub to: Option<jiff::civil::Date>,
    /// Only one direction: outbound or inbound.
    #[arg(long)]
    pub direction: Option<String>,
}

/// Write the weekly situation report as one self-contained HTML file.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The day the report is as of (YYYY-MM-DD); default today.
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub date: Option<jiff::civil::Date>,
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
