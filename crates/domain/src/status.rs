//! The status line of a person: where they are between referral and return,
//! and the only transitions that move them.
//!
//! ```text
//! referred ─list→ listed ─request-clearance→ clearance-requested ─clear→ cleared ─schedule→ scheduled ─cross→ crossed ─admit→ admitted ─return→ returned
//!                                              │        ↑                  ↑                   │
//!                                              │    resubmit               └──── unschedule ───┘   (turned back, no-show, removed from a plan)
//!                                              ├─deny→ denied ──┤
//!                                              └─delay→ delayed ┘
//! any waiting state (referred … scheduled) ─die→ died-while-waiting, ─withdraw→ withdrawn
//! died-while-waiting, withdrawn ─reinstate→ the waiting state they left (scheduled → cleared)
//! crossed, cleared ─undo-gate→ scheduled   (a gate outcome recorded in error, the same day)
//! ```
//!
//! A gate outcome tapped in error is undone by `undo-gate`, only at the
//! gate and only on the crossing day: whoever crossed, was turned back or
//! did not come is expected again, scheduled on the booking of the
//! manifest they are on. The store restores the manifest entry and the bed
//! with it; the history keeps both events.
//!
//! A death or withdrawal recorded in error is undone by `reinstate`, with a
//! reason: the person goes back to the waiting status the exit moved them
//! out of ([`StatusLine::exited_from`]), except that someone who was
//! `scheduled` goes back to `cleared`: their place on that day's manifest
//! was given up and their bed released when they left, and neither is
//! restored. The history keeps both events.
//!
//! Companions have their own line: they start `listed` (they need no medical
//! approval), go through clearance on their own, and after crossing they
//! `return` directly, since only patients are admitted.
//!
//! Returnees go the other way, into the territory: they start `listed`, go
//! through clearance and scheduling like everyone else, and `crossed` is the
//! end of their line.

use jiff::civil::Date;

use crate::{
    CrossingId, FacilityId, InvalidValue, NewPerson, Reason, ReasonCatalogue, ReasonKind, Role,
    Text, labelled_enum,
};

labelled_enum! {
    Status, field = "status" {
        Referred = "referred",
        /// Medically approved for treatment abroad.
        Listed = "listed",
        ClearanceRequested = "clearance-requested",
        Cleared = "cleared",
        Denied = "denied",
        /// No clearance answer by the date it was needed.
        Delayed = "delayed",
        Scheduled = "scheduled",
        Crossed = "crossed",
        Admitted = "admitted",
        Returned = "returned",
        DiedWhileWaiting = "died-while-waiting",
        Withdrawn = "withdrawn",
    }
}

impl Status {
    /// Still on the list: not yet crossed, not dead, not withdrawn.
    pub fn is_waiting(self) -> bool {
        matches!(
            self,
            Status::Referred
                | Status::Listed
                | Status::ClearanceRequested
                | Status::Cleared
                | Status::Denied
                | Status::Delayed
                | Status::Scheduled
        )
    }

    pub const WAITING: &'static [Status] = &[
        Status::Referred,
        Status::Listed,
        Status::ClearanceRequested,
        Status::Cleared,
        Status::Denied,
        Status::Delayed,
        Status::Scheduled,
    ];

    /// The status a newly registered person starts in.
    pub fn initial(role: Role) -> Status {
        match role {
            Role::Patient => Status::Referred,
            Role::Companion | Role::Returnee => Status::Listed,
        }
    }
}

labelled_enum! {
    /// The name of a transition, as typed on the command line.
    ActionKind, field = "action" {
        List = "list",
        RequestClearance = "request-clearance",
        Clear = "clear",
        Deny = "deny",
        Delay = "delay",
        Resubmit = "resubmit",
        Schedule = "schedule",
        Unschedule = "unschedule",
        Cross = "cross",
        Admit = "admit",
        Return = "return",
        Die = "die",
        Withdraw = "withdraw",
        /// Undo a death or withdrawal recorded in error.
        Reinstate = "reinstate",
        /// Undo a gate outcome recorded in error, on the crossing day.
        UndoGate = "undo-gate",
    }
}

