//! Receiving beds: offers published by facilities, destinations opened and
//! closed, the beds held for scheduled patients, and what is free.

use std::collections::HashMap;

use corridor_domain::{BedCapacity, FacilityId, PersonId, Specialty, Text};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use crate::audit::NewAuditEntry;
use crate::codec::{date, flag, micros, small};
use crate::{DayRule, Store, StoreError, Thing};

/// Where a bed hold stands (`bed_holds.state`): held at scheduling,
/// consumed on admission, released when the patient does not cross.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BedHoldState {
    Held,
    Released,
    Consumed,
}

impl BedHoldState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BedHoldState::Held => "held",
            BedHoldState::Released => "released",
            BedHoldState::Consumed => "consumed",
        }
    }
}

/// Beds of one specialty at one facility on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BedLine {
    pub facility: FacilityId,
    pub specialty: Specialty,
    pub country_open: bool,
    pub facility_open: bool,
    pub requires_return_guarantee: bool,
    /// Beds published in offers that cover the date.
    pub published: u32,
    pub held: u32,
    pub consumed: u32,
}

impl BedLine {
    /// Beds that can still be given to someone arriving on the date; none
    /// where the facility or its country is closed.
    pub fn free(&self) -> u32 {
        if !(self.country_open && self.facility_open) {
            return 0;
        }
        self.published.saturating_sub(self.held + self.consumed)
    }
}

