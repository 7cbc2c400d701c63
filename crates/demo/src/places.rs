//! The crossings, their quotas, the receiving countries and the fictional
//! receiving facilities of the demo.

use corridor_domain::{
    BedCapacity, Country, CountryCode, Crossing, CrossingId, Direction, Facility, FacilityId,
    Organisation, OrganisationId, OrganisationKind, Quota, QuotaCategory, Specialty, Text,
    WeekdaySet,
};
use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::calendar::Calendar;

pub(crate) const RAFAH: &str = "rafah";
/// Medical evacuations left through Kerem Shalom while Rafah was closed
/// (May 2024 to January 2025, and again from March 2025).
pub(crate) const KEREM_SHALOM: &str = "kerem-shalom";
/// A demo assumption: the seed articles name no operating days.
pub(crate) const OPERATING_DAYS: &str = "sun,mon,tue,wed,thu";
pub(crate) const EVACUEES_PER_DAY: u32 = 50;
pub(crate) const RETURNEES_PER_DAY: u32 = 50;

pub(crate) fn crossing_id(id: &str) -> CrossingId {
    CrossingId::parse(id).expect("crossing ids in this module are valid identifiers")
}

pub(crate) fn operating_days() -> WeekdaySet {
    WeekdaySet::parse(OPERATING_DAYS).expect("OPERATING_DAYS names valid days")
}

pub(crate) fn text(field: &'static str, value: &str) -> Text {
    Text::parse(field, value, 200).expect("demo literals are short, non-empty plain text")
}

/// The referring facilities of the demo (id, name): the hospitals that
/// public reporting names as referring patients.
pub(crate) const REFERRING_FACILITIES: &[(&str, &str)] = &[
    ("nasser-medical-complex", "Nasser Medical Complex"),
    ("al-aqsa-martyrs-hospital", "Al-Aqsa Martyrs Hospital"),
    ("european-gaza-hospital", "European Gaza Hospital"),
    ("al-ahli-arab-hospital", "Al-Ahli Arab Hospital"),
    ("al-shifa-medical-complex", "Al-Shifa Medical Complex"),
    ("al-awda-hospital", "Al-Awda Hospital"),
];

/// The agencies on the receiving side of the demo: the aid agencies whose
/// trucks the pipeline follows, and the medical liaisons.
const RECEIVING_AGENCIES: &[(&str, &str)] = &[
    ("wfp", "WFP"),
    ("unicef", "UNICEF"),
    ("unrwa", "UNRWA"),
    ("who", "WHO"),
    ("egyptian-red-crescent", "Egyptian Red Crescent"),
    ("iom", "IOM"),
    ("unhcr", "UNHCR"),
];

/// Every organisation of the demo: referring facilities, receiving
/// agencies and the medevac coordination cell.
pub(crate) fn organisations() -> Vec<Organisation> {
    let organisation = |(id, name): &(&str, &str), kind| Organisation {
        id: OrganisationId::parse("id", id).expect("demo organisation ids are valid"),
        name: text("name", name),
        kind,
    };
    REFERRING_FACILITIES
        .iter()
        .map(|entry| organisation(entry, OrganisationKind::ReferringFacility))
        .chain(
            RECEIVING_AGENCIES
                .iter()
                .map(|entry| organisation(entry, OrganisationKind::ReceivingAgency)),
        )
        .chain(std::iter::once(organisation(
            &("medevac-cell", "Medevac coordination cell (demo)"),
            OrganisationKind::CoordinationCell,
        )))
        .collect()
}

pub(crate) fn crossings() -> Vec<Crossing> {
    vec![
        Crossing {
            id: crossing_id(RAFAH),
            name: text("name", "Rafah"),
            directions: vec![Direction::Outbound, Direction::Inbound],
            operating_days: operating_days(),
        },
        Crossing {
            id: crossing_id(KEREM_SHALOM),
            name: text("name", "Kerem Shalom"),
            directions: vec![Direction::Outbound],
            operating_days: operating_days(),
        },
    ]
}

