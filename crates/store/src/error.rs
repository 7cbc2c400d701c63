//! What the store refuses or fails at, typed so that each edge answers it
//! its own way: the web with a status code and the field at fault, the CLI
//! with the command that helps. The messages say what is wrong in the
//! registry's words; they never name a CLI command or a screen (the edges
//! add those, see `hint` in each).

use corridor_domain::{ConsignmentId, InvalidValue, PersonId, StageError, TransitionError};

/// The kinds of things the registry holds, for "not found" and "already
/// exists".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thing {
    Person,
    Consignment,
    Crossing,
    Facility,
    Country,
    Organisation,
    Account,
    ApiToken,
    ReasonCode,
    ClearanceBatch,
    Figure,
    CrossingRules,
    BedOffer,
    Contact,
    AssemblyPoint,
    Notice,
}

impl Thing {
    /// The noun, as a sentence uses it.
    pub fn noun(self) -> &'static str {
        match self {
            Thing::Person => "person",
            Thing::Consignment => "consignment",
            Thing::Crossing => "crossing",
            Thing::Facility => "facility",
            Thing::Country => "country",
            Thing::Organisation => "organisation",
            Thing::Account => "account",
            Thing::ApiToken => "API token",
            Thing::ReasonCode => "reason code",
            Thing::ClearanceBatch => "clearance batch",
            Thing::Figure => "figure",
            Thing::CrossingRules => "crossing rule set",
            Thing::BedOffer => "bed offer",
            Thing::Contact => "contact",
            Thing::AssemblyPoint => "assembly point",
            Thing::Notice => "notice",
        }
    }
}

impl std::fmt::Display for Thing {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.noun())
    }
}

/// The rule of the crossing day a change would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayRule {
    /// The places of the day: a quota in force, the manifest's checks.
    Places,
    /// A companion travels with their patient, and a party crosses whole.
    Party,
    /// People are scheduled by confirming a day plan, and the plan is made
    /// from what the registry holds.
    Plan,
    /// Only who is expected at the gate is recorded there.
    Gate,
    /// A returnee's luggage is declared and within the rules in force.
    Luggage,
    /// The receiving facility and its country take the patient, with a
    /// free bed.
    Destination,
    /// A clearance batch holds people of one direction, decided once, on a
    /// date between its submission and today.
    Clearance,
    /// Calls are recorded for the parties of a confirmed day, and a party
    /// that has given up its places is planned again, not called.
    Calls,
}

impl DayRule {
    pub fn name(self) -> &'static str {
        match self {
            DayRule::Places => "places",
            DayRule::Party => "party",
            DayRule::Plan => "plan",
            DayRule::Gate => "gate",
            DayRule::Luggage => "luggage",
            DayRule::Destination => "destination",
            DayRule::Clearance => "clearance",
            DayRule::Calls => "calls",
        }
    }
}

