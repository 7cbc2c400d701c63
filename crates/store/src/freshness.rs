//! What a server may keep in memory between requests, and for how long.
//!
//! Every change to corridor's data appends to the audit log in the same
//! transaction, so the head of the audit chain names a state of the whole
//! registry: a result read at one head stays right while the head has not
//! moved. [`Store::head`] knows the head without asking the database when it
//! safely can: changes committed through this store (the server's own) are
//! seen at once, and changes committed by another process (the CLI beside a
//! server) within [`OTHER_PROCESS_DELAY`].
//!
//! Most entries leave the people as they were (an audited read of a record,
//! a sign-in, an aid truck's move), so what is read from the people alone —
//! the waiting list — is kept for [`Store::people_head`], the newest entry
//! that wrote a person or a status event, and is not read again after every
//! entry. When the people do change, it is usually a few of them (a
//! registration, a decision): what is kept is then brought up to date for
//! those people alone ([`PeopleWritten`]) rather than read again whole.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use sqlx::Row;

use corridor_domain::PersonId;

use crate::people::list::{FilterKey, ListPosition, OrderKey, RowKey, SearchTexts};
use crate::{ListedPerson, Store, StoreError, UserAccount};

/// How long a change committed by another process may go unseen by a
/// store that keeps results in memory.
pub const OTHER_PROCESS_DELAY: Duration = Duration::from_secs(1);

/// A state of the registry: the sequence number of the newest audit entry.
/// Equal heads mean nothing changed in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Head(i64);

/// What a store and its clones keep in memory between calls.
#[derive(Debug)]
pub(crate) struct Cached {
    pub(crate) watch: HeadWatch,
    /// Rows of the waiting list, one by one: what its pages show.
    pub(crate) list_rows: HeadCache<RowKey, ListedPerson>,
    /// Everyone a list holds, in order: what its pages are cut from.
    pub(crate) list_orders: HeadCache<OrderKey, Arc<Vec<ListPosition>>>,
    /// Everyone a filter holds with their id and name as a search reads
    /// them: what a search's order is found in.
    pub(crate) search_texts: HeadCache<FilterKey, Arc<SearchTexts>>,
    /// Accounts of signed-in users and of API tokens, checked on every
    /// request.
    pub(crate) accounts: HeadCache<AccountKey, Option<UserAccount>>,
    /// The people written in the last move of the people head, while few.
    people_written: Mutex<Option<Arc<PeopleWritten>>>,
}

/// The people whose rows were written between the people head before and
/// `to`: what the waiting list kept before must read again to be right at
/// `to`.
#[derive(Debug)]
pub(crate) struct PeopleWritten {
    pub(crate) to: Head,
    /// The people written, and the patients of the companions among them
    /// (a patient's row counts their companions).
    pub(crate) ids: HashSet<PersonId>,
}

/// Beyond this many rows written between two people heads (a bulk import,
/// a restore), what was kept is read again whole rather than brought up to
/// date person by person.
const MOST_ROWS_BROUGHT_UP_TO_DATE: i64 = 1000;

impl Cached {
    /// Moves what the waiting list keeps from the people head `from` to
    /// `to`: rows of people not written stay as they are; orders are set
    /// aside, for their next reader to bring up to date. Without `written`
    /// (too many rows), everything is read again.
    fn move_people_head(&self, from: Head, to: Head, written: Option<PeopleWritten>) {
        let Some(written) = written else {
            *lock(&self.people_written) = None;
            return;
        };
        self.list_rows
            .move_keeping(from, to, |key| !written.ids.contains(&key.id));
        self.list_orders.move_setting_aside(from, to);
        self.search_texts.move_setting_aside(from, to);
        *lock(&self.people_written) = Some(Arc::new(written));
    }

    /// The people written in the move of the people head to `to`, if that
    /// was the last move and few were.
    pub(crate) fn people_written_up_to(&self, to: Head) -> Option<Arc<PeopleWritten>> {
        lock(&self.people_written)
            .clone()
            .filter(|written| written.to == to)
    }
}

