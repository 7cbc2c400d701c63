//! The dashboard's figures: aggregates only, every count of people below 5
//! given as `<5`, every figure with its date and its source. The page `/`
//! and `GET /api/v1/dashboard` show the same [`Dashboard`].

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use corridor_domain::report::{ForecastSection, SitrepData};
use corridor_domain::utilisation::{DayUse, UseTotals, weekly_use};
use corridor_domain::{AgeGroup, Direction, Permission, Tier, TruckDefinition};
use corridor_interop::disclosure::{Count, suppress, suppress_grid, suppress_parts};
use corridor_interop::sitrep::trucks_per_day;
use corridor_sim::{ForecastConfig, Replications};
use corridor_store::RegistryForecast;
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiQuery;
use crate::api::exports::{WindowQuery, parse_window};
use crate::api::figures::FigureView;
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::{AppState, ForecastKey};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(dashboard))
        .routes(routes!(utilisation))
}

/// Days of the dashboard's table of places used, ending today.
pub const LAST_DAYS: i64 = 7;

/// Days covered by the evacuation, death and aid figures, ending today: four weeks.
pub const WINDOW_DAYS: u32 = 28;
/// Replications of the dashboard's forecast: enough for a median and a
/// 5–95% band, few enough to compute in about a second.
pub const FORECAST_REPLICATIONS: u32 = 40;
/// Seed of the dashboard's forecast, so that it does not move between views.
pub const FORECAST_SEED: u64 = 1;

/// The registry's figures as of today, with the forecast of today's backlog
/// under the current evacuee quota (computed once per day and backlog).
pub async fn situation(state: &AppState, identity: &Identity) -> Result<SitrepData, AppError> {
    identity.require(Permission::ViewAggregates)?;
    let today = state.clock.today();
    let mut data = state
        .store
        .situation(today, WINDOW_DAYS, state.clock.now())
        .await?;
    data.forecast = registry_forecast(state)
        .await?
        .map(|section| (*section).clone());
    Ok(data)
}

/// The forecast of the registry's backlog under the evacuee quota in force
/// (or next announced), with corridor's calibrated assumptions; `None` when
/// no quota is known.
async fn registry_forecast(state: &AppState) -> Result<Option<Arc<ForecastSection>>, AppError> {
    let today = state.clock.today();
    let reference = state.store.reference().await?;
    let Some(places) = reference.current_evacuee_quota(today) else {
        return Ok(None);
    };
    let backlog = state.store.waiting_summary(today).await?.backlog_by_tier();
    let key = ForecastKey {
        day: today,
        backlog: backlog.clone(),
        places_per_day: places,
    };
    if let Some(section) = state.forecasts.get(&key) {
        return Ok(Some(section));
    }
    let (weekdays, weekdays_text) = reference
        .evacuee_operating_days(today)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let template =
        corridor_sim::calibrated_template().map_err(|e| AppError::Internal(e.to_string()))?;
    let forecast = RegistryForecast {
        template,
        origin: "corridor's calibrated scenario (scenarios/calibrated.toml)".to_string(),
        backlog,
        start: today,
        capacities: vec![(format!("current quota ({places} a day)"), places)],
        weekdays,
        weekdays_text,
        config: ForecastConfig {
            replications: Replications::new(FORECAST_REPLICATIONS)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            seed: FORECAST_SEED,
        },
        measured: state.store.measured_turnout(today).await?,
    };
    let section = tokio::task::spawn_blocking(move || forecast.run())
        .await
        .map_err(|e| AppError::Internal(format!("the forecast stopped: {e}")))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let section = Arc::new(section);
    state.forecasts.put(key, Arc::clone(&section));
    Ok(Some(section))
}

/// A count of people as published: a number, or `"<5"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum PeopleCount {
    Shown(u64),
    /// Fewer than 5 (zero included): always the text `<5`.
    Suppressed(String),
}

impl From<Count> for PeopleCount {
    fn from(count: Count) -> Self {
        match count {
            Count::Shown(n) => PeopleCount::Shown(n),
            Count::Suppressed => PeopleCount::Suppressed(Count::SUPPRESSED_TEXT.to_string()),
        }
    }
}

