//! Rows bound to the audit chain.
//!
//! Every table of corridor's data is *covered*: each row it holds was
//! written by a change whose audit entry recorded the row's digest (a
//! *witness*, in `audit_rows`). [`COVERED`] names the tables and their keys;
//! the triggers of migration 0007 record which rows each statement wrote, and
//! the unit of work ([`crate::unit_of_work`]) turns them into witnesses.
//! `audit verify` recomputes every row's digest and compares it with the
//! newest witness of its key.
//!
//! Not covered, deliberately: the audit tables themselves (the chain covers
//! them), web sessions (they change on every request and are not registry
//! data), the sign-in throttle (attempts are counted before a password is
//! checked; each outcome is audited) and sqlx's own migration table.

use std::collections::{BTreeMap, HashMap, HashSet};

use sha2::{Digest, Sha256};
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{Column, Row, ValueRef};

use crate::StoreError;

/// How a key column is bound in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Text,
    Integer,
}

/// A table whose rows are bound to the audit chain.
#[derive(Debug)]
pub(crate) struct Covered {
    pub table: &'static str,
    /// What one row is, for messages: "person", "status event".
    pub noun: &'static str,
    /// The columns of its primary (or unique) key, in the order the
    /// triggers record them.
    pub key: &'static [(&'static str, KeyKind)],
}

use KeyKind::{Integer, Text};

/// Every covered table, parents before children (the order a restore
/// inserts them in).
pub(crate) const COVERED: &[Covered] = &[
    covered("crossings", "crossing", &[("id", Text)]),
    covered(
        "quotas",
        "quota",
        &[
            ("crossing", Text),
            ("direction", Text),
            ("category", Text),
            ("valid_from", Text),
        ],
    ),
    covered("countries", "country", &[("code", Text)]),
    covered("facilities", "facility", &[("id", Text)]),
    covered(
        "facility_beds",
        "bed offer",
        &[("facility", Text), ("specialty", Text), ("from_date", Text)],
    ),
    covered("figures", "figure", &[("key", Text), ("date", Text)]),
    covered(
        "crossing_rules",
        "crossing rule set",
        &[("crossing", Text), ("valid_from", Text)],
    ),
    covered(
        "luggage_rule_sets",
        "luggage rule set",
        &[("crossing", Text), ("version", Integer)],
    ),
    covered(
        "reason_codes",
        "reason code",
        &[("kind", Text), ("code", Text)],
    ),
    covered("organisations", "organisation", &[("id", Text)]),
    covered("users", "account", &[("username", Text)]),
    covered("persons", "person", &[("id", Text)]),
    covered(
        "status_events",
        "status event",
        &[("person_id", Text), ("version", Integer)],
    ),
    covered("clearance_batches", "clearance batch", &[("id", Text)]),
    covered(
        "clearance_requests",
        "clearance request",
        &[("batch_id", Text), ("person_id", Text)],
    ),
    covered(
        "bed_holds",
        "bed hold",
        &[("person_id", Text), ("hold", Integer)],
    ),
    covered(
        "manifests",
        "manifest",
        &[("crossing", Text), ("date", Text), ("direction", Text)],
    ),
    covered(
        "manifest_entries",
        "manifest entry",
        &[
            ("crossing", Text),
            ("date", Text),
            ("direction", Text),
            ("person_id", Text),
        ],
    ),
    covered(
        "plan_overrides",
        "plan override",
        &[
            ("crossing", Text),
            ("date", Text),
            ("direction", Text),
            ("person_id", Text),
        ],
    ),
    covered(
        "companion_replacements",
        "companion replacement",
        &[("replaced", Text)],
    ),
    covered(
        "luggage_declarations",
        "luggage declaration",
        &[("person_id", Text)],
    ),
    covered(
        "luggage_lines",
        "luggage line",
        &[("person_id", Text), ("position", Integer)],
    ),
    covered(
        "contacts",
        "contact",
        &[("person_id", Text), ("number", Integer)],
    ),
    covered(
        "assembly_points",
        "assembly point",
        &[("crossing", Text), ("date", Text), ("number", Integer)],
    ),
    covered(
        "call_days",
        "call day",
        &[("crossing", Text), ("date", Text)],
    ),
    covered(
        "party_assembly",
        "party's assembly point",
        &[("crossing", Text), ("date", Text), ("party", Text)],
    ),
    covered(
        "call_outcomes",
        "call outcome",
        &[
            ("crossing", Text),
            ("date", Text),
            ("party", Text),
            ("attempt", Integer),
        ],
    ),
    covered(
        "standby_entries",
        "standby entry",
        &[
            ("crossing", Text),
            ("date", Text),
            ("direction", Text),
            ("person_id", Text),
        ],
    ),
    covered(
        "manifest_amendments",
        "manifest amendment",
        &[
            ("crossing", Text),
            ("date", Text),
            ("direction", Text),
            ("id", Integer),
        ],
    ),
    covered("consignments", "consignment", &[("id", Text)]),
    covered(
        "stage_events",
        "stage event",
        &[("consignment_id", Text), ("version", Integer)],
    ),
    covered("notices", "notice", &[("id", Integer)]),
    covered("api_tokens", "API token", &[("id", Text)]),
    covered(
        "break_glass_grants",
        "break-the-glass grant",
        &[
            ("username", Text),
            ("person_id", Text),
            ("granted_at", Integer),
        ],
    ),
];

