//! The audit log: an append-only list of every change and every read of
//! personal data, each entry carrying the SHA-256 hash of the one before.
//!
//! An entry's hash covers its position (`seq`), time, actor, action,
//! subject, detail, the digest of the rows its change wrote and the previous
//! hash, so editing an entry breaks its own hash, deleting or inserting one
//! breaks the sequence and the link of the next, and removing entries from
//! the end disagrees with the head row that every append updates.
//! [`Store::verify_audit`] reports each by position, and every row of data
//! that differs from what its last change wrote by table and key (see
//! [`crate::witness`]). Truncating the chain and rewriting its head cannot be
//! seen from inside the database: an [`AuditAnchor`] kept elsewhere can.

use futures_util::TryStreamExt;
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::Row;

use std::collections::HashMap;

use crate::codec::{insert_sql, micros, timestamp};
use crate::witness::{
    COVERED, Covered, NewestWitnesses, RowDigester, RowMismatch, Witness, compare_rows, decode_key,
    display_key, encode_key, witnesses_digest,
};
use crate::{Backend, Store, StoreError};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What is about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub at: Timestamp,
    pub actor: String,
    /// What happened, e.g. `person.register`, `person.transition`, `person.read`.
    pub action: String,
    /// What it happened to, e.g. a person id, or `import` for a batch.
    pub subject: String,
    /// Compact JSON with the facts of the change.
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    /// The digest of the rows the change wrote; empty for a read, and for
    /// entries written before rows were bound to the chain.
    pub rows_digest: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub entries: u64,
    /// Rows of data compared with what their last change wrote.
    pub rows: u64,
    pub head_seq: u64,
    pub head_hash: String,
    pub problems: Vec<AuditProblem>,
}

impl AuditReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditProblem {
    #[error("entry {seq}: its content does not match its hash (edited)")]
    Edited { seq: u64 },
    #[error("entries {from} to {to} are missing (deleted)")]
    Missing { from: u64, to: u64 },
    #[error("entry {seq}: it is out of sequence after entry {after} (inserted or renumbered)")]
    OutOfSequence { seq: u64, after: u64 },
    #[error(
        "entry {seq}: it does not link to the entry before it (inserted, or the one before was replaced)"
    )]
    BrokenLink { seq: u64 },
    #[error(
        "the log ends at entry {last} but the head records entry {head} (entries at the end deleted)"
    )]
    Truncated { last: u64, head: u64 },
    #[error(
        "the log runs past the head, which records entry {head}, up to entry {last} (entries appended outside corridor)"
    )]
    BeyondHead { last: u64, head: u64 },
    #[error("the head hash does not match entry {head} (the head or the last entry was changed)")]
    HeadMismatch { head: u64 },
    #[error(
        "entry {seq}: the rows it records as written were changed (its rows digest does not match)"
    )]
    WitnessesChanged { seq: u64 },
    #[error("{noun} {key} was edited outside corridor: it differs from what entry {seq} wrote")]
    RowEdited {
        table: &'static str,
        noun: &'static str,
        key: String,
        seq: u64,
    },
    #[error("{noun} {key} was inserted outside corridor: no audit entry wrote it")]
    RowInserted {
        table: &'static str,
        noun: &'static str,
        key: String,
    },
    #[error("{noun} {key} was deleted outside corridor: entry {seq} wrote it and none removed it")]
    RowDeleted {
        table: &'static str,
        noun: &'static str,
        key: String,
        seq: u64,
    },
    #[error(
        "the anchor records entry {seq}, but the log ends at entry {head} (entries were removed and the head rewritten)"
    )]
    AnchorBeyondHead { seq: u64, head: u64 },
    #[error(
        "entry {seq} is not the entry the anchor records (the log was rewritten from there or before)"
    )]
    AnchorMismatch { seq: u64 },
}

/// The head of the chain at one moment, kept outside the database (printed,
/// mailed, stored on another machine): a later `verify` against it shows
/// whether the chain up to it is still the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAnchor {
    pub seq: u64,
    pub hash: String,
    pub at: Timestamp,
}

