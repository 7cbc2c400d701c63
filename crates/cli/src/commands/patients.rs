//! `corridor patients add|list|show|transition`.

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use corridor_domain::{
    Action, ActionKind, AgeGroup, BirthYear, Booking, Case, ConditionCategory, CrossingId,
    FacilityId, InvalidValue, LegalBasis, NewPerson, PersonId, PersonKind, PersonName, Referral,
    ReferralDate, Relationship, Sex, Specialty, Status, Text, Tier, allowed_actions,
    unaccompanied_children,
};
use corridor_store::{ListFilter, NewAuditEntry, RoleFilter, WaitFilter};
use jiff::civil::Date;

use crate::args::{AddArgs, ListArgs, PatientsCommand, ShowArgs, TransitionArgs};
use crate::context::Context;
use crate::output::{count, table};

pub async fn run(context: &Context, command: &PatientsCommand) -> anyhow::Result<ExitCode> {
    match command {
        PatientsCommand::Add(args) => add(context, args).await,
        PatientsCommand::List(args) => list(context, args).await,
        PatientsCommand::Show(args) => show(context, args).await,
        PatientsCommand::Transition(args) => transition(context, args).await,
    }
}

const REASON_MAX_CHARS: usize = 500;

/// An invalid value named by its flag as the user typed it: the domain's
/// field `birth_year` is the flag `--birth-year`.
pub(super) fn flag_error(invalid: InvalidValue) -> anyhow::Error {
    anyhow!("--{}: {}", invalid.field.replace('_', "-"), invalid.problem)
}

