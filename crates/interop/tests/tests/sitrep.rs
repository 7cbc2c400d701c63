//! The situation report's HTML: its sections, its sources, and no small counts.

use corridor_demo::{DemoConfig, generate};
use corridor_domain::report::ReasonCodeCount;
use corridor_domain::utilisation::{DayUse, PlacesFreed};
use corridor_domain::{
    AgeGroup, AidReport, ReasonCode, ReasonCount, Specialty, StageCount, StageDayCount, Tier,
    TonnesReconciliation, TruckDefinition, TruckTarget, daily_trucks,
};
use corridor_domain::{CrossingId, Direction};
use corridor_interop::sitrep::{
    DeathsSection, EvacuationDay, EvacuationSection, ForecastRun, ForecastSection, SitrepData,
    WaitingSection, render_html,
};
use jiff::civil::date;

fn data() -> SitrepData {
    let figures = generate(&DemoConfig {
        waiting_patients: 10,
        ..DemoConfig::default()
    })
    .figures;
    SitrepData {
        date: date(2026, 2, 8),
        registry: "corridor registry (SQLite)".to_string(),
        waiting: WaitingSection {
            by_tier: vec![
                (Tier::Critical, 3),
                (Tier::Urgent, 120),
                (Tier::Routine, 880),
            ],
            by_age_group: AgeGroup::ALL.iter().map(|g| (*g, 250)).collect(),
            by_specialty: Specialty::ALL.iter().map(|s| (*s, 2)).collect(),
            by_tier_and_age_group: vec![(Tier::Urgent, AgeGroup::Age18To59, 120)],
            companions: 1,
            median_wait_days: Some(222),
            over_a_year: 4,
        },
        evacuations: EvacuationSection {
            from: date(2026, 2, 2),
            to: date(2026, 2, 8),
            days: (2u8..=8)
                .map(|day| EvacuationDay {
                    date: date(2026, 2, day as i8),
                    patients: u64::from(day) * 6,
                    companions: u64::from(day) % 3,
                    quota: Some(50),
                    places_open: 50,
                })
                .collect(),
            by_destination: vec![("Egypt".to_string(), 180), ("Qatar".to_string(), 2)],
            total_to_date: 361,
        },
        utilisation: vec![
            DayUse {
                crossing: CrossingId::parse("rafah").unwrap(),
                date: date(2026, 2, 3),
                direction: Direction::Outbound,
                available: 150,
                planned: 140,
                refilled: 6,
                reached: 120,
                crossed: 98,
                expected: 0,
                freed: PlacesFreed {
                    declined: 20,
                    unreachable: 10,
                    no_show: 8,
                    turned_back: 10,
                    removed: 0,
                },
            },
            DayUse {
                crossing: CrossingId::parse("rafah").unwrap(),
                date: date(2026, 2, 3),
                direction: Direction::Inbound,
                available: 50,
                planned: 50,
                refilled: 0,
                reached: 50,
                crossed: 47,
                expected: 0,
                freed: PlacesFreed {
                    no_show: 3,
                    ..PlacesFreed::default()
                },
            },
        ],
        deaths: DeathsSection {
            total_by_tier: vec![(Tier::Critical, 38), (Tier::Urgent, 65), (Tier::Routine, 1)],
            window_by_tier: vec![(Tier::Critical, 2), (Tier::Urgent, 13), (Tier::Routine, 0)],
            by_day: Vec::new(),
        },
        forecast: Some(ForecastSection {
            model: "test model, 10 replications, seed 1".to_string(),
            runs: vec![ForecastRun {
                label: "current (50 a day)".to_string(),
                places_per_day: 50,
                start: date(2026, 2, 8),
                horizon_days: 3,
                days_to_clear: Some((100.0, 99.0, 101.0)),
                cleared_in: (10, 10),
                deaths: (28.0, 26.0, 29.0),
                list_p5: vec![1000.0, 950.0, 900.0],
                list_p50: vec![1000.0, 960.0, 920.0],
                list_p95: vec![1000.0, 970.0, 940.0],
            }],
        }),
        denial_reasons: vec![
            ReasonCodeCount {
                code: ReasonCode::parse("security-objection").unwrap(),
                label: "Security objection".to_string(),
                count: 12,
            },
            ReasonCodeCount {
                code: ReasonCode::parse("documents-incomplete").unwrap(),
                label: "incomplete <file>".to_string(),
                count: 1,
            },
        ],
        aid: Some(aid()),
        figures,
    }
}

