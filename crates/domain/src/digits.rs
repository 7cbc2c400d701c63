//! Digits as people type them. A phone or keyboard set to Arabic types
//! Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩); one set to Persian or Urdu types the
//! Eastern Arabic-Indic ones (۰۱۲۳۴۵۶۷۸۹). Both mean the same numbers as
//! 0–9, so every number, date, time and phone number corridor reads goes
//! through [`latin_digits`] first: a birth year typed as ٢٠١٥ is 2015.

use std::borrow::Cow;

/// The Arabic decimal separator, as in ١٧٫٥ (17.5 tonnes).
const ARABIC_DECIMAL_SEPARATOR: char = '\u{066B}';
/// The Arabic thousands separator, as in ١٨٬٥٠٠.
const ARABIC_THOUSANDS_SEPARATOR: char = '\u{066C}';

/// The same digit in Latin script (`'٣'` and `'۳'` are `'3'`); the Arabic
/// decimal and thousands separators as `.` and `,`; any other character as
/// it is.
pub fn latin_digit(c: char) -> char {
    let digit = match c {
        '\u{0660}'..='\u{0669}' => u32::from(c) - 0x0660,
        '\u{06F0}'..='\u{06F9}' => u32::from(c) - 0x06F0,
        ARABIC_DECIMAL_SEPARATOR => return '.',
        ARABIC_THOUSANDS_SEPARATOR => return ',',
        _ => return c,
    };
    char::from_digit(digit, 10).unwrap_or(c)
}

/// `text` with every digit in Latin script (see [`latin_digit`]); borrowed
/// when it has none to change, as most text has.
pub fn latin_digits(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| latin_digit(c) == c) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().map(latin_digit).collect())
    }
}

/// `text` (Latin digits, as corridor writes numbers) with its digits in
/// Arabic-Indic script and `.` as the Arabic decimal separator between
/// digits: how a number is shown to someone who reads Arabic digits.
pub fn arabic_indic_digits(text: &str) -> String {
    let mut shown = String::with_capacity(text.len() * 2);
    let mut previous_is_digit = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next_is_digit = chars.peek().is_some_and(char::is_ascii_digit);
        match c {
            '0'..='9' => {
                let digit = u32::from(c) - u32::from('0');
                shown.push(char::from_u32(0x0660 + digit).unwrap_or(c));
            }
            '.' if previous_is_digit && next_is_digit => shown.push(ARABIC_DECIMAL_SEPARATOR),
            c => shown.push(c),
        }
        previous_is_digit = c.is_ascii_digit();
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `n` written in one of the three digit sets.
    fn written(n: u64, set: usize) -> String {
        let zero = [0x30, 0x0660, 0x06F0][set];
        n.to_string()
            .chars()
            .map(|c| char::from_u32(zero + (u32::from(c) - 0x30)).unwrap())
            .collect()
    }

    #[test]
    fn every_digit_set_means_the_same_number() {
        assert_eq!(latin_digits("٢٠١٥"), "2015");
        assert_eq!(latin_digits("۲۰۱۵"), "2015");
        assert_eq!(latin_digits("٢٠٢٦-٠٣-٠١"), "2026-03-01");
        assert_eq!(latin_digits("١٧٫٥"), "17.5");
        assert_eq!(latin_digits("١٨٬٥٠٠"), "18,500");
        assert_eq!(latin_digits("+٩٩٩ ٥٩ ١٢٣"), "+999 59 123");
        // Text without such digits is not copied.
        assert!(matches!(latin_digits("P-000042 زيد"), Cow::Borrowed(_)));
    }

    #[test]
    fn numbers_are_shown_in_arabic_indic_digits() {
        assert_eq!(arabic_indic_digits("2015"), "٢٠١٥");
        assert_eq!(arabic_indic_digits("17.5 t"), "١٧٫٥ t");
        assert_eq!(arabic_indic_digits("2026-03-01"), "٢٠٢٦-٠٣-٠١");
        // A full stop that is not between digits stays one.
        assert_eq!(arabic_indic_digits("3."), "٣.");
    }

    proptest! {
        #[test]
        fn a_number_in_any_digit_set_reads_as_the_same_value(n: u64, set in 0usize..3) {
            let text = written(n, set);
            prop_assert_eq!(latin_digits(&text).parse::<u64>().unwrap(), n);
            let shown = arabic_indic_digits(&n.to_string());
            prop_assert_eq!(latin_digits(&shown), n.to_string());
        }

        #[test]
        fn reading_digits_twice_changes_nothing_more(text in "\\PC{0,40}") {
            let once = latin_digits(&text).into_owned();
            prop_assert_eq!(latin_digits(&once), once.as_str());
        }
    }
}
