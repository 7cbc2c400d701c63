//! The rules a crossing day's manifest must keep, as one pure check.
//!
//! The planner proposes a manifest and the store confirms one; both keep
//! the same rules because both call [`check_manifest`] with the day's
//! [`DayRules`] and the manifest as proposed. What needs the registry as it
//! is at the moment of writing — each person still cleared, a bed still free
//! at an open facility — is checked by the store as it writes.

use std::collections::HashSet;
use std::fmt;

use jiff::civil::Date;

use crate::{CrossingId, CrossingRules, Direction, FacilityId, PersonId, Role};

/// A limit on the day's places lower than the quota, with the rule it comes
/// from (entries must equal exits), stated so that a plan can quote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCap {
    pub places: u32,
    pub reason: String,
}

/// What limits a manifest of one crossing day in one direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayRules {
    pub crossing: CrossingId,
    pub date: Date,
    pub direction: Direction,
    /// Places in the quota in force ([`crate::Quota::in_force`]).
    pub quota: u32,
    pub cap: Option<DayCap>,
    /// Companions who may travel with one patient.
    pub max_companions: u32,
}

impl DayRules {
    /// The companions a patient may bring under the crossing rules in force
    /// (`None` where no period is recorded: then only the quota limits them).
    pub fn companions_allowed(rules: Option<&CrossingRules>) -> u32 {
        rules.map_or(CrossingRules::UNRESTRICTED_COMPANIONS, |rules| {
            rules.max_companions
        })
    }

    /// The places of the day: the quota, or the cap when it is lower.
    pub fn places(&self) -> u32 {
        match &self.cap {
            Some(cap) => cap.places.min(self.quota),
            None => self.quota,
        }
    }

    /// The cap, when it is what limits the day (lower than the quota).
    pub fn binding_cap(&self) -> Option<&DayCap> {
        self.cap.as_ref().filter(|cap| cap.places < self.quota)
    }
}

/// A person on a proposed manifest, with the facts the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedPerson {
    pub id: PersonId,
    pub role: Role,
    /// A child on the day of crossing.
    pub is_child: bool,
    /// The patient a companion accompanies.
    pub companion_of: Option<PersonId>,
}

/// A patient with the companions who travel with them, or a returnee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedParty {
    pub head: ProposedPerson,
    pub companions: Vec<ProposedPerson>,
    /// Where an outbound patient is received.
    pub facility: Option<FacilityId>,
}

impl ProposedParty {
    pub fn people(&self) -> usize {
        1 + self.companions.len()
    }
}

/// A rule a proposed manifest breaks, with who breaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleBreak {
    /// More people than places: the quota, or the cap when lower.
    OverPlaces {
        people: usize,
        places: u32,
        cap: Option<DayCap>,
    },
    /// Someone who does not head a party in this direction: a returnee on an
    /// outbound manifest, a patient inbound, a companion on their own.
    WrongParty { person: PersonId, role: Role },
    /// More companions than a patient may bring.
    TooManyCompanions {
        patient: PersonId,
        companions: usize,
        limit: u32,
    },
    /// A companion listed with a patient they do not accompany.
    NotTheirCompanion {
        companion: PersonId,
        patient: PersonId,
    },
    /// A child patient with no companion.
    ChildAlone { patient: PersonId },
    /// An outbound patient with no receiving facility.
    NoFacility { patient: PersonId },
    /// The same person twice on the manifest.
    ListedTwice { person: PersonId },
}

impl RuleBreak {
    /// The rule broken, as a stable identifier.
    pub fn rule(&self) -> &'static str {
        match self {
            RuleBreak::OverPlaces { .. } => "places",
            RuleBreak::WrongParty { .. } => "party",
            RuleBreak::TooManyCompanions { .. } => "companion-limit",
            RuleBreak::NotTheirCompanion { .. } => "own-companions",
            RuleBreak::ChildAlone { .. } => "child-accompanied",
            RuleBreak::NoFacility { .. } => "receiving-facility",
            RuleBreak::ListedTwice { .. } => "listed-once",
        }
    }
}

/// The manifest a rule break is about, for its message.
pub struct InDay<'a>(pub &'a DayRules, pub &'a RuleBreak);

impl fmt::Display for InDay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let InDay(day, rule_break) = self;
        let (crossing, on, direction) = (&day.crossing, day.date, day.direction);
        match rule_break {
            RuleBreak::OverPlaces {
                people,
                places,
                cap,
            } => {
                write!(
                    f,
                    "the plan has {people} people but {crossing} has {places} places {direction} on {on}"
                )?;
                match cap {
                    Some(cap) => write!(f, " ({})", cap.reason),
                    None => Ok(()),
                }
            }
            RuleBreak::WrongParty { person, role } => write!(
                f,
                "{person} is a {role}; a {direction} manifest lists {}",
                match direction {
                    Direction::Outbound => "patients, each with their companions",
                    Direction::Inbound => "returnees",
                }
            ),
            RuleBreak::TooManyCompanions {
                patient,
                companions,
                limit,
            } => write!(
                f,
                "{patient} brings {companions} companions; {crossing} allows at most {limit} per patient on {on}"
            ),
            RuleBreak::NotTheirCompanion { companion, patient } => write!(
                f,
                "{companion} does not accompany {patient}; companions travel only with their own patient"
            ),
            RuleBreak::ChildAlone { patient } => write!(
                f,
                "{patient} is a child and cannot travel without a cleared companion"
            ),
            RuleBreak::NoFacility { patient } => {
                write!(f, "{patient} has no receiving facility in the plan")
            }
            RuleBreak::ListedTwice { person } => {
                write!(f, "{person} is on the manifest twice")
            }
        }
    }
}

