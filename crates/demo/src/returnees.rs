//! People abroad registered to go back in, their luggage declarations, and
//! the rules Rafah works under since its reopening: at most two companions
//! per patient, entries equal to exits, and the reported luggage rules.

use corridor_domain::{
    Action, BirthYear, Case, CashAmount, CashLimit, CountryCode, CrossingRules, CurrencyCode,
    DeclaredItem, ItemCategory, LegalBasis, LuggageDeclaration, LuggageRuleSet, NewPerson,
    PersonId, PersonKind, PersonName, ReasonKind, Sex, Text,
};
use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::calendar::{Calendar, Day, EventClock};
use crate::names::{FAMILY, FEMALE_GIVEN, MALE_GIVEN};
use crate::people::reason;
use crate::places::{RAFAH, crossing_id};

/// No public figure gives the number registered to return; at the reference
/// size, enough for a few weeks of 50 a day.
const RETURNEES: f64 = 600.0;

const COORDINATOR: &str = "coordinator@medevac.demo";
const CLEARANCE: &str = "clearance@liaison.demo";

const RULES_SOURCE: &str = "Public reporting on the reopening of Rafah, February 2026: \
     at most two companions per patient, and as many entries as exits each day";
const LUGGAGE_SOURCE: &str = "Public reporting on the reopening of Rafah, February 2026: one bag \
     per person; no liquids, metals, electronic devices or cigarettes; at most NIS 2,000 in cash. \
     The 90-day medication limit is a demo assumption: no figure was published";

pub(crate) fn crossing_rules(calendar: &Calendar) -> Vec<CrossingRules> {
    vec![
        CrossingRules::new(
            crossing_id(RAFAH),
            calendar.date(1),
            None,
            2,
            true,
            source(RULES_SOURCE),
        )
        .expect("an open-ended period has no end before its start"),
    ]
}

pub(crate) fn luggage_rules(calendar: &Calendar) -> Vec<LuggageRuleSet> {
    vec![
        LuggageRuleSet::new(
            crossing_id(RAFAH),
            1,
            calendar.date(1),
            None,
            source(LUGGAGE_SOURCE),
        )
        .expect("version 1, open-ended")
        .with_max_pieces(1)
        .forbidding(&[
            ItemCategory::Liquids,
            ItemCategory::Metal,
            ItemCategory::Electronics,
            ItemCategory::Cigarettes,
        ])
        .with_max_medication_days(90)
        .with_max_cash(CashLimit {
            currency: ils(),
            amount: 2_000,
        }),
    ]
}

/// Returnees at every stage before crossing, each with a declaration; a
/// few declarations break the rules, as some will at a real gate.
pub(crate) fn returnees(
    scale: f64,
    calendar: &Calendar,
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<(Case, LuggageDeclaration)> {
    let count = (RETURNEES * scale).round() as usize;
    (1..=count)
        .map(|number| {
            let case = returnee_case(number, calendar, rng);
            let declaration = declaration(rng);
            (case, declaration)
        })
        .collect()
}

fn returnee_case(number: usize, calendar: &Calendar, rng: &mut Xoshiro256PlusPlus) -> Case {
    let today = calendar.date(0);
    let sex = if rng.random_bool(0.5) {
        Sex::Female
    } else {
        Sex::Male
    };
    let given = if sex == Sex::Female {
        FEMALE_GIVEN
    } else {
        MALE_GIVEN
    };
    let name = format!(
        "{} {}",
        given[rng.random_range(0..given.len())],
        FAMILY[rng.random_range(0..FAMILY.len())]
    );
    let age: i16 = if rng.random_bool(0.2) {
        rng.random_range(1..=17)
    } else {
        rng.random_range(18..=75)
    };
    let returning_from = match rng.random_range(0..100) {
        0..80 => "EG",
        80..88 => "QA",
        88..95 => "TR",
        _ => "AE",
    };
    let person = NewPerson {
        id: PersonId::parse(&format!("R-{number:06}"))
            .expect("R- followed by six digits is a valid identifier"),
        name: Some(PersonName::parse(&name).expect("names from the lists are plain text")),
        birth_year: BirthYear::new(today.year() - age, today).expect("ages 1 to 75"),
        sex,
        legal_basis: LegalBasis::Consent,
        kind: PersonKind::Returnee {
            returning_from: CountryCode::parse(returning_from).expect("two-letter codes"),
        },
    };
    let mut clock = EventClock::new();
    let mut minute = |day: Day, rng: &mut Xoshiro256PlusPlus| {
        let spread = rng.random_range(0..180);
        let step = rng.random_range(1..=5);
        calendar.timestamp(clock.minute_on(day, spread, step))
    };
    let latest = calendar.latest_day;
    let registered: Day = (latest - rng.random_range(5..=60)).min(latest);
    let mut case = Case::register(person, minute(registered, rng), COORDINATOR);
    let stage = rng.random_range(0..100);
    if stage >= 35 {
        let requested = (registered + rng.random_range(1..=4)).min(latest);
        apply(
            &mut case,
            Action::RequestClearance,
            minute(requested, rng),
            COORDINATOR,
        );
        if stage >= 50 {
            let decided = (requested + rng.random_range(1..=3)).min(latest);
            let at = minute(decided, rng);
            let action = match stage {
                50..90 => Action::Clear,
                90..93 => Action::Deny {
                    reason: reason(ReasonKind::Denied, "security-objection"),
                },
                93..95 => Action::Deny {
                    reason: reason(ReasonKind::Denied, "no-reason-given"),
                },
                _ => Action::Delay {
                    needed_by: calendar.date(decided),
                    reason: reason(ReasonKind::Delayed, "no-answer"),
                },
            };
            apply(&mut case, action, at, CLEARANCE);
        }
    }
    case
}

fn apply(case: &mut Case, action: Action, at: jiff::Timestamp, actor: &str) {
    case.apply(action, at, actor, None)
        .expect("the returnee's steps follow the status machine");
}

fn declaration(rng: &mut Xoshiro256PlusPlus) -> LuggageDeclaration {
    let item = |text: &str| DeclaredItem::parse(text).expect("fixed item texts parse");
    let mut items = vec![item("3x clothing"), item("documents:passport and papers")];
    let mut medication_days = 0;
    if rng.random_bool(0.3) {
        medication_days = rng.random_range(10..=60);
        items.push(item("medication:prescribed tablets"));
    }
    let mut pieces = 1;
    let mut cash = rng.random_range(0..=15) * 100;
    // About one declaration in twelve breaks a rule.
    match rng.random_range(0..36) {
        0 => pieces = 2,
        1 => items.push(item("electronics:phone")),
        2 => items.push(item("cigarettes:two cartons")),
        _ => {}
    }
    if rng.random_range(0..36) == 0 {
        cash = 3_000;
    }
    LuggageDeclaration {
        pieces,
        weight_grams: rng.random_range(6..=23) * 1_000,
        items,
        medication_days,
        cash: vec![CashAmount {
            currency: ils(),
            amount: cash,
        }],
    }
}

fn ils() -> CurrencyCode {
    CurrencyCode::parse("ILS").expect("ILS is an ISO 4217 code")
}

fn source(value: &str) -> Text {
    Text::parse("source", value, 500).expect("sources are plain text within 500 characters")
}