impl Default for Cached {
    fn default() -> Cached {
        Cached {
            watch: HeadWatch::default(),
            // About 300 bytes a row with what keeps it: 9 MiB at most,
            // every patient of the demo and its pages at any depth.
            list_rows: HeadCache::new(30_000),
            // About 70 bytes a person: 1.4 MiB for all 20,000 of the demo,
            // 7 MiB for five times as many; 16 filters at most.
            list_orders: HeadCache::new(16),
            // About 140 bytes a person with the index: 2.8 MiB for the
            // demo, 14 MiB for five times as many; 4 filters at most.
            search_texts: HeadCache::new(4),
            accounts: HeadCache::new(4096),
            people_written: Mutex::new(None),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum AccountKey {
    Username(String),
    TokenHash(String),
}

/// The last head read from the database, and the commits this store had
/// made when it was read.
#[derive(Debug, Default)]
pub(crate) struct HeadWatch {
    commits: AtomicU64,
    last_read: Mutex<Option<HeadRead>>,
    /// One read of the head at a time; the callers waiting meanwhile take
    /// its result.
    reading: tokio::sync::Mutex<()>,
    /// The last change to the people found, and the head it was looked
    /// for at: the next look reads only the entries since.
    people: tokio::sync::Mutex<Option<PeopleChange>>,
}

#[derive(Debug, Clone, Copy)]
struct PeopleChange {
    /// The head the change was looked for at.
    at: Head,
    /// The newest entry at or before `at` that wrote a row of
    /// [`PEOPLE_TABLES`]; `Head(0)` for none.
    changed: Head,
}

/// The tables the waiting list is read from: who is on it, in what order
/// and status (`persons`), and who registered them (the first
/// `status_events` row, for a user's scope).
const PEOPLE_TABLES: &str = "'persons', 'status_events'";

#[derive(Debug, Clone, Copy)]
struct HeadRead {
    head: Head,
    commits: u64,
    at: Instant,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl HeadWatch {
    pub(crate) fn committed(&self) {
        self.commits.fetch_add(1, Ordering::SeqCst);
    }

    /// The head last read, unless this store committed since or it is
    /// older than [`OTHER_PROCESS_DELAY`].
    fn known(&self) -> Option<Head> {
        let last = (*lock(&self.last_read))?;
        (last.commits == self.commits.load(Ordering::SeqCst)
            && last.at.elapsed() < OTHER_PROCESS_DELAY)
            .then_some(last.head)
    }
}

impl Store {
    /// The current state of the registry, read from the database at most
    /// once per [`OTHER_PROCESS_DELAY`] while this store commits nothing.
    pub async fn head(&self) -> Result<Head, StoreError> {
        if let Some(head) = self.cached.watch.known() {
            return Ok(head);
        }
        let _reading = self.cached.watch.reading.lock().await;
        if let Some(head) = self.cached.watch.known() {
            return Ok(head);
        }
        // Taken before the read: a commit during the read makes the next
        // caller read again.
        let commits = self.cached.watch.commits.load(Ordering::SeqCst);
        let at = Instant::now();
        let head = Head(self.audit_head_seq().await?);
        let mut last = lock(&self.cached.watch.last_read);
        if last.is_none_or(|last| last.at <= at) {
            *last = Some(HeadRead { head, commits, at });
        }
        Ok(head)
    }

    /// The state of the people on the registry: the newest entry, as of the
    /// current [`Store::head`], that wrote a person or a status event. Every
    /// write of a row is witnessed in `audit_rows` under its entry (the
    /// triggers of [`crate::witness`] record it, whoever writes), so equal
    /// people heads mean the people did not change in between, whatever
    /// else did. Read from the entries since the last look only.
    pub async fn people_head(&self) -> Result<Head, StoreError> {
        let head = self.head().await?;
        let mut people = self.cached.watch.people.lock().await;
        let known = *people;
        if let Some(known) = known
            && known.at == head
        {
            return Ok(known.changed);
        }
        // From the last look, unless there was none or it was at a newer
        // head than this caller's (whose answer is then not kept).
        let since = known.filter(|known| known.at < head);
        // The rows written are needed only to bring a kept list up to date;
        // the first look needs the newest alone.
        let limit = match since {
            Some(_) => MOST_ROWS_BROUGHT_UP_TO_DATE + 1,
            None => 1,
        };
        let written = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT seq, row_key, digest FROM audit_rows WHERE seq > $1 AND seq <= $2 \
             AND tbl IN ({PEOPLE_TABLES}) ORDER BY seq DESC LIMIT {limit}"
        )))
        .bind(since.map_or(0, |known| known.at.0))
        .bind(head.0)
        .fetch_all(&self.pool)
        .await?;
        let changed = match (written.first(), since) {
            (Some(row), _) => Head(row.try_get("seq")?),
            (None, Some(known)) => known.changed,
            (None, None) => Head(0),
        };
        if known.is_none_or(|known| known.at < head) {
            if let Some(known) = since
                && changed != known.changed
            {
                let written = self.people_written(changed, &written).await?;
                self.cached
                    .move_people_head(known.changed, changed, written);
            }
            *people = Some(PeopleChange { at: head, changed });
        }
        Ok(changed)
    }

    /// The people whose rows `rows` of `audit_rows` (persons and status
    /// events) wrote up to the people head `to`; `None` when
    /// there are too many to bring the list up to date person by person,
    /// or a person was deleted.
    async fn people_written(
        &self,
        to: Head,
        rows: &[sqlx::any::AnyRow],
    ) -> Result<Option<PeopleWritten>, StoreError> {
        if rows.len() as i64 > MOST_ROWS_BROUGHT_UP_TO_DATE {
            return Ok(None);
        }
        let mut ids = HashSet::new();
        for row in rows {
            let key: String = row.try_get("row_key")?;
            let digest: String = row.try_get("digest")?;
            // A person's key and a status event's both start with the
            // person's id.
            let id = serde_json::from_str::<Vec<String>>(&key)
                .ok()
                .and_then(|key| key.into_iter().next())
                .and_then(|id| PersonId::parse(&id).ok());
            match id {
                Some(id) if !digest.is_empty() => ids.insert(id),
                _ => return Ok(None),
            };
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
        let mut patients = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT companion_of FROM persons \
             WHERE companion_of IS NOT NULL AND id IN ({})",
            placeholders.join(", ")
        )));
        for id in &ids {
            patients = patients.bind(id.to_string());
        }
        for row in patients.fetch_all(&self.pool).await? {
            let patient: String = row.try_get("companion_of")?;
            ids.insert(
                PersonId::parse(&patient)
                    .map_err(StoreError::from_invalid("persons", "companion_of"))?,
            );
        }
        Ok(Some(PeopleWritten { to, ids }))
    }

    /// Commits a write transaction, so that [`Store::head`] reads the
    /// database again on its next call.
    pub(crate) async fn commit(
        &self,
        transaction: sqlx::Transaction<'static, sqlx::Any>,
    ) -> Result<(), sqlx::Error> {
        let result = transaction.commit().await;
        // Counted even on an error: the commit may have happened.
        self.cached.watch.committed();
        result
    }
}