/// A transition with the facts it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    List,
    RequestClearance,
    Clear,
    Deny {
        reason: Reason,
    },
    /// No answer by `needed_by`; the reason is `no-answer` unless the
    /// authority said more.
    Delay {
        needed_by: Date,
        reason: Reason,
    },
    /// Request clearance again after a denial or a delay; the new attempt is
    /// linked to the earlier ones by its attempt number.
    Resubmit,
    Schedule {
        booking: Booking,
    },
    /// Back to the cleared pool: turned back at the gate, no-show, or removed
    /// from a day plan; the reason's kind says which.
    Unschedule {
        reason: Reason,
    },
    Cross,
    Admit {
        facility: FacilityId,
    },
    Return,
    Die {
        on: Date,
    },
    Withdraw {
        reason: Reason,
    },
    /// Back onto the waiting list after a death or withdrawal recorded in
    /// error; where to is [`StatusLine::reinstated_status`].
    Reinstate {
        reason: Reason,
    },
    /// Back to expected at the gate after an outcome recorded in error:
    /// scheduled again on the booking of the manifest the person is on.
    UndoGate {
        booking: Booking,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::List => ActionKind::List,
            Action::RequestClearance => ActionKind::RequestClearance,
            Action::Clear => ActionKind::Clear,
            Action::Deny { .. } => ActionKind::Deny,
            Action::Delay { .. } => ActionKind::Delay,
            Action::Resubmit => ActionKind::Resubmit,
            Action::Schedule { .. } => ActionKind::Schedule,
            Action::Unschedule { .. } => ActionKind::Unschedule,
            Action::Cross => ActionKind::Cross,
            Action::Admit { .. } => ActionKind::Admit,
            Action::Return => ActionKind::Return,
            Action::Die { .. } => ActionKind::Die,
            Action::Withdraw { .. } => ActionKind::Withdraw,
            Action::Reinstate { .. } => ActionKind::Reinstate,
            Action::UndoGate { .. } => ActionKind::UndoGate,
        }
    }

    /// The reason the action carries, if it is one that must give a reason.
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            Action::Deny { reason }
            | Action::Delay { reason, .. }
            | Action::Unschedule { reason }
            | Action::Withdraw { reason }
            | Action::Reinstate { reason } => Some(reason),
            _ => None,
        }
    }

    /// Whether a new record may carry this action's reason: a kind of reason
    /// the action takes ([`ActionKind::reason_kinds`]), with a code of the
    /// catalogue still in use. Actions without a reason always may.
    pub fn check_reason(&self, catalogue: &ReasonCatalogue) -> Result<(), InvalidValue> {
        let Some(reason) = self.reason() else {
            return Ok(());
        };
        let kinds = self.kind().reason_kinds();
        if !kinds.contains(&reason.kind) {
            let names: Vec<&str> = kinds.iter().map(|kind| kind.as_str()).collect();
            return Err(InvalidValue::new(
                "reason_kind",
                format!(
                    "{} takes a reason of kind {}, not {}",
                    self.kind(),
                    names.join(" or "),
                    reason.kind
                ),
            ));
        }
        catalogue.check(reason)
    }
}

impl ActionKind {
    /// The kinds of reason the action carries: none for most actions; the
    /// gate's turned-back and no-show besides the coordinator's own for
    /// unschedule.
    pub fn reason_kinds(self) -> &'static [ReasonKind] {
        match self {
            ActionKind::Deny => &[ReasonKind::Denied],
            ActionKind::Delay => &[ReasonKind::Delayed],
            ActionKind::Unschedule => &[
                ReasonKind::Unscheduled,
                ReasonKind::TurnedBack,
                ReasonKind::NoShow,
            ],
            ActionKind::Withdraw => &[ReasonKind::Withdrawn],
            ActionKind::Reinstate => &[ReasonKind::Reinstated],
            _ => &[],
        }
    }

    /// The kind of reason given when the action is taken by hand (a form,
    /// the command line), if it takes one.
    pub fn reason_kind(self) -> Option<ReasonKind> {
        self.reason_kinds().first().copied()
    }
}

