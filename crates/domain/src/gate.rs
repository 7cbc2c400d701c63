//! The rules of a party at the gate, person by person, as one pure check.
//!
//! The gate records an outcome for a whole party at once (the usual tap)
//! or for one person of it: a companion turned back alone while their
//! patient crosses, a patient who crosses ahead of the companions. Every
//! way of recording or undoing an outcome — a whole party, one person, by
//! the command line, the page or the API — is a [`GateProposal`] checked by
//! [`check_gate`] against the party as it stands ([`GateParty`]). The store
//! loads the party inside its write transaction and writes only when the
//! check returns nothing; the gate page asks the same function which
//! buttons to offer.
//!
//! Outbound, the rules are about who crosses together:
//!
//! - a companion crosses only with or after their patient (they accompany
//!   the patient; a patient turned back or absent takes them back too);
//! - a child patient crosses only with or after a companion who crosses;
//! - a child patient still expected keeps at least one companion who may
//!   still cross with them (the last one is not turned back alone);
//! - a patient is not turned back (or absent) alone while companions are
//!   still expected: that is the whole party's outcome.
//!
//! A proposal is refused for the rules it would break that the party does
//! not already break, so a party left in an unusual state by an earlier
//! change (a companion withdrawn after the day was confirmed) can still be
//! worked, and each refusal names what to do instead.

use std::fmt;

use crate::{Direction, GateOutcome, PersonId, Role};

/// Where a person of a party stands at the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AtGate {
    /// Not recorded yet.
    Expected,
    Crossed,
    TurnedBack,
    NoShow,
    /// Taken off the manifest since it was confirmed (withdrawn, died,
    /// unscheduled by hand, or off with their patient).
    Off,
}

impl AtGate {
    pub fn as_str(self) -> &'static str {
        match self {
            AtGate::Expected => "expected",
            AtGate::Crossed => "crossed",
            AtGate::TurnedBack => "turned-back",
            AtGate::NoShow => "no-show",
            AtGate::Off => "off the manifest",
        }
    }

    /// Whether the person may still cross, or has.
    fn travelling(self) -> bool {
        matches!(self, AtGate::Expected | AtGate::Crossed)
    }
}

impl From<GateOutcome> for AtGate {
    fn from(outcome: GateOutcome) -> AtGate {
        match outcome {
            GateOutcome::Crossed => AtGate::Crossed,
            GateOutcome::TurnedBack => AtGate::TurnedBack,
            GateOutcome::NoShow => AtGate::NoShow,
        }
    }
}

impl fmt::Display for AtGate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person of a party, with the facts the gate's rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateMember {
    pub id: PersonId,
    pub role: Role,
    /// A child on the crossing day.
    pub is_child: bool,
    pub state: AtGate,
}

/// A party on a confirmed manifest as it stands at the gate: a patient
/// with the companions on the manifest with them, or a returnee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateParty {
    pub direction: Direction,
    pub head: GateMember,
    pub companions: Vec<GateMember>,
}

/// What a tap at the gate asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateChange {
    Record(GateOutcome),
    /// Back to expected: the outcome was recorded in error.
    Undo,
}

/// A change for some people of one party (the whole party, or one person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateProposal {
    pub people: Vec<PersonId>,
    pub change: GateChange,
}

/// A rule of the gate that a proposal breaks, with who breaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateBreak {
    /// The person is not on the manifest with this party.
    NotInParty { person: PersonId },
    /// An outcome for someone already recorded (or taken off).
    AlreadyRecorded { person: PersonId, state: AtGate },
    /// An undo for someone with no gate outcome to undo.
    NothingToUndo { person: PersonId, state: AtGate },
    /// A companion who would have crossed while their patient has not.
    CompanionWithoutPatient {
        companion: PersonId,
        patient: PersonId,
        patient_state: AtGate,
    },
    /// A child patient who would have crossed with no companion crossing.
    ChildCrossesAlone { patient: PersonId },
    /// A child patient still expected with no companion left to cross with.
    ChildLeftWithoutCompanion { patient: PersonId },
    /// A patient turned back (or absent) alone, leaving companions expected.
    CompanionsLeftBehind {
        patient: PersonId,
        patient_state: AtGate,
        companions: Vec<PersonId>,
    },
}

