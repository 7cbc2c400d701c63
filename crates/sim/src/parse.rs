//! The TOML scenario file, parsed into validated [`Scenario`]s.
//!
//! The file format is documented by the examples in `scenarios/` at the
//! root of the repository. In brief:
//!
//! ```toml
//! replications = 1000                 # optional defaults for the whole file
//! seed = 20260202
//! policies = ["strict-priority", "first-come-first-served"]
//!
//! [[scenario]]
//! name = "50 a day"
//! start = "2026-02-02"
//! horizon_days = 730
//! [[scenario.tier]]                   # one per tier, highest priority first
//! name = "critical"
//! backlog = 440
//! [[scenario.capacity]]
//! from = "2026-02-02"
//! per_day = 50                        # or per_week = 25
//!
//! [[scenario]]
//! name = "150 a day"
//! extends = "50 a day"                # copy an earlier scenario, then
//! [[scenario.capacity]]               # replace the keys given here
//! from = "2026-02-02"
//! per_day = 150
//! ```
//!
//! Errors name the key, e.g. `scenario["50 a day"].tier["critical"].companions`.

use jiff::civil::{Date, Weekday};
use serde::Deserialize;

use crate::error::{ScenarioError, ValueError};
use crate::forecast::Replications;
use crate::policy::PolicySpec;
use crate::scenario::{
    AfterFinalDenial, CapacitySegment, Clearance, Closure, CompanionDistribution, DayDistribution,
    HorizonDays, OperatingWeekdays, Places, Probability, Rate, ReferralFactor, Scenario, Tier,
    TierName, Turnout,
};

/// Everything a scenario file says.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioFile {
    pub scenarios: Vec<Scenario>,
    /// Policies to compare on every scenario (default: strict priority).
    pub policies: Vec<PolicySpec>,
    pub replications: Option<Replications>,
    pub seed: Option<u64>,
}

/// At most this many tiers (the engine stores a tier in a byte).
pub const MAX_TIERS: usize = 32;

/// Parses and validates a scenario file.
pub fn parse_scenario_file(text: &str) -> Result<ScenarioFile, ScenarioError> {
    let mut table: toml::Table =
        toml::from_str(text).map_err(|error| ScenarioError::Syntax(error.to_string()))?;
    let raw_scenarios = match table.remove("scenario") {
        Some(toml::Value::Array(items)) => items,
        Some(_) => {
            return Err(ScenarioError::invalid(
                "scenario",
                "must be an array of tables: write each scenario under a [[scenario]] header",
            ));
        }
        None => {
            return Err(ScenarioError::invalid(
                "scenario",
                "is missing; add at least one [[scenario]] section",
            ));
        }
    };
    let header: RawHeader =
        toml::Value::Table(table)
            .try_into()
            .map_err(|error: toml::de::Error| {
                ScenarioError::invalid("(top level)", error.message().to_owned())
            })?;

    let policies = match header.policies {
        None => vec![PolicySpec::StrictPriority],
        Some(names) if names.is_empty() => {
            return Err(ScenarioError::invalid(
                "policies",
                "is empty; name at least one policy",
            ));
        }
        Some(names) => names
            .iter()
            .enumerate()
            .map(|(index, name)| {
                PolicySpec::parse(name).map_err(|e| at(format!("policies[{index}]"), e))
            })
            .collect::<Result<_, _>>()?,
    };
    let replications = header
        .replications
        .map(|count| {
            let count = u32::try_from(count).unwrap_or(u32::MAX);
            Replications::new(count).map_err(|e| at("replications", e))
        })
        .transpose()?;

    let mut merged_tables: Vec<(String, toml::Table)> = Vec::new();
    let mut scenarios = Vec::new();
    for (index, raw) in raw_scenarios.into_iter().enumerate() {
        let toml::Value::Table(mut own) = raw else {
            return Err(ScenarioError::invalid(
                format!("scenario[{index}]"),
                "must be a table",
            ));
        };
        let name = match own.get("name") {
            Some(toml::Value::String(name)) => name.clone(),
            _ => {
                return Err(ScenarioError::invalid(
                    format!("scenario[{index}].name"),
                    "is missing or not a string; give every scenario a name",
                ));
            }
        };
        let key = format!("scenario[{name:?}]");
        if merged_tables.iter().any(|(existing, _)| *existing == name) {
            return Err(ScenarioError::invalid(
                format!("{key}.name"),
                "is used twice; give each scenario its own name",
            ));
        }
        let merged = match own.remove("extends") {
            None => own,
            Some(toml::Value::String(parent)) => {
                let Some((_, parent_table)) = merged_tables.iter().find(|(n, _)| *n == parent)
                else {
                    return Err(ScenarioError::invalid(
                        format!("{key}.extends"),
                        format!("names {parent:?}, which is not an earlier scenario of this file"),
                    ));
                };
                let mut merged = parent_table.clone();
                merged.extend(own);
                merged
            }
            Some(_) => {
                return Err(ScenarioError::invalid(
                    format!("{key}.extends"),
                    "must be a scenario name",
                ));
            }
        };
        let raw: RawScenario =
            toml::Value::Table(merged.clone())
                .try_into()
                .map_err(|error: toml::de::Error| {
                    ScenarioError::invalid(&key, error.message().to_owned())
                })?;
        scenarios.push(raw.validate(&key)?);
        merged_tables.push((name, merged));
    }
    Ok(ScenarioFile {
        scenarios,
        policies,
        replications,
        seed: header.seed,
    })
}

