//! HXL exports of counts about people, and the suppression rule.

use corridor_domain::{AgeGroup, Specialty, Tier};
use corridor_interop::aggregates::{
    AID_COLUMNS, DeathsRow, EvacuationRow, WaitingCell, write_aid, write_deaths, write_evacuations,
    write_waiting,
};
use corridor_interop::disclosure::{Count, suppress, suppress_parts};
use corridor_interop::hxl::read_table;
use jiff::civil::date;
use proptest::prelude::*;

#[test]
fn counts_below_five_are_suppressed() {
    for n in 0..5 {
        assert_eq!(suppress(n), Count::Suppressed, "{n}");
        assert_eq!(suppress(n).to_string(), "<5");
    }
    assert_eq!(suppress(5), Count::Shown(5));
    assert_eq!(suppress(20_000).grouped(), "20,000");
    assert_eq!(Count::parse("<5"), Some(Count::Suppressed));
    assert_eq!(Count::parse("12"), Some(Count::Shown(12)));
    assert_eq!(
        Count::parse("3"),
        None,
        "a published count is never below 5"
    );
}

#[test]
fn a_lone_small_part_of_a_total_takes_the_next_smallest_with_it() {
    use Count::{Shown, Suppressed};
    // With the total known, one hidden part could be subtracted back.
    assert_eq!(
        suppress_parts(&[3, 120, 880]),
        [Suppressed, Suppressed, Shown(880)]
    );
    // Two hidden parts reveal only their sum.
    assert_eq!(
        suppress_parts(&[3, 0, 880]),
        [Suppressed, Suppressed, Shown(880)]
    );
    assert_eq!(
        suppress_parts(&[30, 120, 880]),
        [Shown(30), Shown(120), Shown(880)]
    );
    assert_eq!(suppress_parts(&[4]), [Suppressed]);
    assert_eq!(suppress_parts(&[]), []);
}

proptest! {
    #[test]
    fn parts_never_leave_exactly_one_hidden(parts in proptest::collection::vec(0u64..40, 0..12)) {
        let shown = suppress_parts(&parts);
        let hidden = shown.iter().filter(|c| **c == Count::Suppressed).count();
        prop_assert!(hidden != 1 || parts.len() == 1);
        for (count, n) in shown.iter().zip(&parts) {
            if *n < 5 {
                prop_assert_eq!(*count, Count::Suppressed);
            }
        }
    }

    #[test]
    fn a_published_count_reads_back_as_itself(n in 0u64..1_000_000) {
        let published = suppress(n);
        prop_assert_eq!(Count::parse(&published.to_string()), Some(published));
        prop_assert!(published.plotted() == 0.0 || published.plotted() >= 5.0);
    }
}

/// The cells of `text` under each of `tags`, row by row, found by tag.
fn by_tag(text: &str, tags: &[&str]) -> Vec<Vec<String>> {
    let table = read_table(text.as_bytes()).unwrap();
    let mapping = table.map(tags, tags).unwrap();
    assert!(mapping.ignored.is_empty(), "{:?}", mapping.ignored);
    table
        .rows
        .iter()
        .map(|row| {
            mapping
                .positions
                .iter()
                .map(|p| row.cells[p.unwrap()].clone())
                .collect()
        })
        .collect()
}

#[test]
fn the_waiting_list_export_reads_back_by_tag_with_small_counts_hidden() {
    let cells = [
        WaitingCell {
            tier: Tier::Critical,
            specialty: Specialty::Oncology,
            age_group: AgeGroup::Age5To17,
            count: 3,
        },
        WaitingCell {
            tier: Tier::Critical,
            specialty: Specialty::Oncology,
            age_group: AgeGroup::Age18To59,
            count: 41,
        },
        WaitingCell {
            tier: Tier::Routine,
            specialty: Specialty::Orthopaedics,
            age_group: AgeGroup::Age60Plus,
            count: 5,
        },
    ];
    let mut file = Vec::new();
    assert_eq!(
        write_waiting(&mut file, date(2026, 2, 1), &cells).unwrap(),
        2
    );
    let text = String::from_utf8(file).unwrap();
    let rows = by_tag(
        &text,
        &[
            "#inneed+age60plus",
            "#severity",
            "#sector+specialty",
            "#inneed+age5_17",
            "#inneed+age18_59",
            "#date+reported",
            "#inneed+age0_4",
        ],
    );
    assert_eq!(
        rows,
        [
            ["<5", "critical", "oncology", "<5", "41", "2026-02-01", "<5"],
            [
                "5",
                "routine",
                "orthopaedics",
                "<5",
                "<5",
                "2026-02-01",
                "<5"
            ],
        ]
    );
    assert!(!text.contains(",3,") && !text.contains(",3\n"), "{text}");
}

#[test]
fn evacuations_and_deaths_exports_carry_their_tags() {
    let mut file = Vec::new();
    write_evacuations(
        &mut file,
        &[
            EvacuationRow {
                date: date(2026, 2, 2),
                crossing: "rafah".to_string(),
                crossing_name: "Rafah".to_string(),
                destination: Some(("EG".to_string(), "Egypt".to_string())),
                patients: 31,
                companions: 2,
                quota: Some(50),
            },
            EvacuationRow {
                date: date(2026, 2, 2),
                crossing: "rafah".to_string(),
                crossing_name: "Rafah".to_string(),
                destination: None,
                patients: 7,
                companions: 9,
                quota: Some(50),
            },
        ],
    )
    .unwrap();
    let rows = by_tag(
        &String::from_utf8(file).unwrap(),
        &[
            "#date+reported",
            "#loc+origin+code",
            "#country+dest+code",
            "#country+dest+name",
            "#reached+patients",
            "#reached+companions",
            "#capacity+quota",
            "#loc+origin+name",
        ],
    );
    assert_eq!(
        rows,
        [
            [
                "2026-02-02",
                "rafah",
                "EG",
                "Egypt",
                "31",
                "<5",
                "50",
                "Rafah"
            ],
            [
                "2026-02-02",
                "rafah",
                "",
                "not yet admitted",
                "7",
                "9",
                "50",
                "Rafah"
            ],
        ]
    );
    let mut file = Vec::new();
    write_deaths(
        &mut file,
        &[DeathsRow {
            date: date(2026, 1, 8),
            tier: Tier::Urgent,
            deaths: 1,
        }],
    )
    .unwrap();
    let rows = by_tag(
        &String::from_utf8(file).unwrap(),
        &["#affected+killed", "#severity", "#date+reported"],
    );
    assert_eq!(rows, [["<5", "urgent", "2026-01-08"]]);
}

#[test]
fn aid_is_exported_by_day_stage_and_category_with_its_target_and_no_suppression() {
    let mut file = Vec::new();
    write_aid(
        &mut file,
        &[corridor_domain::StageDayCount {
            date: date(2026, 1, 9),
            stage: corridor_domain::Stage::Cleared,
            category: corridor_domain::CargoCategory::Fuel,
            consignments: 1,
            trucks: 2,
            pallets: 0,
            kilograms: 60_500,
        }],
        600,
    )
    .unwrap();
    let tags: Vec<&str> = AID_COLUMNS.iter().map(|c| c.tag).collect();
    let rows = by_tag(&String::from_utf8(file).unwrap(), &tags);
    // Trucks are not people: small counts stay as they are.
    assert_eq!(
        rows,
        [[
            "2026-01-09",
            "cleared",
            "fuel",
            "1",
            "2",
            "0",
            "60.5",
            "600"
        ]]
    );
}
