//! Forecasts on demand: a quick scenario (backlog, referrals and mortality
//! per tier, capacity, operating days, horizon) run under one or more
//! policies by the Monte Carlo model. The page `/forecast` and
//! `POST /api/v1/forecasts` run the same [`ForecastRequest`].

use axum::Json;
use axum::extract::State;
use corridor_domain::{Permission, Tier};
use corridor_sim::{
    CompanionDistribution, Estimate, Forecast, ForecastConfig, OperatingWeekdays, PolicySpec,
    QuickField, QuickScenario, QuickTier, Replications, SamePolicies, policies_that_cannot_differ,
};
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiJson;
use crate::api::dashboard::Interval;
use crate::api::params::parse_optional_date;
use crate::auth::{ApiUser, Identity};
use crate::error::{ApiResult, AppError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(run))
}

/// At most this many replications a run: each policy runs them all.
pub const MAX_REPLICATIONS: i64 = 200;
/// At most this many days simulated (three years).
pub const MAX_HORIZON_DAYS: i64 = 1095;
/// At most this many people waiting in a tier on day 0.
pub const MAX_BACKLOG: i64 = 100_000;
/// At most this many places a day.
pub const MAX_CAPACITY: i64 = 100_000;

/// The weekdays in the order of the form, with their short names.
pub const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Sunday, "sun"),
    (Weekday::Monday, "mon"),
    (Weekday::Tuesday, "tue"),
    (Weekday::Wednesday, "wed"),
    (Weekday::Thursday, "thu"),
    (Weekday::Friday, "fri"),
    (Weekday::Saturday, "sat"),
];

/// A scenario to run. Field names of errors: `backlog.<tier>`,
/// `referrals.<tier>`, `mortality.<tier>`, `capacity_per_day`, `weekdays`,
/// `policies`, `horizon_days`, `replications`, `start`, `child_share`,
/// `no_show`, `standby_fill`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ForecastRequest {
    /// Tiers, highest priority first.
    pub tiers: Vec<TierInput>,
    /// Places a day (patients and companions) on each operating day.
    pub capacity_per_day: i64,
    /// Operating weekdays: sun, mon, tue, wed, thu, fri, sat.
    pub weekdays: Vec<String>,
    /// strict-priority, first-come-first-served, weighted, children-first: one run each.
    pub policies: Vec<String>,
    pub horizon_days: i64,
    /// 1 to 200.
    pub replications: i64,
    pub seed: u64,
    /// Day 0 (YYYY-MM-DD); default today.
    pub start: Option<String>,
    /// Share of patients who are children (0 to 1), in the backlog and
    /// among new referrals; default 0, where children-first cannot differ
    /// from strict-priority.
    #[serde(default)]
    pub child_share: f64,
    /// Chance that a party given places does not come (0 to 1); default 0,
    /// everyone comes. The form starts from the turnout measured on the
    /// last finished crossing days, when there are enough of them.
    #[serde(default)]
    pub no_show: f64,
    /// Chance that a place freed that way is taken from standby the same
    /// day (0 to 1); default 0.
    #[serde(default)]
    pub standby_fill: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TierInput {
    pub name: String,
    /// People waiting on day 0.
    pub backlog: i64,
    /// Mean new referrals a day.
    pub referrals_per_day: f64,
    /// Chance of dying within a year of waiting (0 to 1).
    pub annual_mortality: f64,
}

/// A validated request, ready to simulate.
struct Plan {
    scenario: corridor_sim::Scenario,
    policies: Vec<PolicySpec>,
    config: ForecastConfig,
}

/// The forecasts of a request, one per policy in the order asked, and the
/// policies among them that cannot differ in its scenario.
pub struct Forecasts {
    pub runs: Vec<Forecast>,
    pub same: Vec<SamePolicies>,
}