impl AuditAnchor {
    const FIRST_LINE: &'static str = "corridor audit anchor";

    /// The anchor as a small text file.
    pub fn to_text(&self) -> String {
        format!(
            "{}\nseq {}\nhash {}\nat {}\n",
            AuditAnchor::FIRST_LINE,
            self.seq,
            self.hash,
            self.at
        )
    }

    /// Reads what [`AuditAnchor::to_text`] wrote; the message says what is wrong.
    pub fn parse(text: &str) -> Result<AuditAnchor, String> {
        let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
        if lines.next() != Some(AuditAnchor::FIRST_LINE) {
            return Err(format!(
                "it does not start with '{}'; give the anchor file exactly as it was written",
                AuditAnchor::FIRST_LINE
            ));
        }
        let (mut seq, mut hash, mut at) = (None, None, None);
        for line in lines {
            let (name, value) = line.split_once(' ').unwrap_or((line, ""));
            let value = value.trim();
            match name {
                "seq" => {
                    seq = Some(
                        value
                            .parse::<u64>()
                            .map_err(|_| format!("seq '{value}' is not a whole number"))?,
                    )
                }
                "hash" => {
                    if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return Err(format!("hash '{value}' is not 64 hexadecimal digits"));
                    }
                    hash = Some(value.to_ascii_lowercase());
                }
                "at" => {
                    at = Some(value.parse::<Timestamp>().map_err(|_| {
                        format!("at '{value}' is not a time such as 2026-02-01T08:30:00Z")
                    })?)
                }
                other => return Err(format!("unknown line '{other}'")),
            }
        }
        Ok(AuditAnchor {
            seq: seq.ok_or("the seq line is missing")?,
            hash: hash.ok_or("the hash line is missing")?,
            at: at.ok_or("the at line is missing")?,
        })
    }
}

/// The fields of an entry that its hash covers.
pub(crate) struct HashedFields<'a> {
    pub seq: u64,
    pub at_micros: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub detail: &'a str,
    pub rows_digest: &'a str,
    pub prev_hash: &'a str,
}

