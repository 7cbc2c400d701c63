//! `corridor figures add|list|import` and `corridor export figures`: public
//! figures with their sources.

use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use corridor_domain::{Source, SourcedFigure, Text};
use corridor_interop::figures::{read_figures, write_figures};
use corridor_store::{ImportMode, NewAuditEntry};
use sha2::{Digest, Sha256};

use super::report::write_output;
use crate::context::Context;
use crate::flags::figures::{AddFigureArgs, FiguresCommand, ImportFiguresArgs, ListFiguresArgs};
use crate::flags::report::OutArgs;
use crate::output::table;

pub async fn run(context: &Context, command: &FiguresCommand) -> anyhow::Result<ExitCode> {
    match command {
        FiguresCommand::Add(args) => add(context, args).await,
        FiguresCommand::List(args) => list(context, args).await,
        FiguresCommand::Import(args) => import(context, args).await,
    }
}

async fn add(context: &Context, args: &AddFigureArgs) -> anyhow::Result<ExitCode> {
    if !args.value.is_finite() {
        return Err(anyhow!("--value {} is not a finite number", args.value));
    }
    let optional = |field, value: &Option<String>| {
        value
            .as_deref()
            .map(|text| Text::parse(field, text, 2000))
            .transpose()
    };
    let figure = SourcedFigure {
        key: SourcedFigure::parse_key(&args.key)?,
        label: Text::parse("label", &args.label, 500)?,
        value: args.value,
        unit: Text::parse("unit", &args.unit, 500)?,
        date: args.date,
        source: Source {
            publisher: Text::parse("publisher", &args.publisher, 500)?,
            title: Text::parse("title", &args.title, 500)?,
            published: args.published,
            url: optional("url", &args.url)?,
        },
        note: optional("note", &args.note)?,
    };
    let audit = NewAuditEntry {
        at: context.now,
        actor: context.actor.clone(),
        action: "figure.add".to_string(),
        subject: figure.key.clone(),
        detail: serde_json::json!({ "date": figure.date.to_string(), "value": figure.value }),
    };
    context
        .store
        .add_figures(std::slice::from_ref(&figure), &audit, ImportMode::Commit)
        .await?;
    println!(
        "Recorded {} = {} {} on {} ({}).",
        figure.key, figure.value, figure.unit, figure.date, figure.source.publisher
    );
    Ok(ExitCode::SUCCESS)
}

async fn list(context: &Context, args: &ListFiguresArgs) -> anyhow::Result<ExitCode> {
    let figures: Vec<SourcedFigure> = context
        .store
        .figures()
        .await?
        .into_iter()
        .filter(|f| args.key.as_ref().is_none_or(|key| &f.key == key))
        .collect();
    if figures.is_empty() {
        println!("No public figures are recorded. Add one with `corridor figures add`.");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = figures
        .iter()
        .map(|f| {
            vec![
                f.key.clone(),
                f.date.to_string(),
                f.value.to_string(),
                f.unit.to_string(),
                format!(
                    "{}, \"{}\", {}",
                    f.source.publisher, f.source.title, f.source.published
                ),
            ]
        })
        .collect();
    print!(
        "{}",
        table(&["KEY", "DATE", "VALUE", "UNIT", "SOURCE"], &rows, &[2])
    );
    Ok(ExitCode::SUCCESS)
}

async fn import(context: &Context, args: &ImportFiguresArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let file_name = args.file.display().to_string();
    let import = read_figures(bytes.as_slice())
        .with_context(|| format!("{file_name} cannot be imported"))?;
    if !import.ignored_columns.is_empty() {
        println!(
            "Ignored the columns {} (no tag corridor reads; see docs/HXL.md).",
            import.ignored_columns.join(", ")
        );
    }
    if !import.errors.is_empty() {
        let lines: std::collections::BTreeSet<u64> = import.errors.iter().map(|e| e.line).collect();
        println!(
            "{file_name}: nothing was imported. {} problem(s) on {} line(s); fix them and run the import again:",
            import.errors.len(),
            lines.len()
        );
        for error in &import.errors {
            println!("  {error}");
        }
        return Ok(ExitCode::FAILURE);
    }
    let figures: Vec<SourcedFigure> = import.figures.into_iter().map(|(_, f)| f).collect();
    let audit = NewAuditEntry {
        at: context.now,
        actor: context.actor.clone(),
        action: "figure.import".to_string(),
        subject: file_name.clone(),
        detail: serde_json::json!({
            "file_sha256": hex::encode(Sha256::digest(&bytes)),
            "figures": figures.iter().map(|f| format!("{} {}", f.key, f.date)).collect::<Vec<_>>(),
        }),
    };
    let mode = super::import_mode(args.dry_run);
    context
        .store
        .add_figures(&figures, &audit, mode)
        .await
        .context("nothing was imported")?;
    println!(
        "{}",
        super::import_summary(
            mode,
            &format!("Imported {} figures from {file_name}", figures.len())
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// `corridor export figures`.
pub async fn export(context: &Context, args: &OutArgs) -> anyhow::Result<ExitCode> {
    let figures = context.store.figures().await?;
    let written = write_output(args.out.as_deref(), |out| Ok(write_figures(out, &figures)?))?;
    if let Some(path) = &args.out {
        eprintln!("Exported {written} figures to {} (HXL).", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
