//! The registry: people, their status lines and their histories.

use std::collections::HashMap;

use corridor_domain::{
    Action, AgeGroup, Case, CrossingRules, InvalidValue, NewPerson, PersonId, Reason, Registration,
    Role, Specialty, Status, StatusEvent, StatusLine, Text, Tier,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::NewAuditEntry;
use crate::codec::{
    AnyQuery, EVENT_COLUMN_COUNT, EVENT_COLUMNS, EXITED_FROM, PERSON_COLUMN_COUNT, PERSON_COLUMNS,
    bind_event, bind_person, bind_reason, date, insert_sql, micros, placeholders, read_event,
    read_person, reason_json, tier_rank, timestamp,
};
use crate::days::read_crossing_rules;
use crate::freshness::Head;
use crate::organisations::check_organisation;
use crate::reasons::{check_action_reason, check_reason_against, read_reason_codes};
use crate::{Backend, DayRule, ImportMode, Store, StoreError, Thing};

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

/// The outcome of a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transitioned {
    pub role: Role,
    pub line: StatusLine,
    pub event: StatusEvent,
}

/// Which people a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub role: RoleFilter,
    /// Only these statuses; empty means everyone still waiting.
    pub statuses: Vec<Status>,
    pub tiers: Vec<Tier>,
    pub specialties: Vec<Specialty>,
    pub age_groups: Vec<AgeGroup>,
    pub children_only: bool,
    pub wait: WaitFilter,
    /// Only the records a user may see without breaking the glass; `None`
    /// for a user whose scope is everyone.
    pub visible_to: Option<Visibility>,
    pub limit: u32,
    pub offset: u64,
}

/// The records of a user's scope: those they registered, or, with an
/// organisation, those their organisation referred. A companion belongs to
/// the scope of their patient.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visibility {
    pub registered_by: String,
    pub organisation: Option<corridor_domain::OrganisationId>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RoleFilter {
    #[default]
    Patients,
    Companions,
    Returnees,
    Everyone,
}

/// Bounds on days waited since referral, both strict: "more than 365"
/// excludes someone referred exactly 365 days ago.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WaitFilter {
    pub more_than_days: Option<u32>,
    pub less_than_days: Option<u32>,
}

/// One line of a list: no name, nothing that identifies a person outside corridor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedPerson {
    pub id: PersonId,
    pub role: Role,
    pub status: Status,
    pub tier: Option<Tier>,
    pub specialty: Option<Specialty>,
    pub age_group: AgeGroup,
    pub referral_date: Option<Date>,
    pub days_waiting: Option<i64>,
    pub companions: u32,
    pub companion_of: Option<PersonId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    /// How many people match the filter in all.
    pub total: u64,
    pub rows: Vec<ListedPerson>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierCount {
    pub tier: Tier,
    pub count: u64,
}

