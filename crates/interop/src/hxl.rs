//! HXL (Humanitarian Exchange Language): CSV with a row of hashtags under
//! the header, so that tools read columns by meaning instead of by position
//! or by a header in some language. See `docs/HXL.md` for the tags corridor
//! writes and reads.
//!
//! Reading finds the hashtag row (the first row, among the first
//! [`TAG_ROW_SEARCH_LIMIT`], whose non-empty cells are all hashtags), then
//! matches columns by tag: hashtag and attributes compared case-insensitively,
//! attributes in any order. Columns in any order and extra columns are
//! fine; the caller reports the extra ones.

use std::collections::BTreeSet;
use std::io;

use crate::cell::{read_cell, write_row};

/// How many rows a reader looks through for the hashtag row.
pub const TAG_ROW_SEARCH_LIMIT: usize = 25;

/// A hashtag with its attributes, e.g. `#loc+dest+name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag {
    pub hashtag: String,
    /// Lowercase, sorted, without duplicates.
    pub attributes: BTreeSet<String>,
}

impl Tag {
    pub fn parse(text: &str) -> Result<Tag, String> {
        let text = text.trim();
        let Some(rest) = text.strip_prefix('#') else {
            return Err(format!("'{text}' is not a hashtag; a tag starts with '#'"));
        };
        let mut parts = rest.split('+').map(|part| part.trim().to_ascii_lowercase());
        let hashtag = parts.next().unwrap_or_default();
        let valid = |part: &str| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        if !valid(&hashtag) {
            return Err(format!(
                "'{text}' is not a hashtag; use letters, digits and '_' after '#'"
            ));
        }
        let mut attributes = BTreeSet::new();
        for attribute in parts {
            if !valid(&attribute) {
                return Err(format!(
                    "'{text}' has an empty or malformed attribute; write attributes as +name"
                ));
            }
            attributes.insert(attribute);
        }
        Ok(Tag {
            hashtag,
            attributes,
        })
    }
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.hashtag)?;
        for attribute in &self.attributes {
            write!(f, "+{attribute}")?;
        }
        Ok(())
    }
}

/// A column an export writes: its header text and its tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub header: &'static str,
    pub tag: &'static str,
}

/// Writes the header row, the hashtag row and `rows`, every cell through
/// [`crate::cell::write_cell`]; returns the number of data rows written.
pub fn write_table(
    writer: impl io::Write,
    columns: &[Column],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> io::Result<u64> {
    let mut csv_writer = csv::Writer::from_writer(writer);
    write_row(&mut csv_writer, columns.iter().map(|column| column.header))?;
    write_row(&mut csv_writer, columns.iter().map(|column| column.tag))?;
    let mut written = 0;
    for row in rows {
        debug_assert_eq!(row.len(), columns.len());
        write_row(&mut csv_writer, &row)?;
        written += 1;
    }
    csv_writer.flush()?;
    Ok(written)
}

/// An HXL file as read: the tag of each column (`None` for an untagged
/// column) and the data rows below the hashtag row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub tags: Vec<Option<Tag>>,
    /// The text header of each column, from the row just above the
    /// hashtags (empty when there is none).
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The physical line the row starts on; the first line is 1.
    pub line: u64,
    /// Each cell as [`crate::cell::read_cell`] reads it.
    pub cells: Vec<String>,
}

/// A problem with an HXL file as a whole.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("could not read the file: {0}")]
    Io(#[from] io::Error),
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
    #[error(
        "no HXL hashtag row in the first {TAG_ROW_SEARCH_LIMIT} rows; add a row of tags \
         (e.g. #indicator+code,#indicator+num,...) under the header"
    )]
    NoTagRow,
    #[error("line {line}: {message}")]
    BadTag { line: u64, message: String },
    #[error("the file has a hashtag row but no data rows")]
    NoRows,
    #[error("the tag {tag} is on more than one column ({columns}); keep one")]
    RepeatedTag { tag: String, columns: String },
    #[error("the file lacks the column(s) tagged {}; add them (see docs/HXL.md)", .0.join(", "))]
    MissingTags(Vec<String>),
}

