//! The forecast page: edit a scenario (prefilled from the registry as of
//! today), run it under the chosen policies, see the figures and charts.

use askama::Template;
use axum::extract::{Form, State};
use axum::response::Response;
use corridor_interop::forecast_charts::{
    cumulative_deaths_chart, policy_comparison_chart, waiting_by_tier_chart,
};
use corridor_sim::{Forecast, PolicySpec};
use tower_sessions::Session;

use crate::api::dashboard::Interval;
use crate::api::forecasts::{
    ForecastRequest, ForecastResult, Forecasts, MAX_REPLICATIONS, TierInput, WEEKDAYS, defaults,
    run_forecast,
};
use crate::auth::PageUser;
use crate::error::{AppError, PageResult};
use crate::pages::form::{Refusal, answer};
use crate::pages::{Chrome, PageRoutes, render};
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    PageRoutes::default()
        .get("/forecast", show)
        .post("/forecast", run)
}

/// The form as typed: text, so that a wrong value is shown back as given.
#[derive(Debug, Clone, Default)]
struct Fields {
    tiers: Vec<(String, String, String, String)>,
    capacity_per_day: String,
    weekdays: Vec<String>,
    policies: Vec<String>,
    horizon_days: String,
    replications: String,
    seed: String,
    child_share: String,
    no_show: String,
    standby_fill: String,
}

impl Fields {
    fn of(request: &ForecastRequest) -> Fields {
        Fields {
            tiers: request
                .tiers
                .iter()
                .map(|t| {
                    (
                        t.name.clone(),
                        t.backlog.to_string(),
                        t.referrals_per_day.to_string(),
                        t.annual_mortality.to_string(),
                    )
                })
                .collect(),
            capacity_per_day: request.capacity_per_day.to_string(),
            weekdays: request.weekdays.clone(),
            policies: request.policies.clone(),
            horizon_days: request.horizon_days.to_string(),
            replications: request.replications.to_string(),
            seed: request.seed.to_string(),
            child_share: request.child_share.to_string(),
            no_show: request.no_show.to_string(),
            standby_fill: request.standby_fill.to_string(),
        }
    }

    /// The fields of a submitted form, over the tiers of `defaults`.
    fn submitted(pairs: &[(String, String)], defaults: &ForecastRequest) -> Fields {
        let value = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let all = |key: &str| {
            pairs
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .collect()
        };
        Fields {
            tiers: defaults
                .tiers
                .iter()
                .map(|t| {
                    (
                        t.name.clone(),
                        value(&format!("backlog.{}", t.name)),
                        value(&format!("referrals.{}", t.name)),
                        value(&format!("mortality.{}", t.name)),
                    )
                })
                .collect(),
            capacity_per_day: value("capacity_per_day"),
            weekdays: all("weekday"),
            policies: all("policy"),
            horizon_days: value("horizon_days"),
            replications: value("replications"),
            seed: value("seed"),
            child_share: value("child_share"),
            no_show: value("no_show"),
            standby_fill: value("standby_fill"),
        }
    }

