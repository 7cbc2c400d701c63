//! Writing people and their current status as a referrals CSV file, in
//! either export mode.

use std::io;

use corridor_domain::{NewPerson, PersonId, PersonKind, PersonName, Role, StatusLine};

use super::{COLUMNS, READ_ONLY_COLUMNS};
use crate::cell::write_row;

/// Which columns an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportMode {
    /// No name, birth year as a five-year band; for sharing. Not re-importable.
    #[default]
    Pseudonymised,
    /// The import columns and the read-only status columns; re-importable.
    Personal,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not write the export: {0}")]
    Io(#[from] io::Error),
}

/// The header row an export writes in `mode`.
pub fn export_columns(mode: ExportMode) -> Vec<&'static str> {
    COLUMNS
        .iter()
        .filter_map(|&column| match (mode, column) {
            (ExportMode::Pseudonymised, "name") => None,
            (ExportMode::Pseudonymised, "birth_year") => Some("birth_year_band"),
            _ => Some(column),
        })
        .chain(READ_ONLY_COLUMNS)
        .collect()
}

/// Writes people and their current status as CSV, header first, and returns
/// the number of people written.
pub fn write_referrals<'a>(
    writer: impl io::Write,
    records: impl IntoIterator<Item = (&'a NewPerson, &'a StatusLine)>,
    mode: ExportMode,
) -> Result<u64, ExportError> {
    let mut csv_writer = csv::Writer::from_writer(writer);
    write_row(&mut csv_writer, export_columns(mode))?;
    let mut written: u64 = 0;
    // The file holds referrals: patients and their companions. Returnees
    // travel the other way and are not part of it.
    for (person, status) in records
        .into_iter()
        .filter(|(person, _)| person.role() != Role::Returnee)
    {
        write_row(&mut csv_writer, export_row(person, status, mode))?;
        written += 1;
    }
    csv_writer.flush()?;
    Ok(written)
}

fn export_row(person: &NewPerson, status: &StatusLine, mode: ExportMode) -> Vec<String> {
    let referral = person.referral();
    let text_or_empty = |value: Option<&str>| value.unwrap_or_default().to_string();
    let mut row = vec![
        person.id.to_string(),
        person.role().to_string(),
        text_or_empty(person.companion_of().map(PersonId::as_str)),
        text_or_empty(match &person.kind {
            PersonKind::Companion { relationship, .. } => Some(relationship.as_str()),
            PersonKind::Patient(_) | PersonKind::Returnee { .. } => None,
        }),
    ];
    match mode {
        ExportMode::Personal => {
            row.push(text_or_empty(person.name.as_ref().map(PersonName::as_str)));
            row.push(person.birth_year.year().to_string());
        }
        ExportMode::Pseudonymised => row.push(person.birth_year.band()),
    }
    row.extend([
        person.sex.to_string(),
        person.legal_basis.to_string(),
        text_or_empty(referral.map(|referral| referral.condition.as_str())),
        text_or_empty(referral.map(|referral| referral.specialty.as_str())),
        text_or_empty(referral.map(|referral| referral.tier.as_str())),
        referral.map_or(String::new(), |referral| {
            referral.referral_date.date().to_string()
        }),
        text_or_empty(referral.map(|referral| referral.referring_facility.as_str())),
        text_or_empty(referral.map(|referral| match referral.return_guarantee {
            true => "yes",
            false => "no",
        })),
        status.status.to_string(),
        status.clearance_attempt.to_string(),
        status
            .booking
            .as_ref()
            .map_or(String::new(), |booking| booking.date.to_string()),
        text_or_empty(
            status
                .booking
                .as_ref()
                .map(|booking| booking.crossing.as_str()),
        ),
        text_or_empty(
            status
                .admitted_to
                .as_ref()
                .map(|facility| facility.as_str()),
        ),
        status
            .died_on
            .map_or(String::new(), |date| date.to_string()),
    ]);
    row
}
