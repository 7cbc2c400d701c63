//! `corridor plan show|add|remove|confirm|manifest` and
//! `corridor gate list|crossed|turned-back|no-show|undo|reconcile`.

use std::process::ExitCode;

use anyhow::{anyhow, bail};
use corridor_domain::{
    CrossingDay, CrossingId, Direction, GateOutcome, PersonId, ReasonCatalogue, Text,
};
use corridor_planner::{DayPlan, Method};
use corridor_store::{
    Amendment, ConfirmOptions, EntryState, GateRecording, GateUndo, Manifest, OverrideChange,
    OverrideKind, PartyPoints, PlanningInputs, parse_method,
};

use super::patients::flag_error;
use super::reasons::{code_and_label, reason_from_flags};
use crate::context::Context;
use crate::flags::days::{
    DayArgs, GateArgs, GateCommand, GateUndoArgs, ManifestArgs, OverrideArgs, PlanAmendArgs,
    PlanCancelArgs, PlanCommand, PlanConfirmArgs, PlanShowArgs,
};
use crate::output::table;

pub async fn run(context: &Context, command: &PlanCommand) -> anyhow::Result<ExitCode> {
    match command {
        PlanCommand::Show(args) => show(context, args).await,
        PlanCommand::Add(args) => set_override(context, args, OverrideKind::Include).await,
        PlanCommand::Remove(args) => set_override(context, args, OverrideKind::Exclude).await,
        PlanCommand::Confirm(args) => confirm(context, args).await,
        PlanCommand::Standby(args) => standby(context, args).await,
        PlanCommand::Amend(args) => amend(context, args).await,
        PlanCommand::Cancel(args) => cancel(context, args).await,
        PlanCommand::Manifest(args) => manifest(context, args).await,
        PlanCommand::Assembly(command) => super::calls::assembly(context, command).await,
    }
}

pub async fn gate(context: &Context, command: &GateCommand) -> anyhow::Result<ExitCode> {
    match command {
        GateCommand::List(day) => gate_list(context, day).await,
        GateCommand::Crossed(args) => record(context, args, GateOutcome::Crossed).await,
        GateCommand::TurnedBack(args) => record(context, args, GateOutcome::TurnedBack).await,
        GateCommand::NoShow(args) => record(context, args, GateOutcome::NoShow).await,
        GateCommand::Undo(args) => undo(context, args).await,
        GateCommand::Reconcile(day) => reconcile(context, day).await,
    }
}

/// The day asked for; without `--date`, the crossing's next crossing day
/// from today (`Crossing::next_crossing_day`), the same rule as the web's.
pub(super) async fn day(
    context: &Context,
    args: &DayArgs,
    direction: Option<Direction>,
) -> anyhow::Result<CrossingDay> {
    let crossing = CrossingId::parse(&args.crossing).map_err(flag_error)?;
    let date = match &args.date {
        Some(date) => *date,
        None => {
            let reference = context.store.reference().await?;
            reference
                .crossings
                .iter()
                .find(|known| known.id == crossing)
                .map_or(context.today, |known| {
                    known.next_crossing_day(&reference.quotas, direction, context.today)
                })
        }
    };
    Ok(CrossingDay { crossing, date })
}

fn direction(text: &str) -> anyhow::Result<Direction> {
    Direction::parse(text).map_err(flag_error)
}

fn method(text: &str) -> anyhow::Result<Method> {
    parse_method(text).ok_or_else(|| anyhow!("--method '{text}': use optimal or greedy"))
}

async fn inputs_for(
    context: &Context,
    day: &CrossingDay,
    direction: Direction,
) -> anyhow::Result<PlanningInputs> {
    let inputs = context
        .store
        .planning_inputs(&day.crossing, day.date, direction)
        .await?;
    if let Some(reason) = &inputs.closed_reason {
        bail!(
            "no {direction} plan for {} on {}: {reason}",
            day.crossing,
            day.date
        );
    }
    Ok(inputs)
}

