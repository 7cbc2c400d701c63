//! Registering people (one at a time, or in bulk for imports and data
//! sets) within the companion limit, and reading one person's record.

use std::collections::HashMap;

use corridor_domain::{
    Case, CrossingRules, InvalidValue, NewPerson, PersonId, Registration, Role, StatusEvent,
    StatusLine,
};
use jiff::Timestamp;
use sqlx::Row;

use crate::audit::NewAuditEntry;
use crate::codec::{
    EVENT_COLUMN_COUNT, EVENT_COLUMNS, PERSON_COLUMN_COUNT, PERSON_COLUMNS, bind_event,
    bind_person, exited_from_column, insert_sql, placeholders, read_event, read_person, timestamp,
};
use crate::day::rules::read_crossing_rules;
use crate::organisations::check_organisation;
use crate::reasons::{check_reason_against, read_reason_codes};
use crate::{Backend, ImportMode, Store, StoreError, Thing};

/// Rows per multi-row INSERT: well inside SQLite's and PostgreSQL's limits
/// on bound parameters, and large enough that statement overhead vanishes.
const PERSONS_PER_STATEMENT: usize = 400;

const EVENTS_PER_STATEMENT: usize = 1000;

/// A person with their line and full history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRecord {
    pub person: NewPerson,
    pub line: StatusLine,
    pub registered_at: Timestamp,
    pub events: Vec<StatusEvent>,
    /// Ids of the companions of a patient, or empty.
    pub companions: Vec<PersonId>,
}

impl Store {
    /// Inserts new cases (people with their histories) in one transaction
    /// with one audit entry. Fails whole, leaving nothing, if any id exists.
    /// `progress` is told how many cases have been written so far; a dry
    /// run writes them all and rolls back.
    pub async fn insert_cases(
        &self,
        cases: &[Case],
        audit: &NewAuditEntry,
        mode: ImportMode,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        insert_cases_in(self.backend, &mut transaction, cases, progress).await?;
        transaction.finish_import(audit, mode, cases.len()).await?;
        Ok(())
    }

    /// Registers a patient with their companions, as `actor` (whose scope
    /// "own" they are then in): one transaction, one audit entry. Fails
    /// whole, leaving nothing, if any id is taken.
    pub async fn register_patient(
        &self,
        registration: &Registration,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let cases: Vec<Case> = registration
            .people()
            .into_iter()
            .map(|person| Case::register(person, at, actor))
            .collect();
        let ids: Vec<&str> = cases.iter().map(|case| case.person.id.as_str()).collect();
        let audit = NewAuditEntry {
            at,
            actor: actor.to_string(),
            action: "person.register".to_string(),
            subject: registration.patient.id.to_string(),
            detail: serde_json::json!({ "ids": ids }),
        };
        self.insert_cases(&cases, &audit, ImportMode::Commit, &mut |_| {})
            .await
    }

    /// One person with their history, or `None`. Callers that show the
    /// personal fields record the read with [`Store::record`].
    pub async fn person(&self, id: &PersonId) -> Result<Option<PersonRecord>, StoreError> {
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS}, {} FROM persons WHERE id = $1",
            exited_from_column()
        )))
        .bind(id.as_str().to_string())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let (person, line) = read_person(&row)?;
        let registered_at = timestamp("persons", id.as_str(), row.try_get("registered_at")?)?;
        let events = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM status_events WHERE person_id = $1 ORDER BY version"
        )))
        .bind(id.as_str().to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_event)
        .collect::<Result<Vec<_>, _>>()?;
        let companions = sqlx::query("SELECT id FROM persons WHERE companion_of = $1 ORDER BY id")
            .bind(id.as_str().to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let text: String = row.try_get("id")?;
                PersonId::parse(&text).map_err(StoreError::from_invalid("persons", id.as_str()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(PersonRecord {
            person,
            line,
            registered_at,
            events,
            companions,
        }))
    }

    /// The roles of those of `ids` that are registered.
    pub async fn roles_of(&self, ids: &[PersonId]) -> Result<HashMap<PersonId, Role>, StoreError> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT id, role FROM persons WHERE id IN ({})",
                placeholders(self.backend, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id.as_str().to_string());
            }
            for row in query.fetch_all(&self.pool).await? {
                let id: String = row.try_get("id")?;
                let role: String = row.try_get("role")?;
                let invalid = StoreError::from_invalid("persons", &id);
                found.insert(
                    PersonId::parse(&id).map_err(&invalid)?,
                    Role::parse(&role).map_err(&invalid)?,
                );
            }
        }
        Ok(found)
    }

    pub async fn count_people(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM persons")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        Ok(count as u64)
    }

    /// Everyone, patients before their companions, for export.
    pub async fn all_people(&self) -> Result<Vec<(NewPerson, StatusLine)>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS}, {} FROM persons ORDER BY CASE role WHEN $1 THEN 0 ELSE 1 END, id",
            exited_from_column()
        )))
        .bind(Role::Patient.as_str())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_person)
        .collect()
    }
}