/// The waiting list at a glance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingSummary {
    pub today: Date,
    pub waiting_patients: u64,
    pub waiting_by_tier: Vec<TierCount>,
    pub waiting_children: u64,
    /// Companions still waiting with their patients.
    pub waiting_companions: u64,
    pub median_wait_days: Option<i64>,
    pub longest_wait_days: Option<i64>,
    pub waiting_over_a_year: u64,
    pub died_while_waiting: u64,
    pub died_by_tier: Vec<TierCount>,
    pub evacuated_patients: u64,
    /// Returnees registered and not yet crossed in.
    pub waiting_returnees: u64,
    pub returnees_crossed: u64,
    pub status_counts: Vec<(Status, u64)>,
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
        transaction.finish_import(audit, mode).await?;
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

    /// Applies one transition. `expected_version` is the version the user's
    /// decision was based on; without it the current version is used, and
    /// the check still catches a change made between reading and writing.
    pub async fn transition(
        &self,
        id: &PersonId,
        expected_version: Option<u32>,
        action: Action,
        note: Option<Text>,
        at: Timestamp,
        actor: &str,
    ) -> Result<Transitioned, StoreError> {
        if let Action::Schedule { booking } = &action {
            return Err(StoreError::day_rule(
                DayRule::Plan,
                format!(
                    "{id}: people are scheduled by confirming the day plan of {} on {}, which checks \
                     the quota and holds a bed",
                    booking.crossing, booking.date
                ),
            ));
        }
        let mut transaction = self.write().await?;
        let (person, line, next, event) = transition_in(
            self.backend,
            &mut transaction,
            id,
            expected_version,
            action,
            note,
            at,
            actor,
        )
        .await?;
        let detail = serde_json::json!({
            "from": line.status.as_str(),
            "to": next.status.as_str(),
            "action": event.action.as_ref().map(|a| a.kind().as_str()),
            "reason": reason_json(event.action.as_ref().and_then(Action::reason)),
            "version": next.version,
        });
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "person.transition".to_string(),
                subject: id.to_string(),
                detail,
            })
            .await?;
        Ok(Transitioned {
            role: person.role(),
            line: next,
            event,
        })
    }

    /// One person with their history, or `None`. Callers that show the
    /// personal fields record the read with [`Store::record`].
    pub async fn person(&self, id: &PersonId) -> Result<Option<PersonRecord>, StoreError> {
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS}, {EXITED_FROM} FROM persons WHERE id = $1"
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
            "SELECT {PERSON_COLUMNS}, {EXITED_FROM} FROM persons ORDER BY CASE role WHEN 'patient' THEN 0 ELSE 1 END, id"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_person)
        .collect()
    }

    /// A page of people matching `filter`, most urgent first, then longest
    /// waiting; plus how many match in all.
    ///
    /// The waiting list is read far more often than it changes, so pages
    /// and totals are kept in memory for the head of the audit chain they
    /// were read at (see [`crate::freshness`]); the head is taken first, so
    /// a kept page is never older than its head. The total is taken from
    /// the page when the page is the last one: counting every match scans
    /// the index.
    pub async fn list(&self, filter: &ListFilter, today: Date) -> Result<ListPage, StoreError> {
        let head = self.head().await?;
        let key = PageKey {
            filter: filter_sql(filter, today),
            today,
            limit: filter.limit,
            offset: filter.offset,
        };
        self.cached
            .list_pages
            .get_or_read(head, &key, async || self.read_list_page(&key, head).await)
            .await
    }

    async fn read_list_page(&self, key: &PageKey, head: Head) -> Result<ListPage, StoreError> {
        // The page first, then its companions counted per row through
        // `persons_by_companion_of` (not per match, which a sort would do).
        let (condition, values) = &key.filter;
        let page_sql = format!(
            "SELECT p.id, p.role, p.status, p.tier, p.specialty, p.birth_year, p.referral_date, \
             p.companion_of, \
             (SELECT COUNT(*) FROM persons c WHERE c.companion_of = p.id) AS companions \
             FROM (SELECT id, role, status, tier, specialty, birth_year, referral_date, \
             companion_of, tier_rank FROM persons WHERE {condition} \
             ORDER BY tier_rank, referral_date, id LIMIT {} OFFSET {}) p \
             ORDER BY p.tier_rank, p.referral_date, p.id",
            key.limit, key.offset
        );
        let rows: Vec<ListedPerson> = bind_all(sqlx::query(sqlx::AssertSqlSafe(page_sql)), values)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| read_list_row(row, key.today))
            .collect::<Result<_, _>>()?;

        let short = rows.len() < key.limit as usize;
        let total = if short && (key.offset == 0 || !rows.is_empty()) {
            // The last page: the total is exact without counting.
            key.offset + rows.len() as u64
        } else {
            self.cached
                .list_totals
                .get_or_read(head, &key.filter, async || {
                    let count_sql = format!("SELECT COUNT(*) AS n FROM persons WHERE {condition}");
                    let total: i64 = bind_all(sqlx::query(sqlx::AssertSqlSafe(count_sql)), values)
                        .fetch_one(&self.pool)
                        .await?
                        .try_get("n")?;
                    Ok::<_, StoreError>(total as u64)
                })
                .await?
        };
        Ok(ListPage { total, rows })
    }

    /// Counts for the waiting list as of `today`.
    pub async fn waiting_summary(&self, today: Date) -> Result<WaitingSummary, StoreError> {
        let mut status_counts = Vec::new();
        let mut waiting_by_tier: HashMap<Tier, u64> = HashMap::new();
        let mut died_by_tier: HashMap<Tier, u64> = HashMap::new();
        let mut waiting_companions = 0;
        let mut evacuated_patients = 0;
        let mut waiting_returnees = 0;
        let mut returnees_crossed = 0;
        let rows = sqlx::query(
            "SELECT role, status, tier, COUNT(*) AS n FROM persons GROUP BY role, status, tier",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut by_status: HashMap<Status, u64> = HashMap::new();
        for row in &rows {
            let role: String = row.try_get("role")?;
            let status: String = row.try_get("status")?;
            let tier: Option<String> = row.try_get("tier")?;
            let n = row.try_get::<i64, _>("n")? as u64;
            let invalid = StoreError::from_invalid("persons", "summary");
            let role = Role::parse(&role).map_err(&invalid)?;
            let status = Status::parse(&status).map_err(&invalid)?;
            match role {
                Role::Companion => {
                    if status.is_waiting() {
                        waiting_companions += n;
                    }
                }
                Role::Returnee => {
                    if status.is_waiting() {
                        waiting_returnees += n;
                    } else if status == Status::Crossed {
                        returnees_crossed += n;
                    }
                }
                Role::Patient => {
                    *by_status.entry(status).or_default() += n;
                    let tier = tier
                        .map(|tier| Tier::parse(&tier))
                        .transpose()
                        .map_err(&invalid)?;
                    if let Some(tier) = tier {
                        if status.is_waiting() {
                            *waiting_by_tier.entry(tier).or_default() += n;
                        }
                        if status == Status::DiedWhileWaiting {
                            *died_by_tier.entry(tier).or_default() += n;
                        }
                    }
                    if matches!(
                        status,
                        Status::Crossed | Status::Admitted | Status::Returned
                    ) {
                        evacuated_patients += n;
                    }
                }
            }
        }
        for status in Status::ALL {
            if let Some(n) = by_status.get(status) {
                status_counts.push((*status, *n));
            }
        }

        let waiting = waiting_condition();
        let child_floor = i64::from(today.year()) - 17;
        let waiting_children: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM persons WHERE role = 'patient' AND {waiting} AND birth_year >= $1"
        )))
        .bind(child_floor)
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;

        let mut waits: Vec<i64> = Vec::new();
        for row in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT referral_date FROM persons WHERE role = 'patient' AND {waiting}"
        )))
        .fetch_all(&self.pool)
        .await?
        {
            let text: String = row.try_get("referral_date")?;
            let referred = date("persons", "referral_date", &text)?;
            waits.push(days_between(referred, today));
        }
        waits.sort_unstable();
        let median_wait_days = (!waits.is_empty()).then(|| waits[(waits.len() - 1) / 2]);
        let longest_wait_days = waits.last().copied();
        let waiting_over_a_year = waits.iter().filter(|days| **days > 365).count() as u64;

        let tier_counts = |counts: &HashMap<Tier, u64>| {
            Tier::ALL
                .iter()
                .map(|tier| TierCount {
                    tier: *tier,
                    count: counts.get(tier).copied().unwrap_or(0),
                })
                .collect::<Vec<_>>()
        };
        Ok(WaitingSummary {
            today,
            waiting_patients: waiting_by_tier.values().sum(),
            waiting_by_tier: tier_counts(&waiting_by_tier),
            waiting_children: waiting_children as u64,
            waiting_companions,
            median_wait_days,
            longest_wait_days,
            waiting_over_a_year,
            died_while_waiting: died_by_tier.values().sum(),
            died_by_tier: tier_counts(&died_by_tier),
            evacuated_patients,
            waiting_returnees,
            returnees_crossed,
            status_counts,
        })
    }
}