/// Tables that are not covered, and why (see the module documentation).
pub(crate) const NOT_COVERED: &[&str] = &[
    "audit_log",
    "audit_head",
    "audit_rows",
    "audit_pending",
    "web_sessions",
    // Sign-in attempts are counted before the password is checked, outside
    // any audited change; the outcome of each attempt is audited.
    "sign_in_throttle",
    "_sqlx_migrations",
];

const fn covered(
    table: &'static str,
    noun: &'static str,
    key: &'static [(&'static str, KeyKind)],
) -> Covered {
    Covered { table, noun, key }
}

/// The tables whose rows are bound to the audit chain.
pub fn covered_tables() -> Vec<&'static str> {
    COVERED.iter().map(|covered| covered.table).collect()
}

/// The tables deliberately left out of the binding.
pub fn uncovered_tables() -> &'static [&'static str] {
    NOT_COVERED
}

pub(crate) fn covered_table(table: &str) -> Option<&'static Covered> {
    COVERED.iter().find(|covered| covered.table == table)
}

/// A row's key: its key columns' values as text, in [`Covered::key`] order.
pub(crate) type RowKey = Vec<String>;

/// The key as stored in `audit_rows.row_key`: a JSON array of strings.
pub(crate) fn encode_key(key: &RowKey) -> String {
    serde_json::to_string(key).unwrap_or_default()
}

pub(crate) fn decode_key(text: &str) -> Option<RowKey> {
    serde_json::from_str(text).ok()
}

/// The key as people read it: `P-000123` or `P-000123/4`.
pub(crate) fn display_key(key: &RowKey) -> String {
    key.join("/")
}