/// Rafah's announced quotas, from the day after `today` (2026-02-02 in the
/// default configuration, the announced reopening) until further notice.
pub(crate) fn quotas(calendar: &Calendar) -> Vec<Quota> {
    let opening = calendar.date(1);
    let open_ended = |direction, category, per_day| {
        Quota::new(
            crossing_id(RAFAH),
            direction,
            category,
            per_day,
            opening,
            None,
        )
        .expect("an open-ended quota has no end that could precede its start")
    };
    vec![
        open_ended(
            Direction::Outbound,
            QuotaCategory::Evacuees,
            EVACUEES_PER_DAY,
        ),
        open_ended(
            Direction::Inbound,
            QuotaCategory::Returnees,
            RETURNEES_PER_DAY,
        ),
    ]
}

/// Receiving countries: code, name, open, and the relative share of
/// evacuees each received (most went to Egypt, the UAE, Qatar and Türkiye).
const COUNTRIES: &[(&str, &str, bool, u32)] = &[
    ("EG", "Egypt", true, 50),
    ("AE", "United Arab Emirates", true, 15),
    ("QA", "Qatar", true, 10),
    ("TR", "Türkiye", true, 12),
    ("JO", "Jordan", true, 6),
    ("IT", "Italy", true, 3),
    ("NO", "Norway", true, 1),
    ("ES", "Spain", true, 2),
    ("FR", "France", true, 1),
    // Closed by policy in the demo, so that the planner has a closed
    // destination to skip.
    ("DE", "Germany", false, 0),
];

pub(crate) fn countries() -> Vec<Country> {
    COUNTRIES
        .iter()
        .map(|&(code, name, open, _)| Country {
            code: CountryCode::parse(code).expect("COUNTRIES holds two-letter codes"),
            name: text("name", name),
            open,
        })
        .collect()
}

pub(crate) fn country_share(code: &CountryCode) -> u32 {
    COUNTRIES
        .iter()
        .find(|(candidate, ..)| *candidate == code.as_str())
        .map_or(0, |&(.., share)| share)
}

struct FacilitySpec {
    id: &'static str,
    name: &'static str,
    country: &'static str,
    requires_return_guarantee: bool,
    open: bool,
    specialties: &'static [Specialty],
}

const fn facility(
    id: &'static str,
    name: &'static str,
    country: &'static str,
    requires_return_guarantee: bool,
    open: bool,
    specialties: &'static [Specialty],
) -> FacilitySpec {
    FacilitySpec {
        id,
        name,
        country,
        requires_return_guarantee,
        open,
        specialties,
    }
}

use Specialty as S;