fn at(key: impl Into<String>, error: ValueError) -> ScenarioError {
    ScenarioError::invalid(key, error.0)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    replications: Option<i64>,
    seed: Option<u64>,
    policies: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    start: toml::Value,
    horizon_days: i64,
    #[serde(default)]
    tier: Vec<RawTier>,
    #[serde(default)]
    capacity: Vec<RawCapacity>,
    #[serde(default)]
    closure: Vec<RawClosure>,
    #[serde(default)]
    referrals: Vec<RawReferralFactor>,
    clearance: Option<RawClearance>,
    turnout: Option<RawTurnout>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    name: String,
    #[serde(default)]
    backlog: i64,
    backlog_children: Option<i64>,
    #[serde(default)]
    backlog_referred_over_days: i64,
    #[serde(default)]
    referrals_per_day: f64,
    #[serde(default)]
    child_fraction: f64,
    daily_death_hazard: Option<f64>,
    annual_mortality: Option<f64>,
    weight: Option<f64>,
    companions: Option<Vec<f64>>,
    child_companions: Option<Vec<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapacity {
    from: toml::Value,
    per_day: Option<i64>,
    per_week: Option<i64>,
    weekdays: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClosure {
    from: toml::Value,
    to: toml::Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReferralFactor {
    from: toml::Value,
    factor: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClearance {
    #[serde(default)]
    denial: f64,
    delay_days: Option<toml::Value>,
    #[serde(default)]
    resubmit: f64,
    resubmit_after_days: Option<toml::Value>,
    after_final_denial: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTurnout {
    #[serde(default)]
    no_show: f64,
    #[serde(default)]
    standby_fill: f64,
}

impl RawScenario {
    fn validate(self, key: &str) -> Result<Scenario, ScenarioError> {
        let start = date(&self.start, &format!("{key}.start"))?;
        let horizon_days =
            HorizonDays::new(count(self.horizon_days, &format!("{key}.horizon_days"))?)
                .map_err(|e| at(format!("{key}.horizon_days"), e))?;
        if self.tier.is_empty() {
            return Err(ScenarioError::invalid(
                format!("{key}.tier"),
                "is missing; add one [[scenario.tier]] per tier, highest priority first",
            ));
        }
        if self.tier.len() > MAX_TIERS {
            return Err(ScenarioError::invalid(
                format!("{key}.tier"),
                format!(
                    "has {} tiers; at most {MAX_TIERS} are supported",
                    self.tier.len()
                ),
            ));
        }
        let mut tiers: Vec<Tier> = Vec::with_capacity(self.tier.len());
        for raw in self.tier {
            let tier = raw.validate(key)?;
            if tiers.iter().any(|t| t.name == tier.name) {
                return Err(ScenarioError::invalid(
                    format!("{key}.tier[{:?}].name", tier.name.as_str()),
                    "is used twice; give each tier its own name",
                ));
            }
            tiers.push(tier);
        }
        if self.capacity.is_empty() {
            return Err(ScenarioError::invalid(
                format!("{key}.capacity"),
                "is missing; add a [[scenario.capacity]] with `from` and `per_day` or `per_week`",
            ));
        }
        let capacity = self
            .capacity
            .into_iter()
            .enumerate()
            .map(|(index, raw)| raw.validate(&format!("{key}.capacity[{index}]")))
            .collect::<Result<Vec<_>, _>>()?;
        for (index, pair) in capacity.windows(2).enumerate() {
            if pair[0].from >= pair[1].from {
                return Err(ScenarioError::invalid(
                    format!("{key}.capacity[{}].from", index + 1),
                    "is not after the previous segment's `from`; list segments in date order",
                ));
            }
        }
        let closures = self
            .closure
            .into_iter()
            .enumerate()
            .map(|(index, raw)| {
                let key = format!("{key}.closure[{index}]");
                let from = date(&raw.from, &format!("{key}.from"))?;
                let to = date(&raw.to, &format!("{key}.to"))?;
                if to < from {
                    return Err(ScenarioError::invalid(
                        format!("{key}.to"),
                        "is before `from`; give from <= to",
                    ));
                }
                Ok(Closure { from, to })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let referral_schedule = self
            .referrals
            .into_iter()
            .enumerate()
            .map(|(index, raw)| {
                let key = format!("{key}.referrals[{index}]");
                Ok(ReferralFactor {
                    from: date(&raw.from, &format!("{key}.from"))?,
                    factor: Rate::new(raw.factor).map_err(|e| at(format!("{key}.factor"), e))?,
                })
            })
            .collect::<Result<Vec<_>, ScenarioError>>()?;
        let clearance = match self.clearance {
            None => Clearance::default(),
            Some(raw) => raw.validate(&format!("{key}.clearance"))?,
        };
        let turnout = match self.turnout {
            None => Turnout::EVERYONE,
            Some(raw) => {
                let key = format!("{key}.turnout");
                Turnout {
                    no_show: Probability::new(raw.no_show)
                        .map_err(|e| at(format!("{key}.no_show"), e))?,
                    standby_fill: Probability::new(raw.standby_fill)
                        .map_err(|e| at(format!("{key}.standby_fill"), e))?,
                }
            }
        };
        Ok(Scenario {
            name: self.name,
            start,
            horizon_days,
            tiers,
            capacity,
            closures,
            referral_schedule,
            clearance,
            turnout,
        })
    }
}

impl RawTier {
    fn validate(self, scenario_key: &str) -> Result<Tier, ScenarioError> {
        let name =
            TierName::parse(&self.name).map_err(|e| at(format!("{scenario_key}.tier.name"), e))?;
        let key = format!("{scenario_key}.tier[{:?}]", name.as_str());
        let backlog = count(self.backlog, &format!("{key}.backlog"))?;
        let child_fraction = Probability::new(self.child_fraction)
            .map_err(|e| at(format!("{key}.child_fraction"), e))?;
        let backlog_children = match self.backlog_children {
            Some(children) => count(children, &format!("{key}.backlog_children"))?,
            None => (f64::from(backlog) * child_fraction.get()).round() as u32,
        };
        if backlog_children > backlog {
            return Err(ScenarioError::invalid(
                format!("{key}.backlog_children"),
                format!(
                    "is {backlog_children}, more than the backlog ({backlog}); give at most the backlog"
                ),
            ));
        }
        let backlog_referred_over_days = count(
            self.backlog_referred_over_days,
            &format!("{key}.backlog_referred_over_days"),
        )?;
        if backlog_referred_over_days > HorizonDays::MAX {
            return Err(ScenarioError::invalid(
                format!("{key}.backlog_referred_over_days"),
                format!(
                    "is {backlog_referred_over_days}; give at most {}",
                    HorizonDays::MAX
                ),
            ));
        }
        let daily_death_hazard = match (self.daily_death_hazard, self.annual_mortality) {
            (Some(_), Some(_)) => {
                return Err(ScenarioError::invalid(
                    format!("{key}.annual_mortality"),
                    "is given together with `daily_death_hazard`; give only one of them",
                ));
            }
            (Some(hazard), None) => {
                Rate::new(hazard).map_err(|e| at(format!("{key}.daily_death_hazard"), e))?
            }
            (None, Some(mortality)) => Probability::new(mortality)
                .and_then(Rate::hazard_from_annual_mortality)
                .map_err(|e| at(format!("{key}.annual_mortality"), e))?,
            (None, None) => Rate::ZERO,
        };
        let companions = match &self.companions {
            None => {
                CompanionDistribution::exactly(0).map_err(|e| at(format!("{key}.companions"), e))?
            }
            Some(probabilities) => CompanionDistribution::new(probabilities)
                .map_err(|e| at(format!("{key}.companions"), e))?,
        };
        let child_companions = match &self.child_companions {
            None => companions.clone(),
            Some(probabilities) => CompanionDistribution::new(probabilities)
                .map_err(|e| at(format!("{key}.child_companions"), e))?,
        };
        Ok(Tier {
            backlog,
            backlog_children,
            backlog_referred_over_days,
            referrals_per_day: Rate::new(self.referrals_per_day)
                .map_err(|e| at(format!("{key}.referrals_per_day"), e))?,
            child_fraction,
            daily_death_hazard,
            weight: Rate::new(self.weight.unwrap_or(1.0))
                .map_err(|e| at(format!("{key}.weight"), e))?,
            companions,
            child_companions,
            name,
        })
    }
}

impl RawCapacity {
    fn validate(self, key: &str) -> Result<CapacitySegment, ScenarioError> {
        let from = date(&self.from, &format!("{key}.from"))?;
        let places = match (self.per_day, self.per_week) {
            (Some(per_day), None) => Places::PerDay(count(per_day, &format!("{key}.per_day"))?),
            (None, Some(per_week)) => Places::PerWeek(count(per_week, &format!("{key}.per_week"))?),
            _ => {
                return Err(ScenarioError::invalid(
                    format!("{key}.per_day"),
                    "give exactly one of `per_day` and `per_week`",
                ));
            }
        };
        let weekdays = match self.weekdays {
            None => OperatingWeekdays::EVERY_DAY,
            Some(names) => {
                let days = names
                    .iter()
                    .enumerate()
                    .map(|(index, name)| {
                        weekday(name).map_err(|e| at(format!("{key}.weekdays[{index}]"), e))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                OperatingWeekdays::new(&days).map_err(|e| at(format!("{key}.weekdays"), e))?
            }
        };
        Ok(CapacitySegment {
            from,
            places,
            weekdays,
        })
    }
}

impl RawClearance {
    fn validate(self, key: &str) -> Result<Clearance, ScenarioError> {
        let days = |value: Option<toml::Value>, name: &str| match value {
            None => Ok(DayDistribution::Fixed(0)),
            Some(value) => day_distribution(&value, &format!("{key}.{name}")),
        };
        Ok(Clearance {
            denial: Probability::new(self.denial).map_err(|e| at(format!("{key}.denial"), e))?,
            delay: days(self.delay_days, "delay_days")?,
            resubmit: Probability::new(self.resubmit)
                .map_err(|e| at(format!("{key}.resubmit"), e))?,
            resubmit_after: days(self.resubmit_after_days, "resubmit_after_days")?,
            after_final_denial: match self.after_final_denial.as_deref() {
                None | Some("leaves-list") => AfterFinalDenial::LeavesList,
                Some("stays-uncleared") => AfterFinalDenial::StaysUncleared,
                Some(other) => {
                    return Err(ScenarioError::invalid(
                        format!("{key}.after_final_denial"),
                        format!("is {other:?}; use \"leaves-list\" or \"stays-uncleared\""),
                    ));
                }
            },
        })
    }
}

/// A count: a whole number from 0 to u32::MAX.
fn count(value: i64, key: &str) -> Result<u32, ScenarioError> {
    u32::try_from(value)
        .map_err(|_| ScenarioError::invalid(key, format!("is {value}; give a whole number >= 0")))
}

/// A date written as a TOML date (2026-02-02) or a string ("2026-02-02").
fn date(value: &toml::Value, key: &str) -> Result<Date, ScenarioError> {
    let text = match value {
        toml::Value::String(text) => text.clone(),
        toml::Value::Datetime(datetime) if datetime.time.is_none() && datetime.offset.is_none() => {
            datetime.to_string()
        }
        other => other.to_string(),
    };
    text.parse::<Date>().map_err(|_| {
        ScenarioError::invalid(
            key,
            format!("is {value}; give a calendar date as \"YYYY-MM-DD\""),
        )
    })
}

/// `7` (fixed) or `{ min = 3, max = 14 }` (uniform, both included).
fn day_distribution(value: &toml::Value, key: &str) -> Result<DayDistribution, ScenarioError> {
    let hint = "give a whole number of days (7) or a uniform range ({ min = 3, max = 14 })";
    match value {
        toml::Value::Integer(days) => Ok(DayDistribution::Fixed(count(*days, key)?)),
        toml::Value::Table(table) => {
            if let Some(unknown) = table.keys().find(|k| *k != "min" && *k != "max") {
                return Err(ScenarioError::invalid(
                    format!("{key}.{unknown}"),
                    format!("is not a known key; {hint}"),
                ));
            }
            let bound = |name: &str| match table.get(name) {
                Some(toml::Value::Integer(days)) => count(*days, &format!("{key}.{name}")),
                _ => Err(ScenarioError::invalid(
                    format!("{key}.{name}"),
                    format!("is missing; {hint}"),
                )),
            };
            DayDistribution::uniform(bound("min")?, bound("max")?).map_err(|e| at(key, e))
        }
        other => Err(ScenarioError::invalid(key, format!("is {other}; {hint}"))),
    }
}

fn weekday(name: &str) -> Result<Weekday, ValueError> {
    let lower = name.to_ascii_lowercase();
    let days = [
        ("mon", "monday", Weekday::Monday),
        ("tue", "tuesday", Weekday::Tuesday),
        ("wed", "wednesday", Weekday::Wednesday),
        ("thu", "thursday", Weekday::Thursday),
        ("fri", "friday", Weekday::Friday),
        ("sat", "saturday", Weekday::Saturday),
        ("sun", "sunday", Weekday::Sunday),
    ];
    days.iter()
        .find(|(short, long, _)| lower == *short || lower == *long)
        .map(|(_, _, day)| *day)
        .ok_or_else(|| {
            ValueError(format!(
                "{name:?} is not a weekday; use Mon, Tue, Wed, Thu, Fri, Sat or Sun"
            ))
        })
}
