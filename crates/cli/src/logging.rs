//! Logs for the operator, on standard error. `RUST_LOG` chooses what is
//! logged (default: corridor's own crates from `info`, everything else from
//! `warn`); `--log-format` (or `CORRIDOR_LOG_FORMAT`) how: text lines, or one
//! JSON object a line for a log collector. Nothing personal is logged: the
//! web server's access lines name the route, never the path or the query.

use std::io::Write;

use tracing_subscriber::EnvFilter;

use crate::flags::LogFormat;
use crate::output::BARS;

/// What is logged when `RUST_LOG` is not set.
pub const DEFAULT_FILTER: &str = "warn,corridor=info";

/// Installs the logger for the rest of the process.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::builder()
        .parse_lossy(std::env::var("RUST_LOG").unwrap_or_else(|_| DEFAULT_FILTER.to_string()));
    let logger = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| AboveTheBars);
    // A second logger (only in tests of this binary) is not an error worth stopping for.
    let _ = match format {
        LogFormat::Text => logger
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init(),
        LogFormat::Json => logger
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// Standard error, with the progress bars taken away while a line is
/// written and drawn again below it, so that bars and logs do not mix.
struct AboveTheBars;

impl Write for AboveTheBars {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        BARS.suspend(|| std::io::stderr().write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
