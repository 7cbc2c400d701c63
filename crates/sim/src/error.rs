//! Errors of scenario parsing and validation.

use thiserror::Error;

/// A value that a newtype constructor refused; the message says what to do.
/// It does not know the key: the parser adds it (see [`ScenarioError`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct ValueError(pub String);

/// Why a scenario file could not be turned into scenarios.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScenarioError {
    /// The text is not TOML, or a key is unknown or of the wrong type; the
    /// message from the TOML parser names the key and the line.
    #[error("scenario file is not valid: {0}")]
    Syntax(String),
    /// A value is out of range or inconsistent with another.
    #[error("`{key}` {message}")]
    Invalid { key: String, message: String },
}

impl ScenarioError {
    pub(crate) fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError::Invalid {
            key: key.into(),
            message: message.into(),
        }
    }

    /// The dotted key of the offending value, when known.
    pub fn key(&self) -> Option<&str> {
        match self {
            ScenarioError::Syntax(_) => None,
            ScenarioError::Invalid { key, .. } => Some(key),
        }
    }
}
