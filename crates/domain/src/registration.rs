//! Registering a patient with their companions: from the facts as a form or
//! the command line gives them (text) to the people to register, with every
//! rule that a registration must keep.

use jiff::civil::Date;

use crate::{
    Action, BirthYear, ConditionCategory, CountryCode, InvalidValue, LegalBasis, NewPerson,
    OrganisationId, PersonId, PersonKind, PersonName, ReasonKind, Referral, ReferralDate,
    Relationship, Sex, Specialty, Status, StatusEvent, StatusLine, Text, Tier,
    unaccompanied_children,
};

/// The facts of a patient's referral as typed. Optional facts are `None`
/// when not given (an empty text is given, and refused where it matters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatientFields<'a> {
    /// A chosen id; `None` to generate one.
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub birth_year: &'a str,
    pub sex: &'a str,
    pub condition: &'a str,
    pub specialty: &'a str,
    pub tier: &'a str,
    /// `None` for today.
    pub referral_date: Option<&'a str>,
    /// The id of a registered organisation.
    pub referring_facility: &'a str,
    pub return_guarantee: bool,
    pub legal_basis: &'a str,
}

/// The facts of one companion as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompanionFields<'a> {
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub relationship: &'a str,
    pub birth_year: &'a str,
    pub sex: &'a str,
    /// `None` for the patient's.
    pub legal_basis: Option<&'a str>,
}

/// The facts of a returnee (someone abroad going back in) as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturneeFields<'a> {
    /// A chosen id; `None` to generate one.
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub birth_year: &'a str,
    pub sex: &'a str,
    /// The two-letter code of the country they return from.
    pub returning_from: &'a str,
    pub legal_basis: &'a str,
}

impl ReturneeFields<'_> {
    /// The returnee to register, the one way the CLI and the web read
    /// them. Without a chosen id they get a generated `R-` one.
    pub fn parse(
        &self,
        today: Date,
        random: &mut dyn FnMut() -> u64,
    ) -> Result<NewPerson, InvalidValue> {
        Ok(NewPerson {
            id: match self.id {
                Some(id) => PersonId::parse(id)?,
                None => PersonId::generate('R', random()),
            },
            name: self.name.map(PersonName::parse).transpose()?,
            birth_year: BirthYear::parse(self.birth_year, today)?,
            sex: Sex::parse(self.sex)?,
            legal_basis: LegalBasis::parse(self.legal_basis)?,
            kind: PersonKind::Returnee {
                returning_from: CountryCode::parse(self.returning_from)
                    .map_err(|invalid| InvalidValue::new("returning_from", invalid.problem))?,
            },
        })
    }
}

/// Why a registration is refused. Each says which fact is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    #[error("{0}")]
    Patient(InvalidValue),
    /// `index` counts from 0.
    #[error("companion {}: {invalid}", .index + 1)]
    Companion { index: usize, invalid: InvalidValue },
    #[error(
        "the patient is a child (born {born}), and a child is never registered alone: add a companion"
    )]
    ChildAlone { born: i16 },
}

/// A patient and their companions, checked and ready to register together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub patient: NewPerson,
    pub companions: Vec<NewPerson>,
}

