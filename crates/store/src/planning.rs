//! From what the store knows of a crossing day to what the planner takes,
//! and from the planner's proposal to a manifest to confirm.
//!
//! These conversions live here, next to [`PlanningInputs`], so the command
//! line and the web application plan a day the same way.

use std::collections::HashMap;

use corridor_domain::{CrossingId, Direction, PersonId};
use corridor_planner::{
    BedPool, Candidate, DayPlan, InboundDay, LeftOut, Method, OutboundDay, Overrides, PlanError,
    Returnee, StandbyParty, plan_inbound, plan_outbound, standby_inbound, standby_outbound,
};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::day::{
    DraftParty, Manifest, ManifestDraft, OverrideChange, OverrideKind, PlanningInputs,
};
use crate::{DayRule, Store, StoreError};

impl PlanningInputs {
    /// The coordinator's overrides as the planner takes them.
    pub fn planner_overrides(&self) -> Overrides {
        let mut overrides = Overrides::default();
        for o in &self.overrides {
            let entry = (o.person.clone(), o.reason.clone());
            match o.kind {
                OverrideKind::Include => overrides.include.push(entry),
                OverrideKind::Exclude => overrides.exclude.push(entry),
            }
            if let (OverrideKind::Include, Some(facility)) = (o.kind, &o.facility) {
                overrides
                    .facilities
                    .push((o.person.clone(), facility.clone()));
            }
        }
        overrides
    }

    /// The planner's view of an outbound day.
    pub fn outbound_day(&self) -> OutboundDay {
        OutboundDay {
            rules: self.day_rules(),
            candidates: self
                .patients
                .iter()
                .map(|p| Candidate {
                    patient: p.id.clone(),
                    tier: p.tier,
                    referral_date: p.referral_date,
                    is_child: p.is_child,
                    specialty: p.specialty,
                    return_guarantee: p.return_guarantee,
                    companions: p.companions.clone(),
                    companions_not_cleared: p.companions_not_cleared,
                })
                .collect(),
            beds: self
                .beds
                .iter()
                .map(|b| BedPool {
                    facility: b.facility.clone(),
                    specialty: b.specialty,
                    free: b.free,
                    requires_return_guarantee: b.requires_return_guarantee,
                })
                .collect(),
            next_free_bed: self.next_free_bed.clone(),
            overrides: self.planner_overrides(),
        }
    }

    /// The planner's view of an inbound day.
    pub fn inbound_day(&self) -> InboundDay {
        InboundDay {
            date: self.date,
            quota: self.quota,
            candidates: self
                .returnees
                .iter()
                .map(|r| Returnee {
                    person: r.id.clone(),
                    registered_on: r.registered_on,
                    is_child: r.is_child,
                })
                .collect(),
            overrides: self.planner_overrides(),
        }
    }

    /// The proposed manifest of the day. Inbound days are first
    /// registered, first served, whatever the method.
    pub fn plan(&self, method: Method) -> Result<DayPlan, PlanError> {
        match self.direction {
            Direction::Outbound => plan_outbound(&self.outbound_day(), method),
            Direction::Inbound => plan_inbound(&self.inbound_day()),
        }
    }

    /// The cleared people a plan leaves out, the most valuable first: they
    /// are the ones a coordinator asks about.
    pub fn left_out_by_value<'p>(&self, plan: &'p DayPlan) -> Vec<&'p LeftOut> {
        let values: HashMap<&PersonId, u64> = self
            .patients
            .iter()
            .map(|p| {
                let days = corridor_planner::policy::days_waited(p.referral_date, self.date);
                (&p.id, corridor_planner::value(p.tier, days, p.is_child))
            })
            .collect();
        let mut left_out: Vec<&LeftOut> = plan.left_out.iter().collect();
        left_out.sort_by_key(|l| std::cmp::Reverse(values.get(&l.person).copied().unwrap_or(0)));
        left_out
    }

    /// The manifest to confirm for a plan of this day; `method` is recorded
    /// with it (e.g. "optimal").
    pub fn draft(&self, plan: &DayPlan, method: &str) -> ManifestDraft {
        ManifestDraft {
            crossing: self.crossing.clone(),
            date: self.date,
            direction: self.direction,
            method: method.to_string(),
            objective: plan.objective,
            notes: plan.notes.clone(),
            parties: plan
                .picks
                .iter()
                .map(|pick| DraftParty {
                    person: pick.person.clone(),
                    companions: pick.companions.clone(),
                    facility: pick.facility.clone(),
                    reason: pick.reason.clone(),
                })
                .collect(),
            standby: Vec::new(),
        }
    }

    /// The standby list of the day planned as `plan`: the parties the same
    /// rules pick next, in `size` places (people, companions included).
    pub fn standby(&self, plan: &DayPlan, size: u32) -> Result<Vec<StandbyParty>, PlanError> {
        match self.direction {
            Direction::Outbound => standby_outbound(&self.outbound_day(), plan, size),
            Direction::Inbound => standby_inbound(&self.inbound_day(), plan, size),
        }
    }
}

/// How a day's plan is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfirmOptions {
    pub method: Method,
    /// The people kept on standby; by default 30 % of the quota
    /// ([`corridor_domain::standby_size`]).
    pub standby: Option<u32>,
}

