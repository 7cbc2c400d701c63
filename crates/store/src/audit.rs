//! The audit log: an append-only list of every change and every read of
//! personal data, each entry carrying the SHA-256 hash of the one before.
//!
//! An entry's hash covers its position (`seq`), time, actor, action,
//! subject, detail and the previous hash, so editing an entry breaks its own
//! hash, deleting or inserting one breaks the sequence and the link of the
//! next, and removing entries from the end disagrees with the head row that
//! every append updates. [`Store::verify_audit`] reports each by position.
//! The head hash it prints can be copied somewhere outside the database to
//! detect a rewrite of the whole chain.

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::codec::{micros, timestamp};
use crate::{Store, StoreError};

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
    pub prev_hash: String,
    pub hash: String,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub entries: u64,
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
}

pub(crate) fn entry_hash(
    seq: u64,
    at_micros: i64,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
    prev_hash: &str,
) -> String {
    let mut hasher = Sha256::new();
    // Each field is length-prefixed so that no two different entries can
    // serialise to the same bytes.
    for field in [
        seq.to_string().as_str(),
        at_micros.to_string().as_str(),
        actor,
        action,
        subject,
        detail,
        prev_hash,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
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
/// and only if the change it records does.
pub(crate) async fn append(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    entry: &NewAuditEntry,
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
    let at = micros(entry.at);
    let hash = entry_hash(
        seq,
        at,
        &entry.actor,
        &entry.action,
        &entry.subject,
        &detail,
        &prev_hash,
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq as i64)
    .bind(at)
    .bind(entry.actor.clone())
    .bind(entry.action.clone())
    .bind(entry.subject.clone())
    .bind(detail)
    .bind(prev_hash)
    .bind(hash.clone())
    .execute(&mut **transaction)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(hash)
        .execute(&mut **transaction)
        .await?;
    Ok(seq)
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
        let mut transaction = self.begin_write().await?;
        let seq = append(&mut transaction, entry).await?;
        self.commit(transaction).await?;
        Ok(seq)
    }

    /// The most recent entries, newest first.
    pub async fn audit_tail(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log \
             ORDER BY seq DESC LIMIT $1",
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
            "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log \
             WHERE action LIKE $1 ESCAPE '\\' ORDER BY seq DESC LIMIT $2",
        )
        .bind(pattern)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read_entry).collect()
    }

    /// Walks the whole chain and reports every break by position.
    pub async fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let head_seq = head.try_get::<i64, _>("seq")? as u64;
        let head_hash: String = head.try_get("hash")?;

        let rows = sqlx::query(
            "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut problems = Vec::new();
        let mut previous: Option<AuditEntry> = None;
        let mut entries = 0;
        for row in &rows {
            let entry = read_entry(row)?;
            entries += 1;
            let recomputed = entry_hash(
                entry.seq,
                micros(entry.at),
                &entry.actor,
                &entry.action,
                &entry.subject,
                &entry.detail,
                &entry.prev_hash,
            );
            if recomputed != entry.hash {
                problems.push(AuditProblem::Edited { seq: entry.seq });
            }
            let (expected_seq, expected_link) = match &previous {
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
        let last = previous.as_ref().map_or(0, |entry| entry.seq);
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
            let last_hash = previous
                .as_ref()
                .map_or(GENESIS_HASH, |entry| entry.hash.as_str());
            if last_hash != head_hash {
                problems.push(AuditProblem::HeadMismatch { head: head_seq });
            }
        }
        Ok(AuditReport {
            entries,
            head_seq,
            head_hash,
            problems,
        })
    }
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
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}