/// Results valid for one head: a newer head empties the cache, and a reader
/// that saw an older head neither uses nor fills it. Each result is read
/// once: callers that want it while it is being read wait for that read
/// instead of all reading it at once after every change. Bounded, since keys
/// come from users: when full, it starts again empty.
#[derive(Debug)]
pub struct HeadCache<K, V> {
    capacity: usize,
    inner: Mutex<HeadCacheInner<K, V>>,
}

#[derive(Debug)]
struct HeadCacheInner<K, V> {
    head: Option<Head>,
    values: HashMap<K, Arc<OnceCell<V>>>,
    /// What it held at an older head, set aside when it moved to `head`.
    set_aside: HashMap<K, V>,
}

impl<K: Eq + Hash + Clone, V: Clone> HeadCache<K, V> {
    pub fn new(capacity: usize) -> HeadCache<K, V> {
        HeadCache {
            capacity,
            inner: Mutex::new(HeadCacheInner {
                head: None,
                values: HashMap::new(),
                set_aside: HashMap::new(),
            }),
        }
    }

    /// The value of `key` at `head`, read with `read` unless it is kept or
    /// being read already. A failed read is not kept.
    pub async fn get_or_read<E, F>(&self, head: Head, key: &K, read: F) -> Result<V, E>
    where
        F: AsyncFnOnce() -> Result<V, E>,
    {
        let Some(cell) = self.cell(head, key) else {
            return read().await;
        };
        cell.get_or_try_init(|| read()).await.cloned()
    }

