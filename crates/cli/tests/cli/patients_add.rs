//! `corridor patients add`.

use super::support::{PatientSpec, Registry};

const ADULT: &[&str] = &[
    "patients",
    "add",
    "--id",
    "P-100",
    "--name",
    "Amal Haddad",
    "--birth-year",
    "1961",
    "--sex",
    "male",
    "--condition",
    "cancer",
    "--specialty",
    "oncology",
    "--tier",
    "urgent",
    "--referral-date",
    "2025-11-03",
    "--referring-facility",
    "european-gaza-hospital",
    "--legal-basis",
    "consent",
];

/// `ADULT` with one flag's value replaced.
fn adult_with(flag: &str, value: &'static str) -> Vec<&'static str> {
    let mut args = ADULT.to_vec();
    let at = args.iter().position(|a| *a == flag).expect("flag in ADULT") + 1;
    args[at] = value;
    args
}

#[test]
fn registers_an_adult() {
    let registry = Registry::new();
    let out = registry.ok(ADULT);
    assert_eq!(out, "Registered patient P-100 (referred).\n");
    assert_eq!(registry.list_ids(&[]), ["P-100"]);
    let listing = registry.ok(&["patients", "list"]);
    let row = listing.lines().nth(1).unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "P-100",
            "urgent",
            "referred",
            "oncology",
            "60+",
            "2025-11-03",
            "90",
            "0"
        ]
    );
}

#[test]
fn a_child_without_a_companion_is_refused_and_nothing_is_written() {
    let registry = Registry::new();
    registry.ok(ADULT);
    let before = registry.ok(&["patients", "list"]);
    let audit_before = registry.ok(&["audit", "log"]);

    let mut child = adult_with("--birth-year", "2017");
    child[3] = "P-101";
    let run = registry.run(&child).failure();
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.starts_with(
            "error: the patient is a child (born 2017), and a child is never registered alone: add --companion relationship=parent,birth-year=YYYY,sex=female|male"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(registry.ok(&["patients", "list"]), before);
    assert_eq!(registry.ok(&["audit", "log"]), audit_before);
    registry
        .run(&["patients", "show", "P-101"])
        .failure()
        .stderr_has("no person with id P-101 is registered");
}

#[test]
fn registers_a_child_with_a_companion() {
    let registry = Registry::new();
    let out = registry.add_patient(&PatientSpec {
        id: "P-200",
        birth_year: "2019",
        specialty: "paediatrics",
        extra: &[
            "--companion",
            "relationship=parent,birth-year=1990,sex=female,name=Huda Haddad,id=C-200",
        ],
        ..PatientSpec::default()
    });
    assert_eq!(
        out,
        "Registered patient P-200 (referred) with companion(s) C-200.\n"
    );
    assert_eq!(registry.list_ids(&["--age-group", "child"]), ["P-200"]);
    assert_eq!(registry.list_ids(&["--companions"]), ["C-200"]);
    let show = registry.ok(&["patients", "show", "C-200"]);
    assert!(
        show.starts_with("C-200 — companion — Huda Haddad\n"),
        "{show}"
    );
    assert!(show.contains("accompanies P-200 (parent)"), "{show}");
}

#[test]
fn generates_ids_when_none_are_given() {
    let registry = Registry::new();
    let mut args: Vec<&str> = ADULT.to_vec();
    args.drain(2..4); // no --id
    args.extend([
        "--companion",
        "relationship=spouse,birth-year=1963,sex=female",
        "--companion",
        "relationship=child,birth-year=1990,sex=male",
    ]);
    let out = registry.ok(&args);
    // "Registered patient P-7KQ2M9XA (referred) with companion(s) C-…, C-…."
    let words: Vec<&str> = out
        .trim_end()
        .trim_end_matches('.')
        .split([' ', ','])
        .filter(|w| !w.is_empty())
        .collect();
    let generated = |id: &str, prefix: &str| {
        id.len() == 10
            && id.starts_with(prefix)
            && id[2..]
                .chars()
                .all(|c| "23456789ABCDEFGHJKLMNPQRSTUVWXYZ".contains(c))
    };
    assert!(generated(words[2], "P-"), "{out}");
    assert!(
        generated(words[6], "C-") && generated(words[7], "C-"),
        "{out}"
    );
    assert_ne!(words[6], words[7]);
    assert_eq!(registry.list_ids(&[]), [words[2]]);
    let mut companions = registry.list_ids(&["--companions"]);
    companions.sort();
    let mut expected = vec![words[6].to_string(), words[7].to_string()];
    expected.sort();
    assert_eq!(companions, expected);
}

#[test]
fn bad_values_are_refused_with_what_is_allowed() {
    let registry = Registry::new();
    let cases: &[(&str, &str, &str)] = &[
        ("--tier", "severe", "critical, urgent, routine"),
        ("--birth-year", "1850", "1900"),
        ("--birth-year", "2027", "2026"),
        ("--birth-year", "nineteen", "not a year"),
        (
            "--referral-date",
            "2026-03-01",
            "is in the future (today is 2026-02-01)",
        ),
        ("--referral-date", "03/11/2025", "use YYYY-MM-DD"),
        ("--sex", "x", "female, male, unknown"),
        ("--legal-basis", "because", "consent"),
        ("--condition", "flu", "cancer"),
        ("--id", "P 1", "--id"),
    ];
    for (flag, value, expected) in cases {
        let run = registry.run(&adult_with(flag, value)).failure();
        let first = run.stderr.lines().next().unwrap_or_default();
        // The message names the flag as it is typed, and what is allowed.
        assert!(
            first.starts_with(&format!("error: {flag}")),
            "{flag} {value}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(expected),
            "{flag} {value}: expected {expected:?} in {}",
            run.stderr
        );
    }
    assert_eq!(
        registry.ok(&["patients", "list"]),
        "No one matches these filters.\n"
    );
}

#[test]
fn a_bad_companion_is_named_by_its_position() {
    let registry = Registry::new();
    let mut args = ADULT.to_vec();
    args.extend([
        "--companion",
        "relationship=spouse,birth-year=1963,sex=female",
        "--companion",
        "relationship=cousin,birth-year=1990,sex=male",
    ]);
    registry
        .run(&args)
        .failure()
        .stderr_has("--companion number 2")
        .stderr_has("parent");
    let mut args = ADULT.to_vec();
    args.extend(["--companion", "relationship=spouse,sex=female"]);
    registry
        .run(&args)
        .failure()
        .stderr_has("birth-year= is missing");
    assert_eq!(registry.list_ids(&[]), Vec::<String>::new());
}

#[test]
fn an_id_already_registered_is_refused() {
    let registry = Registry::new();
    registry.ok(ADULT);
    registry
        .run(ADULT)
        .failure()
        .stderr_has("P-100 is already registered");
    assert_eq!(registry.list_ids(&[]), ["P-100"]);
}
