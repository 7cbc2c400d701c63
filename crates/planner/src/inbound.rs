//! The inbound day: first registered, first served.

use std::collections::{HashMap, HashSet};

use crate::model::{
    DayPlan, InboundDay, LeftOut, LeftOutReason, OverrideList, Pick, PlanError, Returnee,
};
use crate::policy::INBOUND_POLICY_TEXT;

/// Plans the inbound day by [`INBOUND_POLICY_TEXT`]: the coordinator's
/// inclusions first, then returnees in order of registration (children first
/// among those registered on the same day, then by id), one place each,
/// while places are left. Returnees carry no value, so the objective is 0.
pub fn plan_inbound(day: &InboundDay) -> Result<DayPlan, PlanError> {
    let mut position: HashMap<_, usize> = HashMap::with_capacity(day.candidates.len());
    for (index, returnee) in day.candidates.iter().enumerate() {
        if position.insert(&returnee.person, index).is_some() {
            return Err(PlanError::Duplicate {
                person: returnee.person.clone(),
            });
        }
    }
    let mut excluded = HashMap::new();
    for (person, reason) in &day.overrides.exclude {
        if !position.contains_key(person) {
            return Err(PlanError::NotACandidate {
                person: person.clone(),
                list: OverrideList::Exclude,
            });
        }
        if excluded.insert(person, reason.as_str()).is_some() {
            return Err(PlanError::NamedTwice {
                person: person.clone(),
                list: OverrideList::Exclude,
            });
        }
    }
    let mut included = HashSet::new();
    let mut picks = Vec::new();
    for (person, reason) in &day.overrides.include {
        let Some(&index) = position.get(person) else {
            return Err(PlanError::NotACandidate {
                person: person.clone(),
                list: OverrideList::Include,
            });
        };
        if excluded.contains_key(person) {
            return Err(PlanError::IncludedAndExcluded {
                person: person.clone(),
            });
        }
        if !included.insert(person) {
            return Err(PlanError::NamedTwice {
                person: person.clone(),
                list: OverrideList::Include,
            });
        }
        if picks.len() as u32 >= day.quota {
            return Err(PlanError::DoesNotFit {
                person: person.clone(),
                why: LeftOutReason::QuotaFull { needed: 1, left: 0 },
            });
        }
        picks.push(pick(
            &day.candidates[index],
            Some(format!("included by the coordinator: {reason}; ")),
        ));
    }

    let mut queue: Vec<&Returnee> = day
        .candidates
        .iter()
        .filter(|returnee| !included.contains(&returnee.person))
        .collect();
    queue.sort_by(|a, b| {
        a.registered_on
            .cmp(&b.registered_on)
            .then(b.is_child.cmp(&a.is_child))
            .then(a.person.cmp(&b.person))
    });
    let mut left_out = Vec::new();
    for returnee in queue {
        if let Some(reason) = excluded.get(&returnee.person) {
            left_out.push(LeftOut {
                person: returnee.person.clone(),
                reason: LeftOutReason::RemovedByCoordinator((*reason).to_string()),
            });
        } else if (picks.len() as u32) < day.quota {
            picks.push(pick(returnee, None));
        } else {
            left_out.push(LeftOut {
                person: returnee.person.clone(),
                reason: LeftOutReason::QuotaFull { needed: 1, left: 0 },
            });
        }
    }
    let places_used = picks.len() as u32;
    Ok(DayPlan {
        picks,
        left_out,
        places_available: day.quota,
        places_used,
        objective: 0,
        notes: vec![format!("method: {INBOUND_POLICY_TEXT}")],
    })
}

fn pick(returnee: &Returnee, prefix: Option<String>) -> Pick {
    let mut reason = prefix.unwrap_or_default();
    reason.push_str(&format!("registered on {}", returnee.registered_on));
    if returnee.is_child {
        reason.push_str(", child");
    }
    Pick {
        person: returnee.person.clone(),
        companions: Vec::new(),
        facility: None,
        value: 0,
        reason,
    }
}
