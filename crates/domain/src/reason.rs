//! Why a person was denied, delayed, turned back, did not come, was taken
//! off a plan or left the list: a reason code from a list kept as data,
//! with an optional note.
//!
//! The code is what leaves the system: the situation report, the HXL
//! aggregates, the FHIR export and every pseudonymised export carry the code
//! and its label, never the note. The note is free text about a person and
//! stays with the person's record.
//!
//! Codes are stable identifiers (the Arabic labels will be found by code);
//! the list of codes of each [`ReasonKind`], with their labels and whether
//! they are still in use, is a [`ReasonCatalogue`] read from the database.
//! Every kind has the code `other`, which needs a note saying what the
//! reason was.

use crate::{InvalidValue, Text, labelled_enum};

labelled_enum! {
    /// Which situation a reason explains; each has its own list of codes.
    ReasonKind, field = "reason_kind" {
        /// Clearance denied by the authority.
        Denied = "denied",
        /// No clearance answer by the date it was needed.
        Delayed = "delayed",
        /// Turned back at the crossing.
        TurnedBack = "turned-back",
        /// Did not come to the crossing on the day.
        NoShow = "no-show",
        /// Taken off a day's plan after it was confirmed.
        Unscheduled = "unscheduled",
        /// Left the waiting list.
        Withdrawn = "withdrawn",
        /// Put back on the list after a death or withdrawal recorded in error.
        Reinstated = "reinstated",
    }
}

impl ReasonKind {
    /// What the kind is about, in a few words.
    pub fn label(self) -> &'static str {
        match self {
            ReasonKind::Denied => "clearance denied",
            ReasonKind::Delayed => "clearance delayed",
            ReasonKind::TurnedBack => "turned back at the crossing",
            ReasonKind::NoShow => "did not come to the crossing",
            ReasonKind::Unscheduled => "taken off a day's plan",
            ReasonKind::Withdrawn => "withdrawn from the list",
            ReasonKind::Reinstated => "put back on the list after an exit recorded in error",
        }
    }

    /// The code recorded when none is given, for the kinds whose event
    /// says enough by itself: a delay is by definition no answer by the
    /// date needed, and a no-show often has no known reason. The other
    /// kinds need a code.
    pub fn default_code(self) -> Option<ReasonCode> {
        let code = match self {
            ReasonKind::Delayed => "no-answer",
            ReasonKind::NoShow => "not-known",
            _ => return None,
        };
        Some(ReasonCode(code.to_string()))
    }
}

impl ReasonKind {
    /// The codes corridor records by itself, which must stay on the list
    /// and in use: `other`, the kind's default code, and for `unscheduled`
    /// the companion whose patient is off the manifest.
    pub fn fixed_codes(self) -> Vec<ReasonCode> {
        let mut codes = vec![ReasonCode::other()];
        codes.extend(self.default_code());
        if self == ReasonKind::Unscheduled {
            codes.push(Reason::patient_not_travelling().code);
            codes.push(Reason::declined_on_call(None).code);
            codes.push(Reason::unreachable_by_cut_off(None).code);
        }
        if self == ReasonKind::Withdrawn {
            codes.push(ReasonCode(Reason::REPLACED.to_string()));
        }
        codes
    }
}

/// A reason code: a stable identifier of 1 to 40 lowercase ASCII letters,
/// digits and `-`, such as `security-objection`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReasonCode(String);

impl ReasonCode {
    /// The code every kind has, for a reason the list does not name.
    pub const OTHER: &'static str = "other";
    pub const MAX_CHARS: usize = 40;

    pub fn parse(text: &str) -> Result<ReasonCode, InvalidValue> {
        let text = text.trim();
        if text.is_empty() {
            return Err(InvalidValue::new("reason_code", "is empty"));
        }
        if text.len() > ReasonCode::MAX_CHARS {
            return Err(InvalidValue::new(
                "reason_code",
                format!(
                    "'{text}' is longer than {} characters",
                    ReasonCode::MAX_CHARS
                ),
            ));
        }
        if let Some(bad) = text
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(InvalidValue::new(
                "reason_code",
                format!("'{text}' contains '{bad}'; a code is lowercase letters, digits and '-'"),
            ));
        }
        Ok(ReasonCode(text.to_string()))
    }

    pub fn other() -> ReasonCode {
        ReasonCode(ReasonCode::OTHER.to_string())
    }

    pub fn is_other(&self) -> bool {
        self.0 == ReasonCode::OTHER
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A reason: its kind, its code, and an optional note that stays with the
/// person's record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reason {
    pub kind: ReasonKind,
    pub code: ReasonCode,
    pub note: Option<Text>,
}

impl Reason {
    /// The longest note kept with a reason.
    pub const NOTE_MAX_CHARS: usize = 500;

