//! Axis ticks and number formatting.

/// Tick positions on an axis: explicit ones, or "nice" ones chosen for the
/// data range (steps of 1, 2 or 5 times a power of ten).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Ticks {
    #[default]
    Auto,
    /// (value, label) pairs, e.g. day numbers labelled with dates.
    Custom(Vec<(f64, String)>),
}

/// A labelled axis.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Axis {
    pub label: String,
    pub ticks: Ticks,
}

impl Axis {
    pub fn new(label: impl Into<String>) -> Self {
        Axis {
            label: label.into(),
            ticks: Ticks::Auto,
        }
    }
}

/// A nice step for about `target` intervals over `span`.
pub(crate) fn nice_step(span: f64, target: usize) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let rough = span / target.max(1) as f64;
    let magnitude = 10f64.powf(rough.log10().floor());
    let residual = rough / magnitude;
    let nice = if residual <= 1.0 {
        1.0
    } else if residual <= 2.0 {
        2.0
    } else if residual <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// An upper bound for a data maximum: the next multiple of a nice step.
pub(crate) fn nice_ceiling(max: f64, target: usize) -> (f64, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let step = nice_step(max, target);
    ((max / step).ceil() * step, step)
}

/// Ticks from 0 to `max` inclusive by `step`, labelled.
pub(crate) fn auto_ticks(max: f64, step: f64) -> Vec<(f64, String)> {
    let count = (max / step).round() as usize;
    (0..=count)
        .map(|i| {
            let value = i as f64 * step;
            (value, format_number(value, step))
        })
        .collect()
}

/// A tick label: thousands separated by commas, decimals only when the
/// step needs them ("20,000", "2.5", "0.05").
pub fn format_number(value: f64, step: f64) -> String {
    if !value.is_finite() {
        return "n/a".to_owned();
    }
    let decimals = if step >= 1.0 || step <= 0.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole.to_owned(), Some(fraction.to_owned())),
        None => (text, None),
    };
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && text_is_nonzero(&grouped, fraction.as_deref()) {
        "-"
    } else {
        ""
    };
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A data value for a tooltip: whole numbers as such, others with one
/// decimal ("61", "17.5", "1,204").
pub fn format_value(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    format_number(rounded, if rounded.fract() == 0.0 { 1.0 } else { 0.1 })
}

fn text_is_nonzero(whole: &str, fraction: Option<&str>) -> bool {
    whole
        .chars()
        .chain(fraction.unwrap_or("").chars())
        .any(|c| c.is_ascii_digit() && c != '0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_nice() {
        assert_eq!(nice_step(20_000.0, 5), 5_000.0);
        assert_eq!(nice_step(730.0, 6), 200.0);
        assert_eq!(nice_step(1.0, 4), 0.5);
        assert_eq!(nice_ceiling(17_321.0, 5), (20_000.0, 5_000.0));
        assert_eq!(nice_ceiling(0.0, 5), (1.0, 0.2));
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(format_number(20_000.0, 5_000.0), "20,000");
        assert_eq!(format_number(1_234_567.0, 1.0), "1,234,567");
        assert_eq!(format_number(2.5, 0.5), "2.5");
        assert_eq!(format_number(0.05, 0.01), "0.05");
        assert_eq!(format_number(-1200.0, 100.0), "-1,200");
        assert_eq!(format_number(0.0, 100.0), "0");
        assert_eq!(format_number(f64::NAN, 1.0), "n/a");
        assert_eq!(format_value(61.0), "61");
        assert_eq!(format_value(17.46), "17.5");
    }
}
