//! Flags of the crossing-day commands: clearance, beds, rules, returnees
//! and luggage, the day plan and the gate.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// The crossing and day most crossing-day commands work on.
#[derive(Debug, Args)]
pub struct DayArgs {
    /// The crossing, e.g. rafah (or set CORRIDOR_CROSSING).
    #[arg(long, env = "CORRIDOR_CROSSING")]
    pub crossing: String,
    /// The crossing day (YYYY-MM-DD); default the next day from today on
    /// which the crossing operates with a quota in force.
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub date: Option<jiff::civil::Date>,
}

#[derive(Debug, Subcommand)]
pub enum ClearanceCommand {
    /// Submit a batch of people for security clearance.
    #[command(
        after_help = "Examples:\n  corridor clearance submit --crossing rafah --needed-by 2026-02-08 --for-days 2\n  corridor clearance submit --crossing rafah --needed-by 2026-02-08 --tier critical --limit 40\n  corridor clearance submit --crossing rafah --needed-by 2026-02-08 --ids P-000012,P-000340 --resubmit\n  corridor clearance submit --crossing rafah --direction inbound --needed-by 2026-02-05 --limit 60\n\nWithout --ids, the batch takes listed patients in the planner's priority\norder (tier, then days waited) until the places are filled: --for-days N\nfills N days of the crossing's quota, --limit N takes N places. Companions go\nwith their patient and count as places; each is decided on their own line.\nWith --resubmit, people denied or delayed are submitted again, linked to\ntheir earlier attempts."
    )]
    Submit(SubmitArgs),
    /// Record the authority's decision for people in a batch.
    #[command(
        after_help = "Examples:\n  corridor clearance decide CB-0001 P-000012 C-000020 --decision cleared\n  corridor clearance decide CB-0001 P-000340 --decision denied --reason security-objection --on 2026-02-03\n  corridor clearance decide CB-0001 P-000341 --decision denied --reason other --note \"asked for a new permit\"\n\nA denial needs a --reason code (`corridor reasons list --kind denied`); a\ndelay may give one (default no-answer). A --note says more; it stays with\nthe person's record and never leaves in a report or an export. A request\nwith no answer by its needed-by date is delayed: record it with --decision\ndelayed, or let `corridor clearance sweep` record all of them."
    )]
    Decide(DecideArgs),
    /// Record decisions from a CSV file, all or nothing.
    #[command(
        after_help = "Example:\n  corridor clearance import decisions.csv --dry-run\n\nColumns (header row, any order): batch, person_id, decision (cleared,\ndenied, delayed), reason_code (required for denied; no-answer if a delay\nleaves it empty; see `corridor reasons list`), note (optional; required\nwith the code other), decided_on (YYYY-MM-DD; default today). Every bad row\nis listed with its line and column, and nothing is recorded if any row is\nbad."
    )]
    Import(ClearanceImportArgs),
    /// Record as delayed every request still unanswered after its needed-by date.
    Sweep,
    /// List the batches with their counts.
    List,
    /// Show the requests of one batch.
    Show(BatchArgs),
    /// Turnaround and approval, denial and delay rates, split for children and companions.
    #[command(
        after_help = "Examples:\n  corridor clearance report\n  corridor clearance report --from 2026-02-01 --to 2026-02-28"
    )]
    Report(ClearanceReportArgs),
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    #[arg(long, env = "CORRIDOR_CROSSING")]
    pub crossing: String,
    /// outbound (patients and companions) or inbound (returnees).
    #[arg(long, default_value = "outbound")]
    pub direction: String,
    /// The date the answer is needed by (YYYY-MM-DD).
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub needed_by: jiff::civil::Date,
    /// Exactly these people (comma-separated); a patient brings their companions.
    #[arg(long, value_delimiter = ',')]
    pub ids: Vec<String>,
    /// Only these tiers (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub tier: Vec<String>,
    /// Only these specialties (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub specialty: Vec<String>,
    /// Take this many places.
    #[arg(long, conflicts_with = "for_days")]
    pub limit: Option<u32>,
    /// Take enough people to fill this many days of the quota.
    #[arg(long)]
    pub for_days: Option<u32>,
    /// Also submit people denied or delayed before (a new, linked attempt).
    #[arg(long)]
    pub resubmit: bool,
    /// Show the batch as a real submission would make it, with every check,
    /// and record nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    pub batch: String,
    #[arg(required = true)]
    pub people: Vec<String>,
    /// cleared, denied or delayed.
    #[arg(long)]
    pub decision: String,
    /// The reason code (required for denied; no-answer if a delay leaves it out).
    #[arg(long, value_name = "CODE")]
    pub reason: Option<String>,
    /// What the code does not say (required with `other`); kept with the person's record.
    #[arg(long)]
    pub note: Option<String>,
    /// The date of the decision; default today.
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub on: Option<jiff::civil::Date>,
}

