//! The command line as clap sees it: every flag, argument and subcommand
//! with its help, and nothing more. The commands in `commands/` read what
//! is parsed here; one module per family of commands.

pub mod aid;
pub mod audit;
pub mod backup;
pub mod calls;
pub mod days;
pub mod exchange;
pub mod figures;
pub mod forecast;
pub mod patients;
pub mod reasons;
pub mod report;
pub mod serve;
pub mod users;

use clap::{Args, Parser, Subcommand};

use audit::AuditCommand;
use backup::{BackupArgs, RestoreArgs};
use exchange::{ExportCommand, ImportCommand};
use patients::PatientsCommand;
use serve::{DemoArgs, ServeArgs};

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
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
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
    Forecast(forecast::ForecastArgs),
    /// Submit people for security clearance and record the authority's decisions.
    #[command(subcommand)]
    Clearance(days::ClearanceCommand),
    /// Receiving beds by facility and specialty; open or close destinations.
    #[command(subcommand)]
    Beds(days::BedsCommand),
    /// Crossings, their quotas, rules and luggage rules.
    #[command(subcommand)]
    Rules(days::RulesCommand),
    /// Register people abroad who go back in.
    #[command(subcommand)]
    Returnees(days::ReturneesCommand),
    /// Returnees' luggage declarations, checked against the rules in force.
    #[command(subcommand)]
    Luggage(days::LuggageCommand),
    /// Plan a crossing day: propose, adjust and confirm the manifest.
    #[command(subcommand)]
    Plan(days::PlanCommand),
    /// Work the confirmed manifest at the gate, and reconcile the day.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor gate list --crossing rafah --date 2026-02-02\n  corridor gate crossed P-000123 --crossing rafah --date 2026-02-02\n  corridor gate turned-back P-000456 --crossing rafah --date 2026-02-02 --reason documents-not-accepted\n  corridor gate no-show R-000012 --crossing rafah --date 2026-02-02\n  corridor gate undo P-000123 --crossing rafah --date 2026-02-02 --reason \"tapped the wrong card\"\n  corridor gate reconcile --crossing rafah --date 2026-02-02\n\nA patient's outcome is recorded for the whole party: the companions with\nthem cross or are turned back together. Turned back needs a --reason code\n(`corridor reasons list --kind turned-back`); a no-show may give one\n(default not-known). Outcomes are recorded once the day has come; one\nrecorded in error is undone on that day only, with a --reason."
    )]
    Gate(days::GateCommand),
    /// The call list of a confirmed day: reach each party, record what it answered.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor calls list --date 2026-02-02\n  corridor calls record P-000123 --date 2026-02-02 --outcome declined --reason \"too ill to travel\"\n  corridor calls cut-off --date 2026-02-02 --apply"
    )]
    Calls(calls::CallsCommand),
    /// The notices sent to parties (listed, scheduled, standby, delayed, denied, day cancelled).
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor notices list --date 2026-02-02\n  corridor notices list --date 2026-02-02 --words\n\n`corridor serve` sends them: through the log by default (the call list is\nhow parties are reached), or to an SMS gateway with --notices-channel\nrapidpro|webhook and --notices-url. A notice that fails is tried again with\nback-off for 24 hours."
    )]
    Notices(calls::NoticesCommand),
    /// Record, list and import public figures with their sources.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor figures list\n  corridor figures import figures.csv --dry-run\n  corridor figures add --help"
    )]
    Figures(figures::FiguresCommand),
    /// Write the situation report: one self-contained HTML file of aggregates.
    #[command(
        after_help = "Examples:\n  corridor report --date 2026-02-01 --out sitrep.html\n  corridor report --out sitrep.html --proposed-capacity 150 --replications 500\n\nWaiting list, evacuations against quota, deaths while waiting, forecasts\nunder the current and proposed capacities, top clearance denial reasons and\nthe public figures with their sources. Only aggregates; counts below 5 are\nshown as <5. Print it to PDF from a browser."
    )]
    Report(report::ReportArgs),
    /// How the places of each confirmed crossing day were used, and why places were lost.
    #[command(
        after_help = "Examples:\n  corridor utilisation\n  corridor utilisation --from 2026-02-01 --to 2026-02-28 --direction outbound\n\nPer day and direction: places available, people planned, reached on the\ncall, crossed, still expected, and the places freed by cause (declined,\nunreachable, no-show, turned back, removed) and refilled from standby.\nThe HXL export of the same figures: `corridor export utilisation`."
    )]
    Utilisation(report::UtilisationArgs),
    /// Aid trucks: register consignments, move them through their stages, report and forecast.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor aid add --id WB-1 --agency WFP --category food --origin Al-Arish --crossing kerem-shalom --trucks 10 --pallets 240 --tonnes 180\n  corridor aid move WB-1 staging\n  corridor aid status --date 2026-02-01\n  corridor aid report --from 2026-01-01 --to 2026-01-31 --svg charts/\n  corridor aid forecast --inspection-capacity 250 --arrivals 300 --days 90"
    )]
    Aid(aid::AidCommand),
    /// Accounts of the web application: add, list, reset a password, create an API token.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor users add amal --role coordinator\n  corridor users list\n  corridor users reset-password amal\n  TOKEN=$(corridor users token amal --label \"registry sync\")"
    )]
    Users(users::UsersCommand),
    /// The reason codes for denials, delays, turn-backs, no-shows, removals and withdrawals.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor reasons list\n  corridor reasons list --kind denied\n  corridor patients transition P-000042 deny --reason security-objection\n  corridor gate turned-back P-000456 --crossing rafah --date 2026-02-02 --reason other --note \"…\""
    )]
    Reasons(reasons::ReasonsCommand),
    /// Organisations that accounts and referrals point to: add, list.
    #[command(
        subcommand,
        after_help = "Examples:\n  corridor organisations list\n  corridor organisations add al-awda-hospital --name \"Al-Awda Hospital\" --kind referring-facility"
    )]
    Organisations(users::OrganisationsCommand),
}
