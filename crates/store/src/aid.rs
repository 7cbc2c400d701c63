//! Aid consignments: their registration, their stage changes, and the
//! aggregates the aid reports (and the situation report) are built from.
//!
//! Each aggregate is one `GROUP BY` over a covering index of
//! `stage_events` (see `migrations/*/0003_aid.sql`); sums are cast to
//! BIGINT so that PostgreSQL does not return NUMERIC.

use std::collections::HashSet;

use corridor_domain::{
    AidReport, CargoCategory, Consignment, ConsignmentCase, ConsignmentId, CrossingId, DwellStats,
    Load, ReasonCount, Recount, Stage, StageChange, StageCount, StageDayCount, StageEvent,
    StageLine, StuckConsignment, Text, Tonnes, TonnesReconciliation, TruckDefinition, TruckTarget,
    daily_trucks, dwell_minutes, rank_reasons,
};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::NewAuditEntry;
use crate::codec::{AnyQuery, date, insert_sql, micros, placeholders, small, timestamp};
use crate::{Backend, ImportMode, Store, StoreError, Thing};

const CONSIGNMENTS_PER_STATEMENT: usize = 400;
const EVENTS_PER_STATEMENT: usize = 800;

const CONSIGNMENT_COLUMNS: &str = "id, agency, category, origin, crossing, trucks, pallets, \
     kilograms, stage, stage_trucks, stage_pallets, stage_kilograms, stage_since, version, registered_at";
const CONSIGNMENT_COLUMN_COUNT: usize = 15;

const EVENT_COLUMNS: &str = "consignment_id, version, at, on_day, actor, category, from_stage, \
     to_stage, reason, items, trucks, pallets, kilograms, dwell_micros, dwell_minutes, note";
const EVENT_COLUMN_COUNT: usize = 16;

/// A consignment with its current line and its whole history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsignmentRecord {
    pub consignment: Consignment,
    pub line: StageLine,
    pub registered_at: Timestamp,
    pub events: Vec<StageEvent>,
}

/// A stage change to make: which consignment, based on which version (the
/// current one when `None`), the change with its recount, and a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsignmentMove {
    pub consignment: ConsignmentId,
    pub expected_version: Option<u32>,
    pub change: StageChange,
    pub recount: Recount,
    pub note: Option<Text>,
}

/// The outcome of a stage change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub line: StageLine,
    pub event: StageEvent,
}

impl NewAuditEntry {
    /// The entry of one consignment registered by hand (a form, the CLI).
    pub fn consignment_registered(
        case: &ConsignmentCase,
        at: Timestamp,
        actor: &str,
    ) -> NewAuditEntry {
        let consignment = &case.consignment;
        NewAuditEntry {
            at,
            actor: actor.to_string(),
            action: "consignment.register".to_string(),
            subject: consignment.id.to_string(),
            detail: serde_json::json!({
                "category": consignment.category.as_str(),
                "crossing": consignment.crossing.as_str(),
                "trucks": consignment.load.trucks,
                "pallets": consignment.load.pallets,
                "tonnes": consignment.load.tonnes.to_string(),
                "dispatched_at": case.line.since.to_string(),
            }),
        }
    }
}

impl Store {
    /// Registers consignments with their histories in one transaction with
    /// one audit entry. Fails whole, leaving nothing, if any id exists.
    /// `progress` is told how many consignments have been written so far;
    /// a dry run writes them all and rolls back.
    pub async fn insert_consignments(
        &self,
        cases: &[ConsignmentCase],
        audit: &NewAuditEntry,
        mode: ImportMode,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        insert_consignments_in(self.backend, &mut transaction, cases, progress).await?;
        transaction.finish_import(audit, mode, cases.len()).await?;
        Ok(())
    }

