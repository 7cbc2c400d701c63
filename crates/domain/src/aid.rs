//! Aid consignments: trucks of goods from their dispatch to their delivery
//! inside, the only stage changes that move them, and the figures the
//! reports compute from their histories.
//!
//! ```text
//! dispatched → staging → checkpoint → inspection → cleared → unloaded → reloaded → crossed → collected → delivered
//!                 │           │            │                                                          └→ intercepted (looted in transit)
//!                 │           │            └→ rejected (reason, items) ─┐
//!                 └───────────┴────────────┴────────────────────────────┴→ returned (reason), without unloading
//! ```
//!
//! A consignment is one agency's shipment of one cargo category. Its load
//! (trucks, pallets, tonnes) is recorded at registration and may be
//! recounted at any stage change: the trucks presented at inspection are
//! often half-filled, and the cargo is repacked onto fewer, full authorised
//! vehicles when it is reloaded. Every event keeps the load in force after
//! it, so the reports can say which definition of "a truck" each count uses
//! ([`TruckDefinition`]) and reconcile tonnes along the way.
//!
//! Consignments carry no personal data: the driver is not recorded.

use jiff::{SignedDuration, Timestamp};

use crate::{CrossingId, InvalidValue, Text, check_identifier, labelled_enum};

mod report;

pub use report::{
    AidReport, DailyTrucks, DwellStats, ReasonCount, StageCount, StageDayCount, StuckConsignment,
    TonnesReconciliation, TruckDefinition, TruckTarget, daily_trucks, dwell_minutes, rank_reasons,
};

/// A short, stable consignment reference, such as a waybill number `WB-2026-0001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConsignmentId(String);

impl ConsignmentId {
    pub fn parse(text: &str) -> Result<ConsignmentId, InvalidValue> {
        check_identifier("consignment", text).map(ConsignmentId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ConsignmentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

labelled_enum! {
    /// What a consignment carries.
    CargoCategory, field = "category" {
        Food = "food",
        Medical = "medical",
        Shelter = "shelter",
        /// Water, sanitation and hygiene.
        Wash = "wash",
        Fuel = "fuel",
        Other = "other",
    }
}

labelled_enum! {
    /// Where a consignment is in the pipeline.
    Stage, field = "stage" {
        /// Loaded and on its way from the country of origin.
        Dispatched = "dispatched",
        /// Waiting in the staging area before the crossing.
        Staging = "staging",
        /// At the crossing's checkpoint.
        Checkpoint = "checkpoint",
        /// At inspection, at the crossing that handles most of the volume.
        Inspection = "inspection",
        Cleared = "cleared",
        /// Refused at inspection, with the reason and the items objected to.
        Rejected = "rejected",
        Unloaded = "unloaded",
        /// Reloaded onto authorised vehicles.
        Reloaded = "reloaded",
        Crossed = "crossed",
        /// Collected inside by the receiving agency.
        Collected = "collected",
        /// Reached its warehouse.
        Delivered = "delivered",
        /// Taken in transit (looted) after collection.
        Intercepted = "intercepted",
        /// Sent back without unloading.
        Returned = "returned",
    }
}

impl Stage {
    /// Stages with no way out: the consignment's journey is over.
    pub fn is_final(self) -> bool {
        next_stages(self).is_empty()
    }
}

/// The one table of legal stage changes: the stages a consignment can move
/// to from `from`.
pub fn next_stages(from: Stage) -> &'static [Stage] {
    use Stage as S;
    match from {
        S::Dispatched => &[S::Staging],
        S::Staging => &[S::Checkpoint, S::Returned],
        S::Checkpoint => &[S::Inspection, S::Returned],
        S::Inspection => &[S::Cleared, S::Rejected, S::Returned],
        // A rejected truck is sent back with its cargo.
        S::Rejected => &[S::Returned],
        S::Cleared => &[S::Unloaded],
        S::Unloaded => &[S::Reloaded],
        S::Reloaded => &[S::Crossed],
        S::Crossed => &[S::Collected],
        S::Collected => &[S::Delivered, S::Intercepted],
        S::Delivered | S::Intercepted | S::Returned => &[],
    }
}

/// A stage change with the facts it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageChange {
    Staging,
    Checkpoint,
    Inspection,
    Cleared,
    Rejected {
        reason: Text,
        /// The items objected to, e.g. "generators, water pumps".
        items: Option<Text>,
    },
    Unloaded,
    Reloaded,
    Crossed,
    Collected,
    Delivered,
    Intercepted {
        reason: Option<Text>,
    },
    Returned {
        reason: Text,
    },
}

/// Longest reason or list of items, as for other free text in corridor.
pub const MAX_REASON_CHARS: usize = 200;

impl StageChange {
    /// The change to `to`, checking that a reason is given where one is
    /// needed (rejected, returned) and that items are given only with a rejection.
    pub fn new(
        to: Stage,
        reason: Option<&str>,
        items: Option<&str>,
    ) -> Result<StageChange, InvalidValue> {
        let text = |field, value: Option<&str>| {
            value
                .filter(|value| !value.trim().is_empty())
                .map(|value| Text::parse(field, value, MAX_REASON_CHARS))
                .transpose()
        };
        let reason = text("reason", reason)?;
        let items = text("items", items)?;
        if items.is_some() && to != Stage::Rejected {
            return Err(InvalidValue::new(
                "items",
                format!("are recorded only with a rejection, not when moving to {to}"),
            ));
        }
        let required = |reason: Option<Text>| {
            reason.ok_or_else(|| {
                InvalidValue::new("reason", format!("is required when moving to {to}"))
            })
        };
        let no_reason = |change: StageChange| match &reason {
            Some(_) => Err(InvalidValue::new(
                "reason",
                format!(
                    "is recorded only when moving to rejected, returned or intercepted, not {to}; use a note"
                ),
            )),
            None => Ok(change),
        };
        match to {
            Stage::Dispatched => Err(InvalidValue::new(
                "stage",
                "dispatched is where a consignment is registered; it cannot be moved back to it",
            )),
            Stage::Staging => no_reason(StageChange::Staging),
            Stage::Checkpoint => no_reason(StageChange::Checkpoint),
            Stage::Inspection => no_reason(StageChange::Inspection),
            Stage::Cleared => no_reason(StageChange::Cleared),
            Stage::Rejected => Ok(StageChange::Rejected {
                reason: required(reason)?,
                items,
            }),
            Stage::Unloaded => no_reason(StageChange::Unloaded),
            Stage::Reloaded => no_reason(StageChange::Reloaded),
            Stage::Crossed => no_reason(StageChange::Crossed),
            Stage::Collected => no_reason(StageChange::Collected),
            Stage::Delivered => no_reason(StageChange::Delivered),
            Stage::Intercepted => Ok(StageChange::Intercepted { reason }),
            Stage::Returned => Ok(StageChange::Returned {
                reason: required(reason)?,
            }),
        }
    }

