//! Aggregate queries for exports and the situation report, and the
//! histories the FHIR export needs. Counts come out exact; suppressing small
//! ones is the publisher's job (`corridor_interop::disclosure`).

use std::collections::{BTreeMap, HashMap};

use corridor_domain::report::ReasonCodeCount;
use corridor_domain::{
    ActionKind, AgeGroup, BirthYear, CrossingId, FacilityId, NewPerson, ReasonCode, ReasonKind,
    Role, SourcedFigure, Specialty, Status, StatusEvent, StatusLine, Tier,
};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::Offset;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::audit::NewAuditEntry;
use crate::codec::{
    EVENT_COLUMNS, PERSON_COLUMNS, date, exited_from_column, micros, optional_date, read_event,
    read_person,
};
use crate::people::list::waiting_condition;
use crate::reasons::read_reason_codes;
use crate::reference::insert_figures;
use crate::{ImportMode, Store, StoreError, Thing};

/// Patients waiting with one tier, specialty and age group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitingCount {
    pub tier: Tier,
    pub specialty: Specialty,
    pub age_group: AgeGroup,
    pub count: u64,
}

/// People who crossed on one day, by crossing, destination and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvacuationCount {
    pub date: Date,
    /// The crossing of the booking they crossed on.
    pub crossing: Option<CrossingId>,
    /// The facility that admitted the patient (a companion's patient);
    /// `None` while no admission is recorded.
    pub facility: Option<FacilityId>,
    pub role: Role,
    pub count: u64,
}

/// Patients who died while waiting on one day, in one tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeathCount {
    pub date: Date,
    pub tier: Tier,
    pub count: u64,
}

/// A patient with their line and whole history, for the FHIR export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientHistory {
    pub person: NewPerson,
    pub line: StatusLine,
    pub events: Vec<StatusEvent>,
}

