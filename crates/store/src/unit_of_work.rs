//! The one way to change corridor's data: a [`Write`] is one transaction
//! that ends with one audit entry, and that entry witnesses every row the
//! transaction wrote (see [`crate::witness`]).
//!
//! Which rows were written is not declared by the code that writes them:
//! the database's triggers record each row's key in `audit_pending`, so a
//! statement cannot be forgotten. [`Write::commit`] reads the transaction's
//! pending keys, digests those rows as they are now, appends the audit entry
//! with the witnesses and removes the pending keys, all before committing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::{Deref, DerefMut};

use sqlx::Row;

use crate::audit::{self, NewAuditEntry};
use crate::witness::{
    COVERED, Covered, KeyKind, RowDigester, RowKey, Witness, covered_table, encode_key, group_keys,
};
use crate::{Backend, Store, StoreError};

/// Keys per `IN (…)` query when digesting the rows a change wrote.
const KEYS_PER_QUERY: usize = 500;

/// Which rows of `audit_pending` belong to this transaction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PendingMark {
    /// Rows above this id (SQLite: writers are serial, so every row written
    /// since the transaction began is ours).
    after_id: i64,
    /// The transaction id the triggers record (PostgreSQL; 0 on SQLite).
    tx: i64,
}

/// The rows a [`Write`] witnesses when it commits.
#[derive(Debug, Clone, Copy)]
enum Witnessing {
    /// The rows this transaction wrote: every change.
    OwnRows(PendingMark),
    /// Every row written since `audit_pending` held this id, by any
    /// transaction: the rows the schema migrations just run wrote.
    RowsAfter(i64),
    /// Every row of every covered table: once, when rows are first bound to
    /// the chain in a registry that already holds data.
    EveryRow,
}

/// The version of the migration that binds rows to the chain.
const ROWS_BOUND_SINCE: i64 = 7;

/// What the schema was before migrating, to witness what migrating wrote.
#[derive(Debug)]
pub(crate) struct BeforeMigrating {
    versions: Vec<i64>,
    /// The largest id in `audit_pending`, once that table exists.
    pending_after_id: Option<i64>,
}

pub(crate) async fn before_migrating(pool: &sqlx::AnyPool) -> Result<BeforeMigrating, StoreError> {
    use sqlx::migrate::Migrate;
    let mut connection = pool.acquire().await?;
    connection.ensure_migrations_table(MIGRATIONS_TABLE).await?;
    let versions: Vec<i64> = connection
        .list_applied_migrations(MIGRATIONS_TABLE)
        .await?
        .into_iter()
        .map(|migration| migration.version)
        .collect();
    let pending_after_id = if versions.contains(&ROWS_BOUND_SINCE) {
        Some(
            sqlx::query("SELECT COALESCE(MAX(id), 0) AS id FROM audit_pending")
                .fetch_one(&mut *connection)
                .await?
                .try_get("id")?,
        )
    } else {
        None
    };
    Ok(BeforeMigrating {
        versions,
        pending_after_id,
    })
}

const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

impl Backend {
    async fn pending_mark(
        self,
        connection: &mut sqlx::AnyConnection,
    ) -> Result<PendingMark, StoreError> {
        let row = match self {
            Backend::Sqlite => {
                sqlx::query("SELECT COALESCE(MAX(id), 0) AS after_id, 0 AS tx FROM audit_pending")
                    .fetch_one(&mut *connection)
                    .await?
            }
            Backend::Postgres => {
                sqlx::query("SELECT CAST(0 AS BIGINT) AS after_id, txid_current() AS tx")
                    .fetch_one(&mut *connection)
                    .await?
            }
        };
        Ok(PendingMark {
            after_id: row.try_get("after_id")?,
            tx: row.try_get("tx")?,
        })
    }
}

/// From this many rows an import is a bulk load, after which the planner's
/// statistics are refreshed. A registration or a decision is one row or a
/// few: refreshing after each read the whole registry again (ANALYZE took
/// 170 ms of every registration on the 20,000-patient demo).
const BULK_LOAD_ROWS: usize = 1000;

