//! `corridor import referrals` and `corridor export referrals`.

use super::support::{PatientSpec, Registry};

const HEADER: &str = "id,role,companion_of,relationship,name,birth_year,sex,legal_basis,condition,specialty,tier,referral_date,referring_facility,return_guarantee";

/// Two patients, one of them a child with a parent, and a spouse.
const VALID: &str = "\
id,role,companion_of,relationship,name,birth_year,sex,legal_basis,condition,specialty,tier,referral_date,referring_facility,return_guarantee
I-1,patient,,,Amal Saleh,1970,female,consent,cancer,oncology,critical,2025-12-01,al-shifa-hospital,yes
I-2,patient,,,\"Khalil, Omar\",2016,male,vital-interest,war-injury,orthopaedics,urgent,2025-11-01,nasser-medical-complex,no
I-2P,companion,I-2,parent,Huda Khalil,1988,female,vital-interest,,,,,,
I-1S,companion,I-1,spouse,,1968,male,consent,,,,,,
";

fn everyone(registry: &Registry) -> (Vec<String>, Vec<String>) {
    (
        registry.list_ids(&["--status", "referred,listed"]),
        registry.list_ids(&["--companions", "--status", "referred,listed"]),
    )
}

#[test]
fn imports_a_valid_file_and_a_dry_run_writes_nothing() {
    let registry = Registry::new();
    let file = registry.write_file("referrals.csv", VALID);
    let file = file.to_str().unwrap();

    let dry = registry.ok(&["import", "referrals", file, "--dry-run"]);
    assert_eq!(
        dry,
        format!(
            "Imported 2 patients and 2 companions from {file}, and rolled back: nothing was recorded (--dry-run).\n"
        )
    );
    assert_eq!(everyone(&registry), (vec![], vec![]));

    let out = registry.ok(&["import", "referrals", file]);
    assert_eq!(
        out,
        format!("Imported 2 patients and 2 companions from {file}.\n")
    );
    assert_eq!(
        everyone(&registry),
        (
            vec!["I-1".to_string(), "I-2".to_string()],
            vec!["I-1S".to_string(), "I-2P".to_string()]
        )
    );
    let show = registry.ok(&["patients", "show", "I-2"]);
    assert!(show.starts_with("I-2 — patient — Khalil, Omar\n"), "{show}");
    assert!(show.contains("  companions: I-2P\n"), "{show}");
    let log = registry.ok(&["audit", "log"]);
    assert!(log.contains("person.import"), "{log}");
}

#[test]
fn a_broken_file_lists_every_bad_row_and_imports_nothing() {
    let registry = Registry::new();
    registry.add_patient(&PatientSpec {
        id: "P-1",
        ..PatientSpec::default()
    });
    let before = everyone(&registry);
    let audit_before = registry.ok(&["audit", "log"]);
    let broken = format!(
        "{HEADER}
B-1,patient,,,,1970,female,consent,cancer,oncology,severe,2025-12-01,al-shifa-hospital,
B-2,patient,,,,1970,female,consent,cancer,oncology,urgent,2026-03-01,al-shifa-hospital,
B-3,patient,,,,1850,female,consent,cancer,oncology,urgent,2025-12-01,al-shifa-hospital,
B-4,patient,,,,1970,female,consent,cancer,oncology,urgent,2025-12-01,al-shifa-hospital,
B-4,patient,,,,1971,male,consent,cancer,oncology,urgent,2025-12-01,al-shifa-hospital,
B-6,patient,,,,1970,,consent,cancer,oncology,urgent,2025-12-01,al-shifa-hospital,
B-7,patient,,,,2015,male,consent,cancer,oncology,urgent,2025-12-01,al-shifa-hospital,
B-8,companion,X-404,parent,,1985,female,consent,,,,,,
B-9,patient,,,,1990,male,consent,renal,nephrology,routine,2025-09-01,al-shifa-hospital,
"
    );
    let file = registry.write_file("broken.csv", &broken);
    let file = file.to_str().unwrap();
    for dry_run in [true, false] {
        let mut args = vec!["import", "referrals", file];
        if dry_run {
            args.push("--dry-run");
        }
        let run = registry.run(&args).failure();
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(
            lines[0],
            format!(
                "{file}: nothing was imported. 7 problem(s) on 7 line(s); fix them and run the import again:"
            ),
            "{}",
            run.stdout
        );
        let expected: &[(&str, &str)] = &[
            ("line 2, column tier: ", "critical, urgent, routine"),
            (
                "line 3, column referral_date: ",
                "2026-03-01 is in the future",
            ),
            ("line 4, column birth_year: ", "1900"),
            ("line 6, column id: ", "B-4"),
            ("line 7, column sex: ", "is required"),
            ("line 8", "child"),
            (
                "line 9, column companion_of: ",
                "X-404 is neither in the file nor in the registry",
            ),
        ];
        assert_eq!(lines.len(), 1 + expected.len(), "{}", run.stdout);
        for ((prefix, reason), line) in expected.iter().zip(&lines[1..]) {
            assert!(
                line.starts_with(&format!("  {prefix}")) && line.contains(reason),
                "expected {prefix}…{reason}, got {line:?}\n{}",
                run.stdout
            );
        }
    }
    // Nothing was imported, not even the valid rows B-1's neighbours.
    assert_eq!(everyone(&registry), before);
    assert_eq!(registry.ok(&["audit", "log"]), audit_before);
    registry.run(&["patients", "show", "B-9"]).failure();
}

