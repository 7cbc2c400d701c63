//! What every handler needs: the store and the clock.

use corridor_store::Store;
use jiff::Timestamp;
use jiff::civil::Date;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    /// Set the `Secure` flag on the session cookie (behind HTTPS).
    pub secure_cookies: bool,
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
