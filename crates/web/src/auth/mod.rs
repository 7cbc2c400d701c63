//! Who is asking: sign-in with passwords, sessions, API tokens, CSRF, and
//! the scope check for personal records.

pub mod csrf;
pub mod identity;
pub mod password;
pub mod session_store;
pub mod token;

pub use identity::{ApiUser, Identity, PageUser};