    /// Moves a consignment to its next stage. `expected_version` is the
    /// version the user's decision was based on; without it the current
    /// version is used, and the check still catches a change made between
    /// reading and writing.
    pub async fn move_consignment(
        &self,
        step: ConsignmentMove,
        at: Timestamp,
        actor: &str,
    ) -> Result<Moved, StoreError> {
        let ConsignmentMove {
            consignment: id,
            expected_version,
            change,
            recount,
            note,
        } = step;
        let id = &id;
        let mut transaction = self.write().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CONSIGNMENT_COLUMNS} FROM consignments WHERE id = $1"
        )))
        .bind(id.as_str().to_string())
        .fetch_optional(&mut **transaction)
        .await?
        .ok_or_else(|| StoreError::not_found(Thing::Consignment, id))?;
        let (consignment, line, _) = read_consignment(&row)?;
        let expected = expected_version.unwrap_or(line.version);
        if expected != line.version {
            return Err(StoreError::Conflict {
                subject: id.to_string(),
                expected,
                current: line.version,
            });
        }
        let (next, event) =
            line.transition(change, recount, at, actor, note)
                .map_err(|source| StoreError::Stage {
                    id: id.clone(),
                    source,
                })?;
        let updated = sqlx::query(
            "UPDATE consignments SET stage = $1, stage_trucks = $2, stage_pallets = $3, \
             stage_kilograms = $4, stage_since = $5, version = $6 WHERE id = $7 AND version = $8",
        )
        .bind(next.stage.as_str())
        .bind(i64::from(next.load.trucks))
        .bind(i64::from(next.load.pallets))
        .bind(kilograms(next.load.tonnes))
        .bind(micros(next.since))
        .bind(i64::from(next.version))
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
            self.backend,
            "stage_events",
            EVENT_COLUMNS,
            EVENT_COLUMN_COUNT,
            1,
        )));
        bind_event(insert, &consignment, &event)
            .execute(&mut **transaction)
            .await?;
        let change = event.change.as_ref();
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "consignment.move".to_string(),
                subject: id.to_string(),
                detail: serde_json::json!({
                    "from": line.stage.as_str(),
                    "to": next.stage.as_str(),
                    "reason": change.and_then(StageChange::reason).map(Text::as_str),
                    "items": change.and_then(StageChange::items).map(Text::as_str),
                    "trucks": next.load.trucks,
                    "pallets": next.load.pallets,
                    "tonnes": next.load.tonnes.to_string(),
                    "version": next.version,
                }),
            })
            .await?;
        Ok(Moved { line: next, event })
    }

    /// One consignment with its history, or `None`.
    pub async fn consignment(
        &self,
        id: &ConsignmentId,
    ) -> Result<Option<ConsignmentRecord>, StoreError> {
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CONSIGNMENT_COLUMNS} FROM consignments WHERE id = $1"
        )))
        .bind(id.as_str().to_string())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let (consignment, line, registered_at) = read_consignment(&row)?;
        let events = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM stage_events WHERE consignment_id = $1 ORDER BY version"
        )))
        .bind(id.as_str().to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(read_event)
        .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(ConsignmentRecord {
            consignment,
            line,
            registered_at,
            events,
        }))
    }

    /// Those of `ids` that are registered.
    pub async fn consignments_registered(
        &self,
        ids: &[ConsignmentId],
    ) -> Result<HashSet<ConsignmentId>, StoreError> {
        let mut found = HashSet::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT id FROM consignments WHERE id IN ({})",
                placeholders(self.backend, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id.as_str().to_string());
            }
            for row in query.fetch_all(&self.pool).await? {
                let id: String = row.try_get("id")?;
                found.insert(
                    ConsignmentId::parse(&id)
                        .map_err(StoreError::from_invalid("consignments", &id))?,
                );
            }
        }
        Ok(found)
    }

    /// Every consignment with its current line, by id, for export.
    pub async fn all_consignments(&self) -> Result<Vec<(Consignment, StageLine)>, StoreError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CONSIGNMENT_COLUMNS} FROM consignments ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| read_consignment(row).map(|(consignment, line, _)| (consignment, line)))
        .collect()
    }

    // -----------------------------------------------------------------------
    // Aggregates. Days are UTC dates; `from` and `to` are inclusive.

    /// Arrivals into every stage per day and cargo category: how many
    /// consignments entered the stage that day, and their trucks, pallets
    /// and kilograms as recorded on entry (registrations count as arrivals
    /// into `dispatched`). Ordered by day, stage, category.
    pub async fn aid_arrivals(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<StageDayCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT on_day, to_stage, category, COUNT(*) AS n, CAST(SUM(trucks) AS BIGINT) AS trucks, \
             CAST(SUM(pallets) AS BIGINT) AS pallets, CAST(SUM(kilograms) AS BIGINT) AS kilograms \
             FROM stage_events WHERE on_day >= $1 AND on_day <= $2 \
             GROUP BY on_day, to_stage, category ORDER BY on_day, to_stage, category",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut counts = rows
            .iter()
            .map(|row| {
                let day: String = row.try_get("on_day")?;
                let invalid = StoreError::from_invalid("stage_events", &day);
                Ok(StageDayCount {
                    date: date("stage_events", &day, &day)?,
                    stage: Stage::parse(&row.try_get::<String, _>("to_stage")?)
                        .map_err(&invalid)?,
                    category: CargoCategory::parse(&row.try_get::<String, _>("category")?)
                        .map_err(&invalid)?,
                    consignments: count(row, "n")?,
                    trucks: count(row, "trucks")?,
                    pallets: count(row, "pallets")?,
                    kilograms: count(row, "kilograms")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        counts.sort_by_key(|count| (count.date, count.stage, count.category));
        Ok(counts)
    }

    /// Consignments in each stage now, by category, with their current
    /// trucks and kilograms. Stages and categories without any are left out.
    pub async fn aid_in_stage(&self) -> Result<Vec<StageCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT stage, category, COUNT(*) AS n, CAST(SUM(stage_trucks) AS BIGINT) AS trucks, \
             CAST(SUM(stage_kilograms) AS BIGINT) AS kilograms \
             FROM consignments GROUP BY stage, category",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut counts = rows
            .iter()
            .map(|row| {
                let stage: String = row.try_get("stage")?;
                let invalid = StoreError::from_invalid("consignments", &stage);
                Ok(StageCount {
                    stage: Stage::parse(&stage).map_err(&invalid)?,
                    category: CargoCategory::parse(&row.try_get::<String, _>("category")?)
                        .map_err(&invalid)?,
                    consignments: count(row, "n")?,
                    trucks: count(row, "trucks")?,
                    kilograms: count(row, "kilograms")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        counts.sort_by_key(|count| (count.stage, count.category));
        Ok(counts)
    }

    /// Dwell time per stage over the stays that ended in the period, in
    /// pipeline order; stages no one left in the period are left out.
    // `from_stage > ''` (rather than IS NOT NULL) is a range on the first
    // column of `stage_events_by_dwell`, which makes SQLite walk that
    // covering index in GROUP BY order instead of sorting a million rows.
    pub async fn aid_dwell(&self, from: Date, to: Date) -> Result<Vec<DwellStats>, StoreError> {
        let rows = sqlx::query(
            "SELECT from_stage, dwell_minutes, COUNT(*) AS n FROM stage_events \
             WHERE from_stage > '' AND on_day >= $1 AND on_day <= $2 \
             GROUP BY from_stage, dwell_minutes",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut histograms: Vec<Vec<(u64, u64)>> = vec![Vec::new(); Stage::ALL.len()];
        for row in &rows {
            let stage: String = row.try_get("from_stage")?;
            let stage =
                Stage::parse(&stage).map_err(StoreError::from_invalid("stage_events", &stage))?;
            histograms[stage as usize].push((count(row, "dwell_minutes")?, count(row, "n")?));
        }
        Ok(Stage::ALL
            .iter()
            .filter_map(|&stage| DwellStats::from_histogram(stage, &histograms[stage as usize]))
            .collect())
    }

    /// Reasons given for entering `stage` (rejected or returned) in the
    /// period, most frequent first, with the consignments and trucks concerned.
    pub async fn aid_reasons(
        &self,
        stage: Stage,
        from: Date,
        to: Date,
    ) -> Result<Vec<ReasonCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT reason, COUNT(*) AS n, CAST(SUM(trucks) AS BIGINT) AS trucks FROM stage_events \
             WHERE to_stage = $1 AND on_day >= $2 AND on_day <= $3 GROUP BY reason",
        )
        .bind(stage.as_str())
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut reasons = rows
            .iter()
            .map(|row| {
                Ok(ReasonCount {
                    stage,
                    reason: row
                        .try_get::<Option<String>, _>("reason")?
                        .unwrap_or_else(|| "(no reason recorded)".to_string()),
                    consignments: count(row, "n")?,
                    trucks: count(row, "trucks")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        rank_reasons(&mut reasons);
        Ok(reasons)
    }

    /// The `limit` consignments that have been longest in a stage they have
    /// not left yet (any stage but the final ones), oldest first.
    pub async fn aid_oldest_in_stage(
        &self,
        limit: u32,
    ) -> Result<Vec<StuckConsignment>, StoreError> {
        let open: Vec<Stage> = Stage::ALL
            .iter()
            .copied()
            .filter(|stage| !stage.is_final())
            .collect();
        let sql = format!(
            "SELECT {CONSIGNMENT_COLUMNS} FROM consignments WHERE stage IN ({}) \
             ORDER BY stage_since, id LIMIT {limit}",
            placeholders(self.backend, open.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for stage in &open {
            query = query.bind(stage.as_str());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let (consignment, line, _) = read_consignment(row)?;
                Ok(StuckConsignment {
                    id: consignment.id,
                    agency: consignment.agency,
                    category: consignment.category,
                    crossing: consignment.crossing,
                    stage: line.stage,
                    since: line.since,
                    trucks: line.load.trucks,
                })
            })
            .collect()
    }

    /// The consignment longest in each stage it has not left yet (any stage
    /// but the final ones), in pipeline order; empty stages are left out.
    /// One indexed look-up per stage (`consignments_by_stage`).
    pub async fn aid_oldest_by_stage(&self) -> Result<Vec<StuckConsignment>, StoreError> {
        let mut oldest = Vec::new();
        for stage in Stage::ALL.iter().filter(|stage| !stage.is_final()) {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {CONSIGNMENT_COLUMNS} FROM consignments WHERE stage = $1 \
                 ORDER BY stage_since, id LIMIT 1"
            )))
            .bind(stage.as_str())
            .fetch_optional(&self.pool)
            .await?;
            if let Some(row) = row {
                let (consignment, line, _) = read_consignment(&row)?;
                oldest.push(StuckConsignment {
                    id: consignment.id,
                    agency: consignment.agency,
                    category: consignment.category,
                    crossing: consignment.crossing,
                    stage: line.stage,
                    since: line.since,
                    trucks: line.load.trucks,
                });
            }
        }
        Ok(oldest)
    }

    /// Tonnes dispatched, offloaded, collected, delivered, intercepted and
    /// sent back in the period, with the trucks under each definition.
    pub async fn aid_tonnes(
        &self,
        from: Date,
        to: Date,
    ) -> Result<TonnesReconciliation, StoreError> {
        Ok(TonnesReconciliation::from_counts(
            &self.aid_arrivals(from, to).await?,
        ))
    }

    /// The whole aid report for a period: the aggregates above, put
    /// together. `as_of` is the moment the "now" figures describe.
    pub async fn aid_report(
        &self,
        from: Date,
        to: Date,
        as_of: Timestamp,
        target: TruckTarget,
        oldest: u32,
    ) -> Result<AidReport, StoreError> {
        let arrivals = self.aid_arrivals(from, to).await?;
        let daily = TruckDefinition::ALL
            .iter()
            .map(|&definition| daily_trucks(&arrivals, definition, from, to, target))
            .collect();
        Ok(AidReport {
            from,
            to,
            as_of,
            target,
            daily,
            tonnes: TonnesReconciliation::from_counts(&arrivals),
            arrivals,
            in_stage: self.aid_in_stage().await?,
            dwell: self.aid_dwell(from, to).await?,
            rejections: self.aid_reasons(Stage::Rejected, from, to).await?,
            returns: self.aid_reasons(Stage::Returned, from, to).await?,
            oldest: self.aid_oldest_in_stage(oldest).await?,
        })
    }
}

pub(crate) async fn insert_consignments_in(
    backend: Backend,
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    cases: &[ConsignmentCase],
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<(), StoreError> {
    let mut written = 0u64;
    for chunk in cases.chunks(CONSIGNMENTS_PER_STATEMENT) {
        let sql = insert_sql(
            backend,
            "consignments",
            CONSIGNMENT_COLUMNS,
            CONSIGNMENT_COLUMN_COUNT,
            chunk.len(),
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for case in chunk {
            query = bind_consignment(query, case);
        }
        query.execute(&mut **transaction).await.map_err(|error| {
            let unique = matches!(&error, sqlx::Error::Database(db) if db.is_unique_violation());
            match (unique, chunk) {
                (true, [single]) => StoreError::Exists {
                    thing: Thing::Consignment,
                    detail: format!(
                        "consignment {} is already registered; nothing was written",
                        single.consignment.id
                    ),
                },
                (true, _) => StoreError::Exists {
                    thing: Thing::Consignment,
                    detail: "one of the consignments is already registered; nothing was written"
                        .to_string(),
                },
                (false, _) => StoreError::Database(error),
            }
        })?;
        written += chunk.len() as u64;
        progress(written);
    }
    let events: Vec<(&Consignment, &StageEvent)> = cases
        .iter()
        .flat_map(|case| {
            case.events
                .iter()
                .map(move |event| (&case.consignment, event))
        })
        .collect();
    for chunk in events.chunks(EVENTS_PER_STATEMENT) {
        let sql = insert_sql(
            backend,
            "stage_events",
            EVENT_COLUMNS,
            EVENT_COLUMN_COUNT,
            chunk.len(),
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (consignment, event) in chunk {
            query = bind_event(query, consignment, event);
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}

fn kilograms(tonnes: Tonnes) -> i64 {
    // A load is at most Load::MAX_TONNES, far inside i64.
    i64::try_from(tonnes.kilograms()).unwrap_or(i64::MAX)
}

fn count(row: &AnyRow, column: &str) -> Result<u64, StoreError> {
    let value: Option<i64> = row.try_get(column)?;
    Ok(u64::try_from(value.unwrap_or(0)).unwrap_or(0))
}

fn utc_day(at: Timestamp) -> String {
    jiff::tz::Offset::UTC.to_datetime(at).date().to_string()
}

fn bind_consignment<'q>(query: AnyQuery<'q>, case: &ConsignmentCase) -> AnyQuery<'q> {
    let consignment = &case.consignment;
    let line = &case.line;
    let registered_at = case.events.first().map_or(line.since, |event| event.at);
    query
        .bind(consignment.id.as_str().to_string())
        .bind(consignment.agency.as_str().to_string())
        .bind(consignment.category.as_str())
        .bind(consignment.origin.as_str().to_string())
        .bind(consignment.crossing.as_str().to_string())
        .bind(i64::from(consignment.load.trucks))
        .bind(i64::from(consignment.load.pallets))
        .bind(kilograms(consignment.load.tonnes))
        .bind(line.stage.as_str())
        .bind(i64::from(line.load.trucks))
        .bind(i64::from(line.load.pallets))
        .bind(kilograms(line.load.tonnes))
        .bind(micros(line.since))
        .bind(i64::from(line.version))
        .bind(micros(registered_at))
}

fn bind_event<'q>(
    query: AnyQuery<'q>,
    consignment: &Consignment,
    event: &StageEvent,
) -> AnyQuery<'q> {
    let change = event.change.as_ref();
    query
        .bind(consignment.id.as_str().to_string())
        .bind(i64::from(event.version))
        .bind(micros(event.at))
        .bind(utc_day(event.at))
        .bind(event.actor.clone())
        .bind(consignment.category.as_str())
        .bind(event.from.map(Stage::as_str))
        .bind(event.to.as_str())
        .bind(
            change
                .and_then(StageChange::reason)
                .map(|r| r.as_str().to_string()),
        )
        .bind(
            change
                .and_then(StageChange::items)
                .map(|r| r.as_str().to_string()),
        )
        .bind(i64::from(event.load.trucks))
        .bind(i64::from(event.load.pallets))
        .bind(kilograms(event.load.tonnes))
        .bind(event.dwell.map(|dwell| dwell.as_micros() as i64))
        .bind(event.dwell.map(|dwell| dwell_minutes(dwell) as i64))
        .bind(event.note.as_ref().map(|n| n.as_str().to_string()))
}

fn load(
    row: &AnyRow,
    key: &str,
    table: &'static str,
    columns: [&str; 3],
) -> Result<Load, StoreError> {
    let invalid = StoreError::from_invalid(table, key);
    let trucks = small(table, key, row.try_get(columns[0])?)?;
    let pallets = small(table, key, row.try_get(columns[1])?)?;
    let kilograms: i64 = row.try_get(columns[2])?;
    let kilograms = u64::try_from(kilograms)
        .map_err(|_| StoreError::corrupt(table, key, format!("{kilograms} kilograms")))?;
    Load::new(trucks, pallets, Tonnes::from_kilograms(kilograms)).map_err(&invalid)
}

/// Reads a row selected with [`CONSIGNMENT_COLUMNS`].
fn read_consignment(row: &AnyRow) -> Result<(Consignment, StageLine, Timestamp), StoreError> {
    let key: String = row.try_get("id")?;
    let key = key.as_str();
    let invalid = StoreError::from_invalid("consignments", key);
    let text = |column: &str| -> Result<String, StoreError> { Ok(row.try_get(column)?) };
    let consignment = Consignment {
        id: ConsignmentId::parse(key).map_err(&invalid)?,
        agency: Text::parse("agency", &text("agency")?, Consignment::MAX_NAME_CHARS)
            .map_err(&invalid)?,
        category: CargoCategory::parse(&text("category")?).map_err(&invalid)?,
        origin: Text::parse("origin", &text("origin")?, Consignment::MAX_NAME_CHARS)
            .map_err(&invalid)?,
        crossing: CrossingId::parse(&text("crossing")?).map_err(&invalid)?,
        load: load(row, key, "consignments", ["trucks", "pallets", "kilograms"])?,
    };
    let line = StageLine {
        stage: Stage::parse(&text("stage")?).map_err(&invalid)?,
        load: load(
            row,
            key,
            "consignments",
            ["stage_trucks", "stage_pallets", "stage_kilograms"],
        )?,
        since: timestamp("consignments", key, row.try_get("stage_since")?)?,
        version: small("consignments", key, row.try_get("version")?)?,
    };
    let registered_at = timestamp("consignments", key, row.try_get("registered_at")?)?;
    Ok((consignment, line, registered_at))
}

/// Reads a row selected with [`EVENT_COLUMNS`].
fn read_event(row: &AnyRow) -> Result<StageEvent, StoreError> {
    let id: String = row.try_get("consignment_id")?;
    let version: i64 = row.try_get("version")?;
    let key = format!("{id} version {version}");
    let invalid = StoreError::from_invalid("stage_events", &key);
    let text = |column: &str| -> Result<Option<String>, StoreError> { Ok(row.try_get(column)?) };
    let to = Stage::parse(&text("to_stage")?.unwrap_or_default()).map_err(&invalid)?;
    let from = text("from_stage")?
        .map(|stage| Stage::parse(&stage))
        .transpose()
        .map_err(&invalid)?;
    let change = match from {
        None => None,
        Some(_) => Some(
            StageChange::new(to, text("reason")?.as_deref(), text("items")?.as_deref())
                .map_err(&invalid)?,
        ),
    };
    Ok(StageEvent {
        version: small("stage_events", &key, version)?,
        at: timestamp("stage_events", &key, row.try_get("at")?)?,
        actor: row.try_get("actor")?,
        from,
        to,
        change,
        load: load(
            row,
            &key,
            "stage_events",
            ["trucks", "pallets", "kilograms"],
        )?,
        dwell: row
            .try_get::<Option<i64>, _>("dwell_micros")?
            .map(SignedDuration::from_micros),
        note: text("note")?
            .map(|note| Text::parse("note", &note, 500))
            .transpose()
            .map_err(&invalid)?,
    })
}