/// The facts an action may need, as a form or the command line gives them.
/// Each action takes only the ones it needs and ignores the others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActionFacts<'a> {
    /// The reason code (deny, delay, unschedule, withdraw).
    pub reason_code: Option<&'a str>,
    /// The note that goes with the reason; it stays with the person's record.
    pub note: Option<&'a str>,
    /// The date the answer was needed by (delay), of death (die), or the
    /// crossing day (schedule, undo-gate).
    pub date: Option<Date>,
    pub facility: Option<&'a str>,
    pub crossing: Option<&'a str>,
}

/// Why an action could not be built from its facts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    /// A fact the action needs was not given.
    #[error("{action} needs a {field} ({what})")]
    Missing {
        action: ActionKind,
        /// `date`, `facility` or `crossing`.
        field: &'static str,
        what: &'static str,
    },
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
}

impl ActionError {
    /// The fact at fault.
    pub fn field(&self) -> &'static str {
        match self {
            ActionError::Missing { field, .. } => field,
            ActionError::Invalid(invalid) => invalid.field,
        }
    }
}

impl Action {
    /// Builds the action of `kind` from the facts it needs; `today` bounds
    /// the date of death.
    pub fn from_kind(
        kind: ActionKind,
        facts: &ActionFacts<'_>,
        today: Date,
    ) -> Result<Action, ActionError> {
        let missing = |field: &'static str, what: &'static str| ActionError::Missing {
            action: kind,
            field,
            what,
        };
        let reason = || -> Result<Reason, ActionError> {
            let reason_kind = kind
                .reason_kind()
                .expect("only actions that take a reason ask for one");
            Ok(Reason::parse(reason_kind, facts.reason_code, facts.note)?)
        };
        let date = |what: &'static str| facts.date.ok_or_else(|| missing("date", what));
        Ok(match kind {
            ActionKind::List => Action::List,
            ActionKind::RequestClearance => Action::RequestClearance,
            ActionKind::Clear => Action::Clear,
            ActionKind::Deny => Action::Deny { reason: reason()? },
            ActionKind::Delay => Action::Delay {
                needed_by: date("the date the answer was needed by")?,
                reason: reason()?,
            },
            ActionKind::Resubmit => Action::Resubmit,
            ActionKind::Schedule | ActionKind::UndoGate => {
                let date = date("the crossing day")?;
                let crossing = facts
                    .crossing
                    .ok_or_else(|| missing("crossing", "the crossing's id"))?;
                let booking = Booking {
                    date,
                    crossing: CrossingId::parse(crossing)?,
                };
                if kind == ActionKind::Schedule {
                    Action::Schedule { booking }
                } else {
                    Action::UndoGate { booking }
                }
            }
            ActionKind::Unschedule => Action::Unschedule { reason: reason()? },
            ActionKind::Cross => Action::Cross,
            ActionKind::Admit => {
                let facility = facts
                    .facility
                    .ok_or_else(|| missing("facility", "the receiving facility's id"))?;
                Action::Admit {
                    facility: FacilityId::parse(facility)?,
                }
            }
            ActionKind::Return => Action::Return,
            ActionKind::Die => {
                let on = date("the date of death")?;
                if on > today {
                    return Err(InvalidValue::new(
                        "date",
                        format!("{on} is in the future (today is {today})"),
                    )
                    .into());
                }
                Action::Die { on }
            }
            ActionKind::Withdraw => Action::Withdraw { reason: reason()? },
            ActionKind::Reinstate => Action::Reinstate { reason: reason()? },
        })
    }
}

/// A place on a crossing day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub date: Date,
    pub crossing: CrossingId,
}

