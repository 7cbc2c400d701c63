//! A clearance batch as a file for the clearing authority, CSV or XLSX,
//! and the same file read back with the authority's answers.
//!
//! The file lists the requests still waiting for an answer, a companion
//! right after their patient, with the columns of a decisions file
//! ([`crate::decisions`]) left empty for the authority to fill, and the
//! columns `role`, `patient` and `group` to help them. An answered file is
//! read by [`read_decisions`] whatever its format: an XLSX file's first
//! sheet is turned into the same rows first, so both formats pass the one
//! check of the CLI's `clearance import`.

use std::io::{self, Cursor};

use calamine::{Data, Reader, Xlsx};
use corridor_domain::{BatchId, ClearanceGroup, PersonId, ReasonCatalogue, Role};
use jiff::civil::{Date, date};
use rust_xlsxwriter::{Format, Workbook};

use crate::cell::{write_cell, write_row};
use crate::decisions::{DecisionFileError, DecisionImport, read_decisions};

/// The columns of a batch file, in order.
pub const BATCH_FILE_COLUMNS: &[&str] = &[
    "batch",
    "person_id",
    "role",
    "patient",
    "group",
    "decision",
    "reason_code",
    "note",
    "decided_on",
];

/// One request waiting for the authority's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchFileRow {
    pub batch: BatchId,
    pub person: PersonId,
    pub role: Role,
    /// The patient a companion goes with.
    pub patient: Option<PersonId>,
    pub group: ClearanceGroup,
}

