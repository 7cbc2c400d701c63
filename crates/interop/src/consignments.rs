//! CSV import and export of aid consignments, one row per consignment with
//! the time of each stage it reached, as a tracking spreadsheet keeps them.
//!
//! Consignments carry no personal data (the driver is not recorded), so
//! there is nothing to pseudonymise: the export is the import format.
//!
//! # The file
//!
//! A CSV file in UTF-8 (a byte-order mark is allowed), comma-separated, with
//! a header row naming the columns (any order, matched without regard to
//! case or surrounding spaces). Rows whose fields are all empty are skipped.
//!
//! | column | required | value |
//! | --- | --- | --- |
//! | `id` | yes | consignment reference: 1 to 32 letters, digits, `-`, `_` or `.`; unique in the file and new to the registry |
//! | `agency` | yes | up to 100 characters |
//! | `category` | yes | `food`, `medical`, `shelter`, `wash`, `fuel`, `other` |
//! | `origin` | yes | where it was loaded, up to 100 characters |
//! | `crossing` | yes | the crossing where it is inspected, e.g. `kerem-shalom` |
//! | `trucks` | yes | trucks as dispatched, 1 to 1,000 |
//! | `pallets` | yes | 0 to 100,000 |
//! | `tonnes` | yes | e.g. `18` or `17.5`, up to three decimals |
//! | `dispatched_at` | yes | when it left, see below |
//! | `staging_at` … `returned_at` | no | when it entered that stage (one column per stage: `staging`, `checkpoint`, `inspection`, `cleared`, `rejected`, `unloaded`, `reloaded`, `crossed`, `collected`, `delivered`, `intercepted`, `returned`) |
//! | `rejection_reason` | with `rejected_at` | why it was rejected, e.g. `dual-use items` |
//! | `rejected_items` | no | the items objected to |
//! | `return_reason` | with `returned_at` | why it was sent back |
//! | `interception_reason` | no | e.g. `looted in transit` |
//! | `reloaded_trucks` | no | trucks after repacking onto authorised vehicles |
//! | `collected_tonnes`, `delivered_tonnes` | no | tonnes as collected, as delivered |
//!
//! Times are UTC: `2026-01-15T08:30:00Z`, `2026-01-15 08:30` or
//! `2026-01-15T08:30`, and none may be after the time of the import. Only
//! the required columns must be in the header.
//!
//! The stages a row gives are applied in pipeline order through the stage
//! table, so a row must describe a journey the pipeline allows (e.g. not
//! both `cleared_at` and `rejected_at`; nothing after `returned_at`) with
//! times that do not go backwards. A row's load is the dispatched one,
//! recounted by `reloaded_trucks`, `collected_tonnes` and `delivered_tonnes`
//! at those stages (an export writes them only where the count changed);
//! recounts made at other stages are kept in corridor's history but not
//! written to this file.
//!
//! Every problem is reported with its line (the header is line 1) and
//! column; nothing is imported unless there is none at all.

use std::collections::HashMap;
use std::io;

use corridor_domain::{
    CargoCategory, Consignment, ConsignmentCase, ConsignmentId, CrossingId, InvalidValue, Load,
    Recount, Stage, StageChange, StageEvent, Text, Tonnes,
};
use jiff::Timestamp;

use crate::cell::{read_cell, write_row};

pub use crate::referrals::RowError;

/// A problem that stops the reading of the whole file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("could not read the file: {0}")]
    Io(#[from] io::Error),
    #[error(
        "the file is empty (no rows); expected a header row naming the columns, at least: {}",
        REQUIRED_COLUMNS.join(", ")
    )]
    Empty,
    #[error("the file has a header but no rows")]
    NoRows,
    #[error(
        "the header is not as expected:{}{}{} Required columns: {}; optional: the other columns of the format ({})",
        list(" missing columns", .missing),
        list(" unknown columns", .unknown),
        list(" repeated columns", .repeated),
        REQUIRED_COLUMNS.join(", "),
        COLUMNS[REQUIRED_COLUMNS.len()..].join(", ")
    )]
    Header {
        missing: Vec<String>,
        unknown: Vec<String>,
        repeated: Vec<String>,
    },
}

fn list(label: &str, names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!("{label}: {}.", names.join(", "))
    }
}

/// The columns of the file, in the order an export writes them.
pub const COLUMNS: [&str; 28] = [
    "id",
    "agency",
    "category",
    "origin",
    "crossing",
    "trucks",
    "pallets",
    "tonnes",
    "dispatched_at",
    "staging_at",
    "checkpoint_at",
    "inspection_at",
    "cleared_at",
    "rejected_at",
    "rejection_reason",
    "rejected_items",
    "unloaded_at",
    "reloaded_at",
    "reloaded_trucks",
    "crossed_at",
    "collected_at",
    "collected_tonnes",
    "delivered_at",
    "delivered_tonnes",
    "intercepted_at",
    "interception_reason",
    "returned_at",
    "return_reason",
];

