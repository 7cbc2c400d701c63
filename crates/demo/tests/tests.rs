//! The demo data set: reproducible, calibrated, and consistent with the domain.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use corridor_demo::{DemoConfig, DemoData, generate};
use corridor_domain::{
    Action, Case, PersonKind, ReasonKind, Relationship, Role, Specialty, Status, Tier, WeekdaySet,
};
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;

/// The default data set, generated once for all the tests that need the full size.
fn default_data() -> &'static DemoData {
    static DATA: OnceLock<DemoData> = OnceLock::new();
    DATA.get_or_init(|| generate(&DemoConfig::default()))
}

fn small_config(seed: u64) -> DemoConfig {
    DemoConfig {
        seed,
        waiting_patients: 1_000,
        ..DemoConfig::default()
    }
}

fn patients(data: &DemoData) -> impl Iterator<Item = &Case> {
    data.cases
        .iter()
        .filter(|case| case.person.role() == Role::Patient)
}

fn companions(data: &DemoData) -> impl Iterator<Item = &Case> {
    data.cases
        .iter()
        .filter(|case| case.person.role() == Role::Companion)
}

#[derive(Debug, Default)]
struct Counts {
    waiting: usize,
    children: usize,
    critical: usize,
    oncology_haematology: usize,
    died: usize,
    withdrawn: usize,
    evacuated: usize,
    companions: usize,
    total: usize,
}

fn counts(data: &DemoData, today: Date) -> Counts {
    let mut counts = Counts {
        companions: companions(data).count(),
        total: data.cases.len(),
        ..Counts::default()
    };
    for case in patients(data) {
        let referral = case.person.referral().unwrap();
        match case.line.status {
            Status::DiedWhileWaiting => counts.died += 1,
            Status::Withdrawn => counts.withdrawn += 1,
            Status::Crossed | Status::Admitted | Status::Returned => counts.evacuated += 1,
            _ => {
                counts.waiting += 1;
                if case.person.birth_year.is_child_on(today) {
                    counts.children += 1;
                }
                if referral.tier == Tier::Critical {
                    counts.critical += 1;
                }
                if matches!(
                    referral.specialty,
                    Specialty::Oncology | Specialty::Haematology
                ) {
                    counts.oncology_haematology += 1;
                }
            }
        }
    }
    counts
}

fn assert_within(label: &str, actual: usize, expected: f64, tolerance: f64) {
    let deviation = (actual as f64 - expected).abs() / expected;
    assert!(
        deviation <= tolerance,
        "{label}: {actual} is not within {:.0} % of {expected}",
        tolerance * 100.0
    );
}

mod reproducibility {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_data() {
        assert_eq!(generate(&small_config(7)), generate(&small_config(7)));
    }

    #[test]
    fn another_seed_gives_other_data() {
        let one = generate(&small_config(7));
        let other = generate(&small_config(8));
        assert_ne!(one.cases, other.cases);
        assert_ne!(one.facilities, other.facilities);
    }
}

mod calibration {
    use super::*;

    #[test]
    fn the_default_data_set_matches_the_public_aggregates() {
        let config = DemoConfig::default();
        let counts = counts(default_data(), config.today);
        println!("{counts:#?}");
        assert_within("waiting", counts.waiting, 20_000.0, 0.02);
        assert_within("children", counts.children, 4_500.0, 0.05);
        assert_within("critical", counts.critical, 440.0, 0.10);
        assert_within("died", counts.died, 1_200.0, 0.10);
        assert!(
            (3_000..=5_000).contains(&counts.oncology_haematology),
            "oncology and haematology: {}",
            counts.oncology_haematology
        );
        assert!(counts.withdrawn > 0);
        // About 3,600 evacuees over two years at the reported weekly rates.
        assert!(
            (3_000..=4_500).contains(&counts.evacuated),
            "evacuated: {}",
            counts.evacuated
        );
    }

