//! The night before a crossing day: how each party is reached (its contact
//! channels), where it meets (the day's assembly points), and what each
//! call answered.
//!
//! Contacts are personal data, with the same protection as names: a phone
//! number is read and changed only by the roles that see names, and never
//! leaves in an aggregate or a pseudonymised export.
//!
//! The call outcomes and the cut-off are pure rules here: the store records
//! them, the CLI and the web read what is typed through the parse functions
//! below, so that a number or a time is refused in the same words
//! everywhere.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};

use crate::{InvalidValue, Text, labelled_enum};

/// A phone number as dialled: `+`, then the country code and the number,
/// 7 to 15 digits in all (ITU-T E.164). Spaces, dashes, dots and
/// parentheses typed between the digits are removed; the number is kept
/// and shown as `+` and digits only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub const MIN_DIGITS: usize = 7;
    pub const MAX_DIGITS: usize = 15;
    /// The country code reserved for the demo data and tests: no number
    /// under it is ever dialled.
    pub const DEMO_PREFIX: &'static str = "+999";

    pub fn parse(text: &str) -> Result<PhoneNumber, InvalidValue> {
        let text = crate::digits::latin_digits(text);
        let text = text.trim();
        let invalid = |problem: String| InvalidValue::new("phone", problem);
        if text.is_empty() {
            return Err(invalid(
                "is empty: give the number with its country code, e.g. +970 59 123 4567"
                    .to_string(),
            ));
        }
        let Some(rest) = text.strip_prefix('+') else {
            return Err(invalid(format!(
                "'{text}' does not start with '+': give the number with its country code, e.g. +970 59 123 4567"
            )));
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                other => {
                    return Err(invalid(format!(
                        "'{text}' contains '{other}'; a number is '+' and digits (spaces and dashes are allowed)"
                    )));
                }
            }
        }
        let count = digits.len();
        if !(PhoneNumber::MIN_DIGITS..=PhoneNumber::MAX_DIGITS).contains(&count) {
            return Err(invalid(format!(
                "'{text}' has {count} digits; a number with its country code has {} to {}",
                PhoneNumber::MIN_DIGITS,
                PhoneNumber::MAX_DIGITS
            )));
        }
        if digits.starts_with('0') {
            return Err(invalid(format!(
                "'{text}': a country code does not start with 0; write the number as +country code and number"
            )));
        }
        Ok(PhoneNumber(format!("+{digits}")))
    }

    /// `+` and digits, as stored and dialled.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

labelled_enum! {
    /// The language a party prefers to be spoken and written to in.
    Language, field = "language" {
        Arabic = "ar",
        English = "en",
    }
}

impl Language {
    pub fn label(self) -> &'static str {
        match self {
            Language::Arabic => "Arabic",
            Language::English => "English",
        }
    }
}

/// A contact channel of a person, as given: the number, whose it is
/// ("patient", "mother"), and the language to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub phone: PhoneNumber,
    pub label: Text,
    pub language: Language,
}

impl NewContact {
    /// The longest label of a contact.
    pub const LABEL_MAX_CHARS: usize = 60;

    /// A contact from what was typed (the CLI's flags, the web form, the
    /// API's body). Without a language, Arabic, the language of most
    /// families; every field at fault is named.
    pub fn parse(
        phone: &str,
        label: &str,
        language: Option<&str>,
    ) -> Result<NewContact, InvalidValue> {
        let phone = PhoneNumber::parse(phone)?;
        let label = Text::parse("label", label, NewContact::LABEL_MAX_CHARS).map_err(|e| {
            if label.trim().is_empty() {
                InvalidValue::new(
                    "label",
                    "is empty: say whose number it is, e.g. patient or mother",
                )
            } else {
                e
            }
        })?;
        let language = match language.map(str::trim).filter(|l| !l.is_empty()) {
            None => Language::Arabic,
            Some(text) => Language::parse(text)?,
        };
        Ok(NewContact {
            phone,
            label,
            language,
        })
    }
}

/// A contact channel kept for a person: numbered from 1 within the person,
/// numbers never reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub number: u32,
    pub phone: PhoneNumber,
    pub label: Text,
    pub language: Language,
}

/// A time of day on the crossing's clock, `HH:MM` (24 hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MeetingTime(Time);