fn plan(request: &ForecastRequest, today: Date) -> Result<Plan, AppError> {
    let bounded = |field: &str, value: i64, low: i64, high: i64, what: &str| {
        if (low..=high).contains(&value) {
            Ok(value)
        } else {
            Err(AppError::bad_request(
                field,
                format!("{value} is out of range; give {what} from {low} to {high}"),
            ))
        }
    };
    let capacity = bounded(
        "capacity_per_day",
        request.capacity_per_day,
        0,
        MAX_CAPACITY,
        "the places a day",
    )?;
    let horizon = bounded(
        "horizon_days",
        request.horizon_days,
        1,
        MAX_HORIZON_DAYS,
        "the days to simulate",
    )?;
    let replications = bounded(
        "replications",
        request.replications,
        1,
        MAX_REPLICATIONS,
        "a number of replications",
    )?;
    let mut tiers = Vec::new();
    for tier in &request.tiers {
        let backlog = bounded(
            &format!("backlog.{}", tier.name),
            tier.backlog,
            0,
            MAX_BACKLOG,
            "the people waiting",
        )?;
        tiers.push(QuickTier {
            name: tier.name.clone(),
            backlog: backlog as u64,
            referrals_per_day: tier.referrals_per_day,
            annual_mortality: tier.annual_mortality,
        });
    }
    let weekdays = request
        .weekdays
        .iter()
        .map(|name| {
            corridor_sim::parse_weekday(name)
                .map_err(|e| AppError::bad_request("weekdays", e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let weekdays = OperatingWeekdays::new(&weekdays).map_err(|e| {
        AppError::bad_request("weekdays", format!("operating days {e}; tick at least one"))
    })?;
    let mut policies = Vec::new();
    for name in &request.policies {
        let policy = PolicySpec::parse(name)
            .map_err(|e| AppError::bad_request("policies", format!("policy {e}")))?;
        if !policies.contains(&policy) {
            policies.push(policy);
        }
    }
    if policies.is_empty() {
        return Err(AppError::bad_request(
            "policies",
            "choose at least one policy to simulate",
        ));
    }
    if !(0.0..=1.0).contains(&request.child_share) {
        return Err(AppError::bad_request(
            "child_share",
            format!(
                "{} is not a share of patients; give one from 0 to 1, e.g. 0.25 for a quarter",
                request.child_share
            ),
        ));
    }
    let start = parse_optional_date("start", request.start.as_deref())?.unwrap_or(today);
    let quick = QuickScenario {
        start,
        horizon_days: horizon as u32,
        tiers,
        places_per_day: capacity as u32,
        weekdays,
        companions: CompanionDistribution::exactly(0)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        child_share: request.child_share,
        no_show: request.no_show,
        standby_fill: request.standby_fill,
    };
    let scenario = quick.build().map_err(|error| {
        let field = match &error.field {
            QuickField::Tiers => "tiers".to_string(),
            QuickField::TierName(name) => format!("tiers.{name}"),
            QuickField::Backlog(name) => format!("backlog.{name}"),
            QuickField::Referrals(name) => format!("referrals.{name}"),
            QuickField::AnnualMortality(name) => format!("mortality.{name}"),
            QuickField::HorizonDays => "horizon_days".to_string(),
            QuickField::ChildShare => "child_share".to_string(),
            QuickField::NoShow => "no_show".to_string(),
            QuickField::StandbyFill => "standby_fill".to_string(),
        };
        AppError::bad_request(&field, format!("{field}: {error}"))
    })?;
    Ok(Plan {
        scenario,
        policies,
        config: ForecastConfig {
            replications: Replications::new(replications as u32)
                .map_err(|e| AppError::bad_request("replications", e.to_string()))?,
            seed: request.seed,
        },
    })
}

/// Validates and runs a request (off the async runtime): one forecast per
/// policy, in the order asked, with the same random numbers.
pub async fn run_forecast(
    identity: &Identity,
    request: &ForecastRequest,
    today: Date,
) -> Result<Forecasts, AppError> {
    identity.require(Permission::RunForecasts)?;
    let plan = plan(request, today)?;
    let same = policies_that_cannot_differ(&plan.scenario, &plan.policies);
    let runs = tokio::task::spawn_blocking(move || {
        plan.policies
            .iter()
            .map(|policy| {
                corridor_sim::forecast(&plan.scenario, policy.policy(), &plan.config, &|_| {})
            })
            .collect()
    })
    .await
    .map_err(|e| AppError::Internal(format!("the forecast stopped: {e}")))?;
    Ok(Forecasts { runs, same })
}

/// The form's starting point: today's backlog per tier from the registry,
/// the current evacuee quota and operating days, and corridor's calibrated
/// referral and mortality assumptions.
pub async fn defaults(state: &AppState, identity: &Identity) -> Result<ForecastRequest, AppError> {
    identity.require(Permission::RunForecasts)?;
    let today = state.clock.today();
    let reference = state.store.reference().await?;
    let summary = state.store.waiting_summary(today).await?;
    let measured = state.store.measured_turnout(today).await?;
    let backlog = summary.backlog_by_tier();
    let template =
        corridor_sim::calibrated_template().map_err(|e| AppError::Internal(e.to_string()))?;
    let tiers = Tier::ALL
        .iter()
        .map(|tier| {
            let assumed = template
                .tiers
                .iter()
                .find(|t| t.name.as_str() == tier.as_str());
            let round = |value: f64| (value * 1000.0).round() / 1000.0;
            TierInput {
                name: tier.as_str().to_string(),
                backlog: backlog
                    .iter()
                    .find(|(name, _)| name == tier.as_str())
                    .map_or(0, |(_, n)| i64::try_from(*n).unwrap_or(i64::MAX)),
                referrals_per_day: assumed.map_or(0.0, |t| round(t.referrals_per_day.get())),
                annual_mortality: assumed.map_or(0.0, |t| {
                    round(1.0 - (-365.0 * t.daily_death_hazard.get()).exp())
                }),
            }
        })
        .collect();
    let weekdays = reference
        .evacuee_operating_days(today)
        .map_or(OperatingWeekdays::EVERY_DAY, |(days, _)| days);
    Ok(ForecastRequest {
        tiers,
        capacity_per_day: i64::from(reference.current_evacuee_quota(today).unwrap_or(50)),
        weekdays: WEEKDAYS
            .iter()
            .filter(|(day, _)| weekdays.contains(*day))
            .map(|(_, name)| name.to_string())
            .collect(),
        policies: PolicySpec::ALL
            .iter()
            .map(|p| p.name().to_string())
            .collect(),
        horizon_days: 365,
        replications: 50,
        seed: 1,
        start: None,
        child_share: child_share(summary.waiting_children, summary.waiting_patients),
        no_show: measured.map_or(0.0, |m| two_decimals(m.no_show)),
        standby_fill: measured.map_or(0.0, |m| two_decimals(m.standby_fill)),
    })
}

/// The share of waiting patients who are children, to two decimals (0
/// with nobody waiting).
fn child_share(children: u64, patients: u64) -> f64 {
    if patients == 0 {
        return 0.0;
    }
    (children as f64 / patients as f64 * 100.0).round() / 100.0
}

/// The figures of a run, one entry per policy.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ForecastResult {
    pub start: String,
    pub horizon_days: u32,
    pub replications: u32,
    pub seed: u64,
    pub source: String,
    pub runs: Vec<PolicyRun>,
    /// Policies of the run that cannot differ in its scenario, and why, in
    /// a sentence each (e.g. children-first and strict-priority when no
    /// patient is a child).
    pub cannot_differ: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Completion {
    /// Replications in which it happened within the horizon.
    pub completed: u32,
    pub replications: u32,
    /// Days until it happened, when it did in every replication.
    pub days: Option<Interval>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierResult {
    pub tier: String,
    pub initial_backlog: u32,
    pub evacuated: Interval,
    pub deaths: Interval,
    pub waiting_at_end: Interval,
    /// Waits of those evacuated (days); absent when nobody was.
    pub wait_mean: Option<Interval>,
    pub wait_p50: Option<Interval>,
    pub wait_p90: Option<Interval>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyRun {
    pub policy: String,
    /// Days until nobody of today's backlog is waiting.
    pub backlog_cleared: Completion,
    pub list_empty: Completion,
    pub evacuated: Interval,
    pub deaths: Interval,
    pub tiers: Vec<TierResult>,
    /// End-of-day people waiting (all tiers), by day: percentiles over replications.
    pub list_p5: Vec<f64>,
    pub list_p50: Vec<f64>,
    pub list_p95: Vec<f64>,
    /// Median cumulative deaths while waiting, by day.
    pub cumulative_deaths_p50: Vec<f64>,
}

fn interval(estimate: Estimate) -> Interval {
    Interval {
        mean: estimate.mean,
        low: estimate.low,
        high: estimate.high,
    }
}

fn completion(completion: &corridor_sim::Completion) -> Completion {
    Completion {
        completed: completion.completed,
        replications: completion.replications,
        days: completion.days.map(interval),
    }
}

impl ForecastResult {
    pub fn new(run: &Forecasts) -> ForecastResult {
        let forecasts = &run.runs;
        let first = forecasts.first();
        ForecastResult {
            start: first.map(|f| f.start.to_string()).unwrap_or_default(),
            horizon_days: first.map_or(0, |f| f.horizon_days),
            replications: first.map_or(0, |f| f.replications),
            seed: first.map_or(0, |f| f.seed),
            source: "computed by corridor's Monte Carlo model from the scenario given; \
                     means over the replications with 95% confidence intervals \
                     (mean ± t(0.975, n−1)·s/√n). Model outputs are expected values, not counts of people."
                .to_string(),
            runs: forecasts
                .iter()
                .map(|f| PolicyRun {
                    policy: f.policy.clone(),
                    backlog_cleared: completion(&f.backlog_cleared),
                    list_empty: completion(&f.list_empty),
                    evacuated: interval(f.evacuated),
                    deaths: interval(f.deaths),
                    tiers: (0..f.tiers.len())
                        .map(|i| TierResult {
                            tier: f.tiers[i].clone(),
                            initial_backlog: f.initial_backlog_by_tier[i],
                            evacuated: interval(f.evacuated_by_tier[i]),
                            deaths: interval(f.deaths_by_tier[i]),
                            waiting_at_end: interval(f.waiting_at_end_by_tier[i]),
                            wait_mean: f.wait_by_tier[i].mean.map(interval),
                            wait_p50: f.wait_by_tier[i].p50.map(interval),
                            wait_p90: f.wait_by_tier[i].p90.map(interval),
                        })
                        .collect(),
                    list_p5: f.list_size_total.iter().map(|b| b.p5).collect(),
                    list_p50: f.list_size_total.iter().map(|b| b.p50).collect(),
                    list_p95: f.list_size_total.iter().map(|b| b.p95).collect(),
                    cumulative_deaths_p50: f.cumulative_deaths.iter().map(|b| b.p50).collect(),
                })
                .collect(),
            cannot_differ: run
                .same
                .iter()
                .map(|same| {
                    let names: Vec<&str> = same.policies.iter().map(|p| p.name()).collect();
                    format!(
                        "{} give the same result here: {}.",
                        names.join(" and "),
                        same.reason
                    )
                })
                .collect(),
        }
    }
}

/// Runs a forecast scenario and returns its figures (at most 200 replications).
#[utoipa::path(post, path = "/api/v1/forecasts", tag = "forecasts",
    request_body = ForecastRequest,
    responses((status = 200, body = ForecastResult), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn run(
    State(state): State<AppState>,
    ApiUser(identity): ApiUser,
    ApiJson(request): ApiJson<ForecastRequest>,
) -> ApiResult<Json<ForecastResult>> {
    let forecasts = run_forecast(&identity, &request, state.clock.today()).await?;
    Ok(Json(ForecastResult::new(&forecasts)))
}

fn two_decimals(share: f64) -> f64 {
    (share * 100.0).round() / 100.0
}