    #[test]
    fn a_smaller_list_scales_everything_down() {
        let config = small_config(2026);
        let small = counts(&generate(&config), config.today);
        let full = counts(default_data(), config.today);
        let ratio = 1_000.0 / 20_000.0;
        assert_within("waiting", small.waiting, 1_000.0, 0.02);
        assert_within("children", small.children, 225.0, 0.05);
        assert_within("critical", small.critical, 22.0, 0.10);
        assert_within("died", small.died, 60.0, 0.10);
        assert_within(
            "evacuated",
            small.evacuated,
            full.evacuated as f64 * ratio,
            0.10,
        );
        assert_within(
            "companions",
            small.companions,
            full.companions as f64 * ratio,
            0.10,
        );
        assert_within("total", small.total, full.total as f64 * ratio, 0.10);
    }

    #[test]
    fn waiting_times_spread_over_two_years_and_some_wait_more_than_a_year() {
        let today = DemoConfig::default().today;
        let year_ago = date(2025, 2, 1);
        let waiting: Vec<Date> = patients(default_data())
            .filter(|case| case.line.status.is_waiting())
            .map(|case| case.person.referral().unwrap().referral_date.date())
            .collect();
        let over_a_year = waiting.iter().filter(|&&d| d < year_ago).count();
        let last_month = waiting
            .iter()
            .filter(|&&d| d >= date(2026, 1, 1) && d <= today)
            .count();
        assert!(over_a_year > waiting.len() / 5, "{over_a_year}");
        assert!(over_a_year < waiting.len() / 2, "{over_a_year}");
        assert!(last_month > 500, "{last_month}");
    }

    #[test]
    fn every_waiting_status_occurs_and_most_are_listed() {
        let mut by_status: HashMap<Status, usize> = HashMap::new();
        for case in &default_data().cases {
            *by_status.entry(case.line.status).or_default() += 1;
        }
        // Patients are admitted on the day they cross or the next, so only
        // companions stay `crossed`. Nobody is `scheduled`: people are
        // scheduled only by confirming a day's manifest, which holds beds.
        for status in Status::ALL {
            let count = by_status.get(status).copied().unwrap_or(0);
            if *status == Status::Scheduled {
                assert_eq!(count, 0);
            } else {
                assert!(count > 0, "{status}");
            }
        }
        let mut by_status: HashMap<Status, usize> = HashMap::new();
        for case in patients(default_data()) {
            *by_status.entry(case.line.status).or_default() += 1;
        }
        let waiting: usize = Status::WAITING
            .iter()
            .map(|s| by_status.get(s).copied().unwrap_or(0))
            .sum();
        assert!(by_status[&Status::Listed] > waiting / 2);
    }
}

mod people {
    use super::*;

    #[test]
    fn every_child_patient_has_a_companion() {
        let data = default_data();
        let today = DemoConfig::default().today;
        let accompanied: HashSet<&str> = companions(data)
            .filter_map(|case| case.person.companion_of())
            .map(|id| id.as_str())
            .collect();
        for case in patients(data) {
            if case.person.birth_year.is_child_on(today) {
                assert!(
                    accompanied.contains(case.person.id.as_str()),
                    "{}",
                    case.person.id
                );
            }
        }
    }

    #[test]
    fn every_companion_accompanies_a_patient_in_the_data() {
        let data = default_data();
        let patient_ids: HashSet<&str> = patients(data).map(|c| c.person.id.as_str()).collect();
        for case in companions(data) {
            let of = case.person.companion_of().unwrap();
            assert!(patient_ids.contains(of.as_str()), "{}", case.person.id);
        }
    }

