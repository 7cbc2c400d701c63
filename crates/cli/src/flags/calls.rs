//! Flags of `corridor calls …`, `corridor plan assembly …` and
//! `corridor patients contact …`: reaching the parties of a crossing day.

use clap::{Args, Subcommand};

use super::days::DayArgs;

/// A crossing day whose crossing may be left out: the crossing evacuees
/// leave by soonest, as the day screens open on.
#[derive(Debug, Args)]
pub struct CallDayArgs {
    /// The crossing day (YYYY-MM-DD).
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub date: jiff::civil::Date,
    /// The crossing, e.g. rafah; default the one evacuees leave by soonest
    /// (or set CORRIDOR_CROSSING).
    #[arg(long, env = "CORRIDOR_CROSSING")]
    pub crossing: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CallsCommand {
    /// The parties of a confirmed day to reach: head, size, phones, assembly point, latest call.
    /// Shows personal data; the read is recorded in the audit log.
    List(CallDayArgs),
    /// Record what a call to a party answered (the party is named by its patient or returnee).
    #[command(
        after_help = "Examples:\n  corridor calls record P-000123 --date 2026-02-02 --outcome confirmed\n  corridor calls record P-000123 --date 2026-02-02 --outcome declined --reason \"too ill to travel\"\n  corridor calls record R-000012 --date 2026-02-02 --outcome unreachable --reason \"phone off\"\n\nconfirmed changes nothing on the manifest. declined (a --reason is required)\nfrees the party's places at once: its people go back on the waiting list as\ncleared and their beds are released, as for a no-show. unreachable keeps the\nplaces until the day's cut-off (`corridor calls cut-off`), after which they\nare freed. Record another outcome to correct one; every call is kept."
    )]
    Record(CallRecordArgs),
    /// Show or set the day's cut-off, or apply it: free the places of parties still unreachable.
    #[command(
        after_help = "Examples:\n  corridor calls cut-off --date 2026-02-02\n  corridor calls cut-off --date 2026-02-02 --set 21:00\n  corridor calls cut-off --date 2026-02-02 --apply\n\nThe cut-off is 22:00 (UTC) the evening before the day unless set; --set\ntakes HH:MM (the evening before) or YYYY-MM-DD HH:MM. Reading the call list\nor the gate after the cut-off applies it too."
    )]
    CutOff(CutOffArgs),
}

#[derive(Debug, Args)]
pub struct CallRecordArgs {
    /// The party's patient or returnee.
    pub party: String,
    #[command(flatten)]
    pub day: CallDayArgs,
    /// confirmed, declined or unreachable.
    #[arg(long)]
    pub outcome: String,
    /// Why (required with declined; at most 200 characters); kept with the party's record.
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct CutOffArgs {
    #[command(flatten)]
    pub day: CallDayArgs,
    /// Set the cut-off: HH:MM the evening before, or YYYY-MM-DD HH:MM (UTC).
    #[arg(long, value_name = "TIME", conflicts_with = "apply")]
    pub set: Option<String>,
    /// Free the places of every party whose latest call found it unreachable.
    #[arg(long)]
    pub apply: bool,
}

#[derive(Debug, Subcommand)]
pub enum AssemblyCommand {
    /// Add an assembly point to a crossing day (both directions meet there).
    #[command(
        after_help = "Example:\n  corridor plan assembly add --crossing rafah --date 2026-02-02 --place \"Nasser hospital gate\" --time 05:30\n\nEvery party meets at the day's first point until given another with\n`corridor plan assembly assign`."
    )]
    Add(AssemblyAddArgs),
    /// The assembly points of a crossing day.
    List(DayArgs),
    /// Give a party of a confirmed day another assembly point.
    #[command(
        after_help = "Example:\n  corridor plan assembly assign P-000123 --crossing rafah --date 2026-02-02 --point 2"
    )]
    Assign(AssemblyAssignArgs),
}

#[derive(Debug, Args)]
pub struct AssemblyAddArgs {
    #[command(flatten)]
    pub day: DayArgs,
    /// Where the parties meet.
    #[arg(long)]
    pub place: String,
    /// When they meet, HH:MM.
    #[arg(long)]
    pub time: String,
}

#[derive(Debug, Args)]
pub struct AssemblyAssignArgs {
    /// The party's patient or returnee.
    pub party: String,
    #[command(flatten)]
    pub day: DayArgs,
    /// The number of the point (`corridor plan assembly list`).
    #[arg(long)]
    pub point: u32,
}

#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Add a phone number to a person (personal data).
    #[command(
        after_help = "Examples:\n  corridor patients contact add P-000042 --phone \"+999 59 123 4567\" --label mother\n  corridor patients contact add P-000042 --phone +999591234568 --label patient --language en\n\nA number is '+', the country code and the number (7 to 15 digits); spaces\nand dashes are removed. The language is ar (Arabic, the default) or en."
    )]
    Add(ContactAddArgs),
    /// A person's phone numbers. Shows personal data; the read is recorded in the audit log.
    List(ContactPersonArgs),
    /// Remove a person's phone number by its number in the list.
    Remove(ContactRemoveArgs),
}

#[derive(Debug, Args)]
pub struct ContactPersonArgs {
    pub person: String,
}

#[derive(Debug, Args)]
pub struct ContactAddArgs {
    pub person: String,
    /// The phone number with its country code, e.g. "+999 59 123 4567".
    #[arg(long)]
    pub phone: String,
    /// Whose number it is, e.g. patient, mother.
    #[arg(long)]
    pub label: String,
    /// ar (Arabic, the default) or en (English).
    #[arg(long)]
    pub language: Option<String>,
}

#[derive(Debug, Args)]
pub struct ContactRemoveArgs {
    pub person: String,
    /// The contact's number (`corridor patients contact list`).
    #[arg(long)]
    pub number: u32,
}

#[derive(Debug, Subcommand)]
pub enum NoticesCommand {
    /// The notices about a date's crossing days: to whom, which, in which
    /// language, where each is in the outbox (queued, sent, delivered, failed,
    /// gave up) and its last error. Shows phone numbers; the read is recorded
    /// in the audit log.
    List(NoticesListArgs),
}

#[derive(Debug, Args)]
pub struct NoticesListArgs {
    /// The crossing date (YYYY-MM-DD).
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub date: jiff::civil::Date,
    /// Print each notice's words too.
    #[arg(long)]
    pub words: bool,
}
