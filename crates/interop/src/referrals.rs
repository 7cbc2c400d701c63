//! CSV import and export of referrals: patients, their companions, and the
//! referral that puts each patient on the waiting list.
//!
//! # The import file
//!
//! A CSV file in UTF-8 (a byte-order mark is allowed), comma-separated, with
//! `"` to quote a value that holds a comma, a quote (written twice) or a line
//! break. The first row names the columns; names are matched without regard
//! to case or surrounding spaces, and the columns may come in any order. Each
//! further row is one person. Values are read by the rule of
//! [`crate::cell`] (trimmed, unless a leading `'` marks text to keep as it
//! is), and labels are matched without regard to case. Rows whose fields are all empty, such as the rows
//! of commas that spreadsheet programs write below the data, are skipped.
//!
//! | column | patient row | companion row | value |
//! | --- | --- | --- | --- |
//! | `id` | required | required | pseudonymous id: 1 to 32 letters, digits, `-`, `_` or `.`; unique in the file and new to the registry |
//! | `role` | `patient` | `companion` | |
//! | `companion_of` | empty | required | id of the patient accompanied, in the same file or already registered |
//! | `relationship` | empty | required | `parent`, `spouse`, `child`, `sibling`, `other-relative`, `caregiver` |
//! | `name` | optional | optional | up to 200 characters; personal data |
//! | `birth_year` | required | required | from 1900 to the current year |
//! | `sex` | required | required | `female`, `male`, `unknown` |
//! | `legal_basis` | required | required | `consent`, `vital-interest`, `public-interest`, `legitimate-interest`, `legal-obligation` |
//! | `condition` | required | empty | a condition category, e.g. `cancer`, `war-injury`, `renal` |
//! | `specialty` | required | empty | the specialty needed, e.g. `oncology`, `orthopaedics`, `paediatrics` |
//! | `tier` | required | empty | `critical`, `urgent`, `routine` |
//! | `referral_date` | required | empty | `YYYY-MM-DD`, not in the future |
//! | `referring_facility` | required | empty | the id of a registered organisation, e.g. `nasser-medical-complex` (`corridor organisations list`) |
//! | `return_guarantee` | optional | empty | `yes`, `no`, `true`, `false`, `1`, `0`; empty means no |
//!
//! Every column must be in the header except `name` and `return_guarantee`,
//! which may be left out. A missing column or a column not in the table is
//! an error for the whole file, since it would otherwise be reported on every
//! row. The read-only columns that an export adds ([`READ_ONLY_COLUMNS`]) are
//! accepted and ignored, so that a personal export can be imported again.
//!
//! Across rows: an id appears once; `companion_of` names a patient, not a
//! companion; a child patient (under 18 in the year of the import) has a
//! companion row in the same file, since a child is never registered alone.
//! A `companion_of` that names no row of the file must name a patient already
//! in the registry ([`check_against_registry`]).
//!
//! Every problem is reported with its line (the physical line in the file,
//! where the header is line 1) and its column, so that the file can be fixed
//! in one pass. Nothing is imported unless there are no errors at all; the
//! caller does the import in one transaction.
//!
//! # The export file
//!
//! [`ExportMode::Personal`] writes the import columns in the order of the
//! table above, then the read-only columns of the person's current status
//! ([`READ_ONLY_COLUMNS`]). It can be imported again into a registry that does
//! not hold these people yet.
//!
//! [`ExportMode::Pseudonymised`], the default, is for sharing: it leaves out
//! `name` and writes `birth_year_band` (a five-year band such as `2010-2014`)
//! in place of `birth_year`, and keeps the pseudonymous ids. It cannot be
//! imported again.

use std::collections::{HashMap, HashSet, hash_map};
use std::io;

use corridor_domain::{
    BirthYear, ConditionCategory, InvalidValue, LegalBasis, NewPerson, OrganisationId, PersonId,
    PersonKind, PersonName, Referral, ReferralDate, Relationship, Role, Sex, Specialty, Tier,
    unaccompanied_children,
};
use jiff::civil::Date;

use crate::cell::read_cell;

mod export;
mod header;

