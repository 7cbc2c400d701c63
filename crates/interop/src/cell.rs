//! The one rule for the cells of every CSV and HXL file corridor writes or
//! reads, so that no text leaves as a spreadsheet formula (CSV injection)
//! and every text comes back exactly as it left.
//!
//! **Writing** ([`write_cell`], [`write_row`]). corridor decides by the
//! value, not by the column:
//!
//! - a cell that is a decimal number — an optional `-`, digits, and
//!   optionally `.` and more digits, such as `-3`, `0` or `12.5` — is a
//!   number and is written as it is: a negative count stays `-3`;
//! - every other cell is text. Text that begins with one of the characters
//!   OWASP lists as starting a formula (`=`, `+`, `-`, `@`, tab, carriage
//!   return) is written with a leading `'`, which spreadsheets show as
//!   plain text. So is text that begins with `'` itself, or begins or ends
//!   with white space, so that reading it back is exact.
//!
//! **Reading** ([`read_cell`]): leading white space is dropped; a cell that
//! then begins with `'` is the text after that one `'`, exactly; any other
//! cell is trimmed. A number written as `'-3` by another tool reads as `-3`.

use std::borrow::Cow;
use std::io;

/// The characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The mark that keeps a text cell text.
pub const TEXT_MARK: char = '\'';

/// The cell as written into a file.
pub fn write_cell(value: &str) -> Cow<'_, str> {
    if needs_mark(value) {
        Cow::Owned(format!("{TEXT_MARK}{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// The value of a cell as read from a file: the inverse of [`write_cell`].
pub fn read_cell(raw: &str) -> &str {
    let raw = raw.trim_start();
    match raw.strip_prefix(TEXT_MARK) {
        Some(text) => text,
        None => raw.trim_end(),
    }
}

/// Writes one row, every cell through [`write_cell`].
pub fn write_row<W: io::Write>(
    writer: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = impl AsRef<str>>,
) -> io::Result<()> {
    writer
        .write_record(
            cells
                .into_iter()
                .map(|cell| write_cell(cell.as_ref()).into_owned()),
        )
        .map_err(|error| match error.into_kind() {
            csv::ErrorKind::Io(error) => error,
            other => io::Error::other(format!("{other:?}")),
        })
}

/// Whether a cell is a decimal number: `-?[0-9]+(\.[0-9]+)?`.
pub fn is_decimal_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

fn needs_mark(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    if is_decimal_number(value) {
        return false;
    }
    FORMULA_STARTS.contains(&first)
        || first == TEXT_MARK
        || first.is_whitespace()
        || value.chars().next_back().is_some_and(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_marked_and_numbers_are_not() {
        let check = |value: &str, written: &str| {
            assert_eq!(write_cell(value), written, "{value:?}");
            assert_eq!(read_cell(written), value, "{written:?}");
        };
        check("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")");
        check("+1", "'+1");
        check("-1+2", "'-1+2");
        check("@SUM(A1)", "'@SUM(A1)");
        check("\tcmd", "'\tcmd");
        check("\rcmd", "'\rcmd");
        check("'quoted", "''quoted");
        check("'=1", "''=1");
        check(" padded ", "' padded ");
        check("-3", "-3");
        check("-0.25", "-0.25");
        check("12", "12");
        check("2026-02-01", "2026-02-01");
        check("Al-Shifa", "Al-Shifa");
        check("", "");
        // Not decimal numbers, so text: marked.
        check("-inf", "'-inf");
        check("-1e5", "'-1e5");
        check("-.5", "'-.5");
        check("-", "'-");
    }

    #[test]
    fn reading_trims_unmarked_cells_and_accepts_marked_numbers() {
        assert_eq!(read_cell("  cancer "), "cancer");
        assert_eq!(read_cell("  '-3"), "-3");
        assert_eq!(read_cell("' kept "), " kept ");
    }
}
