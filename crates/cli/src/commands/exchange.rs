//! `corridor import referrals` and `corridor export referrals`.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use corridor_domain::{Case, PersonId, Role, Text};
use corridor_interop::referrals::{ReferralImport, check_against_registry, read_referrals};
use corridor_store::{Exporter, MAX_PURPOSE_CHARS, NewAuditEntry, ReferralExport};
use sha2::{Digest, Sha256};

use super::report::{Output, WindowedExport, export_windowed};
use crate::context::Context;
use crate::flags::exchange::{ExportCommand, ImportCommand};
use crate::output::{count, progress_bar};

pub async fn import(context: &Context, command: &ImportCommand) -> anyhow::Result<ExitCode> {
    let args = match command {
        ImportCommand::Referrals(args) => args,
        ImportCommand::Consignments(args) => return super::aid::import(context, args).await,
    };
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let file_name = args.file.display().to_string();
    let digest = hex::encode(Sha256::digest(&bytes));

    let bar = progress_bar(bytes.len() as u64, "checking");
    let mut import = {
        let mut on_progress = |read: u64| bar.set_position(read);
        read_referrals(bytes.as_slice(), context.today, &mut on_progress)
            .with_context(|| format!("{file_name} cannot be imported"))?
    };
    bar.finish_and_clear();

    let mut ids: Vec<PersonId> = import
        .rows
        .iter()
        .map(|row| row.person.id.clone())
        .collect();
    ids.extend(import.external_references.iter().map(|(_, id)| id.clone()));
    let existing = context.store.roles_of(&ids).await?;
    let organisations = context
        .store
        .organisations()
        .await?
        .into_iter()
        .map(|organisation| organisation.id)
        .collect();
    check_against_registry(&mut import, &existing, &organisations);

    if !import.errors.is_empty() {
        print_errors(&file_name, &import);
        return Ok(ExitCode::FAILURE);
    }
    let patients = import
        .rows
        .iter()
        .filter(|row| row.person.role() == Role::Patient)
        .count() as u64;
    let companions = import.rows.len() as u64 - patients;
    if !import.ignored_columns.is_empty() {
        println!(
            "Ignored the columns {} (they describe the exporting registry's state; people start as referred, companions as listed).",
            import.ignored_columns.join(", ")
        );
    }
    let cases: Vec<Case> = import
        .rows
        .into_iter()
        .map(|row| Case::register(row.person, context.now, &context.actor))
        .collect();
    let audit = NewAuditEntry {
        at: context.now,
        actor: context.actor.clone(),
        action: "person.import".to_string(),
        subject: file_name.clone(),
        detail: serde_json::json!({
            "file_sha256": digest,
            "patients": patients,
            "companions": companions,
            "ids": cases.iter().map(|case| case.person.id.as_str()).collect::<Vec<_>>(),
        }),
    };
    let bar = progress_bar(cases.len() as u64, "importing");
    let mut on_progress = |written: u64| bar.set_position(written);
    let mode = super::import_mode(args.dry_run);
    context
        .store
        .insert_cases(&cases, &audit, mode, &mut on_progress)
        .await
        .context("nothing was imported")?;
    bar.finish_and_clear();
    println!(
        "{}",
        super::import_summary(
            mode,
            &format!(
                "Imported {} patients and {} companions from {file_name}",
                count(patients),
                count(companions)
            )
        )
    );
    Ok(ExitCode::SUCCESS)
}

fn print_errors(file_name: &str, import: &ReferralImport) {
    let mut out = std::io::stdout().lock();
    let lines: std::collections::BTreeSet<u64> = import.errors.iter().map(|e| e.line).collect();
    let _ = writeln!(
        out,
        "{file_name}: nothing was imported. {} problem(s) on {} line(s); fix them and run the import again:",
        import.errors.len(),
        lines.len()
    );
    for error in &import.errors {
        let _ = writeln!(out, "  {error}");
    }
}

pub async fn export(context: &Context, command: &ExportCommand) -> anyhow::Result<ExitCode> {
    let args = match command {
        ExportCommand::Referrals(args) => args,
        ExportCommand::WaitingList(args) => {
            return super::report::export_waiting(context, args).await;
        }
        ExportCommand::Evacuations(args) => {
            return export_windowed(context, args, WindowedExport::Evacuations).await;
        }
        ExportCommand::Deaths(args) => {
            return export_windowed(context, args, WindowedExport::Deaths).await;
        }
        ExportCommand::Utilisation(args) => {
            return export_windowed(context, args, WindowedExport::Utilisation).await;
        }
        ExportCommand::Figures(args) => return super::figures::export(context, args).await,
        ExportCommand::Fhir(args) => return super::fhir::export(context, args).await,
        ExportCommand::Aid(args) => {
            return export_windowed(context, args, WindowedExport::Aid).await;
        }
        ExportCommand::Consignments(args) => return super::aid::export(context, args).await,
    };
    let purpose = match (&args.purpose, args.include_personal) {
        (Some(purpose), true) => Some(Text::parse("purpose", purpose, MAX_PURPOSE_CHARS)?),
        (Some(_), false) => bail!("--purpose is only for --include-personal exports"),
        (None, _) => None,
    };
    let export = match &purpose {
        Some(purpose) => ReferralExport::Personal { purpose },
        None => ReferralExport::Pseudonymised,
    };
    let to = args.out.as_ref().map(|path| path.display().to_string());
    let exporter = Exporter {
        actor: &context.actor,
        at: context.now,
        to: to.as_deref(),
    };
    // The output file is opened first, so that an export that cannot be
    // written is not recorded as done; the store records the export before
    // it writes a line of it.
    let mut output = Output::open(args.out.as_deref())?;
    let written = context
        .store
        .export_referrals(export, &exporter, output.writer())
        .await?;
    output.finish()?;
    if let Some(path) = &args.out {
        eprintln!(
            "Exported {} people to {} ({}).",
            count(written),
            path.display(),
            match export {
                ReferralExport::Personal { .. } => "with personal data",
                ReferralExport::Pseudonymised =>
                    "pseudonymised: no names, birth years in five-year bands",
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
