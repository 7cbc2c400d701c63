//! Crossings, their operating days and their daily quotas.

use jiff::civil::{Date, Weekday};

use crate::{InvalidValue, ReasonKind, Text, check_identifier, labelled_enum};

/// A short, stable name for a crossing, such as `rafah`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CrossingId(String);

impl CrossingId {
    pub fn parse(text: &str) -> Result<CrossingId, InvalidValue> {
        check_identifier("crossing", text).map(CrossingId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CrossingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

labelled_enum! {
    Direction, field = "direction" {
        /// Leaving the territory (medical evacuation).
        Outbound = "outbound",
        /// Entering the territory (returnees).
        Inbound = "inbound",
    }
}

labelled_enum! {
    /// What a quota counts. Companions take places in the evacuee quota.
    QuotaCategory, field = "category" {
        /// Patients and their companions leaving for treatment.
        Evacuees = "evacuees",
        /// People going back in.
        Returnees = "returnees",
    }
}

impl QuotaCategory {
    /// The category a direction's places are counted in: evacuees leave,
    /// returnees come back.
    pub fn of(direction: Direction) -> QuotaCategory {
        match direction {
            Direction::Outbound => QuotaCategory::Evacuees,
            Direction::Inbound => QuotaCategory::Returnees,
        }
    }
}

/// The days of the week a crossing operates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    pub const EVERY_DAY: WeekdaySet = WeekdaySet(0b111_1111);

    fn bit(day: Weekday) -> u8 {
        1 << day.to_monday_zero_offset()
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & WeekdaySet::bit(day) != 0
    }

    pub fn operates_on(self, date: Date) -> bool {
        self.contains(date.weekday())
    }

    /// Parses a comma-separated list of three-letter day names, e.g. `sun,mon,tue,wed,thu`.
    pub fn parse(text: &str) -> Result<WeekdaySet, InvalidValue> {
        let mut bits = 0u8;
        for name in text
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            let day = DAY_NAMES
                .iter()
                .find(|(label, _)| label.eq_ignore_ascii_case(name))
                .map(|(_, day)| *day)
                .ok_or_else(|| {
                    InvalidValue::new(
                        "operating_days",
                        format!("unknown day '{name}'; use mon, tue, wed, thu, fri, sat, sun"),
                    )
                })?;
            bits |= WeekdaySet::bit(day);
        }
        if bits == 0 {
            return Err(InvalidValue::new(
                "operating_days",
                "names no day; a crossing operates on at least one day",
            ));
        }
        Ok(WeekdaySet(bits))
    }

    /// The days either set operates on.
    pub fn union(self, other: WeekdaySet) -> WeekdaySet {
        WeekdaySet(self.0 | other.0)
    }

    pub fn days(self) -> Vec<Weekday> {
        DAY_NAMES
            .iter()
            .map(|(_, day)| *day)
            .filter(|day| self.contains(*day))
            .collect()
    }
}

const DAY_NAMES: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

impl std::fmt::Display for WeekdaySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = DAY_NAMES
            .iter()
            .filter(|(_, day)| self.contains(*day))
            .map(|(name, _)| *name)
            .collect();
        f.write_str(&names.join(","))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crossing {
    pub id: CrossingId,
    pub name: Text,
    pub directions: Vec<Direction>,
    pub operating_days: WeekdaySet,
}

/// A crossing and a date: the day a plan, a manifest or the gate is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossingDay {
    pub crossing: CrossingId,
    pub date: Date,
}

impl Crossing {
    /// How many days from today the default crossing day is looked for.
    pub const DAYS_AHEAD: i32 = 31;

    /// The crossing day to work on when none is given: the first day from
    /// `today` (today included) on which the crossing operates with a
    /// quota in force in `direction` (in either direction when `None`).
    /// Plans are made the night before, so on a closed day this is the next
    /// day people can cross, not a day with nothing to plan. `today` when no
    /// such day comes within [`Crossing::DAYS_AHEAD`] days.
    pub fn next_crossing_day(
        &self,
        quotas: &[Quota],
        direction: Option<Direction>,
        today: Date,
    ) -> Date {
        self.crossing_day_ahead(quotas, direction, today)
            .unwrap_or(today)
    }

