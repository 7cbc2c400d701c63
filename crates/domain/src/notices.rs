//! Notices to parties: what a party is told when something happens to it
//! (it is listed, scheduled, on standby, its clearance is delayed or
//! denied, its day is cancelled), in its contact's language.
//!
//! Pure: the words come from the Fluent files in `locales/`, embedded in
//! the binary; the idempotency key and the retry schedule are functions of
//! their arguments. The store keeps the outbox, the web crate sends.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::{BatchId, CrossingId, Direction, Language, MeetingTime, PersonId, labelled_enum};

labelled_enum! {
    /// What a notice tells a party.
    NoticeKind, field = "kind" {
        Listed = "listed",
        Scheduled = "scheduled",
        Standby = "standby",
        ClearanceDelayed = "clearance-delayed",
        Denied = "denied",
        DayCancelled = "day-cancelled",
    }
}

labelled_enum! {
    /// Where a notice is in the outbox. `queued` and `failed` wait for
    /// their next attempt; `sending` is claimed by one sender; `sent` was
    /// accepted by the channel; `delivered` was reported delivered;
    /// `gave_up` will not be tried again.
    NoticeState, field = "state" {
        Queued = "queued",
        Sending = "sending",
        Sent = "sent",
        Delivered = "delivered",
        Failed = "failed",
        GaveUp = "gave_up",
    }
}

labelled_enum! {
    /// How notices leave: `log` (a log line; the call list is the real
    /// channel), a RapidPro-compatible broadcast, or a signed JSON webhook.
    NoticeChannel, field = "channel" {
        Log = "log",
        RapidPro = "rapidpro",
        Webhook = "webhook",
    }
}

labelled_enum! {
    /// What a gateway's delivery report says about a notice.
    DeliveryStatus, field = "status" {
        Delivered = "delivered",
        Failed = "failed",
    }
}

/// The crossing day a notice is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDay {
    pub crossing: CrossingId,
    /// The crossing's name as the registry has it (the English one).
    pub crossing_name: String,
    pub date: Date,
    pub direction: Direction,
    /// When the day's manifest was confirmed: a day confirmed again after
    /// a cancellation is another event, with other keys.
    pub confirmed_at: Timestamp,
}

/// The place and time a party meets at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticePoint {
    pub place: String,
    pub time: MeetingTime,
}

/// The event a notice tells of, with what its words need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeEvent {
    /// Registered: on the waiting list.
    Listed,
    /// On a confirmed manifest; without a point the party is told it will
    /// be called with one.
    Scheduled {
        day: NoticeDay,
        point: Option<NoticePoint>,
    },
    /// On the day's standby list.
    Standby { day: NoticeDay },
    /// The authority did not answer a request in this batch in time.
    ClearanceDelayed { batch: BatchId },
    /// The authority denied the request in this batch.
    Denied { batch: BatchId },
    /// The confirmed day was cancelled.
    DayCancelled { day: NoticeDay },
}

impl NoticeEvent {
    pub fn kind(&self) -> NoticeKind {
        match self {
            NoticeEvent::Listed => NoticeKind::Listed,
            NoticeEvent::Scheduled { .. } => NoticeKind::Scheduled,
            NoticeEvent::Standby { .. } => NoticeKind::Standby,
            NoticeEvent::ClearanceDelayed { .. } => NoticeKind::ClearanceDelayed,
            NoticeEvent::Denied { .. } => NoticeKind::Denied,
            NoticeEvent::DayCancelled { .. } => NoticeKind::DayCancelled,
        }
    }

    /// The day the notice is about, if any.
    pub fn day(&self) -> Option<&NoticeDay> {
        match self {
            NoticeEvent::Scheduled { day, .. }
            | NoticeEvent::Standby { day }
            | NoticeEvent::DayCancelled { day } => Some(day),
            NoticeEvent::Listed
            | NoticeEvent::ClearanceDelayed { .. }
            | NoticeEvent::Denied { .. } => None,
        }
    }