    /// The values kept for `keys` at `head`, each `None` unless kept and
    /// read already; a reader that saw an older head finds none.
    pub fn get_kept(&self, head: Head, keys: &[K]) -> Vec<Option<V>> {
        let inner = lock(&self.inner);
        keys.iter()
            .map(|key| {
                (inner.head == Some(head))
                    .then(|| inner.values.get(key))
                    .flatten()
                    .and_then(|cell| cell.get().cloned())
            })
            .collect()
    }

    /// Keeps `value` as the value of `key` at `head`.
    pub fn put(&self, head: Head, key: K, value: V) {
        if let Some(mut inner) = self.at(head) {
            inner.insert(
                self.capacity,
                key,
                Arc::new(OnceCell::new_with(Some(value))),
            );
        }
    }

    /// Moves the cache from `from` to `to`, keeping the values read at
    /// `from` whose keys `keep` says are still right at `to`. A cache not
    /// at `from` starts empty at `to`.
    pub fn move_keeping(&self, from: Head, to: Head, keep: impl Fn(&K) -> bool) {
        let Some(mut inner) = self.moving(from, to) else {
            return;
        };
        let kept = std::mem::take(&mut inner.values)
            .into_iter()
            .filter(|(key, cell)| cell.initialized() && keep(key))
            .collect();
        inner.values = kept;
        inner.set_aside.clear();
        inner.head = Some(to);
    }

    /// Moves the cache from `from` to `to`, setting aside the values read
    /// at `from` for [`HeadCache::take_set_aside`] to give back at `to`. A cache
    /// not at `from` starts empty at `to`.
    pub fn move_setting_aside(&self, from: Head, to: Head) {
        let Some(mut inner) = self.moving(from, to) else {
            return;
        };
        inner.set_aside = std::mem::take(&mut inner.values)
            .into_iter()
            .filter_map(|(key, cell)| Some((key, cell.get()?.clone())))
            .collect();
        inner.head = Some(to);
    }

    /// Takes the value of `key` set aside when the cache moved to `head`: a
    /// value of an older head, to bring up to date rather than read again.
    pub fn take_set_aside(&self, head: Head, key: &K) -> Option<V> {
        let mut inner = lock(&self.inner);
        if inner.head != Some(head) {
            return None;
        }
        inner.set_aside.remove(key)
    }

    /// The cache, if it holds values read at `from` to move to `to`;
    /// otherwise it starts empty at `to`, unless it holds a newer head.
    fn moving(
        &self,
        from: Head,
        to: Head,
    ) -> Option<std::sync::MutexGuard<'_, HeadCacheInner<K, V>>> {
        let mut inner = lock(&self.inner);
        if from < to && inner.head == Some(from) {
            return Some(inner);
        }
        if inner.head.is_none_or(|held| held < to) {
            inner.clear_to(to);
        }
        None
    }

    fn cell(&self, head: Head, key: &K) -> Option<Arc<OnceCell<V>>> {
        let mut inner = self.at(head)?;
        if let Some(cell) = inner.values.get(key) {
            return Some(cell.clone());
        }
        let cell = Arc::new(OnceCell::new());
        inner.insert(self.capacity, key.clone(), cell.clone());
        Some(cell)
    }

    /// The cache, if it may hold values read at `head`: emptied first when
    /// `head` is newer than what it holds.
    fn at(&self, head: Head) -> Option<std::sync::MutexGuard<'_, HeadCacheInner<K, V>>> {
        let mut inner = lock(&self.inner);
        if inner.head.is_some_and(|held| head < held) {
            return None;
        }
        if inner.head != Some(head) {
            inner.clear_to(head);
        }
        Some(inner)
    }
}