    #[test]
    fn ids_are_unique_and_numbered_in_order() {
        let data = default_data();
        let ids: HashSet<&str> = data.cases.iter().map(|c| c.person.id.as_str()).collect();
        assert_eq!(ids.len(), data.cases.len());
        let patient_ids: Vec<String> = patients(data).map(|c| c.person.id.to_string()).collect();
        assert_eq!(patient_ids[0], "P-000001");
        assert_eq!(
            patient_ids.last().unwrap(),
            &format!("P-{:06}", patient_ids.len())
        );
        let first_companion = companions(data).next().unwrap();
        assert_eq!(first_companion.person.id.as_str(), "C-000001");
        // Patient ids follow referral dates.
        let dates: Vec<Date> = patients(data)
            .map(|c| c.person.referral().unwrap().referral_date.date())
            .collect();
        assert!(dates.windows(2).all(|pair| pair[0] <= pair[1]));
    }

    #[test]
    fn companions_are_adults_of_a_plausible_age_for_their_relationship() {
        let data = default_data();
        let today = DemoConfig::default().today;
        let patient_ages: HashMap<&str, i16> = patients(data)
            .map(|c| (c.person.id.as_str(), c.person.birth_year.age_on(today)))
            .collect();
        for case in companions(data) {
            let PersonKind::Companion { of, relationship } = &case.person.kind else {
                unreachable!()
            };
            let age = case.person.birth_year.age_on(today);
            let patient_age = patient_ages[of.as_str()];
            assert!((18..=90).contains(&age), "{}: {age}", case.person.id);
            match relationship {
                Relationship::Parent => assert!(age - patient_age >= 15, "{}", case.person.id),
                Relationship::Child => assert!(patient_age - age >= 15, "{}", case.person.id),
                _ => {}
            }
        }
    }

    #[test]
    fn most_adults_and_every_child_travel_with_companions() {
        let data = default_data();
        let today = DemoConfig::default().today;
        let mut per_patient: HashMap<&str, usize> = HashMap::new();
        for case in companions(data) {
            *per_patient
                .entry(case.person.companion_of().unwrap().as_str())
                .or_default() += 1;
        }
        let adults: Vec<&Case> = patients(data)
            .filter(|c| !c.person.birth_year.is_child_on(today))
            .collect();
        let accompanied = adults
            .iter()
            .filter(|c| per_patient.contains_key(c.person.id.as_str()))
            .count();
        let share = accompanied as f64 / adults.len() as f64;
        assert!((0.75..=0.85).contains(&share), "{share}");
        assert!(per_patient.values().all(|&n| (1..=2).contains(&n)));
    }

    #[test]
    fn names_are_given_to_everyone() {
        assert!(default_data().cases.iter().all(|c| c.person.name.is_some()));
    }
}

mod histories {
    use super::*;

    #[test]
    fn every_history_replays_to_its_line() {
        for case in &default_data().cases {
            let first = &case.events[0];
            let mut replayed = Case::register(case.person.clone(), first.at, &first.actor);
            for event in &case.events[1..] {
                replayed
                    .apply(
                        event.action.clone().unwrap(),
                        event.at,
                        &event.actor,
                        event.note.clone(),
                    )
                    .unwrap();
            }
            assert_eq!(&replayed, case, "{}", case.person.id);
        }
    }

    #[test]
    fn timestamps_increase_and_none_is_after_now() {
        let config = DemoConfig::default();
        for case in &default_data().cases {
            assert!(
                case.events.windows(2).all(|pair| pair[0].at < pair[1].at),
                "{}",
                case.person.id
            );
            assert!(
                case.events.last().unwrap().at <= config.now,
                "{}",
                case.person.id
            );
        }
    }

    #[test]
    fn referrals_are_within_two_years_and_registered_on_or_after_the_referral() {
        let today = DemoConfig::default().today;
        let two_years_ago = date(2024, 2, 1);
        for case in patients(default_data()) {
            let referred = case.person.referral().unwrap().referral_date.date();
            assert!(referred >= two_years_ago && referred <= today);
            let registered = TimeZone::UTC.to_datetime(case.events[0].at).date();
            assert!(registered >= referred, "{}", case.person.id);
        }
    }

