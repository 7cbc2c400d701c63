//! A consignment registered, moved to its next stage, and shown with its
//! history.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::bail;
use corridor_domain::{
    Consignment, ConsignmentCase, ConsignmentDraft, ConsignmentId, MoveFields, Stage, StageChange,
    StageMove, Text,
};
use corridor_store::{ImportMode, NewAuditEntry};

use super::{hours, time_arg, time_text};
use crate::context::Context;
use crate::flags::aid::{AddArgs, MoveArgs, ShowArgs};
use crate::output::table;

pub(super) async fn add(context: &Context, args: &AddArgs) -> anyhow::Result<ExitCode> {
    let consignment = Consignment::from_draft(&ConsignmentDraft {
        id: &args.id,
        agency: &args.agency,
        category: &args.category,
        origin: &args.origin,
        crossing: &args.crossing,
        trucks: &args.trucks,
        pallets: &args.pallets,
        tonnes: &args.tonnes,
    })?;
    let at = time_arg(context, args.at.as_deref())?;
    let case = ConsignmentCase::register(consignment, at, &context.actor);
    let id = case.consignment.id.clone();
    let load = case.consignment.load;
    let audit = NewAuditEntry::consignment_registered(&case, context.now, &context.actor);
    context
        .store
        .insert_consignments(
            std::slice::from_ref(&case),
            &audit,
            ImportMode::Commit,
            &mut |_| {},
        )
        .await?;
    println!(
        "Registered {id}: {} {}, {} trucks, {} pallets, {} t, dispatched {} (version 1).",
        case.consignment.agency,
        case.consignment.category,
        load.trucks,
        load.pallets,
        load.tonnes,
        time_text(at)
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn move_consignment(
    context: &Context,
    args: &MoveArgs,
) -> anyhow::Result<ExitCode> {
    let id = ConsignmentId::parse(&args.id)?;
    let StageMove {
        change,
        recount,
        note,
    } = MoveFields {
        stage: &args.stage,
        reason: args.reason.as_deref(),
        items: args.items.as_deref(),
        trucks: args.trucks.as_deref(),
        pallets: args.pallets.as_deref(),
        tonnes: args.tonnes.as_deref(),
        note: args.note.as_deref(),
    }
    .parse()?;
    let at = time_arg(context, args.at.as_deref())?;
    let moved = context
        .store
        .move_consignment(
            corridor_store::ConsignmentMove {
                consignment: id.clone(),
                expected_version: args.expect_version,
                change,
                recount,
                note,
            },
            at,
            &context.actor,
        )
        .await?;
    let load = moved.line.load;
    println!(
        "{id}: {} → {} at {} ({} trucks, {} pallets, {} t; version {}).",
        moved.event.from.map_or("-", Stage::as_str),
        moved.line.stage,
        time_text(at),
        load.trucks,
        load.pallets,
        load.tonnes,
        moved.line.version
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn show(context: &Context, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let id = ConsignmentId::parse(&args.id)?;
    let Some(record) = context.store.consignment(&id).await? else {
        bail!("no consignment with id {id} is registered");
    };
    let c = &record.consignment;
    let mut out = format!(
        "{id}: {} from {}, loaded at {}, inspected at {}\n\
         Dispatched with {} trucks, {} pallets, {} t.\n\
         Now: {} since {} ({} trucks, {} pallets, {} t), version {}.\n",
        c.category,
        c.agency,
        c.origin,
        c.crossing,
        c.load.trucks,
        c.load.pallets,
        c.load.tonnes,
        record.line.stage,
        time_text(record.line.since),
        record.line.load.trucks,
        record.line.load.pallets,
        record.line.load.tonnes,
        record.line.version,
    );
    let allowed = corridor_domain::next_stages(record.line.stage);
    if allowed.is_empty() {
        out.push_str("Its journey is over: no further stage.\n");
    } else {
        let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(out, "Allowed moves: {}.", names.join(", "));
    }
    let rows: Vec<Vec<String>> = record
        .events
        .iter()
        .map(|event| {
            let change = event.change.as_ref();
            let why = [
                change.and_then(StageChange::reason).map(Text::to_string),
                change
                    .and_then(StageChange::items)
                    .map(|items| format!("items: {items}")),
                event.note.as_ref().map(|note| format!("note: {note}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
            vec![
                event.version.to_string(),
                time_text(event.at),
                event.to.to_string(),
                event.dwell.map_or(String::new(), |dwell| {
                    hours(corridor_domain::dwell_minutes(dwell) as f64)
                }),
                event.load.trucks.to_string(),
                event.load.tonnes.to_string(),
                event.actor.clone(),
                why,
            ]
        })
        .collect();
    out.push('\n');
    out.push_str(&table(
        &[
            "V", "AT (UTC)", "STAGE", "AFTER", "TRUCKS", "TONNES", "BY", "REASON",
        ],
        &rows,
        &[0, 3, 4, 5],
    ));
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}