pub(crate) fn entry_hash(fields: &HashedFields<'_>) -> String {
    let mut hasher = Sha256::new();
    let seq = fields.seq.to_string();
    let at = fields.at_micros.to_string();
    // Each field is length-prefixed so that no two different entries can
    // serialise to the same bytes. An entry that wrote no rows hashes as
    // entries did before rows were bound to the chain, so old chains verify.
    let mut hashed = vec![
        seq.as_str(),
        at.as_str(),
        fields.actor,
        fields.action,
        fields.subject,
        fields.detail,
    ];
    if !fields.rows_digest.is_empty() {
        hashed.push(fields.rows_digest);
    }
    hashed.push(fields.prev_hash);
    for field in hashed {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

impl AuditEntry {
    fn recomputed_hash(&self) -> String {
        entry_hash(&HashedFields {
            seq: self.seq,
            at_micros: micros(self.at),
            actor: &self.actor,
            action: &self.action,
            subject: &self.subject,
            detail: &self.detail,
            rows_digest: &self.rows_digest,
            prev_hash: &self.prev_hash,
        })
    }
}

/// Takes the audit chain's lock for the rest of the caller's transaction
/// (a row lock on PostgreSQL; SQLite's write transactions are serial
/// already), for a change that must read and then number something — a
/// clearance batch — without a concurrent writer taking the same number.
pub(crate) async fn lock_chain(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Appends an entry inside the caller's transaction, so the entry exists if
/// and only if the change it records does, with the witnesses of the rows
/// the change wrote. Only the unit of work calls it.
pub(crate) async fn append(
    backend: Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    entry: &NewAuditEntry,
    witnesses: &[Witness],
) -> Result<u64, StoreError> {
    // Updating the head first takes its row lock on PostgreSQL, so two
    // appends cannot both link to the same predecessor.
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **transaction)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;
    let seq =
        u64::try_from(seq).map_err(|_| StoreError::corrupt("audit_head", "1", "negative seq"))?;
    let detail = entry.detail.to_string();
    let rows_digest = witnesses_digest(witnesses);
    let at = micros(entry.at);
    let hash = entry_hash(&HashedFields {
        seq,
        at_micros: at,
        actor: &entry.actor,
        action: &entry.action,
        subject: &entry.subject,
        detail: &detail,
        rows_digest: &rows_digest,
        prev_hash: &prev_hash,
    });
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, subject, detail, rows_digest, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq as i64)
    .bind(at)
    .bind(entry.actor.clone())
    .bind(entry.action.clone())
    .bind(entry.subject.clone())
    .bind(detail)
    .bind(rows_digest)
    .bind(prev_hash)
    .bind(hash.clone())
    .execute(&mut **transaction)
    .await?;
    insert_witnesses(backend, transaction, seq, witnesses).await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(hash)
        .execute(&mut **transaction)
        .await?;
    Ok(seq)
}

/// Witnesses per INSERT statement (four values each).
const WITNESSES_PER_STATEMENT: usize = 2_000;

async fn insert_witnesses(
    backend: Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    seq: u64,
    witnesses: &[Witness],
) -> Result<(), StoreError> {
    for chunk in witnesses.chunks(WITNESSES_PER_STATEMENT) {
        let sql = insert_sql(
            backend,
            "audit_rows",
            "seq, tbl, row_key, digest",
            4,
            chunk.len(),
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for witness in chunk {
            query = query
                .bind(seq as i64)
                .bind(witness.table.clone())
                .bind(witness.key.clone())
                .bind(witness.digest.clone());
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}

impl Store {
    /// The sequence number of the newest audit entry. Every change to the
    /// registry appends to the audit log in the same transaction, so a
    /// different head means something may have changed.
    pub(crate) async fn audit_head_seq(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get("seq")?)
    }

    /// Records something that changes nothing else, such as a read of
    /// personal data.
    pub async fn record(&self, entry: &NewAuditEntry) -> Result<u64, StoreError> {
        self.write().await?.commit(entry).await
    }

    /// The most recent entries, newest first.
    pub async fn audit_tail(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, subject, detail, rows_digest, prev_hash, hash \
             FROM audit_log ORDER BY seq DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_entry).collect()
    }

    /// The most recent entries whose action starts with `action_prefix`
    /// (e.g. `user.` or `person.break-glass`), newest first.
    pub async fn audit_recent(
        &self,
        limit: u32,
        action_prefix: &str,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        if action_prefix.is_empty() {
            return self.audit_tail(limit).await;
        }
        // LIKE with an escape character, so that `_` and `%` in the prefix
        // match themselves.
        let pattern: String = action_prefix
            .chars()
            .flat_map(|c| match c {
                '\\' | '%' | '_' => vec!['\\', c],
                other => vec![other],
            })
            .chain(['%'])
            .collect();
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, subject, detail, rows_digest, prev_hash, hash \
             FROM audit_log WHERE action LIKE $1 ESCAPE '\\' ORDER BY seq DESC LIMIT $2",
        )
        .bind(pattern)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_entry).collect()
    }

    /// Walks the whole chain and every covered row, and reports every
    /// break: entries by position, rows by table and key.
    pub async fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        self.verify_audit_against(None).await
    }

    /// [`Store::verify_audit`], and also whether the chain still holds the
    /// entry an anchor kept elsewhere records.
    pub async fn verify_audit_against(
        &self,
        anchor: Option<&AuditAnchor>,
    ) -> Result<AuditReport, StoreError> {
        // One snapshot: a change committed while verifying is either wholly
        // seen (rows, entry and witnesses) or not at all.
        let mut snapshot = self.backend.begin_snapshot(&self.pool).await?;
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *snapshot)
            .await?;
        let head_seq = head.try_get::<i64, _>("seq")? as u64;
        let head_hash: String = head.try_get("hash")?;

        let rows = sqlx::query(
            "SELECT seq, at, actor, action, subject, detail, rows_digest, prev_hash, hash \
             FROM audit_log ORDER BY seq",
        )
        .fetch_all(&mut *snapshot)
        .await?;
        let entries: Vec<AuditEntry> = rows.iter().map(read_entry).collect::<Result<_, _>>()?;
        let mut problems = chain_problems(&entries, head_seq, &head_hash);
        if let Some(anchor) = anchor {
            problems.extend(anchor_problems(&entries, anchor));
        }

        let witnesses = read_witnesses(&mut snapshot).await?;
        let (latest, witness_problems) = latest_witnesses(&entries, witnesses);
        problems.extend(witness_problems);
        let mut checked = 0;
        let no_witnesses = NewestWitnesses::new();
        for covered in COVERED {
            let actual = table_digests(&mut snapshot, covered).await?;
            checked += actual.len() as u64;
            let expected = latest.get(covered.table).unwrap_or(&no_witnesses);
            for (key, mismatch) in compare_rows(&actual, expected) {
                let seq = expected.get(&key).map_or(0, |(_, seq)| *seq);
                let key = decode_key(&key).map_or(key, |key| display_key(&key));
                let (table, noun) = (covered.table, covered.noun);
                problems.push(match mismatch {
                    RowMismatch::Edited => AuditProblem::RowEdited {
                        table,
                        noun,
                        key,
                        seq,
                    },
                    RowMismatch::Inserted => AuditProblem::RowInserted { table, noun, key },
                    RowMismatch::Deleted => AuditProblem::RowDeleted {
                        table,
                        noun,
                        key,
                        seq,
                    },
                });
            }
        }
        snapshot.rollback().await?;
        Ok(AuditReport {
            entries: entries.len() as u64,
            rows: checked,
            head_seq,
            head_hash,
            problems,
        })
    }

    /// The head of the chain now, to keep outside the database.
    pub async fn audit_anchor(&self) -> Result<AuditAnchor, StoreError> {
        let row = sqlx::query(
            "SELECT h.seq, h.hash, l.at FROM audit_head h LEFT JOIN audit_log l ON l.seq = h.seq \
             WHERE h.id = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        let seq: i64 = row.try_get("seq")?;
        let at = match row.try_get::<Option<i64>, _>("at")? {
            Some(at) => timestamp("audit_log", &seq.to_string(), at)?,
            None => Timestamp::UNIX_EPOCH,
        };
        Ok(AuditAnchor {
            seq: seq as u64,
            hash: row.try_get("hash")?,
            at,
        })
    }
}