/// Refuses more companions for a patient than the crossing rules in force
/// allow ([`CrossingRules::companion_limit`]) on the day they are written
/// (the UTC date of the write, as the edges' "today"), counting those
/// already registered: the one check of the limit, for every way people
/// are registered (a form, the command line, a file, a data set).
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
                "SELECT COUNT(*) AS n FROM persons WHERE companion_of = $1 AND role = 'companion'",
            )
            .bind(patient.as_str().to_string())
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

pub(crate) fn waiting_condition() -> String {
    let statuses: Vec<String> = Status::WAITING
        .iter()
        .map(|status| format!("'{}'", status.as_str()))
        .collect();
    format!("status IN ({})", statuses.join(", "))
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Value {
    Text(String),
    Integer(i64),
}

/// A filter of [`Store::list`]: its WHERE clause and bound values.
pub(crate) type FilterKey = (String, Vec<Value>);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PageKey {
    filter: FilterKey,
    /// Ages and days waited are counted to this day.
    today: Date,
    limit: u32,
    offset: u64,
}

fn bind_all<'q>(mut query: AnyQuery<'q>, values: &[Value]) -> AnyQuery<'q> {
    for value in values {
        query = match value {
            Value::Text(text) => query.bind(text.clone()),
            Value::Integer(n) => query.bind(*n),
        };
    }
    query
}