    /// The crossing a day screen opens on when none is asked for: the one
    /// evacuees can leave by soonest (an outbound evacuee quota in force on
    /// its next crossing day), since the plan and the gate are mostly about
    /// them; the first registered crossing when none has such a day within
    /// [`Crossing::DAYS_AHEAD`] days. Among equals, the first registered.
    pub fn default_for<'a>(
        crossings: &'a [Crossing],
        quotas: &[Quota],
        today: Date,
    ) -> Option<&'a Crossing> {
        Crossing::soonest(crossings, quotas, Direction::Outbound, today)
    }

    /// The crossing people cross by soonest in `direction` (a quota of the
    /// direction in force on its next crossing day): outbound, the
    /// crossing evacuees leave by ([`Crossing::default_for`]); inbound, the
    /// one returnees enter by. The first registered crossing when none has
    /// such a day within [`Crossing::DAYS_AHEAD`] days; among equals, the
    /// first registered.
    pub fn soonest<'a>(
        crossings: &'a [Crossing],
        quotas: &[Quota],
        direction: Direction,
        today: Date,
    ) -> Option<&'a Crossing> {
        crossings
            .iter()
            .filter_map(|crossing| {
                crossing
                    .crossing_day_ahead(quotas, Some(direction), today)
                    .map(|day| (day, crossing))
            })
            .min_by_key(|(day, _)| *day)
            .map(|(_, crossing)| crossing)
            .or_else(|| crossings.first())
    }

    /// The first crossing day from `today` within [`Crossing::DAYS_AHEAD`]
    /// days, if any (see [`Crossing::next_crossing_day`]).
    fn crossing_day_ahead(
        &self,
        quotas: &[Quota],
        direction: Option<Direction>,
        today: Date,
    ) -> Option<Date> {
        let directions: Vec<Direction> = match direction {
            Some(direction) => vec![direction],
            None => self.directions.clone(),
        };
        (0..Crossing::DAYS_AHEAD)
            .filter_map(|ahead| today.checked_add(jiff::Span::new().days(ahead)).ok())
            .find(|day| {
                self.operating_days.operates_on(*day)
                    && directions.iter().any(|direction| {
                        Quota::in_force(
                            quotas,
                            &self.id,
                            *direction,
                            QuotaCategory::of(*direction),
                            *day,
                        )
                        .is_some()
                    })
            })
    }
}

/// How many people of a category may cross in a direction per operating
/// day, over a period. `valid_to` is inclusive; `None` means until further notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    pub crossing: CrossingId,
    pub direction: Direction,
    pub category: QuotaCategory,
    pub per_day: u32,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

impl Quota {
    pub fn new(
        crossing: CrossingId,
        direction: Direction,
        category: QuotaCategory,
        per_day: u32,
        valid_from: Date,
        valid_to: Option<Date>,
    ) -> Result<Quota, InvalidValue> {
        if let Some(to) = valid_to
            && to < valid_from
        {
            return Err(InvalidValue::new(
                "valid_to",
                format!("{to} is before valid_from {valid_from}"),
            ));
        }
        Ok(Quota {
            crossing,
            direction,
            category,
            per_day,
            valid_from,
            valid_to,
        })
    }

    pub fn applies_on(&self, date: Date) -> bool {
        date >= self.valid_from && self.valid_to.is_none_or(|to| date <= to)
    }

    /// Whether two quotas count the same places (crossing, direction and
    /// category) over periods that share a day.
    pub fn overlaps(&self, other: &Quota) -> bool {
        self.crossing == other.crossing
            && self.direction == other.direction
            && self.category == other.category
            && self.valid_to.is_none_or(|to| other.valid_from <= to)
            && other.valid_to.is_none_or(|to| self.valid_from <= to)
    }