/// A change in progress. Dereferences to its transaction, for the
/// statements that make the change.
impl Store {
    /// After a bulk load (the demo, an import): the query planner learns the
    /// tables' new contents (ANALYZE) and, on PostgreSQL, which pages hold
    /// only visible rows (VACUUM), so that lists read their index alone
    /// instead of every row. Autovacuum would do both only later; neither
    /// can run inside the loading transaction, so this runs after commit.
    pub(crate) async fn refresh_statistics(&self) -> Result<(), StoreError> {
        let statement = match self.backend {
            Backend::Postgres => "VACUUM ANALYZE",
            Backend::Sqlite => "ANALYZE",
        };
        sqlx::query(statement).execute(&self.pool).await?;
        Ok(())
    }
}

pub(crate) struct Write<'s> {
    store: &'s Store,
    transaction: sqlx::Transaction<'static, sqlx::Any>,
    witnessing: Witnessing,
}

impl Store {
    /// Begins a change.
    pub(crate) async fn write(&self) -> Result<Write<'_>, StoreError> {
        let mut transaction = self.backend.begin_write(&self.pool).await?;
        let mark = self.backend.pending_mark(&mut transaction).await?;
        Ok(Write {
            store: self,
            transaction,
            witnessing: Witnessing::OwnRows(mark),
        })
    }

    /// Binds to the chain what the migrations just run wrote: every row, as
    /// long as no row was ever bound (a registry made before rows were bound,
    /// or the rows a new registry's migrations seed), and afterwards the rows
    /// a migration changed. One audit entry, if any row was written.
    pub(crate) async fn witness_migrations(
        &self,
        before: BeforeMigrating,
    ) -> Result<(), StoreError> {
        use sqlx::migrate::Migrate;
        let mut connection = self.pool.acquire().await?;
        let applied: Vec<i64> = connection
            .list_applied_migrations(MIGRATIONS_TABLE)
            .await?
            .into_iter()
            .map(|migration| migration.version)
            .filter(|version| !before.versions.contains(version))
            .collect();
        // No witness at all: rows a registry held before they were bound to
        // the chain, or seeded by the migrations of a new one.
        let never_bound = sqlx::query("SELECT 1 AS one FROM audit_rows LIMIT 1")
            .fetch_optional(&mut *connection)
            .await?
            .is_none();
        drop(connection);
        let witnessing = if never_bound {
            Witnessing::EveryRow
        } else if !applied.is_empty() {
            Witnessing::RowsAfter(before.pending_after_id.unwrap_or(0))
        } else {
            return Ok(());
        };
        let transaction = self.backend.begin_write(&self.pool).await?;
        let mut write = Write {
            store: self,
            transaction,
            witnessing,
        };
        let witnesses = write.witnesses().await?;
        if witnesses.is_empty() {
            return write.roll_back().await;
        }
        let entry = NewAuditEntry {
            at: jiff::Timestamp::now(),
            actor: "corridor".to_string(),
            action: "schema.migrate".to_string(),
            subject: "schema".to_string(),
            detail: serde_json::json!({
                "migrations": applied,
                "rows": witnesses.len(),
                "every_row": never_bound,
            }),
        };
        write.append_and_commit(&entry, &witnesses).await?;
        Ok(())
    }
}