/// The WHERE clause for a filter and its bound values. Only labels from
/// closed enums are interpolated; everything else is bound.
fn filter_sql(filter: &ListFilter, today: Date) -> (String, Vec<Value>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    match filter.role {
        RoleFilter::Patients => clauses.push("role = 'patient'".to_string()),
        RoleFilter::Companions => clauses.push("role = 'companion'".to_string()),
        RoleFilter::Returnees => clauses.push("role = 'returnee'".to_string()),
        RoleFilter::Everyone => {}
    }
    let in_labels = |column: &str, labels: Vec<&str>| {
        let quoted: Vec<String> = labels.iter().map(|label| format!("'{label}'")).collect();
        format!("{column} IN ({})", quoted.join(", "))
    };
    if filter.statuses.is_empty() {
        clauses.push(waiting_condition());
    } else {
        clauses.push(in_labels(
            "status",
            filter.statuses.iter().map(|s| s.as_str()).collect(),
        ));
    }
    if !filter.tiers.is_empty() {
        let ranks: Vec<String> = filter
            .tiers
            .iter()
            .map(|tier| tier_rank(*tier).to_string())
            .collect();
        clauses.push(format!("tier_rank IN ({})", ranks.join(", ")));
    }
    if !filter.specialties.is_empty() {
        clauses.push(in_labels(
            "specialty",
            filter.specialties.iter().map(|s| s.as_str()).collect(),
        ));
    }
    let year = i64::from(today.year());
    let mut age_ranges: Vec<(i64, i64)> = filter
        .age_groups
        .iter()
        .map(|group| {
            let (youngest, oldest) = group.ages();
            (i64::from(youngest), i64::from(oldest.min(200)))
        })
        .collect();
    if filter.children_only {
        age_ranges.push((0, 17));
    }
    if !age_ranges.is_empty() {
        let mut ranges = Vec::new();
        for (youngest, oldest) in age_ranges {
            values.push(Value::Integer(year - oldest));
            values.push(Value::Integer(year - youngest));
            ranges.push(format!(
                "birth_year BETWEEN ${} AND ${}",
                values.len() - 1,
                values.len()
            ));
        }
        clauses.push(format!("({})", ranges.join(" OR ")));
    }
    if let Some(days) = filter.wait.more_than_days {
        values.push(Value::Text(days_before(today, days).to_string()));
        clauses.push(format!("referral_date < ${}", values.len()));
    }
    if let Some(days) = filter.wait.less_than_days {
        values.push(Value::Text(days_before(today, days).to_string()));
        clauses.push(format!("referral_date > ${}", values.len()));
    }
    if let Some(visibility) = &filter.visible_to {
        values.push(Value::Text(visibility.registered_by.clone()));
        let mut options = vec![format!(
            "EXISTS (SELECT 1 FROM status_events e WHERE e.person_id = COALESCE(persons.companion_of, persons.id) \
             AND e.version = 1 AND e.actor = ${})",
            values.len()
        )];
        if let Some(organisation) = &visibility.organisation {
            values.push(Value::Text(organisation.to_string()));
            options.push(format!(
                "COALESCE(persons.referring_facility, \
                 (SELECT p.referring_facility FROM persons p WHERE p.id = persons.companion_of)) = ${}",
                values.len()
            ));
        }
        clauses.push(format!("({})", options.join(" OR ")));
    }
    (clauses.join(" AND "), values)
}

