//! A whole registry as one file, to keep or to move to another database:
//! every row of every data table and the whole audit chain with its
//! witnesses, read in one snapshot while the server goes on working.
//!
//! The format is the store's own (a deliberate exception to "only interop
//! knows file formats": it is not exchanged with anyone, and only the store
//! knows its tables). It is JSON lines:
//!
//! ```text
//! {"corridor_backup":1,"schema":7,"made_at":"…","made_on":"SQLite","head_seq":…,"head_hash":"…"}
//! {"table":"crossings","columns":["id","name",…]}
//! ["rafah","Rafah",…]                          one line per row, values in column order
//! …
//! {"end":true,"rows":12345,"sha256":"…"}       SHA-256 of every line before this one
//! ```
//!
//! Integers are JSON integers, floats JSON numbers with a fraction or an
//! exponent (serde_json writes every `f64` so that it reads back exactly),
//! texts JSON strings, NULL `null`. Restoring needs an empty database at the
//! same schema version; afterwards `audit verify` passes, because rows and
//! witnesses arrive exactly as they were.

use std::io::{BufRead, Write};

use jiff::Timestamp;
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};
use sqlx::any::AnyTypeInfoKind;
use sqlx::{Column, Executor, Row, Statement};

use crate::audit::NewAuditEntry;
use crate::codec::insert_sql;
use crate::witness::{COVERED, Value, covered_table, row_values};
use crate::{Backend, Store, StoreError};

/// The version of the format this code writes and reads.
const FORMAT: i64 = 1;

/// Tables kept beside the covered ones: the chain itself. The head row is
/// written like any other and replaces the empty head of the new database.
const CHAIN_TABLES: &[&str] = &["audit_log", "audit_rows", "audit_head"];

/// Rows per INSERT when restoring.
const ROWS_PER_STATEMENT: usize = 200;

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub schema: i64,
    pub tables: usize,
    pub rows: u64,
    pub head_seq: u64,
    pub head_hash: String,
}

/// Why a backup could not be restored, in words that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("line {line}: {problem}; this is not a corridor backup, or it was damaged")]
    Format { line: u64, problem: String },
    #[error(
        "the backup ends early (after line {line}, with no end line); it was cut off while being \
         written or copied: use a complete copy"
    )]
    Truncated { line: u64 },
    #[error(
        "the backup's checksum does not match its content; it was changed or damaged after it was \
         written: use another copy"
    )]
    Checksum,
    #[error(
        "the backup was made at schema version {backup}, and this corridor's schema is at version \
         {here}; restore it with the corridor version that made it, then upgrade"
    )]
    Schema { backup: i64, here: i64 },
    #[error(
        "the database is in use (its audit log holds {entries} entries); restore into a new, empty \
         database: a new SQLite file, or a PostgreSQL database made with createdb"
    )]
    NotEmpty { entries: i64 },
    #[error("the backup holds table '{0}', which this corridor does not know")]
    UnknownTable(String),
    #[error("cannot read the backup: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for RestoreError {
    fn from(error: sqlx::Error) -> RestoreError {
        RestoreError::Store(StoreError::Database(error))
    }
}

/// Writes lines and keeps the running checksum.
struct Lines<'w> {
    out: &'w mut (dyn Write + Send),
    hasher: Sha256,
}

impl Lines<'_> {
    fn write(&mut self, line: &Json) -> std::io::Result<()> {
        let text = line.to_string();
        self.hasher.update(text.as_bytes());
        self.hasher.update(b"\n");
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")
    }
}