pub use export::{ExportError, ExportMode, export_columns, write_referrals};
use header::{COLUMN_COUNT, Column, Header, header_message};

/// The columns of an import file, in the order an export writes them.
pub const COLUMNS: [&str; 14] = [
    "id",
    "role",
    "companion_of",
    "relationship",
    "name",
    "birth_year",
    "sex",
    "legal_basis",
    "condition",
    "specialty",
    "tier",
    "referral_date",
    "referring_facility",
    "return_guarantee",
];

/// The columns an export adds after [`COLUMNS`]: the person's current status.
/// An import accepts and ignores them.
pub const READ_ONLY_COLUMNS: [&str; 6] = [
    "status",
    "clearance_attempt",
    "booking_date",
    "booking_crossing",
    "admitted_to",
    "died_on",
];

/// The result of reading a whole import file: the rows that are valid on
/// their own, and every problem found. Import only when `errors` is empty.
#[derive(Debug, Default)]
pub struct ReferralImport {
    pub rows: Vec<ImportedRow>,
    /// Sorted by line; within a line, in column order.
    pub errors: Vec<RowError>,
    /// Read-only export columns found in the header and ignored.
    pub ignored_columns: Vec<String>,
    /// `companion_of` values that name no row of the file, with their line:
    /// the registry must hold a patient with that id.
    pub external_references: Vec<(u64, PersonId)>,
    /// The ids of rows left out of `rows` for their errors, so that the
    /// registry check still covers them and the file is fixed in one pass.
    rejected_ids: Vec<(u64, PersonId)>,
}

impl ReferralImport {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// A valid row and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRow {
    pub line: u64,
    pub person: NewPerson,
}

/// One problem in one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The physical line the row starts on; the header is line 1.
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, column {}: {}", self.line, column, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// A problem that stops the reading of the whole file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("could not read the file: {0}")]
    Io(#[from] io::Error),
    #[error(
        "the file is empty (no rows); expected a header row naming the columns: {}",
        COLUMNS.join(", ")
    )]
    Empty,
    #[error("the file has a header but no rows")]
    NoRows,
    #[error("{}", header_message(.missing, .unknown, .repeated))]
    Header {
        missing: Vec<String>,
        unknown: Vec<String>,
        repeated: Vec<String>,
    },
    #[error(
        "this is a pseudonymised export (it has birth_year_band instead of birth_year), \
         which cannot be imported; use a personal export"
    )]
    PseudonymisedExport,
}

/// Reads and checks a whole import file. Every bad row is reported in
/// [`ReferralImport::errors`]; only problems with the file as a whole (its
/// header, no rows, a read failure) end the reading early.
///
/// `today` decides which birth years and referral dates are possible and who
/// is a child. `progress` is given the number of bytes read so far, every few
/// thousand rows and once at the end.
pub fn read_referrals(
    reader: impl io::Read,
    today: Date,
    progress: &mut dyn FnMut(u64),
) -> Result<ReferralImport, FileError> {
    // Rows are read as bytes and each field is checked for UTF-8 on its own,
    // so that bad text is reported with its column instead of ending the read.
    // A row with the wrong number of fields is reported by us, not by csv.
    let mut csv_reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    if !read_record(&mut csv_reader, &mut record)? {
        return Err(FileError::Empty);
    }
    let header = Header::parse(&record)?;

    let mut errors = Vec::new();
    let mut people = Vec::new();
    let mut people_lines = Vec::new();
    let mut facts = Vec::new();
    let mut rows_read: u64 = 0;
    let mut records_read: u64 = 0;
    while read_record(&mut csv_reader, &mut record)? {
        records_read += 1;
        if records_read.is_multiple_of(PROGRESS_EVERY_ROWS) {
            progress(csv_reader.position().byte());
        }
        if is_blank(&record) {
            continue;
        }
        rows_read += 1;
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() != header.width {
            errors.push(RowError {
                line,
                column: None,
                message: format!(
                    "has {} fields but the header has {}",
                    record.len(),
                    header.width
                ),
            });
        } else {
            let mut fields = Fields::from_record(&record, &header);
            let (person, row_facts) = parse_row(&mut fields, line, today);
            errors.extend(fields.into_errors(line));
            facts.push(row_facts);
            if let Some(person) = person {
                people.push(person);
                people_lines.push(line);
            }
        }
    }
    progress(csv_reader.position().byte());
    if rows_read == 0 {
        return Err(FileError::NoRows);
    }

    let mut import = ReferralImport {
        ignored_columns: header.ignored,
        ..ReferralImport::default()
    };
    check_across_rows(&mut import, &mut errors, &people, &facts, today);
    import.rows = people_lines
        .into_iter()
        .zip(people)
        .map(|(line, person)| ImportedRow { line, person })
        .collect();
    import.rejected_ids = facts
        .into_iter()
        .filter(|fact| !fact.valid)
        .filter_map(|fact| fact.id.map(|id| (fact.line, id)))
        .collect();
    errors.sort_by_key(|error| error.line);
    import.errors = errors;
    Ok(import)
}

