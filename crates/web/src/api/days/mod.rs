//! A crossing day: the proposed plan with the reason of every pick and of
//! everyone left out, the coordinator's overrides, confirmation, the
//! confirmed manifest (names: every view is audited), the gate and the
//! end-of-day reconciliation. This module holds the routes and how a
//! request names its day; each step has its own module.

mod cancel;
mod gate;
mod manifest;
mod overrides;
mod plan;
mod reconciliation;
mod standby;

use corridor_domain::{Crossing, CrossingDay, Direction};
use corridor_planner::Method;
use corridor_store::parse_method;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::params::{given, parse_crossing, parse_date, parse_direction};
use crate::error::AppError;
use crate::state::AppState;

// The screens (`pages::days`) use these by the paths they had when this was one file.
pub use cancel::{CancelRequest, cancel_for};
pub use gate::{GateRequest, GateUndoRequest, gate_day, record_outcome, undo_outcome};
pub use manifest::{ManifestView, MemberView, PartyView, read_manifest};
pub use overrides::{OverrideRequest, override_for};
pub use plan::{
    ConfirmRequest, FacilityChoice, LeftOutView, PersonFacts, PlanView, confirm_for,
    facility_choices, plan_and_inputs,
};
pub use reconciliation::ReconciliationView;
pub use standby::{AmendRequest, StandbyView, amend_for, standby_for};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(plan::plan))
        .routes(routes!(overrides::add_override))
        .routes(routes!(plan::confirm))
        .routes(routes!(standby::standby))
        .routes(routes!(standby::amend))
        .routes(routes!(cancel::cancel))
        .routes(routes!(manifest::manifest))
        .routes(routes!(gate::gate))
        .routes(routes!(gate::undo))
        .routes(routes!(reconciliation::reconciliation))
}

/// A crossing day; without `date`, the next operating day from today.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    /// e.g. `rafah`; default the crossing evacuees leave by soonest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossing: Option<String>,
    /// `YYYY-MM-DD`; default the next operating day from today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `outbound` (default) or `inbound`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// `optimal` (default) or `greedy` (outbound only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

impl DayQuery {
    /// The day and direction asked for, with the defaults filled in.
    async fn resolve(&self, state: &AppState) -> Result<(CrossingDay, Direction), AppError> {
        let direction = parse_direction(self.direction.as_deref())?;
        let day = resolve_day(
            state,
            self.crossing.as_deref(),
            self.date.as_deref(),
            Some(direction),
        )
        .await?;
        Ok((day, direction))
    }
}

/// Resolves a day: the crossing (default [`Crossing::default_for`]: the one
/// evacuees leave by soonest) and the
/// date (default [`corridor_domain::Crossing::next_crossing_day`] from today, for
/// `direction` or for either when `None`).
pub async fn resolve_day(
    state: &AppState,
    crossing: Option<&str>,
    date: Option<&str>,
    direction: Option<Direction>,
) -> Result<CrossingDay, AppError> {
    let reference = state.store.reference().await?;
    let crossing = match given(crossing) {
        Some(text) => parse_crossing(text)?,
        None => Crossing::default_for(&reference.crossings, &reference.quotas, state.clock.today())
            .map(|c| c.id.clone())
            .ok_or_else(|| {
                AppError::bad_request(
                    "crossing",
                    "no crossing is registered yet; load reference data first",
                )
            })?,
    };
    let Some(known) = reference.crossings.iter().find(|c| c.id == crossing) else {
        let names: Vec<&str> = reference.crossings.iter().map(|c| c.id.as_str()).collect();
        return Err(AppError::bad_request(
            "crossing",
            format!(
                "no crossing '{crossing}' is registered; known crossings: {}",
                names.join(", ")
            ),
        ));
    };
    let date = match given(date) {
        Some(text) => parse_date("date", text)?,
        None => known.next_crossing_day(&reference.quotas, direction, state.clock.today()),
    };
    Ok(CrossingDay { crossing, date })
}

fn parse_method_field(text: Option<&str>) -> Result<Method, AppError> {
    match given(text) {
        None => Ok(Method::Optimal),
        Some(text) => parse_method(text).ok_or_else(|| {
            AppError::bad_request(
                "method",
                format!("unknown method '{text}'; use optimal or greedy"),
            )
        }),
    }
}
