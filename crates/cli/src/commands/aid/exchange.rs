//! Consignments from and to CSV files: `import consignments` and
//! `export consignments`.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use corridor_domain::{ConsignmentCase, ConsignmentId};
use corridor_interop::consignments::{
    ConsignmentImport, check_against_registry, read_consignments,
};
use corridor_store::NewAuditEntry;
use sha2::{Digest, Sha256};

use crate::commands::report::Output;
use crate::context::Context;
use crate::flags::exchange::{ConsignmentExportArgs, ImportArgs};
use crate::output::{count, progress_bar};

pub async fn import(context: &Context, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let file_name = args.file.display().to_string();
    let digest = hex::encode(Sha256::digest(&bytes));
    let bar = progress_bar(bytes.len() as u64, "checking");
    let mut import: ConsignmentImport = {
        let mut on_progress = |read: u64| bar.set_position(read);
        read_consignments(
            bytes.as_slice(),
            context.now,
            &context.actor,
            &mut on_progress,
        )
        .with_context(|| format!("{file_name} cannot be imported"))?
    };
    bar.finish_and_clear();
    let ids: Vec<ConsignmentId> = import.ids.iter().map(|(_, id)| id.clone()).collect();
    let registered = context.store.consignments_registered(&ids).await?;
    check_against_registry(&mut import, &registered);
    if !import.errors.is_empty() {
        let lines: std::collections::BTreeSet<u64> = import.errors.iter().map(|e| e.line).collect();
        let mut out = format!(
            "{file_name}: nothing was imported. {} problem(s) on {} line(s); fix them and run the import again:\n",
            import.errors.len(),
            lines.len()
        );
        for error in &import.errors {
            let _ = writeln!(out, "  {error}");
        }
        print!("{out}");
        return Ok(ExitCode::FAILURE);
    }
    let cases: Vec<ConsignmentCase> = import.rows.into_iter().map(|row| row.case).collect();
    let events: usize = cases.iter().map(|case| case.events.len()).sum();
    let audit = NewAuditEntry {
        at: context.now,
        actor: context.actor.clone(),
        action: "consignment.import".to_string(),
        subject: file_name.clone(),
        detail: serde_json::json!({
            "file_sha256": digest,
            "consignments": cases.len(),
            "events": events,
            "ids": cases.iter().map(|case| case.consignment.id.as_str()).collect::<Vec<_>>(),
        }),
    };
    let bar = progress_bar(cases.len() as u64, "importing");
    let mut on_progress = |written: u64| bar.set_position(written);
    let mode = crate::commands::import_mode(args.dry_run);
    context
        .store
        .insert_consignments(&cases, &audit, mode, &mut on_progress)
        .await
        .context("nothing was imported")?;
    bar.finish_and_clear();
    println!(
        "{}",
        crate::commands::import_summary(
            mode,
            &format!(
                "Imported {} consignments with {} stage events from {file_name}",
                count(cases.len() as u64),
                count(events as u64)
            )
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn export(context: &Context, args: &ConsignmentExportArgs) -> anyhow::Result<ExitCode> {
    let mut output = Output::open(args.out.as_deref())?;
    let written = context.store.export_consignments(output.writer()).await?;
    output.finish()?;
    if let Some(path) = &args.out {
        eprintln!(
            "Exported {} consignments to {}.",
            count(written),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
