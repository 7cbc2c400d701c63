//! The figures of a situation, gathered from the registry: what the
//! situation report (`corridor report`), the web dashboard and its JSON
//! show. One function gathers them ([`Store::situation`]); the forecast from
//! the registry's backlog is run apart ([`RegistryForecast::run`]), because
//! it is computation, not a query, and callers run it where CPU work belongs.

use std::collections::BTreeMap;

use corridor_domain::report::{
    DeathsSection, EvacuationDay, EvacuationSection, ForecastRun, ForecastSection, SitrepData,
    WaitingSection,
};
use corridor_domain::utilisation::MeasuredTurnout;
use corridor_domain::{
    AgeGroup, CrossingId, Direction, FacilityId, Quota, QuotaCategory, Role, Specialty, Tier,
    TruckTarget, WeekdaySet,
};
use corridor_sim::{
    BacklogError, CapacitySegment, ForecastConfig, OperatingWeekdays, Places, PolicySpec,
    Probability, Scenario, Turnout, ValueError,
};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::{ReferenceData, Store, StoreError, WaitingSummary};

impl ReferenceData {
    /// The outbound evacuee quota of a crossing (or the sum over all
    /// crossings) in force on a day, operating or not: for each crossing
    /// the one quota in force ([`Quota::in_force`]).
    pub fn evacuee_quota_on(&self, crossing: Option<&str>, day: Date) -> Option<u32> {
        let quotas: Vec<u32> = self
            .crossings
            .iter()
            .filter(|c| crossing.is_none_or(|id| c.id.as_str() == id))
            .filter_map(|c| self.evacuee_quota_of(&c.id, day))
            .collect();
        (!quotas.is_empty()).then(|| quotas.iter().sum())
    }

    /// The evacuee quota of the crossings that operate on a day: the places
    /// that could be used that day (0 when every crossing is closed).
    pub fn evacuee_places_open_on(&self, day: Date) -> u32 {
        self.crossings
            .iter()
            .filter(|c| c.operating_days.operates_on(day))
            .filter_map(|c| self.evacuee_quota_of(&c.id, day))
            .sum()
    }

    fn evacuee_quota_of(&self, crossing: &CrossingId, day: Date) -> Option<u32> {
        Quota::in_force(
            &self.quotas,
            crossing,
            Direction::Outbound,
            QuotaCategory::Evacuees,
            day,
        )
        .map(|quota| quota.per_day)
    }

    /// The evacuee quota in force on `date`, else the next one announced (a
    /// crossing about to reopen): what "current capacity" means for a forecast.
    pub fn current_evacuee_quota(&self, date: Date) -> Option<u32> {
        self.evacuee_quota_on(None, date).or_else(|| {
            let next = self
                .quotas
                .iter()
                .filter(|q| {
                    q.direction == Direction::Outbound && q.category == QuotaCategory::Evacuees
                })
                .map(|q| q.valid_from)
                .filter(|from| *from > date)
                .min()?;
            self.evacuee_quota_on(None, next)
        })
    }

    /// The weekdays on which evacuees can leave: those of the crossings with
    /// an evacuee quota in force on `date` or announced after it (all of them
    /// together, if several), so that a forecast does not count closed days;
    /// with a text saying so ("open on Sun, Mon…", "open every day").
    pub fn evacuee_operating_days(
        &self,
        date: Date,
    ) -> Result<(OperatingWeekdays, String), ValueError> {
        let open = self
            .crossings
            .iter()
            .filter(|crossing| {
                self.quotas.iter().any(|q| {
                    q.crossing == crossing.id
                        && q.direction == Direction::Outbound
                        && q.category == QuotaCategory::Evacuees
                        && q.valid_to.is_none_or(|to| to >= date)
                })
            })
            .map(|crossing| crossing.operating_days)
            .reduce(WeekdaySet::union);
        let Some(open) = open else {
            return Ok((OperatingWeekdays::EVERY_DAY, "open every day".to_string()));
        };
        let weekdays = OperatingWeekdays::new(&open.days())
            .map_err(|e| ValueError(format!("the crossings' operating days: {e}")))?;
        Ok((weekdays, format!("open on {open}")))
    }

    /// The receiving country (code, name) of a facility.
    pub fn destination(&self, facility: Option<&FacilityId>) -> Option<(String, String)> {
        let facility = self.facilities.iter().find(|f| Some(&f.id) == facility)?;
        let name = self
            .countries
            .iter()
            .find(|c| c.code == facility.country)
            .map_or_else(|| facility.country.to_string(), |c| c.name.to_string());
        Some((facility.country.to_string(), name))
    }
}

impl WaitingSummary {
    /// People waiting per tier, highest priority first, by tier name: the
    /// backlog a forecast from the registry starts with.
    pub fn backlog_by_tier(&self) -> Vec<(String, u64)> {
        self.waiting_by_tier
            .iter()
            .map(|c| (c.tier.as_str().to_string(), c.count))
            .collect()
    }
}