impl MeetingTime {
    pub fn parse(field: &'static str, text: &str) -> Result<MeetingTime, InvalidValue> {
        let text = crate::digits::latin_digits(text);
        let text = text.trim();
        let refuse = || {
            InvalidValue::new(
                field,
                format!("'{text}' is not a time; write it as HH:MM, e.g. 05:30"),
            )
        };
        let (hours, minutes) = text.split_once(':').ok_or_else(refuse)?;
        if hours.is_empty()
            || hours.len() > 2
            || minutes.len() != 2
            || !hours
                .chars()
                .chain(minutes.chars())
                .all(|c| c.is_ascii_digit())
        {
            return Err(refuse());
        }
        let hours: i8 = hours.parse().map_err(|_| refuse())?;
        let minutes: i8 = minutes.parse().map_err(|_| refuse())?;
        Time::new(hours, minutes, 0, 0)
            .map(MeetingTime)
            .map_err(|_| refuse())
    }

    pub fn time(self) -> Time {
        self.0
    }
}

impl std::fmt::Display for MeetingTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}

/// A place where parties meet on the crossing day, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssemblyPoint {
    pub place: Text,
    pub time: MeetingTime,
}

impl NewAssemblyPoint {
    pub const PLACE_MAX_CHARS: usize = 100;

    pub fn parse(place: &str, time: &str) -> Result<NewAssemblyPoint, InvalidValue> {
        Ok(NewAssemblyPoint {
            place: Text::parse("place", place, NewAssemblyPoint::PLACE_MAX_CHARS)?,
            time: MeetingTime::parse("time", time)?,
        })
    }
}

/// An assembly point of a crossing day, numbered from 1 within the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssemblyPoint {
    pub number: u32,
    pub place: Text,
    pub time: MeetingTime,
}

/// The point a party meets at: the one the coordinator gave it, or by
/// default the day's first. `None` when the day has no point yet.
pub fn assembly_point_of(
    points: &[AssemblyPoint],
    assigned: Option<u32>,
) -> Option<&AssemblyPoint> {
    match assigned {
        Some(number) => points.iter().find(|p| p.number == number),
        None => points.iter().min_by_key(|p| p.number),
    }
}

labelled_enum! {
    /// What a call to a party answered.
    CallOutcome, field = "outcome" {
        /// The party will come: nothing changes on the manifest.
        Confirmed = "confirmed",
        /// The party will not come: its places are freed at once.
        Declined = "declined",
        /// Nobody answered: the party keeps its places until the day's
        /// cut-off, after which they count as free.
        Unreachable = "unreachable",
    }
}

/// A call's outcome as recorded: a decline says why, in a few words that
/// stay with the party's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecording {
    pub outcome: CallOutcome,
    pub reason: Option<Text>,
}

impl CallRecording {
    /// The longest reason of a call outcome.
    pub const REASON_MAX_CHARS: usize = 200;

    /// An outcome from what was typed. A decline needs a reason; the other
    /// outcomes may carry one (a note such as "phone switched off").
    pub fn parse(outcome: &str, reason: Option<&str>) -> Result<CallRecording, InvalidValue> {
        if outcome.trim().is_empty() {
            return Err(InvalidValue::new(
                "outcome",
                "is empty: give confirmed, declined or unreachable",
            ));
        }
        let outcome = CallOutcome::parse(outcome)?;
        let reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| Text::parse("reason", r, CallRecording::REASON_MAX_CHARS))
            .transpose()?;
        if outcome == CallOutcome::Declined && reason.is_none() {
            return Err(InvalidValue::new(
                "reason",
                "is required when a party declines: say why, e.g. \"too ill to travel\"",
            ));
        }
        Ok(CallRecording { outcome, reason })
    }
}

/// The hour of the evening before a crossing day after which a party that
/// could not be reached counts as a free place, unless the day sets
/// another.
pub const DEFAULT_CUT_OFF_HOUR: i8 = 22;

/// The cut-off of a crossing day when none is set: 22:00 the evening
/// before, on the registry's clock (UTC, the clock the gate's days are
/// counted on).
pub fn default_cut_off(day: Date) -> DateTime {
    day.yesterday()
        .unwrap_or(day)
        .at(DEFAULT_CUT_OFF_HOUR, 0, 0, 0)
}

