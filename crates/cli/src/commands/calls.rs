//! `corridor calls list|record|cut-off`, `corridor plan assembly
//! add|list|assign` and `corridor patients contact add|list|remove`.

use std::process::ExitCode;

use anyhow::anyhow;
use corridor_domain::{
    CallRecording, Crossing, CrossingDay, CrossingId, NewAssemblyPoint, NewContact, PersonId,
    parse_cut_off,
};
use corridor_store::{CallParty, CallRecord, EntryState, NewAuditEntry, NoticeFilter};

use super::patients::flag_error;
use super::plan::day;
use crate::context::Context;
use crate::flags::calls::{
    AssemblyAddArgs, AssemblyAssignArgs, AssemblyCommand, CallDayArgs, CallRecordArgs,
    CallsCommand, ContactAddArgs, ContactCommand, ContactPersonArgs, ContactRemoveArgs, CutOffArgs,
    NoticesCommand, NoticesListArgs,
};
use crate::flags::days::DayArgs;
use crate::output::table;

pub async fn run(context: &Context, command: &CallsCommand) -> anyhow::Result<ExitCode> {
    match command {
        CallsCommand::List(args) => list(context, args).await,
        CallsCommand::Record(args) => record(context, args).await,
        CallsCommand::CutOff(args) => cut_off(context, args).await,
    }
}

pub async fn notices(context: &Context, command: &NoticesCommand) -> anyhow::Result<ExitCode> {
    match command {
        NoticesCommand::List(args) => notices_list(context, args).await,
    }
}

