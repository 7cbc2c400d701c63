//! The header row of an import file: which column is where, and what is
//! missing, unknown or repeated.

use super::{COLUMNS, FileError, READ_ONLY_COLUMNS};

/// A column of the import file; the discriminant is its index in [`COLUMNS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    Id,
    Role,
    CompanionOf,
    Relationship,
    Name,
    BirthYear,
    Sex,
    LegalBasis,
    Condition,
    Specialty,
    Tier,
    ReferralDate,
    ReferringFacility,
    ReturnGuarantee,
}

pub(super) const COLUMN_COUNT: usize = COLUMNS.len();

impl Column {
    pub(super) const ALL: [Column; COLUMN_COUNT] = [
        Column::Id,
        Column::Role,
        Column::CompanionOf,
        Column::Relationship,
        Column::Name,
        Column::BirthYear,
        Column::Sex,
        Column::LegalBasis,
        Column::Condition,
        Column::Specialty,
        Column::Tier,
        Column::ReferralDate,
        Column::ReferringFacility,
        Column::ReturnGuarantee,
    ];

    /// The columns only a companion fills in.
    pub(super) const COMPANION: [Column; 2] = [Column::CompanionOf, Column::Relationship];

    /// The columns a patient must fill in.
    pub(super) const PATIENT: [Column; 5] = [
        Column::Condition,
        Column::Specialty,
        Column::Tier,
        Column::ReferralDate,
        Column::ReferringFacility,
    ];

    /// The columns of a patient's referral, which a companion leaves empty.
    pub(super) const REFERRAL: [Column; 6] = [
        Column::Condition,
        Column::Specialty,
        Column::Tier,
        Column::ReferralDate,
        Column::ReferringFacility,
        Column::ReturnGuarantee,
    ];

    pub(super) fn name(self) -> &'static str {
        COLUMNS[self as usize]
    }

    fn from_name(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|column| column.name() == name)
    }

    /// Whether a file may leave the column out: only those whose values are
    /// optional for everyone.
    fn may_be_absent(self) -> bool {
        matches!(self, Column::Name | Column::ReturnGuarantee)
    }
}

/// Where each column is in the file.
pub(super) struct Header {
    pub(super) index_of: [Option<usize>; COLUMN_COUNT],
    pub(super) width: usize,
    pub(super) ignored: Vec<String>,
}

impl Header {
    pub(super) fn parse(record: &csv::ByteRecord) -> Result<Header, FileError> {
        let names: Vec<String> = record
            .iter()
            .enumerate()
            .map(|(index, bytes)| {
                // The csv crate keeps a UTF-8 byte-order mark, which
                // spreadsheet programs write, as part of the first name.
                let bytes = match index {
                    0 => bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes),
                    _ => bytes,
                };
                String::from_utf8_lossy(bytes).trim().to_ascii_lowercase()
            })
            .collect();
        if names.iter().any(|name| name == "birth_year_band") {
            return Err(FileError::PseudonymisedExport);
        }

        let mut index_of = [None; COLUMN_COUNT];
        let mut ignored = Vec::new();
        let mut unknown = Vec::new();
        let mut repeated = Vec::new();
        for (index, name) in names.iter().enumerate() {
            if let Some(column) = Column::from_name(name) {
                match index_of[column as usize] {
                    Some(_) => repeated.push(name.clone()),
                    None => index_of[column as usize] = Some(index),
                }
            } else if READ_ONLY_COLUMNS.contains(&name.as_str()) {
                if ignored.contains(name) {
                    repeated.push(name.clone());
                } else {
                    ignored.push(name.clone());
                }
            } else {
                unknown.push(name.clone());
            }
        }
        let missing: Vec<String> = Column::ALL
            .into_iter()
            .filter(|column| !column.may_be_absent() && index_of[*column as usize].is_none())
            .map(|column| column.name().to_string())
            .collect();
        if !missing.is_empty() || !unknown.is_empty() || !repeated.is_empty() {
            return Err(FileError::Header {
                missing,
                unknown,
                repeated,
            });
        }
        Ok(Header {
            index_of,
            width: names.len(),
            ignored,
        })
    }
}

pub(super) fn header_message(
    missing: &[String],
    unknown: &[String],
    repeated: &[String],
) -> String {
    let quoted = |names: &[String]| {
        names
            .iter()
            .map(|name| format!("'{name}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!("missing columns: {}", missing.join(", ")));
    }
    if !unknown.is_empty() {
        problems.push(format!("unknown columns: {}", quoted(unknown)));
    }
    if !repeated.is_empty() {
        problems.push(format!("repeated columns: {}", repeated.join(", ")));
    }
    format!(
        "the header is not as expected: {}. Expected columns: {} (name and return_guarantee \
         may be left out; the export columns {} are ignored)",
        problems.join("; "),
        COLUMNS.join(", "),
        READ_ONLY_COLUMNS.join(", ")
    )
}
