//! The corridor web application: the working screens, the dashboard and the
//! JSON API under `/api/v1`, behind sign-in and roles.
//!
//! Pages are rendered on the server (askama templates) and work without
//! JavaScript, so a tablet at the gate needs nothing but a browser; every
//! asset is served by corridor itself. The API answers JSON and, on error,
//! RFC 9457 problem documents; its OpenAPI document is generated from the
//! handlers (`/api/openapi.json`).
//!
//! Every route checks the user's role ([`corridor_domain::UserRole`]);
//! personal records are shown only within the user's scope, or after
//! breaking the glass with a reason, and every view of one is audited.

mod access_log;
mod api;
mod auth;
mod error;
mod i18n;
pub mod notices;
mod pages;
mod server;
mod state;

pub use auth::password::{generate_password, hash_password, verify_password};
pub use auth::token::{generate_token, hash_token};
pub use server::{Config, Server, router, routes_outside_the_api};
pub use state::{AppState, Clock, ForecastCache, ForecastKey};
