//! Scenarios built from a few numbers instead of a file: the "quick"
//! scenario of `corridor forecast --backlog … --capacity …` and of the web
//! forecast page, and a file scenario whose backlog is replaced by the
//! registry's (`--from-registry`, the situation report, the dashboard).

use jiff::civil::Date;
use thiserror::Error;

use crate::{
    CapacitySegment, Clearance, CompanionDistribution, HorizonDays, OperatingWeekdays, Places,
    Probability, Rate, Scenario, Tier, TierName, Turnout, ValueError,
};

/// The scenario shipped with corridor, calibrated to public reporting of
/// early 2026 (`scenarios/calibrated.toml`): the assumptions (referrals,
/// mortality, companions, clearance) a forecast from the registry uses
/// unless told otherwise.
pub const CALIBRATED_SCENARIO: &str = include_str!("../../../scenarios/calibrated.toml");

/// One tier of a quick scenario, highest priority first.
#[derive(Debug, Clone, PartialEq)]
pub struct QuickTier {
    pub name: String,
    /// People of this tier waiting on day 0.
    pub backlog: u64,
    /// Mean new referrals a day (Poisson).
    pub referrals_per_day: f64,
    /// Chance of dying within a year of waiting.
    pub annual_mortality: f64,
}

/// A scenario from a few numbers: one capacity from the start on, no
/// closures, clearance as [`Clearance::default`], and the same share of
/// children in every tier, in the backlog and among new referrals.
#[derive(Debug, Clone, PartialEq)]
pub struct QuickScenario {
    pub start: Date,
    pub horizon_days: u32,
    pub tiers: Vec<QuickTier>,
    /// Places a day (patients and companions) on each operating weekday.
    pub places_per_day: u32,
    pub weekdays: OperatingWeekdays,
    pub companions: CompanionDistribution,
    /// Share of patients who are children, 0 to 1.
    pub child_share: f64,
    /// Chance that a party given places does not come, 0 to 1.
    pub no_show: f64,
    /// Chance that a freed place is taken from standby, 0 to 1.
    pub standby_fill: f64,
}

/// Which number of a quick scenario is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuickField {
    /// The list of tiers is empty.
    Tiers,
    TierName(String),
    Backlog(String),
    Referrals(String),
    AnnualMortality(String),
    HorizonDays,
    ChildShare,
    NoShow,
    StandbyFill,
}

/// A quick scenario's number that cannot be simulated, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct QuickError {
    pub field: QuickField,
    pub message: String,
}

impl QuickScenario {
    /// The validated scenario, or the first wrong number.
    pub fn build(&self) -> Result<Scenario, QuickError> {
        let wrong = |field: QuickField| {
            move |error: ValueError| QuickError {
                field,
                message: error.0,
            }
        };
        if self.tiers.is_empty() {
            return Err(QuickError {
                field: QuickField::Tiers,
                message: "the backlog names no tier; give at least one".to_owned(),
            });
        }
        let child_share =
            Probability::new(self.child_share).map_err(wrong(QuickField::ChildShare))?;
        let tiers = self
            .tiers
            .iter()
            .map(|tier| {
                let name = &tier.name;
                let mortality = Probability::new(tier.annual_mortality)
                    .map_err(wrong(QuickField::AnnualMortality(name.clone())))?;
                let backlog = u32::try_from(tier.backlog).map_err(|_| QuickError {
                    field: QuickField::Backlog(name.clone()),
                    message: format!("{} is too many people", tier.backlog),
                })?;
                Ok(Tier {
                    name: TierName::parse(name)
                        .map_err(wrong(QuickField::TierName(name.clone())))?,
                    backlog,
                    backlog_children: (f64::from(backlog) * child_share.get()).round() as u32,
                    backlog_referred_over_days: 0,
                    referrals_per_day: Rate::new(tier.referrals_per_day)
                        .map_err(wrong(QuickField::Referrals(name.clone())))?,
                    child_fraction: child_share,
                    daily_death_hazard: Rate::hazard_from_annual_mortality(mortality)
                        .map_err(wrong(QuickField::AnnualMortality(name.clone())))?,
                    weight: Rate::ONE,
                    companions: self.companions.clone(),
                    child_companions: self.companions.clone(),
                })
            })
            .collect::<Result<Vec<_>, QuickError>>()?;
        Ok(Scenario {
            name: format!("{} places a day", self.places_per_day),
            start: self.start,
            horizon_days: HorizonDays::new(self.horizon_days)
                .map_err(wrong(QuickField::HorizonDays))?,
            tiers,
            capacity: vec![CapacitySegment {
                from: self.start,
                places: Places::PerDay(self.places_per_day),
                weekdays: self.weekdays,
            }],
            closures: Vec::new(),
            referral_schedule: Vec::new(),
            clearance: Clearance::default(),
            turnout: Turnout {
                no_show: Probability::new(self.no_show).map_err(wrong(QuickField::NoShow))?,
                standby_fill: Probability::new(self.standby_fill)
                    .map_err(wrong(QuickField::StandbyFill))?,
            },
        })
    }
}