/// Breaks in the chain of entries, by position.
fn chain_problems(entries: &[AuditEntry], head_seq: u64, head_hash: &str) -> Vec<AuditProblem> {
    let mut problems = Vec::new();
    let mut previous: Option<&AuditEntry> = None;
    for entry in entries {
        if entry.recomputed_hash() != entry.hash {
            problems.push(AuditProblem::Edited { seq: entry.seq });
        }
        let (expected_seq, expected_link) = match previous {
            Some(before) => (before.seq + 1, before.hash.as_str()),
            None => (1, GENESIS_HASH),
        };
        if entry.seq > expected_seq {
            problems.push(AuditProblem::Missing {
                from: expected_seq,
                to: entry.seq - 1,
            });
        } else if entry.seq < expected_seq {
            problems.push(AuditProblem::OutOfSequence {
                seq: entry.seq,
                after: expected_seq - 1,
            });
        }
        if entry.prev_hash != expected_link {
            problems.push(AuditProblem::BrokenLink { seq: entry.seq });
        }
        previous = Some(entry);
    }
    let last = previous.map_or(0, |entry| entry.seq);
    if last < head_seq {
        problems.push(AuditProblem::Truncated {
            last,
            head: head_seq,
        });
    } else if last > head_seq {
        problems.push(AuditProblem::BeyondHead {
            last,
            head: head_seq,
        });
    } else {
        let last_hash = previous.map_or(GENESIS_HASH, |entry| entry.hash.as_str());
        if last_hash != head_hash {
            problems.push(AuditProblem::HeadMismatch { head: head_seq });
        }
    }
    problems
}