impl std::fmt::Display for PeopleCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeopleCount::Shown(n) => f.write_str(&crate::pages::count(*n)),
            PeopleCount::Suppressed(text) => f.write_str(text),
        }
    }
}

fn people(n: u64) -> PeopleCount {
    suppress(n).into()
}

/// Counts shown next to their total (secondary suppression).
fn parts(counts: impl IntoIterator<Item = u64>) -> Vec<PeopleCount> {
    let counts: Vec<u64> = counts.into_iter().collect();
    suppress_parts(&counts)
        .into_iter()
        .map(Into::into)
        .collect()
}

/// The dashboard: every section says as of when and where it comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    /// The day the registry figures describe (YYYY-MM-DD).
    pub as_of: String,
    /// How counts of people are published.
    pub disclosure: String,
    pub waiting: WaitingView,
    pub evacuations: EvacuationsView,
    pub utilisation: UtilisationView,
    pub deaths: DeathsView,
    /// Absent when no evacuee quota is in force or announced.
    pub forecast: Option<ForecastView>,
    /// Absent when the registry tracks no aid.
    pub aid: Option<AidView>,
    pub figures: Vec<FigureView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierCountView {
    pub tier: String,
    pub count: PeopleCount,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgeGroupCountView {
    pub age_group: String,
    pub count: PeopleCount,
}

/// One tier's row of the tier × age group table, in the order of `age_groups`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierRowView {
    pub tier: String,
    pub counts: Vec<PeopleCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaitingView {
    pub as_of: String,
    pub source: String,
    pub total: PeopleCount,
    pub by_tier: Vec<TierCountView>,
    pub by_age_group: Vec<AgeGroupCountView>,
    /// Column labels of `by_tier_and_age_group`.
    pub age_groups: Vec<String>,
    pub by_tier_and_age_group: Vec<TierRowView>,
    pub companions: PeopleCount,
    pub median_wait_days: Option<i64>,
    pub over_a_year: PeopleCount,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvacuationWeekView {
    pub from: String,
    pub to: String,
    pub patients: PeopleCount,
    pub companions: PeopleCount,
    /// Patients and companions: they take places of the same quota.
    pub people: PeopleCount,
    /// The evacuee quota summed over the week's operating days (places, not
    /// people); null when no quota was in force in the week.
    pub places: Option<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvacuationsView {
    pub from: String,
    pub to: String,
    pub source: String,
    pub weeks: Vec<EvacuationWeekView>,
    pub patients_in_window: PeopleCount,
    pub patients_to_date: PeopleCount,
}

/// How the places of a day (or a week) were used. Places are not people
/// and are shown as they are; counts of people are suppressed below 5, the
/// causes of freed places as parts of one whole.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaceUseView {
    /// First day (YYYY-MM-DD); the same as `to` for one day.
    pub from: String,
    pub to: String,
    /// The crossing of one day; null in weekly totals over every crossing.
    pub crossing: Option<String>,
    /// outbound or inbound.
    pub direction: String,
    /// Places the confirmed manifests had.
    pub available: u32,
    pub planned: PeopleCount,
    /// People whose party confirmed on its latest call before the day.
    pub reached: PeopleCount,
    pub crossed: PeopleCount,
    /// Not yet recorded at the gate.
    pub expected: PeopleCount,
    pub declined: PeopleCount,
    pub unreachable: PeopleCount,
    pub no_show: PeopleCount,
    pub turned_back: PeopleCount,
    pub removed: PeopleCount,
    /// People from standby who took freed places.
    pub refilled: PeopleCount,
    /// Places neither used nor still expected; null when it would give
    /// away a count below 5.
    pub left_empty: Option<u32>,
    /// Crossed as a whole percentage of the places; null without places
    /// or when it would give away a count below 5.
    pub used_percent: Option<u32>,
}

impl PlaceUseView {
    fn of(
        from: Date,
        to: Date,
        crossing: Option<&str>,
        direction: Direction,
        totals: &UseTotals,
    ) -> Self {
        let freed = totals.freed;
        let causes = parts(freed.by_cause().iter().map(|(_, n)| u64::from(*n)));
        let cause = |index: usize| causes[index].clone();
        let crossed = people(u64::from(totals.crossed));
        let expected = people(u64::from(totals.expected));
        let exact = matches!(crossed, PeopleCount::Shown(_))
            && (totals.expected == 0 || matches!(expected, PeopleCount::Shown(_)));
        PlaceUseView {
            from: from.to_string(),
            to: to.to_string(),
            crossing: crossing.map(str::to_string),
            direction: direction.to_string(),
            available: totals.available,
            planned: people(u64::from(totals.planned)),
            reached: people(u64::from(totals.reached)),
            crossed,
            expected,
            declined: cause(0),
            unreachable: cause(1),
            no_show: cause(2),
            turned_back: cause(3),
            removed: cause(4),
            refilled: people(u64::from(totals.refilled)),
            left_empty: exact.then(|| totals.left_empty()),
            used_percent: totals
                .rate()
                .filter(|_| exact)
                .map(|rate| (rate * 100.0).round() as u32),
        }
    }
}

/// Places used: each confirmed day of the last week, and the window by week.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UtilisationView {
    pub from: String,
    pub to: String,
    pub source: String,
    /// Each confirmed manifest of the last days, newest first.
    pub last_days: Vec<PlaceUseView>,
    /// Every week of the window, per direction (outbound first).
    pub weeks: Vec<PlaceUseView>,
}

impl UtilisationView {
    pub fn new(days: &[DayUse], from: Date, to: Date, source: String) -> UtilisationView {
        let recent = to.saturating_sub(jiff::Span::new().days(LAST_DAYS - 1));
        let mut last_days: Vec<PlaceUseView> = days
            .iter()
            .filter(|day| day.date >= recent && day.date <= to)
            .map(|day| {
                PlaceUseView::of(
                    day.date,
                    day.date,
                    Some(day.crossing.as_str()),
                    day.direction,
                    &UseTotals::of([day]),
                )
            })
            .collect();
        last_days.reverse();
        let weeks = [Direction::Outbound, Direction::Inbound]
            .into_iter()
            .flat_map(|direction| {
                weekly_use(days, direction, from, to)
                    .into_iter()
                    .map(move |week| {
                        PlaceUseView::of(week.from, week.to, None, direction, &week.totals)
                    })
            })
            .collect();
        UtilisationView {
            from: from.to_string(),
            to: to.to_string(),
            source,
            last_days,
            weeks,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeathsWeekView {
    pub from: String,
    pub to: String,
    /// In the order of `DeathsView.tiers`.
    pub by_tier: Vec<PeopleCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeathsView {
    pub from: String,
    pub to: String,
    pub source: String,
    pub tiers: Vec<String>,
    pub weeks: Vec<DeathsWeekView>,
    pub window_by_tier: Vec<TierCountView>,
    pub total_by_tier: Vec<TierCountView>,
}

/// A mean with its 95% confidence interval.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Interval {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ForecastRunView {
    pub label: String,
    pub places_per_day: u32,
    pub start: String,
    pub horizon_days: u32,
    /// Days to clear today's backlog, when it cleared in every replication.
    pub days_to_clear: Option<Interval>,
    pub cleared_in_replications: u32,
    pub replications: u32,
    /// Expected deaths while waiting over the horizon (a model output, not a count).
    pub deaths: Interval,
    /// End-of-day people waiting by day: 5th, 50th and 95th percentiles.
    pub list_p5: Vec<f64>,
    pub list_p50: Vec<f64>,
    pub list_p95: Vec<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ForecastView {
    pub as_of: String,
    pub source: String,
    pub runs: Vec<ForecastRunView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AidDayView {
    pub date: String,
    /// Trucks cleared at inspection (as presented).
    pub inspected: u64,
    pub fuel_inspected: u64,
    /// Trucks collected inside after repacking.
    pub collected: u64,
    pub met_target: bool,
    pub met_fuel_target: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AidView {
    pub from: String,
    pub to: String,
    pub source: String,
    pub target_per_day: u32,
    pub fuel_target_per_day: u32,
    pub days: Vec<AidDayView>,
}

impl Dashboard {
    pub fn new(data: &SitrepData) -> Dashboard {
        let computed = |what: &str| {
            format!(
                "computed from the {} as of {}: {what}",
                data.registry, data.date
            )
        };
        let waiting = &data.waiting;
        let total: u64 = waiting.by_tier.iter().map(|(_, n)| n).sum();
        let grid: Vec<Vec<u64>> = Tier::ALL
            .iter()
            .map(|tier| {
                AgeGroup::ALL
                    .iter()
                    .map(|group| {
                        waiting
                            .by_tier_and_age_group
                            .iter()
                            .find(|(t, g, _)| t == tier && g == group)
                            .map_or(0, |(_, _, n)| *n)
                    })
                    .collect()
            })
            .collect();
        let waiting_view = WaitingView {
            as_of: data.date.to_string(),
            source: computed(
                "patients in a waiting status (referred to scheduled), by tier and age group (from birth year)",
            ),
            total: people(total),
            by_tier: waiting
                .by_tier
                .iter()
                .zip(parts(waiting.by_tier.iter().map(|(_, n)| *n)))
                .map(|((tier, _), count)| TierCountView {
                    tier: tier.to_string(),
                    count,
                })
                .collect(),
            by_age_group: waiting
                .by_age_group
                .iter()
                .zip(parts(waiting.by_age_group.iter().map(|(_, n)| *n)))
                .map(|((group, _), count)| AgeGroupCountView {
                    age_group: group.to_string(),
                    count,
                })
                .collect(),
            age_groups: AgeGroup::ALL.iter().map(ToString::to_string).collect(),
            by_tier_and_age_group: Tier::ALL
                .iter()
                .zip(suppress_grid(&grid))
                .map(|(tier, row)| TierRowView {
                    tier: tier.to_string(),
                    counts: row.into_iter().map(Into::into).collect(),
                })
                .collect(),
            companions: people(waiting.companions),
            median_wait_days: waiting.median_wait_days,
            over_a_year: people(waiting.over_a_year),
        };
        let evacuations = &data.evacuations;
        let evacuations_view = EvacuationsView {
            from: evacuations.from.to_string(),
            to: evacuations.to.to_string(),
            source: computed(
                "crossed events in the status history, by week ending on the day shown; places are the evacuee quota entered for each crossing, summed over the days it operates (none in force: no evacuee quota was recorded for any day of the week)",
            ),
            weeks: evacuations
                .weeks()
                .into_iter()
                .map(|week| EvacuationWeekView {
                    from: week.from.to_string(),
                    to: week.to.to_string(),
                    patients: people(week.patients),
                    companions: people(week.companions),
                    people: people(week.patients + week.companions),
                    places: week.places_open,
                })
                .collect(),
            patients_in_window: people(evacuations.days.iter().map(|d| d.patients).sum()),
            patients_to_date: people(evacuations.total_to_date),
        };
        let utilisation = UtilisationView::new(
            &data.utilisation,
            evacuations.from,
            evacuations.to,
            computed(UTILISATION_SOURCE),
        );
        let deaths = &data.deaths;
        let deaths_view = DeathsView {
            from: evacuations.from.to_string(),
            to: evacuations.to.to_string(),
            source: computed(
                "patients whose status is died-while-waiting, by tier and week of the date of death",
            ),
            tiers: Tier::ALL.iter().map(ToString::to_string).collect(),
            weeks: deaths
                .weeks(evacuations.from, evacuations.to)
                .into_iter()
                .map(|week| DeathsWeekView {
                    from: week.from.to_string(),
                    to: week.to.to_string(),
                    by_tier: parts(week.by_tier.iter().map(|(_, n)| *n)),
                })
                .collect(),
            window_by_tier: tier_counts(&deaths.window_by_tier),
            total_by_tier: tier_counts(&deaths.total_by_tier),
        };
        let forecast = data.forecast.as_ref().map(|forecast| ForecastView {
            as_of: data.date.to_string(),
            source: format!(
                "computed by corridor's Monte Carlo model from the registry's backlog as of {}: {}. \
                 Model outputs are expected values, not counts of people.",
                data.date, forecast.model
            ),
            runs: forecast
                .runs
                .iter()
                .map(|run| ForecastRunView {
                    label: run.label.clone(),
                    places_per_day: run.places_per_day,
                    start: run.start.to_string(),
                    horizon_days: run.horizon_days,
                    days_to_clear: run.days_to_clear.map(|(mean, low, high)| Interval {
                        mean,
                        low,
                        high,
                    }),
                    cleared_in_replications: run.cleared_in.0,
                    replications: run.cleared_in.1,
                    deaths: Interval {
                        mean: run.deaths.0,
                        low: run.deaths.1,
                        high: run.deaths.2,
                    },
                    list_p5: run.list_p5.clone(),
                    list_p50: run.list_p50.clone(),
                    list_p95: run.list_p95.clone(),
                })
                .collect(),
        });
        let aid = data.aid.as_ref().map(|aid| {
            let inspected = trucks_per_day(aid, TruckDefinition::Inspected);
            let collected = trucks_per_day(aid, TruckDefinition::Collected);
            AidView {
                from: aid.from.to_string(),
                to: aid.to.to_string(),
                source: computed(
                    "stage events of the aid pipeline by UTC day; trucks inspected are arrivals into cleared, trucks collected are arrivals into collected",
                ),
                target_per_day: aid.target.per_day,
                fuel_target_per_day: aid.target.fuel_per_day,
                days: inspected
                    .iter()
                    .map(|day| AidDayView {
                        date: day.date.to_string(),
                        inspected: day.total,
                        fuel_inspected: day.fuel,
                        collected: collected
                            .iter()
                            .find(|c| c.date == day.date)
                            .map_or(0, |c| c.total),
                        met_target: day.met_target,
                        met_fuel_target: day.met_fuel_target,
                    })
                    .collect(),
            }
        });
        Dashboard {
            as_of: data.date.to_string(),
            disclosure: format!(
                "Aggregates only, no personal data. Counts of people below {} are shown as {}.",
                corridor_interop::disclosure::SMALL_COUNT_THRESHOLD,
                Count::SUPPRESSED_TEXT
            ),
            waiting: waiting_view,
            evacuations: evacuations_view,
            utilisation,
            deaths: deaths_view,
            forecast,
            aid,
            figures: data.figures.iter().map(FigureView::of).collect(),
        }
    }
}

const UTILISATION_SOURCE: &str = "the confirmed manifests of each crossing day: places when confirmed, people planned, the latest call of each party, and each person's outcome at the gate; freed places are lost unless refilled from standby";

/// How the places of confirmed crossing days were used, by day and by
/// week (aggregates only; every role that sees the dashboard).
#[utoipa::path(get, path = "/api/v1/utilisation", tag = "dashboard", params(WindowQuery),
    responses((status = 200, body = UtilisationView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn utilisation(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> ApiResult<Json<UtilisationView>> {
    identity.require(Permission::ViewAggregates)?;
    let window = parse_window(&state, &query)?;
    let days = state.store.utilisation(window.from, window.to).await?;
    let source = format!(
        "computed from the corridor registry ({}) as of {}: {UTILISATION_SOURCE}",
        state.store.backend().name(),
        state.clock.today()
    );
    Ok(Json(UtilisationView::new(
        &days,
        window.from,
        window.to,
        source,
    )))
}

fn tier_counts(counts: &[(Tier, u64)]) -> Vec<TierCountView> {
    counts
        .iter()
        .zip(parts(counts.iter().map(|(_, n)| *n)))
        .map(|((tier, _), count)| TierCountView {
            tier: tier.to_string(),
            count,
        })
        .collect()
}

/// The dashboard's figures (aggregates only; every role).
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard",
    responses((status = 200, body = Dashboard), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn dashboard(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
) -> ApiResult<Json<Dashboard>> {
    let data = situation(&state, &identity).await?;
    Ok(Json(Dashboard::new(&data)))
}