impl Store {
    /// Writes the whole registry to `out`, from one snapshot.
    pub async fn backup(
        &self,
        out: &mut (dyn Write + Send),
        at: Timestamp,
    ) -> Result<BackupSummary, StoreError> {
        let io = StoreError::Backup;
        let mut snapshot = self.backend.begin_snapshot(&self.pool).await?;
        let schema = schema_version(&mut snapshot).await?;
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *snapshot)
            .await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("hash")?;
        let mut lines = Lines {
            out,
            hasher: Sha256::new(),
        };
        lines
            .write(&json!({
                "corridor_backup": FORMAT,
                "schema": schema,
                "made_at": at.to_string(),
                "made_on": self.backend.name(),
                "head_seq": head_seq,
                "head_hash": head_hash,
            }))
            .map_err(io)?;
        let mut rows = 0u64;
        let tables: Vec<&str> = table_order().collect();
        for table in &tables {
            let sql = format!("SELECT * FROM {table} ORDER BY {}", backup_order(table));
            let result = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut *snapshot)
                .await?;
            let columns: Vec<String> = match result.first() {
                Some(row) => row.columns().iter().map(|c| c.name().to_string()).collect(),
                None => Vec::new(),
            };
            lines
                .write(&json!({ "table": table, "columns": columns }))
                .map_err(io)?;
            for row in &result {
                let values = row_values(row)?;
                let line: Vec<Json> = columns
                    .iter()
                    .map(|column| to_json(values.get(column).unwrap_or(&Value::Null)))
                    .collect();
                lines.write(&Json::Array(line)).map_err(io)?;
                rows += 1;
            }
        }
        snapshot.rollback().await?;
        let checksum = hex::encode(lines.hasher.clone().finalize());
        lines
            .write(&json!({ "end": true, "rows": rows, "sha256": checksum }))
            .map_err(io)?;
        lines.out.flush().map_err(io)?;
        Ok(BackupSummary {
            schema,
            tables: tables.len(),
            rows,
            head_seq: head_seq as u64,
            head_hash,
        })
    }

    /// Loads a backup into this store, which must be new (no audit entry;
    /// open it with [`Store::open_for_restore`]) and at the backup's schema
    /// version: all of it in one transaction, or nothing.
    /// Check the file with [`check_backup`] first: a damaged file is then
    /// refused for what it is, not for the first row the database refuses.
    /// The restore itself is recorded as one more audit entry.
    pub async fn restore(
        &self,
        input: &mut dyn BufRead,
        at: Timestamp,
        actor: &str,
    ) -> Result<BackupSummary, RestoreError> {
        let mut reader = LineReader::new(input);
        let header = reader.header()?;
        let mut transaction = self.write().await?;
        let here = schema_version(&mut transaction).await?;
        if here != header.schema {
            return Err(RestoreError::Schema {
                backup: header.schema,
                here,
            });
        }
        let entries: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log")
            .fetch_one(&mut **transaction)
            .await?
            .try_get("n")?;
        if entries > 0 {
            return Err(RestoreError::NotEmpty { entries });
        }
        // With no audit entry, the only rows are those the migrations seed
        // (the reason codes); the backup brings its own.
        for covered in COVERED.iter().rev() {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {}",
                covered.table
            )))
            .execute(&mut **transaction)
            .await?;
        }
        let mut table: Option<TableInput> = None;
        let rows = loop {
            match reader.item()? {
                Item::Table { name, columns } => {
                    if let Some(mut done) = table.take() {
                        done.flush(self.backend, &mut transaction).await?;
                    }
                    let kinds = column_kinds(&mut transaction, &name, &columns).await?;
                    table = Some(TableInput {
                        name,
                        columns,
                        kinds,
                        rows: Vec::new(),
                    });
                }
                Item::Row(values) => {
                    let Some(current) = table.as_mut() else {
                        unreachable!("LineReader::item refuses a row before a table");
                    };
                    current.rows.push((reader.line, values));
                    if current.rows.len() == ROWS_PER_STATEMENT {
                        current.flush(self.backend, &mut transaction).await?;
                    }
                }
                Item::End { rows } => break rows,
            }
        };
        if let Some(mut done) = table.take() {
            done.flush(self.backend, &mut transaction).await?;
        }
        transaction
            .commit_restored(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "registry.restore".to_string(),
                subject: "registry".to_string(),
                detail: json!({
                    "rows": rows,
                    "backup_head_seq": header.head_seq,
                    "backup_head_hash": header.head_hash,
                    "made_on": header.made_on,
                    "made_at": header.made_at,
                }),
            })
            .await?;
        Ok(BackupSummary {
            schema: header.schema,
            tables: reader.tables.len(),
            rows,
            head_seq: header.head_seq,
            head_hash: header.head_hash,
        })
    }
}

/// Reads a whole backup without a database: its structure, that every row
/// fits its table, and its checksum. What [`Store::restore`] would load.
pub fn check_backup(input: &mut dyn BufRead) -> Result<BackupSummary, RestoreError> {
    let mut reader = LineReader::new(input);
    let header = reader.header()?;
    let rows = loop {
        if let Item::End { rows } = reader.item()? {
            break rows;
        }
    };
    Ok(BackupSummary {
        schema: header.schema,
        tables: reader.tables.len(),
        rows,
        head_seq: header.head_seq,
        head_hash: header.head_hash,
    })
}

