//! CSV of clearance decisions, as a clearance liaison receives them from
//! the authority and records them in one go.
//!
//! Header row, columns in any order: `batch`, `person_id`, `decision`
//! (`cleared`, `denied` or `delayed`), `reason_code` (a denial's or delay's
//! reason code from the list of codes in use: required for `denied`,
//! `no-answer` when a delay leaves it empty, empty for `cleared`), `note`
//! (optional; required with the code `other`; it stays with the person's
//! record), `decided_on` (YYYY-MM-DD, not after today; default today).
//! The columns `role`, `patient` and `group` that a batch file carries
//! ([`crate::batch_file`]) are read past. A row whose decision, reason,
//! note and date are all empty is not answered yet: it is counted, not
//! refused. The whole file is read and every bad row reported with its line
//! and column; the caller records nothing unless there are none.

use std::collections::HashSet;
use std::io;

use corridor_domain::{BatchId, ClearanceOutcome, PersonId, Reason, ReasonCatalogue};
use jiff::civil::Date;

use crate::cell::read_cell;
use crate::referrals::RowError;

pub const DECISION_COLUMNS: &[&str] = &[
    "batch",
    "person_id",
    "decision",
    "reason_code",
    "note",
    "decided_on",
];
const REQUIRED: &[&str] = &["batch", "person_id", "decision"];
/// Columns of a batch file that help the authority and are not read back.
pub const INFORMATION_COLUMNS: &[&str] = &["role", "patient", "group"];
/// The columns that make an answer; a row with all of them empty has none.
const ANSWER_COLUMNS: &[&str] = &["decision", "reason_code", "note", "decided_on"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub line: u64,
    pub batch: BatchId,
    pub person: PersonId,
    pub outcome: ClearanceOutcome,
    /// A denial's or delay's reason; `None` for a clearance.
    pub reason: Option<Reason>,
    pub decided_on: Date,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionImport {
    pub rows: Vec<DecisionRow>,
    pub errors: Vec<RowError>,
    /// Rows with no answer yet (their request stays pending).
    pub unanswered: u64,
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

/// Reads a decisions file; reason codes are checked against `reasons`.
pub fn read_decisions(
    reader: impl io::Read,
    today: Date,
    reasons: &ReasonCatalogue,
) -> Result<DecisionImport, DecisionFileError> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
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
        .filter(|name| !DECISION_COLUMNS.contains(name) && !INFORMATION_COLUMNS.contains(name))
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
            let hint = if unknown.contains(&"reason") {
                " (the free-text reason is now a reason_code, with an optional note)"
            } else {
                ""
            };
            problems.push(format!("unknown columns: {}{hint}", unknown.join(", ")));
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
        let cell = |name: &str| -> &str {
            index(name)
                .and_then(|i| record.get(i))
                .map_or("", read_cell)
        };
        if ANSWER_COLUMNS.iter().all(|name| cell(name).is_empty()) {
            import.unanswered += 1;
            continue;
        }
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
        let (code, note) = (cell("reason_code"), cell("note"));
        let reason = match outcome.map(ClearanceOutcome::reason_kind) {
            None => None,
            Some(None) => {
                if !code.is_empty() || !note.is_empty() {
                    let column = if code.is_empty() {
                        "note"
                    } else {
                        "reason_code"
                    };
                    fail(
                        column,
                        "a clearance takes no reason; leave reason_code and note empty".to_string(),
                    );
                }
                None
            }
            Some(Some(kind)) => Reason::parse(kind, Some(code), Some(note))
                .and_then(|reason| reasons.check(&reason).map(|()| reason))
                .map_err(|invalid| fail(invalid.field, invalid.problem))
                .ok(),
        };
        let decided_on = match cell("decided_on") {
            "" => Some(today),
            text => match corridor_domain::digits::latin_digits(text).parse::<Date>() {
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
    if import.rows.is_empty() && import.errors.is_empty() && import.unanswered == 0 {
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
    use corridor_domain::{ReasonCode, ReasonEntry, ReasonKind};
    use jiff::civil::date;

    const TODAY: Date = date(2026, 2, 5);

    fn reasons() -> ReasonCatalogue {
        let entry = |kind: ReasonKind, code: &str, in_use: bool| ReasonEntry {
            kind,
            code: ReasonCode::parse(code).unwrap(),
            label: code.to_string(),
            in_use,
        };
        ReasonCatalogue::new(vec![
            entry(ReasonKind::Denied, "security-objection", true),
            entry(ReasonKind::Denied, "watch-list", false),
            entry(ReasonKind::Denied, "other", true),
            entry(ReasonKind::Delayed, "no-answer", true),
            entry(ReasonKind::Delayed, "other", true),
        ])
    }

    fn read(file: &str) -> Result<DecisionImport, DecisionFileError> {
        read_decisions(file.as_bytes(), TODAY, &reasons())
    }

    #[test]
    fn reads_rows_in_any_column_order_and_defaults_the_date() {
        let file = "decision,person_id,batch,decided_on,reason_code,note\n\
                    cleared,P-1,CB-0001,2026-02-03,,\n\
                    denied,P-2,CB-0001,,security-objection,asked twice\n\
                    delayed,P-3,CB-0001,,,\n";
        let import = read(file).unwrap();
        assert!(import.errors.is_empty(), "{:?}", import.errors);
        assert_eq!(import.rows.len(), 3);
        assert_eq!(import.rows[0].outcome, ClearanceOutcome::Cleared);
        assert_eq!(import.rows[0].reason, None);
        assert_eq!(import.rows[0].decided_on, date(2026, 2, 3));
        assert_eq!(import.rows[1].decided_on, TODAY);
        let denial = import.rows[1].reason.as_ref().unwrap();
        assert_eq!(
            (denial.kind, denial.code.as_str()),
            (ReasonKind::Denied, "security-objection")
        );
        assert_eq!(denial.note.as_ref().unwrap().as_str(), "asked twice");
        assert_eq!(import.rows[1].line, 3);
        let delay = import.rows[2].reason.as_ref().unwrap();
        assert_eq!(delay.code.as_str(), "no-answer");
    }

    #[test]
    fn every_bad_row_is_reported_with_line_and_column() {
        let file = "batch,person_id,decision,reason_code,note,decided_on\n\
                    CB-0001,P-1,approved,,,\n\
                    CB-0001,P-2,denied,,,\n\
                    CB 1,P-3,cleared,,,2026-02-09\n\
                    CB-0001,P-4,cleared,,,\n\
                    CB-0001,P-4,delayed,,,\n\
                    CB-0001,P-5,denied,brother on a list,,\n\
                    CB-0001,P-6,denied,watch-list,,\n\
                    CB-0001,P-7,denied,other,,\n\
                    CB-0001,P-8,cleared,security-objection,,\n";
        let import = read(file).unwrap();
        let errors: Vec<String> = import.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "line 2, column decision: unknown value 'approved'; expected one of: cleared, denied, delayed",
                "line 3, column reason_code: is required: give the code of the reason (clearance denied)",
                "line 4, column batch: 'CB 1' contains ' '; use letters, digits, '-', '_' or '.'",
                "line 4, column decided_on: 2026-02-09 is in the future (today is 2026-02-05)",
                "line 6, column person_id: P-4 in CB-0001 appears more than once",
                "line 7, column reason_code: 'brother on a list' contains ' '; a code is lowercase letters, digits and '-'",
                "line 8, column reason_code: 'watch-list' is no longer in use for clearance denied; use one of: security-objection, other",
                "line 9, column note: the reason code 'other' needs a note saying what the reason was (clearance denied)",
                "line 10, column reason_code: a clearance takes no reason; leave reason_code and note empty",
            ]
        );
        assert_eq!(import.rows.len(), 1);
    }

    #[test]
    fn a_wrong_header_names_what_is_missing_and_unknown() {
        let error = read("batch,person,decision\nCB-1,P-1,cleared\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the header does not match: missing columns: person_id; unknown columns: person; \
             the columns are batch, person_id, decision, reason_code, note, decided_on"
        );
        let error = read("batch,person_id,decision,reason\nCB-1,P-1,denied,x\n").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("unknown columns: reason (the free-text reason is now a reason_code, with an optional note)"),
            "{error}"
        );
        assert!(matches!(read("").unwrap_err(), DecisionFileError::Empty));
    }
}
