//! Days counted from `today`, and the timestamps of the events on them.

use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// A day as an offset from `today`: 0 is today, -1 yesterday, 1 tomorrow.
pub(crate) type Day = i32;

/// How far back the list reaches: referrals of the last two years.
pub(crate) const FIRST_DAY: Day = -730;

/// The `today` of the default configuration, to which the public timeline
/// (ceasefires, closures) is anchored before it is shifted to the configured `today`.
pub(crate) const REFERENCE_TODAY: Date = date(2026, 2, 1);

const SECONDS_PER_DAY: i64 = 86_400;
/// Events are recorded between 07:00 and 12:00 UTC (09:00 to 14:00 in Gaza).
const FIRST_EVENT_MINUTE: i64 = 7 * 60;
const LAST_EVENT_MINUTE: i64 = 12 * 60;

pub(crate) struct Calendar {
    today: Date,
    today_midnight: i64,
    /// The last day on which events can be recorded without passing `now`.
    pub(crate) latest_day: Day,
}

impl Calendar {
    pub(crate) fn new(today: Date, now: Timestamp) -> Calendar {
        let today_midnight = TimeZone::UTC
            .to_timestamp(today.at(0, 0, 0, 0))
            .expect("midnight UTC exists on every date jiff can represent")
            .as_second();
        let last_recordable_day =
            (now.as_second() - today_midnight - LAST_EVENT_MINUTE * 60).div_euclid(SECONDS_PER_DAY);
        // A `now` far before `today` is a misconfiguration; clamping keeps
        // every step of the generator well defined (see `DemoConfig::now`).
        let latest_day = last_recordable_day.clamp(i64::from(FIRST_DAY) / 2, 0);
        Calendar {
            today,
            today_midnight,
            latest_day: Day::try_from(latest_day).expect("clamped to a small range"),
        }
    }

    pub(crate) fn date(&self, day: Day) -> Date {
        self.today
            .checked_add(SignedDuration::from_hours(24 * i64::from(day)))
            .expect("demo days lie within a few years of today")
    }

    /// The day of a real calendar date on the public timeline, shifted so
    /// that the timeline keeps its distance to `today`.
    pub(crate) fn shifted(&self, real: Date) -> Day {
        let hours = real.duration_since(REFERENCE_TODAY).as_hours();
        Day::try_from(hours / 24).expect("timeline dates are near the reference date")
    }

    /// A timestamp `minute` minutes after the midnight that starts day 0.
    pub(crate) fn timestamp(&self, minute: i64) -> Timestamp {
        Timestamp::from_second(self.today_midnight + minute * 60)
            .expect("demo timestamps lie within a few years of today")
    }
}

/// Hands out strictly increasing event minutes for one person, each inside
/// the working hours of the day it is asked for (or just after the previous
/// event when several fall on the same day).
pub(crate) struct EventClock {
    last_minute: i64,
}

impl EventClock {
    pub(crate) fn new() -> EventClock {
        EventClock {
            last_minute: i64::MIN,
        }
    }

    /// `spread` is a random number of minutes into the working morning,
    /// `step` a random gap of a few minutes after a previous event that day.
    pub(crate) fn minute_on(&mut self, day: Day, spread: i64, step: i64) -> i64 {
        let window = (LAST_EVENT_MINUTE - FIRST_EVENT_MINUTE) * 3 / 5;
        let mut minute = i64::from(day) * 1440 + FIRST_EVENT_MINUTE + spread.rem_euclid(window);
        if minute <= self.last_minute {
            minute = self.last_minute + step.max(1);
        }
        self.last_minute = minute;
        minute
    }
}
