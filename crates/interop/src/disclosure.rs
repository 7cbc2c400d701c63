//! Small-count suppression: the one rule by which every count about people
//! that leaves corridor as an aggregate (the situation report, HXL exports)
//! hides numbers small enough to point at individuals.

/// Counts below this are shown as `<5`.
pub const SMALL_COUNT_THRESHOLD: u64 = 5;

/// A count about people as it may be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Count {
    Shown(u64),
    /// Fewer than [`SMALL_COUNT_THRESHOLD`], zero included: publishing an
    /// exact zero next to suppressed cells would narrow them down.
    Suppressed,
}

/// The publishable form of a count of people.
pub fn suppress(count: u64) -> Count {
    if count < SMALL_COUNT_THRESHOLD {
        Count::Suppressed
    } else {
        Count::Shown(count)
    }
}

/// The publishable form of counts that are shown next to their total.
///
/// Each part below the threshold is suppressed; when that leaves exactly one
/// suppressed part, the total minus the others would give it back, so the
/// smallest shown part is suppressed too (secondary suppression).
pub fn suppress_parts(parts: &[u64]) -> Vec<Count> {
    let mut counts: Vec<Count> = parts.iter().map(|n| suppress(*n)).collect();
    let suppressed = counts.iter().filter(|c| **c == Count::Suppressed).count();
    if suppressed == 1 {
        let smallest = parts
            .iter()
            .enumerate()
            .filter(|(index, _)| counts[*index] != Count::Suppressed)
            .min_by_key(|(_, n)| **n)
            .map(|(index, _)| index);
        if let Some(index) = smallest {
            counts[index] = Count::Suppressed;
        }
    }
    counts
}

/// The publishable form of a table of counts shown with its row and
/// column totals: [`suppress_parts`] applied to every row and every column
/// until no row or column has exactly one suppressed cell.
pub fn suppress_grid(rows: &[Vec<u64>]) -> Vec<Vec<Count>> {
    let mut grid: Vec<Vec<Count>> = rows
        .iter()
        .map(|row| row.iter().map(|n| suppress(*n)).collect())
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    loop {
        let mut changed = false;
        let lines: Vec<Vec<(usize, usize)>> = (0..rows.len())
            .map(|r| (0..rows[r].len()).map(|c| (r, c)).collect())
            .chain((0..columns).map(|c| {
                (0..rows.len())
                    .filter(|r| c < rows[*r].len())
                    .map(|r| (r, c))
                    .collect()
            }))
            .collect();
        for line in lines {
            let suppressed = line
                .iter()
                .filter(|(r, c)| grid[*r][*c] == Count::Suppressed)
                .count();
            if suppressed != 1 {
                continue;
            }
            let smallest = line
                .iter()
                .filter(|(r, c)| grid[*r][*c] != Count::Suppressed)
                .min_by_key(|(r, c)| rows[*r][*c]);
            if let Some((r, c)) = smallest {
                grid[*r][*c] = Count::Suppressed;
                changed = true;
            }
        }
        if !changed {
            return grid;
        }
    }
}

impl Count {
    /// Reads a published count back: digits, or `<5`.
    pub fn parse(text: &str) -> Option<Count> {
        let text = text.trim();
        if text == Count::SUPPRESSED_TEXT {
            return Some(Count::Suppressed);
        }
        let count: u64 = text.parse().ok()?;
        (count >= SMALL_COUNT_THRESHOLD).then_some(Count::Shown(count))
    }

    pub const SUPPRESSED_TEXT: &'static str = "<5";

    /// The height to draw in a chart: a suppressed count is drawn as zero,
    /// so that the drawing reveals no more than the text.
    pub fn plotted(self) -> f64 {
        match self {
            Count::Shown(count) => count as f64,
            Count::Suppressed => 0.0,
        }
    }

    /// With thousands separators, for documents read by people.
    pub fn grouped(self) -> String {
        match self {
            Count::Shown(count) => group_thousands(count),
            Count::Suppressed => Count::SUPPRESSED_TEXT.to_string(),
        }
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Count::Shown(count) => write!(f, "{count}"),
            Count::Suppressed => f.write_str(Count::SUPPRESSED_TEXT),
        }
    }
}

/// `20000` as `20,000`.
pub fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_never_leaves_one_suppressed_cell_in_a_line() {
        let grid = suppress_grid(&[vec![3, 40, 50], vec![60, 70, 80]]);
        assert_eq!(grid[0][0], Count::Suppressed);
        // Its row and its column each lose their smallest shown cell.
        assert_eq!(grid[0][1], Count::Suppressed);
        assert_eq!(grid[1][0], Count::Suppressed);
        assert_eq!(grid[1][1], Count::Suppressed);
        assert_eq!(grid[0][2], Count::Shown(50));
        for row in &grid {
            assert_ne!(row.iter().filter(|c| **c == Count::Suppressed).count(), 1);
        }
    }
}
