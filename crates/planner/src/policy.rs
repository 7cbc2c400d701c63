//! The stated priority policy: the value of evacuating one patient.

use corridor_domain::Tier;
use jiff::civil::Date;

/// The outbound policy in one line, for the CLI and reports.
pub const POLICY_TEXT: &str = "priority of a patient = tier points (critical 100, urgent 10, routine 1) \
     x (2 x (365 + days waited, counted up to 730) + 1 for a child); \
     every person who leaves counts with the priority of the patient they travel with, \
     companions included; the day takes the cleared parties of greatest total priority score that fit \
     the places and the free beds; ties go to the earlier referral, then the lower id";

/// The inbound policy in one line.
pub const INBOUND_POLICY_TEXT: &str = "first registered, first served; children first among those registered on the same day, then the lower id";

/// Waiting counts up to two years; beyond that, time adds no further priority.
pub const MAX_DAYS_COUNTED: i64 = 730;

/// The policy's points for a tier. With at most two companions a party takes
/// at most three places, and three places of a lower tier are never worth
/// one place of the tier above: 3 x (2 x 1,095 + 1) < 10 x 2 x 365. So the
/// value trades places only within a tier.
pub fn tier_points(tier: Tier) -> u64 {
    match tier {
        Tier::Critical => 100,
        Tier::Urgent => 10,
        Tier::Routine => 1,
    }
}

/// Whole days from the referral to `on`; 0 if the referral is later.
pub fn days_waited(referral_date: Date, on: Date) -> i64 {
    (on.duration_since(referral_date).as_secs() / 86_400).max(0)
}

/// The value of evacuating a patient, as stated in [`POLICY_TEXT`]. The
/// child's point is worth half a day of waiting, so it decides only between
/// patients of the same tier who waited equally long.
pub fn value(tier: Tier, days_waited: i64, is_child: bool) -> u64 {
    let counted = days_waited.clamp(0, MAX_DAYS_COUNTED) as u64;
    tier_points(tier) * (2 * (365 + counted) + u64::from(is_child))
}

/// The value of evacuating a party: the patient's value for each person in
/// it. Companions count with their patient's priority because they are
/// people leaving, and because a child never travels alone: valuing
/// companions at nothing would make the plan prefer adults travelling alone
/// to children and to anyone who needs a carer.
pub fn party_value(patient_value: u64, places: u32) -> u64 {
    patient_value * u64::from(places)
}