    /// The idempotency key of the notice this event makes for a party
    /// (named by its head): the kind, the person and what makes the event
    /// itself one (the day as confirmed, or the clearance batch), so that
    /// the same event never makes two notices and a gateway can drop a
    /// second delivery of one.
    pub fn key(&self, person: &PersonId) -> String {
        let kind = self.kind();
        match self {
            NoticeEvent::Listed => format!("{kind}:{person}"),
            NoticeEvent::Scheduled { day, .. }
            | NoticeEvent::Standby { day }
            | NoticeEvent::DayCancelled { day } => format!(
                "{kind}:{person}:{}:{}:{}",
                day.crossing,
                day.date,
                day.confirmed_at.as_microsecond()
            ),
            NoticeEvent::ClearanceDelayed { batch } | NoticeEvent::Denied { batch } => {
                format!("{kind}:{person}:{batch}")
            }
        }
    }
}

/// Why a notice could not be worded: a template is broken. The templates
/// are embedded and tested, so this is a bug, not a user's mistake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {language} notice template '{message}' cannot be used: {problem}")]
pub struct NoticeTemplateError {
    pub language: &'static str,
    pub message: String,
    pub problem: String,
}

const ENGLISH: &str = include_str!("../locales/en/notices.ftl");
const ARABIC: &str = include_str!("../locales/ar/notices.ftl");

struct Bundles {
    english: FluentBundle<FluentResource>,
    arabic: FluentBundle<FluentResource>,
}

fn bundle(
    language: Language,
    source: &str,
) -> Result<FluentBundle<FluentResource>, NoticeTemplateError> {
    let broken = |problem: String| NoticeTemplateError {
        language: language.label(),
        message: "notices.ftl".to_string(),
        problem,
    };
    let resource = FluentResource::try_new(source.to_string())
        .map_err(|(_, errors)| broken(format!("{errors:?}")))?;
    let id = language
        .as_str()
        .parse()
        .map_err(|error| broken(format!("{error}")))?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks keep a Latin reference or date in its place
    // within Arabic text; English messages go without them, so that they
    // stay plain GSM text (an SMS of 160 characters, not 70).
    bundle.set_use_isolating(language == Language::Arabic);
    bundle
        .add_resource(resource)
        .map_err(|errors| broken(format!("{errors:?}")))?;
    Ok(bundle)
}