impl GateBreak {
    /// The rule broken, as a stable identifier.
    pub fn rule(&self) -> &'static str {
        match self {
            GateBreak::NotInParty { .. } => "in-party",
            GateBreak::AlreadyRecorded { .. } => "expected",
            GateBreak::NothingToUndo { .. } => "undo-recorded",
            GateBreak::CompanionWithoutPatient { .. } => "companion-with-patient",
            GateBreak::ChildCrossesAlone { .. } => "child-crosses-accompanied",
            GateBreak::ChildLeftWithoutCompanion { .. } => "child-keeps-companion",
            GateBreak::CompanionsLeftBehind { .. } => "party-together",
        }
    }
}

impl fmt::Display for GateBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GateBreak::NotInParty { person } => write!(
                f,
                "{person} is not on the manifest in this party; check the person's id"
            ),
            GateBreak::AlreadyRecorded { person, state } => write!(
                f,
                "{person} is already recorded as {state}; undo that outcome first to record another"
            ),
            GateBreak::NothingToUndo { person, state } => {
                write!(f, "{person} is {state}: there is no gate outcome to undo")
            }
            GateBreak::CompanionWithoutPatient {
                companion,
                patient,
                patient_state: AtGate::Expected,
            } => write!(
                f,
                "{companion} accompanies {patient}, who has not crossed: a companion crosses with or after their patient. \
                 Record {patient} crossed first (or the whole party); to undo {patient}'s crossing, undo {companion}'s first"
            ),
            GateBreak::CompanionWithoutPatient {
                companion,
                patient,
                patient_state,
            } => write!(
                f,
                "{companion} cannot cross: {patient}, whom they accompany, is {patient_state}, \
                 and companions do not cross without their patient"
            ),
            GateBreak::ChildCrossesAlone { patient } => write!(
                f,
                "{patient} is a child and crosses only with a companion who crosses too: \
                 record the party crossed together (or undo the whole party)"
            ),
            GateBreak::ChildLeftWithoutCompanion { patient } => write!(
                f,
                "{patient} is a child and would have no companion left to cross with: \
                 record the outcome for the whole party instead"
            ),
            GateBreak::CompanionsLeftBehind {
                patient,
                patient_state,
                companions,
            } => {
                let names: Vec<&str> = companions.iter().map(PersonId::as_str).collect();
                write!(
                    f,
                    "{} travel{} with {patient}, who would be {patient_state}: \
                     record (or undo) the outcome for the whole party",
                    names.join(", "),
                    if names.len() == 1 { "s" } else { "" }
                )
            }
        }
    }
}

impl GateParty {
    /// Everyone in the party: the head first, then the companions.
    pub fn members(&self) -> impl Iterator<Item = &GateMember> {
        std::iter::once(&self.head).chain(&self.companions)
    }

    pub fn member(&self, id: &PersonId) -> Option<&GateMember> {
        self.members().find(|member| &member.id == id)
    }

    /// The people a whole-party outcome applies to: those still expected.
    pub fn expected(&self) -> Vec<PersonId> {
        self.members()
            .filter(|member| member.state == AtGate::Expected)
            .map(|member| member.id.clone())
            .collect()
    }

    /// The party as it would stand after `proposal` (people not in the
    /// party are left out).
    pub fn after(&self, proposal: &GateProposal) -> GateParty {
        let mut next = self.clone();
        let state = match proposal.change {
            GateChange::Record(outcome) => AtGate::from(outcome),
            GateChange::Undo => AtGate::Expected,
        };
        for member in std::iter::once(&mut next.head).chain(&mut next.companions) {
            if proposal.people.contains(&member.id) {
                member.state = state;
            }
        }
        next
    }