/// The columns every file must have.
pub const REQUIRED_COLUMNS: [&str; 9] = [
    "id",
    "agency",
    "category",
    "origin",
    "crossing",
    "trucks",
    "pallets",
    "tonnes",
    "dispatched_at",
];

/// The result of reading a whole file: the valid consignments with their
/// histories, and every problem found. Import only when `errors` is empty.
#[derive(Debug, Default)]
pub struct ConsignmentImport {
    pub rows: Vec<ImportedConsignment>,
    /// Sorted by line; within a line, in column order.
    pub errors: Vec<RowError>,
    /// The ids of every row, valid or not, with their line, for the registry check.
    pub ids: Vec<(u64, ConsignmentId)>,
}

impl ConsignmentImport {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedConsignment {
    pub line: u64,
    pub case: ConsignmentCase,
}

/// Reads and checks a whole file. `now` is the latest time a stage may
/// carry; `actor` is recorded as the author of every imported event.
/// `progress` is given the bytes read so far, every few thousand rows and at the end.
pub fn read_consignments(
    reader: impl io::Read,
    now: Timestamp,
    actor: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<ConsignmentImport, FileError> {
    let mut csv_reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    if !read_record(&mut csv_reader, &mut record)? {
        return Err(FileError::Empty);
    }
    let header = parse_header(&record)?;
    let mut import = ConsignmentImport::default();
    let mut first_line: HashMap<ConsignmentId, u64> = HashMap::new();
    let mut rows_read = 0u64;
    while read_record(&mut csv_reader, &mut record)? {
        if (rows_read + 1).is_multiple_of(4096) {
            progress(csv_reader.position().byte());
        }
        if record
            .iter()
            .all(|field| field.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
        rows_read += 1;
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() != header.len() {
            import.errors.push(RowError {
                line,
                column: None,
                message: format!(
                    "has {} fields but the header has {}",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        let mut row = Row {
            values: HashMap::new(),
            problems: Vec::new(),
        };
        for (name, bytes) in header.iter().zip(record.iter()) {
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    row.values.insert(name.as_str(), read_cell(text));
                }
                Err(_) => row.report(name, "is not valid UTF-8; save the file as UTF-8".into()),
            }
        }
        let case = parse_row(&mut row, now, actor);
        if let Some(id) = row
            .values
            .get("id")
            .and_then(|text| ConsignmentId::parse(text).ok())
        {
            match first_line.get(&id) {
                Some(first) => row.report("id", format!("id {id} is already on line {first}")),
                None => {
                    first_line.insert(id.clone(), line);
                }
            }
            import.ids.push((line, id));
        }
        let valid = row.problems.is_empty();
        row.problems
            .sort_by_key(|(column, _)| COLUMNS.iter().position(|c| c == column));
        import
            .errors
            .extend(row.problems.into_iter().map(|(column, message)| RowError {
                line,
                column: Some(column.to_string()),
                message,
            }));
        if let (true, Some(case)) = (valid, case) {
            import.rows.push(ImportedConsignment { line, case });
        }
    }
    progress(csv_reader.position().byte());
    if rows_read == 0 {
        return Err(FileError::NoRows);
    }
    import.errors.sort_by_key(|error| error.line);
    Ok(import)
}

/// Adds an error for every row whose id is already registered.
pub fn check_against_registry(
    import: &mut ConsignmentImport,
    registered: &std::collections::HashSet<ConsignmentId>,
) {
    for (line, id) in &import.ids {
        if registered.contains(id) {
            import.errors.push(RowError {
                line: *line,
                column: Some("id".to_string()),
                message: format!("consignment {id} already exists in the registry"),
            });
        }
    }
    import.errors.sort_by_key(|error| error.line);
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not write the export: {0}")]
    Io(#[from] io::Error),
}

/// Writes consignments with their histories, header first; returns how
/// many were written.
pub fn write_consignments<'a>(
    writer: impl io::Write,
    records: impl IntoIterator<Item = (&'a Consignment, &'a [StageEvent])>,
) -> Result<u64, ExportError> {
    let mut csv_writer = csv::Writer::from_writer(writer);
    write_row(&mut csv_writer, COLUMNS)?;
    let mut written = 0;
    for (consignment, events) in records {
        write_row(&mut csv_writer, export_row(consignment, events))?;
        written += 1;
    }
    csv_writer.flush()?;
    Ok(written)
}

/// The stages after dispatch, in the order a row's times are applied, with
/// the column of their time.
const STAGE_COLUMNS: [(Stage, &str); 12] = [
    (Stage::Staging, "staging_at"),
    (Stage::Checkpoint, "checkpoint_at"),
    (Stage::Inspection, "inspection_at"),
    (Stage::Cleared, "cleared_at"),
    (Stage::Rejected, "rejected_at"),
    (Stage::Unloaded, "unloaded_at"),
    (Stage::Reloaded, "reloaded_at"),
    (Stage::Crossed, "crossed_at"),
    (Stage::Collected, "collected_at"),
    (Stage::Delivered, "delivered_at"),
    (Stage::Intercepted, "intercepted_at"),
    (Stage::Returned, "returned_at"),
];

/// Facts that belong to one stage: (column, stage it needs).
const STAGE_FACTS: [(&str, Stage); 7] = [
    ("rejection_reason", Stage::Rejected),
    ("rejected_items", Stage::Rejected),
    ("reloaded_trucks", Stage::Reloaded),
    ("collected_tonnes", Stage::Collected),
    ("delivered_tonnes", Stage::Delivered),
    ("interception_reason", Stage::Intercepted),
    ("return_reason", Stage::Returned),
];

struct Row<'r> {
    values: HashMap<&'r str, &'r str>,
    problems: Vec<(&'static str, String)>,
}

impl Row<'_> {
    fn report(&mut self, column: &str, message: String) {
        let column = COLUMNS
            .iter()
            .copied()
            .find(|c| *c == column)
            .unwrap_or("id");
        self.problems.push((column, message));
    }

    fn text(&self, column: &str) -> Option<&str> {
        self.values
            .get(column)
            .copied()
            .filter(|text| !text.is_empty())
    }

    fn optional<T>(
        &mut self,
        column: &'static str,
        parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    ) -> Option<T> {
        let text = self.text(column)?;
        match parse(text) {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.report(column, invalid.problem);
                None
            }
        }
    }

    fn required<T>(
        &mut self,
        column: &'static str,
        parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    ) -> Option<T> {
        if self.text(column).is_none() && self.values.contains_key(column) {
            self.report(column, "is required".into());
        }
        self.optional(column, parse)
    }
}

fn parse_row(row: &mut Row, now: Timestamp, actor: &str) -> Option<ConsignmentCase> {
    let id = row.required("id", ConsignmentId::parse);
    let agency = row.required("agency", |text| {
        Text::parse("agency", text, Consignment::MAX_NAME_CHARS)
    });
    let category = row.required("category", CargoCategory::parse);
    let origin = row.required("origin", |text| {
        Text::parse("origin", text, Consignment::MAX_NAME_CHARS)
    });
    let crossing = row.required("crossing", CrossingId::parse);
    let trucks = row.required("trucks", Load::parse_trucks);
    let pallets = row.required("pallets", Load::parse_pallets);
    let tonnes = row.required("tonnes", Tonnes::parse);
    let dispatched_at = row.required("dispatched_at", |text| parse_time(text, now));
    let mut stages = Vec::new();
    for (stage, column) in STAGE_COLUMNS {
        if let Some(at) = row.optional(column, |text| parse_time(text, now)) {
            stages.push((stage, column, at));
        }
    }
    let reloaded_trucks = row.optional("reloaded_trucks", Load::parse_trucks);
    let collected_tonnes = row.optional("collected_tonnes", Tonnes::parse);
    let delivered_tonnes = row.optional("delivered_tonnes", Tonnes::parse);
    for (column, stage) in STAGE_FACTS {
        if row.text(column).is_some() && !stages.iter().any(|(s, ..)| *s == stage) {
            row.report(
                column,
                format!("is given but {stage}_at is empty; give the time of {stage} too"),
            );
        }
    }
    if !row.problems.is_empty() {
        return None;
    }
    let load = match Load::new(trucks?, pallets?, tonnes?) {
        Ok(load) => load,
        Err(invalid) => {
            row.report(invalid.field, invalid.problem);
            return None;
        }
    };
    let consignment = Consignment {
        id: id?,
        agency: agency?,
        category: category?,
        origin: origin?,
        crossing: crossing?,
        load,
    };
    let mut case = ConsignmentCase::register(consignment, dispatched_at?, actor);
    for (stage, column, at) in stages {
        let change = match StageChange::new(
            stage,
            match stage {
                Stage::Rejected => row.text("rejection_reason"),
                Stage::Returned => row.text("return_reason"),
                Stage::Intercepted => row.text("interception_reason"),
                _ => None,
            },
            match stage {
                Stage::Rejected => row.text("rejected_items"),
                _ => None,
            },
        ) {
            Ok(change) => change,
            Err(invalid) => {
                let column = match invalid.field {
                    "items" => "rejected_items",
                    _ => match stage {
                        Stage::Rejected => "rejection_reason",
                        Stage::Returned => "return_reason",
                        _ => "interception_reason",
                    },
                };
                row.report(column, invalid.problem);
                return None;
            }
        };
        let recount = Recount {
            trucks: reloaded_trucks.filter(|_| stage == Stage::Reloaded),
            pallets: None,
            tonnes: match stage {
                Stage::Collected => collected_tonnes,
                Stage::Delivered => delivered_tonnes,
                _ => None,
            },
        };
        if let Err(error) = case.apply(change, recount, at, actor, None) {
            row.report(column, error.to_string());
            return None;
        }
    }
    Some(case)
}

/// A UTC time: RFC 3339 with an offset, or a date and time without one.
fn parse_time(text: &str, now: Timestamp) -> Result<Timestamp, InvalidValue> {
    let text = corridor_domain::digits::latin_digits(text);
    let at = match text.parse::<Timestamp>() {
        Ok(at) => at,
        Err(_) => text
            .replacen(' ', "T", 1)
            .parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|local| jiff::tz::Offset::UTC.to_timestamp(local).ok())
            .ok_or_else(|| {
                InvalidValue::new(
                    "time",
                    format!(
                        "'{text}' is not a time; write it in UTC as 2026-01-15T08:30:00Z or 2026-01-15 08:30"
                    ),
                )
            })?,
    };
    if at > now {
        return Err(InvalidValue::new(
            "time",
            format!("{at} is in the future; stage times are recorded when they happen"),
        ));
    }
    Ok(at)
}

fn parse_header(record: &csv::ByteRecord) -> Result<Vec<String>, FileError> {
    let names: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(index, bytes)| {
            let bytes = match index {
                0 => bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes),
                _ => bytes,
            };
            String::from_utf8_lossy(bytes).trim().to_ascii_lowercase()
        })
        .collect();
    let mut unknown = Vec::new();
    let mut repeated = Vec::new();
    for (index, name) in names.iter().enumerate() {
        if !COLUMNS.contains(&name.as_str()) {
            unknown.push(name.clone());
        } else if names[..index].contains(name) {
            repeated.push(name.clone());
        }
    }
    let missing: Vec<String> = REQUIRED_COLUMNS
        .iter()
        .filter(|column| !names.iter().any(|name| name == *column))
        .map(|column| column.to_string())
        .collect();
    if missing.is_empty() && unknown.is_empty() && repeated.is_empty() {
        return Ok(names);
    }
    Err(FileError::Header {
        missing,
        unknown,
        repeated,
    })
}

