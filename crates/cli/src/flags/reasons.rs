//! Flags of `corridor reasons …`.

#[derive(Debug, clap::Subcommand)]
pub enum ReasonsCommand {
    /// List the reason codes, with their labels, by kind.
    #[command(
        after_help = "Examples:\n  corridor reasons list\n  corridor reasons list --kind denied\n\nKinds: denied and delayed (clearance), turned-back and no-show (the gate),\nunscheduled (taken off a day's plan), withdrawn (left the list). Give the\ncode with --reason CODE, and say more with --note TEXT: the note stays with\nthe person's record and never leaves in a report or an export. Every kind\nhas `other`, which needs a --note."
    )]
    List(ListReasonsArgs),
    /// Add a code to a kind's list (audited).
    #[command(
        after_help = "Example:\n  corridor reasons add --kind turned-back --code permit-expired --label \"Exit permit expired\"\n\nA code is a stable identifier (lowercase letters, digits and '-'): records\nand translations are found by it, so it is never renamed. The label is\nEnglish; it is what reports and exports show."
    )]
    Add(AddReasonArgs),
    /// Take a code out of use: it is no longer offered or accepted, and the records that carry it still read.
    #[command(
        after_help = "Example:\n  corridor reasons retire --kind denied --code companion-not-approved\n\n`other`, a kind's default code and patient-not-travelling stay in use:\ncorridor records them by itself."
    )]
    Retire(ReasonCodeArgs),
    /// Put a code taken out of use back in use.
    #[command(
        after_help = "Example:\n  corridor reasons restore --kind denied --code companion-not-approved"
    )]
    Restore(ReasonCodeArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddReasonArgs {
    #[command(flatten)]
    pub code: ReasonCodeArgs,
    /// What the code means, in English, e.g. "Exit permit expired".
    #[arg(long)]
    pub label: String,
}

#[derive(Debug, clap::Args)]
pub struct ReasonCodeArgs {
    /// denied, delayed, turned-back, no-show, unscheduled or withdrawn.
    #[arg(long)]
    pub kind: String,
    /// e.g. permit-expired.
    #[arg(long)]
    pub code: String,
}

#[derive(Debug, clap::Args)]
pub struct ListReasonsArgs {
    /// Only this kind: denied, delayed, turned-back, no-show, unscheduled or withdrawn.
    #[arg(long)]
    pub kind: Option<String>,
    /// Also the codes no longer in use (they still read in older records).
    #[arg(long)]
    pub all: bool,
}
