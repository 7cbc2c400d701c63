//! The file formats of corridor, and the only crate that knows them.
//!
//! Each module converts explicitly between one format and the domain types
//! of `corridor-domain`; nothing here touches a database. Reading a file
//! never stops at the first problem: it reports every bad row with its line
//! and column, so that the person who prepared the file can fix it in one pass.
//!
//! - [`referrals`]: CSV import and export of patients and their companions.
//! - [`hxl`]: HXL-tagged CSV, read by tag in any column order.
//! - [`figures`]: sourced public figures as HXL, export and import.
//! - [`aggregates`]: HXL exports of counts about people (waiting list,
//!   evacuations, deaths), small counts suppressed.
//! - [`fhir`]: HL7 FHIR R4 Bundles of referrals, pseudonymised.
//! - [`forecast_charts`]: the SVG charts of a Monte Carlo forecast.
//! - [`sitrep`]: the situation report as one self-contained HTML file.
//! - [`disclosure`]: the small-count suppression rule all of them share.
//! - [`consignments`]: CSV import and export of aid consignments and their stage times.
//! - [`decisions`]: CSV import of the clearing authority's decisions.
//! - [`batch_file`]: a clearance batch as CSV or XLSX for the authority, and
//!   its answers read back from either.
//! - [`cell`]: the rule every cell of those files is written and read by.

pub mod aggregates;
pub mod batch_file;
pub mod cell;
pub mod consignments;
pub mod decisions;
pub mod disclosure;
pub mod fhir;
pub mod figures;
pub mod forecast_charts;
pub mod hxl;
pub mod referrals;
pub mod sitrep;
