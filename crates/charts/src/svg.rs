//! The SVG writer and the plot frame shared by all charts.

use std::fmt::Write;

use crate::axis::{Axis, Ticks, auto_ticks, format_value, nice_ceiling, nice_step};
use crate::{Caption, Size};

const FONT: &str = "font-family=\"sans-serif\"";
const TITLE_SIZE: f64 = 16.0;
const TEXT_SIZE: f64 = 12.0;
const LEGEND_ROW: f64 = 18.0;
const AXIS_TEXT: &str = "#333333";
const GRID: &str = "#dddddd";

/// A growing SVG document. Writing to a `String` cannot fail, so the
/// results of `write!` are ignored on purpose.
pub(crate) struct Svg {
    text: String,
}

impl Svg {
    pub fn start(caption: &Caption, size: Size) -> Svg {
        let id = if caption.id.is_empty() {
            "chart".to_owned()
        } else {
            escape(&caption.id)
        };
        let mut text = String::new();
        let _ = writeln!(
            text,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">",
            w = number(size.width),
            h = number(size.height),
        );
        let _ = writeln!(
            text,
            "<title id=\"{id}-title\">{}</title>",
            escape(&caption.title)
        );
        let _ = writeln!(
            text,
            "<desc id=\"{id}-desc\">{}</desc>",
            escape(&caption.description)
        );
        let _ = writeln!(
            text,
            "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
            number(size.width),
            number(size.height)
        );
        Svg { text }
    }

    pub fn push(&mut self, element: &str) {
        self.text.push_str(element);
        self.text.push('\n');
    }