impl Registration {
    /// Parses every fact and checks the rule of a registration that needs
    /// nothing but the facts: a child patient has a companion. The number
    /// of companions the crossing rules allow is the store's check, made
    /// for every way people are registered. People without a chosen id get
    /// a generated one, from `random` bits.
    pub fn parse(
        patient: &PatientFields<'_>,
        companions: &[CompanionFields<'_>],
        today: Date,
        random: &mut dyn FnMut() -> u64,
    ) -> Result<Registration, RegistrationError> {
        let patient = parse_patient(patient, today, random).map_err(RegistrationError::Patient)?;
        let companions = companions
            .iter()
            .enumerate()
            .map(|(index, fields)| {
                parse_companion(fields, &patient, today, random)
                    .map_err(|invalid| RegistrationError::Companion { index, invalid })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let registration = Registration {
            patient,
            companions,
        };
        if !unaccompanied_children(&registration.people(), today).is_empty() {
            return Err(RegistrationError::ChildAlone {
                born: registration.patient.birth_year.year(),
            });
        }
        Ok(registration)
    }

    /// The patient first, then the companions.
    pub fn people(&self) -> Vec<NewPerson> {
        std::iter::once(self.patient.clone())
            .chain(self.companions.iter().cloned())
            .collect()
    }
}

/// The longest reason a replacement may give.
pub const REPLACEMENT_REASON_MAX_CHARS: usize = 500;

/// A companion who cannot travel, replaced by another family member: the
/// new companion to register for the same patient, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub patient: PersonId,
    /// The companion replaced; their record and history stay.
    pub replaced: PersonId,
    /// The new companion, who starts `listed` and needs clearance.
    pub companion: NewPerson,
    /// Why, in the coordinator's words; it stays in the replaced
    /// companion's history.
    pub reason: Text,
}

impl Replacement {
    /// Parses a replacement as a form or the command line gives it, the
    /// one way both read it. The new companion takes the patient's legal
    /// basis unless another is given, and a generated `C-` id.
    pub fn parse(
        patient: &NewPerson,
        replaced: &str,
        fields: &CompanionFields<'_>,
        reason: &str,
        today: Date,
        random: &mut dyn FnMut() -> u64,
    ) -> Result<Replacement, InvalidValue> {
        let replaced = PersonId::parse(replaced.trim())
            .map_err(|invalid| InvalidValue::new("companion", invalid.problem))?;
        let companion = parse_companion(fields, patient, today, random)?;
        if reason.trim().is_empty() {
            return Err(InvalidValue::new(
                "reason",
                "say why the companion is replaced, e.g. \"denied clearance; her sister travels instead\"",
            ));
        }
        let reason = Text::parse("reason", reason, REPLACEMENT_REASON_MAX_CHARS)?;
        Ok(Replacement {
            patient: patient.id.clone(),
            replaced,
            companion,
            reason,
        })
    }
}

/// Whether a companion may be replaced: only one who cannot travel —
/// denied clearance, turned back at the gate (back to `cleared` by a
/// turn-back), withdrawn, or died. `last` is the last event of their
/// history. The error says why not, for the coordinator.
pub fn check_replaceable(line: &StatusLine, last: Option<&StatusEvent>) -> Result<(), String> {
    let turned_back = line.status == Status::Cleared
        && last
            .and_then(|event| event.action.as_ref())
            .and_then(Action::reason)
            .is_some_and(|reason| reason.kind == ReasonKind::TurnedBack);
    let cannot_travel = matches!(
        line.status,
        Status::Denied | Status::Withdrawn | Status::DiedWhileWaiting
    );
    if turned_back || cannot_travel {
        return Ok(());
    }
    Err(format!(
        "the companion is {}; only a companion who cannot travel is replaced: denied clearance, \
         turned back at the gate, withdrawn or died",
        line.status
    ))
}

fn parse_patient(
    fields: &PatientFields<'_>,
    today: Date,
    random: &mut dyn FnMut() -> u64,
) -> Result<NewPerson, InvalidValue> {
    let referral_date = match fields.referral_date {
        Some(text) => ReferralDate::parse(text, today),
        None => ReferralDate::new(today, today),
    }?;
    Ok(NewPerson {
        id: match fields.id {
            Some(id) => PersonId::parse(id)?,
            None => PersonId::generate('P', random()),
        },
        name: fields.name.map(PersonName::parse).transpose()?,
        birth_year: BirthYear::parse(fields.birth_year, today)?,
        sex: Sex::parse(fields.sex)?,
        legal_basis: LegalBasis::parse(fields.legal_basis)?,
        kind: PersonKind::Patient(Referral {
            condition: ConditionCategory::parse(fields.condition)?,
            specialty: Specialty::parse(fields.specialty)?,
            tier: Tier::parse(fields.tier)?,
            referral_date,
            referring_facility: OrganisationId::parse(
                "referring_facility",
                fields.referring_facility,
            )?,
            return_guarantee: fields.return_guarantee,
        }),
    })
}

fn parse_companion(
    fields: &CompanionFields<'_>,
    patient: &NewPerson,
    today: Date,
    random: &mut dyn FnMut() -> u64,
) -> Result<NewPerson, InvalidValue> {
    Ok(NewPerson {
        id: match fields.id {
            Some(id) => PersonId::parse(id)?,
            None => PersonId::generate('C', random()),
        },
        name: fields.name.map(PersonName::parse).transpose()?,
        birth_year: BirthYear::parse(fields.birth_year, today)?,
        sex: Sex::parse(fields.sex)?,
        legal_basis: match fields.legal_basis {
            Some(basis) => LegalBasis::parse(basis)?,
            None => patient.legal_basis,
        },
        kind: PersonKind::Companion {
            of: patient.id.clone(),
            relationship: Relationship::parse(fields.relationship)?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 2, 1);

    fn patient(birth_year: &str) -> PatientFields<'_> {
        PatientFields {
            id: None,
            name: None,
            birth_year,
            sex: "female",
            condition: "cancer",
            specialty: "oncology",
            tier: "urgent",
            referral_date: Some("2026-01-10"),
            referring_facility: "nasser-medical-complex",
            return_guarantee: true,
            legal_basis: "consent",
        }
    }

    const PARENT: CompanionFields<'static> = CompanionFields {
        id: None,
        name: Some("Amal"),
        relationship: "parent",
        birth_year: "1985",
        sex: "female",
        legal_basis: None,
    };

    fn counter() -> impl FnMut() -> u64 {
        let mut next = 0u64;
        move || {
            next += 1;
            next
        }
    }

    #[test]
    fn a_patient_and_companions_get_ids_and_the_patients_legal_basis() {
        let registration =
            Registration::parse(&patient("2015"), &[PARENT], TODAY, &mut counter()).unwrap();
        assert_eq!(registration.patient.id.as_str(), "P-32222222");
        let companion = &registration.companions[0];
        assert_eq!(companion.id.as_str(), "C-42222222");
        assert_eq!(companion.companion_of(), Some(&registration.patient.id));
        assert_eq!(companion.legal_basis, LegalBasis::Consent);
        assert_eq!(registration.people().len(), 2);
    }

    #[test]
    fn every_refusal_names_what_is_at_fault() {
        let check = |result: Result<Registration, RegistrationError>, expected: &str| {
            assert_eq!(result.unwrap_err().to_string(), expected);
        };
        check(
            Registration::parse(&patient("1850"), &[], TODAY, &mut counter()),
            "birth_year: 1850 is out of range; expected 1900 to 2026",
        );
        check(
            Registration::parse(&patient("2015"), &[], TODAY, &mut counter()),
            "the patient is a child (born 2015), and a child is never registered alone: add a companion",
        );
        let cousin = CompanionFields {
            relationship: "cousin",
            ..PARENT
        };
        let error = Registration::parse(&patient("1960"), &[PARENT, cousin], TODAY, &mut counter())
            .unwrap_err();
        assert!(matches!(
            &error,
            RegistrationError::Companion { index: 1, invalid } if invalid.field == "relationship"
        ));
        let mut future = patient("1960");
        future.referral_date = Some("2026-02-02");
        check(
            Registration::parse(&future, &[], TODAY, &mut counter()),
            "referral_date: 2026-02-02 is in the future (today is 2026-02-01)",
        );
    }

    #[test]
    fn a_replacement_is_a_new_companion_of_the_same_patient_with_a_reason() {
        let registration =
            Registration::parse(&patient("2015"), &[PARENT], TODAY, &mut counter()).unwrap();
        let sister = CompanionFields {
            name: Some("Huda"),
            relationship: "sibling",
            birth_year: "1990",
            ..PARENT
        };
        let old = registration.companions[0].id.to_string();
        let replacement = Replacement::parse(
            &registration.patient,
            &old,
            &sister,
            "denied clearance; her sister travels instead",
            TODAY,
            &mut || 7,
        )
        .unwrap();
        assert_eq!(replacement.patient, registration.patient.id);
        assert_eq!(replacement.replaced.as_str(), old);
        assert_eq!(
            replacement.companion.companion_of(),
            Some(&registration.patient.id)
        );
        assert!(replacement.companion.id.as_str().starts_with("C-"));
        assert_eq!(
            replacement.companion.name.as_ref().map(|n| n.as_str()),
            Some("Huda")
        );
        let refused = |fields: &CompanionFields<'_>, old: &str, reason: &str| {
            Replacement::parse(&registration.patient, old, fields, reason, TODAY, &mut || 7)
                .unwrap_err()
                .field
        };
        assert_eq!(refused(&sister, &old, "  "), "reason");
        assert_eq!(refused(&sister, "not an id!", "why"), "companion");
        let unborn = CompanionFields {
            birth_year: "2031",
            ..sister
        };
        assert_eq!(refused(&unborn, &old, "why"), "birth_year");
    }

    #[test]
    fn only_a_companion_who_cannot_travel_is_replaced() {
        use crate::{Reason, ReasonKind, StatusLine};
        let at = jiff::Timestamp::UNIX_EPOCH;
        let line = |status: Status| StatusLine {
            status,
            ..StatusLine::new(crate::Role::Companion)
        };
        for status in [Status::Denied, Status::Withdrawn, Status::DiedWhileWaiting] {
            assert_eq!(check_replaceable(&line(status), None), Ok(()), "{status}");
        }
        let unscheduled = |kind: ReasonKind, code: &str| {
            let reason = Reason::parse(kind, Some(code), None).unwrap();
            let scheduled = line(Status::Scheduled);
            scheduled
                .transition(
                    crate::Role::Companion,
                    Action::Unschedule { reason },
                    at,
                    "officer",
                    None,
                )
                .unwrap()
        };
        let (back, event) = unscheduled(ReasonKind::TurnedBack, "companion-refused");
        assert_eq!(check_replaceable(&back, Some(&event)), Ok(()));
        let (removed, event) = unscheduled(ReasonKind::Unscheduled, "other-note");
        assert!(check_replaceable(&removed, Some(&event)).is_err());
        assert_eq!(
            check_replaceable(&line(Status::Cleared), None).unwrap_err(),
            "the companion is cleared; only a companion who cannot travel is replaced: denied clearance, \
             turned back at the gate, withdrawn or died"
        );
    }
}
