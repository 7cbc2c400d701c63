//! The registry: people, their status lines and their histories.

pub(crate) mod contacts;
pub(crate) mod list;
pub(crate) mod registration;
pub(crate) mod replacement;
pub(crate) mod transitions;

pub use list::{
    Keyset, ListFilter, ListPage, ListPosition, ListedPerson, RoleFilter, TierCount, Visibility,
    WaitFilter, WaitingSummary,
};
pub use registration::PersonRecord;
pub use replacement::{CompanionStanding, Replaced};
pub use transitions::Transitioned;
