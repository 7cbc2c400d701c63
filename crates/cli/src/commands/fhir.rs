//! `corridor export fhir`: one FHIR R4 Bundle per referral, as NDJSON.

use std::process::ExitCode;

use corridor_store::Exporter;

use super::report::Output;
use crate::context::Context;
use crate::flags::report::OutArgs;

pub async fn export(context: &Context, args: &OutArgs) -> anyhow::Result<ExitCode> {
    let to = args.out.as_ref().map(|path| path.display().to_string());
    let exporter = Exporter {
        actor: &context.actor,
        at: context.now,
        to: to.as_deref(),
    };
    // Pseudonymised, but still about people: the store records the export
    // before it writes it.
    let mut output = Output::open(args.out.as_deref())?;
    let written = context
        .store
        .export_fhir(&exporter, output.writer())
        .await?;
    output.finish()?;
    if let Some(path) = &args.out {
        eprintln!(
            "Exported {written} referrals to {} (FHIR R4 Bundles, one per line; pseudonymised: id and birth year only).",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