#[rustfmt::skip]
/// Fictional facilities. Every specialty has at least one open facility in
/// an open country that needs no return guarantee, so every evacuee can be
/// admitted somewhere.
const FACILITIES: &[FacilitySpec] = &[
    facility("eg-north-sinai", "North Sinai General Hospital (demo)", "EG", false, true,
        &[S::Orthopaedics, S::GeneralSurgery, S::BurnsPlastic, S::Paediatrics, S::Rehabilitation]),
    facility("eg-ismailia", "Ismailia Referral Hospital (demo)", "EG", false, true,
        &[S::Orthopaedics, S::Neurosurgery, S::Ophthalmology, S::Nephrology]),
    facility("eg-cairo-oncology", "Cairo Oncology Institute (demo)", "EG", false, true,
        &[S::Oncology, S::Haematology]),
    facility("eg-cairo-heart", "Cairo Heart Centre (demo)", "EG", false, true,
        &[S::CardiacSurgery, S::Cardiology, S::Paediatrics]),
    facility("eg-alexandria", "Alexandria University Hospital (demo)", "EG", false, true,
        &[S::Oncology, S::Nephrology, S::Neurosurgery, S::GeneralSurgery]),
    facility("eg-arish-field", "Al-Arish Field Hospital (demo)", "EG", false, false,
        &[S::Orthopaedics, S::GeneralSurgery]),
    facility("ae-abu-dhabi", "Abu Dhabi Specialist Hospital (demo)", "AE", false, true,
        &[S::Oncology, S::Haematology, S::CardiacSurgery, S::Neurosurgery]),
    facility("ae-dubai-children", "Dubai Children's Hospital (demo)", "AE", false, true,
        &[S::Paediatrics, S::CardiacSurgery, S::Haematology, S::BurnsPlastic]),
    facility("ae-al-ain-rehab", "Al Ain Rehabilitation Centre (demo)", "AE", false, true,
        &[S::Rehabilitation, S::Orthopaedics]),
    facility("qa-doha-medical", "Doha Medical City (demo)", "QA", false, true,
        &[S::Orthopaedics, S::Neurosurgery, S::Ophthalmology, S::BurnsPlastic]),
    facility("qa-doha-cancer", "Doha Cancer Institute (demo)", "QA", false, true,
        &[S::Oncology, S::Haematology]),
    facility("tr-ankara", "Ankara Training Hospital (demo)", "TR", false, true,
        &[S::Oncology, S::Orthopaedics, S::Nephrology, S::Cardiology]),
    facility("tr-istanbul-trauma", "Istanbul Trauma Centre (demo)", "TR", false, true,
        &[S::Orthopaedics, S::Neurosurgery, S::BurnsPlastic, S::Rehabilitation]),
    facility("tr-izmir-children", "Izmir Children's Hospital (demo)", "TR", false, false,
        &[S::Paediatrics, S::CardiacSurgery]),
    facility("jo-amman-field", "Amman Field Hospital (demo)", "JO", false, true,
        &[S::Orthopaedics, S::GeneralSurgery, S::BurnsPlastic]),
    facility("jo-amman-specialist", "Amman Specialist Hospital (demo)", "JO", false, true,
        &[S::Oncology, S::Haematology, S::Nephrology, S::Ophthalmology]),
    facility("it-rome-children", "Rome Children's Hospital (demo)", "IT", true, true,
        &[S::Paediatrics, S::Oncology, S::CardiacSurgery]),
    facility("it-milan-burns", "Milan Burns Centre (demo)", "IT", true, true,
        &[S::BurnsPlastic, S::Rehabilitation]),
    facility("no-oslo", "Oslo University Clinic (demo)", "NO", true, true,
        &[S::Oncology, S::Orthopaedics, S::Ophthalmology]),
    facility("es-madrid", "Madrid General Hospital (demo)", "ES", true, true,
        &[S::Orthopaedics, S::Neurosurgery, S::Rehabilitation]),
    facility("fr-lyon", "Lyon Cancer Centre (demo)", "FR", true, true,
        &[S::Oncology, S::Haematology]),
    facility("de-berlin", "Berlin Trauma Clinic (demo)", "DE", false, true,
        &[S::Orthopaedics, S::Neurosurgery]),
];

/// The facilities, each with beds per specialty over a period around
/// `today`: from a few weeks before to a few months after.
pub(crate) fn facilities(calendar: &Calendar, rng: &mut Xoshiro256PlusPlus) -> Vec<Facility> {
    FACILITIES
        .iter()
        .map(|spec| {
            let beds = spec
                .specialties
                .iter()
                .map(|&specialty| {
                    let from = calendar.date(-rng.random_range(7..=28));
                    let to = calendar.date(rng.random_range(30..=120));
                    BedCapacity::new(specialty, rng.random_range(2..=16), from, to)
                        .expect("the period starts before today and ends after it")
                })
                .collect();
            Facility {
                id: FacilityId::parse(spec.id).expect("FACILITIES holds valid identifiers"),
                name: text("name", spec.name),
                country: CountryCode::parse(spec.country)
                    .expect("FACILITIES holds two-letter codes"),
                requires_return_guarantee: spec.requires_return_guarantee,
                open: spec.open,
                beds,
            }
        })
        .collect()
}