/// A receiving destination that can be opened or closed.
#[derive(Debug, Clone, Copy)]
pub enum Destination<'a> {
    Facility(&'a FacilityId),
    Country(&'a corridor_domain::CountryCode),
}

impl Store {
    /// A facility publishes beds of a specialty for arrivals within a period.
    pub async fn publish_beds(
        &self,
        facility: &FacilityId,
        capacity: &BedCapacity,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut transaction = self.write().await?;
        let known = sqlx::query("SELECT 1 AS one FROM facilities WHERE id = $1")
            .bind(facility.as_str().to_string())
            .fetch_optional(&mut **transaction)
            .await?;
        if known.is_none() {
            return Err(StoreError::not_found(Thing::Facility, facility));
        }
        let taken = sqlx::query(
            "SELECT beds FROM facility_beds WHERE facility = $1 AND specialty = $2 AND from_date = $3",
        )
        .bind(facility.as_str().to_string())
        .bind(capacity.specialty.as_str())
        .bind(capacity.from.to_string())
        .fetch_optional(&mut **transaction)
        .await?;
        let published = || StoreError::Exists {
            thing: Thing::BedOffer,
            detail: format!(
                "{facility} already has {} beds published from {}; publish the new offer with another start date",
                capacity.specialty, capacity.from
            ),
        };
        if taken.is_some() {
            return Err(published());
        }
        sqlx::query(
            "INSERT INTO facility_beds (facility, specialty, beds, from_date, to_date) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(facility.as_str().to_string())
        .bind(capacity.specialty.as_str())
        .bind(i64::from(capacity.beds))
        .bind(capacity.from.to_string())
        .bind(capacity.to.to_string())
        .execute(&mut **transaction)
        .await
        .map_err(|error| StoreError::from(error).on_violation("facility_beds_offer", published))?;
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "beds.publish".to_string(),
                subject: facility.to_string(),
                detail: serde_json::json!({
                    "specialty": capacity.specialty.as_str(),
                    "beds": capacity.beds,
                    "from": capacity.from.to_string(),
                    "to": capacity.to.to_string(),
                }),
            })
            .await?;
        Ok(())
    }

    /// Opens or closes a facility or a whole receiving country. A closed
    /// destination receives no one; places already held stay held.
    pub async fn set_destination_open(
        &self,
        destination: Destination<'_>,
        open: bool,
        reason: &Text,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let (sql, key, kind) = match destination {
            Destination::Facility(id) => (
                "UPDATE facilities SET open = $1 WHERE id = $2",
                id.as_str(),
                Thing::Facility,
            ),
            Destination::Country(code) => (
                "UPDATE countries SET open = $1 WHERE code = $2",
                code.as_str(),
                Thing::Country,
            ),
        };
        let mut transaction = self.write().await?;
        let updated = sqlx::query(sql)
            .bind(flag(open))
            .bind(key.to_string())
            .execute(&mut **transaction)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::not_found(kind, key));
        }
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: format!("{kind}.{}", if open { "open" } else { "close" }),
                subject: key.to_string(),
                detail: serde_json::json!({ "reason": reason.as_str() }),
            })
            .await?;
        Ok(())
    }

    /// Beds by facility and specialty on a date: published, held, consumed.
    pub async fn bed_board(&self, on: Date) -> Result<Vec<BedLine>, StoreError> {
        let offers = sqlx::query(
            "SELECT b.facility, b.specialty, b.beds, b.from_date, f.open AS facility_open, \
             f.requires_return_guarantee, c.open AS country_open \
             FROM facility_beds b JOIN facilities f ON f.id = b.facility \
             JOIN countries c ON c.code = f.country \
             WHERE b.from_date <= $1 AND b.to_date >= $1 ORDER BY b.facility, b.specialty",
        )
        .bind(on.to_string())
        .fetch_all(&self.pool)
        .await?;
        let used = offer_use(&self.pool).await?;
        let mut lines: Vec<BedLine> = Vec::new();
        for row in offers {
            let facility: String = row.try_get("facility")?;
            let invalid = StoreError::from_invalid("facility_beds", &facility);
            let specialty_label: String = row.try_get("specialty")?;
            let from: String = row.try_get("from_date")?;
            let specialty = Specialty::parse(&specialty_label).map_err(&invalid)?;
            let (held, consumed) = used
                .get(&(facility.clone(), specialty_label, from))
                .copied()
                .unwrap_or((0, 0));
            let beds = small("facility_beds", &facility, row.try_get("beds")?)?;
            let facility = FacilityId::parse(&facility).map_err(&invalid)?;
            match lines.last_mut() {
                Some(line) if line.facility == facility && line.specialty == specialty => {
                    line.published += beds;
                    line.held += held;
                    line.consumed += consumed;
                }
                _ => lines.push(BedLine {
                    facility,
                    specialty,
                    country_open: row.try_get::<i64, _>("country_open")? != 0,
                    facility_open: row.try_get::<i64, _>("facility_open")? != 0,
                    requires_return_guarantee: row
                        .try_get::<i64, _>("requires_return_guarantee")?
                        != 0,
                    published: beds,
                    held,
                    consumed,
                }),
            }
        }
        Ok(lines)
    }

    /// The earliest date after `after` on which a bed of each specialty is
    /// free at an open destination.
    pub async fn next_free_beds(&self, after: Date) -> Result<Vec<(Specialty, Date)>, StoreError> {
        let offers = sqlx::query(
            "SELECT b.facility, b.specialty, b.beds, b.from_date, b.to_date \
             FROM facility_beds b JOIN facilities f ON f.id = b.facility \
             JOIN countries c ON c.code = f.country \
             WHERE b.to_date > $1 AND f.open = 1 AND c.open = 1",
        )
        .bind(after.to_string())
        .fetch_all(&self.pool)
        .await?;
        let used = offer_use(&self.pool).await?;
        let day_after = after.tomorrow().map_err(|_| {
            StoreError::invalid(
                "date",
                format!("{after} is the last date corridor can handle"),
            )
        })?;
        let mut earliest: HashMap<Specialty, Date> = HashMap::new();
        for row in offers {
            let facility: String = row.try_get("facility")?;
            let specialty_label: String = row.try_get("specialty")?;
            let from_text: String = row.try_get("from_date")?;
            let (held, consumed) = used
                .get(&(facility.clone(), specialty_label.clone(), from_text.clone()))
                .copied()
                .unwrap_or((0, 0));
            let beds = small("facility_beds", &facility, row.try_get("beds")?)?;
            if beds <= held + consumed {
                continue;
            }
            let specialty = Specialty::parse(&specialty_label)
                .map_err(StoreError::from_invalid("facility_beds", &facility))?;
            let from = date("facility_beds", &facility, &from_text)?.max(day_after);
            let slot = earliest.entry(specialty).or_insert(from);
            *slot = (*slot).min(from);
        }
        let mut list: Vec<(Specialty, Date)> = earliest.into_iter().collect();
        list.sort();
        Ok(list)
    }
}