    /// The one quota in force for a crossing, direction and category on a
    /// date: the quota whose period covers the date. Overlapping quotas are
    /// refused when they are entered ([`check_quota_periods`]), so there is
    /// at most one; a registry that holds overlaps from before that check
    /// gets the one with the latest `valid_from` (then the fewest places,
    /// then the earliest end), whatever the order of `all`.
    pub fn in_force<'a>(
        all: &'a [Quota],
        crossing: &CrossingId,
        direction: Direction,
        category: QuotaCategory,
        date: Date,
    ) -> Option<&'a Quota> {
        all.iter()
            .filter(|quota| {
                &quota.crossing == crossing
                    && quota.direction == direction
                    && quota.category == category
                    && quota.applies_on(date)
            })
            .max_by_key(|quota| {
                (
                    quota.valid_from,
                    std::cmp::Reverse(quota.per_day),
                    std::cmp::Reverse(quota.valid_to.unwrap_or(Date::MAX)),
                )
            })
    }

    /// The period as `from 2026-02-02` or `2026-02-02 to 2026-03-01`.
    pub fn period(&self) -> String {
        match self.valid_to {
            Some(to) => format!("{} to {to}", self.valid_from),
            None => format!("from {}", self.valid_from),
        }
    }
}

/// Refuses quotas that count the same places over periods that share a
/// day: for a crossing, direction and category, at most one quota is in
/// force on any date. The error names both quotas.
pub fn check_quota_periods(quotas: &[Quota]) -> Result<(), InvalidValue> {
    for (index, first) in quotas.iter().enumerate() {
        if let Some(second) = quotas[index + 1..].iter().find(|q| q.overlaps(first)) {
            return Err(InvalidValue::new(
                "quotas",
                format!(
                    "the {} {} quota of {} {} ({} a day) overlaps the one {} ({} a day); \
                     end the first before the second begins",
                    first.category,
                    first.direction,
                    first.crossing,
                    first.period(),
                    first.per_day,
                    second.period(),
                    second.per_day
                ),
            ));
        }
    }
    Ok(())
}

/// The rules a crossing works under over a period, besides its quotas: how
/// many companions a patient may bring, and whether entries must equal exits
/// each day (reported for Rafah since February 2026). `valid_to` is
/// inclusive; `None` means until further notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossingRules {
    pub crossing: CrossingId,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub max_companions: u32,
    pub entries_equal_exits: bool,
    /// Where the rule comes from (a decision, a report).
    pub source: Text,
}

impl CrossingRules {
    /// The rules that apply where no period is recorded: companions are
    /// limited only by the quota, and the directions are independent.
    pub const UNRESTRICTED_COMPANIONS: u32 = 10;

    pub fn new(
        crossing: CrossingId,
        valid_from: Date,
        valid_to: Option<Date>,
        max_companions: u32,
        entries_equal_exits: bool,
        source: Text,
    ) -> Result<CrossingRules, InvalidValue> {
        if let Some(to) = valid_to
            && to < valid_from
        {
            return Err(InvalidValue::new(
                "valid_to",
                format!("{to} is before valid_from {valid_from}"),
            ));
        }
        if max_companions > CrossingRules::UNRESTRICTED_COMPANIONS {
            return Err(InvalidValue::new(
                "max_companions",
                format!(
                    "{max_companions} is more than {}; no crossing lets a patient bring more",
                    CrossingRules::UNRESTRICTED_COMPANIONS
                ),
            ));
        }
        Ok(CrossingRules {
            crossing,
            valid_from,
            valid_to,
            max_companions,
            entries_equal_exits,
            source,
        })
    }

    pub fn applies_on(&self, date: Date) -> bool {
        date >= self.valid_from && self.valid_to.is_none_or(|to| date <= to)
    }

    /// The rules in force on a crossing on a date: the latest period that
    /// covers it.
    pub fn in_force<'a>(
        all: &'a [CrossingRules],
        crossing: &CrossingId,
        date: Date,
    ) -> Option<&'a CrossingRules> {
        all.iter()
            .filter(|rules| &rules.crossing == crossing && rules.applies_on(date))
            .max_by_key(|rules| rules.valid_from)
    }

    /// How many companions a patient registered on `date` may bring: the
    /// most that any crossing's rules in force allow (the patient may leave
    /// by any of them), or [`CrossingRules::UNRESTRICTED_COMPANIONS`] where
    /// none are in force.
    pub fn companion_limit(all: &[CrossingRules], date: Date) -> u32 {
        all.iter()
            .filter_map(|rules| CrossingRules::in_force(all, &rules.crossing, date))
            .map(|rules| rules.max_companions)
            .max()
            .unwrap_or(CrossingRules::UNRESTRICTED_COMPANIONS)
    }
}