async fn show(context: &Context, args: &PlanShowArgs) -> anyhow::Result<ExitCode> {
    let direction = direction(&args.direction)?;
    let day = day(context, &args.day, Some(direction)).await?;
    let inputs = inputs_for(context, &day, direction).await?;
    if inputs.confirmed {
        println!(
            "The {direction} manifest of {} on {} is confirmed: `corridor plan manifest` prints it.",
            day.crossing, day.date
        );
        return Ok(ExitCode::SUCCESS);
    }
    let policy = match direction {
        Direction::Outbound => corridor_planner::POLICY_TEXT,
        Direction::Inbound => corridor_planner::INBOUND_POLICY_TEXT,
    };
    println!(
        "Proposed {direction} manifest, {} on {}.\nPolicy: {policy}.",
        day.crossing, day.date
    );
    if args.method == "compare" {
        if direction == Direction::Inbound {
            bail!(
                "--method compare is for outbound days; inbound is first registered, first served"
            );
        }
        let optimal = inputs.plan(Method::Optimal)?;
        let greedy = inputs.plan(Method::Greedy)?;
        print_plan(&inputs, &optimal, args.left_out);
        println!(
            "\nCompared with greedy first-fit: optimal value {} with {} patients, greedy {} with {} patients ({}).",
            optimal.objective,
            optimal.picks.len(),
            greedy.objective,
            greedy.picks.len(),
            if optimal.objective > greedy.objective {
                format!(
                    "greedy loses {:.1}% of the value",
                    100.0 * (optimal.objective - greedy.objective) as f64
                        / optimal.objective as f64
                )
            } else {
                "the same value".to_string()
            }
        );
        let greedy_people: Vec<&PersonId> = greedy.picks.iter().map(|p| &p.person).collect();
        let only_optimal: Vec<&str> = optimal
            .picks
            .iter()
            .filter(|p| !greedy_people.contains(&&p.person))
            .map(|p| p.person.as_str())
            .collect();
        if !only_optimal.is_empty() {
            println!(
                "Evacuated only by the optimal plan: {}.",
                only_optimal.join(", ")
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let plan = inputs.plan(method(&args.method)?)?;
    print_plan(&inputs, &plan, args.left_out);
    println!(
        "\nAdd or remove someone with `corridor plan add|remove ID --reason …`; confirm with `corridor plan confirm`."
    );
    Ok(ExitCode::SUCCESS)
}

fn print_plan(inputs: &PlanningInputs, plan: &DayPlan, left_out_shown: usize) {
    for note in &plan.notes {
        println!("Note: {note}");
    }
    println!(
        "{} of {} places used by {} parties; value {}.",
        plan.places_used,
        plan.places_available,
        plan.picks.len(),
        plan.objective
    );
    let rows: Vec<Vec<String>> = plan
        .picks
        .iter()
        .enumerate()
        .map(|(index, pick)| {
            vec![
                (index + 1).to_string(),
                pick.person.to_string(),
                pick.companions
                    .iter()
                    .map(PersonId::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
                pick.facility
                    .as_ref()
                    .map_or_else(String::new, ToString::to_string),
                pick.reason.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &["#", "person", "companions", "facility", "why"],
            &rows,
            &[0]
        )
    );
    if plan.left_out.is_empty() {
        return;
    }
    let left_out = inputs.left_out_by_value(plan);
    println!(
        "\nLeft out: {} cleared people{}.",
        left_out.len(),
        if left_out.len() > left_out_shown {
            format!(", the first {left_out_shown} by value (--left-out N for more)")
        } else {
            String::new()
        }
    );
    let rows: Vec<Vec<String>> = left_out
        .iter()
        .take(left_out_shown)
        .map(|l| vec![l.person.to_string(), l.reason.to_string()])
        .collect();
    print!("{}", table(&["person", "why"], &rows, &[]));
}

async fn set_override(
    context: &Context,
    args: &OverrideArgs,
    kind: OverrideKind,
) -> anyhow::Result<ExitCode> {
    let direction = direction(&args.direction)?;
    let day = day(context, &args.day, Some(direction)).await?;
    let person = PersonId::parse(&args.person).map_err(flag_error)?;
    let reason = Text::parse("reason", &args.reason, 500).map_err(flag_error)?;
    // The plan is made again at once, to show whether the override can
    // be honoured; one that cannot is not kept.
    let outcome = context
        .store
        .override_plan(
            &OverrideChange {
                crossing: day.crossing.clone(),
                date: day.date,
                direction,
                person: person.clone(),
                kind: Some(kind),
                reason: reason.clone(),
                facility: None,
            },
            context.now,
            &context.actor,
        )
        .await?;
    let on_plan = outcome.plan.picks.iter().any(|p| p.person == person);
    println!(
        "{person} is now {} the {direction} plan of {} on {} ({}).",
        if on_plan { "on" } else { "off" },
        day.crossing,
        day.date,
        reason.as_str()
    );
    if !outcome.displaced.is_empty() {
        let displaced: Vec<&str> = outcome.displaced.iter().map(PersonId::as_str).collect();
        println!("It displaced: {}.", displaced.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

async fn confirm(context: &Context, args: &PlanConfirmArgs) -> anyhow::Result<ExitCode> {
    let direction = direction(&args.direction)?;
    let day = day(context, &args.day, Some(direction)).await?;
    let options = ConfirmOptions {
        method: method(&args.method)?,
        standby: args
            .standby
            .as_deref()
            .map(corridor_domain::parse_standby_size)
            .transpose()
            .map_err(flag_error)?,
    };
    let (manifest, plan) = context
        .store
        .confirm_plan_with(
            &day.crossing,
            day.date,
            direction,
            &options,
            context.now,
            &context.actor,
        )
        .await?;
    println!(
        "Confirmed the {direction} manifest of {} on {}: {} people scheduled ({} parties) of {} places{}.",
        day.crossing,
        day.date,
        manifest.entries.len(),
        plan.picks.len(),
        manifest.places,
        if direction == Direction::Outbound {
            ", each patient's bed held"
        } else {
            ""
        }
    );
    let standby = context
        .store
        .standby(&day.crossing, day.date, direction)
        .await?;
    let people: u32 = standby.iter().map(|entry| entry.people).sum();
    println!(
        "Standby: {} parties ({people} people); `corridor plan standby` lists them.",
        standby.len()
    );
    Ok(ExitCode::SUCCESS)
}

async fn standby(context: &Context, args: &ManifestArgs) -> anyhow::Result<ExitCode> {
    let direction = direction(&args.direction)?;
    let day = day(context, &args.day, Some(direction)).await?;
    let standby = context
        .store
        .standby(&day.crossing, day.date, direction)
        .await?;
    let freed = context
        .store
        .freed_places(&day.crossing, day.date, direction)
        .await?;
    println!(
        "Standby for the {direction} manifest of {} on {}: {} parties; {} of {} places free.",
        day.crossing,
        day.date,
        standby.len(),
        freed.free(),
        freed.places
    );
    let rows: Vec<Vec<String>> = standby
        .iter()
        .map(|entry| {
            let companions: Vec<&str> = entry.companions.iter().map(PersonId::as_str).collect();
            vec![
                entry.rank.to_string(),
                entry.person.to_string(),
                companions.join(" "),
                entry.people.to_string(),
                entry.score.to_string(),
                entry
                    .facility
                    .as_ref()
                    .map_or_else(String::new, ToString::to_string),
                if entry.available {
                    entry.reason.clone()
                } else {
                    format!("no longer cleared; {}", entry.reason)
                },
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "rank",
                "party",
                "companions",
                "people",
                "score",
                "facility",
                "reason"
            ],
            &rows,
            &[0, 3, 4]
        )
    );
    Ok(ExitCode::SUCCESS)
}

async fn cancel(context: &Context, args: &PlanCancelArgs) -> anyhow::Result<ExitCode> {
    let directions = match args.direction.trim() {
        "both" => vec![Direction::Outbound, Direction::Inbound],
        text => vec![direction(text)?],
    };
    let reason = Text::parse("reason", &args.reason, 500).map_err(flag_error)?;
    let day = day(context, &args.day, None).await?;
    let mut cancelled_any = false;
    for direction in directions {
        if context
            .store
            .manifest(&day.crossing, day.date, direction)
            .await?
            .is_none()
        {
            // "both" cancels the directions that were confirmed.
            if args.direction.trim() == "both" {
                continue;
            }
        }
        let cancelled = context
            .store
            .cancel_day(
                &day.crossing,
                day.date,
                direction,
                &reason,
                context.now,
                &context.actor,
            )
            .await?;
        cancelled_any = true;
        println!(
            "Cancelled the {direction} day of {} on {}: {} {} ({} people) back on the list as cleared; \
             {} {} queued.",
            day.crossing,
            day.date,
            cancelled.parties.len(),
            if cancelled.parties.len() == 1 {
                "party"
            } else {
                "parties"
            },
            cancelled.people,
            cancelled.notices,
            if cancelled.notices == 1 {
                "notice"
            } else {
                "notices"
            },
        );
    }
    if !cancelled_any {
        bail!(
            "no manifest is confirmed for {} on {}: there is no day to cancel",
            day.crossing,
            day.date
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn amend(context: &Context, args: &PlanAmendArgs) -> anyhow::Result<ExitCode> {
    let direction = direction(&args.direction)?;
    let day = day(context, &args.day, Some(direction)).await?;
    let person = |text: &str| PersonId::parse(text).map_err(flag_error);
    let amendment = match (&args.add, &args.remove, &args.reason) {
        (Some(add), None, _) => Amendment::Add {
            person: person(add)?,
            facility: args
                .facility
                .as_deref()
                .map(corridor_domain::FacilityId::parse)
                .transpose()
                .map_err(flag_error)?,
        },
        (None, Some(remove), Some(reason)) => Amendment::Remove {
            person: person(remove)?,
            reason: Text::parse("reason", reason, 500).map_err(flag_error)?,
        },
        (None, None, _) if args.fill => Amendment::Fill,
        _ => bail!("give one of --fill, --add ID or --remove ID --reason TEXT"),
    };
    let amended = context
        .store
        .amend_manifest(
            &day.crossing,
            day.date,
            direction,
            &amendment,
            context.now,
            &context.actor,
        )
        .await?;
    let verb = match amended.kind {
        corridor_domain::AmendmentKind::Fill => "Filled from standby",
        corridor_domain::AmendmentKind::Add => "Added",
        corridor_domain::AmendmentKind::Remove => "Removed",
    };
    for party in &amended.parties {
        let companions: Vec<&str> = party.companions.iter().map(PersonId::as_str).collect();
        println!(
            "{verb}: {}{}{}.",
            party.person,
            if companions.is_empty() {
                String::new()
            } else {
                format!(" with {}", companions.join(", "))
            },
            party
                .facility
                .as_ref()
                .map_or_else(String::new, |f| format!(" (bed at {f})"))
        );
    }
    println!(
        "Amendment {} of the {direction} manifest of {} on {}; {} {} free.",
        amended.number,
        day.crossing,
        day.date,
        amended.free,
        if amended.free == 1 { "place" } else { "places" }
    );
    Ok(ExitCode::SUCCESS)
}

async fn manifest(context: &Context, args: &ManifestArgs) -> anyhow::Result<ExitCode> {
    let direction = direction(&args.direction)?;
    let day = day(context, &args.day, Some(direction)).await?;
    let manifest = context
        .store
        .manifest(&day.crossing, day.date, direction)
        .await?
        .ok_or_else(|| {
            anyhow!(
                "no {direction} manifest is confirmed for {} on {}; `corridor plan show` proposes one",
                day.crossing,
                day.date
            )
        })?;
    let points = context.store.party_points(&day.crossing, day.date).await?;
    print_manifest(&manifest, &context.store.reason_codes().await?, &points);
    Ok(ExitCode::SUCCESS)
}

/// A manifest as the terminal shows it: reasons by code and label, never
/// their notes, which only `patients show` prints.
fn print_manifest(manifest: &Manifest, reasons: &ReasonCatalogue, points: &PartyPoints) {
    println!(
        "Manifest {} {} {} — confirmed by {} at {} ({} method); {} people, {} places.",
        manifest.crossing,
        manifest.date,
        manifest.direction,
        manifest.confirmed_by,
        manifest.confirmed_at,
        manifest.method,
        manifest.entries.len(),
        manifest.places
    );
    if let Some(cancelled) = &manifest.cancelled {
        println!(
            "CANCELLED by {} at {}: {}",
            cancelled.by, cancelled.at, cancelled.reason
        );
    }
    let rows: Vec<Vec<String>> = manifest
        .entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            vec![
                (index + 1).to_string(),
                entry.person.to_string(),
                entry.role.to_string(),
                if entry.party == entry.person {
                    String::new()
                } else {
                    entry.party.to_string()
                },
                entry
                    .facility
                    .as_ref()
                    .map_or_else(String::new, ToString::to_string),
                // The party meets at its point: shown on its head's line.
                points
                    .point_of(&entry.party)
                    .filter(|_| entry.party == entry.person)
                    .map_or_else(String::new, |p| format!("{} {}", p.time, p.place)),
                entry.state.as_str().to_string(),
                entry
                    .state_reason
                    .as_ref()
                    .map(|reason| code_and_label(reasons, reason))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "#", "person", "role", "with", "facility", "assembly", "gate", "reason"
            ],
            &rows,
            &[0]
        )
    );
}

async fn gate_list(context: &Context, args: &DayArgs) -> anyhow::Result<ExitCode> {
    let day = day(context, args, None).await?;
    // After the cut-off, parties nobody could reach no longer hold places.
    let freed = context
        .store
        .apply_due_cut_off(&day.crossing, day.date, context.now, &context.actor)
        .await?;
    if !freed.is_empty() {
        let freed: Vec<&str> = freed.iter().map(PersonId::as_str).collect();
        println!(
            "The cut-off has passed: the places of {} were freed (unreachable).\n",
            freed.join(", ")
        );
    }
    let reconciliation = context
        .store
        .reconciliation(&day.crossing, day.date)
        .await?;
    if reconciliation.manifests.is_empty() {
        bail!(
            "no manifest is confirmed for {} on {}; nobody is expected at the gate",
            day.crossing,
            day.date
        );
    }
    let reasons = context.store.reason_codes().await?;
    let points = context.store.party_points(&day.crossing, day.date).await?;
    for manifest in &reconciliation.manifests {
        print_manifest(manifest, &reasons, &points);
        println!("Expected: {}.\n", manifest.count(EntryState::Expected));
    }
    Ok(ExitCode::SUCCESS)
}

async fn record(
    context: &Context,
    args: &GateArgs,
    outcome: GateOutcome,
) -> anyhow::Result<ExitCode> {
    let day = day(context, &args.day, None).await?;
    let person = PersonId::parse(&args.person).map_err(flag_error)?;
    let reason = match outcome.reason_kind() {
        Some(kind) => Some(reason_from_flags(
            &context.store.reason_codes().await?,
            kind,
            args.reason.as_deref(),
            args.note.as_deref(),
        )?),
        None if args.reason.is_some() || args.note.is_some() => {
            bail!("--reason: a crossing takes no reason; leave out --reason and --note")
        }
        None => None,
    };
    let recording = GateRecording {
        crossing: day.crossing.clone(),
        date: day.date,
        person: person.clone(),
        outcome,
        reason: reason.clone(),
    };
    let recorded = match &args.member {
        None => {
            context
                .store
                .record_gate(&recording, context.now, &context.actor)
                .await?
        }
        Some(member) => {
            let member = PersonId::parse(member.trim())
                .map_err(|invalid| anyhow::anyhow!("--person: {}", invalid.problem))?;
            context
                .store
                .record_gate_member(&recording, &member, context.now, &context.actor)
                .await?
        }
    };
    let people: Vec<&str> = recorded.people.iter().map(PersonId::as_str).collect();
    let consequence = match outcome {
        GateOutcome::Crossed => "",
        GateOutcome::TurnedBack | GateOutcome::NoShow => {
            "; back on the list as cleared, beds released"
        }
    };
    println!(
        "{} at {} on {}: {}{consequence}.",
        outcome,
        day.crossing,
        day.date,
        people.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

async fn undo(context: &Context, args: &GateUndoArgs) -> anyhow::Result<ExitCode> {
    let day = day(context, &args.day, None).await?;
    let person = PersonId::parse(&args.person).map_err(flag_error)?;
    let reason = Text::parse("reason", &args.reason, 500).map_err(flag_error)?;
    let undo = GateUndo {
        crossing: day.crossing.clone(),
        date: day.date,
        person,
        reason,
    };
    let undone = match &args.member {
        None => {
            context
                .store
                .undo_gate(&undo, context.now, &context.actor)
                .await?
        }
        Some(member) => {
            let member = PersonId::parse(member.trim())
                .map_err(|invalid| anyhow::anyhow!("--person: {}", invalid.problem))?;
            context
                .store
                .undo_gate_member(&undo, &member, context.now, &context.actor)
                .await?
        }
    };
    let people: Vec<&str> = undone.people.iter().map(PersonId::as_str).collect();
    let bed = undone
        .bed_held_at
        .map(|facility| format!("; the bed at {facility} is held again"))
        .unwrap_or_default();
    println!(
        "{} undone at {} on {}: {} expected at the gate again{bed}.",
        undone.undone.as_str(),
        day.crossing,
        day.date,
        people.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

async fn reconcile(context: &Context, args: &DayArgs) -> anyhow::Result<ExitCode> {
    let day = day(context, args, None).await?;
    let reconciliation = context
        .store
        .reconciliation(&day.crossing, day.date)
        .await?;
    if reconciliation.manifests.is_empty() {
        bail!(
            "no manifest is confirmed for {} on {}; there is nothing to reconcile",
            day.crossing,
            day.date
        );
    }
    println!("Reconciliation, {} on {}.", day.crossing, day.date);
    let rows: Vec<Vec<String>> = reconciliation
        .manifests
        .iter()
        .map(|m| {
            vec![
                m.direction.to_string(),
                m.places.to_string(),
                m.entries.len().to_string(),
                m.count(EntryState::Crossed).to_string(),
                m.count(EntryState::TurnedBack).to_string(),
                m.count(EntryState::NoShow).to_string(),
                m.count(EntryState::Removed).to_string(),
                m.count(EntryState::Declined).to_string(),
                m.count(EntryState::Unreachable).to_string(),
                m.count(EntryState::Expected).to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "direction",
                "places",
                "planned",
                "crossed",
                "turned back",
                "no-show",
                "removed",
                "declined",
                "unreachable",
                "not recorded",
            ],
            &rows,
            &[1, 2, 3, 4, 5, 6, 7, 8, 9],
        )
    );
    let out = reconciliation.crossed(Direction::Outbound);
    let entered = reconciliation.crossed(Direction::Inbound);
    if reconciliation
        .rules
        .as_ref()
        .is_some_and(|r| r.entries_equal_exits)
    {
        if out == entered {
            println!("Entries equal exits: {entered} in, {out} out.");
        } else {
            println!(
                "Entries do NOT equal exits: {entered} in, {out} out (the rule in force requires them to be equal)."
            );
        }
    }
    let back = reconciliation.back_on_the_list();
    let reasons = context.store.reason_codes().await?;
    if !back.is_empty() {
        println!("\nBack on the list ({}):", back.len());
        let rows: Vec<Vec<String>> = back
            .iter()
            .map(|e| {
                vec![
                    e.person.to_string(),
                    e.role.to_string(),
                    e.state.as_str().to_string(),
                    e.state_reason
                        .as_ref()
                        .map(|reason| code_and_label(&reasons, reason))
                        .unwrap_or_default(),
                ]
            })
            .collect();
        print!(
            "{}",
            table(&["person", "role", "what happened", "reason"], &rows, &[])
        );
    }
    let pending: usize = reconciliation
        .manifests
        .iter()
        .map(|m| m.count(EntryState::Expected))
        .sum();
    if pending > 0 {
        println!(
            "\n{pending} people on the manifests have no outcome yet: record crossed, turned-back or no-show for each."
        );
    }
    Ok(ExitCode::SUCCESS)
}