async fn add(context: &Context, args: &AddArgs) -> anyhow::Result<ExitCode> {
    let today = context.today;
    let patient_id = match &args.id {
        Some(id) => PersonId::parse(id).map_err(flag_error)?,
        None => generated_id("P"),
    };
    let referral_date = match &args.referral_date {
        Some(text) => ReferralDate::parse(text, today),
        None => ReferralDate::new(today, today),
    }
    .map_err(flag_error)?;
    let patient = NewPerson {
        id: patient_id.clone(),
        name: args
            .name
            .as_deref()
            .map(PersonName::parse)
            .transpose()
            .map_err(flag_error)?,
        birth_year: BirthYear::parse(&args.birth_year, today).map_err(flag_error)?,
        sex: Sex::parse(&args.sex).map_err(flag_error)?,
        legal_basis: LegalBasis::parse(&args.legal_basis).map_err(flag_error)?,
        kind: PersonKind::Patient(Referral {
            condition: ConditionCategory::parse(&args.condition).map_err(flag_error)?,
            specialty: Specialty::parse(&args.specialty).map_err(flag_error)?,
            tier: Tier::parse(&args.tier).map_err(flag_error)?,
            referral_date,
            referring_facility: Text::parse("referring_facility", &args.referring_facility, 200)
                .map_err(flag_error)?,
            return_guarantee: args.return_guarantee,
        }),
    };
    let mut batch = vec![patient];
    for (index, spec) in args.companions.iter().enumerate() {
        let companion = parse_companion(spec, &patient_id, batch[0].legal_basis, today)
            .with_context(|| format!("--companion number {}: '{spec}'", index + 1))?;
        batch.push(companion);
    }
    if !unaccompanied_children(&batch, today).is_empty() {
        bail!(
            "the patient is a child (born {}), and a child is never registered alone: add --companion relationship=parent,birth-year=YYYY,sex=female|male",
            batch[0].birth_year.year()
        );
    }
    let cases: Vec<Case> = batch
        .into_iter()
        .map(|person| Case::register(person, context.now, &context.actor))
        .collect();
    let ids: Vec<&str> = cases.iter().map(|case| case.person.id.as_str()).collect();
    let audit = NewAuditEntry {
        at: context.now,
        actor: context.actor.clone(),
        action: "person.register".to_string(),
        subject: patient_id.to_string(),
        detail: serde_json::json!({ "ids": ids }),
    };
    context
        .store
        .insert_cases(&cases, &audit, &mut |_| {})
        .await?;
    println!(
        "Registered patient {patient_id} (referred){}.",
        if cases.len() > 1 {
            format!(
                " with companion(s) {}",
                cases[1..]
                    .iter()
                    .map(|case| case.person.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `relationship=parent,birth-year=1988,sex=female[,name=…][,id=…][,legal-basis=…]`.
fn parse_companion(
    spec: &str,
    patient: &PersonId,
    patient_basis: LegalBasis,
    today: Date,
) -> anyhow::Result<NewPerson> {
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
    let required = |key: &str| {
        fields
            .get(key)
            .copied()
            .ok_or_else(|| anyhow!("{key}= is missing"))
    };
    Ok(NewPerson {
        id: match fields.get("id") {
            Some(id) => PersonId::parse(id)?,
            None => generated_id("C"),
        },
        name: fields
            .get("name")
            .map(|name| PersonName::parse(name))
            .transpose()?,
        birth_year: BirthYear::parse(required("birth-year")?, today)?,
        sex: Sex::parse(required("sex")?)?,
        legal_basis: match fields.get("legal-basis") {
            Some(basis) => LegalBasis::parse(basis)?,
            None => patient_basis,
        },
        kind: PersonKind::Companion {
            of: patient.clone(),
            relationship: Relationship::parse(required("relationship")?)?,
        },
    })
}

/// A random id such as `P-7KQ2M9XA`: 40 bits from an alphabet without
/// look-alike characters, so that ids can be read out over a radio.
pub(super) fn generated_id(prefix: &str) -> PersonId {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let bits: u64 = rand::random();
    let text: String = (0..8)
        .map(|index| ALPHABET[((bits >> (index * 5)) & 31) as usize] as char)
        .collect();
    PersonId::parse(&format!("{prefix}-{text}"))
        .expect("generated ids use only letters, digits and '-'")
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
    if args.page == 0 {
        bail!("--page counts from 1");
    }
    if args.limit == 0 || args.limit > 10_000 {
        bail!("--limit must be between 1 and 10000");
    }
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
        visible_to: None,
        limit: args.limit,
        offset: (args.page - 1) * u64::from(args.limit),
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
            count(page.total.div_ceil(u64::from(args.limit))),
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
            if record.companions.is_empty() {
                out.push_str("  companions: none\n");
            } else {
                let ids: Vec<&str> = record.companions.iter().map(PersonId::as_str).collect();
                out.push_str(&format!("  companions: {}\n", ids.join(", ")));
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
    let allowed: Vec<&str> = allowed_actions(person.role(), line.status)
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
                Some(Action::Delay { needed_by }) => {
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
                .map(|r| r.to_string())
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
    let reason = |kind: ActionKind| -> anyhow::Result<Text> {
        let text = args
            .reason
            .as_deref()
            .ok_or_else(|| anyhow!("{kind} needs --reason \"…\""))?;
        Text::parse("reason", text, REASON_MAX_CHARS).map_err(flag_error)
    };
    let date = |what: &str| -> anyhow::Result<Date> {
        let text = args
            .date
            .as_deref()
            .ok_or_else(|| anyhow!("{kind} needs --date YYYY-MM-DD ({what})"))?;
        super::parse_date("--date", text)
    };
    let action =
        match kind {
            ActionKind::List => Action::List,
            ActionKind::RequestClearance => Action::RequestClearance,
            ActionKind::Clear => Action::Clear,
            ActionKind::Deny => Action::Deny {
                reason: reason(kind)?,
            },
            ActionKind::Delay => Action::Delay {
                needed_by: date("the date the answer was needed by")?,
            },
            ActionKind::Resubmit => Action::Resubmit,
            ActionKind::Schedule => Action::Schedule {
                booking: Booking {
                    date: date("the crossing day")?,
                    crossing: CrossingId::parse(args.crossing.as_deref().ok_or_else(|| {
                        anyhow!("schedule needs --crossing, e.g. --crossing rafah")
                    })?)?,
                },
            },
            ActionKind::Unschedule => Action::Unschedule {
                reason: reason(kind)?,
            },
            ActionKind::Cross => Action::Cross,
            ActionKind::Admit => Action::Admit {
                facility: FacilityId::parse(
                    args.facility
                        .as_deref()
                        .ok_or_else(|| anyhow!("admit needs --facility ID"))?,
                )?,
            },
            ActionKind::Return => Action::Return,
            ActionKind::Die => {
                let on = date("the date of death")?;
                if on > context.today {
                    bail!("--date {on} is in the future (today is {})", context.today);
                }
                Action::Die { on }
            }
            ActionKind::Withdraw => Action::Withdraw {
                reason: reason(kind)?,
            },
        };
    let note = args
        .note
        .as_deref()
        .map(|note| Text::parse("note", note, REASON_MAX_CHARS))
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
    let next: Vec<&str> = allowed_actions(done.role, line.status)
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