/// Two days of aid: 120 food and 3 fuel trucks inspected on the first,
/// 40 food trucks collected on the second, one rejection and one return.
fn aid() -> AidReport {
    use corridor_domain::{CargoCategory::*, Stage::*};
    let (from, to) = (date(2026, 2, 7), date(2026, 2, 8));
    let target = TruckTarget::default();
    let count = |day: i8, stage, category, consignments, trucks| StageDayCount {
        date: date(2026, 2, day),
        stage,
        category,
        consignments,
        trucks,
        pallets: trucks * 20,
        kilograms: trucks * 10_000,
    };
    let arrivals = vec![
        count(7, Cleared, Food, 12, 120),
        count(7, Cleared, Fuel, 1, 3),
        count(8, Collected, Food, 4, 40),
    ];
    AidReport {
        from,
        to,
        as_of: "2026-02-08T12:00:00Z".parse().unwrap(),
        target,
        daily: TruckDefinition::ALL
            .iter()
            .map(|d| daily_trucks(&arrivals, *d, from, to, target))
            .collect(),
        tonnes: TonnesReconciliation::from_counts(&arrivals),
        arrivals,
        in_stage: vec![
            StageCount {
                stage: Staging,
                category: Food,
                consignments: 7,
                trucks: 61,
                kilograms: 610_000,
            },
            StageCount {
                stage: Delivered,
                category: Food,
                consignments: 900,
                trucks: 9000,
                kilograms: 1,
            },
        ],
        dwell: Vec::new(),
        rejections: vec![ReasonCount {
            stage: Rejected,
            reason: "dual-use items".to_string(),
            consignments: 1,
            trucks: 2,
        }],
        returns: vec![ReasonCount {
            stage: Returned,
            reason: "rejected at inspection".to_string(),
            consignments: 1,
            trucks: 2,
        }],
        oldest: Vec::new(),
    }
}

#[test]
fn the_aid_section_shows_trucks_against_the_target_and_the_reasons() {
    let html = render_html(&data());
    let start = html.find("<section id=\"aid\">").expect("an aid section");
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    assert!(section.contains("123 trucks inspected"), "{section}");
    assert!(section.contains("61 a day on average against a target of 600 a day"));
    assert!(section.contains("fuel trucks inspected: 3"));
    assert!(section.contains("The target was met on 0 of 2 days"));
    assert!(section.contains("40 trucks were collected inside"));
    // Truck counts are not about people: a 2 is shown as 2.
    assert!(
        section.contains("<td>dual-use items</td><td class=\"n\">1</td><td class=\"n\">2</td>")
    );
    assert!(section.contains("<td>rejected at inspection</td>"));
    // Only consignments still moving are "in the pipeline".
    assert!(section.contains("<td>staging</td><td class=\"n\">7</td>"));
    assert!(!section.contains("<td>delivered</td><td class=\"n\">900</td>"));
    let mut without = data();
    without.aid = None;
    assert!(render_html(&without).contains("No aid consignments are tracked in this registry."));
}