#[derive(Debug, Args)]
pub struct ClearanceImportArgs {
    pub file: PathBuf,
    /// Run the whole import, with every check the registry makes, and roll
    /// it back: the answer is the real import's, and nothing is recorded.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    pub batch: String,
}

#[derive(Debug, Args)]
pub struct ClearanceReportArgs {
    /// First submission date counted (YYYY-MM-DD).
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub from: Option<jiff::civil::Date>,
    /// Last submission date counted (YYYY-MM-DD).
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub to: Option<jiff::civil::Date>,
}

#[derive(Debug, Subcommand)]
pub enum BedsCommand {
    /// Beds by facility and specialty on a date: published, held, consumed, free.
    #[command(
        after_help = "Examples:\n  corridor beds list\n  corridor beds list --date 2026-02-10"
    )]
    List(BedsListArgs),
    /// Publish beds of a specialty at a facility for arrivals within a period.
    #[command(
        after_help = "Example:\n  corridor beds publish --facility eg-arish-general-demo --specialty oncology --beds 6 --from 2026-02-02 --to 2026-03-31"
    )]
    Publish(PublishArgs),
    /// Close a facility or a whole country as a destination.
    #[command(
        after_help = "Examples:\n  corridor beds close --facility tr-ankara-city-demo --reason \"no oncology staff\"\n  corridor beds close --country AE --reason \"destination suspended by policy\""
    )]
    Close(DestinationArgs),
    /// Open a facility or a country again.
    Open(DestinationArgs),
}

#[derive(Debug, Args)]
pub struct BedsListArgs {
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub date: Option<jiff::civil::Date>,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    #[arg(long)]
    pub facility: String,
    #[arg(long)]
    pub specialty: String,
    #[arg(long)]
    pub beds: u32,
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub from: jiff::civil::Date,
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub to: jiff::civil::Date,
}

#[derive(Debug, Args)]
pub struct DestinationArgs {
    #[arg(long, required_unless_present = "country", conflicts_with = "country")]
    pub facility: Option<String>,
    /// A two-letter country code.
    #[arg(long)]
    pub country: Option<String>,
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Crossings with their quotas, rules and luggage rules.
    List,
    /// Record a crossing's rules from a date: companions per patient, entries = exits.
    #[command(
        after_help = "Example:\n  corridor rules set --crossing rafah --from 2026-02-02 --max-companions 2 --entries-equal-exits \\\n    --source \"Arrangements reported for the reopening, February 2026\""
    )]
    Set(RulesSetArgs),
    /// Record a new version of a crossing's luggage rules.
    #[command(
        after_help = "Example:\n  corridor rules luggage --crossing rafah --version 2 --from 2026-03-01 --max-pieces 1 \\\n    --forbid liquids,metal,electronics,cigarettes --max-cash \"2000 ILS\" --source \"…\""
    )]
    Luggage(LuggageRulesArgs),
}