/// Refuses more companions for a patient than the crossing rules in force
/// allow ([`CrossingRules::companion_limit`]) on the day they are written
/// (the UTC date of the write, as the edges' "today"), counting those
/// already registered (but not those replaced by another companion): the
/// one check of the limit, for every way people are registered (a form,
/// the command line, a file, a data set, a replacement).
async fn check_companion_limit(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    cases: &[Case],
) -> Result<(), StoreError> {
    let mut companions: std::collections::BTreeMap<&PersonId, (u32, Timestamp)> =
        std::collections::BTreeMap::new();
    for case in cases {
        if let Some(patient) = case.person.companion_of() {
            let registered = case.events.first().map_or(Timestamp::UNIX_EPOCH, |e| e.at);
            let entry = companions.entry(patient).or_insert((0, registered));
            entry.0 += 1;
            entry.1 = entry.1.max(registered);
        }
    }
    if companions.is_empty() {
        return Ok(());
    }
    let rules = read_crossing_rules(transaction).await?;
    let in_batch: std::collections::HashSet<&PersonId> =
        cases.iter().map(|case| &case.person.id).collect();
    for (patient, (count, registered)) in companions {
        let on = jiff::tz::Offset::UTC.to_datetime(registered).date();
        let limit = CrossingRules::companion_limit(&rules, on);
        let already = if in_batch.contains(patient) {
            0
        } else {
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM persons WHERE companion_of = $1 AND role = $2 \
                 AND id NOT IN (SELECT replaced FROM companion_replacements)",
            )
            .bind(patient.as_str().to_string())
            .bind(Role::Companion.as_str())
            .fetch_one(&mut **transaction)
            .await?
            .try_get("n")?;
            u32::try_from(n).unwrap_or(u32::MAX)
        };
        let total = count.saturating_add(already);
        if total > limit {
            return Err(StoreError::Invalid {
                person: Some(patient.clone()),
                invalid: InvalidValue::new(
                    "companions",
                    format!(
                        "{total} companions; the crossing rules in force on {on} allow at most {limit} per patient"
                    ),
                ),
            });
        }
    }
    Ok(())
}

pub(crate) async fn insert_cases_in(
    backend: Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    cases: &[Case],
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<(), StoreError> {
    check_companion_limit(transaction, cases).await?;
    let referring: std::collections::BTreeSet<&corridor_domain::OrganisationId> = cases
        .iter()
        .filter_map(|case| case.person.referral())
        .map(|referral| &referral.referring_facility)
        .collect();
    for organisation in referring {
        check_organisation(transaction, "referring_facility", organisation).await?;
    }
    let mut written = 0u64;
    for chunk in cases.chunks(PERSONS_PER_STATEMENT) {
        let sql = insert_sql(
            backend,
            "persons",
            PERSON_COLUMNS,
            PERSON_COLUMN_COUNT,
            chunk.len(),
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for case in chunk {
            let registered_at = case.events.first().map_or(Timestamp::UNIX_EPOCH, |e| e.at);
            let changed_at = case.events.last().map_or(registered_at, |e| e.at);
            query = bind_person(query, &case.person, &case.line, registered_at, changed_at);
        }
        query
            .execute(&mut **transaction)
            .await
            .map_err(|error| duplicate_or(error, chunk))?;
        written += chunk.len() as u64;
        progress(written);
    }
    let events: Vec<(&PersonId, &StatusEvent)> = cases
        .iter()
        .flat_map(|case| {
            case.events
                .iter()
                .map(move |event| (&case.person.id, event))
        })
        .collect();
    let reason_codes = read_reason_codes(transaction, None).await?;
    for (id, event) in &events {
        if let Some(action) = &event.action {
            check_reason_against(&reason_codes, id, action)?;
        }
    }
    for chunk in events.chunks(EVENTS_PER_STATEMENT) {
        let sql = insert_sql(
            backend,
            "status_events",
            EVENT_COLUMNS,
            EVENT_COLUMN_COUNT,
            chunk.len(),
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, event) in chunk {
            query = bind_event(query, id, event);
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}

/// A unique-key violation on insert means an id is taken; say which one
/// when the batch makes it clear, since the database message does not.
fn duplicate_or(error: sqlx::Error, chunk: &[Case]) -> StoreError {
    let unique = matches!(&error, sqlx::Error::Database(db) if db.is_unique_violation());
    match (unique, chunk) {
        (true, [single]) => StoreError::Exists {
            thing: Thing::Person,
            detail: format!("id {} is already registered", single.person.id),
        },
        (true, _) => StoreError::Exists {
            thing: Thing::Person,
            detail: "one of the ids is already registered; nothing was written".to_string(),
        },
        (false, _) => StoreError::Database(error),
    }
}
