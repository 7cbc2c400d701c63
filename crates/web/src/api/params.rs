//! The parameters every part of the web application reads from a form, a
//! query string or a JSON body, parsed one way: each refusal names the field
//! and says what is expected, in the same words wherever the field appears.

use corridor_domain::{CrossingId, Direction};
use jiff::civil::Date;

use crate::error::AppError;

/// The text given, trimmed; `None` when absent or blank.
pub fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}

/// A date written `YYYY-MM-DD`.
pub fn parse_date(field: &str, text: &str) -> Result<Date, AppError> {
    let text = text.trim();
    corridor_domain::digits::latin_digits(text)
        .parse::<Date>()
        .map_err(|_| {
            AppError::bad_request(
                field,
                format!("'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-02-02"),
            )
        })
}

/// A date that may be left out (absent or blank).
pub fn parse_optional_date(field: &str, text: Option<&str>) -> Result<Option<Date>, AppError> {
    given(text).map(|text| parse_date(field, text)).transpose()
}

pub fn parse_crossing(text: &str) -> Result<CrossingId, AppError> {
    CrossingId::parse(text.trim())
        .map_err(|invalid| AppError::bad_request("crossing", invalid.to_string()))
}

/// A direction; outbound when absent or blank.
pub fn parse_direction(text: Option<&str>) -> Result<Direction, AppError> {
    match given(text) {
        None => Ok(Direction::Outbound),
        Some(text) => Direction::parse(text).map_err(|_| {
            AppError::bad_request(
                "direction",
                format!("unknown direction '{text}'; use outbound or inbound"),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_date_field_is_refused_in_the_same_words() {
        assert_eq!(
            parse_date("from", " 2026-02-02 ").unwrap(),
            jiff::civil::date(2026, 2, 2)
        );
        let error = parse_date("needed_by", "2/2/2026").unwrap_err();
        assert_eq!(
            error.to_string(),
            "'2/2/2026' is not a date; write it as YYYY-MM-DD, e.g. 2026-02-02"
        );
        assert_eq!(parse_optional_date("date", Some("  ")).unwrap(), None);
        assert_eq!(parse_optional_date("date", None).unwrap(), None);
        assert!(parse_optional_date("date", Some("soon")).is_err());
        assert_eq!(parse_direction(Some(" ")).unwrap(), Direction::Outbound);
        assert_eq!(
            parse_direction(Some("inbound")).unwrap(),
            Direction::Inbound
        );
        assert!(parse_direction(Some("sideways")).is_err());
    }
}