    pub fn stage(&self) -> Stage {
        match self {
            StageChange::Staging => Stage::Staging,
            StageChange::Checkpoint => Stage::Checkpoint,
            StageChange::Inspection => Stage::Inspection,
            StageChange::Cleared => Stage::Cleared,
            StageChange::Rejected { .. } => Stage::Rejected,
            StageChange::Unloaded => Stage::Unloaded,
            StageChange::Reloaded => Stage::Reloaded,
            StageChange::Crossed => Stage::Crossed,
            StageChange::Collected => Stage::Collected,
            StageChange::Delivered => Stage::Delivered,
            StageChange::Intercepted { .. } => Stage::Intercepted,
            StageChange::Returned { .. } => Stage::Returned,
        }
    }

    pub fn reason(&self) -> Option<&Text> {
        match self {
            StageChange::Rejected { reason, .. } | StageChange::Returned { reason } => Some(reason),
            StageChange::Intercepted { reason } => reason.as_ref(),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&Text> {
        match self {
            StageChange::Rejected { items, .. } => items.as_ref(),
            _ => None,
        }
    }
}

/// A weight, held exactly in kilograms and written in tonnes with up to
/// three decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Tonnes(u64);

impl Tonnes {
    /// A weight of any size; a consignment's own is limited by [`Load::new`].
    pub const fn from_kilograms(kilograms: u64) -> Tonnes {
        Tonnes(kilograms)
    }

    /// Parses `12`, `12.5` or `0.125` (tonnes, at most three decimals).
    pub fn parse(text: &str) -> Result<Tonnes, InvalidValue> {
        let text = crate::digits::latin_digits(text);
        let text = text.trim();
        let invalid = || {
            InvalidValue::new(
                "tonnes",
                format!(
                    "'{text}' is not a weight in tonnes; write e.g. 18 or 17.5 (up to three decimals)"
                ),
            )
        };
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty()
            || whole.len() > 9
            || fraction.len() > 3
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || (text.contains('.') && fraction.is_empty())
        {
            return Err(invalid());
        }
        let whole: u64 = whole.parse().map_err(|_| invalid())?;
        let fraction: u64 = format!("{fraction:0<3}").parse().map_err(|_| invalid())?;
        Ok(Tonnes(whole * 1000 + fraction))
    }

    pub fn kilograms(self) -> u64 {
        self.0
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl std::fmt::Display for Tonnes {
    /// `17.5`, `18`, `0.125`: no trailing zeros.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, fraction) = (self.0 / 1000, self.0 % 1000);
        if fraction == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{fraction:03}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// What a consignment is carried on: vehicles, pallets and weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Load {
    pub trucks: u32,
    pub pallets: u32,
    pub tonnes: Tonnes,
}

impl Load {
    pub const MAX_TRUCKS: u32 = 1_000;
    pub const MAX_PALLETS: u32 = 100_000;
    /// The most one consignment can weigh: far above any convoy.
    pub const MAX_TONNES: Tonnes = Tonnes(10_000_000);

    pub fn new(trucks: u32, pallets: u32, tonnes: Tonnes) -> Result<Load, InvalidValue> {
        Ok(Load {
            trucks: check_trucks(trucks)?,
            pallets: check_pallets(pallets)?,
            tonnes: check_tonnes(tonnes)?,
        })
    }

    /// Parses the three counts as text, e.g. from a file or the command line.
    pub fn parse_trucks(text: &str) -> Result<u32, InvalidValue> {
        check_trucks(parse_count("trucks", text)?)
    }

    pub fn parse_pallets(text: &str) -> Result<u32, InvalidValue> {
        check_pallets(parse_count("pallets", text)?)
    }
}

fn parse_count(field: &'static str, text: &str) -> Result<u32, InvalidValue> {
    let text = crate::digits::latin_digits(text);
    let text = text.trim();
    text.parse::<u32>()
        .map_err(|_| InvalidValue::new(field, format!("'{text}' is not a whole number")))
}

fn check_trucks(trucks: u32) -> Result<u32, InvalidValue> {
    if (1..=Load::MAX_TRUCKS).contains(&trucks) {
        Ok(trucks)
    } else {
        Err(InvalidValue::new(
            "trucks",
            format!(
                "is {trucks}; a consignment travels on 1 to {} trucks",
                Load::MAX_TRUCKS
            ),
        ))
    }
}

fn check_tonnes(tonnes: Tonnes) -> Result<Tonnes, InvalidValue> {
    if tonnes <= Load::MAX_TONNES {
        Ok(tonnes)
    } else {
        Err(InvalidValue::new(
            "tonnes",
            format!(
                "is {tonnes}; one consignment weighs at most {} tonnes",
                Load::MAX_TONNES
            ),
        ))
    }
}

fn check_pallets(pallets: u32) -> Result<u32, InvalidValue> {
    if pallets <= Load::MAX_PALLETS {
        Ok(pallets)
    } else {
        Err(InvalidValue::new(
            "pallets",
            format!(
                "is {pallets}; at most {} per consignment",
                Load::MAX_PALLETS
            ),
        ))
    }
}

/// A new count of some of the load, recorded with a stage change: e.g. the
/// trucks after repacking, the tonnes collected or delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Recount {
    pub trucks: Option<u32>,
    pub pallets: Option<u32>,
    pub tonnes: Option<Tonnes>,
}

impl Recount {
    pub fn new(
        trucks: Option<u32>,
        pallets: Option<u32>,
        tonnes: Option<Tonnes>,
    ) -> Result<Recount, InvalidValue> {
        Ok(Recount {
            trucks: trucks.map(check_trucks).transpose()?,
            pallets: pallets.map(check_pallets).transpose()?,
            tonnes: tonnes.map(check_tonnes).transpose()?,
        })
    }

    fn applied_to(self, load: Load) -> Load {
        Load {
            trucks: self.trucks.unwrap_or(load.trucks),
            pallets: self.pallets.unwrap_or(load.pallets),
            tonnes: self.tonnes.unwrap_or(load.tonnes),
        }
    }
}

/// A stage change as a person asks for it, in text (a form, the command
/// line): the stage, why, and any new count of the load.
#[derive(Debug, Clone, Copy, Default)]
pub struct MoveFields<'a> {
    pub stage: &'a str,
    pub reason: Option<&'a str>,
    pub items: Option<&'a str>,
    pub trucks: Option<&'a str>,
    pub pallets: Option<&'a str>,
    pub tonnes: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// A checked stage change, ready for [`StageLine::transition`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageMove {
    pub change: StageChange,
    pub recount: Recount,
    pub note: Option<Text>,
}

/// Longest note kept with a stage change.
pub const MAX_NOTE_CHARS: usize = 500;

impl MoveFields<'_> {
    /// Checks every field; blank optional fields count as not given. The
    /// error names the field at fault.
    pub fn parse(&self) -> Result<StageMove, InvalidValue> {
        let given = |value: Option<&str>| {
            value
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_string)
        };
        let stage = Stage::parse(self.stage)?;
        let change = StageChange::new(stage, self.reason, self.items)?;
        let recount = Recount::new(
            given(self.trucks)
                .as_deref()
                .map(Load::parse_trucks)
                .transpose()?,
            given(self.pallets)
                .as_deref()
                .map(Load::parse_pallets)
                .transpose()?,
            given(self.tonnes)
                .as_deref()
                .map(Tonnes::parse)
                .transpose()?,
        )?;
        let note = given(self.note)
            .map(|note| Text::parse("note", &note, MAX_NOTE_CHARS))
            .transpose()?;
        Ok(StageMove {
            change,
            recount,
            note,
        })
    }
}

/// The registration facts of a consignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consignment {
    pub id: ConsignmentId,
    /// The agency that sends it, e.g. "WFP" or "Egyptian Red Crescent".
    pub agency: Text,
    pub category: CargoCategory,
    /// Where it was loaded, e.g. "Al-Arish".
    pub origin: Text,
    /// The crossing where it is inspected.
    pub crossing: CrossingId,
    /// The load as dispatched.
    pub load: Load,
}

