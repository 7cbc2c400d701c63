//! `--dry-run` answers exactly as the real run would, because it is the
//! real run rolled back, and it writes nothing: on every database, for
//! every command that has it.

use super::support::{PatientSpec, Registry, Run, with_postgres_registry};

fn on_every_database(test: impl Fn(&Registry)) {
    test(&Registry::new());
    with_postgres_registry(|registry| test(registry));
}

/// The head of the audit chain (its length and last hash): every change
/// to the registry moves it.
fn audit_head(registry: &Registry) -> String {
    registry.ok(&["audit", "verify"])
}

/// Runs `args` with `--dry-run`, then without: both must be refused with
/// the same words, and neither may write anything.
#[track_caller]
fn refused_alike(registry: &Registry, args: &[&str]) -> Run {
    let before = audit_head(registry);
    let mut dry_args = args.to_vec();
    dry_args.push("--dry-run");
    let dry = registry.run(&dry_args);
    let real = registry.run(args).failure();
    assert_eq!(
        (dry.code, &dry.stdout, &dry.stderr),
        (real.code, &real.stdout, &real.stderr),
        "the dry run of {args:?} answered otherwise than the real run"
    );
    assert_eq!(audit_head(registry), before, "{args:?} wrote something");
    real
}

/// Runs `args` with `--dry-run`, checks that it wrote nothing and printed
/// the real run's summary with the dry run's ending, then runs it for real.
#[track_caller]
fn accepted_alike(registry: &Registry, args: &[&str]) -> Run {
    let before = audit_head(registry);
    let mut dry_args = args.to_vec();
    dry_args.push("--dry-run");
    let dry = registry.run(&dry_args).success();
    assert_eq!(
        audit_head(registry),
        before,
        "the dry run of {args:?} wrote"
    );
    let real = registry.run(args).success();
    assert_ne!(audit_head(registry), before, "{args:?} recorded nothing");
    let summary = dry
        .stdout
        .lines()
        .find_map(|line| line.strip_suffix(", and rolled back: nothing was recorded (--dry-run)."))
        .unwrap_or_else(|| panic!("no summary in the dry run:\n{}", dry.stdout));
    assert!(
        real.stdout
            .lines()
            .any(|line| line == format!("{summary}.")),
        "dry run:\n{}real run:\n{}",
        dry.stdout,
        real.stdout
    );
    real
}

#[test]
fn a_clearance_import_dry_run_refuses_a_decision_for_an_unknown_batch() {
    on_every_database(|registry| {
        registry.add_patient(&PatientSpec::default());
        let file = registry.write_file(
            "decisions.csv",
            "batch,person_id,decision,reason_code,note,decided_on\nCB-0099,P-1,cleared,,,2026-01-30\n",
        );
        refused_alike(registry, &["clearance", "import", file.to_str().unwrap()])
            .stderr_has("nothing was recorded")
            .stderr_has("P-1 is not in batch CB-0099");
    });
}

#[test]
fn a_figures_import_dry_run_refuses_a_key_and_date_already_recorded() {
    on_every_database(|registry| {
        registry.ok(&[
            "figures",
            "add",
            "--key",
            "waiting-list-total",
            "--label",
            "People waiting for medical evacuation",
            "--value",
            "20000",
            "--unit",
            "people",
            "--date",
            "2026-02-01",
            "--publisher",
            "WHO",
            "--title",
            "Medical evacuations",
            "--published",
            "2026-02-03",
        ]);
        let file = registry.file("figures.csv");
        registry.ok(&["export", "figures", "--out", file.to_str().unwrap()]);
        refused_alike(registry, &["figures", "import", file.to_str().unwrap()])
            .stderr_has("already recorded: waiting-list-total on 2026-02-01");
    });
}

#[test]
fn a_referrals_import_dry_run_answers_as_the_import_and_writes_nothing() {
    on_every_database(|registry| {
        registry.add_patient(&PatientSpec::default());
        let header = "id,role,companion_of,relationship,name,birth_year,sex,legal_basis,condition,specialty,tier,referral_date,referring_facility,return_guarantee";
        let taken = registry.write_file(
            "taken.csv",
            &format!(
                "{header}\nP-1,patient,,,,1970,female,consent,cancer,oncology,urgent,2025-12-01,al-shifa-hospital,no\n"
            ),
        );
        refused_alike(registry, &["import", "referrals", taken.to_str().unwrap()])
            .stdout_has("P-1");
        let new = registry.write_file(
            "new.csv",
            &format!(
                "{header}\nI-1,patient,,,,1970,female,consent,cancer,oncology,urgent,2025-12-01,al-shifa-hospital,no\n\
                 I-1S,companion,I-1,spouse,,1968,male,consent,,,,,,\n"
            ),
        );
        accepted_alike(registry, &["import", "referrals", new.to_str().unwrap()])
            .stdout_has("Imported 1 patients and 1 companions from");
    });
}

#[test]
fn a_consignments_import_dry_run_answers_as_the_import_and_writes_nothing() {
    on_every_database(|registry| {
        let header =
            "id,agency,category,origin,crossing,trucks,pallets,tonnes,dispatched_at,staging_at";
        let file = registry.write_file(
            "trucks.csv",
            &format!(
                "{header}\nWB-1,WFP,food,Al-Arish,kerem-shalom,10,240,180,2026-01-10 06:00,2026-01-10 12:00\n"
            ),
        );
        let file = file.to_str().unwrap();
        accepted_alike(registry, &["import", "consignments", file])
            .stdout_has("Imported 1 consignments with 2 stage events from");
        refused_alike(registry, &["import", "consignments", file])
            .stdout_has("consignment WB-1 already exists in the registry");
    });
}

#[test]
fn a_clearance_submission_dry_run_answers_as_the_submission_and_writes_nothing() {
    on_every_database(|registry| {
        registry.ok(&["demo", "--size", "300"]);
        // A person still referred cannot be submitted: not in a dry run either.
        registry.add_patient(&PatientSpec {
            id: "X-1",
            ..PatientSpec::default()
        });
        let submit = [
            "clearance",
            "submit",
            "--crossing",
            "rafah",
            "--needed-by",
            "2026-02-05",
        ];
        let mut one = submit.to_vec();
        one.extend(["--ids", "X-1"]);
        refused_alike(registry, &one)
            .stderr_has("cannot request-clearance a patient who is referred");
        let mut six = submit.to_vec();
        six.extend(["--limit", "6"]);
        let real = accepted_alike(registry, &six);
        assert!(
            real.stdout.contains(
                "Submitted batch CB-0001 for rafah outbound, needed by 2026-02-05: 6 people"
            ),
            "{}",
            real.stdout
        );
    });
}
