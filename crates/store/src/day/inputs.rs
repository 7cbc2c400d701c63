//! What the planner is given for one crossing day and direction: the
//! day's places and rules, the cleared patients and returnees on no
//! manifest, and the free beds.

use std::collections::HashMap;

use corridor_domain::{
    CrossingId, CrossingRules, DayRules, Direction, FacilityId, PersonId, Role, Specialty, Status,
    Tier,
};
use jiff::civil::Date;
use sqlx::Row;

use super::manifest::{day_limits, day_rules, manifest_exists};
use super::overrides::PlanOverride;
use crate::codec::{birth_year, date, timestamp};
use crate::{Store, StoreError};

/// Everything the planner needs for one crossing day and direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanningInputs {
    pub crossing: CrossingId,
    pub date: Date,
    pub direction: Direction,
    /// Places in the quota in force; 0 when the crossing does not operate.
    pub quota: u32,
    /// Why there are no places at all, when there are none.
    pub closed_reason: Option<String>,
    pub rules: Option<CrossingRules>,
    /// A lower limit than the quota, with its reason (entries = exits).
    pub cap: Option<(u32, String)>,
    /// The manifest for this day and direction is already confirmed.
    pub confirmed: bool,
    pub patients: Vec<CandidatePatient>,
    pub returnees: Vec<CandidateReturnee>,
    pub beds: Vec<FreeBeds>,
    pub next_free_bed: Vec<(Specialty, Date)>,
    pub overrides: Vec<PlanOverride>,
}

impl PlanningInputs {
    /// The rules every manifest of the day keeps: what the planner plans
    /// within and what confirmation checks again.
    pub fn day_rules(&self) -> DayRules {
        day_rules(
            &self.crossing,
            self.date,
            self.direction,
            self.quota,
            self.cap.as_ref(),
            self.rules.as_ref(),
        )
    }
}

/// A cleared patient who is on no manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidatePatient {
    pub id: PersonId,
    pub tier: Tier,
    pub referral_date: Date,
    pub is_child: bool,
    pub specialty: Specialty,
    pub return_guarantee: bool,
    /// Cleared companions, in id order.
    pub companions: Vec<PersonId>,
    /// Companions still waiting for clearance.
    pub companions_not_cleared: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateReturnee {
    pub id: PersonId,
    pub registered_on: Date,
    pub is_child: bool,
}

/// Free beds of one specialty at one open facility on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeBeds {
    pub facility: FacilityId,
    pub specialty: Specialty,
    pub free: u32,
    pub requires_return_guarantee: bool,
}

impl Store {
    pub async fn planning_inputs(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
    ) -> Result<PlanningInputs, StoreError> {
        let mut connection = self.pool.acquire().await?;
        let day = day_limits(&mut connection, crossing, on, direction).await?;
        let confirmed = manifest_exists(&mut connection, crossing, on, direction).await?;
        let mut inputs = PlanningInputs {
            crossing: crossing.clone(),
            date: on,
            direction,
            quota: day.quota,
            closed_reason: day.closed_reason,
            rules: day.rules,
            cap: day.cap,
            confirmed,
            patients: Vec::new(),
            returnees: Vec::new(),
            beds: Vec::new(),
            next_free_bed: Vec::new(),
            overrides: Vec::new(),
        };
        match direction {
            Direction::Outbound => {
                inputs.patients = cleared_patients(&mut connection, on).await?;
                drop(connection);
                inputs.beds = self
                    .bed_board(on)
                    .await?
                    .into_iter()
                    .filter(|line| line.free() > 0)
                    .map(|line| FreeBeds {
                        free: line.free(),
                        facility: line.facility,
                        specialty: line.specialty,
                        requires_return_guarantee: line.requires_return_guarantee,
                    })
                    .collect();
                inputs.next_free_bed = self.next_free_beds(on).await?;
            }
            Direction::Inbound => {
                inputs.returnees = cleared_returnees(&mut connection, on).await?;
                drop(connection);
            }
        }
        inputs.overrides = self.plan_overrides(crossing, on, direction).await?;
        Ok(inputs)
    }
}

async fn cleared_patients(
    connection: &mut sqlx::AnyConnection,
    on: Date,
) -> Result<Vec<CandidatePatient>, StoreError> {
    let mut companions: HashMap<String, (Vec<PersonId>, u32)> = HashMap::new();
    for row in sqlx::query(
        "SELECT c.id, c.companion_of, c.status FROM persons c JOIN persons p ON p.id = c.companion_of \
         WHERE c.role = $1 AND p.role = $2 AND p.status = $3 ORDER BY c.id",
    )
    .bind(Role::Companion.as_str())
    .bind(Role::Patient.as_str())
    .bind(Status::Cleared.as_str())
    .fetch_all(&mut *connection)
    .await?
    {
        let id: String = row.try_get("id")?;
        let invalid = StoreError::from_invalid("persons", &id);
        let status = Status::parse(&row.try_get::<String, _>("status")?).map_err(&invalid)?;
        let entry = companions
            .entry(row.try_get("companion_of")?)
            .or_default();
        if status == Status::Cleared {
            entry.0.push(PersonId::parse(&id).map_err(&invalid)?);
        } else if status.is_waiting() {
            entry.1 += 1;
        }
    }
    let mut patients = Vec::new();
    for row in sqlx::query(
        "SELECT id, tier, referral_date, birth_year, specialty, return_guarantee FROM persons \
         WHERE role = $1 AND status = $2",
    )
    .bind(Role::Patient.as_str())
    .bind(Status::Cleared.as_str())
    .fetch_all(&mut *connection)
    .await?
    {
        let id: String = row.try_get("id")?;
        let invalid = StoreError::from_invalid("persons", &id);
        let (cleared, not_cleared) = companions.remove(&id).unwrap_or_default();
        patients.push(CandidatePatient {
            tier: Tier::parse(&row.try_get::<String, _>("tier")?).map_err(&invalid)?,
            referral_date: date("persons", &id, &row.try_get::<String, _>("referral_date")?)?,
            is_child: birth_year(&row, &id)?.is_child_on(on),
            specialty: Specialty::parse(&row.try_get::<String, _>("specialty")?)
                .map_err(&invalid)?,
            return_guarantee: row
                .try_get::<Option<i64>, _>("return_guarantee")?
                .unwrap_or(0)
                != 0,
            companions: cleared,
            companions_not_cleared: not_cleared,
            id: PersonId::parse(&id).map_err(&invalid)?,
        });
    }
    Ok(patients)
}

async fn cleared_returnees(
    connection: &mut sqlx::AnyConnection,
    on: Date,
) -> Result<Vec<CandidateReturnee>, StoreError> {
    let mut returnees = Vec::new();
    for row in sqlx::query(
        "SELECT id, birth_year, registered_at FROM persons WHERE role = $1 AND status = $2",
    )
    .bind(Role::Returnee.as_str())
    .bind(Status::Cleared.as_str())
    .fetch_all(&mut *connection)
    .await?
    {
        let id: String = row.try_get("id")?;
        let registered_at = timestamp("persons", &id, row.try_get("registered_at")?)?;
        returnees.push(CandidateReturnee {
            registered_on: jiff::tz::Offset::UTC.to_datetime(registered_at).date(),
            is_child: birth_year(&row, &id)?.is_child_on(on),
            id: PersonId::parse(&id).map_err(StoreError::from_invalid("persons", &id))?,
        });
    }
    Ok(returnees)
}