/// A cut-off as typed: `YYYY-MM-DD HH:MM` (or with a `T`), or only `HH:MM`,
/// meaning that time on the evening before the day. It must come before
/// the day ends.
pub fn parse_cut_off(day: Date, text: &str) -> Result<DateTime, InvalidValue> {
    let text = crate::digits::latin_digits(text);
    let text = text.trim();
    let refuse = |problem: String| InvalidValue::new("cut_off", problem);
    let at = if text.len() <= 5 {
        let time = MeetingTime::parse("cut_off", text)?;
        day.yesterday().unwrap_or(day).to_datetime(time.time())
    } else {
        let (date, time) = text.split_once(['T', ' ']).ok_or_else(|| {
            refuse(format!(
                "'{text}' is not a time; write HH:MM or YYYY-MM-DD HH:MM"
            ))
        })?;
        let date: Date = date
            .trim()
            .parse()
            .map_err(|_| refuse(format!("'{date}' is not a date (YYYY-MM-DD)")))?;
        date.to_datetime(MeetingTime::parse("cut_off", time)?.time())
    };
    let end_of_day = day.tomorrow().unwrap_or(day).at(0, 0, 0, 0);
    if at >= end_of_day {
        return Err(refuse(format!(
            "{} is after the crossing day {day}; the cut-off is before the parties travel",
            at.strftime("%Y-%m-%d %H:%M")
        )));
    }
    Ok(at)
}

/// Whether the cut-off has passed at `now` (on the UTC clock).
pub fn cut_off_passed(cut_off: DateTime, now: Timestamp) -> bool {
    jiff::tz::Offset::UTC.to_datetime(now) >= cut_off
}

