//! `corridor beds …`, `corridor rules …`, `corridor returnees add` and
//! `corridor luggage declare|check`.

use std::process::ExitCode;

use anyhow::bail;
use corridor_domain::{
    BedCapacity, Case, CashAmount, CashLimit, CountryCode, CrossingId, CrossingRules,
    DeclarationField, FacilityId, ItemCategory, LuggageDeclaration, LuggageFields, LuggageRuleSet,
    PersonId, ReturneeFields, Specialty, Text, Violation, parse_weight_grams,
};
use corridor_store::{Destination, NewAuditEntry};

use super::patients::flag_error;
use crate::context::Context;
use crate::flags::days::{
    BedsCommand, DestinationArgs, LuggageArgs, LuggageCommand, LuggageRulesArgs, ReturneeAddArgs,
    ReturneesCommand, RulesCommand, RulesSetArgs,
};
use crate::output::table;

pub async fn beds(context: &Context, command: &BedsCommand) -> anyhow::Result<ExitCode> {
    match command {
        BedsCommand::List(args) => {
            let on = match &args.date {
                Some(date) => *date,
                None => context.today,
            };
            let lines = context.store.bed_board(on).await?;
            if lines.is_empty() {
                println!(
                    "No beds are published for {on}. `corridor beds publish --help` shows how."
                );
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<Vec<String>> = lines
                .iter()
                .map(|line| {
                    let status = match (line.country_open, line.facility_open) {
                        (false, _) => "country closed",
                        (true, false) => "closed",
                        (true, true) => "open",
                    };
                    vec![
                        line.facility.to_string(),
                        line.specialty.to_string(),
                        status.to_string(),
                        if line.requires_return_guarantee {
                            "yes"
                        } else {
                            ""
                        }
                        .to_string(),
                        line.published.to_string(),
                        line.held.to_string(),
                        line.consumed.to_string(),
                        line.free().to_string(),
                    ]
                })
                .collect();
            println!("Beds for arrivals on {on}:");
            print!(
                "{}",
                table(
                    &[
                        "facility",
                        "specialty",
                        "status",
                        "guarantee",
                        "published",
                        "held",
                        "consumed",
                        "free",
                    ],
                    &rows,
                    &[4, 5, 6, 7],
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        BedsCommand::Publish(args) => {
            let facility = FacilityId::parse(&args.facility).map_err(flag_error)?;
            let capacity = BedCapacity::new(
                Specialty::parse(&args.specialty).map_err(flag_error)?,
                args.beds,
                args.from,
                args.to,
            )
            .map_err(flag_error)?;
            context
                .store
                .publish_beds(&facility, &capacity, context.now, &context.actor)
                .await?;
            println!(
                "Published {} {} beds at {facility} for arrivals from {} to {}.",
                capacity.beds, capacity.specialty, capacity.from, capacity.to
            );
            Ok(ExitCode::SUCCESS)
        }
        BedsCommand::Close(args) => set_open(context, args, false).await,
        BedsCommand::Open(args) => set_open(context, args, true).await,
    }
}

async fn set_open(
    context: &Context,
    args: &DestinationArgs,
    open: bool,
) -> anyhow::Result<ExitCode> {
    let reason = Text::parse("reason", &args.reason, 500).map_err(flag_error)?;
    let facility = args
        .facility
        .as_deref()
        .map(FacilityId::parse)
        .transpose()
        .map_err(flag_error)?;
    let country = args
        .country
        .as_deref()
        .map(CountryCode::parse)
        .transpose()
        .map_err(flag_error)?;
    let (destination, name) = match (&facility, &country) {
        (Some(facility), _) => (Destination::Facility(facility), facility.to_string()),
        (None, Some(country)) => (Destination::Country(country), country.to_string()),
        (None, None) => bail!("name a --facility or a --country"),
    };
    context
        .store
        .set_destination_open(destination, open, &reason, context.now, &context.actor)
        .await?;
    println!(
        "{name} is now {}{}.",
        if open { "open" } else { "closed" },
        if open {
            ""
        } else {
            ": it receives no one in new plans; beds already held stay held"
        }
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn rules(context: &Context, command: &RulesCommand) -> anyhow::Result<ExitCode> {
    match command {
        RulesCommand::List => list_rules(context).await,
        RulesCommand::Set(args) => set_rules(context, args).await,
        RulesCommand::Luggage(args) => add_luggage_rules(context, args).await,
    }
}

async fn list_rules(context: &Context) -> anyhow::Result<ExitCode> {
    let reference = context.store.reference().await?;
    if reference.crossings.is_empty() {
        println!("No crossing is registered. `corridor demo` creates a demo registry.");
        return Ok(ExitCode::SUCCESS);
    }
    let period = |from: jiff::civil::Date, to: Option<jiff::civil::Date>| match to {
        Some(to) => format!("{from} to {to}"),
        None => format!("from {from}"),
    };
    for crossing in &reference.crossings {
        println!(
            "{} ({}): {} on {}",
            crossing.id,
            crossing.name.as_str(),
            crossing
                .directions
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(" and "),
            crossing.operating_days
        );
        for quota in reference
            .quotas
            .iter()
            .filter(|q| q.crossing == crossing.id)
        {
            println!(
                "  quota: {} {} a day {}, {}",
                quota.per_day,
                quota.category,
                quota.direction,
                period(quota.valid_from, quota.valid_to)
            );
        }
        for rules in reference
            .crossing_rules
            .iter()
            .filter(|r| r.crossing == crossing.id)
        {
            println!(
                "  rules {}: at most {} companions per patient{}. Source: {}",
                period(rules.valid_from, rules.valid_to),
                rules.max_companions,
                if rules.entries_equal_exits {
                    "; entries must equal exits each day"
                } else {
                    ""
                },
                rules.source.as_str()
            );
        }
        for set in reference
            .luggage_rules
            .iter()
            .filter(|s| s.crossing == crossing.id)
        {
            println!(
                "  luggage v{} {}: {}. Source: {}",
                set.version,
                period(set.valid_from, set.valid_to),
                set.describe(),
                set.source.as_str()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn set_rules(context: &Context, args: &RulesSetArgs) -> anyhow::Result<ExitCode> {
    let rules = CrossingRules::new(
        CrossingId::parse(&args.crossing).map_err(flag_error)?,
        args.from,
        args.to,
        args.max_companions,
        args.entries_equal_exits,
        Text::parse("source", &args.source, 500).map_err(flag_error)?,
    )
    .map_err(flag_error)?;
    context
        .store
        .add_crossing_rules(&rules, context.now, &context.actor)
        .await?;
    println!(
        "Recorded the rules of {} from {}: at most {} companions per patient{}.",
        rules.crossing,
        rules.valid_from,
        rules.max_companions,
        if rules.entries_equal_exits {
            ", entries equal exits"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

async fn add_luggage_rules(context: &Context, args: &LuggageRulesArgs) -> anyhow::Result<ExitCode> {
    let mut set = LuggageRuleSet::new(
        CrossingId::parse(&args.crossing).map_err(flag_error)?,
        args.version,
        args.from,
        args.to,
        Text::parse("source", &args.source, 500).map_err(flag_error)?,
    )
    .map_err(flag_error)?;
    if let Some(pieces) = args.max_pieces {
        set = set.with_max_pieces(pieces);
    }
    if let Some(weight) = &args.max_weight {
        set = set.with_max_weight_grams(parse_weight_grams(weight).map_err(flag_error)?);
    }
    if let Some(days) = args.max_medication_days {
        set = set.with_max_medication_days(days);
    }
    if let Some(cash) = &args.max_cash {
        let amount = CashAmount::parse(cash).map_err(flag_error)?;
        set = set.with_max_cash(CashLimit {
            currency: amount.currency,
            amount: amount.amount,
        });
    }
    let forbidden = args
        .forbid
        .iter()
        .map(|c| ItemCategory::parse(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(flag_error)?;
    set = set.forbidding(&forbidden);
    context
        .store
        .add_luggage_rule_set(&set, context.now, &context.actor)
        .await?;
    println!(
        "Recorded luggage rules v{} of {} from {}: {}.",
        set.version,
        set.crossing,
        set.valid_from,
        set.describe()
    );
    Ok(ExitCode::SUCCESS)
}

fn declaration(args: &LuggageArgs) -> anyhow::Result<LuggageDeclaration> {
    let pieces = args.pieces.to_string();
    let medication_days = args.medication_days.to_string();
    LuggageDeclaration::parse(&LuggageFields {
        pieces: &pieces,
        weight: &args.weight,
        items: args.items.iter().map(String::as_str).collect(),
        medication_days: &medication_days,
        cash: args.cash.iter().map(String::as_str).collect(),
    })
    .map_err(|error| {
        let flag = match error.field {
            DeclarationField::Pieces => "--pieces",
            DeclarationField::Weight => "--weight",
            DeclarationField::Items => "--item",
            DeclarationField::MedicationDays => "--medication-days",
            DeclarationField::Cash => "--cash",
        };
        match error.line {
            Some(line) => anyhow::anyhow!("{flag} number {line}: {}", error.problem),
            None => anyhow::anyhow!("{flag}: {}", error.problem),
        }
    })
}

fn print_check(
    person: &PersonId,
    checked: Option<(LuggageRuleSet, Vec<Violation>)>,
    on: jiff::civil::Date,
) {
    match checked {
        None => println!("No luggage rules are in force on {on}; nothing to check."),
        Some((set, violations)) if violations.is_empty() => println!(
            "{person}'s luggage keeps the rules in force on {on} ({} v{}: {}).",
            set.crossing,
            set.version,
            set.describe()
        ),
        Some((_, violations)) => {
            println!(
                "{person}'s luggage breaks {} of the rules in force on {on}; it is checked again at the gate:",
                violations.len()
            );
            for violation in violations {
                println!("  {violation}");
            }
        }
    }
}

pub async fn returnees(context: &Context, command: &ReturneesCommand) -> anyhow::Result<ExitCode> {
    let ReturneesCommand::Add(args) = command;
    add_returnee(context, args).await
}

async fn add_returnee(context: &Context, args: &ReturneeAddArgs) -> anyhow::Result<ExitCode> {
    let today = context.today;
    let crossing = CrossingId::parse(&args.crossing).map_err(flag_error)?;
    let person = ReturneeFields {
        id: args.id.as_deref(),
        name: args.name.as_deref(),
        birth_year: &args.birth_year,
        sex: &args.sex,
        returning_from: &args.returning_from,
        legal_basis: &args.legal_basis,
    }
    .parse(today, &mut || rand::random())
    .map_err(|invalid| match invalid.field {
        "returning_from" => anyhow::anyhow!("--from: {}", invalid.problem),
        _ => flag_error(invalid),
    })?;
    let declaration = declaration(&args.luggage)?;
    let id = person.id.clone();
    let case = Case::register(person, context.now, &context.actor);
    context
        .store
        .register_returnee(
            &case,
            &declaration,
            &NewAuditEntry::returnee_registered(&case, &crossing, context.now, &context.actor),
        )
        .await?;
    println!(
        "Registered returnee {id} (listed; submit them for clearance with `corridor clearance submit --direction inbound`)."
    );
    let checked = context
        .store
        .check_luggage_of(&id, &crossing, today)
        .await?;
    print_check(&id, checked, today);
    Ok(ExitCode::SUCCESS)
}

pub async fn luggage(context: &Context, command: &LuggageCommand) -> anyhow::Result<ExitCode> {
    let (person, day) = match command {
        LuggageCommand::Declare(args) => (&args.person, &args.day),
        LuggageCommand::Check(args) => (&args.person, &args.day),
    };
    let person = PersonId::parse(person).map_err(flag_error)?;
    let crossing = CrossingId::parse(&day.crossing).map_err(flag_error)?;
    let on = match &day.date {
        Some(date) => *date,
        None => context.today,
    };
    if let LuggageCommand::Declare(args) = command {
        let declaration = declaration(&args.luggage)?;
        context
            .store
            .declare_luggage(&person, &declaration, context.now, &context.actor)
            .await?;
        println!("Recorded {person}'s luggage declaration.");
    }
    let checked = context
        .store
        .check_luggage_of(&person, &crossing, on)
        .await?;
    let broken = checked.as_ref().is_some_and(|(_, v)| !v.is_empty());
    print_check(&person, checked, on);
    Ok(if broken && matches!(command, LuggageCommand::Check(_)) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
