//! The domain of corridor: who waits to cross, why, in what state, and where
//! they can go.
//!
//! Everything here is pure. Nothing reads a clock, a file, a database or a
//! random number generator: "today" and "now" are parameters, so every rule can
//! be tested with plain values and cannot fail for outside reasons.
//!
//! Values are parsed, not validated: a [`Tier`], a [`BirthYear`] or a
//! [`PersonId`] can only exist in a valid form, and each `parse` returns an
//! [`InvalidValue`] that names the field, the value and what is expected.
//!
//! The status of each person is a state machine ([`StatusLine::apply`]); an
//! illegal transition is a [`TransitionError`] naming the current state and
//! the transitions allowed from it.

mod access;
mod aid;
mod calls;
mod clearance;
mod crossing;
pub mod digits;
mod facility;
mod figure;
mod gate;
mod luggage;
mod manifest;
mod notices;
mod organisation;
mod paging;
mod password;
mod person;
mod reason;
mod registration;
pub mod report;
pub mod search;
mod standby;
mod status;
pub mod utilisation;

pub use access::{
    AccountRequest, BREAK_GLASS_HOURS, FREE_SIGN_IN_FAILURES, LONGEST_SIGN_IN_LOCK_SECONDS,
    MAX_ACCOUNT_TEXT_CHARS, MAX_BREAK_GLASS_REASON_CHARS, MIN_BREAK_GLASS_REASON_CHARS, Permission,
    RecordAccess, RecordOwnership, Scope, UserRole, Viewer, parse_break_glass_reason, parse_scope,
    parse_token_label, parse_username, record_access, registering_organisation,
    sign_in_lock_seconds,
};
pub use aid::{
    AidReport, CargoCategory, Consignment, ConsignmentCase, ConsignmentDraft, ConsignmentId,
    DailyTrucks, DwellStats, Load, MAX_NOTE_CHARS, MoveFields, ReasonCount, Recount, Stage,
    StageChange, StageCount, StageDayCount, StageError, StageEvent, StageLine, StageMove,
    StuckConsignment, Tonnes, TonnesReconciliation, TruckDefinition, TruckTarget, daily_trucks,
    dwell_minutes, dwell_text, next_stages, rank_reasons,
};
pub use calls::{
    AssemblyPoint, CallOutcome, CallRecording, Contact, DEFAULT_CUT_OFF_HOUR, Language,
    MeetingTime, NewAssemblyPoint, NewContact, PhoneNumber, assembly_point_of, call_frees_places,
    cut_off_passed, default_cut_off, parse_cut_off,
};
pub use clearance::{BatchId, ClearanceGroup, ClearanceOutcome, ClearanceRates, RequestFacts};
pub use crossing::{
    Crossing, CrossingDay, CrossingId, CrossingRules, Direction, GateOutcome, Quota, QuotaCategory,
    WeekdaySet, check_quota_periods,
};
pub use facility::{BedCapacity, Country, CountryCode, Facility, FacilityId};
pub use figure::{
    FigureDraft, MAX_FIGURE_NOTE_CHARS, MAX_FIGURE_TEXT_CHARS, Source, SourcedFigure,
};
pub use gate::{AtGate, GateBreak, GateChange, GateMember, GateParty, GateProposal, check_gate};
pub use luggage::{
    CashAmount, CashLimit, CurrencyCode, DeclarationError, DeclarationField, DeclaredItem,
    ItemCategory, LuggageDeclaration, LuggageFields, LuggageRuleSet, RuleKind, Violation,
    check_luggage, check_luggage_versions, format_weight_grams, parse_weight_grams,
    rule_set_in_force,
};
pub use manifest::{
    DayCap, DayRules, InDay, ProposedParty, ProposedPerson, RuleBreak, check_manifest,
};
pub use notices::{
    DeliveryStatus, NOTICE_FIRST_RETRY, NOTICE_GIVE_UP_AFTER, NOTICE_LONGEST_RETRY,
    NOTICE_MAX_ATTEMPTS, NoticeChannel, NoticeDay, NoticeEvent, NoticeKind, NoticePoint,
    NoticeState, NoticeTemplateError, Retry, notice_retry, render_notice,
};
pub use organisation::{
    MAX_ORGANISATION_NAME_CHARS, Organisation, OrganisationId, OrganisationKind,
};
pub use paging::Paging;
pub use password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, check_password};
pub use person::{
    AgeGroup, BirthYear, ConditionCategory, LegalBasis, NewPerson, PersonId, PersonKind,
    PersonName, Referral, ReferralDate, Relationship, Role, Sex, Specialty, Text, Tier,
    unaccompanied_children,
};
pub use reason::{Reason, ReasonCatalogue, ReasonCode, ReasonEntry, ReasonKind};
pub use registration::{
    CompanionFields, PatientFields, REPLACEMENT_REASON_MAX_CHARS, Registration, RegistrationError,
    Replacement, ReturneeFields, check_replaceable,
};
pub use standby::{
    AmendmentKind, DEFAULT_STANDBY_PERCENT, MAX_STANDBY_SIZE, parse_standby_size, standby_size,
};
pub use status::{
    Action, ActionError, ActionFacts, ActionKind, Booking, Case, Status, StatusEvent, StatusLine,
    TransitionError, allowed_actions, exited_from,
};

/// A value that could not be parsed: which field, what was given, what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InvalidValue {
    pub field: &'static str,
    pub problem: String,
}

impl InvalidValue {
    pub fn new(field: &'static str, problem: impl Into<String>) -> InvalidValue {
        InvalidValue {
            field,
            problem: problem.into(),
        }
    }
}

/// Defines a closed set of named values with a stable lowercase label, used
/// in the database, in files and on the command line alike.
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        $name:ident, field = $field:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $label:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }

            pub fn parse(text: &str) -> Result<$name, $crate::InvalidValue> {
                let wanted = text.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str().eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| {
                        let labels: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        $crate::InvalidValue::new(
                            $field,
                            format!("unknown value '{}'; expected one of: {}", wanted, labels.join(", ")),
                        )
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::InvalidValue;
            fn from_str(text: &str) -> Result<$name, $crate::InvalidValue> {
                $name::parse(text)
            }
        }
    };
}
pub(crate) use labelled_enum;

/// Checks a short identifier: 1 to 32 characters, ASCII letters, digits, `-`, `_` or `.`.
pub(crate) fn check_identifier(field: &'static str, text: &str) -> Result<String, InvalidValue> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InvalidValue::new(field, "is empty"));
    }
    if text.len() > 32 {
        return Err(InvalidValue::new(
            field,
            format!("'{text}' is longer than 32 characters"),
        ));
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(InvalidValue::new(
            field,
            format!("'{text}' contains '{bad}'; use letters, digits, '-', '_' or '.'"),
        ));
    }
    Ok(text.to_string())
}
