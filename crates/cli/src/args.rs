//! The command line as clap sees it: flags and their help, nothing more.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "corridor",
    version,
    about = "Coordinates a humanitarian crossing: the medical-evacuation waiting list, clearance, quotas, receiving beds and forecasts.",
    after_help = "Examples:\n  corridor demo                          create a demo registry and print the waiting list\n  corridor patients list --tier critical  the most urgent first\n  corridor patients show P-000042         one person and their status timeline\n  corridor audit verify                   check the audit chain\n\nThe database is a SQLite file in the data directory unless --database-url\n(or CORRIDOR_DATABASE_URL) names another, e.g. postgres://user@host/corridor."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database to use: sqlite:///path/file.db or postgres://user@host/db.
    /// Default: corridor.db in the user's data directory.
    #[arg(long, global = true, env = "CORRIDOR_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Who is acting, recorded in every event and audit entry.
    /// Default: the login name (USER, LOGNAME), else `local-user`.
    #[arg(
        long = "as",
        global = true,
        env = "CORRIDOR_ACTOR",
        value_name = "NAME"
    )]
    pub actor: Option<String>,
    /// Work as of this date (YYYY-MM-DD) instead of today (UTC): ages,
    /// waiting times and date checks use it.
    #[arg(long, global = true, value_name = "DATE")]
    pub today: Option<String>,
    /// How log lines are written to standard error: text, or json (one
    /// object a line). What is logged is set by RUST_LOG; by default
    /// corridor's own messages from info, other libraries' from warn.
    #[arg(
        long,
        global = true,
        env = "CORRIDOR_LOG_FORMAT",
        value_enum,
        default_value_t,
        value_name = "FORMAT"
    )]
    pub log_format: crate::logging::LogFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a registry with a generated demo data set and print the waiting list.
    #[command(
        after_help = "Examples:\n  corridor demo\n  corridor demo --seed 7 --size 2000 --database-url sqlite:///tmp/small.db\n\nThe data set is generated (no real person's data), reproducible from\n--seed, and calibrated to public figures: about 20,000 waiting, 4,500\nchildren, 440 critical, 1,200 deaths while waiting. If the database already\nholds data, nothing is changed and its summary is printed."
    )]
    Demo(DemoArgs),
    /// Serve the web application (dashboard, working screens, JSON API).
    #[command(
        after_help = "Examples:\n  corridor serve --demo                      demo data on first run, then serve on 127.0.0.1:8080\n  corridor serve --address 0.0.0.0:8080      reachable from tablets on the local network\n  corridor serve --database-url postgres://corridor@db/corridor\n\nOn the first run an account 'admin' is created. Its password is taken from\nCORRIDOR_ADMIN_PASSWORD if set (at least 12 characters), otherwise generated\nand printed once. There is no default password. Stop with Ctrl-C."
    )]
    Serve(ServeArgs),
    /// Print the waiting-list summary of the registry.
    #[command(
        after_help = "Examples:\n  corridor summary\n  corridor summary --today 2026-01-01   waiting times as of another day"
    )]
    Summary,
    /// Register, list, show and move patients and companions.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor patients list --tier critical\n  corridor patients show P-000042\n  corridor patients transition P-000042 request-clearance\n  corridor patients add --help           how to register a patient and companions"
    )]
    Patients(PatientsCommand),
    /// Import people from a file.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor import referrals referrals.csv --dry-run\n  corridor import referrals referrals.csv"
    )]
    Import(ImportCommand),
    /// Export people (CSV, FHIR) or aggregates (HXL) to a file.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor export referrals --out referrals.csv\n  corridor export referrals --include-personal --purpose \"transfer to MoH registry\" --out full.csv\n  corridor export waiting-list --out waiting.csv\n  corridor export fhir --out referrals.ndjson"
    )]
    Export(ExportCommand),
    /// Check or read the audit log.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor audit verify\n  corridor audit anchor --out anchor.txt\n  corridor audit verify --anchor anchor.txt\n  corridor audit log --limit 50"
    )]
    Audit(AuditCommand),
    /// Write the whole registry, with its audit chain, to one file.
    #[command(
        after_help = "Examples:\n  corridor backup --out corridor-2026-02-01.backup\n  corridor --database-url postgres://corridor@db/corridor backup --out cell.backup\n\nThe file holds every person's data: keep it as safely as the database.\nThe server may go on working: the backup is one consistent snapshot."
    )]
    Backup(BackupArgs),
    /// Load a backup into a new, empty database (SQLite or PostgreSQL).
    #[command(
        after_help = "Examples:\n  corridor restore corridor-2026-02-01.backup --database-url sqlite:///srv/corridor/restored.db\n  corridor restore laptop.backup --database-url postgres://corridor@db/corridor\n\nThe database must be empty: a new SQLite file, or a new PostgreSQL database\nmade with createdb. Everything is loaded in one transaction, or nothing, and\nthe audit chain and the data are verified afterwards. This is how a registry\nmoves from a laptop to PostgreSQL."
    )]
    Restore(RestoreArgs),
    /// Forecast the waiting list: days to clear, deaths while waiting, waits by tier.
    #[command(
        after_help = "Examples:\n  corridor forecast --from-registry --capacity 50\n  corridor forecast --backlog critical=440,urgent=5000,routine=14560 --capacity 50 --policy all\n  corridor forecast --scenario scenarios/calibrated.toml --json"
    )]
    Forecast(crate::forecast::ForecastArgs),
    /// Submit people for security clearance and record the authority's decisions.
    #[command(subcommand)]
    Clearance(crate::day_args::ClearanceCommand),
    /// Receiving beds by facility and specialty; open or close destinations.
    #[command(subcommand)]
    Beds(crate::day_args::BedsCommand),
    /// Crossings, their quotas, rules and luggage rules.
    #[command(subcommand)]
    Rules(crate::day_args::RulesCommand),
    /// Register people abroad who go back in.
    #[command(subcommand)]
    Returnees(crate::day_args::ReturneesCommand),
    /// Returnees' luggage declarations, checked against the rules in force.
    #[command(subcommand)]
    Luggage(crate::day_args::LuggageCommand),
    /// Plan a crossing day: propose, adjust and confirm the manifest.
    #[command(subcommand)]
    Plan(crate::day_args::PlanCommand),
    /// Work the confirmed manifest at the gate, and reconcile the day.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor gate list --crossing rafah --date 2026-02-02\n  corridor gate crossed P-000123 --crossing rafah --date 2026-02-02\n  corridor gate turned-back P-000456 --crossing rafah --date 2026-02-02 --reason documents-not-accepted\n  corridor gate no-show R-000012 --crossing rafah --date 2026-02-02\n  corridor gate reconcile --crossing rafah --date 2026-02-02\n\nA patient's outcome is recorded for the whole party: the companions with\nthem cross or are turned back together. Turned back needs a --reason code\n(`corridor reasons list --kind turned-back`); a no-show may give one\n(default not-known)."
    )]
    Gate(crate::day_args::GateCommand),
    /// Record, list and import public figures with their sources.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor figures list\n  corridor figures import figures.csv --dry-run\n  corridor figures add --help"
    )]
    Figures(crate::commands::figures::FiguresCommand),
    /// Write the situation report: one self-contained HTML file of aggregates.
    #[command(
        after_help = "Examples:\n  corridor report --date 2026-02-01 --out sitrep.html\n  corridor report --out sitrep.html --proposed-capacity 150 --replications 500\n\nWaiting list, evacuations against quota, deaths while waiting, forecasts\nunder the current and proposed capacities, top clearance denial reasons and\nthe public figures with their sources. Only aggregates; counts below 5 are\nshown as <5. Print it to PDF from a browser."
    )]
    Report(crate::commands::report::ReportArgs),
    /// Aid trucks: register consignments, move them through their stages, report and forecast.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor aid add --id WB-1 --agency WFP --category food --origin Al-Arish --crossing kerem-shalom --trucks 10 --pallets 240 --tonnes 180\n  corridor aid move WB-1 staging\n  corridor aid status --date 2026-02-01\n  corridor aid report --from 2026-01-01 --to 2026-01-31 --svg charts/\n  corridor aid forecast --inspection-capacity 250 --arrivals 300 --days 90"
    )]
    Aid(crate::commands::aid::AidCommand),
    /// Accounts of the web application: add, list, reset a password, create an API token.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor users add amal --role coordinator\n  corridor users list\n  corridor users reset-password amal\n  TOKEN=$(corridor users token amal --label \"registry sync\")"
    )]
    Users(crate::commands::users::UsersCommand),
    /// The reason codes for denials, delays, turn-backs, no-shows, removals and withdrawals.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor reasons list\n  corridor reasons list --kind denied\n  corridor patients transition P-000042 deny --reason security-objection\n  corridor gate turned-back P-000456 --crossing rafah --date 2026-02-02 --reason other --note \"…\""
    )]
    Reasons(crate::commands::reasons::ReasonsCommand),
    /// Organisations that accounts and referrals point to: add, list.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor organisations list\n  corridor organisations add al-awda-hospital --name \"Al-Awda Hospital\" --kind referring-facility"
    )]
    Organisations(crate::commands::users::OrganisationsCommand),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the generator: the same seed gives the same data set.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Number of patients waiting in the generated list.
    #[arg(long, default_value_t = 20_000, value_name = "PATIENTS")]
    pub size: u32,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub address: std::net::SocketAddr,
    /// Load the generated demo data set first if the database holds nobody.
    #[arg(long)]
    pub demo: bool,
    /// Mark the session cookie Secure; use it when corridor is behind HTTPS.
    #[arg(long)]
    pub secure_cookies: bool,
    #[command(flatten)]
    pub demo_args: DemoArgs,
}

