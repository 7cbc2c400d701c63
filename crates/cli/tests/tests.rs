//! The `corridor` binary as a coordinator runs it: every test gets a fresh
//! SQLite database in a temporary directory, works as of 2026-02-01 as
//! `tester`, and checks what is printed and the exit code.
//!
//! One test binary (see `autotests = false` in Cargo.toml); the modules live
//! under `tests/cli/` so that cargo does not build each as its own target.

mod cli;