fn bundles() -> Result<&'static Bundles, NoticeTemplateError> {
    static BUNDLES: OnceLock<Result<Bundles, NoticeTemplateError>> = OnceLock::new();
    BUNDLES
        .get_or_init(|| {
            Ok(Bundles {
                english: bundle(Language::English, ENGLISH)?,
                arabic: bundle(Language::Arabic, ARABIC)?,
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The words of a notice to a party (named by its head) in a language.
pub fn render_notice(
    language: Language,
    person: &PersonId,
    event: &NoticeEvent,
) -> Result<String, NoticeTemplateError> {
    let bundles = bundles()?;
    let bundle = match language {
        Language::English => &bundles.english,
        Language::Arabic => &bundles.arabic,
    };
    let id = format!("notice-{}", event.kind());
    let broken = |problem: String| NoticeTemplateError {
        language: language.label(),
        message: id.clone(),
        problem,
    };
    let mut args = FluentArgs::new();
    args.set("person", person.as_str().to_string());
    if let Some(day) = event.day() {
        args.set("crossing", day.crossing.as_str().to_string());
        args.set("crossing_name", day.crossing_name.clone());
        args.set("date", day.date.to_string());
        args.set("direction", day.direction.as_str());
    }
    if let NoticeEvent::Scheduled { point, .. } = event {
        match point {
            Some(point) => {
                args.set("point", "given");
                args.set("place", point.place.clone());
                args.set("time", point.time.to_string());
            }
            None => args.set("point", "none"),
        }
    }
    let pattern = bundle
        .get_message(&id)
        .and_then(|message| message.value())
        .ok_or_else(|| broken("no such message".to_string()))?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
    if !errors.is_empty() {
        return Err(broken(format!("{errors:?}")));
    }
    Ok(text.into_owned())
}

/// How many times a notice is tried before it is given up.
pub const NOTICE_MAX_ATTEMPTS: u32 = 20;

/// The first wait after a failed attempt; each further one doubles.
pub const NOTICE_FIRST_RETRY: SignedDuration = SignedDuration::from_secs(30);

/// The longest wait between two attempts.
pub const NOTICE_LONGEST_RETRY: SignedDuration = SignedDuration::from_secs(3600);

/// How long after it was queued a notice is still worth sending: past
/// that, the news is stale and the call list is the way to reach the party.
pub const NOTICE_GIVE_UP_AFTER: SignedDuration = SignedDuration::from_hours(24);

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Try again at this instant.
    At(Timestamp),
    /// Stop trying.
    GiveUp,
}

/// After `attempts` failed attempts (counting the one that just failed),
/// when to try again: 30 s, doubling, at most an hour apart; given up
/// after [`NOTICE_MAX_ATTEMPTS`] attempts or once the next attempt would
/// come [`NOTICE_GIVE_UP_AFTER`] after the notice was queued.
pub fn notice_retry(attempts: u32, queued_at: Timestamp, now: Timestamp) -> Retry {
    if attempts >= NOTICE_MAX_ATTEMPTS {
        return Retry::GiveUp;
    }
    let doublings = attempts.saturating_sub(1).min(16);
    let wait = NOTICE_FIRST_RETRY
        .checked_mul(1 << doublings)
        .unwrap_or(NOTICE_LONGEST_RETRY)
        .min(NOTICE_LONGEST_RETRY);
    let next = now.saturating_add(wait).unwrap_or(now);
    if next.duration_since(queued_at) > NOTICE_GIVE_UP_AFTER {
        return Retry::GiveUp;
    }
    Retry::At(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> PersonId {
        PersonId::parse("P-0042").unwrap()
    }

    fn day(crossing: &str, name: &str, direction: Direction) -> NoticeDay {
        NoticeDay {
            crossing: CrossingId::parse(crossing).unwrap(),
            crossing_name: name.to_string(),
            date: jiff::civil::date(2026, 2, 2),
            direction,
            confirmed_at: "2026-02-01T10:00:00Z".parse().unwrap(),
        }
    }

    fn point() -> Option<NoticePoint> {
        Some(NoticePoint {
            place: "Nasser Hospital gate".to_string(),
            time: MeetingTime::parse("time", "05:30").unwrap(),
        })
    }

    fn batch() -> BatchId {
        BatchId::parse("B-0003").unwrap()
    }

    fn check(language: Language, event: NoticeEvent, wanted: &[&str]) {
        let text = render_notice(language, &person(), &event).unwrap();
        for part in wanted {
            assert!(text.contains(part), "{part:?} not in {text:?}");
        }
        assert!(!text.contains('{'), "an argument is missing in {text:?}");
        if language == Language::English {
            assert!(text.is_ascii(), "English notices are plain text: {text:?}");
        }
    }

    #[test]
    fn listed_in_both_languages() {
        check(
            Language::English,
            NoticeEvent::Listed,
            &["P-0042", "waiting list"],
        );
        check(
            Language::Arabic,
            NoticeEvent::Listed,
            &["P-0042", "قائمة الانتظار"],
        );
    }

    #[test]
    fn scheduled_names_the_day_the_point_and_the_documents() {
        let outbound = NoticeEvent::Scheduled {
            day: day("rafah", "Rafah", Direction::Outbound),
            point: point(),
        };
        check(
            Language::English,
            outbound.clone(),
            &[
                "P-0042",
                "Rafah",
                "2026-02-02",
                "Nasser Hospital gate",
                "05:30",
                "referral letter",
            ],
        );
        check(
            Language::Arabic,
            outbound,
            &[
                "P-0042",
                "معبر رفح",
                "2026-02-02",
                "نقطة التجمع",
                "Nasser Hospital gate",
                "05:30",
                "التقارير الطبية",
            ],
        );
        let inbound = NoticeEvent::Scheduled {
            day: day("kerem-shalom", "Kerem Shalom", Direction::Inbound),
            point: None,
        };
        let english = render_notice(Language::English, &person(), &inbound).unwrap();
        assert!(english.contains("Kerem Shalom"));
        assert!(english.contains("We will call you with the assembly point"));
        assert!(!english.contains("referral letter"));
        check(
            Language::Arabic,
            inbound,
            &["معبر كرم أبو سالم", "سنتصل بكم لإبلاغكم بنقطة التجمع"],
        );
    }

    #[test]
    fn an_unknown_crossing_is_named_by_its_name_in_arabic() {
        let event = NoticeEvent::Standby {
            day: day("north", "Erez", Direction::Outbound),
        };
        check(Language::Arabic, event, &["معبر", "Erez", "قائمة الاحتياط"]);
    }

    #[test]
    fn standby_in_both_languages() {
        let event = NoticeEvent::Standby {
            day: day("rafah", "Rafah", Direction::Outbound),
        };
        check(
            Language::English,
            event.clone(),
            &["standby list", "Rafah", "2026-02-02"],
        );
        check(
            Language::Arabic,
            event,
            &["قائمة الاحتياط", "معبر رفح", "2026-02-02"],
        );
    }

    #[test]
    fn clearance_delayed_in_both_languages() {
        let event = NoticeEvent::ClearanceDelayed { batch: batch() };
        check(
            Language::English,
            event.clone(),
            &["security clearance", "not been answered"],
        );
        check(Language::Arabic, event, &["الموافقة الأمنية", "مؤجلة"]);
    }

    #[test]
    fn denied_in_both_languages() {
        let event = NoticeEvent::Denied { batch: batch() };
        check(
            Language::English,
            event.clone(),
            &["security clearance", "denied"],
        );
        check(Language::Arabic, event, &["الموافقة الأمنية", "مرفوضة"]);
    }

    #[test]
    fn day_cancelled_in_both_languages() {
        let event = NoticeEvent::DayCancelled {
            day: day("rafah", "Rafah", Direction::Outbound),
        };
        check(
            Language::English,
            event.clone(),
            &["cancelled", "Rafah", "2026-02-02", "Do not go"],
        );
        check(
            Language::Arabic,
            event,
            &["إلغاء", "معبر رفح", "2026-02-02"],
        );
    }

    #[test]
    fn keys_tell_events_apart_and_repeat_for_the_same_event() {
        let p = person();
        let first = day("rafah", "Rafah", Direction::Outbound);
        let mut again = first.clone();
        again.confirmed_at = "2026-02-01T12:00:00Z".parse().unwrap();
        let scheduled = NoticeEvent::Scheduled {
            day: first.clone(),
            point: None,
        };
        let with_point = NoticeEvent::Scheduled {
            day: first.clone(),
            point: point(),
        };
        assert_eq!(scheduled.key(&p), with_point.key(&p));
        assert_eq!(
            scheduled.key(&p),
            "scheduled:P-0042:rafah:2026-02-02:1769940000000000"
        );
        let keys = [
            NoticeEvent::Listed.key(&p),
            scheduled.key(&p),
            NoticeEvent::Scheduled {
                day: again,
                point: None,
            }
            .key(&p),
            NoticeEvent::Standby { day: first.clone() }.key(&p),
            NoticeEvent::DayCancelled { day: first }.key(&p),
            NoticeEvent::Denied { batch: batch() }.key(&p),
            NoticeEvent::ClearanceDelayed { batch: batch() }.key(&p),
            NoticeEvent::Listed.key(&PersonId::parse("P-0043").unwrap()),
        ];
        let distinct: std::collections::HashSet<&String> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len(), "{keys:?}");
    }

    #[test]
    fn retries_double_from_thirty_seconds_up_to_an_hour() {
        let queued: Timestamp = "2026-02-01T10:00:00Z".parse().unwrap();
        let wait = |attempts| match notice_retry(attempts, queued, queued) {
            Retry::At(at) => at.duration_since(queued).as_secs(),
            Retry::GiveUp => -1,
        };
        assert_eq!(wait(1), 30);
        assert_eq!(wait(2), 60);
        assert_eq!(wait(3), 120);
        assert_eq!(wait(7), 1920);
        assert_eq!(wait(8), 3600);
        assert_eq!(wait(19), 3600);
        assert_eq!(wait(NOTICE_MAX_ATTEMPTS), -1);
    }

    #[test]
    fn a_notice_is_given_up_a_day_after_it_was_queued() {
        let queued: Timestamp = "2026-02-01T10:00:00Z".parse().unwrap();
        let late = queued
            .saturating_add(SignedDuration::from_hours(23) + SignedDuration::from_mins(59))
            .unwrap();
        assert_eq!(notice_retry(3, queued, late), Retry::GiveUp);
        let early = queued
            .saturating_add(SignedDuration::from_hours(1))
            .unwrap();
        assert_eq!(
            notice_retry(3, queued, early),
            Retry::At(
                early
                    .saturating_add(SignedDuration::from_secs(120))
                    .unwrap()
            )
        );
    }
}
