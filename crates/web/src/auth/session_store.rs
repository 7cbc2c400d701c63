//! tower-sessions' store over corridor's database: the published sqlx
//! stores lag behind sqlx 0.9, and this keeps sessions in the same
//! database (SQLite or PostgreSQL) as everything else.

use async_trait::async_trait;
use corridor_store::Store;
use jiff::Timestamp;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Clone)]
pub struct DatabaseSessionStore {
    store: Store,
}

impl DatabaseSessionStore {
    pub fn new(store: Store) -> DatabaseSessionStore {
        DatabaseSessionStore { store }
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

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(record).map_err(|error| session_store::Error::Encode(error.to_string()))
}

#[async_trait]
impl SessionStore for DatabaseSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let inserted = self
                .store
                .insert_web_session(&record.id.to_string(), &encode(record)?, expiry(record))
                .await
                .map_err(backend)?;
            if inserted {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store
            .save_web_session(&record.id.to_string(), &encode(record)?, expiry(record))
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
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
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store
            .delete_web_session(&id.to_string())
            .await
            .map_err(backend)
    }
}