/// Whether a party whose latest call answered `latest` has given up its
/// places at `now`: at once when it declined, after the cut-off when it
/// could not be reached.
pub fn call_frees_places(latest: CallOutcome, cut_off: DateTime, now: Timestamp) -> bool {
    match latest {
        CallOutcome::Confirmed => false,
        CallOutcome::Declined => true,
        CallOutcome::Unreachable => cut_off_passed(cut_off, now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn check_phone(input: &str, expected: Result<&str, &str>) {
        match (PhoneNumber::parse(input), expected) {
            (Ok(phone), Ok(wanted)) => assert_eq!(phone.as_str(), wanted, "{input}"),
            (Err(error), Err(wanted)) => {
                assert_eq!(error.field, "phone");
                assert!(
                    error.problem.contains(wanted),
                    "{input}: {} should say {wanted}",
                    error.problem
                );
            }
            (got, wanted) => panic!("{input}: got {got:?}, wanted {wanted:?}"),
        }
    }

    #[test]
    fn phone_numbers_are_plus_and_seven_to_fifteen_digits() {
        check_phone("+999 59 123 4567", Ok("+999591234567"));
        check_phone(" +999-59-123-4567 ", Ok("+999591234567"));
        check_phone("+(999) 5.9", Err("has 5 digits"));
        check_phone("+9991234", Ok("+9991234"));
        check_phone("+999123456789012", Ok("+999123456789012"));
        check_phone(
            "+9991234567890123",
            Err("has 16 digits; a number with its country code has 7 to 15"),
        );
        check_phone("+999123", Err("has 6 digits"));
        check_phone("0599 123 456", Err("does not start with '+'"));
        check_phone("", Err("is empty"));
        check_phone("+999 59 12x 4567", Err("contains 'x'"));
        check_phone("+0 59 123 4567", Err("does not start with 0"));
        // Typed on a phone set to Arabic or Persian: the same number.
        check_phone("+٩٩٩ ٥٩ ١٢٣ ٤٥٦٧", Ok("+999591234567"));
        check_phone("+۹۹۹۵۹۱۲۳۴۵۶۷", Ok("+999591234567"));
    }

    #[test]
    fn a_contact_names_each_field_at_fault() {
        let contact = NewContact::parse("+999 1234 567", " mother ", None).unwrap();
        assert_eq!(contact.label.as_str(), "mother");
        assert_eq!(contact.language, Language::Arabic);
        assert_eq!(
            NewContact::parse("+9991234567", "patient", Some("EN"))
                .unwrap()
                .language,
            Language::English
        );
        assert_eq!(
            NewContact::parse("12", "x", None).unwrap_err().field,
            "phone"
        );
        let error = NewContact::parse("+9991234567", " ", None).unwrap_err();
        assert_eq!(error.field, "label");
        assert!(error.problem.contains("whose number"), "{error}");
        assert_eq!(
            NewContact::parse("+9991234567", &"x".repeat(61), None)
                .unwrap_err()
                .field,
            "label"
        );
        let error = NewContact::parse("+9991234567", "x", Some("fr")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "language: unknown value 'fr'; expected one of: ar, en"
        );
    }

    #[test]
    fn meeting_times_are_hours_and_minutes() {
        assert_eq!(
            MeetingTime::parse("time", "5:30").unwrap().to_string(),
            "05:30"
        );
        assert_eq!(
            MeetingTime::parse("time", "23:59").unwrap().to_string(),
            "23:59"
        );
        for bad in [
            "24:00", "12:60", "1230", "12:3", "ab:cd", "", "-1:30", "12:30:00",
        ] {
            let error = MeetingTime::parse("time", bad).unwrap_err();
            assert_eq!(error.field, "time");
            assert!(error.problem.contains("HH:MM"), "{bad}: {error}");
        }
        assert_eq!(
            NewAssemblyPoint::parse(" ", "05:00").unwrap_err().field,
            "place"
        );
    }

    #[test]
    fn the_first_point_is_the_default() {
        let point = |number, place: &str| AssemblyPoint {
            number,
            place: Text::parse("place", place, 100).unwrap(),
            time: MeetingTime::parse("time", "05:00").unwrap(),
        };
        let points = [point(2, "school"), point(1, "hospital")];
        assert_eq!(assembly_point_of(&points, None).unwrap().number, 1);
        assert_eq!(assembly_point_of(&points, Some(2)).unwrap().number, 2);
        assert_eq!(assembly_point_of(&points, Some(3)), None);
        assert_eq!(assembly_point_of(&[], None), None);
    }

    #[test]
    fn a_decline_needs_a_reason() {
        let error = CallRecording::parse("declined", Some("  ")).unwrap_err();
        assert_eq!(error.field, "reason");
        let declined = CallRecording::parse("declined", Some("too ill")).unwrap();
        assert_eq!(declined.reason.unwrap().as_str(), "too ill");
        assert_eq!(
            CallRecording::parse("unreachable", None).unwrap().outcome,
            CallOutcome::Unreachable
        );
        assert_eq!(
            CallRecording::parse("maybe", None).unwrap_err().field,
            "outcome"
        );
        assert_eq!(CallRecording::parse("", None).unwrap_err().field, "outcome");
        assert_eq!(
            CallRecording::parse("declined", Some(&"x".repeat(201)))
                .unwrap_err()
                .field,
            "reason"
        );
    }

    #[test]
    fn the_cut_off_is_the_evening_before_and_unreachable_frees_after_it() {
        let day = date(2026, 2, 2);
        let cut_off = default_cut_off(day);
        assert_eq!(cut_off, date(2026, 2, 1).at(22, 0, 0, 0));
        assert_eq!(
            parse_cut_off(day, "21:30").unwrap(),
            date(2026, 2, 1).at(21, 30, 0, 0)
        );
        assert_eq!(
            parse_cut_off(day, "2026-02-02 04:00").unwrap(),
            day.at(4, 0, 0, 0)
        );
        assert_eq!(
            parse_cut_off(day, "2026-02-03T00:00").unwrap_err().field,
            "cut_off"
        );
        assert_eq!(parse_cut_off(day, "late").unwrap_err().field, "cut_off");
        let before: Timestamp = "2026-02-01T21:59:59Z".parse().unwrap();
        let after: Timestamp = "2026-02-01T22:00:00Z".parse().unwrap();
        assert!(!call_frees_places(
            CallOutcome::Unreachable,
            cut_off,
            before
        ));
        assert!(call_frees_places(CallOutcome::Unreachable, cut_off, after));
        assert!(call_frees_places(CallOutcome::Declined, cut_off, before));
        assert!(!call_frees_places(CallOutcome::Confirmed, cut_off, after));
    }

    /// A number written with any of the allowed separators reads as the
    /// same number, and its normal form reads back as itself.
    fn separated(digits: String, separators: Vec<u8>) -> String {
        let mut text = String::from("+");
        for (index, digit) in digits.chars().enumerate() {
            text.push(digit);
            let separator = separators.get(index).copied().unwrap_or(0);
            match separator % 6 {
                1 => text.push(' '),
                2 => text.push('-'),
                3 => text.push_str(" - "),
                4 => text.push('.'),
                _ => {}
            }
        }
        text
    }

    proptest! {
        #[test]
        fn parse_and_normalise_round_trip(
            digits in "[1-9][0-9]{6,14}",
            separators in prop::collection::vec(any::<u8>(), 0..15),
        ) {
            let typed = separated(digits.clone(), separators);
            let phone = PhoneNumber::parse(&typed).unwrap();
            prop_assert_eq!(phone.as_str(), format!("+{digits}"));
            prop_assert_eq!(PhoneNumber::parse(phone.as_str()).unwrap(), phone.clone());
            prop_assert_eq!(PhoneNumber::parse(&phone.to_string()).unwrap(), phone);
        }

        #[test]
        fn too_few_or_too_many_digits_are_refused(
            digits in "[1-9]([0-9]{0,5}|[0-9]{15,20})",
        ) {
            let error = PhoneNumber::parse(&format!("+{digits}")).unwrap_err();
            prop_assert_eq!(error.field, "phone");
            prop_assert!(error.problem.contains("7 to 15"));
        }
    }
}
