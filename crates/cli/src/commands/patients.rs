//! `corridor patients add|list|show|transition|replace-companion`.

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use corridor_domain::{
    Action, ActionError, ActionFacts, ActionKind, AgeGroup, CompanionFields, InvalidValue, Paging,
    PatientFields, PersonId, PersonKind, Reason, Registration, RegistrationError, Replacement,
    Specialty, Status, Text, Tier, allowed_actions,
};
use corridor_store::{ListFilter, NewAuditEntry, RoleFilter, WaitFilter};

use super::reasons::{reason_flag_error, with_note};
use crate::context::Context;
use crate::flags::patients::{
    AddArgs, ListArgs, PatientsCommand, ReplaceCompanionArgs, ShowArgs, TransitionArgs,
};
use crate::output::{count, table};

/// The most rows `patients list` prints at once.
const MAX_LIST_LIMIT: u32 = 10_000;

pub async fn run(context: &Context, command: &PatientsCommand) -> anyhow::Result<ExitCode> {
    match command {
        PatientsCommand::Add(args) => add(context, args).await,
        PatientsCommand::List(args) => list(context, args).await,
        PatientsCommand::Show(args) => show(context, args).await,
        PatientsCommand::Transition(args) => transition(context, args).await,
        PatientsCommand::ReplaceCompanion(args) => replace_companion(context, args).await,
        PatientsCommand::Contact(command) => super::calls::contact(context, command).await,
    }
}

/// A missing or invalid fact of a transition, named by its flag.
fn action_error(error: ActionError) -> anyhow::Error {
    match error {
        ActionError::Missing {
            action,
            field,
            what,
        } => match field {
            "date" => anyhow!("{action} needs --date YYYY-MM-DD ({what})"),
            "crossing" => anyhow!("{action} needs --crossing, e.g. --crossing rafah"),
            _ => anyhow!("{action} needs --{field} ID"),
        },
        ActionError::Invalid(invalid) => reason_flag_error(invalid),
    }
}

/// An invalid value named by its flag as the user typed it: the domain's
/// field `birth_year` is the flag `--birth-year`.
pub(super) fn flag_error(invalid: InvalidValue) -> anyhow::Error {
    anyhow!("--{}: {}", invalid.field.replace('_', "-"), invalid.problem)
}