#[derive(Debug, Args)]
pub struct RulesSetArgs {
    #[arg(long)]
    pub crossing: String,
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub from: jiff::civil::Date,
    /// Last day of the period; open-ended when omitted.
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub to: Option<jiff::civil::Date>,
    #[arg(long)]
    pub max_companions: u32,
    /// The crossing lets out only as many people as come in each day.
    #[arg(long)]
    pub entries_equal_exits: bool,
    /// Where the rule comes from.
    #[arg(long)]
    pub source: String,
}

#[derive(Debug, Args)]
pub struct LuggageRulesArgs {
    #[arg(long)]
    pub crossing: String,
    #[arg(long)]
    pub version: u32,
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub from: jiff::civil::Date,
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub to: Option<jiff::civil::Date>,
    #[arg(long)]
    pub max_pieces: Option<u32>,
    /// e.g. 20kg.
    #[arg(long)]
    pub max_weight: Option<String>,
    /// Item categories not allowed (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub forbid: Vec<String>,
    #[arg(long)]
    pub max_medication_days: Option<u32>,
    /// e.g. "2000 ILS".
    #[arg(long)]
    pub max_cash: Option<String>,
    #[arg(long)]
    pub source: String,
}

/// What a returnee carries.
#[derive(Debug, Args)]
pub struct LuggageArgs {
    /// Pieces of luggage.
    #[arg(long, default_value_t = 0)]
    pub pieces: u32,
    /// Total weight, e.g. 18kg.
    #[arg(long, default_value = "0kg")]
    pub weight: String,
    /// An item: [Nx ]category[:description], e.g. "3x clothing" or electronics:phone. Repeatable.
    #[arg(long = "item", value_name = "ITEM")]
    pub items: Vec<String>,
    /// Medication carried, in days of supply.
    #[arg(long, default_value_t = 0)]
    pub medication_days: u32,
    /// Cash carried, e.g. "1500 ILS". Repeatable.
    #[arg(long = "cash", value_name = "AMOUNT")]
    pub cash: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReturneesCommand {
    /// Register someone abroad to go back in, with their luggage declaration.
    #[command(
        after_help = "Example:\n  corridor returnees add --birth-year 1979 --sex female --from EG --legal-basis consent \\\n    --crossing rafah --pieces 1 --weight 14kg --item \"3x clothing\" --cash \"900 ILS\"\n\nThe declaration is checked against the luggage rules in force on the\ncrossing today; a violation is reported (the registration is kept, so the\nperson can change what they bring) and checked again at the gate."
    )]
    Add(ReturneeAddArgs),
}

#[derive(Debug, Args)]
pub struct ReturneeAddArgs {
    /// Pseudonymous id; generated (R-xxxxxxxx) when omitted.
    #[arg(long)]
    pub id: Option<String>,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub birth_year: String,
    #[arg(long)]
    pub sex: String,
    /// The country they return from (two-letter code).
    #[arg(long = "from")]
    pub returning_from: String,
    #[arg(long)]
    pub legal_basis: String,
    /// The crossing they will use, for the luggage check.
    #[arg(long, env = "CORRIDOR_CROSSING")]
    pub crossing: String,
    #[command(flatten)]
    pub luggage: LuggageArgs,
}

#[derive(Debug, Subcommand)]
pub enum LuggageCommand {
    /// Replace a returnee's luggage declaration, and check it.
    #[command(
        after_help = "Example:\n  corridor luggage declare R-000012 --crossing rafah --pieces 1 --weight 12kg --item \"2x clothing\""
    )]
    Declare(DeclareArgs),
    /// Check a returnee's declaration against the rules in force on a crossing day.
    #[command(
        after_help = "Example:\n  corridor luggage check R-000012 --crossing rafah --date 2026-02-03"
    )]
    Check(LuggageCheckArgs),
}

#[derive(Debug, Args)]
pub struct DeclareArgs {
    pub person: String,
    #[command(flatten)]
    pub day: DayArgs,
    #[command(flatten)]
    pub luggage: LuggageArgs,
}