impl Store {
    /// The registry's figures as of `date`: the waiting list, and the
    /// evacuations, deaths, clearance denials and aid trucks of the
    /// `window_days` days ending on `date`; the public figures. No forecast
    /// (see [`RegistryForecast`]). `now` is the moment the aid pipeline's
    /// "in stage now" describes.
    pub async fn situation(
        &self,
        date: Date,
        window_days: u32,
        now: Timestamp,
    ) -> Result<SitrepData, StoreError> {
        if window_days == 0 {
            return Err(StoreError::invalid(
                "window",
                "the window must be at least 1 day",
            ));
        }
        let from = date.saturating_sub(jiff::Span::new().days(i64::from(window_days) - 1));
        let reference = self.reference().await?;
        let summary = self.waiting_summary(date).await?;
        let waiting = self.waiting_section(date, &summary).await?;
        let evacuations = self
            .evacuations_section(&reference, from, date, &summary)
            .await?;
        let deaths = self.deaths_section(from, date, &summary).await?;
        let aid = self
            .aid_report(from, date, now, TruckTarget::default(), 0)
            .await?;
        let aid = (!(aid.arrivals.is_empty() && aid.in_stage.is_empty())).then_some(aid);
        Ok(SitrepData {
            date,
            registry: format!("corridor registry ({})", self.backend().name()),
            waiting,
            evacuations,
            utilisation: self.utilisation(from, date).await?,
            deaths,
            forecast: None,
            denial_reasons: self.denial_reasons(from, date).await?,
            aid,
            figures: self.figures().await?,
        })
    }

    async fn waiting_section(
        &self,
        date: Date,
        summary: &WaitingSummary,
    ) -> Result<WaitingSection, StoreError> {
        let breakdown = self.waiting_breakdown(date).await?;
        let sum = |keep: &dyn Fn(&crate::WaitingCount) -> bool| -> u64 {
            breakdown.iter().filter(|c| keep(c)).map(|c| c.count).sum()
        };
        Ok(WaitingSection {
            by_tier: Tier::ALL
                .iter()
                .map(|t| (*t, sum(&|c| c.tier == *t)))
                .collect(),
            by_age_group: AgeGroup::ALL
                .iter()
                .map(|g| (*g, sum(&|c| c.age_group == *g)))
                .collect(),
            by_specialty: Specialty::ALL
                .iter()
                .map(|s| (*s, sum(&|c| c.specialty == *s)))
                .collect(),
            by_tier_and_age_group: Tier::ALL
                .iter()
                .flat_map(|t| AgeGroup::ALL.iter().map(move |g| (*t, *g)))
                .map(|(t, g)| (t, g, sum(&|c| c.tier == t && c.age_group == g)))
                .collect(),
            companions: summary.waiting_companions,
            median_wait_days: summary.median_wait_days,
            over_a_year: summary.waiting_over_a_year,
        })
    }

    async fn evacuations_section(
        &self,
        reference: &ReferenceData,
        from: Date,
        to: Date,
        summary: &WaitingSummary,
    ) -> Result<EvacuationSection, StoreError> {
        let counts = self.evacuations(from, to).await?;
        let mut days = Vec::new();
        let mut day = from;
        while day <= to {
            let of_day = |role: Role| -> u64 {
                counts
                    .iter()
                    .filter(|c| c.date == day && c.role == role)
                    .map(|c| c.count)
                    .sum()
            };
            days.push(EvacuationDay {
                date: day,
                patients: of_day(Role::Patient),
                companions: of_day(Role::Companion),
                quota: reference.evacuee_quota_on(None, day),
                places_open: reference.evacuee_places_open_on(day),
            });
            day = day
                .tomorrow()
                .map_err(|_| StoreError::invalid("window", "the window runs past the calendar"))?;
        }
        let mut by_destination: BTreeMap<String, u64> = BTreeMap::new();
        for count in counts.iter().filter(|c| c.role == Role::Patient) {
            let name = reference
                .destination(count.facility.as_ref())
                .map_or_else(|| "not yet admitted".to_string(), |(_, name)| name);
            *by_destination.entry(name).or_default() += count.count;
        }
        let mut by_destination: Vec<(String, u64)> = by_destination.into_iter().collect();
        by_destination.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(EvacuationSection {
            from,
            to,
            days,
            by_destination,
            total_to_date: summary.evacuated_patients,
        })
    }