/// Held and consumed beds per offer (facility, specialty, offer start).
pub(crate) async fn offer_use<'e, E>(
    executor: E,
) -> Result<HashMap<(String, String, String), (u32, u32)>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let mut used = HashMap::new();
    for row in sqlx::query(
        "SELECT facility, specialty, offer_from, state, COUNT(*) AS n FROM bed_holds \
         WHERE state <> $1 GROUP BY facility, specialty, offer_from, state",
    )
    .bind(BedHoldState::Released.as_str())
    .fetch_all(executor)
    .await?
    {
        let key = (
            row.try_get::<String, _>("facility")?,
            row.try_get::<String, _>("specialty")?,
            row.try_get::<String, _>("offer_from")?,
        );
        let count = small("bed_holds", &key.0, row.try_get("n")?)?;
        let entry: &mut (u32, u32) = used.entry(key).or_default();
        if row.try_get::<String, _>("state")? == BedHoldState::Held.as_str() {
            entry.0 += count;
        } else {
            entry.1 += count;
        }
    }
    Ok(used)
}

/// A bed to hold: for whom, where, of which specialty, and the day they
/// arrive; a facility may receive only patients with a return guarantee.
pub(super) struct BedWanted<'a> {
    pub(super) person: &'a PersonId,
    pub(super) facility: &'a FacilityId,
    pub(super) specialty: Specialty,
    pub(super) return_guarantee: bool,
    pub(super) arrival: Date,
}

/// Holds a bed for a patient on the day they arrive: from the offer
/// covering the date that ends first, at an open destination that accepts
/// them.
pub(super) async fn hold_bed(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    used: &mut HashMap<(String, String, String), (u32, u32)>,
    wanted: BedWanted<'_>,
    at: Timestamp,
) -> Result<(), StoreError> {
    let BedWanted {
        person,
        facility,
        specialty,
        return_guarantee,
        arrival: on,
    } = wanted;
    let row = sqlx::query(
        "SELECT f.open AS facility_open, f.requires_return_guarantee, c.open AS country_open, c.code \
         FROM facilities f JOIN countries c ON c.code = f.country WHERE f.id = $1",
    )
    .bind(facility.as_str().to_string())
    .fetch_optional(&mut **transaction)
    .await?
    .ok_or_else(|| StoreError::not_found(Thing::Facility, facility))?;
    if row.try_get::<i64, _>("facility_open")? == 0 {
        return Err(StoreError::day_rule(
            DayRule::Destination,
            format!("{facility} is closed and receives no one; plan {person} elsewhere"),
        ));
    }
    if row.try_get::<i64, _>("country_open")? == 0 {
        let code: String = row.try_get("code")?;
        return Err(StoreError::day_rule(
            DayRule::Destination,
            format!(
                "{code} is closed as a destination, so {facility} receives no one; plan {person} elsewhere"
            ),
        ));
    }
    if row.try_get::<i64, _>("requires_return_guarantee")? != 0 && !return_guarantee {
        return Err(StoreError::day_rule(
            DayRule::Destination,
            format!(
                "{facility} receives only patients with a return guarantee, and {person}'s referral has none"
            ),
        ));
    }
    let offers = sqlx::query(
        "SELECT beds, from_date FROM facility_beds WHERE facility = $1 AND specialty = $2 \
         AND from_date <= $3 AND to_date >= $3 ORDER BY to_date, from_date",
    )
    .bind(facility.as_str().to_string())
    .bind(specialty.as_str())
    .bind(on.to_string())
    .fetch_all(&mut **transaction)
    .await?;
    for offer in offers {
        let from: String = offer.try_get("from_date")?;
        let beds = small("facility_beds", facility.as_str(), offer.try_get("beds")?)?;
        let key = (
            facility.as_str().to_string(),
            specialty.as_str().to_string(),
            from.clone(),
        );
        let (held, consumed) = used.get(&key).copied().unwrap_or((0, 0));
        if held + consumed >= beds {
            continue;
        }
        sqlx::query(
            "INSERT INTO bed_holds (person_id, hold, facility, specialty, offer_from, arrival_date, \
             state, held_at, changed_at) VALUES ($1, \
             (SELECT COALESCE(MAX(hold), 0) + 1 FROM bed_holds WHERE person_id = $1), \
             $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(person.as_str().to_string())
        .bind(facility.as_str().to_string())
        .bind(specialty.as_str())
        .bind(from)
        .bind(on.to_string())
        .bind(BedHoldState::Held.as_str())
        .bind(micros(at))
        .execute(&mut **transaction)
        .await?;
        used.entry(key).or_default().0 += 1;
        return Ok(());
    }
    Err(StoreError::day_rule(
        DayRule::Destination,
        format!(
            "{facility} has no free {specialty} bed on {on} for {person}; plan again to see the beds now free"
        ),
    ))
}