async fn notices_list(context: &Context, args: &NoticesListArgs) -> anyhow::Result<ExitCode> {
    let notices = context
        .store
        .notices(&NoticeFilter::Date(args.date))
        .await?;
    // The read of personal data is recorded before anything is shown.
    context
        .store
        .record(&NewAuditEntry {
            at: context.now,
            actor: context.actor.clone(),
            action: "notices.read".to_string(),
            subject: args.date.to_string(),
            detail: serde_json::json!({ "via": "cli notices list", "notices": notices.len() }),
        })
        .await?;
    if notices.is_empty() {
        println!(
            "No notice is about a crossing day on {}: notices are queued when a day is confirmed \
             (scheduled, standby) or cancelled, for parties with a phone number.",
            args.date
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = notices
        .iter()
        .map(|notice| {
            vec![
                notice.id.to_string(),
                notice.person.to_string(),
                notice.kind.to_string(),
                notice.language.to_string(),
                notice.recipient.to_string(),
                notice.state.to_string(),
                notice.attempts.to_string(),
                notice
                    .channel
                    .map(|channel| channel.to_string())
                    .unwrap_or_default(),
                notice.last_error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "ID",
                "PARTY",
                "NOTICE",
                "LANG",
                "TO",
                "STATE",
                "TRIES",
                "CHANNEL",
                "LAST ERROR",
            ],
            &rows,
            &[0, 6],
        )
    );
    if args.words {
        for notice in &notices {
            println!(
                "\n#{} to {} ({}):\n{}",
                notice.id, notice.person, notice.language, notice.body
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn assembly(context: &Context, command: &AssemblyCommand) -> anyhow::Result<ExitCode> {
    match command {
        AssemblyCommand::Add(args) => assembly_add(context, args).await,
        AssemblyCommand::List(args) => assembly_list(context, args).await,
        AssemblyCommand::Assign(args) => assembly_assign(context, args).await,
    }
}

pub async fn contact(context: &Context, command: &ContactCommand) -> anyhow::Result<ExitCode> {
    match command {
        ContactCommand::Add(args) => contact_add(context, args).await,
        ContactCommand::List(args) => contact_list(context, args).await,
        ContactCommand::Remove(args) => contact_remove(context, args).await,
    }
}

/// The day of a calls command: the crossing given, or the one evacuees
/// leave by soonest (`Crossing::default_for`, the web's rule).
async fn call_day(context: &Context, args: &CallDayArgs) -> anyhow::Result<CrossingDay> {
    let crossing = match &args.crossing {
        Some(text) => CrossingId::parse(text).map_err(flag_error)?,
        None => {
            let reference = context.store.reference().await?;
            Crossing::default_for(&reference.crossings, &reference.quotas, context.today)
                .map(|crossing| crossing.id.clone())
                .ok_or_else(|| {
                    anyhow!("no crossing is registered; `corridor rules list` shows the crossings")
                })?
        }
    };
    Ok(CrossingDay {
        crossing,
        date: args.date,
    })
}

/// The phones of a party as one cell: `+999… (mother, ar)`, each member's.
fn phones(party: &CallParty) -> String {
    let phones: Vec<String> = party
        .members
        .iter()
        .flat_map(|member| &member.contacts)
        .map(|c| format!("{} ({}, {})", c.phone, c.label, c.language))
        .collect();
    if phones.is_empty() {
        "(no number)".to_string()
    } else {
        phones.join("; ")
    }
}

async fn list(context: &Context, args: &CallDayArgs) -> anyhow::Result<ExitCode> {
    let day = call_day(context, args).await?;
    let list = context
        .store
        .call_list(&day.crossing, day.date, context.now, &context.actor)
        .await?;
    if !list.confirmed {
        return Err(anyhow!(
            "no manifest is confirmed for {} on {}: there is nobody to call yet\n\
             hint: `corridor plan confirm --crossing {} --date {}` confirms the day's plan",
            day.crossing,
            day.date,
            day.crossing,
            day.date
        ));
    }
    // The read of personal data is recorded before anything is shown.
    context
        .store
        .record(&NewAuditEntry {
            at: context.now,
            actor: context.actor.clone(),
            action: "calls.read".to_string(),
            subject: format!("{} {}", day.crossing, day.date),
            detail: serde_json::json!({
                "via": "cli calls list",
                "parties": list.parties.iter().map(|p| p.head().person.as_str()).collect::<Vec<_>>(),
            }),
        })
        .await?;
    if !list.freed_now.is_empty() {
        println!(
            "The cut-off has passed: the places of {} were freed (unreachable).\n",
            list.freed_now
                .iter()
                .map(PersonId::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!(
        "Call list of {} on {} — cut-off {} UTC{}",
        day.crossing,
        day.date,
        list.cut_off.strftime("%Y-%m-%d %H:%M"),
        if list.cut_off_set { "" } else { " (default)" }
    );
    if list.points.is_empty() {
        println!("No assembly point yet: `corridor plan assembly add` adds one.");
    }
    let rows: Vec<Vec<String>> = list
        .parties
        .iter()
        .map(|party| {
            let head = party.head();
            let latest = party
                .latest()
                .map(|call| {
                    let reason = call
                        .reason
                        .as_ref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default();
                    format!("{}{reason}", call.outcome)
                })
                .unwrap_or_else(|| "not called".to_string());
            let state = if head.state == EntryState::Expected {
                String::new()
            } else {
                format!(" [{}]", head.state.as_str())
            };
            vec![
                head.person.to_string(),
                head.name
                    .as_ref()
                    .map_or("(no name)".to_string(), |n| n.as_str().to_string()),
                party.direction.to_string(),
                party.members.len().to_string(),
                phones(party),
                party
                    .point
                    .as_ref()
                    .map_or("-".to_string(), |p| format!("{} {}", p.time, p.place)),
                format!("{latest}{state}"),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "party",
                "head",
                "direction",
                "people",
                "phones",
                "assembly",
                "latest call"
            ],
            &rows,
            &[3]
        )
    );
    Ok(ExitCode::SUCCESS)
}

async fn record(context: &Context, args: &CallRecordArgs) -> anyhow::Result<ExitCode> {
    let day = call_day(context, &args.day).await?;
    let party = PersonId::parse(&args.party).map_err(flag_error)?;
    let recording =
        CallRecording::parse(&args.outcome, args.reason.as_deref()).map_err(flag_error)?;
    let recorded = context
        .store
        .record_call(
            &CallRecord {
                crossing: day.crossing.clone(),
                date: day.date,
                party: party.clone(),
                recording,
                seen_attempts: None,
            },
            context.now,
            &context.actor,
        )
        .await?;
    let freed = if recorded.freed.is_empty() {
        String::new()
    } else {
        format!(
            "; places freed: {} back on the list as cleared, beds released",
            recorded
                .freed
                .iter()
                .map(PersonId::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    println!(
        "{party} on {} {}: {} (call {}){freed}.",
        day.crossing, day.date, recorded.outcome, recorded.attempt
    );
    Ok(ExitCode::SUCCESS)
}

async fn cut_off(context: &Context, args: &CutOffArgs) -> anyhow::Result<ExitCode> {
    let day = call_day(context, &args.day).await?;
    if let Some(text) = &args.set {
        let at = parse_cut_off(day.date, text)
            .map_err(|invalid| anyhow!("--set: {}", invalid.problem))?;
        context
            .store
            .set_cut_off(&day.crossing, day.date, at, context.now, &context.actor)
            .await?;
    }
    if args.apply {
        let freed = context
            .store
            .apply_cut_off(&day.crossing, day.date, context.now, &context.actor)
            .await?;
        if freed.is_empty() {
            println!("Cut-off applied: no party unreachable still held places.");
        } else {
            println!(
                "Cut-off applied: the places of {} were freed (unreachable); back on the list as cleared, beds released.",
                freed
                    .iter()
                    .map(PersonId::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let at = context.store.cut_off(&day.crossing, day.date).await?;
    println!(
        "Cut-off of {} on {}: {} UTC.",
        day.crossing,
        day.date,
        at.strftime("%Y-%m-%d %H:%M")
    );
    Ok(ExitCode::SUCCESS)
}

async fn assembly_add(context: &Context, args: &AssemblyAddArgs) -> anyhow::Result<ExitCode> {
    let day = day(context, &args.day, None).await?;
    let point = NewAssemblyPoint::parse(&args.place, &args.time).map_err(flag_error)?;
    let added = context
        .store
        .add_assembly_point(&day.crossing, day.date, &point, context.now, &context.actor)
        .await?;
    println!(
        "Assembly point {} of {} on {}: {} at {}.",
        added.number, day.crossing, day.date, added.place, added.time
    );
    Ok(ExitCode::SUCCESS)
}

async fn assembly_list(context: &Context, args: &DayArgs) -> anyhow::Result<ExitCode> {
    let day = day(context, args, None).await?;
    let points = context
        .store
        .assembly_points(&day.crossing, day.date)
        .await?;
    if points.is_empty() {
        println!(
            "No assembly point for {} on {}: `corridor plan assembly add` adds one.",
            day.crossing, day.date
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = points
        .iter()
        .map(|p| {
            vec![
                p.number.to_string(),
                p.time.to_string(),
                p.place.to_string(),
            ]
        })
        .collect();
    print!("{}", table(&["point", "time", "place"], &rows, &[0]));
    Ok(ExitCode::SUCCESS)
}

async fn assembly_assign(context: &Context, args: &AssemblyAssignArgs) -> anyhow::Result<ExitCode> {
    let day = day(context, &args.day, None).await?;
    let party = PersonId::parse(&args.party).map_err(flag_error)?;
    let point = context
        .store
        .assign_assembly_point(
            &day.crossing,
            day.date,
            &party,
            args.point,
            context.now,
            &context.actor,
        )
        .await?;
    println!(
        "{party} meets at {} at {} on {} (point {}).",
        point.place, point.time, day.date, point.number
    );
    Ok(ExitCode::SUCCESS)
}

async fn contact_add(context: &Context, args: &ContactAddArgs) -> anyhow::Result<ExitCode> {
    let person = PersonId::parse(&args.person).map_err(flag_error)?;
    let contact = NewContact::parse(&args.phone, &args.label, args.language.as_deref())
        .map_err(flag_error)?;
    let added = context
        .store
        .add_contact(&person, &contact, context.now, &context.actor)
        .await?;
    println!(
        "Contact {} of {person}: {} ({}, {}).",
        added.number,
        added.phone,
        added.label,
        added.language.label()
    );
    Ok(ExitCode::SUCCESS)
}

async fn contact_list(context: &Context, args: &ContactPersonArgs) -> anyhow::Result<ExitCode> {
    let person = PersonId::parse(&args.person).map_err(flag_error)?;
    if context.store.person(&person).await?.is_none() {
        return Err(anyhow!(
            "no person with id {person} is registered; `corridor patients list` shows who is"
        ));
    }
    // The read of personal data is recorded before anything is shown.
    context
        .store
        .record(&NewAuditEntry {
            at: context.now,
            actor: context.actor.clone(),
            action: "contacts.read".to_string(),
            subject: person.to_string(),
            detail: serde_json::json!({ "via": "cli patients contact list" }),
        })
        .await?;
    let contacts = context.store.contacts(&person).await?;
    if contacts.is_empty() {
        println!(
            "{person} has no contact: `corridor patients contact add {person} --phone … --label …` adds one."
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = contacts
        .iter()
        .map(|c| {
            vec![
                c.number.to_string(),
                c.phone.to_string(),
                c.label.to_string(),
                c.language.label().to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(&["number", "phone", "label", "language"], &rows, &[0])
    );
    Ok(ExitCode::SUCCESS)
}

async fn contact_remove(context: &Context, args: &ContactRemoveArgs) -> anyhow::Result<ExitCode> {
    let person = PersonId::parse(&args.person).map_err(flag_error)?;
    let removed = context
        .store
        .remove_contact(&person, args.number, context.now, &context.actor)
        .await?;
    println!(
        "Removed contact {} of {person}: {} ({}).",
        removed.number, removed.phone, removed.label
    );
    Ok(ExitCode::SUCCESS)
}
