//! Choosing who goes into a clearance batch: listed patients in the
//! planner's priority order (tier, then days waited), each with the
//! companions who travel with them, or returnees in registration order.
//!
//! The command line and the web application build batches the same way.

use corridor_domain::{
    CrossingId, Direction, PersonId, Quota, QuotaCategory, Specialty, Status, Tier,
};
use jiff::civil::Date;

use crate::people::{ListFilter, RoleFilter};
use crate::reference::read_quotas;
use crate::{DayRule, Store, StoreError, Thing};

/// What a batch is chosen from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchChoice {
    pub crossing: CrossingId,
    pub direction: Direction,
    /// Only these tiers (outbound); empty for all.
    pub tiers: Vec<Tier>,
    /// Only these specialties (outbound); empty for all.
    pub specialties: Vec<Specialty>,
    /// Also take people denied or delayed before (a new, linked attempt).
    pub resubmit: bool,
}

impl BatchChoice {
    /// The statuses a person may be submitted from.
    pub fn eligible(&self) -> Vec<Status> {
        eligible_statuses(self.resubmit)
    }
}

/// The statuses a person may be submitted from: listed, and with
/// `resubmit` also denied or delayed before.
pub fn eligible_statuses(resubmit: bool) -> Vec<Status> {
    if resubmit {
        vec![Status::Listed, Status::Denied, Status::Delayed]
    } else {
        vec![Status::Listed]
    }
}

impl Store {
    /// The places of `days` days of the crossing's quota in force on `on`.
    pub async fn places_for_days(
        &self,
        crossing: &CrossingId,
        direction: Direction,
        on: Date,
        days: u32,
    ) -> Result<u32, StoreError> {
        let quotas = read_quotas(&mut *self.pool.acquire().await?).await?;
        let category = QuotaCategory::of(direction);
        let quota = Quota::in_force(&quotas, crossing, direction, category, on)
            .ok_or_else(|| {
                StoreError::day_rule(
                    DayRule::Places,
                    format!(
                        "{crossing} has no {direction} quota in force on {on}; give a number of places instead"
                    ),
                )
            })?;
        Ok(quota.per_day.saturating_mul(days))
    }

    /// Patients (with their eligible companions) or returnees in the
    /// policy's priority order, until `places` are filled. A party that
    /// does not fit in the places left is passed over for a smaller one.
    pub async fn choose_by_priority(
        &self,
        choice: &BatchChoice,
        places: u32,
        today: Date,
    ) -> Result<Vec<PersonId>, StoreError> {
        if choice.direction == Direction::Inbound
            && !(choice.tiers.is_empty() && choice.specialties.is_empty())
        {
            return Err(StoreError::invalid(
                "tiers",
                "tiers and specialties select patients; returnees are taken in registration order",
            ));
        }
        const PAGE: u32 = 500;
        let eligible = choice.eligible();
        let mut people = Vec::new();
        let mut offset = 0;
        while (people.len() as u32) < places {
            let page = self
                .list(
                    &ListFilter {
                        role: match choice.direction {
                            Direction::Outbound => RoleFilter::Patients,
                            Direction::Inbound => RoleFilter::Returnees,
                        },
                        statuses: eligible.clone(),
                        tiers: choice.tiers.clone(),
                        specialties: choice.specialties.clone(),
                        limit: PAGE,
                        offset,
                        ..ListFilter::default()
                    },
                    today,
                )
                .await?;
            if page.rows.is_empty() {
                break;
            }
            offset += page.rows.len() as u64;
            for row in page.rows {
                let mut party = vec![row.id.clone()];
                if row.companions > 0 {
                    party.extend(self.eligible_companions(&row.id, &eligible).await?);
                }
                if people.len() + party.len() > places as usize {
                    continue;
                }
                people.extend(party);
                if people.len() as u32 == places {
                    break;
                }
            }
        }
        Ok(people)
    }

    /// Exactly these people, each patient followed by their companions who
    /// may be submitted; an unknown id is [`StoreError::NotFound`].
    pub async fn with_companions(
        &self,
        ids: &[PersonId],
        resubmit: bool,
    ) -> Result<Vec<PersonId>, StoreError> {
        let eligible = eligible_statuses(resubmit);
        let mut people = Vec::new();
        for id in ids {
            people.push(id.clone());
            people.extend(self.eligible_companions(id, &eligible).await?);
        }
        Ok(people)
    }

    async fn eligible_companions(
        &self,
        patient: &PersonId,
        eligible: &[Status],
    ) -> Result<Vec<PersonId>, StoreError> {
        let record = self
            .person(patient)
            .await?
            .ok_or_else(|| StoreError::not_found(Thing::Person, patient))?;
        let mut companions = Vec::new();
        for companion in &record.companions {
            if let Some(companion_record) = self.person(companion).await?
                && eligible.contains(&companion_record.line.status)
            {
                companions.push(companion.clone());
            }
        }
        Ok(companions)
    }
}