impl<K: Eq + Hash, V> HeadCacheInner<K, V> {
    fn clear_to(&mut self, head: Head) {
        self.values.clear();
        self.set_aside.clear();
        self.head = Some(head);
    }

    /// Keeps `cell` under `key`, first emptying a full cache.
    fn insert(&mut self, capacity: usize, key: K, cell: Arc<OnceCell<V>>) {
        if self.values.len() >= capacity && !self.values.contains_key(&key) {
            self.values.clear();
        }
        self.values.insert(key, cell);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of `key` at `head`, and whether it had to be read.
    fn read(
        cache: &HeadCache<&'static str, u32>,
        head: Head,
        key: &'static str,
        value: u32,
    ) -> (u32, bool) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let mut was_read = false;
        let found = runtime
            .block_on(cache.get_or_read(head, &key, async || {
                was_read = true;
                Ok::<_, ()>(value)
            }))
            .expect("the read does not fail");
        (found, was_read)
    }

    #[test]
    fn a_cache_answers_only_for_the_head_it_was_filled_at() {
        let cache = HeadCache::new(4);
        assert_eq!(read(&cache, Head(5), "a", 1), (1, true));
        assert_eq!(read(&cache, Head(5), "a", 2), (1, false));
        // A newer head empties it.
        assert_eq!(read(&cache, Head(6), "a", 3), (3, true));
        assert_eq!(read(&cache, Head(6), "a", 4), (3, false));
        // A reader that saw an older head neither uses nor fills it.
        assert_eq!(read(&cache, Head(5), "a", 5), (5, true));
        assert_eq!(read(&cache, Head(6), "a", 6), (3, false));
        cache.put(Head(5), "a", 7);
        assert_eq!(read(&cache, Head(6), "a", 8), (3, false));
        cache.put(Head(6), "a", 9);
        assert_eq!(read(&cache, Head(6), "a", 10), (9, false));
    }

    #[test]
    fn kept_values_are_found_only_at_their_head_and_once_read() {
        let cache = HeadCache::new(4);
        assert_eq!(cache.get_kept(Head(5), &["a", "b"]), vec![None, None]);
        cache.put(Head(5), "a", 1);
        assert_eq!(read(&cache, Head(5), "b", 2), (2, true));
        assert_eq!(
            cache.get_kept(Head(5), &["b", "a", "c"]),
            vec![Some(2), Some(1), None]
        );
        // Neither an older nor a newer head finds them.
        assert_eq!(cache.get_kept(Head(4), &["a"]), vec![None]);
        assert_eq!(cache.get_kept(Head(6), &["a"]), vec![None]);
        // A key being read but not read yet is not kept.
        assert!(cache.cell(Head(5), &"c").is_some());
        assert_eq!(cache.get_kept(Head(5), &["c"]), vec![None]);
    }

