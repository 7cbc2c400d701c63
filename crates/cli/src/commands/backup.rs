//! `corridor backup` and `corridor restore`.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::context::Context;
use crate::flags::backup::{BackupArgs, RestoreArgs};
use crate::output::count;

pub async fn backup(context: &Context, args: &BackupArgs) -> anyhow::Result<ExitCode> {
    // Written beside the target and renamed when complete, so that a
    // backup cut off half-way never replaces a good one.
    let partial = args.out.with_extension("partial");
    let file = private_file(&partial)?;
    let mut out = std::io::BufWriter::new(file);
    let summary = context.store.backup(&mut out, context.now).await;
    let summary = match summary {
        Ok(summary) => summary,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error.into());
        }
    };
    out.flush()
        .and_then(|()| out.get_ref().sync_all())
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, &args.out)
        .with_context(|| format!("cannot move the backup to {}", args.out.display()))?;
    context
        .store
        .record(&corridor_store::NewAuditEntry {
            at: context.now,
            actor: context.actor.clone(),
            action: "registry.backup".to_string(),
            subject: "registry".to_string(),
            detail: serde_json::json!({
                "rows": summary.rows,
                "head_seq": summary.head_seq,
                "file": args.out.display().to_string(),
            }),
        })
        .await?;
    println!(
        "Backed up {} rows of {} tables, audit chain up to entry {} ({}), schema version {}, to {}.\n\
         The file holds every person's data: keep it as safely as the database.",
        count(summary.rows),
        summary.tables,
        summary.head_seq,
        summary.head_hash,
        summary.schema,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(context: &Context, args: &RestoreArgs) -> anyhow::Result<ExitCode> {
    let open = || -> anyhow::Result<std::io::BufReader<std::fs::File>> {
        let file = std::fs::File::open(&args.file)
            .with_context(|| format!("cannot open the backup {}", args.file.display()))?;
        Ok(std::io::BufReader::new(file))
    };
    let not_restored = || {
        format!(
            "{} was not restored; nothing was changed",
            args.file.display()
        )
    };
    // The whole file is read once before anything is loaded, so that a
    // damaged file is refused for what it is.
    corridor_store::check_backup(&mut open()?).with_context(not_restored)?;
    let mut input = open()?;
    let summary = context
        .store
        .restore(&mut input, context.now, &context.actor)
        .await
        .with_context(|| {
            format!(
                "{} was not restored; nothing was changed",
                args.file.display()
            )
        })?;
    println!(
        "Restored {} rows of {} tables from {}, audit chain up to entry {} ({}), into {}.",
        count(summary.rows),
        summary.tables,
        args.file.display(),
        summary.head_seq,
        summary.head_hash,
        corridor_store::redact(&context.database_url)
    );
    let report = context.store.verify_audit().await?;
    Ok(super::audit::print_report(&report, None))
}

/// A new file readable and writable by its owner only.
fn private_file(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}
