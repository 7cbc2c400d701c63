//! Crossing days, one noun to a module: the rules a crossing works under,
//! security clearance, what the planner is given and the coordinator's
//! overrides, the confirmed manifest with its beds, the gate, and
//! returnees' luggage.
//!
//! The planner proposes; the store disposes. Confirming a manifest checks
//! every invariant again inside the write transaction — only cleared people,
//! the quota and its caps, companions with their patient, a free bed at an
//! open destination that accepts the patient — so a stale or hand-edited
//! plan can never break them.

pub(crate) mod amend;
pub(crate) mod beds;
pub(crate) mod calls;
pub(crate) mod clearance;
pub(crate) mod gate;
pub(crate) mod inputs;
pub(crate) mod luggage;
pub(crate) mod manifest;
pub(crate) mod overrides;
pub(crate) mod rules;
pub(crate) mod utilisation;

pub use amend::{
    Amended, AmendedParty, Amendment, DayCancelled, FreedEntry, FreedPlaces, StandbyEntry,
};
pub use beds::{BedLine, Destination};
pub use calls::{
    CallAttempt, CallList, CallMember, CallParty, CallRecord, CallRecorded, PartyPoints,
};
pub use clearance::{
    ClearanceBatch, ClearanceRequest, Decision, Submission, Submitted, SubmittedBatch, direction_of,
};
pub use gate::{EntryState, GateRecord, GateRecording, GateUndo, GateUndone, Reconciliation};
pub use inputs::{CandidatePatient, CandidateReturnee, FreeBeds, PlanningInputs};
pub use manifest::{DayCancellation, DraftParty, Manifest, ManifestDraft, ManifestEntry};
pub use overrides::{OverrideChange, OverrideKind, PlanOverride};
