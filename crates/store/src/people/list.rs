//! The waiting list: pages of people by filter (kept in memory per head of
//! the audit chain), and the counts at a glance.

use std::collections::HashMap;

use std::sync::Arc;

use corridor_domain::search::{SearchIndex, SearchQuery, SearchText};
use corridor_domain::{AgeGroup, InvalidValue, PersonId, Role, Specialty, Status, Tier};
use futures_util::TryStreamExt;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::codec::{AnyQuery, COMPANION_TIER_RANK, date, tier_rank};
use crate::freshness::Head;
use crate::{Store, StoreError};

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
    /// Only people whose id or name matches ([`SearchQuery::matches`]).
    pub search: Option<SearchQuery>,
    pub limit: u32,
    /// Rows skipped: from the start of the list, or from the keyset's row.
    pub offset: u64,
    /// Next and previous pages start from a row rather than a count, so a
    /// page stays where it was when rows come and go before it.
    pub keyset: Option<Keyset>,
}

/// The rows after, or before, a row of the list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Keyset {
    After(ListPosition),
    Before(ListPosition),
}

/// Where a row stands in the list's order: its tier (most urgent first),
/// its referral date (longest waiting first), its id. Written
/// `critical~2025-03-04~P-7KQ2M9XA` (`none` for no tier or no date: a
/// companion or a returnee), so that it can be sent back in a link.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ListPosition {
    tier_rank: i64,
    referral_date: Option<Date>,
    id: PersonId,
}

impl ListPosition {
    pub fn parse(field: &'static str, text: &str) -> Result<ListPosition, InvalidValue> {
        let invalid = || {
            InvalidValue::new(
                field,
                format!(
                    "'{text}' is not a place in the list; it is written tier~referral date~id, \
                     as in the links of the list's pages"
                ),
            )
        };
        let mut parts = text.trim().splitn(3, '~');
        let (Some(tier), Some(referral_date), Some(id)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let tier_rank = match tier {
            "none" => COMPANION_TIER_RANK,
            tier => tier_rank(Tier::parse(tier).map_err(|_| invalid())?),
        };
        let referral_date = match referral_date {
            "none" => None,
            date => Some(date.parse::<Date>().map_err(|_| invalid())?),
        };
        Ok(ListPosition {
            tier_rank,
            referral_date,
            id: PersonId::parse(id).map_err(|_| invalid())?,
        })
    }
}

impl std::fmt::Display for ListPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tier = Tier::ALL
            .iter()
            .find(|tier| tier_rank(**tier) == self.tier_rank)
            .map_or("none", |tier| tier.as_str());
        match self.referral_date {
            Some(date) => write!(f, "{tier}~{date}~{}", self.id),
            None => write!(f, "{tier}~none~{}", self.id),
        }
    }
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

/// One line of a list. The name is personal data: shown only to users who
/// may see the person's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedPerson {
    pub id: PersonId,
    pub name: Option<String>,
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

