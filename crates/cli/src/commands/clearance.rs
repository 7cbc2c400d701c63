//! `corridor clearance submit|decide|import|sweep|list|show|report`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use corridor_domain::{
    BatchId, ClearanceGroup, ClearanceOutcome, ClearanceRates, CrossingId, Direction, PersonId,
    Role, Specialty, Text, Tier,
};
use corridor_interop::decisions::read_decisions;
use corridor_store::{BatchChoice, ClearanceRequest, Decision, ImportMode, Submission};

use super::patients::flag_error;
use super::reasons::{code_and_label, reason_from_flags};
use crate::context::Context;
use crate::flags::days::{ClearanceCommand, ClearanceReportArgs, DecideArgs, SubmitArgs};
use crate::output::{count, table};

pub async fn run(context: &Context, command: &ClearanceCommand) -> anyhow::Result<ExitCode> {
    match command {
        ClearanceCommand::Submit(args) => submit(context, args).await,
        ClearanceCommand::Decide(args) => decide(context, args).await,
        ClearanceCommand::Import(args) => import(context, &args.file, args.dry_run).await,
        ClearanceCommand::Sweep => sweep(context).await,
        ClearanceCommand::List => list(context).await,
        ClearanceCommand::Show(args) => show(context, &args.batch).await,
        ClearanceCommand::Report(args) => report(context, args).await,
    }
}

