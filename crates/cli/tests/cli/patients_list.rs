//! `corridor patients list` and its filters, on a registry whose content the
//! test controls: ids come out most urgent tier first, then longest waiting.

use super::support::{PatientSpec, Registry};

/// Six patients (as of 2026-02-01):
///
/// | id | tier | born | age group | referred | days | specialty | companions |
/// | --- | --- | --- | --- | --- | --- | --- | --- |
/// | A1 | routine | 1980 | 18-59 | 2024-01-10 | 753 | oncology | 0 |
/// | A2 | critical | 1980 | 18-59 | 2025-12-01 | 62 | oncology | 0 |
/// | A3 | critical | 1975 | 18-59 | 2025-06-01 | 245 | neurosurgery | 0 |
/// | A4 | urgent | 2018 | 5-17 | 2025-01-15 | 382 | orthopaedics | C4 |
/// | A5 | urgent | 1950 | 60+ | 2026-01-20 | 12 | cardiology | 0 |
/// | A6 | routine | 2023 | 0-4 | 2025-10-01 | 123 | paediatrics | C6a, C6b |
fn six_patients() -> Registry {
    let registry = Registry::new();
    let add = |id, tier, birth_year, referred, specialty, extra| {
        registry.add_patient(&PatientSpec {
            id,
            tier,
            birth_year,
            referred,
            specialty,
            extra,
        });
    };
    add("A1", "routine", "1980", "2024-01-10", "oncology", &[]);
    add("A2", "critical", "1980", "2025-12-01", "oncology", &[]);
    add("A3", "critical", "1975", "2025-06-01", "neurosurgery", &[]);
    add(
        "A4",
        "urgent",
        "2018",
        "2025-01-15",
        "orthopaedics",
        &[
            "--companion",
            "id=C4,relationship=parent,birth-year=1990,sex=female",
        ],
    );
    add("A5", "urgent", "1950", "2026-01-20", "cardiology", &[]);
    add(
        "A6",
        "routine",
        "2023",
        "2025-10-01",
        "paediatrics",
        &[
            "--companion",
            "id=C6a,relationship=parent,birth-year=1995,sex=female",
            "--companion",
            "id=C6b,relationship=sibling,birth-year=2005,sex=male",
        ],
    );
    registry
}

#[track_caller]
fn check(registry: &Registry, args: &[&str], expected: &[&str]) {
    assert_eq!(registry.list_ids(args), expected, "patients list {args:?}");
}

#[test]
fn default_order_is_tier_then_longest_waiting() {
    let registry = six_patients();
    check(&registry, &[], &["A3", "A2", "A4", "A5", "A1", "A6"]);
    let out = registry.ok(&["patients", "list"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        [
            "ID",
            "TIER",
            "STATUS",
            "SPECIALTY",
            "AGE",
            "REFERRED",
            "DAYS",
            "WAITED",
            "COMPANIONS"
        ]
    );
    assert_eq!(
        lines[3].split_whitespace().collect::<Vec<_>>(),
        [
            "A4",
            "urgent",
            "referred",
            "orthopaedics",
            "5-17",
            "2025-01-15",
            "382",
            "1"
        ]
    );
    assert_eq!(
        lines.last().unwrap(),
        &"Rows 1–6 of 6 matching, most urgent tier first, then longest waiting."
    );
}

#[test]
fn filters() {
    let registry = six_patients();
    registry.ok(&["patients", "transition", "A2", "list"]);
    registry.ok(&[
        "patients",
        "transition",
        "A1",
        "withdraw",
        "--reason",
        "no-longer-needed",
    ]);
    // The default is everyone still waiting: A1 has withdrawn.
    check(&registry, &[], &["A3", "A2", "A4", "A5", "A6"]);
    let cases: &[(&[&str], &[&str])] = &[
        (&["--tier", "critical"], &["A3", "A2"]),
        (&["--tier", "routine,urgent"], &["A4", "A5", "A6"]),
        (&["--tier", " Critical "], &["A3", "A2"]),
        (&["--status", "listed"], &["A2"]),
        (
            &["--status", "referred,withdrawn"],
            &["A3", "A4", "A5", "A1", "A6"],
        ),
        (&["--status", "withdrawn"], &["A1"]),
        (&["--specialty", "oncology"], &["A2"]),
        (&["--specialty", "oncology,neurosurgery"], &["A3", "A2"]),
        (&["--age-group", "child"], &["A4", "A6"]),
        (&["--age-group", "0-4"], &["A6"]),
        (&["--age-group", "5-17"], &["A4"]),
        (&["--age-group", "60+"], &["A5"]),
        (&["--age-group", "18-59"], &["A3", "A2"]),
        (&["--age-group", "0-4,60+"], &["A5", "A6"]),
        (&["--waited-more-than", "365"], &["A4"]),
        (&["--waited-more-than", "200"], &["A3", "A4"]),
        (&["--waited-less-than", "30"], &["A5"]),
        (
            &["--waited-more-than", "60", "--waited-less-than", "130"],
            &["A2", "A6"],
        ),
        (&["--tier", "urgent", "--age-group", "child"], &["A4"]),
        (&["--companions"], &["C4", "C6a", "C6b"]),
        (&["--limit", "2"], &["A3", "A2"]),
        (&["--limit", "2", "--page", "2"], &["A4", "A5"]),
        (&["--limit", "2", "--page", "3"], &["A6"]),
        (&["--tier", "critical", "--specialty", "cardiology"], &[]),
    ];
    for (args, expected) in cases {
        check(&registry, args, expected);
    }
}

#[test]
fn companions_are_listed_with_their_patient() {
    let registry = six_patients();
    let out = registry.ok(&["patients", "list", "--companions"]);
    let row = out.lines().find(|l| l.starts_with("C4 ")).unwrap();
    assert!(row.ends_with("of A4"), "{out}");
    assert!(row.contains("18-59"), "{out}");
}

#[test]
fn paging_says_where_the_reader_is() {
    let registry = six_patients();
    registry
        .run(&["patients", "list", "--limit", "2", "--page", "2"])
        .success()
        .stdout_has("Rows 3–4 of 6 matching, most urgent tier first, then longest waiting. Next page: --page 3");
    let past = registry.ok(&["patients", "list", "--limit", "2", "--page", "9"]);
    assert_eq!(past, "Page 9 is past the end: 6 match (3 pages of 2).\n");
    let none = registry.ok(&[
        "patients",
        "list",
        "--tier",
        "critical",
        "--age-group",
        "child",
    ]);
    assert_eq!(none, "No one matches these filters.\n");
}

#[test]
fn bad_filters_are_refused() {
    let registry = six_patients();
    let cases: &[(&[&str], &str)] = &[
        (&["--tier", "severe"], "critical, urgent, routine"),
        (&["--status", "gone"], "referred"),
        (&["--age-group", "teen"], "or child"),
        (&["--page", "0"], "--page: pages are numbered from 1"),
        (
            &["--page", "922337203685477580"],
            "--page: 922337203685477580 is past the end of any list",
        ),
        (
            &["--limit", "0"],
            "--limit: 0 rows per page; ask for 1 to 10000",
        ),
        (&["--tier", "critical,"], "--tier has an empty value"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["patients", "list"];
        all.extend(*args);
        registry.run(&all).failure().stderr_has(expected);
    }
    registry
        .run(&["patients", "list", "--waited-more-than", "-3"])
        .usage_error();
}