/// Adds the errors that only the registry can reveal: ids that are already
/// registered, `companion_of` values that name no one in the file and no
/// patient in the registry, and referring facilities that name no
/// registered organisation. Call it once, with the registry's ids and
/// roles and its organisations' ids.
pub fn check_against_registry(
    import: &mut ReferralImport,
    existing: &HashMap<PersonId, Role>,
    organisations: &std::collections::BTreeSet<OrganisationId>,
) {
    for row in &import.rows {
        if let Some(referral) = row.person.referral()
            && !organisations.contains(&referral.referring_facility)
        {
            import.errors.push(RowError {
                line: row.line,
                column: Some("referring_facility".to_string()),
                message: format!(
                    "no organisation '{}' is registered; use the id of one in the list of organisations (`corridor organisations list`)",
                    referral.referring_facility
                ),
            });
        }
    }
    let ids = import
        .rows
        .iter()
        .map(|row| (row.line, &row.person.id))
        .chain(import.rejected_ids.iter().map(|(line, id)| (*line, id)));
    for (line, id) in ids {
        if existing.contains_key(id) {
            import.errors.push(RowError {
                line,
                column: Some("id".to_string()),
                message: format!("id {id} already exists in the registry"),
            });
        }
    }
    for (line, target) in &import.external_references {
        let problem = match existing.get(target) {
            Some(Role::Patient) => continue,
            Some(role @ (Role::Companion | Role::Returnee)) => {
                format!("{target} is a {role} in the registry; companion_of must name a patient")
            }
            None => format!("{target} is neither in the file nor in the registry"),
        };
        import.errors.push(RowError {
            line: *line,
            column: Some("companion_of".to_string()),
            message: problem,
        });
    }
    import.errors.sort_by_key(|error| error.line);
}

const PROGRESS_EVERY_ROWS: u64 = 4096;

/// What the checks across rows need to know of every row, valid or not, so
/// that an error in one row does not hide or invent an error in another.
struct RowFacts {
    line: u64,
    id: Option<PersonId>,
    role: Option<Role>,
    companion_of: Option<PersonId>,
    valid: bool,
}

/// The fields of one row, trimmed, with the problems found so far.
struct Fields<'r> {
    /// `None` for a field that is not UTF-8, which is already reported; an
    /// empty string for an empty field or a column left out of the file.
    values: [Option<&'r str>; COLUMN_COUNT],
    problems: Vec<(Column, String)>,
}