impl ListedPerson {
    /// Where the row stands in the list: what a link to the next or the
    /// previous page starts from.
    pub fn position(&self) -> ListPosition {
        ListPosition {
            tier_rank: self.tier.map_or(COMPANION_TIER_RANK, tier_rank),
            referral_date: self.referral_date,
            id: self.id.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    /// How many people match the filter in all.
    pub total: u64,
    /// How many of them come before this page's first row.
    pub start: u64,
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
    /// A page of people matching `filter`, most urgent first, then longest
    /// waiting; plus how many match in all.
    ///
    /// The waiting list is read far more often than it changes, so the
    /// order of everyone matching a filter (ids and the positions they sort
    /// by) and the rows read from it are kept in memory for the state of
    /// the people they were read at ([`Store::people_head`], see
    /// [`crate::freshness`]); that state is taken first, so nothing kept is
    /// older than it. A page is then a slice of that order, at any depth
    /// and after or before any row, and only those of its rows not kept
    /// yet are read from the database: no page skips rows in SQL, and the
    /// total needs no count.
    /// A search is made in memory over the ids and names of everyone the
    /// filter holds, read once per state of the people.
    pub async fn list(&self, filter: &ListFilter, today: Date) -> Result<ListPage, StoreError> {
        let head = self.people_head().await?;
        let key = OrderKey {
            filter: filter_sql(filter, today),
            search: filter.search.clone(),
        };
        let order = self.list_order(&key, head).await?;
        let (start, end) = window(&order, filter.keyset.as_ref(), filter.offset, filter.limit);
        let rows = self.list_rows(&order[start..end], today, head).await?;
        Ok(ListPage {
            total: order.len() as u64,
            start: start as u64,
            rows,
        })
    }

    /// The rows at `positions`, in their order. Rows are kept in memory
    /// one by one, so that a page at any depth, of any filter, reads from
    /// the database only the rows no page has read since the people last
    /// changed; a row gone meanwhile is left out.
    async fn list_rows(
        &self,
        positions: &[ListPosition],
        today: Date,
        head: Head,
    ) -> Result<Vec<ListedPerson>, StoreError> {
        let keys: Vec<RowKey> = positions
            .iter()
            .map(|position| RowKey {
                today,
                id: position.id.clone(),
            })
            .collect();
        let mut rows = self.cached.list_rows.get_kept(head, &keys);
        let missing: Vec<&str> = keys
            .iter()
            .zip(&rows)
            .filter(|(_, row)| row.is_none())
            .map(|(key, _)| key.id.as_str())
            .collect();
        if !missing.is_empty() {
            let mut read: HashMap<PersonId, ListedPerson> = self
                .read_list_rows(&missing, today)
                .await?
                .into_iter()
                .map(|row| (row.id.clone(), row))
                .collect();
            for (key, row) in keys.iter().zip(rows.iter_mut()) {
                if row.is_none()
                    && let Some(found) = read.remove(&key.id)
                {
                    self.cached.list_rows.put(head, key.clone(), found.clone());
                    *row = Some(found);
                }
            }
        }
        Ok(rows.into_iter().flatten().collect())
    }

    /// Everyone a filter and a search hold, in the list's order.
    async fn list_order(
        &self,
        key: &OrderKey,
        head: Head,
    ) -> Result<Arc<Vec<ListPosition>>, StoreError> {
        self.cached
            .list_orders
            .get_or_read(head, key, async || {
                let Some(search) = &key.search else {
                    let earlier = self.cached.list_orders.take_set_aside(head, key);
                    return self
                        .read_matching(&key.filter, head, earlier.as_deref())
                        .await
                        .map(Arc::new);
                };
                let texts = self
                    .cached
                    .search_texts
                    .get_or_read(head, &key.filter, async || {
                        let earlier = self.cached.search_texts.take_set_aside(head, &key.filter);
                        let earlier = earlier.as_ref().map(|earlier| &earlier.people);
                        let people = self.read_matching(&key.filter, head, earlier).await?;
                        Ok::<_, StoreError>(Arc::new(SearchTexts::new(people)))
                    })
                    .await?;
                Ok(Arc::new(
                    texts
                        .index
                        .found(search)
                        .into_iter()
                        .map(|found| texts.people[found].0.clone())
                        .collect(),
                ))
            })
            .await
    }

    /// Everyone matching a filter, in the list's order, each as
    /// [`Positioned::read`] reads their row of `persons`. Given `earlier`, what was read for the
    /// people head this one moved from, only the people written since are
    /// read ([`crate::freshness::PeopleWritten`]) and the rest is kept.
    /// Sorted here rather than in SQL so that both databases give the same
    /// order whatever their collation.
    async fn read_matching<T: Clone + Positioned>(
        &self,
        (condition, values): &FilterKey,
        head: Head,
        earlier: Option<&Vec<T>>,
    ) -> Result<Vec<T>, StoreError> {
        let written = earlier.and(self.cached.people_written_up_to(head));
        let mut sql = format!("SELECT {} FROM persons WHERE ({condition})", T::COLUMNS);
        let mut matching = Vec::new();
        if let (Some(earlier), Some(written)) = (earlier, &written) {
            let placeholders: Vec<String> = (1..=written.ids.len())
                .map(|n| format!("${}", values.len() + n))
                .collect();
            sql.push_str(&format!(" AND id IN ({})", placeholders.join(", ")));
            matching.extend(
                earlier
                    .iter()
                    .filter(|item| !written.ids.contains(&item.position().id))
                    .cloned(),
            );
        }
        let mut query = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), values);
        for id in written.iter().flat_map(|written| &written.ids) {
            query = query.bind(id.to_string());
        }
        // The index holds every column read but the name: for a whole
        // list, the table is read only for a search. Rows are kept as they
        // arrive, never all at once as the database sends them, which would
        // double a server's memory at the moment it reads a large registry.
        let mut rows = query.fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            matching.push(T::read(&row)?);
        }
        matching.sort_unstable_by(|a, b| a.position().cmp(b.position()));
        Ok(matching)
    }

    /// The rows of `ids`, with their companions counted through
    /// `persons_by_companion_of`; in no particular order.
    async fn read_list_rows(
        &self,
        ids: &[&str],
        today: Date,
    ) -> Result<Vec<ListedPerson>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT p.id, p.role, p.name, p.status, p.tier, p.specialty, p.birth_year, \
             p.referral_date, p.companion_of, \
             (SELECT COUNT(*) FROM persons c WHERE c.companion_of = p.id) AS companions \
             FROM persons p WHERE p.id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(id.to_string());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| read_list_row(row, today))
            .collect()
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
            "SELECT COUNT(*) AS n FROM persons WHERE role = $1 AND {waiting} AND birth_year >= $2"
        )))
        .bind(Role::Patient.as_str())
        .bind(child_floor)
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;

        let mut waits: Vec<i64> = Vec::new();
        for row in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT referral_date FROM persons WHERE role = $1 AND {waiting}"
        )))
        .bind(Role::Patient.as_str())
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

