//! Times as the people at the crossing read them: "2 Dec 2026, 09:55",
//! on the crossing's clock (Asia/Gaza), not an RFC 3339 instant in UTC.
//!
//! The API keeps RFC 3339 in UTC; only the pages turn it into this.

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The crossing's time zone. Gaza observes summer time, so the offset from
/// UTC is +2 in winter and +3 in summer.
pub const CROSSING_TIME_ZONE: &str = "Asia/Gaza";

/// The rules come from the time zone database bundled into the binary
/// (jiff's `tzdb-bundle-always`), so the server reads the same clock
/// whether or not the machine has /usr/share/zoneinfo. Should the name
/// ever be missing, times are shown in UTC and say so (see [`readable`]).
static CROSSING: LazyLock<Option<TimeZone>> =
    LazyLock::new(|| jiff::tz::db().get(CROSSING_TIME_ZONE).ok());

/// An instant as "2 Dec 2026, 09:55" in the crossing's time zone. Text that
/// is not an RFC 3339 instant is shown as it is, so a page never fails on it.
pub fn readable(instant: &str) -> String {
    match instant.parse::<Timestamp>() {
        Ok(at) => readable_at(at),
        Err(_) => instant.to_string(),
    }
}

/// [`readable`] for an instant that may be absent ("–").
pub fn readable_or_dash(instant: &Option<String>) -> String {
    instant.as_deref().map_or_else(|| "–".to_string(), readable)
}

fn readable_at(at: Timestamp) -> String {
    match CROSSING.as_ref() {
        Some(zone) => zone.to_datetime(at).strftime(FORMAT).to_string(),
        None => format!("{} UTC", TimeZone::UTC.to_datetime(at).strftime(FORMAT)),
    }
}

const FORMAT: &str = "%-d %b %Y, %H:%M";

#[cfg(test)]
mod tests {
    use super::*;

    fn check(instant: &str, expected: &str) {
        assert_eq!(readable(instant), expected, "{instant}");
    }

    #[test]
    fn the_crossing_time_zone_is_bundled() {
        assert!(
            CROSSING.is_some(),
            "{CROSSING_TIME_ZONE} is not in the bundled database"
        );
    }

    #[test]
    fn winter_is_two_hours_ahead_of_utc() {
        check("2026-12-02T07:55:14.319061Z", "2 Dec 2026, 09:55");
        check("2026-01-31T22:05:00Z", "1 Feb 2026, 00:05");
    }

    #[test]
    fn summer_is_three_hours_ahead_of_utc() {
        check("2026-07-15T06:55:00Z", "15 Jul 2026, 09:55");
        check("2026-08-31T21:30:00+00:00", "1 Sep 2026, 00:30");
    }

    #[test]
    fn text_that_is_not_an_instant_is_kept() {
        check("2026-12-02", "2026-12-02");
        check("", "");
        assert_eq!(readable_or_dash(&None), "–");
    }
}