    /// The request, or the first field that is not a number.
    fn request(&self) -> Result<ForecastRequest, AppError> {
        fn whole(field: &str, text: &str) -> Result<i64, AppError> {
            corridor_domain::digits::latin_digits(text)
                .parse()
                .map_err(|_| {
                    AppError::bad_request(field, format!("{text:?} is not a whole number"))
                })
        }
        fn number(field: &str, text: &str) -> Result<f64, AppError> {
            corridor_domain::digits::latin_digits(text)
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| AppError::bad_request(field, format!("{text:?} is not a number")))
        }
        let tiers = self
            .tiers
            .iter()
            .map(|(name, backlog, referrals, mortality)| {
                Ok(TierInput {
                    name: name.clone(),
                    backlog: whole(&format!("backlog.{name}"), backlog)?,
                    referrals_per_day: number(&format!("referrals.{name}"), referrals)?,
                    annual_mortality: number(&format!("mortality.{name}"), mortality)?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        // Left empty, a share is 0.
        fn share_or_zero(field: &str, text: &str) -> Result<f64, AppError> {
            if text.is_empty() {
                Ok(0.0)
            } else {
                number(field, text)
            }
        }
        let seed = corridor_domain::digits::latin_digits(&self.seed)
            .parse()
            .map_err(|_| {
                AppError::bad_request(
                    "seed",
                    format!("{:?} is not a whole number from 0 up", self.seed),
                )
            })?;
        Ok(ForecastRequest {
            tiers,
            capacity_per_day: whole("capacity_per_day", &self.capacity_per_day)?,
            weekdays: self.weekdays.clone(),
            policies: self.policies.clone(),
            horizon_days: whole("horizon_days", &self.horizon_days)?,
            replications: whole("replications", &self.replications)?,
            seed,
            start: None,
            // Left empty, the share is 0: no child.
            child_share: if self.child_share.is_empty() {
                0.0
            } else {
                number("child_share", &self.child_share)?
            },
            no_show: share_or_zero("no_show", &self.no_show)?,
            standby_fill: share_or_zero("standby_fill", &self.standby_fill)?,
        })
    }

    /// The name of the form's field for the name an error uses.
    fn field_of(field: &str) -> Option<String> {
        let tier_field = ["backlog.", "referrals.", "mortality."]
            .iter()
            .any(|prefix| field.starts_with(prefix));
        match field {
            "weekdays" => Some("weekday".to_string()),
            "policies" => Some("policy".to_string()),
            "capacity_per_day" | "horizon_days" | "replications" | "seed" | "child_share"
            | "no_show" | "standby_fill" => Some(field.to_string()),
            _ if tier_field => Some(field.to_string()),
            _ => None,
        }
    }
}

struct Charts {
    waiting: String,
    deaths: Option<String>,
    policies: Option<String>,
}

#[derive(Template)]
#[template(path = "forecast.html")]
struct ForecastPage {
    chrome: Chrome,
    fields: Fields,
    /// What cannot be simulated, beside its field.
    refusal: Option<Refusal>,
    result: Option<ForecastResult>,
    charts: Option<Charts>,
    max_replications: i64,
}

impl ForecastPage {
    fn weekdays(&self) -> Vec<(&'static str, bool)> {
        WEEKDAYS
            .iter()
            .map(|(_, name)| (*name, self.fields.weekdays.iter().any(|d| d == name)))
            .collect()
    }

    fn policies(&self) -> Vec<(&'static str, bool)> {
        PolicySpec::ALL
            .iter()
            .map(|p| (p.name(), self.fields.policies.iter().any(|n| n == p.name())))
            .collect()
    }

    fn field(&self, prefix: &str, tier: &str) -> String {
        format!("{prefix}.{tier}")
    }

    fn interval(&self, interval: &Interval) -> String {
        if interval.high - interval.low < 0.05 {
            format!("{:.1}", interval.mean)
        } else {
            format!(
                "{:.1} (95% CI {:.1}–{:.1})",
                interval.mean, interval.low, interval.high
            )
        }
    }

    fn maybe(&self, interval: &Option<Interval>) -> String {
        interval
            .as_ref()
            .map_or("nobody evacuated".to_string(), |i| self.interval(i))
    }

    fn completion(&self, completion: &crate::api::forecasts::Completion) -> String {
        match &completion.days {
            Some(days) => format!("{} days", self.interval(days)),
            None => format!(
                "not within the horizon in {} of {} replications",
                completion.replications - completion.completed,
                completion.replications
            ),
        }
    }
}

async fn show(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
) -> PageResult<Response> {
    let request = defaults(&state, &identity).await?;
    let chrome = Chrome::new(&identity, &session, &state, "/forecast", "Forecast").await?;
    Ok(render(&ForecastPage {
        chrome,
        fields: Fields::of(&request),
        refusal: None,
        result: None,
        charts: None,
        max_replications: MAX_REPLICATIONS,
    })?)
}

async fn run(
    State(state): State<AppState>,
    PageUser(identity): PageUser,
    session: Session,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let fields = Fields::submitted(&pairs, &defaults(&state, &identity).await?);
    let outcome = match fields.request() {
        Ok(request) => run_forecast(&identity, &request, state.clock.today()).await,
        Err(error) => Err(error),
    };
    let chrome = Chrome::new(&identity, &session, &state, "/forecast", "Forecast").await?;
    let mut page = ForecastPage {
        chrome,
        fields,
        refusal: None,
        result: None,
        charts: None,
        max_replications: MAX_REPLICATIONS,
    };
    match outcome {
        Ok(forecasts) => {
            page.result = Some(ForecastResult::new(&forecasts));
            page.charts = charts(&forecasts);
        }
        Err(error) => page.refusal = Some(Refusal::of(error, Fields::field_of)?),
    }
    Ok(answer(render(&page)?, page.refusal.as_ref()))
}

fn charts(forecasts: &Forecasts) -> Option<Charts> {
    let all: Vec<&Forecast> = forecasts.runs.iter().collect();
    let first = all.first()?;
    Some(Charts {
        waiting: waiting_by_tier_chart("forecast-waiting", first),
        deaths: cumulative_deaths_chart("forecast-deaths", &all),
        policies: policy_comparison_chart("forecast-policies", &all),
    })
}
