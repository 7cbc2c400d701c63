//! Flags of `corridor audit …`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

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
pub struct AuditLogArgs {
    /// How many of the most recent entries to print.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
}
