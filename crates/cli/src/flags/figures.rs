//! Flags of `corridor figures …`.

use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum FiguresCommand {
    /// Record one public figure with its source.
    #[command(
        after_help = "Example:\n  corridor figures add --key waiting-list-total --label \"People waiting for medical evacuation\" \\\n    --value 20000 --unit people --date 2026-02-01 \\\n    --publisher \"WHO\" --title \"Medical evacuations from Gaza\" --published 2026-02-03 \\\n    --url https://example.org/report --note \"More than 20,000\"\n\nA figure is kept once per key and date."
    )]
    Add(AddFigureArgs),
    /// List the public figures with their dates and sources.
    #[command(
        after_help = "Examples:\n  corridor figures list\n  corridor figures list --key waiting-list-total"
    )]
    List(ListFiguresArgs),
    /// Import figures from an HXL-tagged CSV file, all or nothing.
    #[command(
        after_help = "Examples:\n  corridor figures import figures.csv --dry-run\n  corridor figures import figures.csv\n\nColumns are found by their HXL tag in any order (see docs/HXL.md):\n#indicator+code, #indicator+name, #indicator+num, #indicator+unit,\n#date+reported, #meta+source, #meta+source+title, #date+source, and\noptionally #meta+source+url and #description+notes. Other columns are\nreported and ignored. If any row is bad, nothing is imported."
    )]
    Import(ImportFiguresArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddFigureArgs {
    /// Stable key, e.g. waiting-list-total (letters, digits, '-', '_', '.').
    #[arg(long)]
    pub key: String,
    /// What the figure counts, in words.
    #[arg(long)]
    pub label: String,
    #[arg(long)]
    pub value: f64,
    /// e.g. people, patients, trucks a day.
    #[arg(long)]
    pub unit: String,
    /// The date the figure describes (YYYY-MM-DD).
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub date: jiff::civil::Date,
    /// Who published it.
    #[arg(long)]
    pub publisher: String,
    /// Title of the publication.
    #[arg(long)]
    pub title: String,
    /// Date of publication (YYYY-MM-DD).
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub published: jiff::civil::Date,
    #[arg(long)]
    pub url: Option<String>,
    /// How the figure is worded in the source, caveats.
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ListFiguresArgs {
    /// Only this key.
    #[arg(long)]
    pub key: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ImportFiguresArgs {
    pub file: PathBuf,
    /// Run the whole import, with every check the registry makes, and roll
    /// it back: the answer is the real import's, and nothing is recorded.
    #[arg(long)]
    pub dry_run: bool,
}