impl Consignment {
    /// Longest agency or origin name.
    pub const MAX_NAME_CHARS: usize = 100;

    /// The consignment, or the first of its fields that breaks a rule.
    pub fn from_draft(draft: &ConsignmentDraft<'_>) -> Result<Consignment, InvalidValue> {
        let id = ConsignmentId::parse(draft.id.trim())?;
        let agency = Text::parse("agency", draft.agency, Consignment::MAX_NAME_CHARS)?;
        let category = CargoCategory::parse(draft.category.trim())?;
        let origin = Text::parse("origin", draft.origin, Consignment::MAX_NAME_CHARS)?;
        let crossing = CrossingId::parse(draft.crossing.trim())?;
        let load = Load::new(
            Load::parse_trucks(draft.trucks)?,
            Load::parse_pallets(draft.pallets)?,
            Tonnes::parse(draft.tonnes)?,
        )?;
        Ok(Consignment {
            id,
            agency,
            category,
            origin,
            crossing,
            load,
        })
    }
}

/// A consignment as someone gave it (a form, a command line), every field
/// as text, before its rules are checked.
#[derive(Debug, Clone, Copy)]
pub struct ConsignmentDraft<'a> {
    pub id: &'a str,
    pub agency: &'a str,
    pub category: &'a str,
    pub origin: &'a str,
    pub crossing: &'a str,
    pub trucks: &'a str,
    pub pallets: &'a str,
    pub tonnes: &'a str,
}