fn days_before(today: Date, days: u32) -> Date {
    today
        .checked_sub(jiff::Span::new().days(i64::from(days)))
        .unwrap_or(Date::MIN)
}

pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

fn read_list_row(row: &AnyRow, today: Date) -> Result<ListedPerson, StoreError> {
    let id: String = row.try_get("id")?;
    let invalid = StoreError::from_invalid("persons", &id);
    let role: String = row.try_get("role")?;
    let status: String = row.try_get("status")?;
    let tier: Option<String> = row.try_get("tier")?;
    let specialty: Option<String> = row.try_get("specialty")?;
    let birth_year: i64 = row.try_get("birth_year")?;
    let referral_date: Option<String> = row.try_get("referral_date")?;
    let companion_of: Option<String> = row.try_get("companion_of")?;
    let birth_year =
        corridor_domain::BirthYear::new(birth_year as i16, Date::MAX).map_err(&invalid)?;
    let referral_date = referral_date
        .map(|text| date("persons", &id, &text))
        .transpose()?;
    let companions: i64 = row.try_get("companions")?;
    Ok(ListedPerson {
        id: PersonId::parse(&id).map_err(&invalid)?,
        role: Role::parse(&role).map_err(&invalid)?,
        status: Status::parse(&status).map_err(&invalid)?,
        tier: tier
            .map(|t| Tier::parse(&t))
            .transpose()
            .map_err(&invalid)?,
        specialty: specialty
            .map(|s| Specialty::parse(&s))
            .transpose()
            .map_err(&invalid)?,
        age_group: AgeGroup::of(birth_year, today),
        referral_date,
        days_waiting: referral_date.map(|referred| days_between(referred, today)),
        companions: u32::try_from(companions)
            .map_err(|_| StoreError::corrupt("persons", &id, format!("{companions} companions")))?,
        companion_of: companion_of
            .map(|of| PersonId::parse(&of))
            .transpose()
            .map_err(&invalid)?,
    })
}

/// Reads a person's line, applies one transition where the version still
/// matches, and records the event, inside the caller's transaction. The
/// caller appends the audit entry and commits.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn transition_in(
    backend: Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &PersonId,
    expected_version: Option<u32>,
    action: Action,
    note: Option<Text>,
    at: Timestamp,
    actor: &str,
) -> Result<(NewPerson, StatusLine, StatusLine, StatusEvent), StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS}, {EXITED_FROM} FROM persons WHERE id = $1"
    )))
    .bind(id.as_str().to_string())
    .fetch_optional(&mut **transaction)
    .await?
    .ok_or_else(|| StoreError::not_found(Thing::Person, id))?;
    let (person, line) = read_person(&row)?;
    check_action_reason(transaction, id, &action).await?;
    let expected = expected_version.unwrap_or(line.version);
    if expected != line.version {
        return Err(StoreError::Conflict {
            subject: id.to_string(),
            expected,
            current: line.version,
        });
    }
    let (next, event) = line
        .transition(person.role(), action, at, actor, note)
        .map_err(|source| StoreError::Transition {
            id: id.clone(),
            source,
        })?;
    let updated = sqlx::query(
            "UPDATE persons SET status = $1, clearance_attempt = $2, booking_date = $3, \
             booking_crossing = $4, admitted_to = $5, died_on = $6, version = $7, status_changed_at = $8 \
             WHERE id = $9 AND version = $10",
        )
        .bind(next.status.as_str())
        .bind(i64::from(next.clearance_attempt))
        .bind(next.booking.as_ref().map(|b| b.date.to_string()))
        .bind(next.booking.as_ref().map(|b| b.crossing.as_str().to_string()))
        .bind(next.admitted_to.as_ref().map(|f| f.as_str().to_string()))
        .bind(next.died_on.map(|d| d.to_string()))
        .bind(i64::from(next.version))
        .bind(micros(at))
        .bind(id.as_str().to_string())
        .bind(i64::from(expected))
        .execute(&mut **transaction)
        .await?;
    if updated.rows_affected() != 1 {
        // Another transaction committed a change after our read; on
        // PostgreSQL the UPDATE waited for it and then matched nothing.
        return Err(StoreError::Conflict {
            subject: id.to_string(),
            expected,
            current: expected + 1,
        });
    }
    let insert = sqlx::query(sqlx::AssertSqlSafe(insert_sql(
        backend,
        "status_events",
        EVENT_COLUMNS,
        EVENT_COLUMN_COUNT,
        1,
    )));
    bind_event(insert, id, &event)
        .execute(&mut **transaction)
        .await?;
    follow_manifest_and_beds(backend, transaction, id, &line, &next, &event, at, actor).await?;
    Ok((person, line, next, event))
}