impl BatchFileRow {
    fn cells(&self) -> [&str; 9] {
        [
            self.batch.as_str(),
            self.person.as_str(),
            self.role.as_str(),
            self.patient.as_ref().map_or("", PersonId::as_str),
            self.group.label(),
            "",
            "",
            "",
            "",
        ]
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BatchFileError {
    #[error("could not write the spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("could not write the file: {0}")]
    Csv(#[from] csv::Error),
    #[error("could not write the file: {0}")]
    Io(#[from] io::Error),
}

/// The batch as CSV.
pub fn batch_csv(rows: &[BatchFileRow]) -> Result<Vec<u8>, BatchFileError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(BATCH_FILE_COLUMNS)?;
    for row in rows {
        write_row(&mut writer, row.cells())?;
    }
    writer
        .into_inner()
        .map_err(|error| BatchFileError::Io(error.into_error()))
}

/// The batch as an XLSX workbook of one sheet; every cell is text, so that
/// nothing in it is taken for a formula or a number.
pub fn batch_xlsx(rows: &[BatchFileRow]) -> Result<Vec<u8>, BatchFileError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("batch")?;
    let header = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (column, name) in (0u16..).zip(BATCH_FILE_COLUMNS) {
        sheet.write_string_with_format(0, column, *name, &header)?;
        sheet.set_column_width(column, 14)?;
        // Typed answers stay text: a date typed in decided_on is not
        // turned into a number of days.
        sheet.set_column_format(column, &text)?;
    }
    for (line, row) in (1u32..).zip(rows) {
        for (column, value) in (0u16..).zip(row.cells()) {
            if !value.is_empty() {
                sheet.write_string(line, column, value)?;
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// Reads the authority's answers from an XLSX batch file (its first sheet)
/// with the same check as a CSV decisions file; lines are the sheet's rows.
pub fn read_decisions_xlsx(
    bytes: &[u8],
    today: Date,
    reasons: &ReasonCatalogue,
) -> Result<DecisionImport, DecisionFileError> {
    let not_a_workbook = |detail: String| DecisionFileError::Malformed {
        line: 1,
        message: format!(
            "the file is not an XLSX workbook that can be read ({detail}); save it as .xlsx or .csv"
        ),
    };
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|error| not_a_workbook(error.to_string()))?;
    let sheet = workbook
        .worksheet_range_at(0)
        .ok_or(DecisionFileError::Empty)?
        .map_err(|error| not_a_workbook(error.to_string()))?;
    let (first_row, _) = sheet.start().unwrap_or((0, 0));
    let mut csv = csv::Writer::from_writer(Vec::new());
    for row in sheet.rows() {
        let cells = row
            .iter()
            .map(|cell| write_cell(&cell_text(cell)).into_owned());
        csv.write_record(cells)
            .map_err(|error| DecisionFileError::Malformed {
                line: 1,
                message: error.to_string(),
            })?;
    }
    let text = csv
        .into_inner()
        .map_err(|error| DecisionFileError::Io(error.into_error()))?;
    // Rows above the sheet's first cell are not in the range; lines are
    // counted as the spreadsheet shows them.
    let offset = u64::from(first_row);
    let mut import =
        read_decisions(text.as_slice(), today, reasons).map_err(|error| match error {
            DecisionFileError::Malformed { line, message } => DecisionFileError::Malformed {
                line: line + offset,
                message,
            },
            other => other,
        })?;
    for row in &mut import.rows {
        row.line += offset;
    }
    for error in &mut import.errors {
        error.line += offset;
    }
    Ok(import)
}

/// A cell as the text a CSV file would hold.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(number) => number.to_string(),
        Data::Float(number) => number.to_string(),
        Data::Bool(value) => value.to_string(),
        // A date the spreadsheet kept as a date reads as YYYY-MM-DD.
        Data::DateTime(value) => excel_date(value.as_f64())
            .map_or_else(|| value.as_f64().to_string(), |day| day.to_string()),
    }
}

/// The day of a spreadsheet serial date (days since 1899-12-30).
fn excel_date(serial: f64) -> Option<Date> {
    let days = serial.floor();
    if !(1.0..=2_958_465.0).contains(&days) {
        return None;
    }
    date(1899, 12, 30)
        .checked_add(jiff::Span::new().days(days as i64))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_domain::{ClearanceOutcome, ReasonCode, ReasonEntry, ReasonKind};

    const TODAY: Date = date(2026, 2, 5);

    fn reasons() -> ReasonCatalogue {
        let entry = |kind: ReasonKind, code: &str| ReasonEntry {
            kind,
            code: ReasonCode::parse(code).unwrap(),
            label: code.to_string(),
            in_use: true,
        };
        ReasonCatalogue::new(vec![
            entry(ReasonKind::Denied, "security-objection"),
            entry(ReasonKind::Delayed, "no-answer"),
        ])
    }

    fn rows() -> Vec<BatchFileRow> {
        let id = |text: &str| PersonId::parse(text).unwrap();
        let row =
            |person: &str, role: Role, patient: Option<&str>, group: ClearanceGroup| BatchFileRow {
                batch: BatchId::parse("CB-0007").unwrap(),
                person: id(person),
                role,
                patient: patient.map(id),
                group,
            };
        vec![
            row(
                "P-000001",
                Role::Patient,
                None,
                ClearanceGroup::AdultPatients,
            ),
            row(
                "P-000002",
                Role::Companion,
                Some("P-000001"),
                ClearanceGroup::Companions,
            ),
            row(
                "P-000003",
                Role::Patient,
                None,
                ClearanceGroup::ChildPatients,
            ),
        ]
    }

    /// The authority's answers, by row of the file (row 0 is the header):
    /// (row, decision, reason_code, decided_on).
    const ANSWERS: [(u32, &str, &str, &str); 2] = [
        (1, "cleared", "", "2026-02-04"),
        (2, "denied", "security-objection", ""),
    ];

    fn answered(import: &DecisionImport) -> Vec<(String, ClearanceOutcome, Option<String>, Date)> {
        import
            .rows
            .iter()
            .map(|row| {
                (
                    row.person.to_string(),
                    row.outcome,
                    row.reason.as_ref().map(|r| r.code.as_str().to_string()),
                    row.decided_on,
                )
            })
            .collect()
    }

    fn expected() -> Vec<(String, ClearanceOutcome, Option<String>, Date)> {
        vec![
            (
                "P-000001".to_string(),
                ClearanceOutcome::Cleared,
                None,
                date(2026, 2, 4),
            ),
            (
                "P-000002".to_string(),
                ClearanceOutcome::Denied,
                Some("security-objection".to_string()),
                TODAY,
            ),
        ]
    }

    #[test]
    fn a_csv_batch_file_filled_in_reads_back_as_the_answers() {
        let file = String::from_utf8(batch_csv(&rows()).unwrap()).unwrap();
        let mut lines: Vec<String> = file.lines().map(str::to_string).collect();
        assert_eq!(lines[0], BATCH_FILE_COLUMNS.join(","));
        assert_eq!(
            lines[2],
            "CB-0007,P-000002,companion,P-000001,companions,,,,"
        );
        for (row, decision, code, decided_on) in ANSWERS {
            let line = &mut lines[row as usize];
            let kept = line.trim_end_matches(',').to_string();
            *line = format!("{kept},{decision},{code},,{decided_on}");
        }
        let import = read_decisions(lines.join("\n").as_bytes(), TODAY, &reasons()).unwrap();
        assert!(import.errors.is_empty(), "{:?}", import.errors);
        assert_eq!(answered(&import), expected());
        assert_eq!(import.unanswered, 1);
    }

    #[test]
    fn an_xlsx_batch_file_filled_in_reads_back_as_the_answers() {
        let blank = batch_xlsx(&rows()).unwrap();
        // Fill the answers as the authority would: the sheet as read, with
        // the answer cells written in, and the date as a spreadsheet date.
        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(blank)).unwrap();
        let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
        let mut filled = Workbook::new();
        let out = filled.add_worksheet();
        for (line, row) in (0u32..).zip(sheet.rows()) {
            for (column, cell) in (0u16..).zip(row) {
                out.write_string(line, column, cell_text(cell)).unwrap();
            }
        }
        let date_format = Format::new().set_num_format("yyyy-mm-dd");
        for (row, decision, code, decided_on) in ANSWERS {
            out.write_string(row, 5, decision).unwrap();
            out.write_string(row, 6, code).unwrap();
            if let Ok(day) = decided_on.parse::<Date>() {
                let serial = date(1899, 12, 30).until(day).unwrap().get_days();
                out.write_number_with_format(row, 8, f64::from(serial), &date_format)
                    .unwrap();
            }
        }
        let bytes = filled.save_to_buffer().unwrap();
        let import = read_decisions_xlsx(&bytes, TODAY, &reasons()).unwrap();
        assert!(import.errors.is_empty(), "{:?}", import.errors);
        assert_eq!(answered(&import), expected());
        assert_eq!(import.unanswered, 1);
    }

    #[test]
    fn a_bad_row_of_an_xlsx_file_is_named_by_its_row_in_the_sheet() {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        // The table starts on the third row of the sheet.
        for (column, name) in (0u16..).zip(BATCH_FILE_COLUMNS) {
            sheet.write_string(2, column, *name).unwrap();
        }
        for (column, value) in (0u16..).zip([
            "CB-0007",
            "P-000001",
            "patient",
            "",
            "adult patients",
            "denied",
        ]) {
            sheet.write_string(3, column, value).unwrap();
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let import = read_decisions_xlsx(&bytes, TODAY, &reasons()).unwrap();
        let errors: Vec<String> = import.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "line 4, column reason_code: is required: give the code of the reason (clearance denied)"
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused_in_words() {
        let error = read_decisions_xlsx(b"batch,person_id\n", TODAY, &reasons()).unwrap_err();
        assert!(
            error.to_string().contains("not an XLSX workbook"),
            "{error}"
        );
    }
}