#[derive(Debug, Subcommand)]
pub enum PatientsCommand {
    /// Register a patient and their companions.
    #[command(
        after_help = "Examples:\n  corridor patients add --birth-year 1961 --sex male --condition cancer \\\n    --specialty oncology --tier urgent --referral-date 2025-11-03 \\\n    --referring-facility european-gaza-hospital --legal-basis consent \\\n    --companion relationship=child,birth-year=1990,sex=female\n\nA patient under 18 must be registered with at least one companion.\nA companion is given as comma-separated key=value pairs: relationship,\nbirth-year, sex (required), and name, id, legal-basis (optional)."
    )]
    Add(AddArgs),
    /// List people still waiting (or in the given statuses), most urgent first.
    #[command(
        after_help = "Examples:\n  corridor patients list\n  corridor patients list --tier critical,urgent --specialty oncology\n  corridor patients list --age-group child --waited-more-than 365\n  corridor patients list --status denied,delayed --limit 200\n  corridor patients list --companions"
    )]
    List(ListArgs),
    /// Show one person: details, companions, status timeline, allowed transitions.
    /// Shows personal data; the read is recorded in the audit log.
    #[command(after_help = "Example:\n  corridor patients show P-000042")]
    Show(ShowArgs),
    /// Move a person to the next status.
    #[command(
        after_help = "Examples:\n  corridor patients transition P-000042 list\n  corridor patients transition P-000042 request-clearance\n  corridor patients transition P-000042 deny --reason security-objection\n  corridor patients transition P-000042 deny --reason other --note \"asked to apply again with a new permit\"\n  corridor patients transition P-000042 delay --date 2026-02-10\n  corridor patients transition P-000042 resubmit\n  corridor patients transition P-000042 admit --facility eg-arish-general\n  corridor patients transition P-000042 die --date 2026-02-03\n  corridor patients transition P-000042 withdraw --reason no-longer-needed\n  corridor patients transition P-000042 reinstate --reason wrong-person\n\nActions: list, request-clearance, clear, deny, delay, resubmit, schedule,\nunschedule, cross, admit, return, die, withdraw, reinstate. `patients show`\nprints the ones allowed now. `reinstate` undoes a death or withdrawal\nrecorded in error: the person goes back to the waiting status they left\n(scheduled comes back as cleared: the place and bed are not restored).\nPeople are scheduled by confirming a day plan (`corridor plan confirm`),\nwhich checks the quota and holds a bed.\n\nReasons are codes: `corridor reasons list` shows them by kind. A --note says\nmore; it stays with the person's record and never leaves in a report or an\nexport."
    )]
    Transition(TransitionArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Pseudonymous id; generated (P-xxxxxxxx) when omitted.
    #[arg(long)]
    pub id: Option<String>,
    /// Full name (personal data; optional).
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub birth_year: String,
    /// female, male or unknown.
    #[arg(long)]
    pub sex: String,
    /// cancer, war-injury, cardiovascular, renal, neurological, congenital, blood, eye, burns, other.
    #[arg(long)]
    pub condition: String,
    /// The specialty needed abroad, e.g. oncology, orthopaedics, neurosurgery.
    #[arg(long)]
    pub specialty: String,
    /// critical, urgent or routine.
    #[arg(long)]
    pub tier: String,
    /// Date of the referral (YYYY-MM-DD); default today.
    #[arg(long)]
    pub referral_date: Option<String>,
    /// The id of the referring organisation (`corridor organisations list`).
    #[arg(long)]
    pub referring_facility: String,
    /// consent, vital-interest, public-interest, legitimate-interest or legal-obligation.
    #[arg(long)]
    pub legal_basis: String,
    /// The patient's return is guaranteed (some facilities require it).
    #[arg(long)]
    pub return_guarantee: bool,
    /// A companion: relationship=parent,birth-year=1988,sex=female[,name=…][,id=…]. Repeatable.
    #[arg(long = "companion", value_name = "SPEC")]
    pub companions: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these tiers (comma-separated): critical, urgent, routine.
    #[arg(long, value_delimiter = ',')]
    pub tier: Vec<String>,
    /// Only these statuses (comma-separated); default: everyone still waiting.
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    /// Only these specialties (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub specialty: Vec<String>,
    /// Only these age groups (comma-separated): 0-4, 5-17, 18-59, 60+, or child (under 18).
    #[arg(long, value_delimiter = ',')]
    pub age_group: Vec<String>,
    /// Only those referred more than this many days ago.
    #[arg(long, value_name = "DAYS")]
    pub waited_more_than: Option<u32>,
    /// Only those referred less than this many days ago.
    #[arg(long, value_name = "DAYS")]
    pub waited_less_than: Option<u32>,
    /// List companions instead of patients.
    #[arg(long)]
    pub companions: bool,
    /// Rows per page.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Page number, from 1.
    #[arg(long, default_value_t = 1)]
    pub page: u64,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub id: String,
}