/// The first line of a backup.
struct Header {
    schema: i64,
    head_seq: u64,
    head_hash: String,
    made_on: Json,
    made_at: Json,
}

/// One line after the header.
enum Item {
    Table {
        name: String,
        columns: Vec<String>,
    },
    Row(Vec<Json>),
    /// The end line, once its checksum and row count are checked.
    End {
        rows: u64,
    },
}

/// Covered tables parents first, then the chain.
fn table_order() -> impl Iterator<Item = &'static str> {
    COVERED
        .iter()
        .map(|covered| covered.table)
        .chain(CHAIN_TABLES.iter().copied())
}

/// The order a table's rows are written in: by key, so that a backup of
/// the same registry is the same file on either database, except that a
/// companion's row refers to their patient's, which must come first.
fn backup_order(table: &str) -> String {
    if table == "persons" {
        return "CASE WHEN companion_of IS NULL THEN 0 ELSE 1 END, id".to_string();
    }
    match covered_table(table) {
        Some(covered) => covered
            .key
            .iter()
            .map(|(column, _)| *column)
            .collect::<Vec<_>>()
            .join(", "),
        None if table == "audit_rows" => "seq, tbl, row_key".to_string(),
        None if table == "audit_log" => "seq".to_string(),
        None => "1".to_string(),
    }
}

async fn schema_version(connection: &mut sqlx::AnyConnection) -> Result<i64, StoreError> {
    Ok(
        sqlx::query("SELECT MAX(version) AS version FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&mut *connection)
            .await?
            .try_get("version")?,
    )
}

fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Integer(number) => json!(number),
        Value::Double(number) => json!(number),
        Value::Text(text) => Json::String(text.clone()),
        Value::Blob(bytes) => json!({ "blob": hex::encode(bytes) }),
    }
}

/// How to bind a column's values: the database's own idea of its type.
async fn column_kinds(
    connection: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[String],
) -> Result<Vec<AnyTypeInfoKind>, RestoreError> {
    let statement = connection
        .prepare(sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(
            format!("SELECT * FROM {table}"),
        )))
        .await?;
    columns
        .iter()
        .map(|name| {
            statement
                .columns()
                .iter()
                .find(|column| column.name() == name)
                .map(|column| column.type_info().kind())
                .ok_or_else(|| RestoreError::Format {
                    line: 0,
                    problem: format!("table {table} has no column {name} here"),
                })
        })
        .collect()
}

/// The rows of one table read so far and not yet inserted.
struct TableInput {
    name: String,
    columns: Vec<String>,
    kinds: Vec<AnyTypeInfoKind>,
    rows: Vec<(u64, Vec<Json>)>,
}

impl TableInput {
    async fn flush(
        &mut self,
        backend: Backend,
        connection: &mut sqlx::AnyConnection,
    ) -> Result<(), RestoreError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        if self.name == "audit_head" {
            // The new database has its head row already; the backup's
            // replaces it.
            for (line, values) in self.rows.drain(..) {
                let value = |name: &str| {
                    self.columns
                        .iter()
                        .position(|column| column == name)
                        .and_then(|index| values.get(index).cloned())
                        .ok_or_else(|| RestoreError::Format {
                            line,
                            problem: format!("the audit head has no {name}"),
                        })
                };
                sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                    .bind(value("seq")?.as_i64().unwrap_or(-1))
                    .bind(value("hash")?.as_str().unwrap_or_default().to_string())
                    .execute(&mut *connection)
                    .await?;
            }
            return Ok(());
        }
        let sql = insert_sql(
            backend,
            &self.name,
            &self.columns.join(", "),
            self.columns.len(),
            self.rows.len(),
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (line, values) in &self.rows {
            for ((value, kind), column) in values.iter().zip(&self.kinds).zip(&self.columns) {
                let wrong = || RestoreError::Format {
                    line: *line,
                    problem: format!("{}.{column} holds {value}", self.name),
                };
                query = match kind {
                    AnyTypeInfoKind::Bool
                    | AnyTypeInfoKind::SmallInt
                    | AnyTypeInfoKind::Integer
                    | AnyTypeInfoKind::BigInt => match value {
                        Json::Null => query.bind(None::<i64>),
                        other => query.bind(other.as_i64().ok_or_else(wrong)?),
                    },
                    AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => match value {
                        Json::Null => query.bind(None::<f64>),
                        other => query.bind(other.as_f64().ok_or_else(wrong)?),
                    },
                    AnyTypeInfoKind::Text | AnyTypeInfoKind::Null => match value {
                        Json::Null => query.bind(None::<String>),
                        other => query.bind(other.as_str().ok_or_else(wrong)?.to_string()),
                    },
                    AnyTypeInfoKind::Blob => match value {
                        Json::Null => query.bind(None::<Vec<u8>>),
                        other => query.bind(
                            other
                                .get("blob")
                                .and_then(Json::as_str)
                                .and_then(|text| hex::decode(text).ok())
                                .ok_or_else(wrong)?,
                        ),
                    },
                };
            }
        }
        query.execute(&mut *connection).await?;
        self.rows.clear();
        Ok(())
    }
}

