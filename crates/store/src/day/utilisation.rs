//! How the places of confirmed days were used, counted from the manifests:
//! the places each day had, who was planned, who was reached on the call
//! the night before, who crossed, and why the rest of the places were
//! freed. The arithmetic on these counts is pure
//! (`corridor_domain::utilisation`).

use std::collections::BTreeMap;

use corridor_domain::utilisation::{DayUse, MeasuredTurnout, PlacesFreed, measured_turnout};
use corridor_domain::{AmendmentKind, CallOutcome, CrossingId, Direction};
use jiff::civil::Date;
use sqlx::Row;

use super::gate::EntryState;
use crate::codec::{date, small};
use crate::{Store, StoreError};

/// How far back the forecast looks to measure turnout.
pub(crate) const TURNOUT_WINDOW_DAYS: i64 = 28;
/// Fewer planned people than this in the window measure nothing.
pub(crate) const TURNOUT_MIN_PEOPLE: u32 = 50;

type DayKey = (String, String, String);

impl Store {
    /// The use of every confirmed manifest from `from` to `to` (both
    /// included), by date, crossing and direction.
    pub async fn utilisation(&self, from: Date, to: Date) -> Result<Vec<DayUse>, StoreError> {
        if to < from {
            return Err(StoreError::invalid(
                "to",
                format!("the last day {to} is before the first day {from}"),
            ));
        }
        let (first, last) = (from.to_string(), to.to_string());
        let manifests = sqlx::query(
            "SELECT crossing, date, direction, places FROM manifests \
             WHERE date >= $1 AND date <= $2 ORDER BY date, crossing, direction",
        )
        .bind(&first)
        .bind(&last)
        .fetch_all(&self.pool)
        .await?;
        let states = sqlx::query(
            "SELECT crossing, date, direction, outcome, COUNT(*) AS people FROM manifest_entries \
             WHERE date >= $1 AND date <= $2 GROUP BY crossing, date, direction, outcome",
        )
        .bind(&first)
        .bind(&last)
        .fetch_all(&self.pool)
        .await?;
        // A party is reached when its latest call found it willing to come.
        let reached = sqlx::query(
            "SELECT e.crossing AS crossing, e.date AS date, e.direction AS direction, \
             COUNT(*) AS people FROM manifest_entries e \
             JOIN call_outcomes c ON c.crossing = e.crossing AND c.date = e.date AND c.party = e.party \
             WHERE e.date >= $1 AND e.date <= $2 AND c.outcome = $3 \
             AND c.attempt = (SELECT MAX(l.attempt) FROM call_outcomes l \
              WHERE l.crossing = c.crossing AND l.date = c.date AND l.party = c.party) \
             GROUP BY e.crossing, e.date, e.direction",
        )
        .bind(&first)
        .bind(&last)
        .bind(CallOutcome::Confirmed.as_str())
        .fetch_all(&self.pool)
        .await?;

        // People added after confirmation took freed places.
        let refills = sqlx::query(
            "SELECT crossing, date, direction, CAST(SUM(people) AS BIGINT) AS people FROM manifest_amendments \
             WHERE date >= $1 AND date <= $2 AND kind <> $3 GROUP BY crossing, date, direction",
        )
        .bind(&first)
        .bind(&last)
        .bind(AmendmentKind::Remove.as_str())
        .fetch_all(&self.pool)
        .await?;

        let mut counted: BTreeMap<DayKey, (BTreeMap<Option<String>, u32>, u32)> = BTreeMap::new();
        for row in states {
            let key = day_key(&row)?;
            let people = small("manifest_entries", &key.1, row.try_get("people")?)?;
            let outcome: Option<String> = row.try_get("outcome")?;
            counted.entry(key).or_default().0.insert(outcome, people);
        }
        for row in reached {
            let key = day_key(&row)?;
            let people = small("call_outcomes", &key.1, row.try_get("people")?)?;
            counted.entry(key).or_default().1 = people;
        }

        let mut refilled: BTreeMap<DayKey, u32> = BTreeMap::new();
        for row in refills {
            let key = day_key(&row)?;
            let people = small("manifest_amendments", &key.1, row.try_get("people")?)?;
            refilled.insert(key, people);
        }

        let mut days = Vec::with_capacity(manifests.len());
        for row in manifests {
            let key = day_key(&row)?;
            let available = small("manifests", &key.1, row.try_get("places")?)?;
            let (states, reached) = counted.remove(&key).unwrap_or_default();
            let refilled = refilled.get(&key).copied().unwrap_or(0);
            days.push(day_use(&key, available, &states, reached, refilled)?);
        }
        Ok(days)
    }

    /// Turnout measured on the finished outbound days of the last
    /// [`TURNOUT_WINDOW_DAYS`] before `today`, when they planned at least
    /// [`TURNOUT_MIN_PEOPLE`] people.
    pub async fn measured_turnout(
        &self,
        today: Date,
    ) -> Result<Option<MeasuredTurnout>, StoreError> {
        let from = today.saturating_sub(jiff::Span::new().days(TURNOUT_WINDOW_DAYS));
        let yesterday = today.saturating_sub(jiff::Span::new().days(1));
        if yesterday < from {
            return Ok(None);
        }
        let days = self.utilisation(from, yesterday).await?;
        Ok(measured_turnout(
            &days,
            Direction::Outbound,
            TURNOUT_MIN_PEOPLE,
        ))
    }
}

fn day_key(row: &sqlx::any::AnyRow) -> Result<DayKey, StoreError> {
    Ok((
        row.try_get("crossing")?,
        row.try_get("date")?,
        row.try_get("direction")?,
    ))
}

fn day_use(
    key: &DayKey,
    available: u32,
    states: &BTreeMap<Option<String>, u32>,
    reached: u32,
    refilled: u32,
) -> Result<DayUse, StoreError> {
    let (crossing, day, direction) = key;
    let invalid = StoreError::from_invalid("manifests", "utilisation");
    let mut freed = PlacesFreed::default();
    let (mut crossed, mut expected) = (0, 0);
    for (outcome, people) in states {
        let state = match outcome {
            None => EntryState::Expected,
            Some(text) => EntryState::parse(text)
                .map_err(|error| StoreError::corrupt("manifest_entries", day, error))?,
        };
        let count = match state {
            EntryState::Expected => &mut expected,
            EntryState::Crossed => &mut crossed,
            EntryState::TurnedBack => &mut freed.turned_back,
            EntryState::NoShow => &mut freed.no_show,
            EntryState::Removed => &mut freed.removed,
            EntryState::Declined => &mut freed.declined,
            EntryState::Unreachable => &mut freed.unreachable,
        };
        *count += people;
    }
    // Every entry was planned, at confirmation or by an amendment.
    let entries: u32 = states.values().sum();
    Ok(DayUse {
        crossing: CrossingId::parse(crossing).map_err(&invalid)?,
        date: date("manifests", day, day)?,
        direction: Direction::parse(direction).map_err(&invalid)?,
        available,
        planned: entries.saturating_sub(refilled),
        refilled,
        reached,
        crossed,
        expected,
        freed,
    })
}
