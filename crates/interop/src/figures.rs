//! Sourced public figures as HXL: export, and import with every bad row
//! reported by line and column. The tags are listed in [`COLUMNS`] and
//! documented in `docs/HXL.md`.

use std::collections::HashMap;
use std::io;

use corridor_domain::{Source, SourcedFigure, Text};
use jiff::civil::Date;

use crate::hxl::{self, Column, FileError, Table};
use crate::referrals::RowError;

/// The columns of a figures file, in the order an export writes them.
pub const COLUMNS: &[Column] = &[
    Column {
        header: "Key",
        tag: "#indicator+code",
    },
    Column {
        header: "Figure",
        tag: "#indicator+name",
    },
    Column {
        header: "Value",
        tag: "#indicator+num",
    },
    Column {
        header: "Unit",
        tag: "#indicator+unit",
    },
    Column {
        header: "Date",
        tag: "#date+reported",
    },
    Column {
        header: "Publisher",
        tag: "#meta+source",
    },
    Column {
        header: "Title",
        tag: "#meta+source+title",
    },
    Column {
        header: "Published",
        tag: "#date+source",
    },
    Column {
        header: "URL",
        tag: "#meta+source+url",
    },
    Column {
        header: "Note",
        tag: "#description+notes",
    },
];

/// Columns an import cannot do without; URL and note may be absent.
const REQUIRED: usize = 8;

/// Length limits, the same as the store's.
const SHORT_TEXT: usize = corridor_domain::MAX_FIGURE_TEXT_CHARS;
const LONG_TEXT: usize = corridor_domain::MAX_FIGURE_NOTE_CHARS;

/// The result of reading a figures file: import only when `errors` is empty.
#[derive(Debug, Default)]
pub struct FigureImport {
    pub figures: Vec<(u64, SourcedFigure)>,
    pub errors: Vec<RowError>,
    /// Columns that match no tag corridor reads, reported and skipped.
    pub ignored_columns: Vec<String>,
}

/// Writes `figures` as HXL; returns how many were written.
pub fn write_figures<'a>(
    writer: impl io::Write,
    figures: impl IntoIterator<Item = &'a SourcedFigure>,
) -> io::Result<u64> {
    let rows = figures.into_iter().map(|figure| {
        vec![
            figure.key.clone(),
            figure.label.to_string(),
            format_value(figure.value),
            figure.unit.to_string(),
            figure.date.to_string(),
            figure.source.publisher.to_string(),
            figure.source.title.to_string(),
            figure.source.published.to_string(),
            figure
                .source
                .url
                .as_ref()
                .map(Text::to_string)
                .unwrap_or_default(),
            figure
                .note
                .as_ref()
                .map(Text::to_string)
                .unwrap_or_default(),
        ]
    });
    hxl::write_table(writer, COLUMNS, rows)
}

/// The shortest text that reads back as the same number.
fn format_value(value: f64) -> String {
    format!("{value}")
}

/// Reads and checks a whole figures file, matching columns by tag.
pub fn read_figures(reader: impl io::Read) -> Result<FigureImport, FileError> {
    let table = hxl::read_table(reader)?;
    let wanted: Vec<&str> = COLUMNS.iter().map(|column| column.tag).collect();
    let mapping = table.map(&wanted, &wanted[..REQUIRED])?;
    let mut import = FigureImport {
        ignored_columns: mapping.ignored.clone(),
        ..FigureImport::default()
    };
    let mut seen: HashMap<(String, Date), u64> = HashMap::new();
    for row in &table.rows {
        let mut fields = Fields {
            table: &table,
            row,
            positions: &mapping.positions,
            errors: Vec::new(),
        };
        let figure = parse_row(&mut fields);
        import.errors.extend(fields.errors);
        let Some(figure) = figure else { continue };
        if let Some(first) = seen.insert((figure.key.clone(), figure.date), row.line) {
            import.errors.push(RowError {
                line: row.line,
                column: Some(COLUMNS[0].tag.to_string()),
                message: format!(
                    "figure {} on {} is also on line {first}; keep one row per key and date",
                    figure.key, figure.date
                ),
            });
            continue;
        }
        import.figures.push((row.line, figure));
    }
    Ok(import)
}

struct Fields<'a> {
    table: &'a Table,
    row: &'a hxl::Row,
    positions: &'a [Option<usize>],
    errors: Vec<RowError>,
}

impl Fields<'_> {
    /// The cell of column `index` of [`COLUMNS`], empty if absent.
    fn cell(&self, index: usize) -> &str {
        self.positions[index]
            .and_then(|position| self.row.cells.get(position))
            .map_or("", String::as_str)
    }

    fn error(&mut self, index: usize, message: impl Into<String>) {
        let position = self.positions[index];
        let column = match position.map(|p| self.table.headers[p].as_str()) {
            Some("") | None => COLUMNS[index].tag.to_string(),
            Some(header) => format!("{} ({header})", COLUMNS[index].tag),
        };
        self.errors.push(RowError {
            line: self.row.line,
            column: Some(column),
            message: message.into(),
        });
    }

    fn parse<T>(
        &mut self,
        index: usize,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match parse(self.cell(index)) {
            Ok(value) => Some(value),
            Err(message) => {
                self.error(index, message);
                None
            }
        }
    }

    fn text(&mut self, index: usize, field: &'static str, limit: usize) -> Option<Text> {
        self.parse(index, |cell| {
            Text::parse(field, cell, limit).map_err(|invalid| invalid.problem)
        })
    }

    fn optional_text(
        &mut self,
        index: usize,
        field: &'static str,
        limit: usize,
    ) -> Option<Option<Text>> {
        self.parse(index, |cell| {
            if cell.is_empty() {
                Ok(None)
            } else {
                Text::parse(field, cell, limit)
                    .map(Some)
                    .map_err(|invalid| invalid.problem)
            }
        })
    }

    fn date(&mut self, index: usize) -> Option<Date> {
        self.parse(index, |cell| {
            if cell.is_empty() {
                return Err("is empty; give a date as YYYY-MM-DD".to_string());
            }
            corridor_domain::digits::latin_digits(cell)
                .parse()
                .map_err(|_| format!("'{cell}' is not a date; use YYYY-MM-DD"))
        })
    }
}

fn parse_row(fields: &mut Fields<'_>) -> Option<SourcedFigure> {
    let key = fields.parse(0, |cell| {
        SourcedFigure::parse_key(cell).map_err(|invalid| invalid.problem)
    });
    let label = fields.text(1, "label", SHORT_TEXT);
    let value = fields.parse(2, |cell| {
        SourcedFigure::parse_value(cell).map_err(|invalid| invalid.problem)
    });
    let unit = fields.text(3, "unit", SHORT_TEXT);
    let date = fields.date(4);
    let publisher = fields.text(5, "publisher", SHORT_TEXT);
    let title = fields.text(6, "title", SHORT_TEXT);
    let published = fields.date(7);
    let url = fields.optional_text(8, "url", LONG_TEXT);
    let note = fields.optional_text(9, "note", LONG_TEXT);
    Some(SourcedFigure {
        key: key?,
        label: label?,
        value: value?,
        unit: unit?,
        date: date?,
        source: Source {
            publisher: publisher?,
            title: title?,
            published: published?,
            url: url?,
        },
        note: note?,
    })
}