/// Keeps manifests and beds in step with a status change: leaving
/// `scheduled` closes the person's open manifest entry (crossed, or removed
/// with the action's reason) and, unless they crossed, releases their bed
/// and takes the companions travelling with them off the manifest too;
/// admission consumes the bed held for them.
#[allow(clippy::too_many_arguments)]
async fn follow_manifest_and_beds(
    backend: Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &PersonId,
    line: &StatusLine,
    next: &StatusLine,
    event: &StatusEvent,
    at: Timestamp,
    actor: &str,
) -> Result<(), StoreError> {
    if line.status == Status::Scheduled && next.status != Status::Scheduled {
        let state = if next.status == Status::Crossed {
            "crossed"
        } else {
            "removed"
        };
        let query = sqlx::query(
            "UPDATE manifest_entries SET outcome = $1, outcome_at = $2, outcome_by = $3, \
             outcome_reason_kind = $4, outcome_reason_code = $5, outcome_reason_note = $6 \
             WHERE person_id = $7 AND outcome IS NULL",
        )
        .bind(state)
        .bind(micros(at))
        .bind(actor.to_string());
        bind_reason(query, event.action.as_ref().and_then(Action::reason))
            .bind(id.as_str().to_string())
            .execute(&mut **transaction)
            .await?;
        if next.status != Status::Crossed {
            sqlx::query(
                "UPDATE bed_holds SET state = 'released', changed_at = $1 \
                 WHERE person_id = $2 AND state = 'held'",
            )
            .bind(micros(at))
            .bind(id.as_str().to_string())
            .execute(&mut **transaction)
            .await?;
            // Companions travel with their patient or not at all.
            let companions = sqlx::query(
                "SELECT person_id FROM manifest_entries \
                 WHERE party = $1 AND person_id <> $1 AND outcome IS NULL",
            )
            .bind(id.as_str().to_string())
            .fetch_all(&mut **transaction)
            .await?;
            for row in companions {
                let companion: String = row.try_get("person_id")?;
                let companion = PersonId::parse(&companion)
                    .map_err(StoreError::from_invalid("manifest_entries", &companion))?;
                let reason = Reason::patient_not_travelling();
                Box::pin(transition_in(
                    backend,
                    transaction,
                    &companion,
                    None,
                    Action::Unschedule { reason },
                    None,
                    at,
                    actor,
                ))
                .await?;
            }
        }
    }
    if let Some(Action::Admit { facility }) = &event.action {
        let held: Option<String> =
            sqlx::query("SELECT facility FROM bed_holds WHERE person_id = $1 AND state = 'held'")
                .bind(id.as_str().to_string())
                .fetch_optional(&mut **transaction)
                .await?
                .map(|row| row.try_get("facility"))
                .transpose()?;
        if let Some(held) = held {
            if held != facility.as_str() {
                return Err(StoreError::day_rule(
                    DayRule::Destination,
                    format!(
                        "{id} holds a bed at {held}; admit them there (the bed follows the plan)"
                    ),
                ));
            }
            sqlx::query(
                "UPDATE bed_holds SET state = 'consumed', changed_at = $1 \
                 WHERE person_id = $2 AND state = 'held'",
            )
            .bind(micros(at))
            .bind(id.as_str().to_string())
            .execute(&mut **transaction)
            .await?;
        }
    }
    Ok(())
}