#[test]
fn an_id_already_in_the_registry_is_refused_and_nothing_is_imported() {
    let registry = Registry::new();
    let file = registry.write_file("referrals.csv", VALID);
    let file = file.to_str().unwrap();
    let first_half: String = VALID.lines().take(2).map(|l| format!("{l}\n")).collect();
    let first = registry.write_file("first.csv", &first_half);
    registry.ok(&["import", "referrals", first.to_str().unwrap()]);
    let before = everyone(&registry);
    assert_eq!(before.0, ["I-1"]);

    let run = registry.run(&["import", "referrals", file]).failure();
    assert!(
        run.stdout
            .contains("  line 2, column id: id I-1 already exists in the registry"),
        "{}",
        run.stdout
    );
    assert_eq!(everyone(&registry), before);
}

#[test]
fn a_companion_may_join_a_patient_already_registered() {
    let registry = Registry::new();
    registry.add_patient(&PatientSpec {
        id: "P-1",
        ..PatientSpec::default()
    });
    let file = registry.write_file(
        "late.csv",
        &format!("{HEADER}\nC-9,companion,P-1,sibling,,1985,male,consent,,,,,,\n"),
    );
    registry.ok(&["import", "referrals", file.to_str().unwrap()]);
    assert!(
        registry
            .ok(&["patients", "show", "P-1"])
            .contains("  companions: C-9\n")
    );
}

#[test]
fn a_file_that_cannot_be_read_is_a_clear_error() {
    let registry = Registry::new();
    let missing = registry.file("missing.csv");
    registry
        .run(&["import", "referrals", missing.to_str().unwrap()])
        .failure()
        .stderr_has("error: cannot read ")
        .stderr_has("missing.csv");
    let no_header = registry.write_file("bad.csv", "id,role,colour\nP-1,patient,blue\n");
    registry
        .run(&["import", "referrals", no_header.to_str().unwrap()])
        .failure()
        .stderr_has("cannot be imported")
        .stderr_has("colour");
}

fn registry_with_people() -> Registry {
    let registry = Registry::new();
    let file = registry.write_file("referrals.csv", VALID);
    registry.ok(&["import", "referrals", file.to_str().unwrap()]);
    registry.ok(&["patients", "transition", "I-1", "list"]);
    registry
}

#[test]
fn the_default_export_is_pseudonymised() {
    let registry = registry_with_people();
    let out = registry.ok(&["export", "referrals"]);
    let header = out.lines().next().unwrap();
    let columns: Vec<&str> = header.split(',').collect();
    assert!(!columns.contains(&"name"), "{header}");
    assert!(!columns.contains(&"birth_year"), "{header}");
    assert!(columns.contains(&"birth_year_band"), "{header}");
    assert_eq!(out.lines().count(), 5, "{out}");
    // Neither names nor exact birth years (1970 is also a band's start).
    for name in ["Amal", "Khalil", "Huda", "2016", "1968", "1988"] {
        assert!(!out.contains(name), "{name} leaked:\n{out}");
    }
    assert!(
        out.contains("1970-1974") && out.contains("2015-2019"),
        "{out}"
    );
    let log = registry.ok(&["audit", "log"]);
    assert!(log.contains("person.export-pseudonymised"), "{log}");
}

