//! `corridor reasons list`, and the one way the other commands read a
//! reason from `--reason CODE [--note TEXT]`.

use std::process::ExitCode;

use anyhow::anyhow;
use corridor_domain::{InvalidValue, Reason, ReasonCatalogue, ReasonCode, ReasonKind, Text};
use corridor_store::REASON_LABEL_MAX_CHARS;

use crate::context::Context;
use crate::flags::reasons::{ListReasonsArgs, ReasonCodeArgs, ReasonsCommand};
use crate::output::table;

pub async fn run(context: &Context, command: &ReasonsCommand) -> anyhow::Result<ExitCode> {
    match command {
        ReasonsCommand::List(args) => list(context, args).await,
        ReasonsCommand::Add(args) => {
            let (kind, code) = kind_and_code(&args.code)?;
            let label = Text::parse("label", &args.label, REASON_LABEL_MAX_CHARS)
                .map_err(|invalid| anyhow!("--label: {}", invalid.problem))?;
            context
                .store
                .add_reason_code(kind, &code, &label, context.now, &context.actor)
                .await?;
            println!("Added {kind} {code}: {label}.");
            Ok(ExitCode::SUCCESS)
        }
        ReasonsCommand::Retire(args) => set_in_use(context, args, false).await,
        ReasonsCommand::Restore(args) => set_in_use(context, args, true).await,
    }
}

fn kind_and_code(args: &ReasonCodeArgs) -> anyhow::Result<(ReasonKind, ReasonCode)> {
    let kind =
        ReasonKind::parse(&args.kind).map_err(|invalid| anyhow!("--kind: {}", invalid.problem))?;
    let code =
        ReasonCode::parse(&args.code).map_err(|invalid| anyhow!("--code: {}", invalid.problem))?;
    Ok((kind, code))
}

async fn set_in_use(
    context: &Context,
    args: &ReasonCodeArgs,
    in_use: bool,
) -> anyhow::Result<ExitCode> {
    let (kind, code) = kind_and_code(args)?;
    context
        .store
        .set_reason_code_in_use(kind, &code, in_use, context.now, &context.actor)
        .await?;
    if in_use {
        println!("{kind} {code} is in use again.");
    } else {
        println!("{kind} {code} is no longer in use; records that carry it still show it.");
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(context: &Context, args: &ListReasonsArgs) -> anyhow::Result<ExitCode> {
    let kind = args
        .kind
        .as_deref()
        .map(ReasonKind::parse)
        .transpose()
        .map_err(|invalid| anyhow!("--kind: {}", invalid.problem))?;
    let catalogue = context.store.reason_codes().await?;
    let rows: Vec<Vec<String>> = catalogue
        .entries()
        .iter()
        .filter(|entry| kind.is_none_or(|kind| entry.kind == kind))
        .filter(|entry| args.all || entry.in_use)
        .map(|entry| {
            let mut row = vec![
                entry.kind.to_string(),
                entry.code.to_string(),
                entry.label.clone(),
            ];
            if args.all {
                row.push(if entry.in_use { "yes" } else { "no" }.to_string());
            }
            row
        })
        .collect();
    let mut header = vec!["KIND", "CODE", "LABEL"];
    if args.all {
        header.push("IN USE");
    }
    print!("{}", table(&header, &rows, &[]));
    Ok(ExitCode::SUCCESS)
}

/// The reason of `kind` given as `--reason CODE [--note TEXT]`, checked
/// against the codes in use; errors name the flag at fault.
pub(crate) fn reason_from_flags(
    catalogue: &ReasonCatalogue,
    kind: ReasonKind,
    code: Option<&str>,
    note: Option<&str>,
) -> anyhow::Result<Reason> {
    let reason = Reason::parse(kind, code, note).map_err(reason_flag_error)?;
    catalogue.check(&reason).map_err(reason_flag_error)?;
    Ok(reason)
}

/// A reason's problem, named by the flag: `reason_code` is `--reason`.
pub(crate) fn reason_flag_error(invalid: InvalidValue) -> anyhow::Error {
    let flag = match invalid.field {
        "reason_code" | "reason_kind" => "--reason",
        "note" => "--note",
        _ => return super::patients::flag_error(invalid),
    };
    let hint = if invalid.field == "note" {
        ""
    } else {
        " (`corridor reasons list` shows the codes)"
    };
    anyhow!("{flag}: {}{hint}", invalid.problem)
}

/// A reason as the person's record shows it: label, code, and the note.
pub(crate) fn with_note(catalogue: &ReasonCatalogue, reason: &Reason) -> String {
    let mut text = code_and_label(catalogue, reason);
    if let Some(note) = &reason.note {
        text.push_str(": ");
        text.push_str(note.as_str());
    }
    text
}

/// A reason as lists show it beyond the person's record: label and code only.
pub(crate) fn code_and_label(catalogue: &ReasonCatalogue, reason: &Reason) -> String {
    format!(
        "{} ({})",
        catalogue.label(reason.kind, &reason.code),
        reason.code
    )
}