    #[test]
    fn deaths_are_dated_after_registration_and_by_today() {
        let today = DemoConfig::default().today;
        for case in patients(default_data()) {
            let Some(died_on) = case.line.died_on else {
                continue;
            };
            let registered = TimeZone::UTC.to_datetime(case.events[0].at).date();
            assert!(
                died_on >= registered && died_on <= today,
                "{}",
                case.person.id
            );
        }
    }

    #[test]
    fn histories_use_resubmission_unscheduling_and_diverging_companions() {
        let data = default_data();
        let has = |wanted: fn(&Action) -> bool| {
            data.cases.iter().any(|case| {
                case.events
                    .iter()
                    .any(|event| event.action.as_ref().is_some_and(wanted))
            })
        };
        assert!(has(|a| matches!(a, Action::Resubmit)));
        assert!(has(|a| matches!(a, Action::Unschedule { .. })));
        assert!(has(|a| matches!(a, Action::Return)));
        let statuses: HashMap<&str, Status> = patients(data)
            .map(|c| (c.person.id.as_str(), c.line.status))
            .collect();
        let denied_with_cleared_patient = companions(data).any(|c| {
            c.line.status == Status::Denied
                && statuses[c.person.companion_of().unwrap().as_str()] == Status::Cleared
        });
        assert!(denied_with_cleared_patient);
        let resubmitted_waiting = patients(data)
            .filter(|c| c.line.status == Status::ClearanceRequested && c.line.clearance_attempt > 1)
            .count();
        assert!(resubmitted_waiting > 100, "{resubmitted_waiting}");
    }

    /// Every reason is a code without a note (notes are about people), in a
    /// mix like public reporting's: most denials a security objection or no
    /// reason given, most delays no answer, several codes of each kind.
    #[test]
    fn reasons_are_codes_in_a_realistic_mix() {
        let data = default_data();
        let mut counts: HashMap<(ReasonKind, String), usize> = HashMap::new();
        for event in data.cases.iter().flat_map(|case| &case.events) {
            if let Some(reason) = event.action.as_ref().and_then(Action::reason) {
                assert_eq!(reason.note, None, "{reason:?}");
                assert!(!reason.code.is_other(), "{reason:?}");
                *counts
                    .entry((reason.kind, reason.code.to_string()))
                    .or_default() += 1;
            }
        }
        let of_kind = |kind: ReasonKind| -> Vec<(String, usize)> {
            let mut codes: Vec<(String, usize)> = counts
                .iter()
                .filter(|((k, _), _)| *k == kind)
                .map(|((_, code), n)| (code.clone(), *n))
                .collect();
            codes.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            codes
        };
        for kind in [
            ReasonKind::Denied,
            ReasonKind::Delayed,
            ReasonKind::Withdrawn,
            ReasonKind::Unscheduled,
            ReasonKind::NoShow,
            ReasonKind::TurnedBack,
        ] {
            assert!(of_kind(kind).len() >= 2, "{kind}: {:?}", of_kind(kind));
        }
        let denials = of_kind(ReasonKind::Denied);
        assert_eq!(denials[0].0, "security-objection", "{denials:?}");
        assert_eq!(denials[1].0, "no-reason-given", "{denials:?}");
        assert_eq!(of_kind(ReasonKind::Delayed)[0].0, "no-answer");
    }
}

mod crossings_and_facilities {
    use super::*;

    #[test]
    fn rafah_operates_sunday_to_thursday_under_the_reported_rules() {
        let data = default_data();
        let rafah = data
            .crossings
            .iter()
            .find(|c| c.id.as_str() == "rafah")
            .unwrap();
        assert_eq!(
            rafah.operating_days,
            WeekdaySet::parse("sun,mon,tue,wed,thu").unwrap()
        );
        let opening = date(2026, 2, 2);
        let rules =
            corridor_domain::CrossingRules::in_force(&data.crossing_rules, &rafah.id, opening)
                .unwrap();
        assert_eq!(rules.max_companions, 2);
        assert!(rules.entries_equal_exits);
        let luggage =
            corridor_domain::rule_set_in_force(&data.luggage_rules, &rafah.id, opening).unwrap();
        assert_eq!(luggage.max_pieces, Some(1));
        assert!(corridor_domain::check_luggage_versions(&data.luggage_rules).is_ok());
    }

