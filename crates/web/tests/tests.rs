//! The web application as its users and integrations meet it: real HTTP
//! requests through the whole router (sessions, CSRF, roles), on SQLite
//! and, when CORRIDOR_TEST_POSTGRES_URL names a server, on PostgreSQL.

mod harness;

mod admin;
mod aid;
mod arabic;
mod auth;
mod browser;
mod calls;
mod clearance;
mod companions;
mod dashboard;
mod day;
mod details;
mod errors;
mod exports;
mod figures;
mod frame;
mod free_text;
mod fuzz;
mod logging;
mod notices;
mod people;
mod plan;
mod reasons;
mod registry;
mod returnees;
mod routes;
mod search;
mod standby;