    #[test]
    fn a_cache_moved_to_a_newer_head_keeps_what_it_is_told_or_sets_it_aside() {
        let cache = HeadCache::new(4);
        cache.put(Head(5), "a", 1);
        cache.put(Head(5), "b", 2);
        cache.move_keeping(Head(5), Head(7), |key| *key == "a");
        assert_eq!(cache.get_kept(Head(7), &["a", "b"]), vec![Some(1), None]);

        cache.move_setting_aside(Head(7), Head(9));
        assert_eq!(cache.get_kept(Head(9), &["a"]), vec![None]);
        assert_eq!(cache.take_set_aside(Head(8), &"a"), None);
        assert_eq!(cache.take_set_aside(Head(9), &"a"), Some(1));
        assert_eq!(cache.take_set_aside(Head(9), &"a"), None, "taken once");

        // Moved from a head it does not hold, it starts empty; never
        // backwards.
        cache.put(Head(9), "c", 3);
        cache.move_keeping(Head(8), Head(10), |_| true);
        assert_eq!(cache.get_kept(Head(10), &["c"]), vec![None]);
        cache.put(Head(10), "c", 4);
        cache.move_setting_aside(Head(6), Head(8));
        assert_eq!(cache.get_kept(Head(10), &["c"]), vec![Some(4)]);
        // A newer head met by a reader empties what was set aside.
        cache.move_setting_aside(Head(10), Head(11));
        assert_eq!(read(&cache, Head(12), "c", 5), (5, true));
        assert_eq!(cache.take_set_aside(Head(12), &"c"), None);
    }

    #[test]
    fn a_failed_read_is_not_kept() {
        let cache: HeadCache<&str, u32> = HeadCache::new(4);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let failed = runtime.block_on(cache.get_or_read(Head(1), &"a", async || Err("down")));
        assert_eq!(failed, Err("down"));
        assert_eq!(read(&cache, Head(1), "a", 2), (2, true));
    }

    #[test]
    fn a_full_cache_answers_what_it_holds_and_starts_again_empty_for_a_new_key() {
        let cache = HeadCache::new(2);
        assert_eq!(read(&cache, Head(1), "a", 1), (1, true));
        assert_eq!(read(&cache, Head(1), "b", 2), (2, true));
        assert_eq!(read(&cache, Head(1), "a", 3), (1, false));
        assert_eq!(read(&cache, Head(1), "b", 4), (2, false));
        assert_eq!(read(&cache, Head(1), "c", 5), (5, true));
        assert_eq!(read(&cache, Head(1), "a", 6), (6, true));
    }

    #[test]
    fn callers_wanting_a_value_being_read_wait_for_that_read() {
        let cache = Arc::new(HeadCache::<&str, u32>::new(4));
        let reads = Arc::new(AtomicU64::new(0));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
            .expect("runtime");
        let values = runtime.block_on(async {
            let callers: Vec<_> = (0..50)
                .map(|_| {
                    let cache = cache.clone();
                    let reads = reads.clone();
                    tokio::spawn(async move {
                        cache
                            .get_or_read(Head(1), &"a", async || {
                                reads.fetch_add(1, Ordering::SeqCst);
                                tokio::time::sleep(Duration::from_millis(20)).await;
                                Ok::<_, ()>(42)
                            })
                            .await
                    })
                })
                .collect();
            let mut values = Vec::new();
            for caller in callers {
                values.push(
                    caller
                        .await
                        .expect("the caller ends")
                        .expect("the read does not fail"),
                );
            }
            values
        });
        assert_eq!(values, vec![42; 50]);
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_head_is_read_again_after_a_commit_of_this_store() {
        let watch = HeadWatch::default();
        *lock(&watch.last_read) = Some(HeadRead {
            head: Head(7),
            commits: 0,
            at: Instant::now(),
        });
        assert_eq!(watch.known(), Some(Head(7)));
        watch.committed();
        assert_eq!(watch.known(), None);
    }

    #[test]
    fn the_head_is_read_again_after_the_other_process_delay() {
        let watch = HeadWatch::default();
        let long_ago = Instant::now()
            .checked_sub(OTHER_PROCESS_DELAY)
            .expect("the machine has been up for longer than the delay");
        *lock(&watch.last_read) = Some(HeadRead {
            head: Head(7),
            commits: 0,
            at: long_ago,
        });
        assert_eq!(watch.known(), None);
    }
}