impl<'r> Fields<'r> {
    fn from_record(record: &'r csv::ByteRecord, header: &Header) -> Fields<'r> {
        let mut fields = Fields {
            values: [Some(""); COLUMN_COUNT],
            problems: Vec::new(),
        };
        for column in Column::ALL {
            let Some(index) = header.index_of[column as usize] else {
                continue;
            };
            let bytes = record.get(index).unwrap_or_default();
            match std::str::from_utf8(bytes) {
                Ok(text) => fields.values[column as usize] = Some(read_cell(text)),
                Err(_) => {
                    fields.values[column as usize] = None;
                    fields.report(column, "is not valid UTF-8; save the file as UTF-8".into());
                }
            }
        }
        fields
    }

    fn report(&mut self, column: Column, problem: String) {
        self.problems.push((column, problem));
    }

    fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    /// The parsed value, or `None` if the field is empty or invalid.
    fn optional<T>(
        &mut self,
        column: Column,
        parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    ) -> Option<T> {
        match self.values[column as usize] {
            None | Some("") => None,
            Some(text) => match parse(text) {
                Ok(value) => Some(value),
                Err(invalid) => {
                    self.report(column, invalid.problem);
                    None
                }
            },
        }
    }

    fn required<T>(
        &mut self,
        column: Column,
        parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    ) -> Option<T> {
        if self.values[column as usize] == Some("") {
            self.report(column, "is required".into());
        }
        self.optional(column, parse)
    }

    fn require_for(&mut self, role: Role, columns: &[Column]) {
        for &column in columns {
            if self.values[column as usize] == Some("") {
                self.report(column, format!("is required for a {role}"));
            }
        }
    }

    fn forbid_for(&mut self, role: Role, columns: &[Column]) {
        for &column in columns {
            if let Some(text) = self.values[column as usize]
                && !text.is_empty()
            {
                self.report(
                    column,
                    format!("must be empty for a {role}; found '{text}'"),
                );
            }
        }
    }

    /// The problems as row errors, in column order.
    fn into_errors(mut self, line: u64) -> impl Iterator<Item = RowError> {
        self.problems.sort_by_key(|(column, _)| *column as usize);
        self.problems
            .into_iter()
            .map(move |(column, message)| RowError {
                line,
                column: Some(column.name().to_string()),
                message,
            })
    }
}

/// Parses every field of a row, so that all its problems are reported, then
/// checks which fields its role needs.
fn parse_row(fields: &mut Fields, line: u64, today: Date) -> (Option<NewPerson>, RowFacts) {
    let id = fields.required(Column::Id, PersonId::parse);
    let role = fields.required(Column::Role, |text| match Role::parse(text) {
        Ok(Role::Returnee) => Err(InvalidValue::new(
            "role",
            "a returnee is not a referral; use patient or companion here, and register \
             returnees with `corridor returnees add`",
        )),
        Ok(role) => Ok(role),
        Err(_) => Err(InvalidValue::new(
            "role",
            format!(
                "unknown value '{}'; expected one of: patient, companion",
                text.trim()
            ),
        )),
    });
    let companion_of = fields.optional(Column::CompanionOf, PersonId::parse);
    let relationship = fields.optional(Column::Relationship, Relationship::parse);
    let name = fields.optional(Column::Name, PersonName::parse);
    let birth_year = fields.required(Column::BirthYear, |text| BirthYear::parse(text, today));
    let sex = fields.required(Column::Sex, Sex::parse);
    let legal_basis = fields.required(Column::LegalBasis, LegalBasis::parse);
    let condition = fields.optional(Column::Condition, ConditionCategory::parse);
    let specialty = fields.optional(Column::Specialty, Specialty::parse);
    let tier = fields.optional(Column::Tier, Tier::parse);
    let referral_date = fields.optional(Column::ReferralDate, |text| {
        ReferralDate::parse(text, today)
    });
    let referring_facility = fields.optional(Column::ReferringFacility, |text| {
        OrganisationId::parse("referring_facility", text)
    });
    let return_guarantee = fields.optional(Column::ReturnGuarantee, parse_yes_no);

    match role {
        Some(Role::Patient) => {
            fields.require_for(Role::Patient, &Column::PATIENT);
            fields.forbid_for(Role::Patient, &Column::COMPANION);
        }
        Some(Role::Companion) => {
            fields.require_for(Role::Companion, &Column::COMPANION);
            fields.forbid_for(Role::Companion, &Column::REFERRAL);
        }
        Some(Role::Returnee) | None => {}
    }

    let facts = RowFacts {
        line,
        id: id.clone(),
        role,
        companion_of: match role {
            Some(Role::Patient) => None,
            _ => companion_of.clone(),
        },
        valid: !fields.has_problems(),
    };
    if fields.has_problems() {
        return (None, facts);
    }
    let kind = match role {
        Some(Role::Patient) => match (
            condition,
            specialty,
            tier,
            referral_date,
            referring_facility,
        ) {
            (
                Some(condition),
                Some(specialty),
                Some(tier),
                Some(referral_date),
                Some(referring_facility),
            ) => Some(PersonKind::Patient(Referral {
                condition,
                specialty,
                tier,
                referral_date,
                referring_facility,
                return_guarantee: return_guarantee.unwrap_or(false),
            })),
            _ => None,
        },
        Some(Role::Companion) => match (companion_of, relationship) {
            (Some(of), Some(relationship)) => Some(PersonKind::Companion { of, relationship }),
            _ => None,
        },
        Some(Role::Returnee) | None => None,
    };
    // Without problems every required value is present; the match only
    // spells that out for the compiler.
    let person = match (id, birth_year, sex, legal_basis, kind) {
        (Some(id), Some(birth_year), Some(sex), Some(legal_basis), Some(kind)) => Some(NewPerson {
            id,
            name,
            birth_year,
            sex,
            legal_basis,
            kind,
        }),
        _ => None,
    };
    (person, facts)
}

fn parse_yes_no(text: &str) -> Result<bool, InvalidValue> {
    const YES: [&str; 3] = ["yes", "true", "1"];
    const NO: [&str; 3] = ["no", "false", "0"];
    if YES.iter().any(|yes| yes.eq_ignore_ascii_case(text)) {
        Ok(true)
    } else if NO.iter().any(|no| no.eq_ignore_ascii_case(text)) {
        Ok(false)
    } else {
        Err(InvalidValue::new(
            "return_guarantee",
            format!("unknown value '{text}'; expected one of: yes, no, true, false, 1, 0"),
        ))
    }
}

/// Duplicate ids, companions of companions, references out of the file and
/// unaccompanied children.
fn check_across_rows(
    import: &mut ReferralImport,
    errors: &mut Vec<RowError>,
    people: &[NewPerson],
    facts: &[RowFacts],
    today: Date,
) {
    let mut first_seen: HashMap<&PersonId, (u64, Option<Role>)> =
        HashMap::with_capacity(facts.len());
    for fact in facts {
        let Some(id) = &fact.id else { continue };
        match first_seen.entry(id) {
            hash_map::Entry::Occupied(first) => errors.push(RowError {
                line: fact.line,
                column: Some("id".to_string()),
                message: format!("id {id} is already on line {}", first.get().0),
            }),
            hash_map::Entry::Vacant(entry) => {
                entry.insert((fact.line, fact.role));
            }
        }
    }

    for fact in facts {
        let Some(target) = &fact.companion_of else {
            continue;
        };
        match first_seen.get(target) {
            None => import.external_references.push((fact.line, target.clone())),
            Some((target_line, Some(Role::Companion))) => errors.push(RowError {
                line: fact.line,
                column: Some("companion_of".to_string()),
                message: format!(
                    "{target} on line {target_line} is a companion; companion_of must name a patient"
                ),
            }),
            Some(_) => {}
        }
    }

    // A companion row with a bad value still shows whom it accompanies; its
    // patient is not reported as alone, since fixing that row fixes both.
    let accompanied_by_rejected_rows: HashSet<&PersonId> = facts
        .iter()
        .filter(|fact| !fact.valid)
        .filter_map(|fact| fact.companion_of.as_ref())
        .collect();
    for child in unaccompanied_children(people, today) {
        if accompanied_by_rejected_rows.contains(child) {
            continue;
        }
        let line = first_seen.get(child).map_or(0, |(line, _)| *line);
        errors.push(RowError {
            line,
            column: None,
            message: format!(
                "{child} is a child and has no companion in the file; \
                 add a companion row with companion_of {child}"
            ),
        });
    }
}

/// Whether every field of a row is empty or spaces, as in the rows of commas
/// that spreadsheet programs write below the data.
fn is_blank(record: &csv::ByteRecord) -> bool {
    record
        .iter()
        .all(|field| field.iter().all(u8::is_ascii_whitespace))
}

fn read_record<R: io::Read>(
    reader: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
) -> Result<bool, FileError> {
    // With byte records and flexible rows, reading fails only on I/O.
    reader
        .read_byte_record(record)
        .map_err(|error| FileError::Io(into_io(error)))
}

fn into_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}
