//! Phone numbers of the parties: most patients and returnees have one or
//! two, with whose number it is and the language to use (Arabic for about
//! four in five). Every number is under the reserved country code +999, so
//! no real number is ever dialled or stored.

use corridor_domain::{Case, Language, NewContact, PersonId, PhoneNumber, Role, Text};
use rand::{Rng, RngExt};

/// The share of parties with at least one number, and of those with a
/// second one (another member of the family).
const WITH_A_NUMBER: f64 = 0.85;
const WITH_A_SECOND: f64 = 0.35;
const ARABIC: f64 = 0.8;

const FAMILY: &[&str] = &[
    "mother", "father", "son", "daughter", "brother", "sister", "husband", "wife",
];

/// The contacts of the heads of parties (patients and returnees) among
/// `cases`, in case order.
pub(crate) fn contacts(cases: &[Case], rng: &mut impl Rng) -> Vec<(PersonId, NewContact)> {
    let mut contacts = Vec::new();
    for case in cases {
        let role = case.person.role();
        if role == Role::Companion || !rng.random_bool(WITH_A_NUMBER) {
            continue;
        }
        let language = if rng.random_bool(ARABIC) {
            Language::Arabic
        } else {
            Language::English
        };
        let first = if rng.random_bool(0.5) {
            "patient"
        } else {
            FAMILY[rng.random_range(0..FAMILY.len())]
        };
        let first = if role == Role::Returnee && first == "patient" {
            "returnee"
        } else {
            first
        };
        contacts
            .extend(contact(first, language, rng).map(|contact| (case.person.id.clone(), contact)));
        if rng.random_bool(WITH_A_SECOND) {
            let second = FAMILY[rng.random_range(0..FAMILY.len())];
            contacts.extend(
                contact(second, language, rng).map(|contact| (case.person.id.clone(), contact)),
            );
        }
    }
    contacts
}

/// A number under +999: the demo's reserved country code, then nine digits.
/// (It always parses; a number or label that did not would be left out.)
fn contact(label: &str, language: Language, rng: &mut impl Rng) -> Option<NewContact> {
    let digits: u32 = rng.random_range(100_000_000..1_000_000_000);
    Some(NewContact {
        phone: PhoneNumber::parse(&format!("{}{digits}", PhoneNumber::DEMO_PREFIX)).ok()?,
        label: Text::parse("label", label, NewContact::LABEL_MAX_CHARS).ok()?,
        language,
    })
}