#[derive(Debug, Args)]
pub struct LuggageCheckArgs {
    pub person: String,
    #[command(flatten)]
    pub day: DayArgs,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Propose the manifest of a crossing day, with the reason for every pick and every person left out.
    #[command(
        after_help = "Examples:\n  corridor plan show --crossing rafah --date 2026-02-02 --direction inbound\n  corridor plan show --crossing rafah --date 2026-02-02\n  corridor plan show --crossing rafah --date 2026-02-02 --method compare\n  corridor plan show --crossing rafah --date 2026-02-02 --left-out 100\n\nThe optimal method maximises the policy's value of the patients who leave,\nwithin the quota (companions count) and the free beds; greedy takes patients\nin priority order while places and beds last; compare shows both."
    )]
    Show(PlanShowArgs),
    /// Put a person on the day's plan, with a reason.
    Add(OverrideArgs),
    /// Keep a person off the day's plan, with a reason.
    Remove(OverrideArgs),
    /// Confirm the plan: schedules everyone on it and holds their beds.
    #[command(
        after_help = "Example:\n  corridor plan confirm --crossing rafah --date 2026-02-02 --direction inbound\n  corridor plan confirm --crossing rafah --date 2026-02-02"
    )]
    Confirm(PlanConfirmArgs),
    /// The standby list of a confirmed day: the parties the same rules pick next, with why.
    #[command(after_help = "Example:\n  corridor plan standby --crossing rafah --date 2026-02-02")]
    Standby(ManifestArgs),
    /// Amend a confirmed manifest: fill freed places from standby, add or remove a party.
    #[command(
        after_help = "Examples:\n  corridor plan amend --crossing rafah --date 2026-02-02 --fill\n  corridor plan amend --crossing rafah --date 2026-02-02 --add P-000042 --facility eg-arish\n  corridor plan amend --crossing rafah --date 2026-02-02 --remove P-000042 --reason \"too ill to travel\"\n\nPlaces are freed by declines, parties unreachable at the cut-off, no-shows,\nturn-backs and removals. A fill takes the best standby parties that fit the\nfree places and beds (companions count), by the same optimiser as the plan.\nEvery rule of the day is checked again; each amendment is audited."
    )]
    Amend(PlanAmendArgs),
    /// Cancel a confirmed day: take every party still expected off, end its standby list, tell them.
    #[command(
        after_help = "Examples:\n  corridor plan cancel --crossing rafah --date 2026-02-02 --reason \"the crossing did not open\"\n  corridor plan cancel --crossing rafah --date 2026-02-02 --direction inbound --reason \"no escort\"\n\nEvery party still expected goes back on the waiting list as cleared, its\nbeds released; people who already crossed stay crossed. Every party taken\noff and every party on standby is sent a notice that the day is cancelled.\nThe manifest stays, marked cancelled, and can no longer be amended."
    )]
    Cancel(PlanCancelArgs),
    /// Print the confirmed manifest of a day.
    Manifest(ManifestArgs),
    /// The day's assembly points: add, list, and give a party another.
    #[command(subcommand)]
    Assembly(super::calls::AssemblyCommand),
}

#[derive(Debug, Args)]
pub struct PlanShowArgs {
    #[command(flatten)]
    pub day: DayArgs,
    #[arg(long, default_value = "outbound")]
    pub direction: String,
    /// optimal, greedy or compare.
    #[arg(long, default_value = "optimal")]
    pub method: String,
    /// How many of the people left out to list (most valuable first).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub left_out: usize,
}

#[derive(Debug, Args)]
pub struct OverrideArgs {
    pub person: String,
    #[command(flatten)]
    pub day: DayArgs,
    #[arg(long, default_value = "outbound")]
    pub direction: String,
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct PlanConfirmArgs {
    #[command(flatten)]
    pub day: DayArgs,
    #[arg(long, default_value = "outbound")]
    pub direction: String,
    /// optimal or greedy.
    #[arg(long, default_value = "optimal")]
    pub method: String,
    /// People kept on standby (companions count); default 30 % of the quota, rounded up.
    #[arg(long, value_name = "N")]
    pub standby: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("change").required(true).args(["fill", "add", "remove"])))]
