//! A refused form comes back as it was typed, with what was wrong next to
//! the field at fault, in the form's own words.
//!
//! A page that shows a form keeps the submitted values (every field as
//! text) and, when the submission was refused, an `Option<Refusal>`. Its
//! template imports `form.html` and calls its macros beside each field:
//! `invalid(refusal, "beds")` inside the input's tag (marks it invalid and
//! focuses it), `error_at(refusal, "beds")` after it, and
//! `error_for_form(refusal)` before the button for a refusal that names no
//! field of the form. Either is focused when the page opens (`autofocus`),
//! so that the browser shows it even at the bottom of a long page.

use axum::http::StatusCode;
use axum::response::Response;

use crate::error::{AppError, PageError};

/// What was wrong with a submitted form.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The field of the form at fault; `None` when the refusal is about the
    /// form as a whole, or names a field the form does not show.
    field: Option<String>,
    message: String,
    status: StatusCode,
}

impl Refusal {
    /// The refusal of a form, from an error the person can correct there: a
    /// value refused, a rule of the day, a record changed meanwhile or gone,
    /// too many attempts for now. Other errors (not allowed, a failure of
    /// the server) stay errors.
    ///
    /// `form_field` gives the name of the form's field for the name the
    /// error uses (the API's, such as `decisions[3].reason_code`, which the
    /// form may call `reason_code:P-000012`), or `None` when the form does
    /// not show it: the message is then for the whole form.
    pub fn of(
        error: AppError,
        form_field: impl Fn(&str) -> Option<String>,
    ) -> Result<Refusal, PageError> {
        let status = error.status();
        let (field, detail) = match error {
            AppError::BadRequest { detail, field } => (field, detail),
            AppError::NotFound(detail) | AppError::Conflict(detail) => (None, detail),
            AppError::TooManyRequests { detail, .. } => (None, detail),
            other => return Err(PageError(other)),
        };
        let shown = field
            .as_deref()
            .and_then(|field| Some((field, form_field(field)?)));
        Ok(match shown {
            Some((api_field, form_field)) => Refusal {
                message: without_field_prefix(&detail, api_field).to_string(),
                field: Some(form_field),
                status,
            },
            // Not on this form: the message keeps the name it was given.
            None => Refusal {
                field: None,
                message: detail,
                status,
            },
        })
    }

    /// For a form whose fields have the names the errors use.
    pub fn named(field: &str, names: &[&str]) -> Option<String> {
        names.contains(&field).then(|| field.to_string())
    }

    /// The message to show beside `field`, when it is the one at fault.
    pub fn at(&self, field: &str) -> Option<&str> {
        (self.field.as_deref() == Some(field)).then_some(self.message.as_str())
    }

    /// The message to show for the whole form, when no field of it is at
    /// fault.
    pub fn for_form(&self) -> Option<&str> {
        self.field.is_none().then_some(self.message.as_str())
    }

    /// What was wrong, wherever the page shows it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The status the page answers with: the form was not taken.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// The page of a form, answering the status of its refusal when it was
/// refused (the form was not taken), else 200.
pub fn answer(mut page: Response, refusal: Option<&Refusal>) -> Response {
    if let Some(refusal) = refusal {
        *page.status_mut() = refusal.status;
    }
    page
}

/// The store and the API name the field at the start of a message
/// ("to: must not be before from", "birth_year: 1788 is out of range" for
/// `companions[0].birth_year`); beside the field that is said twice.
fn without_field_prefix<'m>(detail: &'m str, field: &str) -> &'m str {
    let last = field.rsplit('.').next().unwrap_or(field);
    let mut message = detail;
    while let Some(rest) = [field, last].iter().find_map(|name| {
        message
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(": "))
    }) {
        message = rest;
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_beds_form(field: &str) -> Option<String> {
        Refusal::named(field, &["from", "to"])
    }

    #[test]
    fn a_value_refused_is_shown_beside_its_field_without_naming_it_again() {
        let refusal = Refusal::of(
            AppError::bad_request("to", "to: to: must not be before from"),
            on_beds_form,
        )
        .unwrap();
        assert_eq!(refusal.at("to"), Some("must not be before from"));
        assert_eq!(refusal.at("from"), None);
        assert_eq!(refusal.for_form(), None);
        assert_eq!(refusal.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn a_field_the_form_does_not_show_is_a_message_for_the_whole_form() {
        let refusal = Refusal::of(
            AppError::bad_request("expected_version", "'x' is not a version number"),
            on_beds_form,
        )
        .unwrap();
        assert_eq!(refusal.at("expected_version"), None);
        assert_eq!(refusal.for_form(), Some("'x' is not a version number"));
    }

    #[test]
    fn a_conflict_is_for_the_whole_form_and_keeps_its_status() {
        let refusal =
            Refusal::of(AppError::Conflict("changed meanwhile".into()), on_beds_form).unwrap();
        assert_eq!(refusal.for_form(), Some("changed meanwhile"));
        assert_eq!(refusal.status(), StatusCode::CONFLICT);
    }

    #[test]
    fn too_many_attempts_is_for_the_whole_form_and_says_when_to_try_again() {
        let refusal = Refusal::of(
            AppError::TooManyRequests {
                detail: "wait 60 s and try again".into(),
                retry_after_seconds: 60,
            },
            on_beds_form,
        )
        .unwrap();
        assert_eq!(refusal.for_form(), Some("wait 60 s and try again"));
        assert_eq!(refusal.status(), StatusCode::TOO_MANY_REQUESTS);
    }

    #[test]
    fn refusals_of_the_person_or_failures_stay_errors() {
        for error in [
            AppError::Forbidden("no".into()),
            AppError::Internal("disk".into()),
        ] {
            assert!(Refusal::of(error, on_beds_form).is_err());
        }
    }

    #[test]
    fn a_message_about_a_field_of_a_list_drops_its_name_too() {
        assert_eq!(
            without_field_prefix(
                "birth_year: 1788 is out of range",
                "companions[0].birth_year"
            ),
            "1788 is out of range"
        );
    }

    #[test]
    fn a_field_name_inside_the_message_is_kept() {
        assert_eq!(
            without_field_prefix("from: 'to' is before it", "to"),
            "from: 'to' is before it"
        );
        assert_eq!(without_field_prefix("tonnes: 3", "to"), "tonnes: 3");
    }
}