/// The transitions allowed from a line, for a role. `undo-gate` is not
/// among them: it undoes one outcome on one manifest, which the line
/// alone cannot tell (every cleared person would seem to have one).
pub fn allowed_actions(role: Role, line: &StatusLine) -> Vec<ActionKind> {
    ActionKind::ALL
        .iter()
        .copied()
        .filter(|&kind| kind != ActionKind::UndoGate && target(role, line, kind).is_some())
        .collect()
}

/// The one table of legal transitions.
fn target(role: Role, line: &StatusLine, action: ActionKind) -> Option<Status> {
    use ActionKind as A;
    use Status as S;
    let to = match (line.status, action) {
        (S::Referred, A::List) if role == Role::Patient => S::Listed,
        (S::Listed, A::RequestClearance) => S::ClearanceRequested,
        (S::ClearanceRequested, A::Clear) => S::Cleared,
        (S::ClearanceRequested, A::Deny) => S::Denied,
        (S::ClearanceRequested, A::Delay) => S::Delayed,
        (S::Denied | S::Delayed, A::Resubmit) => S::ClearanceRequested,
        (S::Cleared, A::Schedule) => S::Scheduled,
        (S::Scheduled, A::Unschedule) => S::Cleared,
        (S::Scheduled, A::Cross) => S::Crossed,
        (S::Crossed, A::Admit) if role == Role::Patient => S::Admitted,
        (S::Admitted, A::Return) if role == Role::Patient => S::Returned,
        (S::Crossed, A::Return) if role == Role::Companion => S::Returned,
        (waiting, A::Die) if waiting.is_waiting() => S::DiedWhileWaiting,
        (waiting, A::Withdraw) if waiting.is_waiting() => S::Withdrawn,
        (S::DiedWhileWaiting | S::Withdrawn, A::Reinstate) => line.reinstated_status()?,
        // Crossed keeps the booking; turned back and no-show left it.
        (S::Crossed | S::Cleared, A::UndoGate) => S::Scheduled,
        _ => return None,
    };
    Some(to)
}

/// An illegal transition: what was tried, from where, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a {role} who is {from}; {}", allowed_text(.allowed))]
pub struct TransitionError {
    pub role: Role,
    pub from: Status,
    pub action: ActionKind,
    pub allowed: Vec<ActionKind>,
}

fn allowed_text(allowed: &[ActionKind]) -> String {
    if allowed.is_empty() {
        "no transition is allowed from this status".to_string()
    } else {
        let names: Vec<&str> = allowed.iter().map(|kind| kind.as_str()).collect();
        format!("allowed: {}", names.join(", "))
    }
}

/// A person's current position in the process. `version` counts the
/// transitions applied, and is what optimistic concurrency compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    pub status: Status,
    /// Which clearance request this is: 0 before the first, 1 for the first,
    /// and one more for each resubmission.
    pub clearance_attempt: u32,
    pub booking: Option<Booking>,
    pub admitted_to: Option<FacilityId>,
    /// The date of death, for those who died while waiting.
    pub died_on: Option<Date>,
    /// For those who died while waiting or withdrew: the waiting status
    /// they were in then, i.e. the `from` of the event that moved them out
    /// ([`exited_from`] of the history). `None` otherwise.
    pub exited_from: Option<Status>,
    pub version: u32,
}

impl StatusLine {
    pub fn new(role: Role) -> StatusLine {
        StatusLine {
            status: Status::initial(role),
            clearance_attempt: 0,
            booking: None,
            admitted_to: None,
            died_on: None,
            exited_from: None,
            version: 1,
        }
    }

    /// Where a reinstatement takes this line: for a person who died while
    /// waiting or withdrew, the waiting status they left, except that
    /// `scheduled` becomes `cleared` (the place on that day's manifest was
    /// given up and the bed released when they left; neither comes back).
    /// `None` for anyone else.
    pub fn reinstated_status(&self) -> Option<Status> {
        if !matches!(self.status, Status::DiedWhileWaiting | Status::Withdrawn) {
            return None;
        }
        match self.exited_from? {
            Status::Scheduled => Some(Status::Cleared),
            waiting if waiting.is_waiting() => Some(waiting),
            _ => None,
        }
    }