    /// A reason of `kind`; the code `other` needs a note.
    pub fn new(
        kind: ReasonKind,
        code: ReasonCode,
        note: Option<Text>,
    ) -> Result<Reason, InvalidValue> {
        if code.is_other() && note.is_none() {
            return Err(InvalidValue::new(
                "note",
                format!(
                    "the reason code 'other' needs a note saying what the reason was ({})",
                    kind.label()
                ),
            ));
        }
        Ok(Reason { kind, code, note })
    }

    /// A reason from a form, a file or the command line: the code (the
    /// kind's default when left out, where it has one) and an optional note.
    /// Blank values count as left out.
    pub fn parse(
        kind: ReasonKind,
        code: Option<&str>,
        note: Option<&str>,
    ) -> Result<Reason, InvalidValue> {
        let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => ReasonCode::parse(code)?,
            None => kind.default_code().ok_or_else(|| {
                InvalidValue::new(
                    "reason_code",
                    format!(
                        "is required: give the code of the reason ({})",
                        kind.label()
                    ),
                )
            })?,
        };
        let note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| Text::parse("note", n, Reason::NOTE_MAX_CHARS))
            .transpose()?;
        Reason::new(kind, code, note)
    }

    /// A free-text reason recorded before reasons were coded: code `other`,
    /// the old text as the note.
    pub fn legacy(kind: ReasonKind, text: Text) -> Reason {
        Reason {
            kind,
            code: ReasonCode::other(),
            note: Some(text),
        }
    }

    /// Why a companion comes off a manifest without anyone deciding it: the
    /// patient they travel with no longer is on it. Like `other` and the
    /// kinds' default codes, the code is one corridor records by itself.
    pub fn patient_not_travelling() -> Reason {
        Reason {
            kind: ReasonKind::Unscheduled,
            code: ReasonCode("patient-not-travelling".to_string()),
            note: None,
        }
    }

    /// Why a party comes off a manifest when it declined its places on the
    /// call before the day; the note is what the party said.
    pub fn declined_on_call(note: Option<Text>) -> Reason {
        Reason {
            kind: ReasonKind::Unscheduled,
            code: ReasonCode("declined-on-call".to_string()),
            note,
        }
    }

    /// Why a party comes off a manifest when nobody could reach it by the
    /// day's cut-off.
    pub fn unreachable_by_cut_off(note: Option<Text>) -> Reason {
        Reason {
            kind: ReasonKind::Unscheduled,
            code: ReasonCode("unreachable-by-cut-off".to_string()),
            note,
        }
    }

    /// The code of a companion withdrawn because another family member
    /// replaces them; corridor records it by itself.
    pub const REPLACED: &'static str = "replaced";

    /// Why a companion leaves the list when another replaces them, with
    /// the coordinator's words as the note.
    pub fn replaced(note: Text) -> Reason {
        Reason {
            kind: ReasonKind::Withdrawn,
            code: ReasonCode(Reason::REPLACED.to_string()),
            note: Some(note),
        }
    }

    /// The reason without its note: what may leave the person's record.
    pub fn without_note(&self) -> Reason {
        Reason {
            kind: self.kind,
            code: self.code.clone(),
            note: None,
        }
    }
}

/// One code of the list: its kind, the code, an English label, and whether
/// it may be chosen for new records (a code no longer in use still reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonEntry {
    pub kind: ReasonKind,
    pub code: ReasonCode,
    pub label: String,
    pub in_use: bool,
}

/// The reason codes of every kind, in the order they are offered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReasonCatalogue {
    entries: Vec<ReasonEntry>,
}

impl ReasonCatalogue {
    pub fn new(entries: Vec<ReasonEntry>) -> ReasonCatalogue {
        ReasonCatalogue { entries }
    }

    pub fn entries(&self) -> &[ReasonEntry] {
        &self.entries
    }

    /// The codes of a kind that may be chosen now, in order.
    pub fn in_use(&self, kind: ReasonKind) -> impl Iterator<Item = &ReasonEntry> {
        self.entries
            .iter()
            .filter(move |entry| entry.kind == kind && entry.in_use)
    }

    pub fn entry(&self, kind: ReasonKind, code: &ReasonCode) -> Option<&ReasonEntry> {
        self.entries
            .iter()
            .find(|entry| entry.kind == kind && &entry.code == code)
    }

    /// The label of a code, or the code itself when the list does not know it.
    pub fn label(&self, kind: ReasonKind, code: &ReasonCode) -> String {
        self.entry(kind, code)
            .map_or_else(|| code.to_string(), |entry| entry.label.clone())
    }