impl Write<'_> {
    /// Records the change in the audit log, binding every row it wrote to
    /// the entry, and commits. Returns the entry's position.
    pub(crate) async fn commit(mut self, entry: &NewAuditEntry) -> Result<u64, StoreError> {
        let witnesses = self.witnesses().await?;
        self.append_and_commit(entry, &witnesses).await
    }

    /// Commits a restore: its rows arrive with the witnesses of the entries
    /// that first wrote them, so the keys the triggers recorded while
    /// loading them are dropped, and the restore's own entry witnesses
    /// nothing.
    pub(crate) async fn commit_restored(
        mut self,
        entry: &NewAuditEntry,
    ) -> Result<u64, StoreError> {
        let Witnessing::OwnRows(mark) = self.witnessing else {
            return Err(StoreError::Refused(
                "a restore is an ordinary write".to_string(),
            ));
        };
        sqlx::query("DELETE FROM audit_pending WHERE id > $1 AND tx = $2")
            .bind(mark.after_id)
            .bind(mark.tx)
            .execute(&mut *self.transaction)
            .await?;
        self.append_and_commit(entry, &[]).await
    }

    async fn append_and_commit(
        mut self,
        entry: &NewAuditEntry,
        witnesses: &[Witness],
    ) -> Result<u64, StoreError> {
        let seq =
            audit::append(self.store.backend, &mut self.transaction, entry, witnesses).await?;
        self.store.commit(self.transaction).await?;
        Ok(seq)
    }

    /// The witnesses of the rows this write covers, whose pending keys are
    /// then removed.
    async fn witnesses(&mut self) -> Result<Vec<Witness>, StoreError> {
        let backend = self.store.backend;
        match self.witnessing {
            Witnessing::OwnRows(mark) => {
                let condition = "id > $1 AND tx = $2";
                witness_pending(backend, &mut self.transaction, condition, mark).await
            }
            Witnessing::RowsAfter(after_id) => {
                let mark = PendingMark { after_id, tx: 0 };
                let condition = "id > $1 AND $2 = 0";
                witness_pending(backend, &mut self.transaction, condition, mark).await
            }
            Witnessing::EveryRow => {
                sqlx::query("DELETE FROM audit_pending")
                    .execute(&mut *self.transaction)
                    .await?;
                witness_every_row(&mut self.transaction).await
            }
        }
    }

    /// Ends an import of `rows` rows: commits it, refreshing the planner's
    /// statistics ([`Store::refresh_statistics`]) after a bulk load, or for
    /// a dry run discards it after every check and write of the real import
    /// has run.
    pub(crate) async fn finish_import(
        self,
        entry: &NewAuditEntry,
        mode: crate::ImportMode,
        rows: usize,
    ) -> Result<(), StoreError> {
        match mode {
            crate::ImportMode::Commit => {
                let store = self.store;
                self.commit(entry).await?;
                if rows >= BULK_LOAD_ROWS {
                    store.refresh_statistics().await?;
                }
                Ok(())
            }
            crate::ImportMode::DryRun => self.roll_back().await,
        }
    }

    /// Discards the change: every check ran and nothing is kept (a dry run).
    pub(crate) async fn roll_back(self) -> Result<(), StoreError> {
        self.transaction.rollback().await?;
        Ok(())
    }
}

impl Deref for Write<'_> {
    type Target = sqlx::Transaction<'static, sqlx::Any>;

    fn deref(&self) -> &Self::Target {
        &self.transaction
    }
}

impl DerefMut for Write<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.transaction
    }
}

/// The witnesses of the rows this transaction wrote, read from
/// `audit_pending`, whose rows of this transaction are then removed.
async fn witness_pending(
    backend: Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    condition: &'static str,
    mark: PendingMark,
) -> Result<Vec<Witness>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT tbl, k1, k2, k3, k4 FROM audit_pending WHERE {condition} ORDER BY id"
    )))
    .bind(mark.after_id)
    .bind(mark.tx)
    .fetch_all(&mut **transaction)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut pending = Vec::with_capacity(rows.len());
    for row in &rows {
        let table: String = row.try_get("tbl")?;
        let mut key = Vec::with_capacity(4);
        for column in ["k1", "k2", "k3", "k4"] {
            if let Some(value) = row.try_get::<Option<String>, _>(column)? {
                key.push(value);
            }
        }
        pending.push((table, key));
    }
    let witnesses = witness_keys(backend, transaction, group_keys(pending)).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM audit_pending WHERE {condition}"
    )))
    .bind(mark.after_id)
    .bind(mark.tx)
    .execute(&mut **transaction)
    .await?;
    Ok(witnesses)
}