/// Where a consignment is now. `version` counts the changes and is what
/// optimistic concurrency compares; `since` is when it entered its stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageLine {
    pub stage: Stage,
    pub load: Load,
    pub since: Timestamp,
    pub version: u32,
}

/// An illegal stage change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StageError {
    #[error("cannot move a consignment that is at {from} to {to}; {}", allowed_text(.allowed))]
    Illegal {
        from: Stage,
        to: Stage,
        allowed: Vec<Stage>,
    },
    #[error(
        "the change to {to} is dated {at}, before the consignment entered {from} at {since}; stage changes are recorded in order"
    )]
    BeforePrevious {
        from: Stage,
        to: Stage,
        at: Timestamp,
        since: Timestamp,
    },
}

fn allowed_text(allowed: &[Stage]) -> String {
    if allowed.is_empty() {
        "it has reached the end of the pipeline and cannot be moved".to_string()
    } else {
        let names: Vec<&str> = allowed.iter().map(|stage| stage.as_str()).collect();
        format!("allowed: {}", names.join(", "))
    }
}

impl StageLine {
    /// A newly registered consignment: dispatched at `at`.
    pub fn new(load: Load, at: Timestamp) -> StageLine {
        StageLine {
            stage: Stage::Dispatched,
            load,
            since: at,
            version: 1,
        }
    }