/// Reads a whole HXL file.
pub fn read_table(reader: impl io::Read) -> Result<Table, FileError> {
    let mut csv_reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut previous: Option<Vec<String>> = None;
    let mut tags = None;
    let mut record = csv::StringRecord::new();
    let mut rows_seen = 0;
    while rows_seen < TAG_ROW_SEARCH_LIMIT && read_record(&mut csv_reader, &mut record)? {
        rows_seen += 1;
        let cells: Vec<String> = record.iter().map(|cell| cell.trim().to_string()).collect();
        let tagged = cells.iter().filter(|cell| !cell.is_empty()).count();
        if tagged > 0
            && cells
                .iter()
                .all(|cell| cell.is_empty() || cell.starts_with('#'))
        {
            let line = record.position().map_or(0, csv::Position::line);
            let parsed = cells
                .iter()
                .map(|cell| {
                    (!cell.is_empty())
                        .then(|| Tag::parse(cell))
                        .transpose()
                        .map_err(|message| FileError::BadTag { line, message })
                })
                .collect::<Result<Vec<_>, _>>()?;
            tags = Some(parsed);
            break;
        }
        previous = Some(cells);
    }
    let tags = tags.ok_or(FileError::NoTagRow)?;
    let mut headers = previous.unwrap_or_default();
    headers.resize(tags.len(), String::new());
    let mut rows = Vec::new();
    while read_record(&mut csv_reader, &mut record)? {
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        rows.push(Row {
            line: record.position().map_or(0, csv::Position::line),
            cells: record
                .iter()
                .map(|cell| read_cell(cell).to_string())
                .collect(),
        });
    }
    if rows.is_empty() {
        return Err(FileError::NoRows);
    }
    Ok(Table {
        tags,
        headers,
        rows,
    })
}

/// The positions of the wanted tags in a table, and the columns left over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// For each wanted tag, in the order asked, its column, if present.
    pub positions: Vec<Option<usize>>,
    /// Columns that match no wanted tag, as `#tag` or `column N` when untagged.
    pub ignored: Vec<String>,
}

impl Table {
    /// Finds each of `wanted` (tags as written, e.g. `#meta+source`) by tag.
    /// Those in `required` must be present.
    pub fn map(&self, wanted: &[&str], required: &[&str]) -> Result<Mapping, FileError> {
        let wanted_tags: Vec<Tag> = wanted
            .iter()
            .map(|text| Tag::parse(text).expect("corridor's own tags are well-formed"))
            .collect();
        let mut positions = vec![None; wanted.len()];
        let mut ignored = Vec::new();
        for (index, tag) in self.tags.iter().enumerate() {
            let found = tag
                .as_ref()
                .and_then(|tag| wanted_tags.iter().position(|wanted| wanted == tag));
            match (found, tag) {
                (Some(slot), Some(tag)) => {
                    if let Some(first) = positions[slot] {
                        return Err(FileError::RepeatedTag {
                            tag: tag.to_string(),
                            columns: format!("columns {} and {}", first + 1, index + 1),
                        });
                    }
                    positions[slot] = Some(index);
                }
                (_, Some(tag)) => ignored.push(tag.to_string()),
                (_, None) => ignored.push(match self.headers[index].as_str() {
                    "" => format!("column {} (untagged)", index + 1),
                    header => format!("column {} '{header}' (untagged)", index + 1),
                }),
            }
        }
        let missing: Vec<String> = wanted
            .iter()
            .zip(&positions)
            .filter(|(tag, position)| position.is_none() && required.contains(tag))
            .map(|(tag, _)| tag.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(FileError::MissingTags(missing));
        }
        Ok(Mapping { positions, ignored })
    }
}

fn read_record(
    reader: &mut csv::Reader<impl io::Read>,
    record: &mut csv::StringRecord,
) -> Result<bool, FileError> {
    reader.read_record(record).map_err(|error| {
        let line = error.position().map_or(0, csv::Position::line);
        match error.into_kind() {
            csv::ErrorKind::Io(error) => FileError::Io(error),
            csv::ErrorKind::Utf8 { err, .. } => FileError::Malformed {
                line,
                message: format!("is not UTF-8 text ({err}); save the file as UTF-8"),
            },
            other => FileError::Malformed {
                line,
                message: format!("{other:?}"),
            },
        }
    })
}
