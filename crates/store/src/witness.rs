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
        "luggage_declarations",
        "luggage declaration",
        &[("person_id", Text)],
    ),
    covered(
        "luggage_lines",
        "luggage line",
        &[("person_id", Text), ("position", Integer)],
    ),
    covered("consignments", "consignment", &[("id", Text)]),
    covered(
        "stage_events",
        "stage event",
        &[("consignment_id", Text), ("version", Integer)],
    ),
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

/// One value of a row, as the digest sees it. Integers and floats keep
/// their exact value, so SQLite and PostgreSQL give the same digest.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Integer(i64),
    Double(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    fn as_key_text(&self) -> Option<String> {
        match self {
            Value::Integer(number) => Some(number.to_string()),
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
}

/// A whole row: every column by name.
pub(crate) type RowValues = BTreeMap<String, Value>;

/// Reads every column of a `SELECT *` row, whatever its type.
pub(crate) fn row_values(row: &AnyRow) -> Result<RowValues, StoreError> {
    let mut values = BTreeMap::new();
    for (index, column) in row.columns().iter().enumerate() {
        let raw = row.try_get_raw(index)?;
        let value = if raw.is_null() {
            Value::Null
        } else {
            match raw.type_info().kind() {
                AnyTypeInfoKind::Null => Value::Null,
                AnyTypeInfoKind::Bool
                | AnyTypeInfoKind::SmallInt
                | AnyTypeInfoKind::Integer
                | AnyTypeInfoKind::BigInt => Value::Integer(row.try_get(index)?),
                AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => {
                    Value::Double(row.try_get(index)?)
                }
                AnyTypeInfoKind::Text => Value::Text(row.try_get(index)?),
                AnyTypeInfoKind::Blob => Value::Blob(row.try_get(index)?),
            }
        };
        values.insert(column.name().to_string(), value);
    }
    Ok(values)
}

/// The key of a row of `covered`, or why the row has none.
pub(crate) fn row_key(covered: &Covered, values: &RowValues) -> Result<RowKey, StoreError> {
    covered
        .key
        .iter()
        .map(|(column, _)| {
            values
                .get(*column)
                .and_then(Value::as_key_text)
                .ok_or_else(|| {
                    StoreError::corrupt(
                        covered.table,
                        format!("{values:?}"),
                        format!("no usable key column {column}"),
                    )
                })
        })
        .collect()
}

/// SHA-256 of a row. NULL columns are left out, so that a column added
/// later (NULL in every old row) does not change old rows' digests.
pub(crate) fn row_digest(values: &RowValues) -> String {
    let mut hasher = Sha256::new();
    for (column, value) in values {
        let (tag, bytes): (&str, Vec<u8>) = match value {
            Value::Null => continue,
            Value::Integer(number) => ("i", number.to_string().into_bytes()),
            Value::Double(number) => ("f", number.to_bits().to_be_bytes().to_vec()),
            Value::Text(text) => ("t", text.as_bytes().to_vec()),
            Value::Blob(bytes) => ("b", bytes.clone()),
        };
        for field in [column.as_bytes(), tag.as_bytes(), bytes.as_slice()] {
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

/// Compares the rows of one table with the newest witness of each key.
/// `expected` maps each key to its newest digest (empty if deleted).
pub(crate) fn compare_rows(
    actual: &HashMap<String, String>,
    expected: &HashMap<String, String>,
) -> Vec<(String, RowMismatch)> {
    let mut mismatches = Vec::new();
    for (key, digest) in actual {
        match expected.get(key) {
            Some(witnessed) if witnessed == digest => {}
            Some(witnessed) if witnessed.is_empty() => {
                mismatches.push((key.clone(), RowMismatch::Inserted));
            }
            Some(_) => mismatches.push((key.clone(), RowMismatch::Edited)),
            None => mismatches.push((key.clone(), RowMismatch::Inserted)),
        }
    }
    for (key, witnessed) in expected {
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

    fn row(pairs: &[(&str, Value)]) -> RowValues {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect()
    }

    #[test]
    fn a_digest_changes_with_any_value_but_not_with_a_null_column() {
        let base = row(&[
            ("id", Value::Text("P-1".into())),
            ("version", Value::Integer(2)),
            ("share", Value::Double(0.5)),
        ]);
        let digest = row_digest(&base);
        let mut with_null = base.clone();
        with_null.insert("added_later".into(), Value::Null);
        assert_eq!(row_digest(&with_null), digest);

        let mut edited = base.clone();
        edited.insert("version".into(), Value::Integer(3));
        assert_ne!(row_digest(&edited), digest);
        let mut as_text = base.clone();
        as_text.insert("version".into(), Value::Text("2".into()));
        assert_ne!(
            row_digest(&as_text),
            digest,
            "the type is part of the digest"
        );
        let mut moved = base.clone();
        moved.insert("id".into(), Value::Text("P-".into()));
        moved.insert("idx".into(), Value::Text("1".into()));
        assert_ne!(row_digest(&moved), digest, "fields are length-prefixed");
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
        let expected: HashMap<String, String> = [
            ("same".to_string(), "d1".to_string()),
            ("edited".to_string(), "old".to_string()),
            ("deleted".to_string(), "d5".to_string()),
            ("gone".to_string(), String::new()),
            ("revived".to_string(), String::new()),
        ]
        .into();
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
