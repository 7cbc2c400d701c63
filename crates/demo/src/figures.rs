//! Public figures from the seed articles, each with its citation. They keep
//! their real dates whatever the configured `today` is.

use corridor_domain::{Source, SourcedFigure};
use jiff::civil::{Date, date};

use crate::places::text;

const AP_TITLE: &str = "A Bullet Shattered Her Knee. Now a Gaza Teen's Chances of Walking Depend on Rafah Border Crossing";
const AP_PUBLISHER: &str = "The Associated Press (via Asharq Al-Awsat)";
const AFP_TITLE: &str = "What to Know about Gaza's Rafah Border Crossing";
const AFP_PUBLISHER: &str = "AFP (via Asharq Al-Awsat)";
/// Both articles were published around the reopening; the copies in the
/// seed carry no exact date, so the date of the AFP photograph is used.
const PUBLISHED: Date = date(2026, 2, 1);

struct Figure {
    key: &'static str,
    label: &'static str,
    value: f64,
    unit: &'static str,
    date: Date,
    ap: bool,
    note: &'static str,
}

const FIGURES: &[Figure] = &[
    Figure {
        key: "waiting-list-total",
        label: "People waiting for medical evacuation",
        value: 20_000.0,
        unit: "people",
        date: PUBLISHED,
        ap: true,
        note: "More than 20,000, some waiting more than a year (Gaza Health Ministry).",
    },
    Figure {
        key: "waiting-list-children",
        label: "Children waiting for medical evacuation",
        value: 4_500.0,
        unit: "children",
        date: PUBLISHED,
        ap: true,
        note: "Including 4,500 children (Gaza Health Ministry).",
    },
    Figure {
        key: "waiting-list-life-threatening",
        label: "Waiting patients with life-threatening conditions",
        value: 440.0,
        unit: "patients",
        date: PUBLISHED,
        ap: true,
        note: "About 440 with life-threatening injuries or diseases (Health Ministry).",
    },
    Figure {
        key: "died-while-waiting",
        label: "Patients who died while waiting for evacuation",
        value: 1_200.0,
        unit: "patients",
        // "the ministry said Tuesday": the Tuesday before publication.
        date: date(2026, 1, 27),
        ap: true,
        note: "More than 1,200 (Health Ministry).",
    },
    Figure {
        key: "cancer-urgent-abroad",
        label: "Cancer patients needing urgent treatment abroad",
        value: 4_000.0,
        unit: "patients",
        date: PUBLISHED,
        ap: true,
        note: "At least 4,000, of more than 11,000 cancer patients in Gaza (Health Ministry).",
    },
    Figure {
        key: "evacuated-since-war-began",
        label: "Patients who left Gaza for treatment abroad since the war began",
        value: 10_000.0,
        unit: "patients",
        date: PUBLISHED,
        ap: true,
        note: "More than 10,000 (WHO).",
    },
    Figure {
        key: "evacuations-weekly-closure",
        label: "Medical evacuations per week while Rafah was closed",
        value: 17.0,
        unit: "patients per week",
        // The period runs from the closure in May 2024 to the October 2025 ceasefire.
        date: date(2025, 10, 9),
        ap: true,
        note: "About 17 a week from May 2024 until the ceasefire, apart from the early-2025 surge (WHO).",
    },
    Figure {
        key: "evacuations-weekly-surge",
        label: "Medical evacuations per week during the early-2025 ceasefire",
        value: 200.0,
        unit: "patients per week",
        date: date(2025, 3, 18),
        ap: true,
        note: "More than 200 a week during a two-month ceasefire in early 2025 (WHO).",
    },
    Figure {
        key: "evacuations-weekly-ceasefire",
        label: "Medical evacuations per week since the October 2025 ceasefire",
        value: 25.0,
        unit: "patients per week",
        date: PUBLISHED,
        ap: true,
        note: "About 25 a week since the ceasefire began (UN figures).",
    },
    Figure {
        key: "evacuations-daily-announced",
        label: "Patients a day allowed to leave, as announced",
        value: 50.0,
        unit: "patients per day",
        date: PUBLISHED,
        ap: true,
        note: "Announced by the Israeli prime minister.",
    },
    Figure {
        key: "evacuations-daily-upper",
        label: "Patients a day spoken of by others",
        value: 150.0,
        unit: "patients per day",
        date: PUBLISHED,
        ap: true,
        note: "Up to 150 a day.",
    },
    Figure {
        key: "returnees-daily",
        label: "People a day allowed to enter Gaza",
        value: 50.0,
        unit: "people per day",
        date: PUBLISHED,
        ap: true,
        note: "Around 50 a day, according to a UN official.",
    },
    Figure {
        key: "aid-trucks-daily-target",
        label: "Aid trucks a day under the truce plan",
        value: 600.0,
        unit: "trucks per day",
        date: PUBLISHED,
        ap: false,
        note: "Target stipulated by the truce plan.",
    },
    Figure {
        key: "aid-share-kerem-shalom",
        label: "Share of aid entering Gaza through Kerem Shalom",
        value: 0.75,
        unit: "share",
        date: PUBLISHED,
        ap: false,
        note: "Three-quarters of aid entering Gaza.",
    },
];

pub(crate) fn figures() -> Vec<SourcedFigure> {
    FIGURES
        .iter()
        .map(|figure| {
            let (publisher, title) = if figure.ap {
                (AP_PUBLISHER, AP_TITLE)
            } else {
                (AFP_PUBLISHER, AFP_TITLE)
            };
            SourcedFigure {
                key: SourcedFigure::parse_key(figure.key).expect("FIGURES holds valid identifiers"),
                label: text("label", figure.label),
                value: figure.value,
                unit: text("unit", figure.unit),
                date: figure.date,
                source: Source {
                    publisher: text("publisher", publisher),
                    title: text("title", title),
                    published: PUBLISHED,
                    url: None,
                },
                note: Some(text("note", figure.note)),
            }
        })
        .collect()
}