impl Store {
    /// Patients waiting as of `today`, by tier, specialty and age group;
    /// combinations with nobody are left out.
    pub async fn waiting_breakdown(&self, today: Date) -> Result<Vec<WaitingCount>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT tier, specialty, birth_year, COUNT(*) AS n FROM persons \
             WHERE role = $1 AND {} GROUP BY tier, specialty, birth_year",
            waiting_condition()
        )))
        .bind(Role::Patient.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut counts: BTreeMap<(Tier, Specialty, AgeGroup), u64> = BTreeMap::new();
        for row in rows {
            let invalid = StoreError::from_invalid("persons", "waiting breakdown");
            let tier = Tier::parse(&row.try_get::<String, _>("tier")?).map_err(&invalid)?;
            let specialty =
                Specialty::parse(&row.try_get::<String, _>("specialty")?).map_err(&invalid)?;
            let year: i64 = row.try_get("birth_year")?;
            let birth_year = i16::try_from(year)
                .map_err(|_| StoreError::corrupt("persons", "birth_year", year))
                .and_then(|year| BirthYear::new(year, Date::MAX).map_err(&invalid))?;
            let n: i64 = row.try_get("n")?;
            *counts
                .entry((tier, specialty, AgeGroup::of(birth_year, today)))
                .or_default() += n as u64;
        }
        Ok(counts
            .into_iter()
            .map(|((tier, specialty, age_group), count)| WaitingCount {
                tier,
                specialty,
                age_group,
                count,
            })
            .collect())
    }

    /// People who crossed from `from` to `to` (inclusive, days in UTC).
    pub async fn evacuations(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<EvacuationCount>, StoreError> {
        let (start, end) = day_bounds(from, to)?;
        let rows = sqlx::query(
            "SELECT e.at AS at, p.role AS role, \
             (SELECT s.crossing FROM status_events s WHERE s.person_id = e.person_id \
              AND s.action = $3 AND s.version < e.version ORDER BY s.version DESC LIMIT 1) AS crossing, \
             (SELECT a.facility FROM status_events a WHERE a.person_id = COALESCE(p.companion_of, p.id) \
              AND a.action = $4 ORDER BY a.version DESC LIMIT 1) AS facility \
             FROM status_events e JOIN persons p ON p.id = e.person_id \
             WHERE e.to_status = $5 AND p.role <> $6 AND e.at >= $1 AND e.at < $2 \
             AND NOT EXISTS (SELECT 1 FROM status_events u WHERE u.person_id = e.person_id \
              AND u.version = e.version + 1 AND u.action = $7)",
        )
        .bind(start)
        .bind(end)
        .bind(ActionKind::Schedule.as_str())
        .bind(ActionKind::Admit.as_str())
        .bind(Status::Crossed.as_str())
        .bind(Role::Returnee.as_str())
        // A crossing undone at the gate did not happen.
        .bind(ActionKind::UndoGate.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut counts: BTreeMap<(Date, Option<String>, Option<String>, Role), u64> =
            BTreeMap::new();
        for row in rows {
            let at = crate::codec::timestamp("status_events", "crossed", row.try_get("at")?)?;
            let day = Offset::UTC.to_datetime(at).date();
            let role = Role::parse(&row.try_get::<String, _>("role")?)
                .map_err(StoreError::from_invalid("persons", "role"))?;
            let crossing: Option<String> = row.try_get("crossing")?;
            let facility: Option<String> = row.try_get("facility")?;
            *counts.entry((day, crossing, facility, role)).or_default() += 1;
        }
        counts
            .into_iter()
            .map(|((date, crossing, facility, role), count)| {
                let invalid = StoreError::from_invalid("status_events", "evacuations");
                Ok(EvacuationCount {
                    date,
                    crossing: crossing
                        .map(|c| CrossingId::parse(&c))
                        .transpose()
                        .map_err(&invalid)?,
                    facility: facility
                        .map(|f| FacilityId::parse(&f))
                        .transpose()
                        .map_err(&invalid)?,
                    role,
                    count,
                })
            })
            .collect()
    }

    /// Patients who died while waiting from `from` to `to` (inclusive), by
    /// date of death and tier.
    pub async fn deaths(&self, from: Date, to: Date) -> Result<Vec<DeathCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT died_on, tier, COUNT(*) AS n FROM persons \
             WHERE role = $3 AND status = $4 AND died_on >= $1 AND died_on <= $2 \
             GROUP BY died_on, tier ORDER BY died_on, tier",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(Role::Patient.as_str())
        .bind(Status::DiedWhileWaiting.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut deaths = Vec::new();
        for row in rows {
            let invalid = StoreError::from_invalid("persons", "deaths");
            let day = optional_date("persons", "died_on", row.try_get("died_on")?)?
                .ok_or_else(|| StoreError::corrupt("persons", "died_on", "empty"))?;
            deaths.push(DeathCount {
                date: day,
                tier: Tier::parse(&row.try_get::<String, _>("tier")?).map_err(&invalid)?,
                count: row.try_get::<i64, _>("n")? as u64,
            });
        }
        deaths.sort_by_key(|d| (d.date, d.tier));
        Ok(deaths)
    }

    /// Clearance denials recorded from `from` to `to` (inclusive, UTC), by
    /// reason code with its label, most frequent first. Denials recorded
    /// before reasons were coded count as `other`. No note is read: notes
    /// are about people and never leave in an aggregate.
    pub async fn denial_reasons(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<ReasonCodeCount>, StoreError> {
        let (start, end) = day_bounds(from, to)?;
        let mut connection = self.pool.acquire().await?;
        let rows = sqlx::query(
            "SELECT COALESCE(reason_code, 'other') AS code, COUNT(*) AS n FROM status_events \
             WHERE action = $3 AND at >= $1 AND at < $2 \
             GROUP BY COALESCE(reason_code, 'other')",
        )
        .bind(start)
        .bind(end)
        .bind(ActionKind::Deny.as_str())
        .fetch_all(&mut *connection)
        .await?;
        let catalogue = read_reason_codes(&mut connection, Some(ReasonKind::Denied)).await?;
        let mut reasons = Vec::with_capacity(rows.len());
        for row in rows {
            let code: String = row.try_get("code")?;
            let code = ReasonCode::parse(&code)
                .map_err(StoreError::from_invalid("status_events", "denial reasons"))?;
            let n: i64 = row.try_get("n")?;
            reasons.push(ReasonCodeCount {
                label: catalogue.label(ReasonKind::Denied, &code),
                code,
                count: n as u64,
            });
        }
        reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
        Ok(reasons)
    }

    /// Every patient with their history, by id.
    pub async fn patient_histories(&self) -> Result<Vec<PatientHistory>, StoreError> {
        let mut events: HashMap<String, Vec<StatusEvent>> = HashMap::new();
        for row in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM status_events \
             WHERE person_id IN (SELECT id FROM persons WHERE role = $1) \
             ORDER BY person_id, version"
        )))
        .bind(Role::Patient.as_str())
        .fetch_all(&self.pool)
        .await?
        {
            let person: String = row.try_get("person_id")?;
            events.entry(person).or_default().push(read_event(&row)?);
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS}, {} FROM persons WHERE role = $1 ORDER BY id",
            exited_from_column()
        )))
        .bind(Role::Patient.as_str())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let (person, line) = read_person(row)?;
            let events = events.remove(person.id.as_str()).unwrap_or_default();
            Ok(PatientHistory {
                person,
                line,
                events,
            })
        })
        .collect()
    }

    /// Adds public figures in one transaction with one audit entry. Refuses
    /// all of them, naming each, if a figure with the same key and date is
    /// already recorded. A dry run makes the same checks and rolls back.
    pub async fn add_figures(
        &self,
        figures: &[SourcedFigure],
        audit: &NewAuditEntry,
        mode: ImportMode,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        let mut taken = Vec::new();
        for row in sqlx::query("SELECT key, date FROM figures")
            .fetch_all(&mut **transaction)
            .await?
        {
            let key: String = row.try_get("key")?;
            let day = date("figures", &key, &row.try_get::<String, _>("date")?)?;
            if figures.iter().any(|f| f.key == key && f.date == day) {
                taken.push(format!("{key} on {day}"));
            }
        }
        if !taken.is_empty() {
            return Err(StoreError::Exists {
                thing: Thing::Figure,
                detail: format!(
                    "already recorded: {}; nothing was added. A figure is kept once per key and date: \
                     give a new date for a new value",
                    taken.join(", ")
                ),
            });
        }
        insert_figures(&mut transaction, figures)
            .await
            .map_err(|error| {
                error.on_violation("figures_pkey", || {
                    StoreError::ChangedMeanwhile(
                        "the public figures (one of the same key and date was added)".to_string(),
                    )
                })
            })?;
        transaction
            .finish_import(audit, mode, figures.len())
            .await?;
        Ok(())
    }
}

