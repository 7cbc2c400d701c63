//! Sourced figures as HXL: round trips, columns by tag, row errors.

use corridor_demo::{DemoConfig, generate};
use corridor_interop::figures::{FigureImport, read_figures, write_figures};
use corridor_interop::hxl::FileError;

fn read(text: &str) -> Result<FigureImport, FileError> {
    read_figures(text.as_bytes())
}

#[test]
fn export_then_import_gives_the_same_figures() {
    let figures = generate(&DemoConfig {
        waiting_patients: 10,
        ..DemoConfig::default()
    })
    .figures;
    assert!(figures.len() >= 10);
    let mut file = Vec::new();
    assert_eq!(
        write_figures(&mut file, &figures).unwrap(),
        figures.len() as u64
    );
    let import = read_figures(file.as_slice()).unwrap();
    assert!(import.errors.is_empty(), "{:?}", import.errors);
    assert!(import.ignored_columns.is_empty());
    let read: Vec<_> = import.figures.into_iter().map(|(_, f)| f).collect();
    assert_eq!(read, figures);
}

#[test]
fn columns_are_found_by_tag_in_any_order_and_extra_ones_are_reported() {
    // A title row and a header row above the tags, columns shuffled, tags
    // with attributes in another order and case, an untagged column and a
    // tagged column corridor does not read.
    let text = "\
Public figures,,,,,,,,,,
Source title,Comment,Value,Date,Key,Unit,Published,Publisher,Label,Internal,Region
#meta+title+SOURCE,,#indicator+num,#date+reported,#indicator+code,#indicator+unit,#date+source,#meta+source,#indicator+name,#meta+internal,#adm1+name
Medical evacuations,ignore me,\"20,000\",2026-02-01,waiting-list-total,people,2026-02-03,WHO,People waiting,x,Gaza
";
    let import = read(text).unwrap();
    assert!(import.errors.is_empty(), "{:?}", import.errors);
    assert_eq!(
        import.ignored_columns,
        [
            "column 2 'Comment' (untagged)",
            "#meta+internal",
            "#adm1+name"
        ]
    );
    let (line, figure) = &import.figures[0];
    assert_eq!(*line, 4);
    assert_eq!(figure.key, "waiting-list-total");
    assert_eq!(figure.value, 20_000.0);
    assert_eq!(figure.source.title.as_str(), "Medical evacuations");
    assert_eq!(figure.source.publisher.as_str(), "WHO");
    assert_eq!(figure.source.url, None);
    assert_eq!(figure.note, None);
}

#[test]
fn every_bad_row_is_reported_with_line_and_column() {
    let text = "\
#indicator+code,#indicator+name,#indicator+num,#indicator+unit,#date+reported,#meta+source,#meta+source+title,#date+source
ok-1,Fine,1,people,2026-01-01,WHO,Report,2026-01-02
bad key,Fine,x,people,2026-01-32,WHO,Report,2026-01-02
ok-1,Again,2,people,2026-01-01,WHO,Report,2026-01-02
ok-2,,3,people,2026-01-01,,Report,yesterday
";
    let import = read(text).unwrap();
    let errors: Vec<String> = import.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        [
            "line 3, column #indicator+code: 'bad key' contains ' '; use letters, digits, '-', '_' or '.'",
            "line 3, column #indicator+num: 'x' is not a number; give one such as 18500 or 18,500",
            "line 3, column #date+reported: '2026-01-32' is not a date; use YYYY-MM-DD",
            "line 4, column #indicator+code: figure ok-1 on 2026-01-01 is also on line 2; keep one row per key and date",
            "line 5, column #indicator+name: is empty",
            "line 5, column #meta+source: is empty",
            "line 5, column #date+source: 'yesterday' is not a date; use YYYY-MM-DD",
        ]
    );
}

#[test]
fn file_level_problems_say_what_to_add() {
    let message = |text: &str| read(text).unwrap_err().to_string();
    assert_eq!(
        message("key,value\nk,1\n"),
        "no HXL hashtag row in the first 25 rows; add a row of tags (e.g. #indicator+code,#indicator+num,...) under the header"
    );
    assert_eq!(
        message("#indicator+code,#indicator+num\nk,1\n"),
        "the file lacks the column(s) tagged #indicator+name, #indicator+unit, #date+reported, #meta+source, #meta+source+title, #date+source; add them (see docs/HXL.md)"
    );
    assert_eq!(
        message("#indicator+code,#indicator+code\nk,k\n"),
        "the tag #indicator+code is on more than one column (columns 1 and 2); keep one"
    );
    assert_eq!(
        message("#indicator+code\n"),
        "the file has a hashtag row but no data rows"
    );
    assert_eq!(
        message("#indicator+\nk\n"),
        "line 1: '#indicator+' has an empty or malformed attribute; write attributes as +name"
    );
}