/// The people a list holds, whatever the page: a filter and a search.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct OrderKey {
    filter: FilterKey,
    search: Option<SearchQuery>,
}

/// A row of the list as read on a day: ages and days waited are counted
/// to `today`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct RowKey {
    today: Date,
    pub(crate) id: PersonId,
}

/// The rows of a page of `order`, as the range `start..end`: `limit` rows
/// from `offset` rows after the start of the list or after `from`, or the
/// `limit` rows that end `offset` rows before `from`. Empty past either end.
fn window(
    order: &[ListPosition],
    from: Option<&Keyset>,
    offset: u64,
    limit: u32,
) -> (usize, usize) {
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    let limit = limit as usize;
    match from {
        None => {
            let start = offset.min(order.len());
            (start, start.saturating_add(limit).min(order.len()))
        }
        Some(Keyset::After(position)) => {
            let after = order.partition_point(|row| row <= position);
            let start = after.saturating_add(offset).min(order.len());
            (start, start.saturating_add(limit).min(order.len()))
        }
        Some(Keyset::Before(position)) => {
            let before = order.partition_point(|row| row < position);
            let end = before.saturating_sub(offset);
            (end.saturating_sub(limit), end)
        }
    }
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
    let role = match filter.role {
        RoleFilter::Patients => Some(Role::Patient),
        RoleFilter::Companions => Some(Role::Companion),
        RoleFilter::Returnees => Some(Role::Returnee),
        RoleFilter::Everyone => None,
    };
    if let Some(role) = role {
        values.push(Value::Text(role.as_str().to_string()));
        clauses.push(format!("role = ${}", values.len()));
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

/// Everyone a filter holds with their id and name as a search reads them,
/// in the list's order, and the same texts as one index.
#[derive(Debug)]
pub(crate) struct SearchTexts {
    people: Vec<(ListPosition, SearchText)>,
    index: SearchIndex,
}

impl SearchTexts {
    fn new(people: Vec<(ListPosition, SearchText)>) -> SearchTexts {
        let index = SearchIndex::new(people.iter().map(|(_, text)| text));
        SearchTexts { people, index }
    }
}

/// What a list's order is made of: items read from a row of `persons`
/// that know where they stand in the list.
trait Positioned: Sized {
    /// The columns of `persons` an item is read from.
    const COLUMNS: &str;
    fn read(row: &AnyRow) -> Result<Self, StoreError>;
    fn position(&self) -> &ListPosition;
}

impl Positioned for ListPosition {
    const COLUMNS: &str = "id, tier_rank, referral_date";

    fn read(row: &AnyRow) -> Result<ListPosition, StoreError> {
        read_position(row)
    }

    fn position(&self) -> &ListPosition {
        self
    }
}

/// Someone with their id and name as a search reads them.
impl Positioned for (ListPosition, SearchText) {
    const COLUMNS: &str = "id, tier_rank, referral_date, name";

    fn read(row: &AnyRow) -> Result<(ListPosition, SearchText), StoreError> {
        let position = read_position(row)?;
        let name: Option<String> = row.try_get("name")?;
        let text = SearchText::new(&[position.id.as_str(), name.as_deref().unwrap_or_default()]);
        Ok((position, text))
    }

    fn position(&self) -> &ListPosition {
        &self.0
    }
}

/// Where a row of `persons` stands in the list.
fn read_position(row: &AnyRow) -> Result<ListPosition, StoreError> {
    let id: String = row.try_get("id")?;
    let referral_date: Option<String> = row.try_get("referral_date")?;
    Ok(ListPosition {
        tier_rank: row.try_get("tier_rank")?,
        referral_date: referral_date
            .map(|text| date("persons", &id, &text))
            .transpose()?,
        id: PersonId::parse(&id).map_err(StoreError::from_invalid("persons", &id))?,
    })
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
    let name: Option<String> = row.try_get("name")?;
    Ok(ListedPerson {
        id: PersonId::parse(&id).map_err(&invalid)?,
        name,
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