    /// The line after `action`, or why the action is not allowed now.
    pub fn apply(&self, role: Role, action: &Action) -> Result<StatusLine, TransitionError> {
        let kind = action.kind();
        let to = target(role, self, kind).ok_or_else(|| TransitionError {
            role,
            from: self.status,
            action: kind,
            allowed: allowed_actions(role, self),
        })?;
        let mut next = self.clone();
        next.status = to;
        next.version = self.version + 1;
        match action {
            Action::RequestClearance | Action::Resubmit => next.clearance_attempt += 1,
            Action::Schedule { booking } | Action::UndoGate { booking } => {
                next.booking = Some(booking.clone());
            }
            Action::Unschedule { .. } => next.booking = None,
            Action::Admit { facility } => next.admitted_to = Some(facility.clone()),
            Action::Die { on } => {
                next.died_on = Some(*on);
                next.booking = None;
                next.exited_from = Some(self.status);
            }
            // A place given up before crossing goes back to the quota.
            Action::Withdraw { .. } => {
                next.booking = None;
                next.exited_from = Some(self.status);
            }
            Action::Reinstate { .. } => {
                next.died_on = None;
                next.exited_from = None;
            }
            _ => {}
        }
        Ok(next)
    }
}

impl StatusLine {
    /// Applies `action` and returns the new line with the event that records
    /// the change.
    pub fn transition(
        &self,
        role: Role,
        action: Action,
        at: jiff::Timestamp,
        actor: &str,
        note: Option<Text>,
    ) -> Result<(StatusLine, StatusEvent), TransitionError> {
        let next = self.apply(role, &action)?;
        let event = StatusEvent {
            version: next.version,
            at,
            actor: actor.to_string(),
            from: Some(self.status),
            to: next.status,
            action: Some(action),
            clearance_attempt: next.clearance_attempt,
            note,
        };
        Ok((next, event))
    }
}

/// The waiting status a history's last event moved the person out of, when
/// that event is a death or a withdrawal: what [`StatusLine::exited_from`]
/// holds for the line the history leads to.
pub fn exited_from(history: &[StatusEvent]) -> Option<Status> {
    let last = history.last()?;
    match last.to {
        Status::DiedWhileWaiting | Status::Withdrawn => last.from,
        _ => None,
    }
}

/// A person with their current line and the whole history that led to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub person: NewPerson,
    pub line: StatusLine,
    pub events: Vec<StatusEvent>,
}

impl Case {
    /// A new registration: the initial status and the event that records it.
    pub fn register(person: NewPerson, at: jiff::Timestamp, actor: &str) -> Case {
        let line = StatusLine::new(person.role());
        let event = StatusEvent {
            version: line.version,
            at,
            actor: actor.to_string(),
            from: None,
            to: line.status,
            action: None,
            clearance_attempt: 0,
            note: None,
        };
        Case {
            person,
            line,
            events: vec![event],
        }
    }

    pub fn apply(
        &mut self,
        action: Action,
        at: jiff::Timestamp,
        actor: &str,
        note: Option<Text>,
    ) -> Result<&StatusEvent, TransitionError> {
        let (line, event) = self
            .line
            .transition(self.person.role(), action, at, actor, note)?;
        self.line = line;
        self.events.push(event);
        Ok(self.events.last().expect("an event was just pushed"))
    }
}

/// One change of status, as the history records it: who, when, from, to, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    /// The version of the line after this event; the first event (the
    /// registration) has version 1 and no `from`.
    pub version: u32,
    pub at: jiff::Timestamp,
    pub actor: String,
    pub from: Option<Status>,
    pub to: Status,
    /// `None` for the registration itself.
    pub action: Option<Action>,
    /// The clearance attempt the line is on after this event.
    pub clearance_attempt: u32,
    /// A free note, besides the reason that some actions require.
    pub note: Option<Text>,
}

#[cfg(test)]
mod tests;