    pub fn finish(mut self) -> String {
        self.text.push_str("</svg>\n");
        self.text
    }
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Swatch {
    Line,
    Dashed,
    Band,
    Bar,
}

/// The plot area and the mapping from data to drawing coordinates.
pub(crate) struct Frame {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x_max: f64,
    y_max: f64,
    y_step: f64,
}

impl Frame {
    /// Draws the title and the legend, and lays out the plot area below.
    pub fn new(
        out: &mut Svg,
        caption: &Caption,
        size: Size,
        legend: &[(String, &str, Swatch)],
        x_max: f64,
        data_y_max: f64,
    ) -> Frame {
        out.push(&format!(
            "<text x=\"{}\" y=\"24\" {FONT} font-size=\"{}\" font-weight=\"bold\" fill=\"#000000\">{}</text>",
            number(16.0),
            number(TITLE_SIZE),
            escape(&caption.title)
        ));
        let (left, right) = (72.0, size.width - 24.0);
        // The legend flows in rows across the width, below the title.
        let mut x = left;
        let mut y = 46.0;
        out.push("<g class=\"legend\">");
        for (label, colour, swatch) in legend {
            let width = 28.0 + text_width(label, TEXT_SIZE) + 16.0;
            if x + width > right && x > left {
                x = left;
                y += LEGEND_ROW;
            }
            let swatch_element = match swatch {
                Swatch::Line => format!(
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"2.5\"/>",
                    number(x),
                    number(y - 4.0),
                    number(x + 20.0),
                    number(y - 4.0)
                ),
                Swatch::Dashed => format!(
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>",
                    number(x),
                    number(y - 4.0),
                    number(x + 20.0),
                    number(y - 4.0)
                ),
                Swatch::Band => format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"20\" height=\"10\" fill=\"{colour}\" fill-opacity=\"0.25\"/>",
                    number(x),
                    number(y - 9.0)
                ),
                Swatch::Bar => format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>",
                    number(x + 4.0),
                    number(y - 10.0)
                ),
            };
            out.push(&swatch_element);
            out.push(&format!(
                "<text x=\"{}\" y=\"{}\" {FONT} font-size=\"{}\" fill=\"{AXIS_TEXT}\">{}</text>",
                number(x + 26.0),
                number(y),
                number(TEXT_SIZE),
                escape(label)
            ));
            x += width;
        }
        out.push("</g>");
        let (y_max, y_step) = nice_ceiling(data_y_max, 5);
        Frame {
            left,
            right,
            top: y + 18.0,
            bottom: size.height - 48.0,
            x_max: if x_max > 0.0 { x_max } else { 1.0 },
            y_max,
            y_step,
        }
    }

    pub fn left(&self) -> f64 {
        self.left
    }

    pub fn width(&self) -> f64 {
        self.right - self.left
    }

    fn x(&self, value: f64) -> f64 {
        self.left + value / self.x_max * (self.right - self.left)
    }

    fn y(&self, value: f64) -> f64 {
        let value = if value.is_finite() {
            value.clamp(0.0, self.y_max)
        } else {
            0.0
        };
        self.bottom - value / self.y_max * (self.bottom - self.top)
    }

    pub fn draw_axes(&self, out: &mut Svg, x_axis: &Axis, y_axis: &Axis) {
        self.draw_y_axis(out, y_axis);
        let ticks = match &x_axis.ticks {
            Ticks::Custom(ticks) => ticks.clone(),
            Ticks::Auto => auto_ticks(self.x_max, nice_step(self.x_max, 6))
                .into_iter()
                .filter(|(value, _)| *value <= self.x_max)
                .collect(),
        };
        out.push("<g class=\"x-axis\">");
        out.push(&self.baseline());
        for (value, label) in ticks {
            if !(0.0..=self.x_max).contains(&value) {
                continue;
            }
            let x = self.x(value);
            out.push(&format!(
                "<line x1=\"{x}\" y1=\"{b}\" x2=\"{x}\" y2=\"{b5}\" stroke=\"{AXIS_TEXT}\"/>",
                x = number(x),
                b = number(self.bottom),
                b5 = number(self.bottom + 5.0)
            ));
            // A label centred on a tick at the right edge would be cut off.
            let half_width = text_width(&label, TEXT_SIZE) / 2.0;
            let anchor = if x + half_width > self.right + 20.0 {
                "end"
            } else {
                "middle"
            };
            out.push(&self.text(x, self.bottom + 18.0, anchor, &label));
        }
        out.push(&self.text(
            (self.left + self.right) / 2.0,
            self.bottom + 38.0,
            "middle",
            &x_axis.label,
        ));
        out.push("</g>");
    }

    pub fn draw_y_axis(&self, out: &mut Svg, y_axis: &Axis) {
        let ticks = match &y_axis.ticks {
            Ticks::Custom(ticks) => ticks.clone(),
            Ticks::Auto => auto_ticks(self.y_max, self.y_step),
        };
        out.push("<g class=\"y-axis\">");
        for (value, label) in ticks {
            if !(0.0..=self.y_max).contains(&value) {
                continue;
            }
            let y = self.y(value);
            out.push(&format!(
                "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{GRID}\"/>",
                number(self.left),
                number(self.right),
                y = number(y)
            ));
            out.push(&self.text(self.left - 6.0, y + 4.0, "end", &label));
        }
        let middle = (self.top + self.bottom) / 2.0;
        out.push(&format!(
            "<text x=\"16\" y=\"{m}\" {FONT} font-size=\"{}\" fill=\"{AXIS_TEXT}\" text-anchor=\"middle\" \
             transform=\"rotate(-90 16 {m})\">{}</text>",
            number(TEXT_SIZE),
            escape(&y_axis.label),
            m = number(middle)
        ));
        out.push("</g>");
    }

    pub fn draw_category_axis(
        &self,
        out: &mut Svg,
        groups: &[String],
        label_every: usize,
        label: &str,
    ) {
        out.push("<g class=\"x-axis\">");
        out.push(&self.baseline());
        let width = self.width() / groups.len().max(1) as f64;
        let every = label_every.max(1);
        for (index, group) in groups.iter().enumerate().step_by(every) {
            if every == 1 {
                out.push(&self.text(
                    self.left + (index as f64 + 0.5) * width,
                    self.bottom + 18.0,
                    "middle",
                    group,
                ));
                continue;
            }
            // A tick where the labelled group starts, the label from there.
            let x = self.left + index as f64 * width;
            out.push(&format!(
                "<line x1=\"{x}\" y1=\"{b}\" x2=\"{x}\" y2=\"{b5}\" stroke=\"{AXIS_TEXT}\"/>",
                x = number(x),
                b = number(self.bottom),
                b5 = number(self.bottom + 5.0)
            ));
            out.push(&self.text(x, self.bottom + 18.0, "start", group));
        }
        out.push(&self.text(
            (self.left + self.right) / 2.0,
            self.bottom + 38.0,
            "middle",
            label,
        ));
        out.push("</g>");
    }

    fn baseline(&self) -> String {
        format!(
            "<line x1=\"{}\" y1=\"{b}\" x2=\"{}\" y2=\"{b}\" stroke=\"{AXIS_TEXT}\"/>",
            number(self.left),
            number(self.right),
            b = number(self.bottom)
        )
    }

    fn text(&self, x: f64, y: f64, anchor: &str, text: &str) -> String {
        format!(
            "<text x=\"{}\" y=\"{}\" {FONT} font-size=\"{}\" fill=\"{AXIS_TEXT}\" text-anchor=\"{anchor}\">{}</text>",
            number(x),
            number(y),
            number(TEXT_SIZE),
            escape(text)
        )
    }

    pub fn line(&self, out: &mut Svg, points: &[(f64, f64)], colour: &str, label: &str) {
        if points.is_empty() {
            return;
        }
        out.push(&format!(
            "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" stroke-linejoin=\"round\">\
             <title>{}</title></path>",
            self.path(points.iter().copied()),
            escape(label)
        ));
    }

    /// A dashed horizontal line across the plot at `value`.
    pub fn reference_line(&self, out: &mut Svg, value: f64, colour: &str, label: &str) {
        if !value.is_finite() {
            return;
        }
        out.push(&format!(
            "<line class=\"reference\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{colour}\" \
             stroke-width=\"2\" stroke-dasharray=\"6 3\"><title>{}: {}</title></line>",
            number(self.left),
            number(self.right),
            escape(label),
            format_value(value),
            y = number(self.y(value))
        ));
    }

    pub fn band(&self, out: &mut Svg, upper: &[(f64, f64)], lower: &[(f64, f64)], colour: &str) {
        if upper.is_empty() || lower.is_empty() {
            return;
        }
        let outline = upper.iter().copied().chain(lower.iter().rev().copied());
        out.push(&format!(
            "<path d=\"{}Z\" fill=\"{colour}\" fill-opacity=\"0.2\" stroke=\"none\"/>",
            self.path(outline)
        ));
    }

    #[allow(clippy::too_many_arguments)]
    pub fn bar(
        &self,
        out: &mut Svg,
        x: f64,
        width: f64,
        value: f64,
        interval: Option<(f64, f64)>,
        colour: &str,
        title: &str,
    ) {
        let top = self.y(value);
        out.push(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\"><title>{}</title></rect>",
            number(x),
            number(top),
            number(width),
            number(self.bottom - top),
            escape(title)
        ));
        if let Some((low, high)) = interval {
            let middle = number(x + width / 2.0);
            let (y_low, y_high) = (number(self.y(low)), number(self.y(high)));
            let (cap_left, cap_right) = (number(x + width * 0.3), number(x + width * 0.7));
            out.push(&format!(
                "<path d=\"M{middle} {y_low}V{y_high}M{cap_left} {y_low}H{cap_right}M{cap_left} {y_high}H{cap_right}\" \
                 stroke=\"#000000\" stroke-width=\"1.2\" fill=\"none\"/>"
            ));
        }
    }

    fn path(&self, points: impl Iterator<Item = (f64, f64)>) -> String {
        let mut d = String::new();
        for (index, (x, y)) in points.enumerate() {
            let command = if index == 0 { 'M' } else { 'L' };
            let _ = write!(d, "{command}{} {}", number(self.x(x)), number(self.y(y)));
        }
        d
    }
}

/// A coordinate with one decimal, without a trailing ".0".
pub(crate) fn number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// An estimate of the width of `text` in a sans-serif font: no font is
/// read, so the layout is the same on every machine.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.58
}

pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(12.345), "12.3");
        assert_eq!(number(-0.01), "0");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
    }
}