async fn submit(context: &Context, args: &SubmitArgs) -> anyhow::Result<ExitCode> {
    let crossing = CrossingId::parse(&args.crossing).map_err(flag_error)?;
    let direction = Direction::parse(&args.direction).map_err(flag_error)?;
    let needed_by = args.needed_by;
    let note = args
        .note
        .as_deref()
        .map(|note| Text::parse("note", note, 500))
        .transpose()
        .map_err(flag_error)?;
    let people = if args.ids.is_empty() {
        let places = match (args.limit, args.for_days) {
            (Some(limit), _) => limit,
            (None, Some(days)) => {
                context
                    .store
                    .places_for_days(&crossing, direction, needed_by, days)
                    .await?
            }
            (None, None) => bail!(
                "say how many to submit: --limit N (places), --for-days N (days of quota), or --ids"
            ),
        };
        let choice = BatchChoice {
            crossing: crossing.clone(),
            direction,
            tiers: args
                .tier
                .iter()
                .map(|t| Tier::parse(t))
                .collect::<Result<Vec<_>, _>>()
                .map_err(flag_error)?,
            specialties: args
                .specialty
                .iter()
                .map(|s| Specialty::parse(s))
                .collect::<Result<Vec<_>, _>>()
                .map_err(flag_error)?,
            resubmit: args.resubmit,
        };
        context
            .store
            .choose_by_priority(&choice, places, context.today)
            .await?
    } else {
        let ids = args
            .ids
            .iter()
            .map(|text| PersonId::parse(text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(flag_error)?;
        context.store.with_companions(&ids, args.resubmit).await?
    };
    let mode = super::import_mode(args.dry_run);
    let batch = context
        .store
        .submit_clearance(
            &Submission {
                crossing: crossing.clone(),
                direction,
                needed_by,
                people,
                note,
            },
            mode,
            context.today,
            context.now,
            &context.actor,
        )
        .await?;
    let resubmitted = batch.people.iter().filter(|p| p.attempt > 1).count();
    let by_role = |role: Role| batch.people.iter().filter(|p| p.role == role).count();
    println!(
        "{}",
        super::import_summary(
            mode,
            &format!(
                "Submitted batch {} for {crossing} {direction}, needed by {needed_by}: {} people \
                 ({} patients, {} companions, {} returnees); {resubmitted} of them resubmitted",
                batch.id,
                batch.people.len(),
                by_role(Role::Patient),
                by_role(Role::Companion),
                by_role(Role::Returnee),
            )
        )
    );
    match mode {
        ImportMode::Commit => println!(
            "Record the answers with `corridor clearance decide {} …` or `corridor clearance import FILE.csv`.",
            batch.id
        ),
        ImportMode::DryRun => {
            let ids: Vec<&str> = batch.people.iter().map(|p| p.person.as_str()).collect();
            println!("{}", ids.join(" "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn decide(context: &Context, args: &DecideArgs) -> anyhow::Result<ExitCode> {
    let batch = BatchId::parse(&args.batch).map_err(flag_error)?;
    let outcome = ClearanceOutcome::parse(&args.decision).map_err(flag_error)?;
    let reason = match outcome.reason_kind() {
        Some(kind) => Some(reason_from_flags(
            &context.store.reason_codes().await?,
            kind,
            args.reason.as_deref(),
            args.note.as_deref(),
        )?),
        None if args.reason.is_some() || args.note.is_some() => {
            bail!("--reason: a clearance takes no reason; leave out --reason and --note")
        }
        None => None,
    };
    let decided_on = match &args.on {
        Some(date) => *date,
        None => context.today,
    };
    let decisions = args
        .people
        .iter()
        .map(|text| {
            Ok(Decision {
                batch: batch.clone(),
                person: PersonId::parse(text).map_err(flag_error)?,
                outcome,
                reason: reason.clone(),
                decided_on,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    context
        .store
        .record_decisions(
            &decisions,
            ImportMode::Commit,
            context.today,
            context.now,
            &context.actor,
        )
        .await?;
    println!(
        "Recorded {outcome} for {} in batch {batch} (decided on {decided_on}).",
        args.people.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

async fn import(
    context: &Context,
    file: &std::path::Path,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let reader =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let reasons = context.store.reason_codes().await?;
    let import = read_decisions(std::io::BufReader::new(reader), context.today, &reasons)
        .with_context(|| format!("{}", file.display()))?;
    if !import.errors.is_empty() {
        eprintln!(
            "{}: {} bad rows; nothing was recorded. Fix them and import again:",
            file.display(),
            import.errors.len()
        );
        for error in &import.errors {
            eprintln!("  {error}");
        }
        return Ok(ExitCode::FAILURE);
    }
    if import.rows.is_empty() {
        bail!(
            "{}: no answer in the file ({} rows without a decision); fill in decision (cleared, denied or delayed) for the people the authority answered",
            file.display(),
            import.unanswered
        );
    }
    let decisions: Vec<Decision> = import
        .rows
        .iter()
        .map(|row| Decision {
            batch: row.batch.clone(),
            person: row.person.clone(),
            outcome: row.outcome,
            reason: row.reason.clone(),
            decided_on: row.decided_on,
        })
        .collect();
    let mode = super::import_mode(dry_run);
    context
        .store
        .record_decisions(&decisions, mode, context.today, context.now, &context.actor)
        .await
        .with_context(|| format!("{}: nothing was recorded", file.display()))?;
    println!(
        "{}",
        super::import_summary(
            mode,
            &format!(
                "Recorded {} decisions from {}",
                decisions.len(),
                file.display()
            )
        )
    );
    if import.unanswered > 0 {
        println!(
            "{} rows without a decision stay pending.",
            import.unanswered
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn sweep(context: &Context) -> anyhow::Result<ExitCode> {
    let overdue = context.store.decisions_overdue(context.today).await?;
    if overdue.is_empty() {
        println!("No request is past its needed-by date without an answer.");
        return Ok(ExitCode::SUCCESS);
    }
    context
        .store
        .record_decisions(
            &overdue,
            ImportMode::Commit,
            context.today,
            context.now,
            &context.actor,
        )
        .await?;
    println!(
        "Recorded {} requests as delayed: no answer by the date they were needed.",
        overdue.len()
    );
    Ok(ExitCode::SUCCESS)
}

async fn list(context: &Context) -> anyhow::Result<ExitCode> {
    let batches = context.store.clearance_batches().await?;
    if batches.is_empty() {
        println!(
            "No clearance batch has been submitted. `corridor clearance submit --help` shows how."
        );
        return Ok(ExitCode::SUCCESS);
    }
    let requests = context.store.clearance_requests(None).await?;
    let mut by_batch: BTreeMap<&BatchId, Vec<&ClearanceRequest>> = BTreeMap::new();
    for request in &requests {
        by_batch.entry(&request.batch).or_default().push(request);
    }
    let rows: Vec<Vec<String>> = batches
        .iter()
        .map(|batch| {
            let rows = by_batch.get(&batch.id).cloned().unwrap_or_default();
            let rates =
                ClearanceRates::of(rows.iter().map(|r| r.facts()).collect::<Vec<_>>().iter());
            vec![
                batch.id.to_string(),
                format!("{} {}", batch.crossing, batch.direction),
                batch.submitted_on.to_string(),
                batch.needed_by.to_string(),
                count(rates.requests),
                count(rates.cleared),
                count(rates.denied),
                count(rates.delayed),
                count(rates.pending),
                turnaround(&rates),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "batch",
                "crossing",
                "submitted",
                "needed by",
                "people",
                "cleared",
                "denied",
                "delayed",
                "pending",
                "turnaround",
            ],
            &rows,
            &[4, 5, 6, 7, 8],
        )
    );
    Ok(ExitCode::SUCCESS)
}

async fn show(context: &Context, batch: &str) -> anyhow::Result<ExitCode> {
    let batch = BatchId::parse(batch).map_err(flag_error)?;
    let requests = context.store.clearance_requests(Some(&batch)).await?;
    let reasons = context.store.reason_codes().await?;
    if requests.is_empty() {
        bail!("no batch {batch}; `corridor clearance list` shows the batches");
    }
    let rows: Vec<Vec<String>> = requests
        .iter()
        .map(|r| {
            vec![
                r.person.to_string(),
                r.group.label().to_string(),
                r.attempt.to_string(),
                r.previous_batch
                    .as_ref()
                    .map_or_else(String::new, ToString::to_string),
                r.outcome
                    .map_or("pending", ClearanceOutcome::as_str)
                    .to_string(),
                r.decided_on.map_or_else(String::new, |d| d.to_string()),
                r.reason
                    .as_ref()
                    .map(|reason| code_and_label(&reasons, reason))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let first = &requests[0];
    println!(
        "Batch {batch}: submitted {}, needed by {}.",
        first.submitted_on, first.needed_by
    );
    print!(
        "{}",
        table(
            &[
                "person",
                "group",
                "attempt",
                "after batch",
                "decision",
                "decided on",
                "reason"
            ],
            &rows,
            &[2],
        )
    );
    Ok(ExitCode::SUCCESS)
}

async fn report(context: &Context, args: &ClearanceReportArgs) -> anyhow::Result<ExitCode> {
    let from = args.from;
    let to = args.to;
    let requests: Vec<ClearanceRequest> = context
        .store
        .clearance_requests(None)
        .await?
        .into_iter()
        .filter(|r| from.is_none_or(|from| r.submitted_on >= from))
        .filter(|r| to.is_none_or(|to| r.submitted_on <= to))
        .collect();
    if requests.is_empty() {
        println!("No clearance request was submitted in this period.");
        return Ok(ExitCode::SUCCESS);
    }
    let overdue = requests
        .iter()
        .filter(|r| r.outcome.is_none() && r.needed_by < context.today)
        .count();
    let mut rows = Vec::new();
    let mut line = |label: &str, group: Option<ClearanceGroup>| {
        let facts: Vec<_> = requests
            .iter()
            .filter(|r| group.is_none_or(|g| r.group == g))
            .map(ClearanceRequest::facts)
            .collect();
        if facts.is_empty() {
            return;
        }
        let rates = ClearanceRates::of(&facts);
        let percent = |outcome| {
            rates
                .rate(outcome)
                .map_or_else(|| "-".to_string(), |rate| format!("{:.0}%", rate * 100.0))
        };
        rows.push(vec![
            label.to_string(),
            count(rates.requests),
            count(rates.resubmissions),
            count(rates.pending),
            percent(ClearanceOutcome::Cleared),
            percent(ClearanceOutcome::Denied),
            percent(ClearanceOutcome::Delayed),
            turnaround(&rates),
        ]);
    };
    line("everyone", None);
    for group in ClearanceGroup::ALL {
        line(group.label(), Some(group));
    }
    println!(
        "Clearance requests submitted {}{}; rates are over decided requests.",
        from.map_or_else(
            || "since the first batch".to_string(),
            |d| format!("from {d}")
        ),
        to.map_or_else(String::new, |d| format!(" to {d}")),
    );
    print!(
        "{}",
        table(
            &[
                "group",
                "requests",
                "resubmitted",
                "pending",
                "cleared",
                "denied",
                "delayed",
                "median turnaround",
            ],
            &rows,
            &[1, 2, 3, 4, 5, 6],
        )
    );
    if overdue > 0 {
        println!(
            "{overdue} requests are past their needed-by date without an answer; \
             `corridor clearance sweep` records them as delayed."
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn turnaround(rates: &ClearanceRates) -> String {
    rates
        .median_turnaround_days
        .map_or_else(|| "-".to_string(), |days| format!("{days:.1} days"))
}
