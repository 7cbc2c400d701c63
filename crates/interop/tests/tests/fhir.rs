//! The FHIR export, validated against the official R4 JSON schema.

use std::sync::OnceLock;

use corridor_demo::{DemoConfig, generate};
use corridor_domain::{
    Action, BirthYear, Case, ConditionCategory, LegalBasis, NewPerson, PersonId, PersonKind,
    Reason, ReasonCatalogue, ReasonCode, ReasonEntry, ReasonKind, Referral, ReferralDate, Sex,
    Specialty, Tier,
};
use corridor_interop::fhir::{
    Places, ReferralHistory, reason_system, referral_bundle, write_bundles,
};
use jiff::Timestamp;
use jiff::civil::date;
use serde_json::Value;

const SCHEMA_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fhir-r4/fhir.schema.json"
);

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let text = std::fs::read_to_string(SCHEMA_PATH).unwrap_or_else(|error| {
            panic!("the vendored FHIR R4 schema {SCHEMA_PATH} cannot be read ({error}); see tests/fhir-r4/README.md")
        });
        let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        jsonschema::draft6::new(&schema).expect("the FHIR R4 schema compiles as draft-06")
    })
}

/// Every schema violation, one per line, or empty.
fn violations(instance: &Value) -> String {
    validator()
        .iter_errors(instance)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn now() -> Timestamp {
    "2026-02-01T12:00:00Z".parse().unwrap()
}

fn at(day: u8) -> Timestamp {
    format!("2026-01-{day:02}T09:00:00Z").parse().unwrap()
}

fn patient(id: &str, tier: Tier) -> NewPerson {
    NewPerson {
        id: PersonId::parse(id).unwrap(),
        name: None,
        birth_year: BirthYear::new(1975, date(2026, 2, 1)).unwrap(),
        sex: Sex::Female,
        legal_basis: LegalBasis::Consent,
        kind: PersonKind::Patient(Referral {
            condition: ConditionCategory::Cancer,
            specialty: Specialty::Oncology,
            tier,
            referral_date: ReferralDate::new(date(2025, 11, 3), date(2026, 2, 1)).unwrap(),
            referring_facility: corridor_domain::OrganisationId::parse(
                "referring_facility",
                "al-shifa-medical-complex",
            )
            .unwrap(),
            return_guarantee: false,
        }),
    }
}

fn case(id: &str, tier: Tier, actions: Vec<Action>) -> Case {
    let mut case = Case::register(patient(id, tier), at(1), "tester");
    for (day, action) in actions.into_iter().enumerate() {
        case.apply(action, at(day as u8 + 2), "tester", None)
            .unwrap();
    }
    case
}

fn bundle_of(case: &Case) -> Value {
    let bundle = referral_bundle(
        ReferralHistory {
            person: &case.person,
            line: &case.line,
            events: &case.events,
        },
        Places {
            organisations: &[],
            facilities: &[],
            countries: &[],
            crossings: &[],
        },
        &reason_codes(),
        now(),
    )
    .unwrap();
    serde_json::to_value(&bundle).unwrap()
}

/// A few codes with their labels, as the store's list has them.
fn reason_codes() -> ReasonCatalogue {
    let entry = |kind, code: &str, label: &str| ReasonEntry {
        kind,
        code: ReasonCode::parse(code).unwrap(),
        label: label.to_string(),
        in_use: true,
    };
    ReasonCatalogue::new(vec![
        entry(
            ReasonKind::Denied,
            "security-objection",
            "Security objection by the clearing authority",
        ),
        entry(ReasonKind::Denied, "other", "Other (see note)"),
        entry(
            ReasonKind::Reinstated,
            "wrong-person",
            "Recorded against the wrong person",
        ),
        entry(
            ReasonKind::Delayed,
            "no-answer",
            "No answer by the date needed",
        ),
        entry(
            ReasonKind::TurnedBack,
            "refused-at-crossing",
            "Refused at the crossing",
        ),
        entry(
            ReasonKind::Withdrawn,
            "chose-treatment-elsewhere",
            "Chose treatment elsewhere",
        ),
    ])
}

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| &entry["resource"])
        .filter(|resource| resource["resourceType"] == kind)
        .collect()
}

