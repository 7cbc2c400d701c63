//! `corridor figures add|list|import` and `corridor export figures`: public
//! figures with their sources.

use std::process::ExitCode;

use anyhow::Context as _;
use corridor_domain::{FigureDraft, SourcedFigure};
use corridor_interop::figures::read_figures;
use corridor_store::{ImportMode, NewAuditEntry};

use super::report::Output;
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
    let figure = SourcedFigure::from_draft(&FigureDraft {
        key: &args.key,
        label: &args.label,
        value: args.value,
        unit: &args.unit,
        date: args.date,
        publisher: &args.publisher,
        title: &args.title,
        published: args.published,
        url: args.url.as_deref(),
        note: args.note.as_deref(),
    })?;
    let audit = NewAuditEntry::figure_added(&figure, context.now, &context.actor);
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
    let audit =
        NewAuditEntry::figures_imported(&file_name, &bytes, &figures, context.now, &context.actor);
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
    let mut output = Output::open(args.out.as_deref())?;
    let written = context.store.export_figures(output.writer()).await?;
    output.finish()?;
    if let Some(path) = &args.out {
        eprintln!("Exported {written} figures to {} (HXL).", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