labelled_enum! {
    /// What happened to a person on a confirmed manifest at the gate.
    GateOutcome, field = "outcome" {
        Crossed = "crossed",
        TurnedBack = "turned-back",
        NoShow = "no-show",
    }
}

impl GateOutcome {
    /// The kind of reason the outcome carries: turned back and no-show have one.
    pub fn reason_kind(self) -> Option<ReasonKind> {
        match self {
            GateOutcome::Crossed => None,
            GateOutcome::TurnedBack => Some(ReasonKind::TurnedBack),
            GateOutcome::NoShow => Some(ReasonKind::NoShow),
        }
    }
}

impl GateOutcome {
    /// Whether an outcome may be recorded on `today` for the crossing day
    /// `day`: not before the day has come, since nobody has been to the
    /// gate yet. A day gone by may still be completed.
    pub fn check_day(day: Date, today: Date) -> Result<(), String> {
        if day > today {
            return Err(format!(
                "{day} has not come yet (today is {today}): outcomes are recorded at the gate on the crossing day"
            ));
        }
        Ok(())
    }

    /// Whether an outcome recorded for the crossing day `day` may be undone
    /// on `today`: only on that day, while the people are still at the gate.
    pub fn check_undo_day(day: Date, today: Date) -> Result<(), String> {
        if day != today {
            return Err(format!(
                "an outcome is undone only on its crossing day, and {day} is not today ({today})"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn weekday_sets_round_trip_and_reject_unknown_days() {
        let days = WeekdaySet::parse("sun, mon,tue,wed,thu").unwrap();
        assert_eq!(days.to_string(), "mon,tue,wed,thu,sun");
        assert!(days.operates_on(date(2026, 2, 1))); // a Sunday
        assert!(!days.operates_on(date(2026, 2, 6))); // a Friday
        assert!(WeekdaySet::parse("mon,funday").is_err());
        let union = days.union(WeekdaySet::parse("fri").unwrap());
        assert_eq!(union.to_string(), "mon,tue,wed,thu,fri,sun");
        assert!(WeekdaySet::parse("").is_err());
    }

    #[test]
    fn quota_periods_are_inclusive() {
        let rafah = CrossingId::parse("rafah").unwrap();
        let quota = Quota::new(
            rafah.clone(),
            Direction::Outbound,
            QuotaCategory::Evacuees,
            50,
            date(2026, 2, 2),
            Some(date(2026, 3, 1)),
        )
        .unwrap();
        assert!(!quota.applies_on(date(2026, 2, 1)));
        assert!(quota.applies_on(date(2026, 2, 2)));
        assert!(quota.applies_on(date(2026, 3, 1)));
        assert!(!quota.applies_on(date(2026, 3, 2)));
        assert!(
            Quota::new(
                rafah.clone(),
                Direction::Inbound,
                QuotaCategory::Returnees,
                50,
                date(2026, 2, 2),
                Some(date(2026, 2, 1))
            )
            .is_err()
        );
    }

    #[test]
    fn outcomes_wait_for_their_day_and_are_undone_only_on_it() {
        let today = date(2026, 2, 8);
        assert!(GateOutcome::check_day(today, today).is_ok());
        assert!(GateOutcome::check_day(date(2026, 2, 7), today).is_ok());
        assert_eq!(
            GateOutcome::check_day(date(2026, 2, 9), today).unwrap_err(),
            "2026-02-09 has not come yet (today is 2026-02-08): outcomes are recorded at the gate on the crossing day"
        );
        assert!(GateOutcome::check_undo_day(today, today).is_ok());
        for day in [date(2026, 2, 7), date(2026, 2, 9)] {
            assert!(GateOutcome::check_undo_day(day, today).is_err(), "{day}");
        }
    }

    /// Screens open on the crossing evacuees leave by soonest, not on the
    /// first registered one, which may take only returnees or be closed.
    #[test]
    fn the_default_crossing_is_the_one_evacuees_leave_by_soonest() {
        let crossing = |id: &str, days: &str| Crossing {
            id: CrossingId::parse(id).unwrap(),
            name: Text::parse("name", id, 80).unwrap(),
            directions: vec![Direction::Outbound, Direction::Inbound],
            operating_days: WeekdaySet::parse(days).unwrap(),
        };
        let quota = |id: &str, direction: Direction, from: Date| {
            Quota::new(
                CrossingId::parse(id).unwrap(),
                direction,
                QuotaCategory::of(direction),
                20,
                from,
                None,
            )
            .unwrap()
        };
        // 2026-02-06 is a Friday.
        let today = date(2026, 2, 6);
        let crossings = [
            crossing("kerem-shalom", "mon,tue,wed,thu,fri,sat,sun"),
            crossing("rafah", "sun,mon,tue,wed,thu"),
            crossing("zikim", "mon,tue,wed,thu,fri,sat,sun"),
        ];
        let id = |found: Option<&Crossing>| found.map(|c| c.id.to_string());
        // Only returnees come in at Kerem Shalom; evacuees leave by Rafah
        // on Sunday and by Zikim from Monday.
        let quotas = [
            quota("kerem-shalom", Direction::Inbound, today),
            quota("rafah", Direction::Outbound, today),
            quota("zikim", Direction::Outbound, date(2026, 2, 9)),
        ];
        let chosen = Crossing::default_for(&crossings, &quotas, today);
        assert_eq!(id(chosen), Some("rafah".to_string()));
        assert_eq!(
            crossings[1].next_crossing_day(&quotas, None, today),
            date(2026, 2, 8)
        );
        // Equally soon: the first registered of them.
        let quotas = [
            quota("zikim", Direction::Outbound, today),
            quota("kerem-shalom", Direction::Outbound, today),
        ];
        assert_eq!(
            id(Crossing::default_for(&crossings, &quotas, today)),
            Some("kerem-shalom".to_string())
        );
        // No evacuee quota anywhere: the first registered crossing.
        let quotas = [quota("rafah", Direction::Inbound, today)];
        assert_eq!(
            id(Crossing::default_for(&crossings, &quotas, today)),
            Some("kerem-shalom".to_string())
        );
        assert_eq!(Crossing::default_for(&[], &quotas, today), None);
    }

    #[test]
    fn rules_in_force_are_the_latest_period_covering_the_day() {
        let rafah = CrossingId::parse("rafah").unwrap();
        let source = Text::parse("source", "test", 200).unwrap();
        let rules = [
            CrossingRules::new(
                rafah.clone(),
                date(2025, 1, 1),
                None,
                4,
                false,
                source.clone(),
            )
            .unwrap(),
            CrossingRules::new(
                rafah.clone(),
                date(2026, 2, 2),
                Some(date(2026, 6, 30)),
                2,
                true,
                source.clone(),
            )
            .unwrap(),
        ];
        let on = |day| CrossingRules::in_force(&rules, &rafah, day).map(|r| r.max_companions);
        assert_eq!(on(date(2024, 12, 31)), None);
        assert_eq!(on(date(2026, 2, 1)), Some(4));
        assert_eq!(on(date(2026, 2, 2)), Some(2));
        assert_eq!(on(date(2026, 6, 30)), Some(2));
        assert_eq!(on(date(2026, 7, 1)), Some(4));
        assert_eq!(CrossingRules::companion_limit(&rules, date(2026, 2, 2)), 2);
        assert_eq!(
            CrossingRules::companion_limit(&rules, date(2024, 12, 31)),
            CrossingRules::UNRESTRICTED_COMPANIONS
        );
        let error = CrossingRules::new(
            rafah,
            date(2026, 2, 2),
            Some(date(2026, 2, 1)),
            2,
            true,
            source,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "valid_to: 2026-02-01 is before valid_from 2026-02-02"
        );
    }
}