fn read_record<R: io::Read>(
    reader: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
) -> Result<bool, FileError> {
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

fn export_row(consignment: &Consignment, events: &[StageEvent]) -> Vec<String> {
    let position = |stage: Stage| events.iter().position(|event| event.to == stage);
    let event = |stage: Stage| position(stage).map(|index| &events[index]);
    let time = |stage: Stage| {
        event(stage).map_or(String::new(), |event| {
            event.at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
        })
    };
    let reason = |stage: Stage| {
        event(stage)
            .and_then(|event| event.change.as_ref())
            .and_then(StageChange::reason)
            .map_or(String::new(), |reason| reason.to_string())
    };
    // A recount column is written only where the count changed at that
    // stage, so that an export reads back to the same file.
    let recounted = |stage: Stage, value: fn(&StageEvent) -> String| match position(stage) {
        Some(index) if index > 0 && value(&events[index]) != value(&events[index - 1]) => {
            value(&events[index])
        }
        _ => String::new(),
    };
    let trucks = |event: &StageEvent| event.load.trucks.to_string();
    let tonnes = |event: &StageEvent| event.load.tonnes.to_string();
    let load = consignment.load;
    vec![
        consignment.id.to_string(),
        consignment.agency.to_string(),
        consignment.category.to_string(),
        consignment.origin.to_string(),
        consignment.crossing.to_string(),
        load.trucks.to_string(),
        load.pallets.to_string(),
        load.tonnes.to_string(),
        time(Stage::Dispatched),
        time(Stage::Staging),
        time(Stage::Checkpoint),
        time(Stage::Inspection),
        time(Stage::Cleared),
        time(Stage::Rejected),
        reason(Stage::Rejected),
        event(Stage::Rejected)
            .and_then(|event| event.change.as_ref())
            .and_then(StageChange::items)
            .map_or(String::new(), |items| items.to_string()),
        time(Stage::Unloaded),
        time(Stage::Reloaded),
        recounted(Stage::Reloaded, trucks),
        time(Stage::Crossed),
        time(Stage::Collected),
        recounted(Stage::Collected, tonnes),
        time(Stage::Delivered),
        recounted(Stage::Delivered, tonnes),
        time(Stage::Intercepted),
        reason(Stage::Intercepted),
        time(Stage::Returned),
        reason(Stage::Returned),
    ]
}