#[test]
fn the_report_has_every_section_with_its_source() {
    let html = render_html(&data());
    for id in [
        "waiting-list",
        "evacuations",
        "utilisation",
        "deaths",
        "forecast",
        "clearance-denials",
        "aid",
        "public-figures",
    ] {
        let start = html
            .find(&format!("<section id=\"{id}\">"))
            .unwrap_or_else(|| panic!("no section {id}"));
        let section = &html[start..start + html[start..].find("</section>").unwrap()];
        assert!(
            section.contains("<p class=\"source\">Source: "),
            "{id} names its source"
        );
        if id != "public-figures" {
            assert!(
                section.contains("computed by corridor"),
                "{id} says it is computed"
            );
        }
    }
    assert!(html.contains("@media print"));
    assert_eq!(html.matches("<svg").count(), 5, "inline charts");
    assert!(
        !html.contains("<script") && !html.contains("src=\"http"),
        "self-contained"
    );
    // Each public figure shows its date and its publisher.
    for figure in &data().figures {
        assert!(html.contains(&figure.date.to_string()));
        assert!(html.contains(&corridor_interop::sitrep::escape(
            figure.source.publisher.as_str()
        )));
    }
    assert!(html.contains("incomplete &lt;file&gt;"), "text is escaped");
    assert!(html.contains("against a cumulative evacuee quota of 350 places"));
    let mut closed = data();
    for day in &mut closed.evacuations.days {
        day.quota = None;
    }
    assert!(render_html(&closed).contains("while no evacuee quota was in force"));
}

#[test]
fn the_places_used_section_says_where_the_places_went() {
    let html = render_html(&data());
    let start = html.find("<section id=\"utilisation\">").unwrap();
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    assert!(
        section.contains(
            "Outbound: 1 confirmed day offered 150 places; 98 people crossed, &lt;5 are still expected. \
             Places freed: 20 declined, 10 unreachable, &lt;5 no-show, 10 turned back, &lt;5 removed; 6 refilled from standby."
        ),
        "{section}"
    );
    // No one removed outbound: with the total freed shown in the table, the
    // smallest other cause is hidden too. Three no-shows inbound are too few to show, and so is the other
    // cause that would give them away.
    assert!(
        section.contains("Places freed: &lt;5 declined, &lt;5 unreachable, &lt;5 no-show"),
        "{section}"
    );
    assert!(section.contains("id=\"places-used-per-week-title\""));
    assert!(section.contains("<td>2026-02-02 to 2026-02-08</td><td>outbound</td><td class=\"n\">150</td><td class=\"n\">140</td><td class=\"n\">98</td><td class=\"n\">48</td><td class=\"n\">6</td>"), "{section}");
    let mut none = data();
    none.utilisation.clear();
    assert!(
        render_html(&none).contains("No crossing day was confirmed from 2026-02-02 to 2026-02-08")
    );
}

#[test]
fn small_counts_never_appear_in_the_report() {
    // Counts of people; the aid section counts trucks.
    let html = without_aid_section(&render_html(&data()));
    // Every table cell that is a count is either ≥ 5 or "<5".
    for cell in html.split("<td class=\"n\">").skip(1) {
        let cell = &cell[..cell.find("</td>").unwrap()];
        let digits: String = cell.chars().filter(char::is_ascii_digit).collect();
        if cell.contains('(') || cell.contains("days") || digits.is_empty() {
            continue;
        }
        let value: u64 = digits.parse().unwrap();
        assert!(
            value >= 5 || cell == "&lt;5",
            "cell {cell:?} is a small count"
        );
    }
    assert!(html.contains("<td class=\"n\">&lt;5</td>"));
    // The critical tier (3 waiting) and the one-companion count are hidden.
    assert!(html.contains("<td>critical</td><td class=\"n\">&lt;5</td>"));
    // ... and so is the next smallest tier, or the total would give it away.
    assert!(html.contains("<td>urgent</td><td class=\"n\">&lt;5</td>"));
    assert!(html.contains("<td>routine</td><td class=\"n\">880</td>"));
    assert!(html.contains("with &lt;5 companions"));
}

/// The report without its aid section, whose counts are trucks.
pub fn without_aid_section(html: &str) -> String {
    let start = html.find("<section id=\"aid\">").expect("an aid section");
    let end = start + html[start..].find("</section>").unwrap();
    format!("{}{}", &html[..start], &html[end..])
}
