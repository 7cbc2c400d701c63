//! tower-sessions' store over corridor's database: the published sqlx
//! stores lag behind sqlx 0.9, and this keeps sessions in the same
//! database (SQLite or PostgreSQL) as everything else.
//!
//! Sessions are read on every request, so they are also kept in memory,
//! written through to the database, for the head of the audit chain they
//! were read at: signing in and out are audited, and so are the changes
//! that end an account's sessions (a password reset, a role change,
//! disabling), so another process's change reaches this one within the
//! store's [`corridor_store::OTHER_PROCESS_DELAY`].
//!
//! Each row names the account signed in (the session's `user` value), so
//! that the store can end all of an account's sessions. Saving a session
//! never creates it again: one ended while a request was using it stays
//! ended.

use std::sync::Arc;

use async_trait::async_trait;
use corridor_store::{HeadCache, Store};
use jiff::Timestamp;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// About 300 bytes a session: a few MiB at most.
const CACHED_SESSIONS: usize = 10_000;

#[derive(Clone)]
pub struct DatabaseSessionStore {
    store: Store,
    cached: Arc<HeadCache<Id, Option<Record>>>,
}

impl DatabaseSessionStore {
    pub fn new(store: Store) -> DatabaseSessionStore {
        DatabaseSessionStore {
            store,
            cached: Arc::new(HeadCache::new(CACHED_SESSIONS)),
        }
    }

    /// The head a record is kept at: taken before the database is read or
    /// written, so a kept record is never older than its head.
    async fn head(&self) -> session_store::Result<corridor_store::Head> {
        self.store.head().await.map_err(backend)
    }
}

impl std::fmt::Debug for DatabaseSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseSessionStore")
    }
}

fn expiry(record: &Record) -> Timestamp {
    let nanos = record.expiry_date.unix_timestamp_nanos();
    Timestamp::from_nanosecond(nanos).unwrap_or(Timestamp::MAX)
}

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

/// The account a session is signed in to, if any.
fn username(record: &Record) -> Option<String> {
    record
        .data
        .get(crate::auth::identity::SESSION_USER)
        .and_then(|value| value.as_str())
        .map(str::to_string)
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(record).map_err(|error| session_store::Error::Encode(error.to_string()))
}

#[async_trait]
impl SessionStore for DatabaseSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let head = self.head().await?;
        loop {
            let inserted = self
                .store
                .insert_web_session(
                    &record.id.to_string(),
                    username(record).as_deref(),
                    &encode(record)?,
                    expiry(record),
                )
                .await
                .map_err(backend)?;
            if inserted {
                self.cached.put(head, record.id, Some(record.clone()));
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let head = self.head().await?;
        let saved = self
            .store
            .save_web_session(
                &record.id.to_string(),
                username(record).as_deref(),
                &encode(record)?,
                expiry(record),
            )
            .await
            .map_err(backend)?;
        // A session ended meanwhile is not kept again, in memory or in the
        // database: its next request finds it gone.
        self.cached
            .put(head, record.id, saved.then(|| record.clone()));
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let head = self.head().await?;
        let record = self
            .cached
            .get_or_read(head, id, async || {
                let Some(text) = self
                    .store
                    .web_session(&id.to_string(), Timestamp::now())
                    .await
                    .map_err(backend)?
                else {
                    return Ok(None);
                };
                serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|error| session_store::Error::Decode(error.to_string()))
            })
            .await?;
        // A kept session expires in memory as it does in the database.
        Ok(record.filter(|record| record.expiry_date > OffsetDateTime::now_utc()))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store
            .delete_web_session(&id.to_string())
            .await
            .map_err(backend)?;
        // Kept as gone, not just forgotten: a load that read the session
        // just before it was deleted must not keep it again.
        let head = self.head().await?;
        self.cached.put(head, *id, None);
        Ok(())
    }
}
