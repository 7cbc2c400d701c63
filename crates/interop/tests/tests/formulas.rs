//! Spreadsheet formulas never leave as formulas: every CSV and HXL writer
//! marks text that a spreadsheet would run with a leading `'`, every reader
//! takes the mark off again, and numbers stay numbers.

use corridor_domain::{AgeGroup, Source, SourcedFigure, Specialty, Text, Tier};
use corridor_interop::aggregates::{
    DeathsRow, EvacuationRow, WaitingCell, write_deaths, write_evacuations, write_waiting,
};
use corridor_interop::cell::{FORMULA_STARTS, is_decimal_number, read_cell, write_row};
use corridor_interop::consignments::{read_consignments, write_consignments};
use corridor_interop::figures::{read_figures, write_figures};
use corridor_interop::referrals::{ExportMode, read_referrals, write_referrals};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use proptest::prelude::*;

const TODAY: Date = date(2026, 2, 1);

/// Every cell of a CSV file, as a plain CSV reader (a spreadsheet) sees it.
fn raw_cells(file: &[u8]) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(file);
    let mut cells = Vec::new();
    for record in reader.records() {
        let record = record.expect("corridor writes well-formed CSV");
        cells.extend(record.iter().map(str::to_string));
    }
    cells
}

/// A spreadsheet would run none of the file's cells: each that begins with
/// one of the formula characters is a decimal number.
#[track_caller]
fn assert_no_formula(what: &str, file: &[u8]) {
    let cells = raw_cells(file);
    assert!(!cells.is_empty(), "{what}: empty file");
    for cell in cells {
        if cell.starts_with(FORMULA_STARTS) {
            assert!(
                is_decimal_number(&cell),
                "{what}: the cell {cell:?} would be read as a formula"
            );
        }
    }
}

fn text(value: &str) -> Text {
    Text::parse("text", value, 2000).expect("test text is valid")
}

fn figure(key: &str, label: &str, value: f64, note: &str) -> SourcedFigure {
    SourcedFigure {
        key: key.to_string(),
        label: text(label),
        value,
        unit: text("@people"),
        date: date(2026, 1, 20),
        source: Source {
            publisher: text("+Agency"),
            title: text("-Briefing"),
            published: date(2026, 1, 21),
            url: Some(text("=HYPERLINK(\"http://example.org\")")),
        },
        note: Some(text(note)),
    }
}

const REFERRALS: &str = "id,role,companion_of,relationship,name,birth_year,sex,legal_basis,\
condition,specialty,tier,referral_date,referring_facility,return_guarantee\n\
-P1,patient,,,=HYPERLINK(\"http://evil.example\"),1980,female,consent,cancer,oncology,critical,2025-03-01,al-shifa,yes\n\
-C1,companion,-P1,parent,'=quoted,1985,female,consent,,,,,,\n";

const CONSIGNMENTS: &str = "id,agency,category,origin,crossing,trucks,pallets,tonnes,dispatched_at,\
staging_at,checkpoint_at,inspection_at,cleared_at,rejected_at,rejection_reason,rejected_items\n\
WB-1,=cmd|' /C calc'!A0,food,@Al-Arish,kerem-shalom,10,240,180,2026-01-10 06:00,2026-01-10 12:00,2026-01-11 00:00,2026-01-11 02:00,,2026-01-11 06:00,+dual-use items,-generators\n";

#[test]
fn no_exported_text_cell_begins_with_a_formula_character() {
    let import = read_referrals(REFERRALS.as_bytes(), TODAY, &mut |_| {}).unwrap();
    assert!(import.errors.is_empty(), "{:?}", import.errors);
    let people: Vec<_> = import.rows.iter().map(|row| row.person.clone()).collect();
    assert_eq!(
        people[0].name.as_ref().unwrap().as_str(),
        "=HYPERLINK(\"http://evil.example\")"
    );
    assert_eq!(people[1].name.as_ref().unwrap().as_str(), "=quoted");
    let lines: Vec<_> = people
        .iter()
        .map(|person| corridor_domain::StatusLine::new(person.role()))
        .collect();
    for mode in [ExportMode::Personal, ExportMode::Pseudonymised] {
        let mut file = Vec::new();
        write_referrals(&mut file, people.iter().zip(&lines), mode).unwrap();
        assert_no_formula(&format!("referrals ({mode:?})"), &file);
    }

    let now: Timestamp = "2026-02-01T12:00:00Z".parse().unwrap();
    let import = read_consignments(CONSIGNMENTS.as_bytes(), now, "tester", &mut |_| {}).unwrap();
    assert!(import.is_valid(), "{:?}", import.errors);
    let mut file = Vec::new();
    write_consignments(
        &mut file,
        import
            .rows
            .iter()
            .map(|row| (&row.case.consignment, row.case.events.as_slice())),
    )
    .unwrap();
    assert_no_formula("consignments", &file);

    let figures = [figure("net-change", "-net change", -3.0, "=1+1")];
    let mut file = Vec::new();
    write_figures(&mut file, &figures).unwrap();
    assert_no_formula("figures", &file);
    // A number written as a number: a negative value stays -3.
    assert!(raw_cells(&file).contains(&"-3".to_string()));

    let mut file = Vec::new();
    write_waiting(
        &mut file,
        TODAY,
        &[WaitingCell {
            tier: Tier::Critical,
            specialty: Specialty::Oncology,
            age_group: AgeGroup::ALL[0],
            count: 12,
        }],
    )
    .unwrap();
    assert_no_formula("waiting list", &file);

    let mut file = Vec::new();
    write_evacuations(
        &mut file,
        &[EvacuationRow {
            date: TODAY,
            crossing: "rafah".to_string(),
            crossing_name: "=Rafah".to_string(),
            destination: Some(("EG".to_string(), "@Egypt".to_string())),
            patients: 30,
            companions: 40,
            quota: Some(50),
        }],
    )
    .unwrap();
    assert_no_formula("evacuations", &file);

    let mut file = Vec::new();
    write_deaths(
        &mut file,
        &[DeathsRow {
            date: TODAY,
            tier: Tier::Urgent,
            deaths: 7,
        }],
    )
    .unwrap();
    assert_no_formula("deaths", &file);
}