/// A weekday by its English name or three-letter abbreviation, any case.
pub fn parse_weekday(name: &str) -> Result<jiff::civil::Weekday, ValueError> {
    use jiff::civil::Weekday;
    Ok(match name.trim().to_ascii_lowercase().as_str() {
        "mon" | "monday" => Weekday::Monday,
        "tue" | "tuesday" => Weekday::Tuesday,
        "wed" | "wednesday" => Weekday::Wednesday,
        "thu" | "thursday" => Weekday::Thursday,
        "fri" | "friday" => Weekday::Friday,
        "sat" | "saturday" => Weekday::Saturday,
        "sun" | "sunday" => Weekday::Sunday,
        _ => {
            return Err(ValueError(format!(
                "{name:?} is not a weekday; use Mon, Tue, Wed, Thu, Fri, Sat, Sun"
            )));
        }
    })
}

/// Why the registry's backlog does not fit a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BacklogError {
    #[error(
        "the registry has tier {tier:?}, which scenario {scenario:?} does not define (it has {known}); \
         add the tier to the scenario file"
    )]
    UnknownTier {
        tier: String,
        scenario: String,
        known: String,
    },
    #[error("registry tier {tier}: {count} is too many")]
    TooMany { tier: String, count: u64 },
}

/// Replaces each tier's backlog by the registry's count (children in the
/// same proportion as the scenario's). Tiers the scenario does not know are
/// an error; tiers the registry does not report have nobody waiting.
pub fn apply_registry_backlog(
    scenario: &mut Scenario,
    registry: &[(String, u64)],
) -> Result<(), BacklogError> {
    for (name, _) in registry {
        if !scenario.tiers.iter().any(|tier| tier.name.as_str() == name) {
            let known: Vec<&str> = scenario
                .tiers
                .iter()
                .map(|tier| tier.name.as_str())
                .collect();
            return Err(BacklogError::UnknownTier {
                tier: name.clone(),
                scenario: scenario.name.clone(),
                known: known.join(", "),
            });
        }
    }
    for tier in &mut scenario.tiers {
        let count = registry
            .iter()
            .find(|(name, _)| name == tier.name.as_str())
            .map_or(0, |(_, count)| *count);
        let count = u32::try_from(count).map_err(|_| BacklogError::TooMany {
            tier: tier.name.to_string(),
            count,
        })?;
        let share = if tier.backlog == 0 {
            0.0
        } else {
            f64::from(tier.backlog_children) / f64::from(tier.backlog)
        };
        tier.backlog = count;
        tier.backlog_children = (f64::from(count) * share).round().min(f64::from(count)) as u32;
    }
    Ok(())
}