    /// The line after the change, with the event that records it.
    pub fn transition(
        &self,
        change: StageChange,
        recount: Recount,
        at: Timestamp,
        actor: &str,
        note: Option<Text>,
    ) -> Result<(StageLine, StageEvent), StageError> {
        let to = change.stage();
        let allowed = next_stages(self.stage);
        if !allowed.contains(&to) {
            return Err(StageError::Illegal {
                from: self.stage,
                to,
                allowed: allowed.to_vec(),
            });
        }
        if at < self.since {
            return Err(StageError::BeforePrevious {
                from: self.stage,
                to,
                at,
                since: self.since,
            });
        }
        let next = StageLine {
            stage: to,
            load: recount.applied_to(self.load),
            since: at,
            version: self.version + 1,
        };
        let event = StageEvent {
            version: next.version,
            at,
            actor: actor.to_string(),
            from: Some(self.stage),
            to,
            change: Some(change),
            load: next.load,
            dwell: Some(at.duration_since(self.since)),
            note,
        };
        Ok((next, event))
    }
}

/// A dwell time as people read it: hours with one decimal, or days from two
/// days on ("7.5 h", "3.2 d").
pub fn dwell_text(minutes: f64) -> String {
    let hours = minutes / 60.0;
    if hours >= 48.0 {
        format!("{:.1} d", hours / 24.0)
    } else {
        format!("{hours:.1} h")
    }
}

/// One stage change as the history records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageEvent {
    /// The version of the line after this event; the registration is version 1.
    pub version: u32,
    pub at: Timestamp,
    pub actor: String,
    /// `None` for the registration.
    pub from: Option<Stage>,
    pub to: Stage,
    /// `None` for the registration.
    pub change: Option<StageChange>,
    /// The load in force after the event.
    pub load: Load,
    /// How long the consignment was in `from`.
    pub dwell: Option<SignedDuration>,
    pub note: Option<Text>,
}

/// A consignment with its line and the whole history that led to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsignmentCase {
    pub consignment: Consignment,
    pub line: StageLine,
    pub events: Vec<StageEvent>,
}

impl ConsignmentCase {
    /// A new registration: dispatched at `at`, and the event that records it.
    pub fn register(consignment: Consignment, at: Timestamp, actor: &str) -> ConsignmentCase {
        let line = StageLine::new(consignment.load, at);
        let event = StageEvent {
            version: 1,
            at,
            actor: actor.to_string(),
            from: None,
            to: Stage::Dispatched,
            change: None,
            load: consignment.load,
            dwell: None,
            note: None,
        };
        ConsignmentCase {
            consignment,
            line,
            events: vec![event],
        }
    }

    pub fn apply(
        &mut self,
        change: StageChange,
        recount: Recount,
        at: Timestamp,
        actor: &str,
        note: Option<Text>,
    ) -> Result<&StageEvent, StageError> {
        let (line, event) = self.line.transition(change, recount, at, actor, note)?;
        self.line = line;
        self.events.push(event);
        Ok(self.events.last().expect("an event was just pushed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tonnes_parse_and_print_exactly() {
        for (text, kilograms, shown) in [
            ("18", 18_000, "18"),
            ("17.5", 17_500, "17.5"),
            ("0.125", 125, "0.125"),
            (" 3.10 ", 3_100, "3.1"),
        ] {
            let tonnes = Tonnes::parse(text).unwrap();
            assert_eq!(tonnes.kilograms(), kilograms, "{text}");
            assert_eq!(tonnes.to_string(), shown);
        }
        for bad in ["", "-1", "1.2345", "1,5", "abc", "1.", ".5", "1234567890"] {
            assert!(Tonnes::parse(bad).is_err(), "{bad}");
        }
        let heavy = Tonnes::parse("10001").unwrap();
        assert!(Load::new(1, 0, heavy).is_err());
    }
}