impl NewAuditEntry {
    /// The entry of one public figure added by hand (a form, the CLI).
    pub fn figure_added(figure: &SourcedFigure, at: Timestamp, actor: &str) -> NewAuditEntry {
        NewAuditEntry {
            at,
            actor: actor.to_string(),
            action: "figure.add".to_string(),
            subject: figure.key.clone(),
            detail: serde_json::json!({ "date": figure.date.to_string(), "value": figure.value }),
        }
    }

    /// The entry of a file of public figures imported: the file by name and
    /// digest, and each figure by key and date.
    pub fn figures_imported(
        file_name: &str,
        file: &[u8],
        figures: &[SourcedFigure],
        at: Timestamp,
        actor: &str,
    ) -> NewAuditEntry {
        NewAuditEntry {
            at,
            actor: actor.to_string(),
            action: "figure.import".to_string(),
            subject: file_name.to_string(),
            detail: serde_json::json!({
                "file_sha256": hex::encode(Sha256::digest(file)),
                "figures": figures.iter().map(|f| format!("{} {}", f.key, f.date)).collect::<Vec<_>>(),
            }),
        }
    }
}

/// Microsecond bounds [start of `from`, start of the day after `to`) in UTC.
fn day_bounds(from: Date, to: Date) -> Result<(i64, i64), StoreError> {
    let start = Offset::UTC
        .to_timestamp(from.to_datetime(jiff::civil::Time::midnight()))
        .map_err(|e| StoreError::invalid("date", format!("{from}: {e}")))?;
    let next = to
        .tomorrow()
        .map_err(|e| StoreError::invalid("date", format!("{to}: {e}")))?;
    let end = Offset::UTC
        .to_timestamp(next.to_datetime(jiff::civil::Time::midnight()))
        .map_err(|e| StoreError::invalid("date", format!("{to}: {e}")))?;
    Ok((micros(start), micros(end)))
}