/// The calibrated scenario's first scenario: the template of forecasts from
/// the registry.
pub fn calibrated_template() -> Result<Scenario, crate::ScenarioError> {
    let file = crate::parse_scenario_file(CALIBRATED_SCENARIO)?;
    file.scenarios
        .into_iter()
        .next()
        .ok_or_else(|| crate::ScenarioError::Syntax("the calibrated scenario is empty".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> QuickScenario {
        QuickScenario {
            start: jiff::civil::date(2026, 2, 2),
            horizon_days: 30,
            tiers: vec![QuickTier {
                name: "critical".into(),
                backlog: 10,
                referrals_per_day: 0.5,
                annual_mortality: 0.3,
            }],
            places_per_day: 5,
            weekdays: OperatingWeekdays::EVERY_DAY,
            companions: CompanionDistribution::exactly(0).unwrap(),
            child_share: 0.0,
            no_show: 0.0,
            standby_fill: 0.0,
        }
    }

    #[test]
    fn a_quick_scenario_names_the_wrong_number() {
        let mut scenario = quick();
        assert!(scenario.build().is_ok());
        scenario.tiers[0].referrals_per_day = -1.0;
        let error = scenario.build().unwrap_err();
        assert_eq!(error.field, QuickField::Referrals("critical".into()));
        scenario.tiers[0].referrals_per_day = 1.0;
        scenario.horizon_days = 0;
        assert_eq!(scenario.build().unwrap_err().field, QuickField::HorizonDays);
        scenario.horizon_days = 30;
        scenario.no_show = 1.5;
        assert_eq!(scenario.build().unwrap_err().field, QuickField::NoShow);
        scenario.no_show = 0.2;
        scenario.standby_fill = -0.1;
        assert_eq!(scenario.build().unwrap_err().field, QuickField::StandbyFill);
        scenario.standby_fill = 0.5;
        assert_eq!(scenario.build().unwrap().turnout.no_show.get(), 0.2);
    }

    #[test]
    fn the_share_of_children_fills_the_backlog_and_the_referrals() {
        let mut scenario = quick();
        scenario.child_share = 0.3;
        let built = scenario.build().unwrap();
        assert_eq!(built.tiers[0].backlog_children, 3);
        assert_eq!(built.tiers[0].child_fraction.get(), 0.3);
        scenario.child_share = 1.5;
        assert_eq!(scenario.build().unwrap_err().field, QuickField::ChildShare);
    }

    #[test]
    fn policies_that_cannot_differ_are_named_with_why() {
        use crate::{PolicySpec as P, policies_that_cannot_differ};
        let mut scenario = quick();
        scenario.tiers.push(QuickTier {
            name: "routine".into(),
            backlog: 10,
            referrals_per_day: 0.0,
            annual_mortality: 0.0,
        });
        let without_children = policies_that_cannot_differ(&scenario.build().unwrap(), &P::ALL);
        assert_eq!(without_children.len(), 1);
        assert_eq!(
            without_children[0].policies,
            vec![P::StrictPriority, P::ChildrenFirst]
        );
        assert!(without_children[0].reason.contains("no patient is a child"));

        scenario.child_share = 0.2;
        assert!(policies_that_cannot_differ(&scenario.build().unwrap(), &P::ALL).is_empty());

        // One tier with anyone: every policy keeps referral order, except
        // children-first while there are children.
        scenario.tiers[1].backlog = 0;
        let one_tier = policies_that_cannot_differ(&scenario.build().unwrap(), &P::ALL);
        assert_eq!(
            one_tier[0].policies,
            vec![P::StrictPriority, P::FirstComeFirstServed, P::Weighted]
        );
        assert!(one_tier[0].reason.contains("at most one tier"));
    }

    #[test]
    fn the_calibrated_scenario_takes_the_registry_backlog() {
        let mut scenario = calibrated_template().unwrap();
        apply_registry_backlog(&mut scenario, &[("critical".into(), 44)]).unwrap();
        assert_eq!(scenario.tiers[0].backlog, 44);
        assert_eq!(scenario.tiers[0].backlog_children, 10);
        assert_eq!(scenario.tiers[1].backlog, 0);
        assert!(apply_registry_backlog(&mut scenario, &[("other".into(), 1)]).is_err());
    }
}
