//! What every handler needs: the store and the clock.

use std::sync::{Arc, Mutex};

use corridor_domain::report::ForecastSection;
use corridor_store::Store;
use jiff::Timestamp;
use jiff::civil::Date;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    /// Set the `Secure` flag on the session cookie (behind HTTPS).
    pub secure_cookies: bool,
    /// The dashboard's forecast, computed once per day and backlog.
    pub forecasts: ForecastCache,
    /// The secret gateways sign delivery reports with; without one,
    /// delivery reports are refused.
    pub notices_secret: Option<String>,
}

/// The last forecast of the registry's backlog the dashboard computed, with
/// what it was computed from: reused while the day, the backlog and the
/// capacity are the same (a new referral, death or evacuation changes the
/// backlog, so the forecast is never older than the registry it shows).
#[derive(Clone, Default)]
pub struct ForecastCache(Arc<Mutex<Option<CachedForecast>>>);

type CachedForecast = (ForecastKey, Arc<ForecastSection>);

/// What a cached forecast was computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastKey {
    pub day: Date,
    pub backlog: Vec<(String, u64)>,
    pub places_per_day: u32,
}

impl ForecastCache {
    pub fn get(&self, key: &ForecastKey) -> Option<Arc<ForecastSection>> {
        let cached = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cached
            .as_ref()
            .filter(|(cached_key, _)| cached_key == key)
            .map(|(_, section)| Arc::clone(section))
    }

    pub fn put(&self, key: ForecastKey, section: Arc<ForecastSection>) {
        let mut cached = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *cached = Some((key, section));
    }
}

/// The server's idea of today. Fixed for demonstrations and tests
/// (`--today`), otherwise the real date in UTC.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    pub fixed_today: Option<Date>,
}

impl Clock {
    pub fn now(self) -> Timestamp {
        let now = Timestamp::now();
        match self.fixed_today {
            None => now,
            Some(today) => {
                let utc = jiff::tz::Offset::UTC;
                utc.to_timestamp(today.to_datetime(utc.to_datetime(now).time()))
                    .unwrap_or(now)
            }
        }
    }

    pub fn today(self) -> Date {
        self.fixed_today
            .unwrap_or_else(|| jiff::tz::Offset::UTC.to_datetime(Timestamp::now()).date())
    }
}
