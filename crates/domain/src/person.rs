//! People on the list: patients and their companions, and the referral that
//! puts a patient on it.

use jiff::civil::Date;

use crate::{CountryCode, InvalidValue, OrganisationId, check_identifier, labelled_enum};

/// A pseudonymous identifier. It carries no name, birth date or place, so it
/// can appear in logs, manifests and exports.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonId(String);

impl PersonId {
    pub fn parse(text: &str) -> Result<PersonId, InvalidValue> {
        check_identifier("id", text).map(PersonId)
    }

    /// A generated id such as `P-7KQ2M9XA`: 40 of the `bits` written in an
    /// alphabet without look-alike characters, so that ids can be read out
    /// over a radio. The caller draws the bits (the domain has no random numbers).
    pub fn generate(prefix: char, bits: u64) -> PersonId {
        const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        let text: String = (0..8)
            .map(|index| ALPHABET[((bits >> (index * 5)) & 31) as usize] as char)
            .collect();
        PersonId(format!("{prefix}-{text}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PersonId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's name: personal data, shown only to roles that need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(text: &str) -> Result<PersonName, InvalidValue> {
        Text::parse("name", text, 200).map(|text| PersonName(text.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text that must not be empty and has a length limit (a reason, a
/// facility name, a source title).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text(String);

impl Text {
    pub fn parse(field: &'static str, text: &str, max_chars: usize) -> Result<Text, InvalidValue> {
        let text = text.trim();
        if text.is_empty() {
            return Err(InvalidValue::new(field, "is empty"));
        }
        if text.chars().count() > max_chars {
            return Err(InvalidValue::new(
                field,
                format!("is longer than {max_chars} characters"),
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(InvalidValue::new(field, "contains a control character"));
        }
        Ok(Text(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Year of birth. Only the year is kept: it is enough for age groups and
/// keeps re-identification harder than a full date would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BirthYear(i16);

impl BirthYear {
    pub const EARLIEST: i16 = 1900;

    pub fn parse(text: &str, today: Date) -> Result<BirthYear, InvalidValue> {
        let year: i16 = crate::digits::latin_digits(text.trim())
            .parse()
            .map_err(|_| {
                InvalidValue::new("birth_year", format!("'{}' is not a year", text.trim()))
            })?;
        BirthYear::new(year, today)
    }

    pub fn new(year: i16, today: Date) -> Result<BirthYear, InvalidValue> {
        if year < BirthYear::EARLIEST || year > today.year() {
            return Err(InvalidValue::new(
                "birth_year",
                format!(
                    "{year} is out of range; expected {} to {}",
                    BirthYear::EARLIEST,
                    today.year()
                ),
            ));
        }
        Ok(BirthYear(year))
    }

    pub fn year(self) -> i16 {
        self.0
    }

    /// Age in completed years at `on`, assuming a birthday at mid-year: with
    /// only the year known this is off by at most one year either way.
    pub fn age_on(self, on: Date) -> i16 {
        on.year() - self.0
    }

    pub fn is_child_on(self, on: Date) -> bool {
        self.age_on(on) < 18
    }

    /// The five-year band used in pseudonymised exports, e.g. `2010-2014`.
    pub fn band(self) -> String {
        let start = self.0 - self.0.rem_euclid(5);
        format!("{}-{}", start, start + 4)
    }
}

labelled_enum! {
    /// Age groups as humanitarian reporting disaggregates them.
    AgeGroup, field = "age_group" {
        Under5 = "0-4",
        Age5To17 = "5-17",
        Age18To59 = "18-59",
        Age60Plus = "60+",
    }
}

impl AgeGroup {
    pub fn of(birth_year: BirthYear, on: Date) -> AgeGroup {
        match birth_year.age_on(on) {
            ..=4 => AgeGroup::Under5,
            5..=17 => AgeGroup::Age5To17,
            18..=59 => AgeGroup::Age18To59,
            _ => AgeGroup::Age60Plus,
        }
    }

    /// Inclusive range of ages in the group.
    pub fn ages(self) -> (i16, i16) {
        match self {
            AgeGroup::Under5 => (0, 4),
            AgeGroup::Age5To17 => (5, 17),
            AgeGroup::Age18To59 => (18, 59),
            AgeGroup::Age60Plus => (60, i16::MAX),
        }
    }
}

labelled_enum! {
    Sex, field = "sex" {
        Female = "female",
        Male = "male",
        Unknown = "unknown",
    }
}

labelled_enum! {
    /// Whether a person leaves for treatment, accompanies a patient, or
    /// goes back in.
    Role, field = "role" {
        Patient = "patient",
        Companion = "companion",
        /// Someone abroad registered to return into the territory (inbound).
        Returnee = "returnee",
    }
}

labelled_enum! {
    /// The legitimate basis for processing a person's data, recorded at
    /// registration as humanitarian data-protection practice requires.
    LegalBasis, field = "legal_basis" {
        Consent = "consent",
        VitalInterest = "vital-interest",
        PublicInterest = "public-interest",
        LegitimateInterest = "legitimate-interest",
        LegalObligation = "legal-obligation",
    }
}

labelled_enum! {
    /// How a companion is related to the patient they accompany.
    Relationship, field = "relationship" {
        Parent = "parent",
        Spouse = "spouse",
        Child = "child",
        Sibling = "sibling",
        OtherRelative = "other-relative",
        Caregiver = "caregiver",
    }
}

labelled_enum! {
    /// Medical urgency, highest first: the derived ordering puts `Critical` first.
    Tier, field = "tier" {
        /// Life-threatening without treatment abroad.
        Critical = "critical",
        Urgent = "urgent",
        Routine = "routine",
    }
}

labelled_enum! {
    /// The broad condition behind a referral, as health-access reports group them.
    ConditionCategory, field = "condition" {
        Cancer = "cancer",
        WarInjury = "war-injury",
        Cardiovascular = "cardiovascular",
        Renal = "renal",
        Neurological = "neurological",
        Congenital = "congenital",
        Blood = "blood",
        Eye = "eye",
        Burns = "burns",
        Other = "other",
    }
}

labelled_enum! {
    /// The specialty a patient needs, matched against receiving beds.
    Specialty, field = "specialty" {
        Oncology = "oncology",
        Haematology = "haematology",
        Orthopaedics = "orthopaedics",
        Neurosurgery = "neurosurgery",
        CardiacSurgery = "cardiac-surgery",
        Cardiology = "cardiology",
        Nephrology = "nephrology",
        Ophthalmology = "ophthalmology",
        BurnsPlastic = "burns-plastic",
        Paediatrics = "paediatrics",
        Rehabilitation = "rehabilitation",
        GeneralSurgery = "general-surgery",
    }
}

/// The date a patient was referred for treatment abroad; never in the future.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferralDate(Date);

impl ReferralDate {
    pub fn parse(text: &str, today: Date) -> Result<ReferralDate, InvalidValue> {
        let date: Date = crate::digits::latin_digits(text.trim())
            .parse()
            .map_err(|_| {
                InvalidValue::new(
                    "referral_date",
                    format!("'{}' is not a date; use YYYY-MM-DD", text.trim()),
                )
            })?;
        ReferralDate::new(date, today)
    }

    pub fn new(date: Date, today: Date) -> Result<ReferralDate, InvalidValue> {
        if date > today {
            return Err(InvalidValue::new(
                "referral_date",
                format!("{date} is in the future (today is {today})"),
            ));
        }
        Ok(ReferralDate(date))
    }

    pub fn date(self) -> Date {
        self.0
    }
}

/// Why and how urgently a patient must be treated abroad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub condition: ConditionCategory,
    pub specialty: Specialty,
    pub tier: Tier,
    pub referral_date: ReferralDate,
    /// The organisation that referred the patient (its id).
    pub referring_facility: OrganisationId,
    /// Whether the return of the patient is guaranteed; some receiving
    /// facilities only accept patients who have one.
    pub return_guarantee: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonKind {
    Patient(Referral),
    Companion {
        of: PersonId,
        relationship: Relationship,
    },
    Returnee {
        /// The country they return from.
        returning_from: CountryCode,
    },
}

/// A person as registered: the facts that do not change with their status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub id: PersonId,
    pub name: Option<PersonName>,
    pub birth_year: BirthYear,
    pub sex: Sex,
    pub legal_basis: LegalBasis,
    pub kind: PersonKind,
}

impl NewPerson {
    pub fn role(&self) -> Role {
        match self.kind {
            PersonKind::Patient(_) => Role::Patient,
            PersonKind::Companion { .. } => Role::Companion,
            PersonKind::Returnee { .. } => Role::Returnee,
        }
    }

    pub fn referral(&self) -> Option<&Referral> {
        match &self.kind {
            PersonKind::Patient(referral) => Some(referral),
            PersonKind::Companion { .. } | PersonKind::Returnee { .. } => None,
        }
    }

    pub fn companion_of(&self) -> Option<&PersonId> {
        match &self.kind {
            PersonKind::Patient(_) | PersonKind::Returnee { .. } => None,
            PersonKind::Companion { of, .. } => Some(of),
        }
    }
}

/// The child patients in a batch of registrations that no companion in the
/// same batch accompanies. A child is never registered alone, and a patient
/// being registered cannot already have companions, so the batch decides.
pub fn unaccompanied_children(batch: &[NewPerson], today: Date) -> Vec<&PersonId> {
    let accompanied: std::collections::HashSet<&PersonId> =
        batch.iter().filter_map(NewPerson::companion_of).collect();
    batch
        .iter()
        .filter(|person| person.role() == Role::Patient)
        .filter(|person| person.birth_year.is_child_on(today))
        .filter(|person| !accompanied.contains(&person.id))
        .map(|person| &person.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 2, 1);

    #[test]
    fn parses_labels_case_insensitively_and_names_the_choices() {
        assert_eq!(Tier::parse(" Critical ").unwrap(), Tier::Critical);
        let error = Tier::parse("emergency").unwrap_err();
        assert_eq!(
            error.to_string(),
            "tier: unknown value 'emergency'; expected one of: critical, urgent, routine"
        );
    }

    #[test]
    fn tiers_order_from_most_urgent() {
        assert!(Tier::Critical < Tier::Urgent && Tier::Urgent < Tier::Routine);
    }

    #[test]
    fn birth_year_bounds() {
        assert!(BirthYear::parse("1899", TODAY).is_err());
        assert!(BirthYear::parse("2027", TODAY).is_err());
        assert!(BirthYear::parse("19x0", TODAY).is_err());
        assert_eq!(BirthYear::parse("2026", TODAY).unwrap().year(), 2026);
        assert_eq!(BirthYear::parse("2012", TODAY).unwrap().band(), "2010-2014");
    }

    #[test]
    fn age_groups_and_children() {
        let check = |year: i16, group: AgeGroup, child: bool| {
            let birth_year = BirthYear::new(year, TODAY).unwrap();
            assert_eq!(AgeGroup::of(birth_year, TODAY), group, "{year}");
            assert_eq!(birth_year.is_child_on(TODAY), child, "{year}");
        };
        check(2026, AgeGroup::Under5, true);
        check(2022, AgeGroup::Under5, true);
        check(2021, AgeGroup::Age5To17, true);
        check(2009, AgeGroup::Age5To17, true);
        check(2008, AgeGroup::Age18To59, false);
        check(1967, AgeGroup::Age18To59, false);
        check(1966, AgeGroup::Age60Plus, false);
    }

    #[test]
    fn referral_date_cannot_be_in_the_future() {
        assert!(ReferralDate::parse("2026-02-01", TODAY).is_ok());
        let error = ReferralDate::parse("2026-02-02", TODAY).unwrap_err();
        assert_eq!(
            error.to_string(),
            "referral_date: 2026-02-02 is in the future (today is 2026-02-01)"
        );
        assert!(ReferralDate::parse("01/02/2026", TODAY).is_err());
    }

    #[test]
    fn identifiers_are_short_and_plain() {
        assert!(PersonId::parse("P-000123").is_ok());
        assert!(PersonId::parse("").is_err());
        assert!(PersonId::parse("P 1").is_err());
        assert!(PersonId::parse(&"x".repeat(33)).is_err());
    }

    #[test]
    fn a_child_needs_a_companion_in_the_same_batch() {
        let referral = Referral {
            condition: ConditionCategory::WarInjury,
            specialty: Specialty::Orthopaedics,
            tier: Tier::Urgent,
            referral_date: ReferralDate::parse("2025-08-01", TODAY).unwrap(),
            referring_facility: OrganisationId::parse("referring_facility", "nasser").unwrap(),
            return_guarantee: false,
        };
        let patient = |id: &str, year: i16| NewPerson {
            id: PersonId::parse(id).unwrap(),
            name: None,
            birth_year: BirthYear::new(year, TODAY).unwrap(),
            sex: Sex::Female,
            legal_basis: LegalBasis::Consent,
            kind: PersonKind::Patient(referral.clone()),
        };
        let companion = NewPerson {
            id: PersonId::parse("C-1").unwrap(),
            name: None,
            birth_year: BirthYear::new(1985, TODAY).unwrap(),
            sex: Sex::Female,
            legal_basis: LegalBasis::Consent,
            kind: PersonKind::Companion {
                of: PersonId::parse("P-1").unwrap(),
                relationship: Relationship::Parent,
            },
        };
        let batch = vec![
            patient("P-1", 2011),
            patient("P-2", 2015),
            patient("P-3", 1990),
            companion,
        ];
        let ids: Vec<&str> = unaccompanied_children(&batch, TODAY)
            .into_iter()
            .map(PersonId::as_str)
            .collect();
        assert_eq!(ids, ["P-2"]);
    }
}