    #[test]
    fn returnees_wait_at_every_stage_before_crossing_each_with_a_declaration() {
        let data = default_data();
        let returnees: Vec<&Case> = data
            .cases
            .iter()
            .filter(|c| c.person.role() == corridor_domain::Role::Returnee)
            .collect();
        assert_eq!(returnees.len(), 600);
        assert_eq!(data.luggage.len(), returnees.len());
        let cleared = returnees
            .iter()
            .filter(|c| c.line.status == Status::Cleared)
            .count();
        // Enough for several days of Rafah's inbound quota of 50.
        assert!(cleared > 150, "{cleared}");
        for status in [
            Status::Listed,
            Status::ClearanceRequested,
            Status::Denied,
            Status::Delayed,
        ] {
            assert!(
                returnees.iter().any(|c| c.line.status == status),
                "{status}"
            );
        }
        let rules = &data.luggage_rules[0];
        let breaking = data
            .luggage
            .iter()
            .filter(|(_, declaration)| {
                !corridor_domain::check_luggage(rules, declaration).is_empty()
            })
            .count();
        // A few break the rules, as some will at a real gate; most do not.
        assert!(breaking > 10 && breaking < 100, "{breaking}");
    }

    #[test]
    fn rafah_quotas_start_the_day_after_today() {
        let data = default_data();
        assert_eq!(data.quotas.len(), 2);
        for quota in &data.quotas {
            assert_eq!(quota.per_day, 50);
            assert_eq!(quota.valid_from, date(2026, 2, 2));
            assert_eq!(quota.valid_to, None);
        }
        // One quota in force per direction: the store loads no overlaps.
        corridor_domain::check_quota_periods(&data.quotas).unwrap();
    }

    #[test]
    fn admitted_patients_are_in_open_facilities_that_offer_their_specialty() {
        let data = default_data();
        let open_countries: HashSet<&str> = data
            .countries
            .iter()
            .filter(|c| c.open)
            .map(|c| c.code.as_str())
            .collect();
        let mut admitted = 0;
        for case in patients(data) {
            let Some(facility_id) = &case.line.admitted_to else {
                continue;
            };
            admitted += 1;
            let referral = case.person.referral().unwrap();
            let facility = data
                .facilities
                .iter()
                .find(|f| &f.id == facility_id)
                .unwrap();
            assert!(facility.open);
            assert!(open_countries.contains(facility.country.as_str()));
            assert!(
                facility
                    .beds
                    .iter()
                    .any(|beds| beds.specialty == referral.specialty)
            );
            assert!(referral.return_guarantee || !facility.requires_return_guarantee);
        }
        assert!(admitted > 3_000, "{admitted}");
    }

    #[test]
    fn facilities_are_fictional_and_varied() {
        let data = default_data();
        let today = DemoConfig::default().today;
        assert!((15..=30).contains(&data.facilities.len()));
        let codes: HashSet<&str> = data.countries.iter().map(|c| c.code.as_str()).collect();
        for code in ["EG", "AE", "QA", "TR", "JO"] {
            assert!(codes.contains(code), "{code}");
        }
        assert!(data.countries.iter().any(|c| !c.open));
        assert!(data.facilities.iter().any(|f| !f.open));
        assert!(data.facilities.iter().any(|f| f.requires_return_guarantee));
        for facility in &data.facilities {
            assert!(facility.name.as_str().ends_with("(demo)"));
            assert!(codes.contains(facility.country.as_str()));
            for beds in &facility.beds {
                assert!(beds.covers(today), "{}", facility.id);
            }
        }
    }
}

mod figures {
    use super::*;