async fn add(context: &Context, args: &AddArgs) -> anyhow::Result<ExitCode> {
    let today = context.today;
    let patient = PatientFields {
        id: args.id.as_deref(),
        name: args.name.as_deref(),
        birth_year: &args.birth_year,
        sex: &args.sex,
        condition: &args.condition,
        specialty: &args.specialty,
        tier: &args.tier,
        referral_date: args.referral_date.as_deref(),
        referring_facility: &args.referring_facility,
        return_guarantee: args.return_guarantee,
        legal_basis: &args.legal_basis,
    };
    let specs: Vec<HashMap<&str, &str>> = args
        .companions
        .iter()
        .enumerate()
        .map(|(index, spec)| {
            companion_spec(spec)
                .with_context(|| format!("--companion number {}: '{spec}'", index + 1))
        })
        .collect::<anyhow::Result<_>>()?;
    let companions: Vec<CompanionFields> = specs
        .iter()
        .map(|fields| CompanionFields {
            id: fields.get("id").copied(),
            name: fields.get("name").copied(),
            relationship: fields["relationship"],
            birth_year: fields["birth-year"],
            sex: fields["sex"],
            legal_basis: fields.get("legal-basis").copied(),
        })
        .collect();
    let registration = Registration::parse(
        &patient,
        &companions,
        today,
        &mut || rand::random(),
    )
    .map_err(|error| match error {
        RegistrationError::Patient(invalid) => flag_error(invalid),
        RegistrationError::Companion { index, invalid } => anyhow!(invalid).context(format!(
            "--companion number {}: '{}'",
            index + 1,
            args.companions[index]
        )),
        RegistrationError::ChildAlone { born } => anyhow!(
            "the patient is a child (born {born}), and a child is never registered alone: add --companion relationship=parent,birth-year=YYYY,sex=female|male"
        ),
    })?;
    context
        .store
        .register_patient(&registration, context.now, &context.actor)
        .await?;
    let patient_id = &registration.patient.id;
    println!(
        "Registered patient {patient_id} (referred){}.",
        if registration.companions.is_empty() {
            String::new()
        } else {
            format!(
                " with companion(s) {}",
                registration
                    .companions
                    .iter()
                    .map(|companion| companion.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    Ok(ExitCode::SUCCESS)
}

async fn replace_companion(
    context: &Context,
    args: &ReplaceCompanionArgs,
) -> anyhow::Result<ExitCode> {
    let patient_id = PersonId::parse(args.patient.trim()).map_err(flag_error)?;
    let patient = context
        .store
        .person(&patient_id)
        .await?
        .ok_or_else(|| {
            anyhow!("no person with id {patient_id} is registered; `corridor patients list` shows who is")
        })?
        .person;
    let fields = CompanionFields {
        id: args.id.as_deref(),
        name: args.name.as_deref(),
        relationship: &args.relationship,
        birth_year: &args.birth_year,
        sex: &args.sex,
        legal_basis: args.legal_basis.as_deref(),
    };
    let replacement = Replacement::parse(
        &patient,
        &args.companion,
        &fields,
        &args.reason,
        context.today,
        &mut || rand::random(),
    )
    .map_err(flag_error)?;
    let replaced = context
        .store
        .replace_companion(&replacement, context.now, &context.actor)
        .await?;
    println!(
        "Replaced companion {} of {} by {} (listed; request clearance for them){}. {} keeps their place in the list.",
        replaced.replaced,
        replaced.patient,
        replaced.replacement,
        if replaced.withdrawn {
            format!("; {} withdrawn (replaced)", replaced.replaced)
        } else {
            String::new()
        },
        replaced.patient
    );
    Ok(ExitCode::SUCCESS)
}

/// `relationship=parent,birth-year=1988,sex=female[,name=…][,id=…][,legal-basis=…]`
/// as its keys and values, with the required keys present.
fn companion_spec(spec: &str) -> anyhow::Result<HashMap<&str, &str>> {
    let mut fields: HashMap<&str, &str> = HashMap::new();
    for pair in spec
        .split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
    {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| anyhow!("'{pair}' is not key=value"))?;
        let key = key.trim();
        if ![
            "relationship",
            "birth-year",
            "sex",
            "name",
            "id",
            "legal-basis",
        ]
        .contains(&key)
        {
            bail!("unknown key '{key}'; use relationship, birth-year, sex, name, id, legal-basis");
        }
        fields.insert(key, value.trim());
    }
    for key in ["relationship", "birth-year", "sex"] {
        if !fields.contains_key(key) {
            bail!("{key}= is missing");
        }
    }
    Ok(fields)
}

async fn list(context: &Context, args: &ListArgs) -> anyhow::Result<ExitCode> {
    let parse_all = |values: &[String], what: &str| -> anyhow::Result<Vec<String>> {
        let cleaned: Vec<String> = values
            .iter()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        if values.len() != cleaned.len() {
            bail!("--{what} has an empty value");
        }
        Ok(cleaned)
    };
    let mut age_groups = Vec::new();
    let mut children_only = false;
    for group in parse_all(&args.age_group, "age-group")? {
        if group.eq_ignore_ascii_case("child") {
            children_only = true;
        } else {
            age_groups
                .push(AgeGroup::parse(&group).map_err(|e| anyhow!("{} or child", flag_error(e)))?);
        }
    }
    let paging =
        Paging::parse(args.page, args.limit, MAX_LIST_LIMIT, "limit").map_err(flag_error)?;
    let filter = ListFilter {
        role: if args.companions {
            RoleFilter::Companions
        } else {
            RoleFilter::Patients
        },
        statuses: parse_all(&args.status, "status")?
            .iter()
            .map(|s| Status::parse(s))
            .collect::<Result<_, _>>()
            .map_err(flag_error)?,
        tiers: parse_all(&args.tier, "tier")?
            .iter()
            .map(|s| Tier::parse(s))
            .collect::<Result<_, _>>()
            .map_err(flag_error)?,
        specialties: parse_all(&args.specialty, "specialty")?
            .iter()
            .map(|s| Specialty::parse(s))
            .collect::<Result<_, _>>()
            .map_err(flag_error)?,
        age_groups,
        children_only,
        wait: WaitFilter {
            more_than_days: args.waited_more_than,
            less_than_days: args.waited_less_than,
        },
        limit: paging.per_page(),
        offset: paging.offset(),
        ..ListFilter::default()
    };
    let page = context.store.list(&filter, context.today).await?;
    let rows: Vec<Vec<String>> = page
        .rows
        .iter()
        .map(|row| {
            let dash = || "-".to_string();
            vec![
                row.id.to_string(),
                row.tier.map_or_else(dash, |t| t.to_string()),
                row.status.to_string(),
                row.specialty.map_or_else(dash, |s| s.to_string()),
                row.age_group.to_string(),
                row.referral_date.map_or_else(dash, |d| d.to_string()),
                row.days_waiting.map_or_else(dash, |d| d.to_string()),
                match &row.companion_of {
                    Some(patient) => format!("of {patient}"),
                    None => row.companions.to_string(),
                },
            ]
        })
        .collect();
    if page.total == 0 {
        println!("No one matches these filters.");
        return Ok(ExitCode::SUCCESS);
    }
    // Past the last page there is no table to show, only where the end is.
    if page.rows.is_empty() {
        println!(
            "Page {} is past the end: {} match ({} pages of {}).",
            args.page,
            count(page.total),
            count(paging.pages(page.total)),
            args.limit
        );
        return Ok(ExitCode::SUCCESS);
    }
    print!(
        "{}",
        table(
            &[
                "ID",
                "TIER",
                "STATUS",
                "SPECIALTY",
                "AGE",
                "REFERRED",
                "DAYS WAITED",
                "COMPANIONS"
            ],
            &rows,
            &[6]
        )
    );
    let first = filter.offset + 1;
    let last = filter.offset + page.rows.len() as u64;
    println!(
        "Rows {}–{} of {} matching, most urgent tier first, then longest waiting.{}",
        count(first),
        count(last),
        count(page.total),
        if last < page.total {
            format!(" Next page: --page {}", args.page + 1)
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

async fn show(context: &Context, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let id = PersonId::parse(&args.id)?;
    let record = context.store.person(&id).await?.ok_or_else(|| {
        anyhow!("no person with id {id} is registered; `corridor patients list` shows who is")
    })?;
    // The read of personal data is recorded before anything is shown.
    context
        .store
        .record(&NewAuditEntry {
            at: context.now,
            actor: context.actor.clone(),
            action: "person.read".to_string(),
            subject: id.to_string(),
            detail: serde_json::json!({ "via": "cli patients show" }),
        })
        .await?;
    let person = &record.person;
    let line = &record.line;
    let reasons = context.store.reason_codes().await?;
    let mut out = String::new();
    out.push_str(&format!(
        "{} — {} — {}\n",
        person.id,
        person.role(),
        person
            .name
            .as_ref()
            .map_or("(no name recorded)", |n| n.as_str())
    ));
    out.push_str(&format!(
        "  born {} ({} on {}), {}, legal basis: {}\n",
        person.birth_year.year(),
        AgeGroup::of(person.birth_year, context.today),
        context.today,
        person.sex,
        person.legal_basis
    ));
    match &person.kind {
        PersonKind::Patient(referral) => {
            out.push_str(&format!(
                "  {} tier, {} ({}), referred {} by {} — {} days ago; return guarantee: {}\n",
                referral.tier,
                referral.condition,
                referral.specialty,
                referral.referral_date.date(),
                referral.referring_facility,
                (context.today - referral.referral_date.date()).get_days(),
                if referral.return_guarantee {
                    "yes"
                } else {
                    "no"
                }
            ));
            let companions = context.store.companions_of(&person.id).await?;
            if companions.is_empty() {
                out.push_str("  companions: none\n");
            } else {
                let described: Vec<String> = companions
                    .iter()
                    .map(|companion| {
                        // Only a companion who cannot travel, or who stands
                        // in for one, says more than their id.
                        let mut notes = Vec::new();
                        if let Some(by) = &companion.replaced_by {
                            notes.push(format!("replaced by {by}"));
                        } else if companion.replaceable {
                            notes.push("may be replaced: patients replace-companion".to_string());
                        }
                        if let Some(old) = &companion.replaces {
                            notes.push(format!("replaces {old}"));
                        }
                        if notes.is_empty() {
                            companion.id.to_string()
                        } else {
                            format!(
                                "{} ({}, {})",
                                companion.id,
                                companion.status,
                                notes.join(", ")
                            )
                        }
                    })
                    .collect();
                out.push_str(&format!("  companions: {}\n", described.join(", ")));
            }
        }
        PersonKind::Companion { of, relationship } => {
            out.push_str(&format!("  accompanies {of} ({relationship})\n"));
        }
        PersonKind::Returnee { returning_from } => {
            out.push_str(&format!("  returning from {returning_from}\n"));
        }
    }
    out.push_str(&format!(
        "  status: {} (version {}, clearance attempt {})",
        line.status, line.version, line.clearance_attempt
    ));
    if let Some(booking) = &line.booking {
        out.push_str(&format!(
            ", booked {} at {}",
            booking.date, booking.crossing
        ));
    }
    if let Some(facility) = &line.admitted_to {
        out.push_str(&format!(", admitted to {facility}"));
    }
    if let Some(died) = line.died_on {
        out.push_str(&format!(", died {died}"));
    }
    out.push('\n');
    let allowed: Vec<&str> = allowed_actions(person.role(), line)
        .iter()
        .map(|kind| kind.as_str())
        .collect();
    out.push_str(&format!(
        "  allowed now: {}\n\nTimeline:\n",
        if allowed.is_empty() {
            "nothing (final status)".to_string()
        } else {
            allowed.join(", ")
        }
    ));
    let rows: Vec<Vec<String>> = record
        .events
        .iter()
        .map(|event| {
            let mut what = match &event.action {
                None => "registered".to_string(),
                Some(action) => action.kind().to_string(),
            };
            match &event.action {
                Some(Action::Delay { needed_by, .. }) => {
                    what.push_str(&format!(" (needed by {needed_by})"))
                }
                Some(Action::Schedule { booking }) => {
                    what.push_str(&format!(" ({} at {})", booking.date, booking.crossing))
                }
                Some(Action::Admit { facility }) => what.push_str(&format!(" ({facility})")),
                Some(Action::Die { on }) => what.push_str(&format!(" (on {on})")),
                Some(Action::RequestClearance | Action::Resubmit) => {
                    what.push_str(&format!(" (attempt {})", event.clearance_attempt))
                }
                _ => {}
            }
            let mut why = event
                .action
                .as_ref()
                .and_then(Action::reason)
                .map(|reason| with_note(&reasons, reason))
                .unwrap_or_default();
            if let Some(note) = &event.note {
                if !why.is_empty() {
                    why.push_str("; ");
                }
                why.push_str(note.as_str());
            }
            vec![
                event.at.strftime("%Y-%m-%d %H:%M").to_string(),
                event.actor.clone(),
                event.from.map_or("-".to_string(), |s| s.to_string()),
                event.to.to_string(),
                what,
                why,
            ]
        })
        .collect();
    out.push_str(&table(
        &["WHEN (UTC)", "WHO", "FROM", "TO", "ACTION", "REASON / NOTE"],
        &rows,
        &[],
    ));
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

async fn transition(context: &Context, args: &TransitionArgs) -> anyhow::Result<ExitCode> {
    let id = PersonId::parse(&args.id)?;
    let kind = ActionKind::parse(&args.action)?;
    // For an action with a reason, --note explains the reason; for the
    // others it is a note kept with the event.
    let reason_kind = kind.reason_kind();
    if reason_kind.is_none() && args.reason.is_some() {
        bail!("--reason: {kind} takes no reason; leave it out (a --note is kept with the event)");
    }
    let facts = ActionFacts {
        reason_code: args.reason.as_deref(),
        note: reason_kind.and(args.note.as_deref()),
        date: args.date,
        facility: args.facility.as_deref(),
        crossing: args.crossing.as_deref(),
    };
    let action = Action::from_kind(kind, &facts, context.today).map_err(action_error)?;
    action
        .check_reason(&context.store.reason_codes().await?)
        .map_err(reason_flag_error)?;
    let note = args
        .note
        .as_deref()
        .filter(|_| reason_kind.is_none())
        .map(|note| Text::parse("note", note, Reason::NOTE_MAX_CHARS))
        .transpose()
        .map_err(flag_error)?;
    let done = context
        .store
        .transition(
            &id,
            args.expect_version,
            action,
            note,
            context.now,
            &context.actor,
        )
        .await?;
    let line = done.line;
    let next: Vec<&str> = allowed_actions(done.role, &line)
        .iter()
        .map(|kind| kind.as_str())
        .collect();
    println!(
        "{id} is now {} (version {}). Allowed next: {}.",
        line.status,
        line.version,
        if next.is_empty() {
            "nothing (final status)".to_string()
        } else {
            next.join(", ")
        }
    );
    Ok(ExitCode::SUCCESS)
}
