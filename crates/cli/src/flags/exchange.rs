//! Flags of `corridor import …` and `corridor export …`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import patients and companions from a CSV file, all or nothing.
    #[command(
        after_help = "Example:\n  corridor import referrals referrals.csv --dry-run\n  corridor import referrals referrals.csv\n\nColumns (header row, any order): id, role, companion_of, relationship, name,\nbirth_year, sex, legal_basis, condition, specialty, tier, referral_date,\nreferring_facility, return_guarantee. If any row is bad, nothing is imported\nand every bad row is listed with its line, column and reason."
    )]
    Referrals(ImportArgs),
    /// Import aid consignments and their stage times from a CSV file, all or nothing.
    #[command(
        after_help = "Example:\n  corridor import consignments trucks.csv --dry-run\n  corridor import consignments trucks.csv\n\nRequired columns (header row, any order): id, agency, category, origin,\ncrossing, trucks, pallets, tonnes, dispatched_at. Optional: the time of each\nlater stage (staging_at … returned_at), rejection_reason, rejected_items,\nreturn_reason, interception_reason, reloaded_trucks, collected_tonnes,\ndelivered_tonnes. Times are UTC. If any row is bad, nothing is imported and\nevery bad row is listed with its line, column and reason."
    )]
    Consignments(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// Run the whole import, with every check the registry makes, and roll
    /// it back: the answer is the real import's, and nothing is recorded.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Export patients and companions as CSV, pseudonymised unless told otherwise.
    #[command(
        after_help = "Examples:\n  corridor export referrals --out referrals.csv\n  corridor export referrals --include-personal --purpose \"transfer to MoH registry\" --out full.csv\n\nThe default export has no names and gives birth years as five-year bands.\n--include-personal adds names and exact birth years; it needs a --purpose,\nwhich is recorded in the audit log."
    )]
    Referrals(ExportArgs),
    /// Waiting patients by tier, specialty and age group (HXL; counts below 5 as <5).
    #[command(after_help = "Example:\n  corridor export waiting-list --out waiting.csv")]
    WaitingList(crate::flags::report::OutArgs),
    /// People evacuated per day, crossing and destination country, with the quota (HXL).
    #[command(
        after_help = "Example:\n  corridor export evacuations --from 2026-01-01 --to 2026-01-31 --out evacuations.csv"
    )]
    Evacuations(crate::flags::report::WindowArgs),
    /// How the places of each confirmed crossing day were used (HXL; people below 5 as <5).
    #[command(
        after_help = "Example:\n  corridor export utilisation --from 2026-02-01 --out utilisation.csv"
    )]
    Utilisation(crate::flags::report::WindowArgs),
    /// Deaths while waiting per day and tier (HXL; counts below 5 as <5).
    #[command(after_help = "Example:\n  corridor export deaths --out deaths.csv")]
    Deaths(crate::flags::report::WindowArgs),
    /// Public figures with their sources (HXL; re-importable with `figures import`).
    #[command(after_help = "Example:\n  corridor export figures --out figures.csv")]
    Figures(crate::flags::report::OutArgs),
    /// Aid by day, stage and cargo category: consignments, trucks, pallets, tonnes (HXL).
    #[command(
        after_help = "Example:\n  corridor export aid --from 2026-01-01 --to 2026-01-31 --out aid.csv\n\nOne row per day, stage reached and cargo category, with the daily truck\ntarget beside it. Trucks are counted as they were at that stage: as\npresented up to inspection, after repacking from `reloaded` on."
    )]
    Aid(crate::flags::report::WindowArgs),
    /// One FHIR R4 Bundle per referral, one per line (NDJSON), pseudonymised.
    #[command(
        after_help = "Example:\n  corridor export fhir --out referrals.ndjson\n\nEach Bundle holds the Patient (pseudonymous id and birth year only), the\nServiceRequest, the listing/clearance/scheduling Tasks, the transfer\nEncounter and the facilities. The export is recorded in the audit log."
    )]
    Fhir(crate::flags::report::OutArgs),
    /// Export aid consignments and their stage times as CSV (no personal data).
    #[command(
        after_help = "Example:\n  corridor export consignments --out trucks.csv\n\nThe file has the columns `import consignments` reads, so it can be loaded again."
    )]
    Consignments(ConsignmentExportArgs),
}

#[derive(Debug, Args)]
pub struct ConsignmentExportArgs {
    /// Output file; standard output when omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output file; standard output when omitted.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Include names and exact birth years (personal data).
    #[arg(long, requires = "purpose")]
    pub include_personal: bool,
    /// Why personal data is exported; recorded in the audit log.
    #[arg(long)]
    pub purpose: Option<String>,
}
