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

/// Longest label, unit, publisher or title of a figure.
pub const MAX_FIGURE_TEXT_CHARS: usize = 500;
/// Longest address or note of a figure.
pub const MAX_FIGURE_NOTE_CHARS: usize = 2000;

/// A figure as someone gave it (a form, a command line), before its rules
/// are checked.
#[derive(Debug, Clone, Copy)]
pub struct FigureDraft<'a> {
    pub key: &'a str,
    pub label: &'a str,
    pub value: f64,
    pub unit: &'a str,
    pub date: Date,
    pub publisher: &'a str,
    pub title: &'a str,
    pub published: Date,
    pub url: Option<&'a str>,
    pub note: Option<&'a str>,
}

impl SourcedFigure {
    pub fn parse_key(text: &str) -> Result<String, InvalidValue> {
        check_identifier("key", text)
    }

    /// A figure's value: a finite number, thousands may be separated by
    /// commas as they are printed ("18,500").
    pub fn parse_value(text: &str) -> Result<f64, InvalidValue> {
        let text = crate::digits::latin_digits(text);
        let text = text.trim();
        match text.replace(',', "").parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(value),
            _ if text.is_empty() => Err(InvalidValue::new("value", "is empty; give a number")),
            _ => Err(InvalidValue::new(
                "value",
                format!("'{text}' is not a number; give one such as 18500 or 18,500"),
            )),
        }
    }

    /// The figure, or the first of its fields that breaks a rule. An empty
    /// address or note is no address or note.
    pub fn from_draft(draft: &FigureDraft<'_>) -> Result<SourcedFigure, InvalidValue> {
        if !draft.value.is_finite() {
            return Err(InvalidValue::new(
                "value",
                format!("{} is not a finite number", draft.value),
            ));
        }
        let optional = |field, text: Option<&str>| {
            text.filter(|text| !text.trim().is_empty())
                .map(|text| Text::parse(field, text, MAX_FIGURE_NOTE_CHARS))
                .transpose()
        };
        Ok(SourcedFigure {
            key: SourcedFigure::parse_key(draft.key)?,
            label: Text::parse("label", draft.label, MAX_FIGURE_TEXT_CHARS)?,
            value: draft.value,
            unit: Text::parse("unit", draft.unit, MAX_FIGURE_TEXT_CHARS)?,
            date: draft.date,
            source: Source {
                publisher: Text::parse("publisher", draft.publisher, MAX_FIGURE_TEXT_CHARS)?,
                title: Text::parse("title", draft.title, MAX_FIGURE_TEXT_CHARS)?,
                published: draft.published,
                url: optional("url", draft.url)?,
            },
            note: optional("note", draft.note)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn draft() -> FigureDraft<'static> {
        FigureDraft {
            key: "waiting-list-total",
            label: "Patients waiting for evacuation",
            value: 18_500.0,
            unit: "people",
            date: date(2026, 1, 20),
            publisher: "WHO",
            title: "Briefing",
            published: date(2026, 1, 21),
            url: Some(""),
            note: None,
        }
    }

    #[test]
    fn a_value_is_a_finite_number_printed_with_or_without_thousands_commas() {
        assert_eq!(SourcedFigure::parse_value("18,500").unwrap(), 18_500.0);
        assert_eq!(SourcedFigure::parse_value(" 0.75 ").unwrap(), 0.75);
        for refused in ["", "many", "NaN", "inf"] {
            let invalid = SourcedFigure::parse_value(refused).unwrap_err();
            assert_eq!(invalid.field, "value", "{refused}");
        }
    }

    #[test]
    fn a_draft_keeps_its_facts_and_an_empty_address_is_none() {
        let figure = SourcedFigure::from_draft(&draft()).unwrap();
        assert_eq!(figure.key, "waiting-list-total");
        assert_eq!(figure.value, 18_500.0);
        assert_eq!(figure.source.publisher.as_str(), "WHO");
        assert_eq!(figure.source.url, None);
    }

    #[test]
    fn a_draft_names_the_field_that_breaks_a_rule() {
        let long = "x".repeat(MAX_FIGURE_TEXT_CHARS + 1);
        for (draft, field) in [
            (
                FigureDraft {
                    key: "has space",
                    ..draft()
                },
                "key",
            ),
            (
                FigureDraft {
                    label: " ",
                    ..draft()
                },
                "label",
            ),
            (
                FigureDraft {
                    title: &long,
                    ..draft()
                },
                "title",
            ),
            (
                FigureDraft {
                    value: f64::NAN,
                    ..draft()
                },
                "value",
            ),
        ] {
            assert_eq!(SourcedFigure::from_draft(&draft).unwrap_err().field, field);
        }
    }
}
