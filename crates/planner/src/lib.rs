//! corridor-planner: the proposed manifest of a crossing day, solved exactly
//! and explained. Pure: the day, its candidates and its beds are values; no
//! I/O, no clock, no random numbers.
//!
//! # Outbound: the policy
//!
//! Each cleared patient has a priority value ([`policy::value`], stated in
//! [`POLICY_TEXT`]):
//!
//! ```text
//! value = tier points x (2 x (365 + min(days waited on the day, 730)) + child)
//! tier points: critical 100, urgent 10, routine 1; child: 1 for a child, else 0
//! ```
//!
//! so a higher tier comes first, then the longer wait (up to two years), and
//! a child comes first among patients of equal tier and wait. A party — the
//! patient and the companions who travel with them — is worth the patient's
//! value for each person in it ([`policy::party_value`]): companions are
//! people leaving too, and a child never travels alone, so valuing them at
//! nothing would make the plan prefer adults travelling alone to children.
//! Values are integers, so plans compare exactly.
//!
//! The plan ([`plan_outbound`] with [`Method::Optimal`]) takes the patients of
//! **greatest total value** such that:
//!
//! - a patient travels with their cleared companions, at most
//!   `max_companions` (the first ones in registration order; the others are
//!   left out with that reason); a patient and the companions who travel are
//!   in or out together, and companions take places;
//! - a child patient with no cleared companion does not travel;
//! - patients plus companions never exceed the places: the quota, or the cap
//!   when it is lower (the notes quote the cap's reason when it binds);
//! - each patient has a free bed of their specialty on the day, at a facility
//!   that does not require a return guarantee unless the referral has one;
//!   no facility's beds of a specialty are over-committed;
//! - the coordinator's inclusions go in first, at the receiving facility
//!   they chose if they chose one (an error if one cannot:
//!   [`PlanError`] says why) and the removals stay out.
//!
//! Among patients who need the same (specialty, guarantee, places), ties go
//! to the earlier referral, then the lower id; the whole plan is
//! deterministic. Greedy first-fit strands patients when beds and places
//! are scarce (a patient with a guarantee takes an open bed that a later one
//! without a guarantee needed; a party of three fills the last places that
//! three patients of its tier would have used), so the plan is solved
//! exactly: see `optimal.rs` for the reduction to the candidates that can
//! matter and the dynamic programme.
//!
//! What the objective implies: within a tier every place is worth the
//! priority of the patient it carries, so a longer wait wins whether the
//! patient travels alone or with companions, and the optimiser departs from
//! priority order only where beds or the last places make the order waste
//! room. The tier points keep trades within a tier: a place of a higher tier
//! is always worth more than three of the tier below.
//! [`Method::Greedy`] is the baseline: priority order, take a patient if the
//! places left hold the party and a facility has a free bed they may take
//! (the first in facility id order), else pass over them.
//!
//! Every pick says why ("critical, waited 412 days, child; bed at
//! eg-arish-general (oncology)") and everyone else is left out with a
//! specific [`LeftOutReason`]. A patient ahead of some picks in priority
//! order may be left out by the optimiser when making room for their party
//! would remove picks worth at least as much ([`LeftOutReason::Outweighed`]).
//!
//! # Inbound
//!
//! [`plan_inbound`]: first registered, first served ([`INBOUND_POLICY_TEXT`]).
//!
//! # Standby and filling freed places
//!
//! [`standby_outbound`] and [`standby_inbound`] rank the parties the same
//! rules would pick next; [`fill_outbound`] and [`fill_inbound`] choose the
//! best of them for the places freed after confirmation (see `standby.rs`).

mod greedy;
mod inbound;
mod model;
mod optimal;
pub mod policy;
mod prepare;
mod standby;

pub use inbound::plan_inbound;
pub use model::{
    BedPool, Candidate, DayPlan, InboundDay, LeftOut, LeftOutReason, Method, OutboundDay,
    OverrideList, Overrides, Pick, PlanError, Returnee,
};
pub use policy::{INBOUND_POLICY_TEXT, POLICY_TEXT, party_value, value};
pub use standby::{StandbyParty, fill_inbound, fill_outbound, standby_inbound, standby_outbound};

/// Plans an outbound crossing day by the policy in the crate docs.
pub fn plan_outbound(day: &OutboundDay, method: Method) -> Result<DayPlan, PlanError> {
    let prepared = prepare::prepare(day)?;
    Ok(match method {
        Method::Optimal => optimal::plan(prepared),
        Method::Greedy => greedy::plan(prepared),
    })
}
