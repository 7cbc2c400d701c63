//! Public figures with their sources, so that every number corridor shows
//! can say where it came from.

use jiff::civil::Date;

use crate::{InvalidValue, Text, check_identifier};

/// Who published a figure, where and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub publisher: Text,
    pub title: Text,
    pub published: Date,
    pub url: Option<Text>,
}

/// A number from public reporting, entered with its citation.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcedFigure {
    /// A stable key such as `waiting-list-total`; one figure per key and date.
    pub key: String,
    pub label: Text,
    pub value: f64,
    pub unit: Text,
    /// The date the figure describes.
    pub date: Date,
    pub source: Source,
    pub note: Option<Text>,
}

impl SourcedFigure {
    pub fn parse_key(text: &str) -> Result<String, InvalidValue> {
        check_identifier("key", text)
    }
}