    async fn deaths_section(
        &self,
        from: Date,
        to: Date,
        summary: &WaitingSummary,
    ) -> Result<DeathsSection, StoreError> {
        let deaths = self.deaths(from, to).await?;
        Ok(DeathsSection {
            total_by_tier: summary
                .died_by_tier
                .iter()
                .map(|c| (c.tier, c.count))
                .collect(),
            window_by_tier: Tier::ALL
                .iter()
                .map(|tier| {
                    let n = deaths
                        .iter()
                        .filter(|d| d.tier == *tier)
                        .map(|d| d.count)
                        .sum();
                    (*tier, n)
                })
                .collect(),
            by_day: deaths.iter().map(|d| (d.date, d.tier, d.count)).collect(),
        })
    }
}

/// A forecast of the registry's backlog under one or more capacities, with
/// the other assumptions of a scenario (by default corridor's calibrated
/// one, [`corridor_sim::calibrated_template`]); strict-priority policy.
#[derive(Debug, Clone)]
pub struct RegistryForecast {
    /// The assumptions: referrals, mortality, companions, clearance, horizon.
    pub template: Scenario,
    /// Where the template comes from, for the model note.
    pub origin: String,
    /// People waiting per tier ([`WaitingSummary::backlog_by_tier`]).
    pub backlog: Vec<(String, u64)>,
    /// Day 0: the date the backlog was counted.
    pub start: Date,
    /// (label, places a day) of each run.
    pub capacities: Vec<(String, u32)>,
    pub weekdays: OperatingWeekdays,
    /// The operating days in words ([`ReferenceData::evacuee_operating_days`]).
    pub weekdays_text: String,
    pub config: ForecastConfig,
    /// Turnout measured on the crossing's recent days
    /// ([`Store::measured_turnout`]); used when the template says nothing
    /// about turnout.
    pub measured: Option<MeasuredTurnout>,
}

impl RegistryForecast {
    /// The turnout the runs assume, and how to say so: the template's own
    /// when it sets one, else the measured one, else everyone comes.
    pub fn turnout(&self) -> (Turnout, String) {
        let own = self.template.turnout;
        if own != Turnout::EVERYONE {
            return (
                own,
                format!(
                    "turnout from the scenario: {} of parties given places do not come, standby fills {} of their places",
                    percent(own.no_show.get()),
                    percent(own.standby_fill.get())
                ),
            );
        }
        let Some(measured) = self.measured else {
            return (
                Turnout::EVERYONE,
                "everyone given places assumed to come (too few finished crossing days to measure turnout)"
                    .to_string(),
            );
        };
        let turnout = Probability::new(measured.no_show)
            .and_then(|no_show| {
                Probability::new(measured.standby_fill).map(|standby_fill| Turnout {
                    no_show,
                    standby_fill,
                })
            })
            .unwrap_or(Turnout::EVERYONE);
        (
            turnout,
            format!(
                "turnout measured on the last {} finished crossing days ({} people planned): {} did not come, standby filled {} of their places",
                measured.days,
                measured.people,
                percent(measured.no_show),
                percent(measured.standby_fill)
            ),
        )
    }

    /// Runs every capacity; CPU work (run it off the async runtime).
    pub fn run(&self) -> Result<ForecastSection, BacklogError> {
        let (turnout, turnout_text) = self.turnout();
        let mut runs = Vec::new();
        for (label, places) in &self.capacities {
            let mut scenario = self.template.clone();
            scenario.turnout = turnout;
            corridor_sim::apply_registry_backlog(&mut scenario, &self.backlog)?;
            scenario.name = label.clone();
            scenario.start = self.start;
            scenario.capacity = vec![CapacitySegment {
                from: self.start,
                places: Places::PerDay(*places),
                weekdays: self.weekdays,
            }];
            let forecast = corridor_sim::forecast(
                &scenario,
                PolicySpec::StrictPriority.policy(),
                &self.config,
                &|_| {},
            );
            runs.push(ForecastRun {
                label: label.clone(),
                places_per_day: *places,
                start: self.start,
                horizon_days: forecast.horizon_days,
                days_to_clear: forecast
                    .backlog_cleared
                    .days
                    .map(|e| (e.mean, e.low, e.high)),
                cleared_in: (
                    forecast.backlog_cleared.completed,
                    forecast.backlog_cleared.replications,
                ),
                deaths: (
                    forecast.deaths.mean,
                    forecast.deaths.low,
                    forecast.deaths.high,
                ),
                list_p5: forecast.list_size_total.iter().map(|b| b.p5).collect(),
                list_p50: forecast.list_size_total.iter().map(|b| b.p50).collect(),
                list_p95: forecast.list_size_total.iter().map(|b| b.p95).collect(),
            });
        }
        Ok(ForecastSection {
            model: format!(
                "{}, strict-priority policy, {} replications, seed {}, crossings {}; {}",
                self.origin,
                self.config.replications.get(),
                self.config.seed,
                self.weekdays_text,
                turnout_text
            ),
            runs,
        })
    }
}

/// A share as a whole percentage: 0.125 as "13%".
fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}
