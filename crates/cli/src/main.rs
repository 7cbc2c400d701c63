//! `corridor`: the command-line tool of the corridor system.
//!
//! Two stages, as in ripgrep: clap parses the arguments ([`args`]), then
//! each command validates them into domain values before touching the
//! database. `main` only prints the error and picks the exit code.

mod args;
mod commands;
mod context;
mod forecast;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