/// One value of a row, owned (a backup copies rows).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Integer(i64),
    Double(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A whole row: every column by name.
pub(crate) type RowValues = BTreeMap<String, Value>;

/// Reads every column of a `SELECT *` row, whatever its type.
pub(crate) fn row_values(row: &AnyRow) -> Result<RowValues, StoreError> {
    let mut values = BTreeMap::new();
    for (index, column) in row.columns().iter().enumerate() {
        let value = match read_cell(row, index)? {
            Cell::Null => Value::Null,
            Cell::Integer(number) => Value::Integer(number),
            Cell::Double(number) => Value::Double(number),
            Cell::Text(text) => Value::Text(text.to_string()),
            Cell::Blob(bytes) => Value::Blob(bytes.to_vec()),
        };
        values.insert(column.name().to_string(), value);
    }
    Ok(values)
}

/// One value of a row as the digest reads it, borrowed from the row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'r> {
    Null,
    Integer(i64),
    Double(f64),
    Text(&'r str),
    Blob(&'r [u8]),
}

fn read_cell(row: &AnyRow, index: usize) -> Result<Cell<'_>, StoreError> {
    let raw = row.try_get_raw(index)?;
    if raw.is_null() {
        return Ok(Cell::Null);
    }
    Ok(match raw.type_info().kind() {
        AnyTypeInfoKind::Null => Cell::Null,
        AnyTypeInfoKind::Bool
        | AnyTypeInfoKind::SmallInt
        | AnyTypeInfoKind::Integer
        | AnyTypeInfoKind::BigInt => Cell::Integer(row.try_get(index)?),
        AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => Cell::Double(row.try_get(index)?),
        AnyTypeInfoKind::Text => Cell::Text(row.try_get(index)?),
        AnyTypeInfoKind::Blob => Cell::Blob(row.try_get(index)?),
    })
}

/// Reads the key and digest of the rows of one covered table's
/// `SELECT *`. Where the columns are is found once, from the first row,
/// because verifying reads every row of the database.
pub(crate) struct RowDigester {
    covered: &'static Covered,
    /// Every column's name and position, in name order (the digest's).
    columns: Vec<(String, usize)>,
    /// The positions of the key columns, in [`Covered::key`] order.
    key: Vec<usize>,
}

impl RowDigester {
    pub(crate) fn new(covered: &'static Covered, row: &AnyRow) -> Result<RowDigester, StoreError> {
        let mut columns: Vec<(String, usize)> = row
            .columns()
            .iter()
            .enumerate()
            .map(|(index, column)| (column.name().to_string(), index))
            .collect();
        columns.sort();
        let key = covered
            .key
            .iter()
            .map(|(name, _)| {
                columns
                    .iter()
                    .find(|(column, _)| column == name)
                    .map(|(_, index)| *index)
                    .ok_or_else(|| {
                        StoreError::corrupt(covered.table, *name, "the key column is missing")
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(RowDigester {
            covered,
            columns,
            key,
        })
    }

    /// The row's key: its key columns' values as text.
    pub(crate) fn key(&self, row: &AnyRow) -> Result<RowKey, StoreError> {
        self.key
            .iter()
            .zip(self.covered.key)
            .map(|(index, (column, _))| match read_cell(row, *index)? {
                Cell::Integer(number) => Ok(number.to_string()),
                Cell::Text(text) => Ok(text.to_string()),
                other => Err(StoreError::corrupt(
                    self.covered.table,
                    format!("{other:?}"),
                    format!("no usable key column {column}"),
                )),
            })
            .collect()
    }

    pub(crate) fn digest(&self, row: &AnyRow) -> Result<String, StoreError> {
        let mut cells = Vec::with_capacity(self.columns.len());
        for (name, index) in &self.columns {
            cells.push((name.as_str(), read_cell(row, *index)?));
        }
        Ok(cells_digest(&cells))
    }
}

/// SHA-256 of a row's cells, given in column-name order. NULL columns are
/// left out, so that a column added later (NULL in every old row) does not
/// change old rows' digests. Integers and floats keep their exact value, so
/// SQLite and PostgreSQL give the same digest.
pub(crate) fn cells_digest(cells: &[(&str, Cell<'_>)]) -> String {
    let mut hasher = Sha256::new();
    for (column, cell) in cells {
        let integer;
        let double;
        let (tag, bytes): (&str, &[u8]) = match cell {
            Cell::Null => continue,
            Cell::Integer(number) => {
                integer = number.to_string();
                ("i", integer.as_bytes())
            }
            Cell::Double(number) => {
                double = number.to_bits().to_be_bytes();
                ("f", &double)
            }
            Cell::Text(text) => ("t", text.as_bytes()),
            Cell::Blob(bytes) => ("b", bytes),
        };
        for field in [column.as_bytes(), tag.as_bytes(), bytes] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field);
        }
    }
    hex::encode(hasher.finalize())
}

/// What a change left of one row: its digest, or nothing if it deleted it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Witness {
    pub table: String,
    pub key: String,
    /// Empty for a deleted row.
    pub digest: String,
}

/// The digest of all the witnesses of one audit entry, which the entry's
/// hash covers; empty when the entry wrote no row (a read).
pub(crate) fn witnesses_digest(witnesses: &[Witness]) -> String {
    if witnesses.is_empty() {
        return String::new();
    }
    let mut sorted: Vec<&Witness> = witnesses.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for witness in sorted {
        for field in [&witness.table, &witness.key, &witness.digest] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field.as_bytes());
        }
    }
    hex::encode(hasher.finalize())
}

/// Where the rows of the database and their newest witnesses disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RowMismatch {
    /// The row differs from what its last change wrote.
    Edited,
    /// No change of corridor's wrote this row.
    Inserted,
    /// A change of corridor's wrote this row and none deleted it.
    Deleted,
}

/// The newest witness of each key of one table: its digest (empty if the
/// row was deleted) and the audit entry that recorded it.
pub(crate) type NewestWitnesses = HashMap<String, (String, u64)>;

/// Compares the rows of one table (key to digest) with the newest witness
/// of each key.
pub(crate) fn compare_rows(
    actual: &HashMap<String, String>,
    expected: &NewestWitnesses,
) -> Vec<(String, RowMismatch)> {
    let mut mismatches = Vec::new();
    for (key, digest) in actual {
        match expected.get(key).map(|(witnessed, _)| witnessed) {
            Some(witnessed) if witnessed == digest => {}
            Some(witnessed) if witnessed.is_empty() => {
                mismatches.push((key.clone(), RowMismatch::Inserted));
            }
            Some(_) => mismatches.push((key.clone(), RowMismatch::Edited)),
            None => mismatches.push((key.clone(), RowMismatch::Inserted)),
        }
    }
    for (key, (witnessed, _)) in expected {
        if !witnessed.is_empty() && !actual.contains_key(key) {
            mismatches.push((key.clone(), RowMismatch::Deleted));
        }
    }
    mismatches.sort_by(|a, b| a.0.cmp(&b.0));
    mismatches
}

/// The distinct keys in a list of pending keys, per table.
pub(crate) fn group_keys(
    pending: impl IntoIterator<Item = (String, RowKey)>,
) -> BTreeMap<String, Vec<RowKey>> {
    let mut seen = HashSet::new();
    let mut grouped: BTreeMap<String, Vec<RowKey>> = BTreeMap::new();
    for (table, key) in pending {
        if seen.insert((table.clone(), key.clone())) {
            grouped.entry(table).or_default().push(key);
        }
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(row: &BTreeMap<&'static str, Cell<'static>>) -> String {
        let cells: Vec<(&str, Cell<'_>)> = row.iter().map(|(name, cell)| (*name, *cell)).collect();
        cells_digest(&cells)
    }

    #[test]
    fn a_digest_changes_with_any_value_but_not_with_a_null_column() {
        let base: BTreeMap<&str, Cell> = [
            ("id", Cell::Text("P-1")),
            ("version", Cell::Integer(2)),
            ("share", Cell::Double(0.5)),
        ]
        .into();
        let original = digest(&base);
        let mut with_null = base.clone();
        with_null.insert("added_later", Cell::Null);
        assert_eq!(digest(&with_null), original);

        let mut edited = base.clone();
        edited.insert("version", Cell::Integer(3));
        assert_ne!(digest(&edited), original);
        let mut as_text = base.clone();
        as_text.insert("version", Cell::Text("2"));
        assert_ne!(digest(&as_text), original, "the type is part of the digest");
        let mut moved = base.clone();
        moved.insert("id", Cell::Text("P-"));
        moved.insert("idx", Cell::Text("1"));
        assert_ne!(digest(&moved), original, "fields are length-prefixed");
        let mut as_blob = base.clone();
        as_blob.insert("id", Cell::Blob(b"P-1"));
        assert_ne!(digest(&as_blob), original);
    }

    #[test]
    fn comparing_rows_names_each_kind_of_change() {
        let actual: HashMap<String, String> = [
            ("same".to_string(), "d1".to_string()),
            ("edited".to_string(), "new".to_string()),
            ("inserted".to_string(), "d3".to_string()),
            ("revived".to_string(), "d4".to_string()),
        ]
        .into();
        let expected: NewestWitnesses = [
            ("same", "d1"),
            ("edited", "old"),
            ("deleted", "d5"),
            ("gone", ""),
            ("revived", ""),
        ]
        .into_iter()
        .map(|(key, digest)| (key.to_string(), (digest.to_string(), 1)))
        .collect();
        assert_eq!(
            compare_rows(&actual, &expected),
            vec![
                ("deleted".to_string(), RowMismatch::Deleted),
                ("edited".to_string(), RowMismatch::Edited),
                ("inserted".to_string(), RowMismatch::Inserted),
                ("revived".to_string(), RowMismatch::Inserted),
            ]
        );
    }

    #[test]
    fn the_witnesses_digest_ignores_their_order_and_is_empty_for_none() {
        let a = Witness {
            table: "persons".into(),
            key: "[\"P-1\"]".into(),
            digest: "aa".into(),
        };
        let b = Witness {
            table: "status_events".into(),
            key: "[\"P-1\",\"1\"]".into(),
            digest: "bb".into(),
        };
        assert_eq!(
            witnesses_digest(&[a.clone(), b.clone()]),
            witnesses_digest(&[b.clone(), a.clone()])
        );
        assert_eq!(witnesses_digest(&[]), "");
        let deleted = Witness {
            digest: String::new(),
            ..a.clone()
        };
        assert_ne!(witnesses_digest(&[a]), witnesses_digest(&[deleted]));
    }

    #[test]
    fn keys_read_back_as_written() {
        let key = vec!["P-000001".to_string(), "4".to_string()];
        assert_eq!(decode_key(&encode_key(&key)), Some(key.clone()));
        assert_eq!(display_key(&key), "P-000001/4");
    }
}
