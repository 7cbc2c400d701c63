//! Flags of `corridor patients …`.

use clap::{Args, Subcommand};

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
    /// A person's phone numbers: add, list, remove (personal data).
    #[command(subcommand)]
    Contact(super::calls::ContactCommand),
    /// Replace a companion who cannot travel (denied clearance, turned back,
    /// withdrawn, died) with another family member.
    #[command(
        after_help = "Example:\n  corridor patients replace-companion P-000042 --companion C-000043 \\\n    --relationship sibling --birth-year 1992 --sex female --name \"Huda\" \\\n    --reason \"denied clearance; her sister travels instead\"\n\nThe new companion is registered for the same patient and needs clearance\nlike any new companion; the crossing rules' companion limit applies (the\nreplaced companion no longer counts). The replaced companion keeps their\nrecord and history: they leave the list as withdrawn (reason `replaced`,\nwith your --reason as the note) unless already withdrawn or dead. The\npatient keeps their place in the list."
    )]
    ReplaceCompanion(ReplaceCompanionArgs),
}

#[derive(Debug, Args)]
pub struct ReplaceCompanionArgs {
    /// The patient.
    pub patient: String,
    /// The companion who cannot travel.
    #[arg(long, value_name = "ID")]
    pub companion: String,
    /// The new companion's relationship to the patient, e.g. parent, sibling, spouse, child.
    #[arg(long)]
    pub relationship: String,
    #[arg(long)]
    pub birth_year: String,
    /// female, male or unknown.
    #[arg(long)]
    pub sex: String,
    /// Full name (personal data; optional).
    #[arg(long)]
    pub name: Option<String>,
    /// Pseudonymous id; generated (C-xxxxxxxx) when omitted.
    #[arg(long)]
    pub id: Option<String>,
    /// The new companion's legal basis; the patient's when omitted.
    #[arg(long)]
    pub legal_basis: Option<String>,
    /// Why the companion is replaced; kept in the replaced companion's history.
    #[arg(long)]
    pub reason: String,
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
