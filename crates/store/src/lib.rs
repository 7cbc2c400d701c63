//! Persistence for corridor, over SQLite (the embedded default) and
//! PostgreSQL, through one SQL code path.
//!
//! The difference between the two databases lives in three places only:
//! the migration folders, [`Backend::begin_write`] (SQLite takes the write
//! lock up front with `BEGIN IMMEDIATE`), and the connection set-up in
//! [`Store::open`]. Everything else is portable SQL with `$n` placeholders
//! and columns of BIGINT, DOUBLE PRECISION and TEXT.
//!
//! Every change is one transaction that also appends to the audit log
//! ([`audit`]); a change to a person's status checks the version it was
//! based on (optimistic concurrency), so a concurrent update is reported as
//! [`StoreError::Conflict`] instead of being lost.

mod aggregates;
mod aid;
pub mod audit;
mod backup;
mod batches;
mod codec;
mod day;
mod error;
mod exports;
pub mod freshness;
mod notices;
mod organisations;
mod people;
mod planning;
mod reasons;
mod reference;
mod report;
mod unit_of_work;
mod users;
mod witness;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use aggregates::{DeathCount, EvacuationCount, PatientHistory, WaitingCount};
pub use aid::{ConsignmentMove, ConsignmentRecord, Moved};
pub use audit::{AuditAnchor, AuditEntry, AuditProblem, AuditReport, NewAuditEntry};
pub use backup::{BackupSummary, RestoreError, check_backup};
pub use batches::{BatchChoice, eligible_statuses};
pub use day::{
    Amended, AmendedParty, Amendment, BedLine, CallAttempt, CallList, CallMember, CallParty,
    CallRecord, CallRecorded, CandidatePatient, CandidateReturnee, ClearanceBatch,
    ClearanceRequest, DayCancellation, DayCancelled, Decision, Destination, DraftParty, EntryState,
    FreeBeds, FreedEntry, FreedPlaces, GateRecord, GateRecording, GateUndo, GateUndone, Manifest,
    ManifestDraft, ManifestEntry, OverrideChange, OverrideKind, PartyPoints, PlanOverride,
    PlanningInputs, Reconciliation, StandbyEntry, Submission, Submitted, SubmittedBatch,
    direction_of,
};
pub use error::{DayRule, StoreError, Thing};
pub use exports::{
    BackwardsWindow, DEFAULT_WINDOW_DAYS, ExportWindow, Exporter, MAX_PURPOSE_CHARS,
    MAX_REPORT_WINDOW_DAYS, ReferralExport, ReportRequest,
};
pub use freshness::{Head, HeadCache, OTHER_PROCESS_DELAY};
pub use notices::{DeliveryRecorded, NOTICE_CLAIM_TIMEOUT, Notice, NoticeFilter, NoticeRef};
pub use people::{
    CompanionStanding, Keyset, ListFilter, ListPage, ListPosition, ListedPerson, PersonRecord,
    Replaced, RoleFilter, TierCount, Transitioned, Visibility, WaitFilter, WaitingSummary,
};
pub use planning::{ConfirmOptions, OverrideOutcome, displaced_by, method_name, parse_method};
pub use reasons::REASON_LABEL_MAX_CHARS;
pub use reference::ReferenceData;
pub use report::RegistryForecast;
pub use users::{ApiToken, BreakGlassGrant, NewUser, SignInCheck, UserAccount, UserUpdate};
pub use witness::{covered_tables, uncovered_tables};

/// Whether an import is kept or only tried. A dry run goes through the
/// very same store function as the real import — every check, every write
/// and the audit entry, inside the same write transaction — and rolls the
/// transaction back instead of committing it: it answers exactly as the
/// real import would, and leaves nothing behind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImportMode {
    #[default]
    Commit,
    DryRun,
}

/// The database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl { url: redact(url) })
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// Starts a transaction that will write. SQLite takes the write lock at
    /// once, so two writers queue instead of failing half-way with "database
    /// is locked".
    async fn begin_write(
        self,
        pool: &AnyPool,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self {
            Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => pool.begin().await,
        }
    }

    /// Starts a transaction that only reads, and sees one state of the
    /// database throughout: SQLite's read transactions in WAL mode do;
    /// PostgreSQL needs REPEATABLE READ for it.
    async fn begin_snapshot(
        self,
        pool: &AnyPool,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self {
            Backend::Sqlite => pool.begin().await,
            Backend::Postgres => {
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
        }
    }
}

/// A connection pool to one corridor database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// What the clones keep in memory between calls (see [`freshness`]).
    cached: std::sync::Arc<freshness::Cached>,
}

impl Store {
    /// Connects, creating an SQLite file if it does not exist yet, and brings
    /// the schema up to date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let (store, before) = Store::open_unbound(url).await?;
        store.witness_migrations(before).await?;
        Ok(store)
    }

    /// Opens a database to restore a backup into: the schema is brought up
    /// to date, but the rows its migrations seed (the reason codes) are not
    /// bound to the audit chain, since [`Store::restore`] replaces them.
    /// Opened normally afterwards, a database whose rows were never bound
    /// binds them then.
    pub async fn open_for_restore(url: &str) -> Result<Store, StoreError> {
        Ok(Store::open_unbound(url).await?.0)
    }

    async fn open_unbound(url: &str) -> Result<(Store, unit_of_work::BeforeMigrating), StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let open_error = |source| StoreError::Open {
            url: redact(url),
            source,
        };
        if backend == Backend::Sqlite {
            create_private_sqlite_file(url).map_err(open_error)?;
        }
        let connect_url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&connect_url).map_err(open_error)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers go on while one writer commits;
                        // the busy timeout makes a second writer wait for
                        // the first instead of failing. A 4 MiB page
                        // cache per connection (16 MiB for the pool) keeps a
                        // server's memory bounded whatever the registry's
                        // size: the operating system's file cache holds the
                        // rest, and what the waiting list reads most is kept
                        // in memory above the database (crate::freshness).
                        // Temporary files stay in memory.
                        connection
                            .execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                                 PRAGMA cache_size = -4096; PRAGMA temp_store = MEMORY;",
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(open_error)?;
        let before = unit_of_work::before_migrating(&pool).await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        let store = Store {
            pool,
            backend,
            cached: Default::default(),
        };
        Ok((store, before))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool, waiting for connections to finish (SQLite
    /// checkpoints its write-ahead log on the last close).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates the database file of an SQLite URL that is to be created (no
/// `mode`, or `mode=rwc`), if it does not exist yet, readable and writable
/// by its owner only: the registry holds personal data. SQLite gives the
/// `-wal` and `-shm` files it creates the mode of the database file, so all
/// three are private. An existing file keeps its mode.
fn create_private_sqlite_file(url: &str) -> Result<(), sqlx::Error> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let creates = !url.contains("mode=") || url.contains("mode=rwc");
    if in_memory || !creates {
        return Ok(());
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    match file.open(options.get_filename()) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(sqlx::Error::Io(error)),
    }
}

/// The URL with any password replaced, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend_and_hide_passwords() {
        assert_eq!(
            Backend::of_url("sqlite:///tmp/x.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::of_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::of_url("mysql://u@h/db").is_err());
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
