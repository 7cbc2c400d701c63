//! CSV of clearance decisions, as a clearance liaison receives them from
//! the authority and records them in one go.
//!
//! Header row, columns in any order: `batch`, `person_id`, `decision`
//! (`cleared`, `denied` or `delayed`), `reason` (required for `denied`),
//! `decided_on` (YYYY-MM-DD, not after today; default today). The whole file
//! is read and every bad row reported with its line and column; the caller
//! records nothing unless there are none.

use std::collections::HashSet;
use std::io;

use corridor_domain::{BatchId, ClearanceOutcome, PersonId, Text};
use jiff::civil::Date;

use crate::referrals::RowError;

pub const DECISION_COLUMNS: &[&str] = &["batch", "person_id", "decision", "reason", "decided_on"];
const REQUIRED: &[&str] = &["batch", "person_id", "decision"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub line: u64,
    pub batch: BatchId,
    pub person: PersonId,
    pub outcome: ClearanceOutcome,
    pub reason: Option<Text>,
    pub decided_on: Date,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionImport {
    pub rows: Vec<DecisionRow>,
    pub errors: Vec<RowError>,
}

#[derive(Debug, thiserror::Error)]
pub enum DecisionFileError {
    #[error("could not read the file: {0}")]
    Io(#[from] io::Error),
    #[error("the file has no rows; expected a header naming the columns: {}", DECISION_COLUMNS.join(", "))]
    Empty,
    #[error("{0}")]
    Header(String),
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
}

pub fn read_decisions(
    reader: impl io::Read,
    today: Date,
) -> Result<DecisionImport, DecisionFileError> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header: Vec<String> = csv
        .headers()
        .map_err(|error| csv_error(error, 1))?
        .iter()
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(DecisionFileError::Empty);
    }
    let unknown: Vec<&str> = header
        .iter()
        .map(String::as_str)
        .filter(|name| !DECISION_COLUMNS.contains(name))
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|name| !header.iter().any(|h| h == name))
        .collect();
    let mut seen = HashSet::new();
    let repeated: Vec<&str> = header
        .iter()
        .map(String::as_str)
        .filter(|name| !seen.insert(*name))
        .collect();
    if !unknown.is_empty() || !missing.is_empty() || !repeated.is_empty() {
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("missing columns: {}", missing.join(", ")));
        }
        if !unknown.is_empty() {
            problems.push(format!("unknown columns: {}", unknown.join(", ")));
        }
        if !repeated.is_empty() {
            problems.push(format!("repeated columns: {}", repeated.join(", ")));
        }
        return Err(DecisionFileError::Header(format!(
            "the header does not match: {}; the columns are {}",
            problems.join("; "),
            DECISION_COLUMNS.join(", ")
        )));
    }
    let index = |name: &str| header.iter().position(|h| h == name);
    let mut import = DecisionImport::default();
    let mut keys = HashSet::new();
    for record in csv.records() {
        let record = record.map_err(|error| {
            let line = error.position().map_or(0, |p| p.line());
            csv_error(error, line)
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |name: &str| -> &str { index(name).and_then(|i| record.get(i)).unwrap_or("") };
        let mut errors = Vec::new();
        let mut fail = |column: &str, message: String| {
            errors.push(RowError {
                line,
                column: Some(column.to_string()),
                message,
            });
        };
        let batch = BatchId::parse(cell("batch"))
            .map_err(|e| fail("batch", e.problem))
            .ok();
        let person = PersonId::parse(cell("person_id"))
            .map_err(|e| fail("person_id", e.problem))
            .ok();
        let outcome = ClearanceOutcome::parse(cell("decision"))
            .map_err(|e| fail("decision", e.problem))
            .ok();
        let reason = match cell("reason") {
            "" => None,
            text => Text::parse("reason", text, 200)
                .map_err(|e| fail("reason", e.problem))
                .ok(),
        };
        if outcome == Some(ClearanceOutcome::Denied)
            && reason.is_none()
            && cell("reason").is_empty()
        {
            fail(
                "reason",
                "a denial needs the reason the authority gave".to_string(),
            );
        }
        let decided_on = match cell("decided_on") {
            "" => Some(today),
            text => match text.parse::<Date>() {
                Ok(date) if date > today => {
                    fail(
                        "decided_on",
                        format!("{date} is in the future (today is {today})"),
                    );
                    None
                }
                Ok(date) => Some(date),
                Err(_) => {
                    fail(
                        "decided_on",
                        format!("'{text}' is not a date; use YYYY-MM-DD"),
                    );
                    None
                }
            },
        };
        if let (Some(batch), Some(person)) = (&batch, &person)
            && !keys.insert((batch.clone(), person.clone()))
        {
            fail(
                "person_id",
                format!("{person} in {batch} appears more than once"),
            );
        }
        match (batch, person, outcome, decided_on) {
            (Some(batch), Some(person), Some(outcome), Some(decided_on)) if errors.is_empty() => {
                import.rows.push(DecisionRow {
                    line,
                    batch,
                    person,
                    outcome,
                    reason,
                    decided_on,
                });
            }
            _ => import.errors.append(&mut errors),
        }
    }
    if import.rows.is_empty() && import.errors.is_empty() {
        return Err(DecisionFileError::Empty);
    }
    Ok(import)
}

fn csv_error(error: csv::Error, line: u64) -> DecisionFileError {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => DecisionFileError::Io(error),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => DecisionFileError::Malformed {
            line,
            message: format!("the row has {len} fields but the header has {expected_len}"),
        },
        csv::ErrorKind::Utf8 { .. } => DecisionFileError::Malformed {
            line,
            message: "the file is not UTF-8 text; save it as UTF-8 CSV".to_string(),
        },
        other => DecisionFileError::Malformed {
            line,
            message: format!("{other:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 2, 5);

    #[test]
    fn reads_rows_in_any_column_order_and_defaults_the_date() {
        let file = "decision,person_id,batch,decided_on,reason\n\
                    cleared,P-1,CB-0001,2026-02-03,\n\
                    denied,P-2,CB-0001,,security objection\n";
        let import = read_decisions(file.as_bytes(), TODAY).unwrap();
        assert!(import.errors.is_empty(), "{:?}", import.errors);
        assert_eq!(import.rows.len(), 2);
        assert_eq!(import.rows[0].outcome, ClearanceOutcome::Cleared);
        assert_eq!(import.rows[0].decided_on, date(2026, 2, 3));
        assert_eq!(import.rows[1].decided_on, TODAY);
        assert_eq!(
            import.rows[1].reason.as_ref().unwrap().as_str(),
            "security objection"
        );
        assert_eq!(import.rows[1].line, 3);
    }

    #[test]
    fn every_bad_row_is_reported_with_line_and_column() {
        let file = "batch,person_id,decision,reason,decided_on\n\
                    CB-0001,P-1,approved,,\n\
                    CB-0001,P-2,denied,,\n\
                    CB 1,P-3,cleared,,2026-02-09\n\
                    CB-0001,P-4,cleared,,\n\
                    CB-0001,P-4,delayed,,\n";
        let import = read_decisions(file.as_bytes(), TODAY).unwrap();
        let errors: Vec<String> = import.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "line 2, column decision: unknown value 'approved'; expected one of: cleared, denied, delayed",
                "line 3, column reason: a denial needs the reason the authority gave",
                "line 4, column batch: 'CB 1' contains ' '; use letters, digits, '-', '_' or '.'",
                "line 4, column decided_on: 2026-02-09 is in the future (today is 2026-02-05)",
                "line 6, column person_id: P-4 in CB-0001 appears more than once",
            ]
        );
        assert_eq!(import.rows.len(), 1);
    }

    #[test]
    fn a_wrong_header_names_what_is_missing_and_unknown() {
        let error = read_decisions(
            "batch,person,decision\nCB-1,P-1,cleared\n".as_bytes(),
            TODAY,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the header does not match: missing columns: person_id; unknown columns: person; \
             the columns are batch, person_id, decision, reason, decided_on"
        );
        assert!(matches!(
            read_decisions("".as_bytes(), TODAY).unwrap_err(),
            DecisionFileError::Empty
        ));
    }
}
