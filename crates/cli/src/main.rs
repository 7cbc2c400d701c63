//! `corridor`: the command-line tool of the corridor system.
//!
//! Two stages, as in ripgrep: clap parses the arguments ([`args`]), then
//! each command validates them into domain values before touching the
//! database. `main` only prints the error and picks the exit code.

mod commands;
mod context;
mod flags;
mod forecast;
mod hints;
mod logging;
mod output;

use std::process::ExitCode;

use clap::Parser;

/// Under load the server allocates for every request and every row; glibc's
/// allocator spent a fifth of the CPU time there (bench/web/run.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = flags::Cli::parse();
    logging::init(cli.global.log_format);
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            let mut shown = error.to_string();
            eprintln!("error: {shown}");
            for cause in error.chain().skip(1) {
                // Many messages already end with their cause; say it once.
                let text = cause.to_string();
                if !shown.contains(&text) {
                    eprintln!("  caused by: {text}");
                }
                shown = text;
            }
            let store_error = error
                .chain()
                .find_map(|cause| cause.downcast_ref::<corridor_store::StoreError>());
            if let Some(hint) = store_error.and_then(hints::hint) {
                eprintln!("  hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

/// `corridor patients list | head` closes standard output early; like other
/// command-line tools, stop quietly then instead of printing a panic.
fn quiet_on_closed_pipe() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("Broken pipe") {
            // 128 + SIGPIPE, what a shell reports for a process ended by a closed pipe.
            std::process::exit(141);
        }
        default_hook(info);
    }));
}