    #[test]
    fn figures_carry_their_source_and_a_note() {
        let figures = &default_data().figures;
        let keys: HashSet<&str> = figures.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys.len(), figures.len());
        let value = |key: &str| figures.iter().find(|f| f.key == key).unwrap().value;
        assert_eq!(value("waiting-list-total"), 20_000.0);
        assert_eq!(value("waiting-list-children"), 4_500.0);
        assert_eq!(value("waiting-list-life-threatening"), 440.0);
        assert_eq!(value("died-while-waiting"), 1_200.0);
        assert_eq!(value("cancer-urgent-abroad"), 4_000.0);
        assert_eq!(value("evacuations-weekly-closure"), 17.0);
        assert_eq!(value("aid-trucks-daily-target"), 600.0);
        for figure in figures {
            assert!(figure.note.is_some(), "{}", figure.key);
            assert!(figure.date <= date(2026, 2, 1), "{}", figure.key);
        }
    }

    #[test]
    fn figures_keep_their_real_dates_whatever_today_is() {
        let config = DemoConfig {
            today: date(2026, 6, 1),
            now: TimeZone::UTC
                .to_timestamp(date(2026, 6, 1).at(18, 0, 0, 0))
                .unwrap(),
            ..small_config(1)
        };
        assert_eq!(generate(&config).figures, default_data().figures);
    }
}

mod other_days {
    use super::*;

    #[test]
    fn a_later_today_moves_the_whole_list_with_it() {
        let today = date(2026, 6, 1);
        let config = DemoConfig {
            today,
            now: TimeZone::UTC.to_timestamp(today.at(18, 0, 0, 0)).unwrap(),
            ..small_config(3)
        };
        let data = generate(&config);
        for case in &data.cases {
            assert!(case.events.last().unwrap().at <= config.now);
            if let Some(referral) = case.person.referral() {
                let referred = referral.referral_date.date();
                assert!(referred >= date(2024, 6, 1) && referred <= today);
            }
            if case.line.status == Status::Scheduled {
                assert!(case.line.booking.as_ref().unwrap().date > today);
            }
        }
        assert_eq!(data.quotas[0].valid_from, date(2026, 6, 2));
    }

    #[test]
    fn a_now_early_in_the_morning_ends_the_history_the_day_before() {
        let today = DemoConfig::default().today;
        let config = DemoConfig {
            now: TimeZone::UTC.to_timestamp(today.at(6, 0, 0, 0)).unwrap(),
            ..small_config(4)
        };
        let data = generate(&config);
        for case in &data.cases {
            assert!(case.events.last().unwrap().at <= config.now);
        }
    }
}

mod configuration {
    use super::*;

    #[test]
    fn check_refuses_what_generate_cannot_produce() {
        assert_eq!(DemoConfig::default().check(), Ok(()));
        let early = DemoConfig {
            today: jiff::civil::date(1950, 1, 1),
            now: "1950-01-01T12:00:00Z".parse().unwrap(),
            ..DemoConfig::default()
        };
        assert!(
            early
                .check()
                .unwrap_err()
                .to_string()
                .contains("2000-01-01 or later")
        );
        let late_now = DemoConfig {
            now: "2026-03-01T12:00:00Z".parse().unwrap(),
            ..DemoConfig::default()
        };
        assert!(late_now.check().is_err());
        for waiting_patients in [0, DemoConfig::MAX_WAITING_PATIENTS + 1] {
            let config = DemoConfig {
                waiting_patients,
                ..DemoConfig::default()
            };
            assert!(config.check().is_err(), "{waiting_patients}");
        }
    }
}

mod aid {
    use std::collections::BTreeMap;

    use corridor_demo::generate;
    use corridor_domain::{
        CargoCategory, ConsignmentCase, Stage, StageDayCount, TruckDefinition, TruckTarget,
        daily_trucks,
    };
    use jiff::civil::Date;
    use jiff::tz::TimeZone;

