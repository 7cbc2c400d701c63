//! Flags of `corridor backup` and `corridor restore`.

use std::path::PathBuf;

use clap::Args;

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
