//! Accounts of the people who use corridor, their web sessions, API tokens
//! and break-the-glass grants.
//!
//! The store keeps password hashes and token hashes only; hashing and
//! verifying belong to the web layer. Every change to an account, every
//! sign-in, every sign-out and every grant is audited. A sign-out ends its
//! session in the transaction that records it (`sign_out`). Saving a
//! session's record, which the web does on every request, is not audited,
//! and neither is the count of sign-in attempts kept for throttling
//! (`sign_in_throttle`), whose outcomes are.
//!
//! A password reset, a role change and disabling an account end the
//! account's sessions in the same transaction (`end_sessions`); the audit
//! head moves with it, so a server drops what it kept of them in memory.

mod accounts;
mod break_glass;
mod sessions;
mod tokens;

pub use accounts::{NewUser, UserAccount, UserUpdate};
pub use break_glass::BreakGlassGrant;
pub use sessions::SignInCheck;
pub use tokens::ApiToken;