#[test]
fn a_personal_export_needs_a_purpose() {
    let registry = registry_with_people();
    let run = registry
        .run(&["export", "referrals", "--include-personal"])
        .usage_error();
    assert!(run.stderr.contains("--purpose"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    registry
        .run(&["export", "referrals", "--purpose", "curiosity"])
        .failure()
        .stderr_has("--purpose is only for --include-personal exports");
    let log = registry.ok(&["audit", "log"]);
    assert!(!log.contains("export"), "{log}");

    let out = registry.ok(&[
        "export",
        "referrals",
        "--include-personal",
        "--purpose",
        "transfer to MoH registry",
    ]);
    let header = out.lines().next().unwrap();
    assert!(header.starts_with(HEADER), "{header}");
    assert!(
        out.contains("Amal Saleh") && out.contains("\"Khalil, Omar\""),
        "{out}"
    );
    let log = registry.ok(&["audit", "log"]);
    let entry = log.lines().nth(1).unwrap(); // newest first
    assert!(entry.contains("tester"), "{log}");
    assert!(entry.contains("person.export-personal"), "{log}");
    assert!(entry.contains("transfer to MoH registry"), "{log}");
}

#[test]
fn export_to_a_file() {
    let registry = registry_with_people();
    let path = registry.file("out.csv");
    let run = registry
        .run(&["export", "referrals", "--out", path.to_str().unwrap()])
        .success();
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(
        run.stderr,
        format!(
            "Exported 4 people to {} (pseudonymised: no names, birth years in five-year bands).\n",
            path.display()
        )
    );
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written, registry.ok(&["export", "referrals"]));
    let log = registry.ok(&["audit", "log"]);
    assert!(log.contains("out.csv"), "{log}");
}

#[test]
fn a_personal_export_imports_again_into_a_fresh_registry() {
    let first = registry_with_people();
    let export = |registry: &Registry, name: &str| -> String {
        let path = registry.file(name);
        registry.ok(&[
            "export",
            "referrals",
            "--include-personal",
            "--purpose",
            "round trip",
            "--out",
            path.to_str().unwrap(),
        ]);
        std::fs::read_to_string(path).unwrap()
    };
    let exported = export(&first, "full.csv");

    let second = Registry::new();
    let path = second.write_file("full.csv", &exported);
    let out = second.ok(&["import", "referrals", path.to_str().unwrap()]);
    assert!(
        out.starts_with("Ignored the columns status, clearance_attempt"),
        "{out}"
    );
    assert!(
        out.ends_with(&format!(
            "Imported 2 patients and 2 companions from {}.\n",
            path.display()
        )),
        "{out}"
    );

    // The same people, field for field; only the status starts afresh.
    let import_columns = |csv: &str| -> Vec<String> {
        let mut rows: Vec<String> = csv
            .lines()
            .map(|line| {
                // No value of these people holds a comma after the name.
                let fields: Vec<&str> = line.rsplitn(7, ',').collect();
                fields[6].to_string()
            })
            .collect();
        rows.sort();
        rows
    };
    let again = export(&second, "again.csv");
    assert_eq!(import_columns(&again), import_columns(&exported));
    assert!(again.contains("I-1,patient,,,Amal Saleh,1970,female,consent,cancer,oncology,critical,2025-12-01,al-shifa-hospital,yes,referred"), "{again}");
    assert!(exported.contains("I-1,patient,,,Amal Saleh,1970,female,consent,cancer,oncology,critical,2025-12-01,al-shifa-hospital,yes,listed"), "{exported}");
}

#[test]
fn an_export_that_cannot_be_written_is_not_recorded() {
    let registry = registry_with_people();
    let log = registry.ok(&["audit", "log"]);
    let path = registry.file("no-such-directory/out.csv");
    registry
        .run(&["export", "referrals", "--out", path.to_str().unwrap()])
        .failure()
        .stderr_has("error: cannot write in ")
        .stderr_has("no-such-directory");
    assert_eq!(registry.ok(&["audit", "log"]), log);
}
