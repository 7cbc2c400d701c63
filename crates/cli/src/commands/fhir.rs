//! `corridor export fhir`: one FHIR R4 Bundle per referral, as NDJSON.

use std::process::ExitCode;

use corridor_interop::fhir::{Places, ReferralHistory, write_bundles};
use corridor_store::NewAuditEntry;

use super::report::write_output;
use crate::context::Context;
use crate::flags::report::OutArgs;

pub async fn export(context: &Context, args: &OutArgs) -> anyhow::Result<ExitCode> {
    let histories = context.store.patient_histories().await?;
    let reference = context.store.reference().await?;
    let reasons = context.store.reason_codes().await?;
    // Pseudonymised, but still about people: on record before it is written.
    context
        .store
        .record(&NewAuditEntry {
            at: context.now,
            actor: context.actor.clone(),
            action: "person.export-fhir".to_string(),
            subject: "referrals".to_string(),
            detail: serde_json::json!({
                "patients": histories.len(),
                "to": args.out.as_ref().map(|path| path.display().to_string()),
            }),
        })
        .await?;
    let places = Places {
        organisations: &reference.organisations,
        facilities: &reference.facilities,
        countries: &reference.countries,
        crossings: &reference.crossings,
    };
    let written = write_output(args.out.as_deref(), |out| {
        Ok(write_bundles(
            out,
            histories.iter().map(|h| ReferralHistory {
                person: &h.person,
                line: &h.line,
                events: &h.events,
            }),
            places,
            &reasons,
            context.now,
        )?)
    })?;
    if let Some(path) = &args.out {
        eprintln!(
            "Exported {written} referrals to {} (FHIR R4 Bundles, one per line; pseudonymised: id and birth year only).",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
