//! Plain-text output for people reading a terminal.

/// Renders rows as left-aligned columns separated by two spaces; columns
/// listed in `right_aligned` (by index) are right-aligned, for numbers.
pub fn table(header: &[&str], rows: &[Vec<String>], right_aligned: &[usize]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (index, cell) in row.iter().enumerate() {
            widths[index] = widths[index].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(index, cell)| {
                if right_aligned.contains(&index) {
                    format!("{cell:>width$}", width = widths[index])
                } else {
                    format!("{cell:<width$}", width = widths[index])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// A count with thousands separators: 20000 → "20,000".
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Every progress bar is drawn through this, so that a log line written
/// meanwhile goes above the bars instead of through them (see `logging`).
pub static BARS: std::sync::LazyLock<indicatif::MultiProgress> =
    std::sync::LazyLock::new(indicatif::MultiProgress::new);

/// A progress bar on standard error; drawn only when it is a terminal.
pub fn progress_bar(length: u64, message: &'static str) -> indicatif::ProgressBar {
    let bar = BARS.add(indicatif::ProgressBar::new(length));
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta} left)")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_tables() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(20_000), "20,000");
        assert_eq!(count(1_234_567), "1,234,567");
        let text = table(
            &["ID", "N"],
            &[
                vec!["a".into(), "5".into()],
                vec!["bbb".into(), "10".into()],
            ],
            &[1],
        );
        assert_eq!(text, "ID    N\na     5\nbbb  10\n");
    }
}