#[derive(Debug, Args)]
pub struct TransitionArgs {
    pub id: String,
    /// The transition, e.g. list, request-clearance, clear, deny, delay, resubmit, schedule, cross, admit, return, die, withdraw, reinstate.
    pub action: String,
    /// The reason code for deny, unschedule, withdraw and reinstate (required)
    /// and delay (no-answer if left out); `corridor reasons list` shows them.
    #[arg(long, value_name = "CODE")]
    pub reason: Option<String>,
    /// The date for delay (needed by), schedule (crossing day) and die (date of death).
    #[arg(long, value_parser = crate::commands::parse_date)]
    pub date: Option<jiff::civil::Date>,
    /// The crossing for schedule.
    #[arg(long)]
    pub crossing: Option<String>,
    /// The receiving facility for admit.
    #[arg(long)]
    pub facility: Option<String>,
    /// With a reason: what the code does not say (required with `other`);
    /// otherwise a note kept with the event. Shown only on the person's record.
    #[arg(long)]
    pub note: Option<String>,
    /// Fail instead of applying if the person is no longer at this version
    /// (the version shown by `patients show`).
    #[arg(long, value_name = "VERSION")]
    pub expect_version: Option<u32>,
}

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
    WaitingList(crate::commands::report::OutArgs),
    /// People evacuated per day, crossing and destination country, with the quota (HXL).
    #[command(
        after_help = "Example:\n  corridor export evacuations --from 2026-01-01 --to 2026-01-31 --out evacuations.csv"
    )]
    Evacuations(crate::commands::report::WindowArgs),
    /// Deaths while waiting per day and tier (HXL; counts below 5 as <5).
    #[command(after_help = "Example:\n  corridor export deaths --out deaths.csv")]
    Deaths(crate::commands::report::WindowArgs),
    /// Public figures with their sources (HXL; re-importable with `figures import`).
    #[command(after_help = "Example:\n  corridor export figures --out figures.csv")]
    Figures(crate::commands::report::OutArgs),
    /// Aid by day, stage and cargo category: consignments, trucks, pallets, tonnes (HXL).
    #[command(
        after_help = "Example:\n  corridor export aid --from 2026-01-01 --to 2026-01-31 --out aid.csv\n\nOne row per day, stage reached and cargo category, with the daily truck\ntarget beside it. Trucks are counted as they were at that stage: as\npresented up to inspection, after repacking from `reloaded` on."
    )]
    Aid(crate::commands::report::WindowArgs),
    /// One FHIR R4 Bundle per referral, one per line (NDJSON), pseudonymised.
    #[command(
        after_help = "Example:\n  corridor export fhir --out referrals.ndjson\n\nEach Bundle holds the Patient (pseudonymous id and birth year only), the\nServiceRequest, the listing/clearance/scheduling Tasks, the transfer\nEncounter and the facilities. The export is recorded in the audit log."
    )]
    Fhir(crate::commands::report::OutArgs),
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

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain and the data it covers: every edited, inserted or deleted
    /// entry by position, every row changed outside corridor by table and key.
    #[command(
        after_help = "Examples:\n  corridor audit verify\n  corridor audit verify --anchor anchor-2026-02-01.txt\n\nExits 0 when the log and the data are intact and prints the head; exits 1\nand names every problem when they are not. With --anchor, also checks that\nthe chain still holds the entry an anchor kept elsewhere records, which\nshows a chain truncated or rewritten together with its head."
    )]
    Verify(AuditVerifyArgs),
    /// Print the head of the chain, to keep outside this database.
    #[command(
        after_help = "Examples:\n  corridor audit anchor\n  corridor audit anchor --out anchor-2026-02-01.txt\n\nKeep the anchor where whoever could change this database cannot (another\nmachine, a printout, a message to the oversight body). Later,\n`corridor audit verify --anchor FILE` shows whether the chain up to it is\nstill the same."
    )]
    Anchor(AuditAnchorArgs),
    /// Print the most recent audit entries.
    #[command(after_help = "Examples:\n  corridor audit log\n  corridor audit log --limit 50")]
    Log(AuditLogArgs),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// An anchor file written by `corridor audit anchor`.
    #[arg(long, value_name = "FILE")]
    pub anchor: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditAnchorArgs {
    /// Write the anchor to this file instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write (readable by its owner only; replaced if it exists).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `corridor backup`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct AuditLogArgs {
    /// How many of the most recent entries to print.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
}
