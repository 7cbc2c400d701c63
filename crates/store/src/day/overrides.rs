//! A coordinator's overrides of a day's plan: who must be on it and who
//! must stay off.

use corridor_domain::{CrossingId, Direction, FacilityId, PersonId, Text};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use super::manifest::manifest_exists;
use super::rules::require_crossing;
use crate::audit::NewAuditEntry;
use crate::codec::micros;
use crate::{DayRule, Store, StoreError, Thing};

/// Whether an override puts someone on a plan or keeps them off it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideKind {
    Include,
    Exclude,
}

impl OverrideKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideKind::Include => "include",
            OverrideKind::Exclude => "exclude",
        }
    }

    fn parse(text: &str) -> Result<OverrideKind, String> {
        match text {
            "include" => Ok(OverrideKind::Include),
            "exclude" => Ok(OverrideKind::Exclude),
            other => Err(format!("override kind '{other}'")),
        }
    }
}

/// An override to record for one person on a day's plan (crossing, date,
/// direction): `kind: None` withdraws the one they have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideChange {
    pub crossing: CrossingId,
    pub date: Date,
    pub direction: Direction,
    pub person: PersonId,
    pub kind: Option<OverrideKind>,
    pub reason: Text,
    /// The receiving facility chosen for a patient put on the plan.
    pub facility: Option<FacilityId>,
}

/// A coordinator's decision to put someone on a day's plan or keep them off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOverride {
    pub person: PersonId,
    pub kind: OverrideKind,
    pub reason: String,
    /// The receiving facility chosen for a patient put on the plan.
    pub facility: Option<FacilityId>,
}

impl Store {
    pub async fn plan_overrides(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
    ) -> Result<Vec<PlanOverride>, StoreError> {
        let mut overrides = Vec::new();
        for row in sqlx::query(
            "SELECT person_id, kind, reason, facility FROM plan_overrides \
             WHERE crossing = $1 AND date = $2 AND direction = $3 ORDER BY at, person_id",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .fetch_all(&self.pool)
        .await?
        {
            let person: String = row.try_get("person_id")?;
            let invalid = StoreError::from_invalid("plan_overrides", &person);
            overrides.push(PlanOverride {
                person: PersonId::parse(&person).map_err(&invalid)?,
                kind: OverrideKind::parse(&row.try_get::<String, _>("kind")?)
                    .map_err(|problem| StoreError::corrupt("plan_overrides", &person, problem))?,
                reason: row.try_get("reason")?,
                facility: row
                    .try_get::<Option<String>, _>("facility")?
                    .map(|facility| FacilityId::parse(&facility))
                    .transpose()
                    .map_err(&invalid)?,
            });
        }
        Ok(overrides)
    }

    /// Records a coordinator's override for a day's plan (replacing an
    /// earlier one for the same person), or withdraws it with `kind: None`.
    pub async fn set_plan_override(
        &self,
        change: &OverrideChange,
        at: Timestamp,
        actor: &str,
    ) -> Result<(), StoreError> {
        let crossing = &change.crossing;
        let on = change.date;
        let direction = change.direction;
        let person = &change.person;
        let kind = change.kind;
        let reason = &change.reason;
        let mut transaction = self.write().await?;
        require_crossing(&mut transaction, crossing).await?;
        if manifest_exists(&mut transaction, crossing, on, direction).await? {
            return Err(StoreError::AlreadyConfirmed {
                crossing: crossing.to_string(),
                on,
                direction,
            });
        }
        let role: Option<String> = sqlx::query("SELECT role FROM persons WHERE id = $1")
            .bind(person.as_str().to_string())
            .fetch_optional(&mut **transaction)
            .await?
            .map(|row| row.try_get("role"))
            .transpose()?;
        match role.as_deref() {
            None => return Err(StoreError::not_found(Thing::Person, person)),
            Some("companion") => {
                return Err(StoreError::day_rule(
                    DayRule::Party,
                    format!(
                        "{person} is a companion and travels with their patient; add or remove the patient"
                    ),
                ));
            }
            Some(_) => {}
        }
        sqlx::query(
            "DELETE FROM plan_overrides WHERE crossing = $1 AND date = $2 AND direction = $3 \
             AND person_id = $4",
        )
        .bind(crossing.as_str().to_string())
        .bind(on.to_string())
        .bind(direction.as_str())
        .bind(person.as_str().to_string())
        .execute(&mut **transaction)
        .await?;
        if let Some(kind) = kind {
            sqlx::query(
                "INSERT INTO plan_overrides (crossing, date, direction, person_id, kind, reason, at, actor, facility) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(crossing.as_str().to_string())
            .bind(on.to_string())
            .bind(direction.as_str())
            .bind(person.as_str().to_string())
            .bind(kind.as_str())
            .bind(reason.as_str().to_string())
            .bind(micros(at))
            .bind(actor.to_string())
            .bind(change.facility.as_ref().map(|f| f.as_str().to_string()))
            .execute(&mut **transaction)
            .await
            .map_err(|error| {
                StoreError::from(error).on_violation("plan_overrides_pkey", || {
                    StoreError::ChangedMeanwhile(format!(
                        "the override of {person} on the {direction} plan of {crossing} on {on}"
                    ))
                })
            })?;
        }
        transaction
            .commit(&NewAuditEntry {
                at,
                actor: actor.to_string(),
                action: "plan.override".to_string(),
                subject: person.to_string(),
                detail: serde_json::json!({
                    "crossing": crossing.as_str(),
                    "date": on.to_string(),
                    "direction": direction.as_str(),
                    "kind": kind.map_or("withdrawn", OverrideKind::as_str),
                    "reason": reason.as_str(),
                    "facility": change.facility.as_ref().map(FacilityId::as_str),
                }),
            })
            .await?;
        Ok(())
    }
}