impl ConfirmOptions {
    /// Confirming with `method` and the default standby list.
    pub fn new(method: Method) -> ConfirmOptions {
        ConfirmOptions {
            method,
            standby: None,
        }
    }
}

/// The name a method is recorded under.
pub fn method_name(method: Method) -> &'static str {
    match method {
        Method::Optimal => "optimal",
        Method::Greedy => "greedy",
    }
}

/// The method named `text` (`optimal` or `greedy`).
pub fn parse_method(text: &str) -> Option<Method> {
    match text {
        "optimal" => Some(Method::Optimal),
        "greedy" => Some(Method::Greedy),
        _ => None,
    }
}

/// A day's plan after a coordinator's override, and what the override did
/// to it.
#[derive(Debug, Clone)]
pub struct OverrideOutcome {
    pub inputs: PlanningInputs,
    pub plan: DayPlan,
    /// The patients on the plan before the override who are not on it
    /// after, other than the person overridden, in the order they were
    /// picked: the people the override displaced.
    pub displaced: Vec<PersonId>,
}

/// The patients picked in `before` and not in `after`, other than `person`.
pub fn displaced_by(before: &DayPlan, after: &DayPlan, person: &PersonId) -> Vec<PersonId> {
    before
        .picks
        .iter()
        .map(|pick| &pick.person)
        .filter(|picked| *picked != person && !after.picks.iter().any(|p| p.person == **picked))
        .cloned()
        .collect()
}

impl Store {
    /// Records a coordinator's override and returns the day's plan with it,
    /// and whom it displaced (the optimal plan before compared with after).
    /// An override the planner cannot honour (e.g. someone who is not a
    /// cleared candidate) is withdrawn again, and the planner's reason is
    /// the error.
    pub async fn override_plan(
        &self,
        change: &OverrideChange,
        at: Timestamp,
        actor: &str,
    ) -> Result<OverrideOutcome, StoreError> {
        let before = self
            .planning_inputs(&change.crossing, change.date, change.direction)
            .await?
            .plan(Method::Optimal)
            .ok();
        self.set_plan_override(change, at, actor).await?;
        let inputs = self
            .planning_inputs(&change.crossing, change.date, change.direction)
            .await?;
        match inputs.plan(Method::Optimal) {
            Ok(plan) => Ok(OverrideOutcome {
                displaced: before
                    .map(|before| displaced_by(&before, &plan, &change.person))
                    .unwrap_or_default(),
                inputs,
                plan,
            }),
            Err(error) => {
                let withdrawn = OverrideChange {
                    kind: None,
                    facility: None,
                    ..change.clone()
                };
                self.set_plan_override(&withdrawn, at, actor).await?;
                Err(StoreError::day_rule(
                    DayRule::Plan,
                    format!("{error}; the override was not kept"),
                ))
            }
        }
    }

    /// Plans the day with `method` and confirms the plan as the day's
    /// manifest: everyone on it is scheduled and their beds are held, and
    /// the default standby list is kept.
    pub async fn confirm_plan(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
        method: Method,
        at: Timestamp,
        actor: &str,
    ) -> Result<(Manifest, DayPlan), StoreError> {
        self.confirm_plan_with(
            crossing,
            on,
            direction,
            &ConfirmOptions::new(method),
            at,
            actor,
        )
        .await
    }

    /// Confirms the day's plan as [`Store::confirm_plan`] does, with the
    /// standby size of `options`.
    pub async fn confirm_plan_with(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
        options: &ConfirmOptions,
        at: Timestamp,
        actor: &str,
    ) -> Result<(Manifest, DayPlan), StoreError> {
        match self
            .plan_and_confirm(crossing, on, direction, options, at, actor)
            .await
        {
            Ok(done) => Ok(done),
            Err(error) => Err(self
                .confirmation_refused(error, crossing, on, direction)
                .await),
        }
    }

    async fn plan_and_confirm(
        &self,
        crossing: &CrossingId,
        on: Date,
        direction: Direction,
        options: &ConfirmOptions,
        at: Timestamp,
        actor: &str,
    ) -> Result<(Manifest, DayPlan), StoreError> {
        let inputs = self.planning_inputs(crossing, on, direction).await?;
        if inputs.confirmed {
            return Err(StoreError::AlreadyConfirmed {
                crossing: crossing.to_string(),
                on,
                direction,
            });
        }
        if let Some(reason) = &inputs.closed_reason {
            return Err(StoreError::day_rule(
                DayRule::Plan,
                format!("no {direction} plan for {crossing} on {on}: {reason}"),
            ));
        }
        let method = options.method;
        let plan = inputs
            .plan(method)
            .map_err(|error| StoreError::day_rule(DayRule::Plan, error.to_string()))?;
        if plan.picks.is_empty() {
            let why = plan
                .notes
                .first()
                .cloned()
                .unwrap_or_else(|| "no cleared person can travel on this day".to_string());
            return Err(StoreError::day_rule(
                DayRule::Plan,
                format!("nothing to confirm: {why}"),
            ));
        }
        let size = options
            .standby
            .unwrap_or_else(|| corridor_domain::standby_size(inputs.quota));
        let mut draft = inputs.draft(&plan, method_name(method));
        draft.standby = inputs
            .standby(&plan, size)
            .map_err(|error| StoreError::day_rule(DayRule::Plan, error.to_string()))?;
        let manifest = self.write_manifest(&draft, at, actor).await?;
        Ok((manifest, plan))
    }
}