pub struct PlanAmendArgs {
    #[command(flatten)]
    pub day: DayArgs,
    #[arg(long, default_value = "outbound")]
    pub direction: String,
    /// Fill the free places from the standby list.
    #[arg(long)]
    pub fill: bool,
    /// Add this cleared patient (with their companions) or returnee by hand.
    #[arg(long, value_name = "ID")]
    pub add: Option<String>,
    /// The receiving facility of a patient added (default: one with a free bed).
    #[arg(long, requires = "add")]
    pub facility: Option<String>,
    /// Take this party (named by the patient or the returnee) off; needs --reason.
    #[arg(long, value_name = "ID", requires = "reason")]
    pub remove: Option<String>,
    /// Why the party is removed; kept with the person's record.
    #[arg(long, requires = "remove")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanCancelArgs {
    #[command(flatten)]
    pub day: DayArgs,
    /// outbound, inbound or both.
    #[arg(long, default_value = "both")]
    pub direction: String,
    /// Why the day is cancelled (at most 500 characters); kept with each person's record.
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct ManifestArgs {
    #[command(flatten)]
    pub day: DayArgs,
    #[arg(long, default_value = "outbound")]
    pub direction: String,
}

#[derive(Debug, Subcommand)]
pub enum GateCommand {
    /// Who is expected at the gate today, and who has been recorded.
    List(DayArgs),
    /// The person (with their companions, or only --person) crossed.
    #[command(
        after_help = "Examples:\n  corridor gate crossed P-000042\n  corridor gate crossed P-000042 --person P-000042\n\nWithout --person the whole party still expected crosses. A companion\ncrosses with or after their patient; a child patient crosses only with a\ncompanion who crosses too."
    )]
    Crossed(GateArgs),
    /// The person (with their companions, or only --person) was turned back; a --reason code is required.
    #[command(
        after_help = "Examples:\n  corridor gate turned-back P-000042 --reason refused-at-crossing\n  corridor gate turned-back P-000042 --person C-000043 --reason companion-refused\n\nA companion is turned back alone when the patient is an adult, or a child\nwho keeps another companion to cross with; they go back to the list as\ncleared. A patient turned back takes the companions still expected with\nthem: record it for the whole party."
    )]
    TurnedBack(GateArgs),
    /// The person (with their companions, or only --person) did not come (--reason code: not-known if left out).
    NoShow(GateArgs),
    /// Undo an outcome recorded in error, on the crossing day: the party (or only --person) is expected again.
    Undo(GateUndoArgs),
    /// End of day: what was planned, what happened, who goes back to the list.
    Reconcile(DayArgs),
}

#[derive(Debug, Args)]
pub struct GateUndoArgs {
    /// The patient (for their whole party) or the returnee.
    pub person: String,
    #[command(flatten)]
    pub day: DayArgs,
    /// Undo only this person's outcome (the patient or one companion of the party).
    #[arg(long = "person", value_name = "ID")]
    pub member: Option<String>,
    /// Why the outcome was wrong (e.g. "tapped the wrong card"); kept in each person's history.
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// The patient (for their whole party) or the returnee.
    pub person: String,
    #[command(flatten)]
    pub day: DayArgs,
    /// Record only this person of the party: a companion turned back alone
    /// while the patient crosses, or the patient crossing ahead.
    #[arg(long = "person", value_name = "ID")]
    pub member: Option<String>,
    /// The reason code (`corridor reasons list --kind turned-back` or `--kind no-show`).
    #[arg(long, value_name = "CODE")]
    pub reason: Option<String>,
    /// What the code does not say (required with `other`); kept with the person's record.
    #[arg(long)]
    pub note: Option<String>,
}