/// The (code, status, business status, reason) of each Task in order.
fn tasks(bundle: &Value) -> Vec<(String, String, String, String)> {
    resources(bundle, "Task")
        .iter()
        .map(|task| {
            (
                task["code"]["text"].as_str().unwrap().to_string(),
                task["status"].as_str().unwrap().to_string(),
                task["businessStatus"]["coding"][0]["code"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                task["statusReason"]["text"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect()
}

fn reason(kind: ReasonKind, code: &str, note: Option<&str>) -> Reason {
    Reason::parse(kind, Some(code), note).unwrap()
}

#[test]
fn every_bundle_of_the_demo_registry_is_valid_fhir_r4() {
    let data = generate(&DemoConfig {
        waiting_patients: 300,
        ..DemoConfig::default()
    });
    let places = Places {
        organisations: &data.organisations,
        facilities: &data.facilities,
        countries: &data.countries,
        crossings: &data.crossings,
    };
    let mut ndjson = Vec::new();
    let written = write_bundles(
        &mut ndjson,
        data.cases.iter().map(|case| ReferralHistory {
            person: &case.person,
            line: &case.line,
            events: &case.events,
        }),
        places,
        &reason_codes(),
        now(),
    )
    .unwrap();
    let patients = data
        .cases
        .iter()
        .filter(|case| case.person.referral().is_some())
        .count() as u64;
    assert_eq!(
        written, patients,
        "one Bundle per referral, companions skipped"
    );
    let text = String::from_utf8(ndjson).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    let mut task_states = std::collections::BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        let bundle: Value = serde_json::from_str(line).unwrap();
        let problems = violations(&bundle);
        assert!(
            problems.is_empty(),
            "bundle {index} is invalid:\n{problems}\n{line}"
        );
        for entry in bundle["entry"].as_array().unwrap() {
            kinds.insert(
                entry["resource"]["resourceType"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        for (_, status, ..) in tasks(&bundle) {
            task_states.insert(status);
        }
        let patient = resources(&bundle, "Patient")[0];
        let mut keys: Vec<&str> = patient
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["birthDate", "id", "identifier", "resourceType"],
            "pseudonymised"
        );
        assert_eq!(
            patient["birthDate"].as_str().unwrap().len(),
            4,
            "birth year only"
        );
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "Encounter",
            "Location",
            "Organization",
            "Patient",
            "ServiceRequest",
            "Task"
        ]
    );
    assert!(
        task_states.len() >= 4,
        "the demo covers many task states: {task_states:?}"
    );
}

#[test]
fn the_schema_rejects_what_fhir_forbids() {
    // The validator must be able to fail: a task state outside FHIR's, a
    // request without its subject, a birth date that is no date, a property
    // of the wrong shape and an unknown Bundle type are refused. (The schema
    // types a request's priority only as a code; `tiers_become_request_priorities`
    // checks its values.)
    let bundle = bundle_of(&case("P-1", Tier::Urgent, vec![Action::List]));
    assert_eq!(violations(&bundle), "");
    let mutate = |edit: &dyn Fn(&mut Value)| {
        let mut copy = bundle.clone();
        edit(&mut copy);
        violations(&copy)
    };
    let entry_of = |bundle: &mut Value, kind: &str| -> usize {
        bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .position(|e| e["resource"]["resourceType"] == kind)
            .unwrap()
    };
    assert_ne!(
        mutate(&|b| {
            let i = entry_of(b, "Task");
            b["entry"][i]["resource"]["status"] = "paused".into();
        }),
        ""
    );
    assert_ne!(
        mutate(&|b| {
            let i = entry_of(b, "ServiceRequest");
            b["entry"][i]["resource"]
                .as_object_mut()
                .unwrap()
                .remove("subject");
        }),
        ""
    );
    assert_ne!(
        mutate(&|b| {
            let i = entry_of(b, "Patient");
            b["entry"][i]["resource"]["birthDate"] = "1975-13".into();
        }),
        ""
    );
    assert_ne!(
        mutate(&|b| {
            let i = entry_of(b, "Patient");
            b["entry"][i]["resource"]["name"] = "Amal".into();
        }),
        ""
    );
    assert_ne!(mutate(&|b| b["type"] = "heap".into()), "");
}

#[test]
fn tiers_become_request_priorities() {
    for (tier, priority) in [
        (Tier::Critical, "stat"),
        (Tier::Urgent, "urgent"),
        (Tier::Routine, "routine"),
    ] {
        let bundle = bundle_of(&case("P-1", tier, vec![]));
        let written = &resources(&bundle, "ServiceRequest")[0]["priority"];
        assert_eq!(written, priority);
        // FHIR's required value set for request priority.
        assert!(["routine", "urgent", "asap", "stat"].contains(&written.as_str().unwrap()));
    }
}

#[test]
fn tasks_carry_corridor_states_and_reasons() {
    type Expected<'a> = &'a [(&'a str, &'a str, &'a str, &'a str)];
    let check = |actions: Vec<Action>, expected: Expected<'_>| {
        let bundle = bundle_of(&case("P-7", Tier::Critical, actions.clone()));
        assert_eq!(violations(&bundle), "", "{actions:?}");
        let actual = tasks(&bundle);
        let expected: Vec<(String, String, String, String)> = expected
            .iter()
            .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
            .collect();
        assert_eq!(actual, expected, "{actions:?}");
    };
    check(vec![], &[("listing", "requested", "referred", "")]);
    check(
        vec![Action::List, Action::RequestClearance],
        &[
            ("listing", "completed", "listed", ""),
            ("clearance", "in-progress", "clearance-requested", ""),
        ],
    );
    check(
        vec![
            Action::List,
            Action::RequestClearance,
            Action::Deny {
                reason: reason(ReasonKind::Denied, "security-objection", None),
            },
        ],
        &[
            ("listing", "completed", "listed", ""),
            (
                "clearance",
                "failed",
                "denied",
                "Security objection by the clearing authority",
            ),
        ],
    );
    check(
        vec![
            Action::List,
            Action::RequestClearance,
            Action::Delay {
                needed_by: date(2026, 1, 20),
                reason: reason(ReasonKind::Delayed, "no-answer", None),
            },
        ],
        &[
            ("listing", "completed", "listed", ""),
            (
                "clearance",
                "on-hold",
                "delayed",
                "No answer by the date needed",
            ),
        ],
    );
    check(
        vec![
            Action::List,
            Action::RequestClearance,
            Action::Clear,
            Action::Schedule {
                booking: corridor_domain::Booking {
                    date: date(2026, 1, 25),
                    crossing: corridor_domain::CrossingId::parse("rafah").unwrap(),
                },
            },
            Action::Die {
                on: date(2026, 1, 10),
            },
        ],
        &[
            ("listing", "completed", "listed", ""),
            ("clearance", "completed", "cleared", ""),
            (
                "scheduling",
                "cancelled",
                "died-while-waiting",
                "died while waiting",
            ),
        ],
    );
    check(
        vec![
            Action::List,
            Action::RequestClearance,
            Action::Clear,
            Action::Schedule {
                booking: corridor_domain::Booking {
                    date: date(2026, 1, 25),
                    crossing: corridor_domain::CrossingId::parse("rafah").unwrap(),
                },
            },
            Action::Unschedule {
                reason: reason(ReasonKind::TurnedBack, "refused-at-crossing", None),
            },
        ],
        &[
            ("listing", "completed", "listed", ""),
            ("clearance", "completed", "cleared", ""),
            ("scheduling", "failed", "cleared", "Refused at the crossing"),
        ],
    );
    check(
        vec![
            Action::List,
            Action::Withdraw {
                reason: reason(ReasonKind::Withdrawn, "chose-treatment-elsewhere", None),
            },
        ],
        &[("listing", "completed", "listed", "")],
    );
}

/// The reason leaves as a coded concept (code system of its kind, label as
/// display), and its note — free text about the person — never leaves.
#[test]
fn status_reasons_are_coded_and_notes_never_leave() {
    let note = "brother K. M. on a watch list";
    let bundle = bundle_of(&case(
        "P-8",
        Tier::Critical,
        vec![
            Action::List,
            Action::RequestClearance,
            Action::Deny {
                reason: reason(ReasonKind::Denied, "other", Some(note)),
            },
        ],
    ));
    assert_eq!(violations(&bundle), "");
    let clearance = resources(&bundle, "Task")[1];
    assert_eq!(
        clearance["statusReason"],
        serde_json::json!({
            "coding": [{
                "system": "urn:corridor:reason:denied",
                "code": "other",
                "display": "Other (see note)",
            }],
            "text": "Other (see note)",
        })
    );
    assert_eq!(
        reason_system(ReasonKind::Denied),
        "urn:corridor:reason:denied"
    );
    let written = serde_json::to_string(&bundle).unwrap();
    assert!(!written.contains("watch list"), "{written}");
    assert!(!written.contains("K. M."), "{written}");
}

/// A death or withdrawal recorded in error and reinstated no longer ends
/// the chain: the request is active and the tasks are where the person is
/// now; a place given up by the exit stays given up.
#[test]
fn a_reinstated_patient_is_waiting_again_in_the_export() {
    let booking = corridor_domain::Booking {
        date: date(2026, 1, 25),
        crossing: corridor_domain::CrossingId::parse("rafah").unwrap(),
    };
    let reinstate = || Action::Reinstate {
        reason: reason(ReasonKind::Reinstated, "wrong-person", None),
    };
    let withdrawn = case(
        "P-8",
        Tier::Urgent,
        vec![
            Action::List,
            Action::RequestClearance,
            Action::Withdraw {
                reason: reason(ReasonKind::Withdrawn, "declined-evacuation", None),
            },
            reinstate(),
        ],
    );
    let bundle = bundle_of(&withdrawn);
    assert_eq!(violations(&bundle), "");
    assert_eq!(resources(&bundle, "ServiceRequest")[0]["status"], "active");
    assert_eq!(
        tasks(&bundle),
        [
            ("listing", "completed", "listed", ""),
            ("clearance", "in-progress", "clearance-requested", ""),
        ]
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
    );
    let died = case(
        "P-9",
        Tier::Critical,
        vec![
            Action::List,
            Action::RequestClearance,
            Action::Clear,
            Action::Schedule { booking },
            Action::Die {
                on: date(2026, 1, 10),
            },
            reinstate(),
        ],
    );
    let bundle = bundle_of(&died);
    assert_eq!(violations(&bundle), "");
    assert_eq!(resources(&bundle, "ServiceRequest")[0]["status"], "active");
    assert_eq!(
        tasks(&bundle)[2],
        (
            "scheduling".to_string(),
            "cancelled".to_string(),
            "cleared".to_string(),
            "Recorded against the wrong person".to_string(),
        )
    );
}

#[test]
fn a_crossed_patient_has_a_transfer_encounter_chained_to_the_request() {
    let crossed = case(
        "P-9",
        Tier::Urgent,
        vec![
            Action::List,
            Action::RequestClearance,
            Action::Clear,
            Action::Schedule {
                booking: corridor_domain::Booking {
                    date: date(2026, 1, 6),
                    crossing: corridor_domain::CrossingId::parse("rafah").unwrap(),
                },
            },
            Action::Cross,
        ],
    );
    let bundle = bundle_of(&crossed);
    assert_eq!(violations(&bundle), "");
    let encounter = resources(&bundle, "Encounter")[0];
    assert_eq!(encounter["status"], "in-progress");
    assert_eq!(encounter["class"]["code"], "FLD");
    let request = resources(&bundle, "ServiceRequest")[0];
    assert_eq!(
        encounter["basedOn"][0]["reference"],
        format!("urn:uuid:{}", request["id"].as_str().unwrap())
    );
    let tasks = resources(&bundle, "Task");
    // Each task after the first is based on the request and the task before it.
    for pair in tasks.windows(2) {
        assert_eq!(
            pair[1]["basedOn"][1]["reference"],
            format!("urn:uuid:{}", pair[0]["id"].as_str().unwrap())
        );
    }
    let full_urls: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    let references = serde_json::to_string(&bundle).unwrap();
    for reference in references.split("\"reference\":\"").skip(1) {
        let target = &reference[..reference.find('"').unwrap()];
        assert!(
            full_urls.contains(&target),
            "{target} resolves inside the Bundle"
        );
    }
}