/// Reads a backup line by line, checking its structure as it goes and
/// keeping the checksum of every line read.
struct LineReader<'r> {
    input: &'r mut dyn BufRead,
    line: u64,
    hasher: Sha256,
    /// The tables read so far, with their number of columns.
    tables: Vec<(String, usize)>,
    rows: u64,
}

impl<'r> LineReader<'r> {
    fn new(input: &'r mut dyn BufRead) -> LineReader<'r> {
        LineReader {
            input,
            line: 0,
            hasher: Sha256::new(),
            tables: Vec::new(),
            rows: 0,
        }
    }

    fn format(&self, problem: impl Into<String>) -> RestoreError {
        RestoreError::Format {
            line: self.line,
            problem: problem.into(),
        }
    }

    /// The next line as JSON, with the checksum of the lines before it.
    fn next_line(&mut self) -> Result<(Json, String), RestoreError> {
        let checksum = hex::encode(self.hasher.clone().finalize());
        let mut text = String::new();
        if self.input.read_line(&mut text)? == 0 {
            return Err(RestoreError::Truncated { line: self.line });
        }
        self.line += 1;
        let trimmed = text.strip_suffix('\n').unwrap_or(&text);
        let value: Json =
            serde_json::from_str(trimmed).map_err(|error| self.format(error.to_string()))?;
        self.hasher.update(trimmed.as_bytes());
        self.hasher.update(b"\n");
        Ok((value, checksum))
    }

    fn header(&mut self) -> Result<Header, RestoreError> {
        let (header, _) = self.next_line()?;
        if header.get("corridor_backup").and_then(Json::as_i64) != Some(FORMAT) {
            return Err(self.format("the first line is not a corridor backup header of format 1"));
        }
        let number = |name: &str| {
            header
                .get(name)
                .and_then(Json::as_i64)
                .ok_or_else(|| RestoreError::Format {
                    line: 1,
                    problem: format!("the header has no {name}"),
                })
        };
        Ok(Header {
            schema: number("schema")?,
            head_seq: number("head_seq")? as u64,
            head_hash: header
                .get("head_hash")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string(),
            made_on: header.get("made_on").cloned().unwrap_or(Json::Null),
            made_at: header.get("made_at").cloned().unwrap_or(Json::Null),
        })
    }

    fn item(&mut self) -> Result<Item, RestoreError> {
        let (line, checksum) = self.next_line()?;
        match line {
            Json::Array(values) => {
                let Some((table, columns)) = self.tables.last() else {
                    return Err(self.format("a row before any table line"));
                };
                if values.len() != *columns {
                    return Err(self.format(format!(
                        "{} values for the {columns} columns of {table}",
                        values.len()
                    )));
                }
                self.rows += 1;
                Ok(Item::Row(values))
            }
            Json::Object(fields) if fields.contains_key("table") => {
                let name = fields
                    .get("table")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string();
                if !table_order().any(|known| known == name) {
                    return Err(RestoreError::UnknownTable(name));
                }
                let columns: Vec<String> = fields
                    .get("columns")
                    .and_then(Json::as_array)
                    .map(|columns| {
                        columns
                            .iter()
                            .filter_map(|c| c.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                self.tables.push((name.clone(), columns.len()));
                Ok(Item::Table { name, columns })
            }
            Json::Object(fields) if fields.contains_key("end") => {
                if fields.get("sha256").and_then(Json::as_str) != Some(checksum.as_str())
                    || fields.get("rows").and_then(Json::as_u64) != Some(self.rows)
                {
                    return Err(RestoreError::Checksum);
                }
                Ok(Item::End { rows: self.rows })
            }
            _ => Err(self.format("neither a table, a row nor the end")),
        }
    }
}
