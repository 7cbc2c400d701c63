//! The file formats of corridor, and the only crate that knows them.
//!
//! Each module converts explicitly between one format and the domain types
//! of `corridor-domain`; nothing here touches a database. Reading a file
//! never stops at the first problem: it reports every bad row with its line
//! and column, so that the person who prepared the file can fix it in one pass.
//!
//! - [`referrals`]: CSV import and export of patients and their companions.
//! - [`consignments`]: CSV import and export of aid consignments and their stage times.

pub mod consignments;
pub mod referrals;