/// Every rule the proposed manifest breaks, in the order of the parties
/// (the places last); empty when it keeps them all.
pub fn check_manifest(day: &DayRules, parties: &[ProposedParty]) -> Vec<RuleBreak> {
    let mut breaks = Vec::new();
    let mut seen: HashSet<&PersonId> = HashSet::new();
    for party in parties {
        let head = &party.head;
        for person in std::iter::once(head).chain(&party.companions) {
            if !seen.insert(&person.id) {
                breaks.push(RuleBreak::ListedTwice {
                    person: person.id.clone(),
                });
            }
        }
        let heads_a_party = match day.direction {
            Direction::Outbound => head.role == Role::Patient,
            Direction::Inbound => head.role == Role::Returnee,
        };
        if !heads_a_party {
            breaks.push(RuleBreak::WrongParty {
                person: head.id.clone(),
                role: head.role,
            });
            continue;
        }
        if party.companions.len() > day.max_companions as usize {
            breaks.push(RuleBreak::TooManyCompanions {
                patient: head.id.clone(),
                companions: party.companions.len(),
                limit: day.max_companions,
            });
        }
        for companion in &party.companions {
            if companion.role != Role::Companion
                || companion.companion_of.as_ref() != Some(&head.id)
            {
                breaks.push(RuleBreak::NotTheirCompanion {
                    companion: companion.id.clone(),
                    patient: head.id.clone(),
                });
            }
        }
        if head.role == Role::Patient && head.is_child && party.companions.is_empty() {
            breaks.push(RuleBreak::ChildAlone {
                patient: head.id.clone(),
            });
        }
        if head.role == Role::Patient && party.facility.is_none() {
            breaks.push(RuleBreak::NoFacility {
                patient: head.id.clone(),
            });
        }
    }
    let people: usize = parties.iter().map(ProposedParty::people).sum();
    if people > day.places() as usize {
        breaks.push(RuleBreak::OverPlaces {
            people,
            places: day.places(),
            cap: day.binding_cap().cloned(),
        });
    }
    breaks
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn id(text: &str) -> PersonId {
        PersonId::parse(text).unwrap()
    }

    fn person(text: &str, role: Role, of: Option<&str>) -> ProposedPerson {
        ProposedPerson {
            id: id(text),
            role,
            is_child: false,
            companion_of: of.map(id),
        }
    }

    fn rules(quota: u32, cap: Option<u32>) -> DayRules {
        DayRules {
            crossing: CrossingId::parse("rafah").unwrap(),
            date: date(2026, 2, 2),
            direction: Direction::Outbound,
            quota,
            cap: cap.map(|places| DayCap {
                places,
                reason: "entries must equal exits".to_string(),
            }),
            max_companions: 1,
        }
    }

    fn party(head: &str, companions: &[&str]) -> ProposedParty {
        ProposedParty {
            head: person(head, Role::Patient, None),
            companions: companions
                .iter()
                .map(|c| person(c, Role::Companion, Some(head)))
                .collect(),
            facility: Some(FacilityId::parse("eg-arish").unwrap()),
        }
    }

    fn named(day: &DayRules, parties: &[ProposedParty]) -> Vec<String> {
        check_manifest(day, parties)
            .iter()
            .map(|b| format!("{}: {}", b.rule(), InDay(day, b)))
            .collect()
    }

    #[test]
    fn a_manifest_within_the_rules_breaks_none() {
        let day = rules(3, None);
        assert!(check_manifest(&day, &[party("P-1", &["C-1"]), party("P-2", &[])]).is_empty());
        assert!(check_manifest(&day, &[]).is_empty());
    }

    #[test]
    fn every_break_is_named_with_the_rule_and_the_person() {
        let day = rules(10, Some(3));
        let mut child = party("P-3", &[]);
        child.head.is_child = true;
        let mut no_bed = party("P-4", &[]);
        no_bed.facility = None;
        let mut stranger = party("P-5", &[]);
        stranger
            .companions
            .push(person("C-9", Role::Companion, Some("P-1")));
        let returnee = ProposedParty {
            head: person("R-1", Role::Returnee, None),
            companions: Vec::new(),
            facility: None,
        };
        assert_eq!(
            named(
                &day,
                &[
                    party("P-1", &["C-1", "C-2"]),
                    child,
                    no_bed,
                    stranger,
                    returnee,
                    party("P-1", &[]),
                ]
            ),
            [
                "companion-limit: P-1 brings 2 companions; rafah allows at most 1 per patient on 2026-02-02",
                "child-accompanied: P-3 is a child and cannot travel without a cleared companion",
                "receiving-facility: P-4 has no receiving facility in the plan",
                "own-companions: C-9 does not accompany P-5; companions travel only with their own patient",
                "party: R-1 is a returnee; a outbound manifest lists patients, each with their companions",
                "listed-once: P-1 is on the manifest twice",
                "places: the plan has 9 people but rafah has 3 places outbound on 2026-02-02 (entries must equal exits)",
            ]
        );
    }

    #[test]
    fn the_places_are_the_quota_or_a_lower_cap() {
        assert_eq!(rules(5, None).places(), 5);
        assert_eq!(rules(5, Some(2)).places(), 2);
        assert_eq!(rules(5, Some(9)).places(), 5);
        assert!(rules(5, Some(9)).binding_cap().is_none());
        let over = check_manifest(
            &rules(2, Some(9)),
            &[party("P-1", &["C-1"]), party("P-2", &[])],
        );
        assert_eq!(
            over,
            [RuleBreak::OverPlaces {
                people: 3,
                places: 2,
                cap: None
            }]
        );
    }
}
