//! Organisations: the referring facilities, the receiving agencies and the
//! coordination cell that people work for. They are data, named by a short
//! id, so that a user's scope and a referral's referring facility point to
//! the same thing instead of comparing names that may be spelt differently.

use crate::{InvalidValue, Text, check_identifier, labelled_enum};

/// The longest name of an organisation.
pub const MAX_ORGANISATION_NAME_CHARS: usize = 200;

/// The id of an organisation, e.g. `nasser-medical-complex`: 1 to 32
/// letters, digits, `-`, `_` or `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrganisationId(String);

impl OrganisationId {
    /// Parses an id given for `field` (e.g. `organisation` on an account,
    /// `referring_facility` on a referral), so that an error names it.
    pub fn parse(field: &'static str, text: &str) -> Result<OrganisationId, InvalidValue> {
        check_identifier(field, text).map(OrganisationId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OrganisationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

labelled_enum! {
    /// What kind of organisation it is.
    OrganisationKind, field = "kind" {
        /// A hospital or ministry service that refers patients.
        ReferringFacility = "referring-facility",
        /// An agency on the receiving side: aid, medical or liaison.
        ReceivingAgency = "receiving-agency",
        /// The medevac coordination cell.
        CoordinationCell = "coordination-cell",
    }
}

impl OrganisationKind {
    pub fn label(self) -> &'static str {
        match self {
            OrganisationKind::ReferringFacility => "Referring facility",
            OrganisationKind::ReceivingAgency => "Receiving agency",
            OrganisationKind::CoordinationCell => "Coordination cell",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: Text,
    pub kind: OrganisationKind,
}

impl Organisation {
    /// An organisation as an admin gives it: id, name and kind, checked.
    pub fn parse(id: &str, name: &str, kind: &str) -> Result<Organisation, InvalidValue> {
        Ok(Organisation {
            id: OrganisationId::parse("id", id)?,
            name: Text::parse("name", name, MAX_ORGANISATION_NAME_CHARS)?,
            kind: OrganisationKind::parse(kind)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisations_are_parsed_with_the_field_at_fault() {
        let organisation =
            Organisation::parse(" nasser ", " Nasser Medical Complex ", "referring-facility")
                .unwrap();
        assert_eq!(organisation.id.as_str(), "nasser");
        assert_eq!(organisation.name.as_str(), "Nasser Medical Complex");
        assert_eq!(organisation.kind, OrganisationKind::ReferringFacility);
        assert_eq!(
            Organisation::parse("two words", "x", "referring-facility")
                .unwrap_err()
                .field,
            "id"
        );
        assert_eq!(
            Organisation::parse("ok", &"x".repeat(201), "referring-facility")
                .unwrap_err()
                .field,
            "name"
        );
        assert_eq!(
            Organisation::parse("ok", "x", "hospital")
                .unwrap_err()
                .field,
            "kind"
        );
        let error =
            OrganisationId::parse("referring_facility", "Nasser Medical Complex").unwrap_err();
        assert_eq!(error.field, "referring_facility");
    }
}