/// Witnesses every row of every covered table.
async fn witness_every_row(
    connection: &mut sqlx::AnyConnection,
) -> Result<Vec<Witness>, StoreError> {
    let mut witnesses = Vec::new();
    for covered in COVERED {
        let sql = format!("SELECT * FROM {}", covered.table);
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *connection)
            .await?;
        let Some(first) = rows.first() else {
            continue;
        };
        let digester = RowDigester::new(covered, first)?;
        for row in &rows {
            witnesses.push(Witness {
                table: covered.table.to_string(),
                key: encode_key(&digester.key(row)?),
                digest: digester.digest(row)?,
            });
        }
    }
    Ok(witnesses)
}

/// Digests the rows with these keys as they are now; a key without a row
/// is witnessed as deleted.
pub(crate) async fn witness_keys(
    backend: Backend,
    connection: &mut sqlx::AnyConnection,
    keys: BTreeMap<String, Vec<RowKey>>,
) -> Result<Vec<Witness>, StoreError> {
    let mut witnesses = Vec::new();
    for (table, keys) in keys {
        let covered = covered_table(&table).ok_or_else(|| {
            StoreError::corrupt("audit_pending", table.clone(), "not a covered table")
        })?;
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let found = read_rows(backend, connection, covered, chunk).await?;
            for key in chunk {
                witnesses.push(Witness {
                    table: table.clone(),
                    key: encode_key(key),
                    digest: found.get(key).cloned().unwrap_or_default(),
                });
            }
        }
    }
    Ok(witnesses)
}

/// The digests of the rows of `covered` with these keys, by key.
async fn read_rows(
    backend: Backend,
    connection: &mut sqlx::AnyConnection,
    covered: &'static Covered,
    keys: &[RowKey],
) -> Result<HashMap<RowKey, String>, StoreError> {
    for key in keys {
        if key.len() != covered.key.len() {
            return Err(StoreError::corrupt(
                "audit_pending",
                covered.table,
                format!("a key of {} columns", key.len()),
            ));
        }
    }
    let columns: Vec<&str> = covered.key.iter().map(|(column, _)| *column).collect();
    let mut number = 0;
    let mut placeholder = || {
        number += 1;
        match backend {
            Backend::Sqlite => "?".to_string(),
            Backend::Postgres => format!("${number}"),
        }
    };
    let condition = if columns.len() == 1 {
        let list: Vec<String> = keys.iter().map(|_| placeholder()).collect();
        format!("{} IN ({})", columns[0], list.join(", "))
    } else {
        let tuples: Vec<String> = keys
            .iter()
            .map(|key| {
                let values: Vec<String> = key.iter().map(|_| placeholder()).collect();
                format!("({})", values.join(", "))
            })
            .collect();
        format!("({}) IN (VALUES {})", columns.join(", "), tuples.join(", "))
    };
    let sql = format!("SELECT * FROM {} WHERE {condition}", covered.table);
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for key in keys {
        for (value, (column, kind)) in key.iter().zip(covered.key) {
            query = match kind {
                KeyKind::Text => query.bind(value.clone()),
                KeyKind::Integer => query.bind(value.parse::<i64>().map_err(|_| {
                    StoreError::corrupt(
                        "audit_pending",
                        covered.table,
                        format!("{column} {value:?} is not a number"),
                    )
                })?),
            };
        }
    }
    let wanted: HashSet<&RowKey> = keys.iter().collect();
    let mut found = HashMap::new();
    let rows = query.fetch_all(&mut *connection).await?;
    let Some(first) = rows.first() else {
        return Ok(found);
    };
    let digester = RowDigester::new(covered, first)?;
    for row in &rows {
        let key = digester.key(row)?;
        if wanted.contains(&key) {
            found.insert(key, digester.digest(row)?);
        }
    }
    Ok(found)
}