#[test]
fn exports_with_formula_text_import_again_exactly() {
    let import = read_referrals(REFERRALS.as_bytes(), TODAY, &mut |_| {}).unwrap();
    let people: Vec<_> = import.rows.iter().map(|row| row.person.clone()).collect();
    let lines: Vec<_> = people
        .iter()
        .map(|person| corridor_domain::StatusLine::new(person.role()))
        .collect();
    let mut file = Vec::new();
    write_referrals(&mut file, people.iter().zip(&lines), ExportMode::Personal).unwrap();
    let again = read_referrals(file.as_slice(), TODAY, &mut |_| {}).unwrap();
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    let again: Vec<_> = again.rows.into_iter().map(|row| row.person).collect();
    assert_eq!(again, people);

    let now: Timestamp = "2026-02-01T12:00:00Z".parse().unwrap();
    let import = read_consignments(CONSIGNMENTS.as_bytes(), now, "tester", &mut |_| {}).unwrap();
    let mut file = Vec::new();
    write_consignments(
        &mut file,
        import
            .rows
            .iter()
            .map(|row| (&row.case.consignment, row.case.events.as_slice())),
    )
    .unwrap();
    let again = read_consignments(file.as_slice(), now, "tester", &mut |_| {}).unwrap();
    assert!(again.is_valid(), "{:?}", again.errors);
    assert_eq!(again.rows[0].case, import.rows[0].case);
}

/// Any text, and in particular text that begins with a formula character,
/// with the mark itself, or with both.
fn any_text() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "", "'", "=", "'=", "''", "\t", "'\t", "\r", "+", "-", "@", " ", "-3", "'-3",
    ]);
    (prefix, any::<String>()).prop_map(|(prefix, rest)| format!("{prefix}{rest}"))
}

proptest! {
    #[test]
    fn any_text_survives_export_then_import_exactly(texts in prop::collection::vec(any_text(), 1..6)) {
        let mut file = Vec::new();
        {
            let mut writer = csv::Writer::from_writer(&mut file);
            // A last cell that is never empty, so that no row is blank.
            write_row(&mut writer, texts.iter().map(String::as_str).chain(["end"])).unwrap();
            writer.flush().unwrap();
        }
        for cell in raw_cells(&file) {
            prop_assert!(!cell.starts_with(FORMULA_STARTS) || is_decimal_number(&cell), "{cell:?}");
        }
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(file.as_slice());
        let record = reader.records().next().unwrap().unwrap();
        let read: Vec<&str> = record.iter().map(read_cell).collect();
        let written: Vec<&str> = texts.iter().map(String::as_str).collect();
        prop_assert_eq!(&read[..texts.len()], written.as_slice());
    }

    /// Through a real exporter and importer: the figures' texts, whatever
    /// they begin with, come back as they left.
    #[test]
    fn figures_with_any_text_round_trip(
        label in any_text(),
        note in any_text(),
        value in -1.0e6f64..1.0e6,
    ) {
        let (Ok(label), Ok(note)) = (Text::parse("label", &label, 500), Text::parse("note", &note, 2000)) else {
            // Text corridor would not accept in the first place.
            return Ok(());
        };
        let mut figure = figure("any", "x", value, "x");
        figure.label = label;
        figure.note = Some(note);
        let mut file = Vec::new();
        write_figures(&mut file, std::slice::from_ref(&figure)).unwrap();
        let import = read_figures(file.as_slice()).unwrap();
        prop_assert!(import.errors.is_empty(), "{:?}", import.errors);
        prop_assert_eq!(&import.figures[0].1, &figure);
    }
}