    /// Whether `change` for `person` alone keeps every rule: what the gate
    /// page offers on the person's row.
    pub fn allows(&self, person: &PersonId, change: GateChange) -> bool {
        let proposal = GateProposal {
            people: vec![person.clone()],
            change,
        };
        check_gate(self, &proposal).is_empty()
    }

    /// The rules the party breaks as it stands (see the module's notes).
    pub fn breaks(&self) -> Vec<GateBreak> {
        let mut breaks = Vec::new();
        if self.direction != Direction::Outbound || self.head.role != Role::Patient {
            return breaks;
        }
        let patient = &self.head;
        for companion in &self.companions {
            if companion.state == AtGate::Crossed && patient.state != AtGate::Crossed {
                breaks.push(GateBreak::CompanionWithoutPatient {
                    companion: companion.id.clone(),
                    patient: patient.id.clone(),
                    patient_state: patient.state,
                });
            }
        }
        if patient.is_child {
            let crossed = self.companions.iter().any(|c| c.state == AtGate::Crossed);
            if patient.state == AtGate::Crossed && !crossed {
                breaks.push(GateBreak::ChildCrossesAlone {
                    patient: patient.id.clone(),
                });
            }
            let travelling = self.companions.iter().any(|c| c.state.travelling());
            if patient.state == AtGate::Expected && !travelling {
                breaks.push(GateBreak::ChildLeftWithoutCompanion {
                    patient: patient.id.clone(),
                });
            }
        }
        if matches!(patient.state, AtGate::TurnedBack | AtGate::NoShow) {
            let left: Vec<PersonId> = self
                .companions
                .iter()
                .filter(|c| c.state == AtGate::Expected)
                .map(|c| c.id.clone())
                .collect();
            if !left.is_empty() {
                breaks.push(GateBreak::CompanionsLeftBehind {
                    patient: patient.id.clone(),
                    patient_state: patient.state,
                    companions: left,
                });
            }
        }
        breaks
    }
}