    use super::{default_data, small_config};

    /// Arrivals into each stage per UTC day and category, as the store counts them.
    fn arrivals(cases: &[ConsignmentCase]) -> Vec<StageDayCount> {
        let mut counts: BTreeMap<(Date, Stage, CargoCategory), StageDayCount> = BTreeMap::new();
        for case in cases {
            for event in &case.events {
                let date = TimeZone::UTC.to_datetime(event.at).date();
                let key = (date, event.to, case.consignment.category);
                let count = counts.entry(key).or_insert(StageDayCount {
                    date,
                    stage: event.to,
                    category: case.consignment.category,
                    consignments: 0,
                    trucks: 0,
                    pallets: 0,
                    kilograms: 0,
                });
                count.consignments += 1;
                count.trucks += u64::from(event.load.trucks);
            }
        }
        counts.into_values().collect()
    }

    #[test]
    fn the_aid_history_is_reproducible_and_independent_of_the_list_size() {
        let a = generate(&small_config(9));
        assert_eq!(a.consignments, generate(&small_config(9)).consignments);
        assert_ne!(a.consignments, generate(&small_config(10)).consignments);
        // Its own random stream: the size of the waiting list does not change it.
        assert_eq!(
            generate(&small_config(2026)).consignments,
            default_data().consignments
        );
    }

    #[test]
    fn the_aid_history_matches_the_public_picture() {
        let data = default_data();
        let cases = &data.consignments;
        let config = corridor_demo::DemoConfig::default();
        // Every history replays through the stage table and ends by `now`.
        for case in cases {
            assert!(case.events.iter().all(|event| event.at <= config.now));
            let mut replay = ConsignmentCase::register(
                case.consignment.clone(),
                case.events[0].at,
                &case.events[0].actor,
            );
            for event in &case.events[1..] {
                let recount = corridor_domain::Recount {
                    trucks: Some(event.load.trucks),
                    pallets: Some(event.load.pallets),
                    tonnes: Some(event.load.tonnes),
                };
                replay
                    .apply(
                        event.change.clone().unwrap(),
                        recount,
                        event.at,
                        &event.actor,
                        None,
                    )
                    .unwrap();
            }
            assert_eq!(replay.line, case.line);
        }
        // Well under the target: full weeks of the history (the first days
        // fill the pipeline, the last are still in it).
        let from = config
            .today
            .checked_sub(jiff::Span::new().days(100))
            .unwrap();
        let to = config
            .today
            .checked_sub(jiff::Span::new().days(10))
            .unwrap();
        let days = daily_trucks(
            &arrivals(cases),
            TruckDefinition::Inspected,
            from,
            to,
            TruckTarget::default(),
        );
        let mean = days.iter().map(|day| day.total).sum::<u64>() as f64 / days.len() as f64;
        assert!(
            (120.0..=220.0).contains(&mean),
            "{mean} trucks inspected a day"
        );
        assert!(days.iter().all(|day| !day.met_target));
        // Three quarters through Kerem Shalom.
        let kerem = cases
            .iter()
            .filter(|case| case.consignment.crossing.as_str() == "kerem-shalom")
            .count() as f64;
        let share = kerem / cases.len() as f64;
        assert!((0.70..=0.80).contains(&share), "{share}");
        // Some returns and rejections, with reasons; most delivered.
        let ended_in = |stage| cases.iter().filter(|case| case.line.stage == stage).count();
        let rejected = cases
            .iter()
            .filter(|case| case.events.iter().any(|event| event.to == Stage::Rejected))
            .count();
        assert!(
            (10..=80).contains(&ended_in(Stage::Returned)),
            "{}",
            ended_in(Stage::Returned)
        );
        assert!(rejected >= 10, "{rejected}");
        assert!(ended_in(Stage::Delivered) as f64 > 0.8 * cases.len() as f64);
        assert!(ended_in(Stage::Intercepted) > 0);
    }
}