fn anchor_problems(entries: &[AuditEntry], anchor: &AuditAnchor) -> Vec<AuditProblem> {
    if anchor.seq == 0 {
        return Vec::new();
    }
    match entries.iter().find(|entry| entry.seq == anchor.seq) {
        Some(entry) if entry.hash == anchor.hash => Vec::new(),
        Some(_) => vec![AuditProblem::AnchorMismatch { seq: anchor.seq }],
        None => {
            let last = entries.last().map_or(0, |entry| entry.seq);
            if anchor.seq > last {
                vec![AuditProblem::AnchorBeyondHead {
                    seq: anchor.seq,
                    head: last,
                }]
            } else {
                vec![AuditProblem::AnchorMismatch { seq: anchor.seq }]
            }
        }
    }
}

async fn read_witnesses(
    connection: &mut sqlx::AnyConnection,
) -> Result<Vec<(u64, Witness)>, StoreError> {
    let mut rows = sqlx::query("SELECT seq, tbl, row_key, digest FROM audit_rows ORDER BY seq")
        .fetch(connection);
    let mut witnesses = Vec::new();
    while let Some(row) = rows.try_next().await? {
        witnesses.push((
            row.try_get::<i64, _>("seq")? as u64,
            Witness {
                table: row.try_get("tbl")?,
                key: row.try_get("row_key")?,
                digest: row.try_get("digest")?,
            },
        ));
    }
    Ok(witnesses)
}

/// Every row of one covered table, key (as `audit_rows` stores it) to
/// digest.
async fn table_digests(
    connection: &mut sqlx::AnyConnection,
    covered: &'static Covered,
) -> Result<HashMap<String, String>, StoreError> {
    let sql = format!("SELECT * FROM {}", covered.table);
    // Rows are digested as they arrive: the database sends the next rows
    // while this one is hashed, and no table is held whole in memory.
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(connection);
    let mut digests = HashMap::new();
    let mut digester = None;
    while let Some(row) = rows.try_next().await? {
        let digester = match &digester {
            Some(digester) => digester,
            None => digester.insert(RowDigester::new(covered, &row)?),
        };
        digests.insert(encode_key(&digester.key(&row)?), digester.digest(&row)?);
    }
    Ok(digests)
}

/// For each table, the newest witness of each key. Only witnesses whose
/// entry's rows digest matches them count; every other entry is reported.
fn latest_witnesses(
    entries: &[AuditEntry],
    witnesses: Vec<(u64, Witness)>,
) -> (HashMap<String, NewestWitnesses>, Vec<AuditProblem>) {
    let mut by_seq: std::collections::BTreeMap<u64, Vec<Witness>> = Default::default();
    for (seq, witness) in witnesses {
        by_seq.entry(seq).or_default().push(witness);
    }
    let mut problems = Vec::new();
    let mut latest: HashMap<String, NewestWitnesses> = HashMap::new();
    for entry in entries {
        let written = by_seq.remove(&entry.seq).unwrap_or_default();
        if witnesses_digest(&written) != entry.rows_digest {
            problems.push(AuditProblem::WitnessesChanged { seq: entry.seq });
            continue;
        }
        for witness in written {
            latest
                .entry(witness.table)
                .or_default()
                .insert(witness.key, (witness.digest, entry.seq));
        }
    }
    // Witnesses of entries that do not exist could make an edited row look
    // witnessed; they count for nothing and are reported.
    problems.extend(
        by_seq
            .into_keys()
            .map(|seq| AuditProblem::WitnessesChanged { seq }),
    );
    (latest, problems)
}

fn read_entry(row: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    let seq: i64 = row.try_get("seq")?;
    let key = seq.to_string();
    Ok(AuditEntry {
        seq: u64::try_from(seq)
            .map_err(|_| StoreError::corrupt("audit_log", key.clone(), "negative seq"))?,
        at: timestamp("audit_log", &key, row.try_get("at")?)?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        detail: row.try_get("detail")?,
        rows_digest: row.try_get("rows_digest")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}
