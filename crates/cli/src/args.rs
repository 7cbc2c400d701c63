//! The name `main` reads the parsed command line by; the definitions are
//! in [`crate::flags`].

pub use crate::flags::Cli;
