//! Who leaves first: the selection policies.
//!
//! A policy is a total order on the cleared people waiting on a given day.
//! The engine keeps people in small queues ("lanes") of one tier, one child
//! flag and one party size, each ordered by referral sequence, and on each
//! day repeatedly takes the best lane head that still fits in the day's
//! remaining places. That is exact for any policy that honours the contract
//! of [`Policy::compare`], which is what makes a new policy a small, separate
//! piece of code: implement the trait and add a variant to [`PolicySpec`].

use std::cmp::Ordering;
use std::fmt;

use crate::Scenario;
use crate::error::ValueError;

/// What a policy may look at when ordering two waiting people.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// Tier index, 0 = highest priority.
    pub tier: usize,
    pub is_child: bool,
    /// Day of referral (negative for the backlog, referred before day 0).
    pub referral_day: i64,
    /// Referral order, unique; earlier referral days have smaller numbers.
    pub sequence: u32,
    /// Places the party takes: the patient plus companions.
    pub places: u32,
    /// The tier's weight (see [`crate::Tier::weight`]).
    pub weight: f64,
}

/// A selection policy.
pub trait Policy: Sync {
    /// A short, stable name ("strict-priority").
    fn name(&self) -> &str;

    /// `Less` if `a` should leave before `b` on day `day`.
    ///
    /// Contract: a total order in which, for two people of the same tier
    /// and child flag, the one with the smaller `sequence` comes first. The
    /// engine relies on it to keep each lane in referral order.
    fn compare(&self, a: &Candidate, b: &Candidate, day: i64) -> Ordering;
}

/// Strict priority by tier, then longest wait.
#[derive(Debug, Clone, Copy, Default)]
pub struct StrictPriority;

impl Policy for StrictPriority {
    fn name(&self) -> &str {
        "strict-priority"
    }

    fn compare(&self, a: &Candidate, b: &Candidate, _day: i64) -> Ordering {
        a.tier.cmp(&b.tier).then(a.sequence.cmp(&b.sequence))
    }
}

/// First come, first served, whatever the tier.
#[derive(Debug, Clone, Copy, Default)]
pub struct FirstComeFirstServed;

impl Policy for FirstComeFirstServed {
    fn name(&self) -> &str {
        "first-come-first-served"
    }

    fn compare(&self, a: &Candidate, b: &Candidate, _day: i64) -> Ordering {
        a.sequence.cmp(&b.sequence)
    }
}

/// Highest tier weight × days waited first (days counted from referral,
/// plus one so that a referral of the day still has its weight); ties by
/// tier, then referral order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Weighted;

impl Weighted {
    fn score(candidate: &Candidate, day: i64) -> f64 {
        candidate.weight * (day - candidate.referral_day + 1) as f64
    }
}

impl Policy for Weighted {
    fn name(&self) -> &str {
        "weighted"
    }

    fn compare(&self, a: &Candidate, b: &Candidate, day: i64) -> Ordering {
        Weighted::score(b, day)
            .total_cmp(&Weighted::score(a, day))
            .then(a.tier.cmp(&b.tier))
            .then(a.sequence.cmp(&b.sequence))
    }
}

/// Strict priority by tier; within a tier children first; then longest wait.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChildrenFirst;

impl Policy for ChildrenFirst {
    fn name(&self) -> &str {
        "children-first"
    }

    fn compare(&self, a: &Candidate, b: &Candidate, _day: i64) -> Ordering {
        a.tier
            .cmp(&b.tier)
            .then(b.is_child.cmp(&a.is_child))
            .then(a.sequence.cmp(&b.sequence))
    }
}

/// The policies a scenario file or a command line can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicySpec {
    StrictPriority,
    FirstComeFirstServed,
    Weighted,
    ChildrenFirst,
}

impl PolicySpec {
    pub const ALL: [PolicySpec; 4] = [
        PolicySpec::StrictPriority,
        PolicySpec::FirstComeFirstServed,
        PolicySpec::Weighted,
        PolicySpec::ChildrenFirst,
    ];

    pub fn parse(name: &str) -> Result<Self, ValueError> {
        PolicySpec::ALL
            .into_iter()
            .find(|spec| spec.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = PolicySpec::ALL.iter().map(|spec| spec.name()).collect();
                ValueError(format!(
                    "{name:?} is not a policy; use one of {}",
                    known.join(", ")
                ))
            })
    }

    pub fn name(self) -> &'static str {
        match self {
            PolicySpec::StrictPriority => "strict-priority",
            PolicySpec::FirstComeFirstServed => "first-come-first-served",
            PolicySpec::Weighted => "weighted",
            PolicySpec::ChildrenFirst => "children-first",
        }
    }

    pub fn policy(self) -> &'static dyn Policy {
        match self {
            PolicySpec::StrictPriority => &StrictPriority,
            PolicySpec::FirstComeFirstServed => &FirstComeFirstServed,
            PolicySpec::Weighted => &Weighted,
            PolicySpec::ChildrenFirst => &ChildrenFirst,
        }
    }
}

/// Policies that order everyone the same way in a scenario, so that their
/// forecasts are the same, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamePolicies {
    pub policies: Vec<PolicySpec>,
    pub reason: &'static str,
}

/// The groups of `policies` that cannot differ in `scenario`: with nobody
/// who is a child, children-first is strict priority; with at most one tier
/// that anyone is in, every policy keeps referral order (one tier, one
/// weight, and the referral sequence follows the referral day).
pub fn policies_that_cannot_differ(
    scenario: &Scenario,
    policies: &[PolicySpec],
) -> Vec<SamePolicies> {
    let no_children = scenario
        .tiers
        .iter()
        .all(|tier| tier.backlog_children == 0 && tier.child_fraction.get() == 0.0);
    let tiers_with_anyone = scenario
        .tiers
        .iter()
        .filter(|tier| tier.backlog > 0 || tier.referrals_per_day.get() > 0.0)
        .count();
    let one_tier = tiers_with_anyone <= 1;
    // What each policy amounts to here; policies that amount to the same
    // one give the same forecast.
    let amounts_to = |policy: PolicySpec| match policy {
        PolicySpec::ChildrenFirst if !no_children => PolicySpec::ChildrenFirst,
        _ if one_tier => PolicySpec::StrictPriority,
        PolicySpec::ChildrenFirst => PolicySpec::StrictPriority,
        other => other,
    };
    let mut groups: Vec<(PolicySpec, Vec<PolicySpec>)> = Vec::new();
    for &policy in policies {
        let key = amounts_to(policy);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) if !members.contains(&policy) => members.push(policy),
            Some(_) => {}
            None => groups.push((key, vec![policy])),
        }
    }
    groups
        .into_iter()
        .filter(|(_, members)| members.len() > 1)
        .map(|(_, policies)| SamePolicies {
            policies,
            reason: if one_tier {
                "at most one tier has anyone waiting or referred, so every policy takes people in the order they were referred"
            } else {
                "no patient is a child (the share of children is 0), so children-first is strict priority"
            },
        })
        .collect()
}

impl fmt::Display for PolicySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
