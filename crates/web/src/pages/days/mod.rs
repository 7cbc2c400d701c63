//! The crossing-day screens: the day plan with its reasons and overrides,
//! the printable manifest, and the gate.

mod calls;
mod gate;
mod plan;

use serde::Serialize;

use crate::pages::PageRoutes;
use crate::state::AppState;

pub fn routes() -> PageRoutes {
    plan::routes().merge(gate::routes()).merge(calls::routes())
}

pub(super) fn day_link(path: &str, crossing: &str, date: &str, direction: Option<&str>) -> String {
    #[derive(Serialize)]
    struct Link<'a> {
        crossing: &'a str,
        date: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        direction: Option<&'a str>,
    }
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(Link {
            crossing,
            date,
            direction
        })
        .unwrap_or_default()
    )
}

/// The crossings a select offers, as (id, name): the id is sent, the name
/// shown.
pub(crate) async fn crossings(
    state: &AppState,
) -> Result<Vec<(String, String)>, crate::error::AppError> {
    Ok(state
        .store
        .reference()
        .await?
        .crossings
        .iter()
        .map(|c| (c.id.to_string(), c.name.to_string()))
        .collect())
}
