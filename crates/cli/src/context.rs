//! What every command needs: the database, who is acting, and what day it is.

use std::path::PathBuf;

use anyhow::{Context as _, anyhow, bail};
use corridor_domain::Text;
use corridor_store::{Store, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::flags::GlobalArgs;

pub struct Context {
    pub store: Store,
    pub database_url: String,
    pub actor: String,
    pub today: Date,
    pub now: Timestamp,
    /// The date given with `--today`, if any.
    pub fixed_today: Option<Date>,
}

/// What the database is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Any command that reads or changes the registry.
    Work,
    /// `corridor restore`: a new database, whose seeded rows the backup replaces.
    Restore,
}

impl Context {
    pub async fn open(global: &GlobalArgs, opening: Opening) -> anyhow::Result<Context> {
        let (today, now) = clock(global)?;
        let actor = resolve_actor(global.actor.as_deref())?;
        let database_url = match &global.database_url {
            Some(url) => url.clone(),
            None => default_database_url()?,
        };
        let store = match opening {
            Opening::Work => Store::open(&database_url).await,
            Opening::Restore => Store::open_for_restore(&database_url).await,
        };
        let store = store.map_err(|error| match error {
            StoreError::Open { .. } if database_url.starts_with("sqlite:") => anyhow!(
                "{error}\n  check that the directory of the file exists and that you may write in it"
            ),
            other => other.into(),
        })?;
        Ok(Context {
            store,
            database_url,
            actor,
            today,
            now,
            fixed_today: global.today.as_ref().map(|_| today),
        })
    }
}

/// Today's date and the current instant, in UTC. With `--today`, the
/// instant is the current time of day on that date, so that events recorded
/// while working as of another date are dated on it.
pub fn clock(global: &GlobalArgs) -> anyhow::Result<(Date, Timestamp)> {
    let now = Timestamp::now();
    let utc = jiff::tz::Offset::UTC;
    match &global.today {
        None => Ok((utc.to_datetime(now).date(), now)),
        Some(text) => {
            let today: Date = text
                .parse()
                .with_context(|| format!("--today '{text}' is not a date; use YYYY-MM-DD"))?;
            let now = utc
                .to_timestamp(today.to_datetime(utc.to_datetime(now).time()))
                .with_context(|| format!("--today {today} is out of range"))?;
            Ok((today, now))
        }
    }
}

/// The longest name of who is acting, recorded in every event.
const MAX_ACTOR_CHARS: usize = 100;

fn resolve_actor(given: Option<&str>) -> anyhow::Result<String> {
    let actor = match given {
        Some(name) => name.trim().to_string(),
        None => ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|name| {
                std::env::var(name)
                    .ok()
                    .filter(|value| !value.trim().is_empty())
            })
            .unwrap_or_else(|| "local-user".to_string()),
    };
    if actor.is_empty() {
        bail!("--as: say who is acting; every change is attributed");
    }
    let actor = Text::parse("as", &actor, MAX_ACTOR_CHARS).map_err(|invalid| {
        anyhow!(
            "--as: {}; use a plain name of at most {MAX_ACTOR_CHARS} characters",
            invalid.problem
        )
    })?;
    Ok(actor.as_str().to_string())
}

/// `sqlite://` URL of `corridor.db` in the user's data directory, which is
/// created if needed, open to its owner only (the registry holds personal
/// data). A directory that already exists keeps its mode.
fn default_database_url() -> anyhow::Result<String> {
    let data: PathBuf = dirs::data_dir()
        .context("no data directory is known for this user; pass --database-url")?;
    let directory = data.join("corridor");
    let cannot = || format!("cannot create the data directory {}", directory.display());
    std::fs::create_dir_all(&data).with_context(cannot)?;
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(&directory) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(error) => return Err(error).with_context(cannot),
    }
    Ok(sqlite_url(&directory.join("corridor.db")))
}

pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}", path.display())
}