/// Every rule `proposal` breaks for `party`, empty when it may be written:
/// the people it names must be in the party and in a state the change
/// applies to (expected for an outcome, recorded for an undo), and the
/// party after it must break no rule it did not break before.
pub fn check_gate(party: &GateParty, proposal: &GateProposal) -> Vec<GateBreak> {
    let mut breaks = Vec::new();
    for person in &proposal.people {
        let Some(member) = party.member(person) else {
            breaks.push(GateBreak::NotInParty {
                person: person.clone(),
            });
            continue;
        };
        let state = member.state;
        match proposal.change {
            GateChange::Record(_) if state != AtGate::Expected => {
                breaks.push(GateBreak::AlreadyRecorded {
                    person: person.clone(),
                    state,
                });
            }
            GateChange::Undo if matches!(state, AtGate::Expected | AtGate::Off) => {
                breaks.push(GateBreak::NothingToUndo {
                    person: person.clone(),
                    state,
                });
            }
            _ => {}
        }
    }
    if !breaks.is_empty() {
        return breaks;
    }
    let before = party.breaks();
    party
        .after(proposal)
        .breaks()
        .into_iter()
        .filter(|rule_break| !before.contains(rule_break))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(text: &str) -> PersonId {
        PersonId::parse(text).unwrap()
    }

    fn member(text: &str, role: Role) -> GateMember {
        GateMember {
            id: id(text),
            role,
            is_child: false,
            state: AtGate::Expected,
        }
    }

    /// A patient (a child or not) with `companions` companions, all expected.
    fn party(child: bool, companions: usize) -> GateParty {
        let mut head = member("P-1", Role::Patient);
        head.is_child = child;
        GateParty {
            direction: Direction::Outbound,
            head,
            companions: (1..=companions)
                .map(|n| member(&format!("C-{n}"), Role::Companion))
                .collect(),
        }
    }

    fn record(people: &[&str], outcome: GateOutcome) -> GateProposal {
        GateProposal {
            people: people.iter().map(|p| id(p)).collect(),
            change: GateChange::Record(outcome),
        }
    }

    fn undo(people: &[&str]) -> GateProposal {
        GateProposal {
            people: people.iter().map(|p| id(p)).collect(),
            change: GateChange::Undo,
        }
    }

    /// The rules broken, as `rule: message`, or the party after.
    fn check(party: &GateParty, proposal: &GateProposal) -> Result<GateParty, Vec<String>> {
        let breaks = check_gate(party, proposal);
        if breaks.is_empty() {
            Ok(party.after(proposal))
        } else {
            Err(breaks
                .iter()
                .map(|b| format!("{}: {b}", b.rule()))
                .collect())
        }
    }

    #[test]
    fn a_companion_of_an_adult_is_turned_back_alone_and_the_patient_crosses() {
        let start = party(false, 2);
        let turned = check(&start, &record(&["C-1"], GateOutcome::TurnedBack)).unwrap();
        let crossed = check(&turned, &record(&["P-1", "C-2"], GateOutcome::Crossed)).unwrap();
        assert_eq!(crossed.head.state, AtGate::Crossed);
        assert_eq!(crossed.companions[0].state, AtGate::TurnedBack);
        assert_eq!(crossed.companions[1].state, AtGate::Crossed);
        // The patient may also go ahead alone, and the companion follow.
        let ahead = check(&turned, &record(&["P-1"], GateOutcome::Crossed)).unwrap();
        assert!(check(&ahead, &record(&["C-2"], GateOutcome::Crossed)).is_ok());
    }

    #[test]
    fn a_child_keeps_a_companion_and_crosses_only_with_one() {
        let start = party(true, 2);
        let turned = check(&start, &record(&["C-1"], GateOutcome::TurnedBack)).unwrap();
        assert_eq!(
            check(&turned, &record(&["C-2"], GateOutcome::TurnedBack)).unwrap_err(),
            [
                "child-keeps-companion: P-1 is a child and would have no companion left to cross with: \
              record the outcome for the whole party instead"
            ]
        );
        assert_eq!(
            check(&turned, &record(&["P-1"], GateOutcome::Crossed)).unwrap_err(),
            [
                "child-crosses-accompanied: P-1 is a child and crosses only with a companion who crosses too: \
              record the party crossed together (or undo the whole party)"
            ]
        );
        let crossed = check(&turned, &record(&["P-1", "C-2"], GateOutcome::Crossed)).unwrap();
        // Undoing the only companion who crossed would leave the child across alone.
        assert_eq!(
            check(&crossed, &undo(&["C-2"])).unwrap_err(),
            [
                "child-crosses-accompanied: P-1 is a child and crosses only with a companion who crosses too: \
              record the party crossed together (or undo the whole party)"
            ]
        );
        assert!(check(&crossed, &undo(&["P-1", "C-2"])).is_ok());
        // The whole party turned back is always allowed.
        assert!(check(&turned, &record(&["P-1", "C-2"], GateOutcome::TurnedBack)).is_ok());
    }

    #[test]
    fn companions_do_not_cross_without_their_patient() {
        let start = party(false, 1);
        assert_eq!(
            check(&start, &record(&["C-1"], GateOutcome::Crossed)).unwrap_err(),
            [
                "companion-with-patient: C-1 accompanies P-1, who has not crossed: a companion crosses \
              with or after their patient. Record P-1 crossed first (or the whole party); to undo \
              P-1's crossing, undo C-1's first"
            ]
        );
        assert_eq!(
            check(&start, &record(&["P-1"], GateOutcome::TurnedBack)).unwrap_err(),
            [
                "party-together: C-1 travels with P-1, who would be turned-back: record (or undo) the \
              outcome for the whole party"
            ]
        );
        let turned = check(&start, &record(&["P-1", "C-1"], GateOutcome::TurnedBack)).unwrap();
        let mut patient_back = turned.clone();
        patient_back.companions[0].state = AtGate::Expected;
        assert_eq!(
            check(&patient_back, &record(&["C-1"], GateOutcome::Crossed)).unwrap_err(),
            [
                "companion-with-patient: C-1 cannot cross: P-1, whom they accompany, is turned-back, \
              and companions do not cross without their patient"
            ]
        );
        // Undoing the companion alone would leave them expected behind a
        // patient turned back; the patient alone is fine for an adult.
        assert_eq!(
            check(&turned, &undo(&["C-1"])).unwrap_err()[0]
                .split(':')
                .next(),
            Some("party-together")
        );
        assert!(check(&turned, &undo(&["P-1"])).is_ok());
    }

    #[test]
    fn only_expected_people_are_recorded_and_only_outcomes_undone() {
        let start = party(false, 1);
        assert_eq!(
            check(&start, &record(&["C-9"], GateOutcome::NoShow)).unwrap_err(),
            ["in-party: C-9 is not on the manifest in this party; check the person's id"]
        );
        assert_eq!(
            check(&start, &undo(&["C-1"])).unwrap_err(),
            ["undo-recorded: C-1 is expected: there is no gate outcome to undo"]
        );
        let crossed = check(&start, &record(&["P-1"], GateOutcome::Crossed)).unwrap();
        assert_eq!(
            check(&crossed, &record(&["P-1"], GateOutcome::TurnedBack)).unwrap_err(),
            [
                "expected: P-1 is already recorded as crossed; undo that outcome first to record another"
            ]
        );
    }

    #[test]
    fn a_party_already_off_the_rules_can_still_be_worked() {
        // The child's only companion was withdrawn after the day was
        // confirmed: the child may still be turned back, never crossed.
        let mut alone = party(true, 1);
        alone.companions[0].state = AtGate::Off;
        assert!(check(&alone, &record(&["P-1"], GateOutcome::TurnedBack)).is_ok());
        assert_eq!(
            check(&alone, &record(&["P-1"], GateOutcome::Crossed))
                .unwrap_err()
                .len(),
            1
        );
    }

    #[test]
    fn returnees_cross_on_their_own() {
        let returnee = GateParty {
            direction: Direction::Inbound,
            head: member("R-1", Role::Returnee),
            companions: Vec::new(),
        };
        assert!(returnee.allows(&id("R-1"), GateChange::Record(GateOutcome::Crossed)));
        assert!(!returnee.allows(&id("R-1"), GateChange::Undo));
    }

    fn any_change() -> impl Strategy<Value = GateChange> {
        prop_oneof![
            Just(GateChange::Record(GateOutcome::Crossed)),
            Just(GateChange::Record(GateOutcome::TurnedBack)),
            Just(GateChange::Record(GateOutcome::NoShow)),
            Just(GateChange::Undo),
        ]
    }

    proptest! {
        /// Whatever the officer taps, for the whole party or one person at
        /// a time, in any order, a child patient never ends up across
        /// without a companion across, and a companion never crosses
        /// without their patient.
        #[test]
        fn no_sequence_of_taps_breaks_the_party_rules(
            child in any::<bool>(),
            companions in 0usize..=3,
            taps in proptest::collection::vec(
                (proptest::collection::vec(0usize..4, 1..=4), any_change()),
                0..24,
            ),
        ) {
            let mut party = party(child, companions);
            let ids: Vec<PersonId> = party.members().map(|m| m.id.clone()).collect();
            for (who, change) in taps {
                let mut people: Vec<PersonId> =
                    who.iter().map(|&n| ids[n % ids.len()].clone()).collect();
                people.dedup();
                let proposal = GateProposal { people, change };
                if check_gate(&party, &proposal).is_empty() {
                    party = party.after(&proposal);
                }
                let crossed = |m: &GateMember| m.state == AtGate::Crossed;
                if party.head.is_child && crossed(&party.head) {
                    prop_assert!(party.companions.iter().any(crossed), "{party:?}");
                }
                if party.companions.iter().any(crossed) {
                    prop_assert!(crossed(&party.head), "{party:?}");
                }
            }
        }
    }
}
