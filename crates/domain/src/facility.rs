//! Receiving countries and facilities, and the beds they offer.

use jiff::civil::Date;

use crate::{InvalidValue, Specialty, Text, check_identifier};

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(text: &str) -> Result<CountryCode, InvalidValue> {
        let text = text.trim();
        if text.len() != 2 || !text.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(InvalidValue::new(
                "country",
                format!("'{text}' is not a two-letter country code such as EG"),
            ));
        }
        Ok(CountryCode(text.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CountryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A receiving country. A closed country receives no one, whatever its
/// facilities offer (destinations can be closed by policy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    pub code: CountryCode,
    pub name: Text,
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FacilityId(String);

impl FacilityId {
    pub fn parse(text: &str) -> Result<FacilityId, InvalidValue> {
        check_identifier("facility", text).map(FacilityId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for FacilityId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Beds of one specialty offered over an inclusive date range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BedCapacity {
    pub specialty: Specialty,
    pub beds: u32,
    pub from: Date,
    pub to: Date,
}

impl BedCapacity {
    pub fn new(
        specialty: Specialty,
        beds: u32,
        from: Date,
        to: Date,
    ) -> Result<BedCapacity, InvalidValue> {
        if to < from {
            return Err(InvalidValue::new(
                "to",
                format!("{to} is before from {from}"),
            ));
        }
        Ok(BedCapacity {
            specialty,
            beds,
            from,
            to,
        })
    }

    pub fn covers(&self, date: Date) -> bool {
        self.from <= date && date <= self.to
    }
}

/// A hospital or clinic abroad that receives patients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facility {
    pub id: FacilityId,
    pub name: Text,
    pub country: CountryCode,
    /// Receives only patients whose return is guaranteed.
    pub requires_return_guarantee: bool,
    pub open: bool,
    pub beds: Vec<BedCapacity>,
}

impl Facility {
    /// Beds of a specialty offered on a date (before any are taken).
    pub fn beds_on(&self, specialty: Specialty, date: Date) -> u32 {
        self.beds
            .iter()
            .filter(|capacity| capacity.specialty == specialty && capacity.covers(date))
            .map(|capacity| capacity.beds)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn country_codes_are_two_letters() {
        assert_eq!(CountryCode::parse("eg").unwrap().as_str(), "EG");
        assert!(CountryCode::parse("EGY").is_err());
        assert!(CountryCode::parse("E1").is_err());
    }

    #[test]
    fn beds_are_counted_by_specialty_and_date() {
        let facility = Facility {
            id: FacilityId::parse("eg-arish").unwrap(),
            name: Text::parse("name", "Al-Arish General Hospital", 200).unwrap(),
            country: CountryCode::parse("EG").unwrap(),
            requires_return_guarantee: false,
            open: true,
            beds: vec![
                BedCapacity::new(Specialty::Oncology, 4, date(2026, 2, 1), date(2026, 2, 28))
                    .unwrap(),
                BedCapacity::new(Specialty::Oncology, 2, date(2026, 2, 15), date(2026, 3, 15))
                    .unwrap(),
                BedCapacity::new(
                    Specialty::Orthopaedics,
                    9,
                    date(2026, 2, 1),
                    date(2026, 2, 28),
                )
                .unwrap(),
            ],
        };
        assert_eq!(facility.beds_on(Specialty::Oncology, date(2026, 2, 1)), 4);
        assert_eq!(facility.beds_on(Specialty::Oncology, date(2026, 2, 20)), 6);
        assert_eq!(facility.beds_on(Specialty::Oncology, date(2026, 3, 1)), 2);
        assert_eq!(facility.beds_on(Specialty::Nephrology, date(2026, 2, 1)), 0);
        assert!(
            BedCapacity::new(Specialty::Oncology, 1, date(2026, 2, 2), date(2026, 2, 1)).is_err()
        );
    }
}