    /// Whether a new record may carry `reason`: its code is on the list of
    /// its kind and still in use. The error names the field `reason_code`
    /// and lists the codes that may be used.
    pub fn check(&self, reason: &Reason) -> Result<(), InvalidValue> {
        match self.entry(reason.kind, &reason.code) {
            Some(entry) if entry.in_use => Ok(()),
            found => {
                let codes: Vec<&str> = self
                    .in_use(reason.kind)
                    .map(|entry| entry.code.as_str())
                    .collect();
                let problem = if found.is_some() {
                    "is no longer in use"
                } else {
                    "is not a reason code"
                };
                Err(InvalidValue::new(
                    "reason_code",
                    format!(
                        "'{}' {problem} for {}; use one of: {}",
                        reason.code,
                        reason.kind.label(),
                        codes.join(", ")
                    ),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> ReasonCatalogue {
        let entry = |code: &str, in_use: bool| ReasonEntry {
            kind: ReasonKind::Denied,
            code: ReasonCode::parse(code).unwrap(),
            label: format!("label of {code}"),
            in_use,
        };
        ReasonCatalogue::new(vec![
            entry("security-objection", true),
            entry("retired-code", false),
            entry("other", true),
        ])
    }

    #[test]
    fn codes_are_stable_identifiers() {
        assert_eq!(
            ReasonCode::parse(" security-objection ").unwrap().as_str(),
            "security-objection"
        );
        assert_eq!(
            ReasonCode::parse("Security objection")
                .unwrap_err()
                .to_string(),
            "reason_code: 'Security objection' contains 'S'; a code is lowercase letters, digits and '-'"
        );
        assert!(ReasonCode::parse("").is_err());
        assert!(ReasonCode::parse(&"a".repeat(41)).is_err());
    }

    #[test]
    fn other_needs_a_note_and_defaults_fill_in_where_a_kind_has_one() {
        let error = Reason::parse(ReasonKind::Denied, Some("other"), Some("  ")).unwrap_err();
        assert_eq!(error.field, "note");
        let reason = Reason::parse(
            ReasonKind::Denied,
            Some("other"),
            Some("asked for a new permit"),
        )
        .unwrap();
        assert_eq!(reason.note.unwrap().as_str(), "asked for a new permit");

        let error = Reason::parse(ReasonKind::Denied, None, Some("a note alone")).unwrap_err();
        assert_eq!(error.field, "reason_code");
        assert_eq!(
            Reason::parse(ReasonKind::Delayed, None, None)
                .unwrap()
                .code
                .as_str(),
            "no-answer"
        );
        assert_eq!(
            Reason::parse(ReasonKind::NoShow, Some(""), None)
                .unwrap()
                .code
                .as_str(),
            "not-known"
        );
        let legacy = Reason::legacy(
            ReasonKind::Withdrawn,
            Text::parse("reason", "treated locally", 500).unwrap(),
        );
        assert!(legacy.code.is_other());
        assert_eq!(legacy.without_note().note, None);
    }

    #[test]
    fn the_codes_corridor_records_by_itself_are_fixed() {
        let fixed = |kind: ReasonKind| -> Vec<String> {
            kind.fixed_codes().iter().map(ToString::to_string).collect()
        };
        assert_eq!(fixed(ReasonKind::Denied), ["other"]);
        assert_eq!(fixed(ReasonKind::Delayed), ["other", "no-answer"]);
        assert_eq!(fixed(ReasonKind::NoShow), ["other", "not-known"]);
        assert_eq!(
            fixed(ReasonKind::Unscheduled),
            [
                "other",
                "patient-not-travelling",
                "declined-on-call",
                "unreachable-by-cut-off"
            ]
        );
        assert_eq!(fixed(ReasonKind::Withdrawn), ["other", "replaced"]);
    }

    #[test]
    fn the_catalogue_accepts_codes_in_use_and_names_the_others() {
        let catalogue = catalogue();
        let reason = |code: &str| Reason::parse(ReasonKind::Denied, Some(code), Some("n")).unwrap();
        assert_eq!(catalogue.check(&reason("security-objection")), Ok(()));
        assert_eq!(
            catalogue
                .check(&reason("retired-code"))
                .unwrap_err()
                .to_string(),
            "reason_code: 'retired-code' is no longer in use for clearance denied; use one of: security-objection, other"
        );
        let unknown = catalogue.check(&reason("watch-list")).unwrap_err();
        assert_eq!(unknown.field, "reason_code");
        assert!(unknown.problem.contains("is not a reason code"));
        // The same code under another kind is another code.
        let withdrawn =
            Reason::parse(ReasonKind::Withdrawn, Some("security-objection"), None).unwrap();
        assert!(catalogue.check(&withdrawn).is_err());
        assert_eq!(
            catalogue.label(ReasonKind::Denied, &reason("retired-code").code),
            "label of retired-code"
        );
        assert_eq!(
            catalogue.label(ReasonKind::Denied, &reason("watch-list").code),
            "watch-list"
        );
    }
}