/// "no person with id P-000001 is registered", "no crossing rafah is
/// registered": ids that are numbers say so, names read as they are.
fn not_found(thing: Thing, key: &str) -> String {
    match thing {
        Thing::Person | Thing::Consignment | Thing::ApiToken | Thing::ClearanceBatch => {
            format!("no {thing} with id {key} is registered")
        }
        Thing::Account => format!("no account named '{key}' is registered"),
        _ => format!("no {thing} {key} is registered"),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "'{url}' is not a database URL corridor can use; use sqlite:///path/to/file.db or postgres://user@host/database"
    )]
    UnsupportedUrl { url: String },
    #[error("cannot open the database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Nothing of that kind is registered under that key.
    #[error("{}", not_found(*thing, key))]
    NotFound { thing: Thing, key: String },
    /// Something of that kind is registered under that key already; the
    /// detail says what to do instead.
    #[error("{detail}")]
    Exists { thing: Thing, detail: String },
    #[error("{id}: {source}")]
    Transition {
        id: PersonId,
        source: TransitionError,
    },
    #[error("{id}: {source}")]
    Stage {
        id: ConsignmentId,
        source: StageError,
    },
    /// The change was based on a version of a person or consignment that
    /// someone else has changed since.
    #[error(
        "{subject} was changed by someone else meanwhile (it is now at version {current}, this change was based on version {expected}); look at it again and retry"
    )]
    Conflict {
        subject: String,
        expected: u32,
        current: u32,
    },
    /// A day's manifest can be confirmed once; it is then worked at the gate.
    #[error(
        "the {direction} manifest of {crossing} on {on} is already confirmed; work it at the gate"
    )]
    AlreadyConfirmed {
        crossing: String,
        on: jiff::civil::Date,
        direction: corridor_domain::Direction,
    },
    /// Another change committed at the same moment took what this one
    /// needed (a place, a bed, a name); nothing of this one was recorded.
    #[error(
        "{0} was changed by someone else at the same moment; nothing was recorded. Look at it again and retry"
    )]
    ChangedMeanwhile(String),
    /// A rule of the crossing day refuses the change.
    #[error("{detail}")]
    DayRule { rule: DayRule, detail: String },
    /// What the registry holds now refuses the change (the last active
    /// admin, a disabled account, a database that is not empty).
    #[error("{0}")]
    Refused(String),
    /// A value refused, naming the field at fault, and the person it was
    /// given for when there is one.
    #[error("{}{invalid}", person.as_ref().map(|id| format!("{id}: ")).unwrap_or_default())]
    Invalid {
        person: Option<PersonId>,
        invalid: InvalidValue,
    },
    /// An organisation id given for `field` that names no organisation.
    #[error(
        "{field}: no organisation '{id}' is registered; use the id of one in the list of organisations, or ask an admin to add it"
    )]
    UnknownOrganisation { field: &'static str, id: String },
    #[error(
        "the database holds a value corridor cannot read ({table} {key}, {problem}); it was changed outside corridor"
    )]
    Corrupt {
        table: &'static str,
        key: String,
        problem: String,
    },
    #[error("cannot write the backup: {0}")]
    Backup(std::io::Error),
    /// An export's file could not be written (what its writer said).
    #[error("{0}")]
    Export(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A value refused for a field, not about one person.
impl From<InvalidValue> for StoreError {
    fn from(invalid: InvalidValue) -> StoreError {
        StoreError::Invalid {
            person: None,
            invalid,
        }
    }
}

impl StoreError {
    pub(crate) fn not_found(thing: Thing, key: impl std::fmt::Display) -> StoreError {
        StoreError::NotFound {
            thing,
            key: key.to_string(),
        }
    }

    pub(crate) fn day_rule(rule: DayRule, detail: impl Into<String>) -> StoreError {
        StoreError::DayRule {
            rule,
            detail: detail.into(),
        }
    }

    /// A value refused for `field`.
    pub(crate) fn invalid(field: &'static str, problem: impl Into<String>) -> StoreError {
        StoreError::Invalid {
            person: None,
            invalid: InvalidValue::new(field, problem),
        }
    }

    pub(crate) fn corrupt(
        table: &'static str,
        key: impl Into<String>,
        problem: impl std::fmt::Display,
    ) -> StoreError {
        StoreError::Corrupt {
            table,
            key: key.into(),
            problem: problem.to_string(),
        }
    }

    /// Whether this is the violation of the unique index (or key) named
    /// `index`. On PostgreSQL a check made before an insert does not see a
    /// concurrent transaction's uncommitted row, but the index does: its
    /// violation is then answered as the check would have answered.
    /// SQLite does not name the index, and its writers queue (the check
    /// sees every committed row), so there any unique violation matches.
    pub(crate) fn violates(&self, index: &str) -> bool {
        let StoreError::Database(sqlx::Error::Database(error)) = self else {
            return false;
        };
        error.kind() == sqlx::error::ErrorKind::UniqueViolation
            && error.constraint().is_none_or(|name| name == index)
    }

    /// This error, or the one `instead` makes if this is the violation of
    /// the unique index `index` (see [`StoreError::violates`]).
    pub(crate) fn on_violation(
        self,
        index: &str,
        instead: impl FnOnce() -> StoreError,
    ) -> StoreError {
        if self.violates(index) {
            instead()
        } else {
            self
        }
    }

    pub(crate) fn from_invalid<'k>(
        table: &'static str,
        key: &'k str,
    ) -> impl Fn(InvalidValue) -> StoreError + 'k {
        move |invalid| StoreError::corrupt(table, key, invalid)
    }
}
