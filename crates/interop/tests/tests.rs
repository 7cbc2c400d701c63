//! The one integration-test binary of corridor-interop; the newer modules
//! live in `tests/tests/` so that Cargo does not build each as its own binary.

#[path = "tests/aggregates.rs"]
mod aggregates;
#[path = "tests/fhir.rs"]
mod fhir;
#[path = "tests/figures.rs"]
mod figures;
#[path = "tests/formulas.rs"]
mod formulas;
#[path = "tests/sitrep.rs"]
mod sitrep;

mod referrals {
    use std::collections::HashMap;

    use corridor_domain::{
        Action, Booking, CrossingId, FacilityId, NewPerson, PersonId, Role, StatusLine,
    };
    use corridor_interop::referrals::{
        ExportMode, ReferralImport, check_against_registry, export_columns, read_referrals,
        write_referrals,
    };
    use jiff::civil::{Date, date};

    const TODAY: Date = date(2026, 2, 1);

    const HEADER: &str = "id,role,companion_of,relationship,name,birth_year,sex,legal_basis,\
                          condition,specialty,tier,referral_date,referring_facility,return_guarantee\n";

    /// An adult patient, a child patient and the child's mother.
    const VALID_ROWS: &str = "\
P-1,patient,,,Amal Haddad,1980,female,consent,cancer,oncology,critical,2025-03-01,al-shifa-medical-complex,yes
P-2,patient,,,,2015,male,vital-interest,war-injury,orthopaedics,urgent,2025-08-01,nasser-medical-complex,
C-1,companion,P-2,parent,Huda,1985,female,consent,,,,,,
,,,,,,,,,,,,,
";

    fn file(rows: &str) -> String {
        format!("{HEADER}{rows}")
    }

    fn import(input: &str) -> ReferralImport {
        match read_referrals(input.as_bytes(), TODAY, &mut |_| {}) {
            Ok(import) => import,
            Err(error) => panic!("file error: {error}"),
        }
    }

    /// The import as text: valid rows, ignored columns, references out of
    /// the file, then every error, one per line.
    fn render(import: &ReferralImport) -> String {
        let mut lines = Vec::new();
        for row in &import.rows {
            lines.push(format!(
                "ok line {}: {} {}",
                row.line,
                row.person.role(),
                row.person.id
            ));
        }
        if !import.ignored_columns.is_empty() {
            lines.push(format!("ignored: {}", import.ignored_columns.join(", ")));
        }
        for (line, id) in &import.external_references {
            lines.push(format!("external line {line}: {id}"));
        }
        for error in &import.errors {
            lines.push(error.to_string());
        }
        lines.join("\n")
    }

    fn report(input: &str) -> String {
        match read_referrals(input.as_bytes(), TODAY, &mut |_| {}) {
            Ok(import) => render(&import),
            Err(error) => format!("file error: {error}"),
        }
    }

    #[track_caller]
    fn check(input: &str, expected: &str) {
        let actual = report(input);
        let expected = expected.trim();
        assert!(
            actual == expected,
            "for the input\n{input}\nexpected\n{expected}\nbut got\n{actual}\n"
        );
    }

    #[test]
    fn a_valid_file_gives_every_person() {
        check(
            &file(VALID_ROWS),
            "
ok line 2: patient P-1
ok line 3: patient P-2
ok line 4: companion C-1
",
        );
        let import = import(&file(VALID_ROWS));
        insta::assert_debug_snapshot!(import.rows);
    }

    #[test]
    fn each_kind_of_bad_value_names_its_column_and_what_is_allowed() {
        // One bad value per row, written over a valid patient or a valid
        // companion of P-1, each row with an id of its own.
        let patient = "P-1,patient,,,Amal,1980,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,yes";
        let companion = "C-1,companion,P-1,parent,,1985,female,consent,,,,,,";
        let cases: &[(&str, usize, &str)] = &[
            (patient, 0, "P 1"),
            (patient, 0, ""),
            (patient, 1, "visitor"),
            (patient, 4, "Amal\u{7}"),
            (patient, 5, "19x0"),
            (patient, 5, "1899"),
            (patient, 5, "2027"),
            (patient, 6, "f"),
            (patient, 7, "because"),
            (patient, 8, "flu"),
            (patient, 9, "dentistry"),
            (patient, 10, "x"),
            (patient, 10, ""),
            (patient, 11, "01/03/2025"),
            (patient, 11, "2026-02-02"),
            (patient, 12, ""),
            (patient, 13, "maybe"),
            (patient, 2, "P-9"),
            (patient, 3, "parent"),
            (companion, 2, ""),
            (companion, 2, "P 1"),
            (companion, 3, "cousin"),
            (companion, 3, ""),
            (companion, 10, "urgent"),
            (companion, 13, "no"),
        ];
        let mut rows = format!("{patient}\n");
        for (number, (template, index, value)) in cases.iter().enumerate() {
            let id = format!("R-{number}");
            let mut fields: Vec<&str> = template.split(',').collect();
            fields[0] = &id;
            fields[*index] = value;
            rows.push_str(&fields.join(","));
            rows.push('\n');
        }
        insta::assert_snapshot!(report(&file(&rows)));
    }

    #[test]
    fn return_guarantee_accepts_yes_no_true_false_1_0_and_empty() {
        let mut rows = String::new();
        for (number, value) in ["yes", "No", "TRUE", "false", "1", "0", ""]
            .iter()
            .enumerate()
        {
            rows.push_str(&format!(
                "P-{number},patient,,,,1980,male,consent,renal,nephrology,routine,2025-01-01,Al-Awda,{value}\n"
            ));
        }
        let guarantees: Vec<bool> = import(&file(&rows))
            .rows
            .iter()
            .filter_map(|row| {
                row.person
                    .referral()
                    .map(|referral| referral.return_guarantee)
            })
            .collect();
        assert_eq!(guarantees, [true, false, true, false, true, false, false]);
    }

    #[test]
    fn header_problems_stop_the_whole_file() {
        let cases: &[(&str, &str)] = &[
            (
                "id,role,name,sex,legal_basis,colour\nP-1,patient,,female,consent,red\n",
                "file error: the header is not as expected: missing columns: companion_of, \
                 relationship, birth_year, condition, specialty, tier, referral_date, \
                 referring_facility; unknown columns: 'colour'. Expected columns: id, role, \
                 companion_of, relationship, name, birth_year, sex, legal_basis, condition, \
                 specialty, tier, referral_date, referring_facility, return_guarantee (name and \
                 return_guarantee may be left out; the export columns status, clearance_attempt, \
                 booking_date, booking_crossing, admitted_to, died_on are ignored)",
            ),
            (
                "id,role,companion_of,relationship,birth_year,sex,legal_basis,condition,specialty,\
                 tier,referral_date,referring_facility,tier,\n",
                "file error: the header is not as expected: unknown columns: ''; repeated \
                 columns: tier. Expected columns: id, role, companion_of, relationship, name, \
                 birth_year, sex, legal_basis, condition, specialty, tier, referral_date, \
                 referring_facility, return_guarantee (name and return_guarantee may be left \
                 out; the export columns status, clearance_attempt, booking_date, \
                 booking_crossing, admitted_to, died_on are ignored)",
            ),
            (
                "",
                "file error: the file is empty (no rows); expected a header row naming the \
                 columns: id, role, companion_of, relationship, name, birth_year, sex, \
                 legal_basis, condition, specialty, tier, referral_date, referring_facility, \
                 return_guarantee",
            ),
            (HEADER, "file error: the file has a header but no rows"),
            (
                &format!("{HEADER},,,,,,,,,,,,,\n \n"),
                "file error: the file has a header but no rows",
            ),
            (
                "id,role,companion_of,relationship,birth_year_band,sex\n",
                "file error: this is a pseudonymised export (it has birth_year_band instead of \
                 birth_year), which cannot be imported; use a personal export",
            ),
        ];
        for (input, expected) in cases {
            check(input, expected);
        }
    }

    #[test]
    fn columns_come_in_any_order_and_name_and_return_guarantee_may_be_left_out() {
        check(
            "\u{feff} Tier ,ID,Role,Birth_Year,sex,legal_basis,condition,specialty,referral_date,\
             referring_facility,relationship,COMPANION_OF\n\
             critical,P-1,patient,1980,female,consent,cancer,oncology,2025-03-01,Al-Shifa,,\n\
             ,C-1,companion,1985,male,consent,,,,,spouse,P-1\n",
            "
ok line 2: patient P-1
ok line 3: companion C-1
",
        );
    }

    #[test]
    fn export_columns_are_accepted_and_ignored() {
        check(
            "id,role,companion_of,relationship,birth_year,sex,legal_basis,condition,specialty,\
             tier,referral_date,referring_facility,status,died_on\n\
             P-1,patient,,,1980,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,listed,\n",
            "
ok line 2: patient P-1
ignored: status, died_on
",
        );
    }

    #[test]
    fn every_duplicate_id_names_the_first_line() {
        check(
            &file(
                "\
P-1,patient,,,,1980,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
P-2,patient,,,,1981,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
P-1,patient,,,,1982,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
P-1,patient,,,,1983,female,consent,cancer,oncology,urgentish,2025-03-01,Al-Shifa,
",
            ),
            "
ok line 2: patient P-1
ok line 3: patient P-2
ok line 4: patient P-1
line 4, column id: id P-1 is already on line 2
line 5, column tier: unknown value 'urgentish'; expected one of: critical, urgent, routine
line 5, column id: id P-1 is already on line 2
",
        );
    }

    #[test]
    fn a_child_patient_needs_a_companion_in_the_file() {
        check(
            &file(
                "\
P-1,patient,,,,2015,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
P-2,patient,,,,2008,male,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
P-3,patient,,,,2012,male,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
C-3,companion,P-3,sibling,,2000,male,consent,,,,,,
P-4,patient,,,,2020,male,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
C-4,companion,P-4,parent,,1990,female,unsure,,,,,,
",
            ),
            // P-2 is 18 in 2026; P-4's companion has a bad value, so P-4 is
            // not reported as alone.
            "
ok line 2: patient P-1
ok line 3: patient P-2
ok line 4: patient P-3
ok line 5: companion C-3
ok line 6: patient P-4
line 2: P-1 is a child and has no companion in the file; add a companion row with companion_of P-1
line 7, column legal_basis: unknown value 'unsure'; expected one of: consent, vital-interest, public-interest, legitimate-interest, legal-obligation
",
        );
    }

    #[test]
    fn a_companion_accompanies_a_patient_not_a_companion() {
        check(
            &file(
                "\
P-1,patient,,,,1970,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
C-1,companion,P-1,spouse,,1970,male,consent,,,,,,
C-2,companion,C-1,child,,2000,male,consent,,,,,,
C-3,companion,C-3,child,,2000,male,consent,,,,,,
C-4,companion,P-77,child,,2000,male,consent,,,,,,
",
            ),
            "
ok line 2: patient P-1
ok line 3: companion C-1
ok line 4: companion C-2
ok line 5: companion C-3
ok line 6: companion C-4
external line 6: P-77
line 4, column companion_of: C-1 on line 3 is a companion; companion_of must name a patient
line 5, column companion_of: C-3 on line 5 is a companion; companion_of must name a patient
",
        );
    }

    #[test]
    fn malformed_rows_are_reported_and_reading_goes_on() {
        let mut input = file(
            "\
P-1,patient,,,,1980,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa
P-2,patient,,,,1980,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,,extra
",
        )
        .into_bytes();
        input.extend_from_slice(
            b"P-3,patient,,,Am\xE1l,1980,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,\n",
        );
        input.extend_from_slice(
            b"P-4,patient,,,,1980,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,\n",
        );
        let import = match read_referrals(input.as_slice(), TODAY, &mut |_| {}) {
            Ok(import) => import,
            Err(error) => panic!("file error: {error}"),
        };
        assert_eq!(
            render(&import),
            "\
ok line 5: patient P-4
line 2: has 13 fields but the header has 14
line 3: has 15 fields but the header has 14
line 4, column name: is not valid UTF-8; save the file as UTF-8"
        );
    }

    #[test]
    fn quoted_line_breaks_keep_line_numbers_physical() {
        check(
            &file(
                "\
P-1,patient,,,\"Amal
Haddad\",1980,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
P-2,patient,,,,1980,female,consent,cancer,oncology,critical,2025-03-01,\"Al-Shifa
\",
P-3,patient,,,,1980,female,consent,cancer,oncology,critical,2099-03-01,Al-Shifa,
",
            ),
            "
ok line 4: patient P-2
line 2, column name: contains a control character
line 6, column referral_date: 2099-03-01 is in the future (today is 2026-02-01)
",
        );
    }

    #[test]
    fn a_file_with_several_errors_reports_all_of_them() {
        check(
            &file(
                "\
P-1,patient,,,,1980,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
P-2,patient,P-1,parent,,3000,,consent,,oncology,critical,2025-03-01,Al-Shifa,
C-2,companion,,,,1980,female,consent,cancer,,,,,
P-1,patient,,,,1980,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
P-5,patient
P-6,patient,,,,2016,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
",
            ),
            "
ok line 2: patient P-1
ok line 5: patient P-1
ok line 7: patient P-6
line 3, column companion_of: must be empty for a patient; found 'P-1'
line 3, column relationship: must be empty for a patient; found 'parent'
line 3, column birth_year: 3000 is out of range; expected 1900 to 2026
line 3, column sex: is required
line 3, column condition: is required for a patient
line 4, column companion_of: is required for a companion
line 4, column relationship: is required for a companion
line 4, column condition: must be empty for a companion; found 'cancer'
line 5, column id: id P-1 is already on line 2
line 6: has 2 fields but the header has 14
line 7: P-6 is a child and has no companion in the file; add a companion row with companion_of P-6
",
        );
    }

    #[test]
    fn the_registry_check_finds_known_ids_and_bad_references() {
        let mut import = import(&file(
            "\
P-1,patient,,,,1980,female,consent,cancer,oncology,critical,2025-03-01,Al-Shifa,
P-2,patient,,,,1980,female,consent,cancer,oncology,urgentish,2025-03-01,Al-Shifa,
C-1,companion,P-10,parent,,1980,female,consent,,,,,,
C-2,companion,C-10,parent,,1980,female,consent,,,,,,
C-3,companion,X-1,parent,,1980,female,consent,,,,,,
C-4,companion,P-1,parent,,1980,female,consent,,,,,,
P-3,patient,,,,1980,female,consent,cancer,oncology,critical,2025-03-01,Al-Awda,
",
        ));
        let existing: HashMap<PersonId, Role> = [
            ("P-1", Role::Patient),
            ("P-2", Role::Patient),
            ("P-10", Role::Patient),
            ("C-10", Role::Companion),
        ]
        .into_iter()
        .map(|(id, role)| (PersonId::parse(id).unwrap(), role))
        .collect();
        let organisations = [corridor_domain::OrganisationId::parse("id", "Al-Shifa").unwrap()]
            .into_iter()
            .collect();
        check_against_registry(&mut import, &existing, &organisations);
        insta::assert_snapshot!(render(&import), @r"
        ok line 2: patient P-1
        ok line 4: companion C-1
        ok line 5: companion C-2
        ok line 6: companion C-3
        ok line 7: companion C-4
        ok line 8: patient P-3
        external line 4: P-10
        external line 5: C-10
        external line 6: X-1
        line 2, column id: id P-1 already exists in the registry
        line 3, column tier: unknown value 'urgentish'; expected one of: critical, urgent, routine
        line 3, column id: id P-2 already exists in the registry
        line 5, column companion_of: C-10 is a companion in the registry; companion_of must name a patient
        line 6, column companion_of: X-1 is neither in the file nor in the registry
        line 8, column referring_facility: no organisation 'Al-Awda' is registered; use the id of one in the list of organisations (`corridor organisations list`)
        ");
    }

    #[test]
    fn progress_reports_bytes_read_up_to_the_end() {
        let mut rows = String::new();
        for number in 0..10_000 {
            rows.push_str(&format!(
                "P-{number},patient,,,,1980,male,consent,renal,nephrology,routine,2025-01-01,Al-Awda,\n"
            ));
        }
        let input = file(&rows);
        let mut reported = Vec::new();
        let import =
            match read_referrals(input.as_bytes(), TODAY, &mut |bytes| reported.push(bytes)) {
                Ok(import) => import,
                Err(error) => panic!("file error: {error}"),
            };
        assert_eq!(import.rows.len(), 10_000);
        assert!(import.errors.is_empty());
        assert_eq!(reported.len(), 3, "{reported:?}");
        assert!(reported.is_sorted());
        assert_eq!(reported.last().copied(), Some(input.len() as u64));
    }

    fn export(people: &[NewPerson], statuses: &[StatusLine], mode: ExportMode) -> String {
        let mut output = Vec::new();
        let written = match write_referrals(&mut output, people.iter().zip(statuses), mode) {
            Ok(written) => written,
            Err(error) => panic!("{error}"),
        };
        assert_eq!(written, people.len() as u64);
        match String::from_utf8(output) {
            Ok(text) => text,
            Err(error) => panic!("{error}"),
        }
    }

    fn valid_people() -> Vec<NewPerson> {
        import(&file(VALID_ROWS))
            .rows
            .into_iter()
            .map(|row| row.person)
            .collect()
    }

    /// The status lines of [`valid_people`]: P-1 scheduled for a crossing.
    fn statuses(people: &[NewPerson]) -> Vec<StatusLine> {
        people
            .iter()
            .map(|person| {
                let line = StatusLine::new(person.role());
                if person.id.as_str() != "P-1" {
                    return line;
                }
                let booking = Booking {
                    date: date(2026, 2, 10),
                    crossing: crossing("rafah"),
                };
                [
                    Action::List,
                    Action::RequestClearance,
                    Action::Clear,
                    Action::Schedule { booking },
                ]
                .iter()
                .fold(line, |line, action| {
                    match line.apply(person.role(), action) {
                        Ok(next) => next,
                        Err(error) => panic!("{error}"),
                    }
                })
            })
            .collect()
    }

    fn crossing(text: &str) -> CrossingId {
        match CrossingId::parse(text) {
            Ok(id) => id,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn export_headers_are_pinned() {
        assert_eq!(
            export_columns(ExportMode::Personal).join(","),
            "id,role,companion_of,relationship,name,birth_year,sex,legal_basis,condition,\
             specialty,tier,referral_date,referring_facility,return_guarantee,status,\
             clearance_attempt,booking_date,booking_crossing,admitted_to,died_on"
        );
        assert_eq!(
            export_columns(ExportMode::Pseudonymised).join(","),
            "id,role,companion_of,relationship,birth_year_band,sex,legal_basis,condition,\
             specialty,tier,referral_date,referring_facility,return_guarantee,status,\
             clearance_attempt,booking_date,booking_crossing,admitted_to,died_on"
        );
        assert_eq!(ExportMode::default(), ExportMode::Pseudonymised);
    }

    #[test]
    fn personal_export() {
        let people = valid_people();
        insta::assert_snapshot!(export(&people, &statuses(&people), ExportMode::Personal), @r#"
        id,role,companion_of,relationship,name,birth_year,sex,legal_basis,condition,specialty,tier,referral_date,referring_facility,return_guarantee,status,clearance_attempt,booking_date,booking_crossing,admitted_to,died_on
        P-1,patient,,,Amal Haddad,1980,female,consent,cancer,oncology,critical,2025-03-01,al-shifa-medical-complex,yes,scheduled,1,2026-02-10,rafah,,
        P-2,patient,,,,2015,male,vital-interest,war-injury,orthopaedics,urgent,2025-08-01,nasser-medical-complex,no,referred,0,,,,
        C-1,companion,P-2,parent,Huda,1985,female,consent,,,,,,,listed,0,,,,
        "#);
    }

    #[test]
    fn a_personal_export_imports_again_into_an_empty_registry() {
        let people = valid_people();
        let exported = export(&people, &statuses(&people), ExportMode::Personal);
        let mut again = import(&exported);
        let organisations = ["al-shifa-medical-complex", "nasser-medical-complex"]
            .into_iter()
            .map(|id| corridor_domain::OrganisationId::parse("id", id).unwrap())
            .collect();
        check_against_registry(&mut again, &HashMap::new(), &organisations);
        assert!(again.is_valid(), "{}", render(&again));
        assert_eq!(again.ignored_columns.len(), 6);
        let people_again: Vec<NewPerson> = again.rows.into_iter().map(|row| row.person).collect();
        assert_eq!(people_again, people);
    }

    #[test]
    fn a_pseudonymised_export_has_no_name_and_no_exact_birth_year() {
        let people = valid_people();
        let exported = export(&people, &statuses(&people), ExportMode::Pseudonymised);
        for name in ["Amal", "Haddad", "Huda"] {
            assert!(!exported.contains(name), "{name} in\n{exported}");
        }
        let mut reader = csv::Reader::from_reader(exported.as_bytes());
        let header = reader.headers().unwrap().clone();
        assert!(
            !header
                .iter()
                .any(|column| column == "name" || column == "birth_year")
        );
        let band_index = header
            .iter()
            .position(|column| column == "birth_year_band")
            .unwrap();
        for record in reader.records() {
            let band = record.unwrap()[band_index].to_string();
            let (start, end) = band.split_once('-').unwrap();
            let (start, end): (i16, i16) = (start.parse().unwrap(), end.parse().unwrap());
            assert!(start % 5 == 0 && end == start + 4, "{band}");
        }
        insta::assert_snapshot!(exported, @r#"
        id,role,companion_of,relationship,birth_year_band,sex,legal_basis,condition,specialty,tier,referral_date,referring_facility,return_guarantee,status,clearance_attempt,booking_date,booking_crossing,admitted_to,died_on
        P-1,patient,,,1980-1984,female,consent,cancer,oncology,critical,2025-03-01,al-shifa-medical-complex,yes,scheduled,1,2026-02-10,rafah,,
        P-2,patient,,,2015-2019,male,vital-interest,war-injury,orthopaedics,urgent,2025-08-01,nasser-medical-complex,no,referred,0,,,,
        C-1,companion,P-2,parent,1985-1989,female,consent,,,,,,,listed,0,,,,
        "#);
        check(
            &exported,
            "file error: this is a pseudonymised export (it has birth_year_band instead of \
             birth_year), which cannot be imported; use a personal export",
        );
    }

    #[test]
    fn status_columns_of_an_export_show_admission_and_death() {
        let people = valid_people();
        let mut lines = statuses(&people);
        let facility = FacilityId::parse("cairo-1").unwrap();
        lines[0] = lines[0].apply(Role::Patient, &Action::Cross).unwrap();
        lines[0] = lines[0]
            .apply(Role::Patient, &Action::Admit { facility })
            .unwrap();
        let died = Action::Die {
            on: date(2026, 1, 20),
        };
        lines[1] = lines[1].apply(Role::Patient, &died).unwrap();
        insta::assert_snapshot!(export(&people, &lines, ExportMode::Pseudonymised), @r#"
        id,role,companion_of,relationship,birth_year_band,sex,legal_basis,condition,specialty,tier,referral_date,referring_facility,return_guarantee,status,clearance_attempt,booking_date,booking_crossing,admitted_to,died_on
        P-1,patient,,,1980-1984,female,consent,cancer,oncology,critical,2025-03-01,al-shifa-medical-complex,yes,admitted,1,2026-02-10,rafah,cairo-1,
        P-2,patient,,,2015-2019,male,vital-interest,war-injury,orthopaedics,urgent,2025-08-01,nasser-medical-complex,no,died-while-waiting,0,,,,2026-01-20
        C-1,companion,P-2,parent,1985-1989,female,consent,,,,,,,listed,0,,,,
        "#);
    }

    mod round_trip {
        use super::*;
        use corridor_domain::{
            BirthYear, ConditionCategory, LegalBasis, PersonKind, PersonName, Referral,
            ReferralDate, Relationship, Sex, Specialty, Tier,
        };
        use proptest::prelude::*;
        use proptest::sample::select;

        /// Free text as people type it: commas, quotes, non-ASCII letters.
        fn free_text() -> impl Strategy<Value = String> {
            "[a-zA-Z0-9 ,\"'éءب-ي-]{1,40}".prop_filter("not blank", |text| !text.trim().is_empty())
        }

        fn referral() -> impl Strategy<Value = Referral> {
            (
                select(ConditionCategory::ALL),
                select(Specialty::ALL),
                select(Tier::ALL),
                0..700i64,
                "[a-zA-Z0-9._-]{1,32}",
                any::<bool>(),
            )
                .prop_map(
                    |(condition, specialty, tier, days_ago, facility, guarantee)| Referral {
                        condition,
                        specialty,
                        tier,
                        referral_date: ReferralDate::new(
                            TODAY.checked_sub(jiff::Span::new().days(days_ago)).unwrap(),
                            TODAY,
                        )
                        .unwrap(),
                        referring_facility: corridor_domain::OrganisationId::parse(
                            "referring_facility",
                            &facility,
                        )
                        .unwrap(),
                        return_guarantee: guarantee,
                    },
                )
        }

        /// Name, birth year, sex, legal basis and, for a companion, relationship.
        fn person() -> impl Strategy<Value = (Option<String>, i16, Sex, LegalBasis, Relationship)> {
            (
                proptest::option::of(free_text()),
                1900..=2026i16,
                select(Sex::ALL),
                select(LegalBasis::ALL),
                select(Relationship::ALL),
            )
        }

        /// Adult patients, each with zero to two companions.
        fn batch() -> impl Strategy<Value = Vec<NewPerson>> {
            let family = (referral(), 1900..=2008i16, person(), 0..=2usize);
            proptest::collection::vec((family, proptest::collection::vec(person(), 2)), 1..20)
                .prop_map(|families| {
                    let mut people = Vec::new();
                    for (number, ((referral, year, patient, companions), others)) in
                        families.into_iter().enumerate()
                    {
                        let id = PersonId::parse(&format!("P-{number}")).unwrap();
                        let (name, _, sex, legal_basis, _) = patient;
                        people.push(NewPerson {
                            id: id.clone(),
                            name: name.map(|name: String| PersonName::parse(&name).unwrap()),
                            birth_year: BirthYear::new(year, TODAY).unwrap(),
                            sex,
                            legal_basis,
                            kind: PersonKind::Patient(referral),
                        });
                        for (index, (name, year, sex, legal_basis, relationship)) in
                            others.into_iter().take(companions).enumerate()
                        {
                            people.push(NewPerson {
                                id: PersonId::parse(&format!("C-{number}.{index}")).unwrap(),
                                name: name.map(|name: String| PersonName::parse(&name).unwrap()),
                                birth_year: BirthYear::new(year, TODAY).unwrap(),
                                sex,
                                legal_basis,
                                kind: PersonKind::Companion {
                                    of: id.clone(),
                                    relationship,
                                },
                            });
                        }
                    }
                    people
                })
        }

        proptest! {
            #[test]
            fn a_personal_export_imports_as_the_same_people(people in batch()) {
                let lines: Vec<StatusLine> =
                    people.iter().map(|person| StatusLine::new(person.role())).collect();
                let exported = export(&people, &lines, ExportMode::Personal);
                let again = import(&exported);
                prop_assert!(again.is_valid(), "{}", render(&again));
                let people_again: Vec<NewPerson> =
                    again.rows.into_iter().map(|row| row.person).collect();
                prop_assert_eq!(people_again, people);
            }
        }
    }
}

mod consignments {
    use std::collections::HashSet;

    use corridor_domain::{ConsignmentId, Stage};
    use corridor_interop::consignments::{
        COLUMNS, check_against_registry, read_consignments, write_consignments,
    };
    use jiff::Timestamp;

    const HEADER: &str = "id,agency,category,origin,crossing,trucks,pallets,tonnes,dispatched_at,\
                          staging_at,checkpoint_at,inspection_at,cleared_at,rejected_at,rejection_reason,rejected_items\n";

    fn now() -> Timestamp {
        "2026-02-01T12:00:00Z".parse().unwrap()
    }

    /// The import as text: each valid row's id and stage, then every error.
    fn report(input: &str) -> String {
        match read_consignments(input.as_bytes(), now(), "tester", &mut |_| {}) {
            Ok(import) => {
                let mut lines: Vec<String> = import
                    .rows
                    .iter()
                    .map(|row| {
                        format!(
                            "ok line {}: {} {} v{}",
                            row.line,
                            row.case.consignment.id,
                            row.case.line.stage,
                            row.case.line.version
                        )
                    })
                    .collect();
                lines.extend(import.errors.iter().map(ToString::to_string));
                lines.join("\n")
            }
            Err(error) => format!("file error: {error}"),
        }
    }

    #[track_caller]
    fn check(input: &str, expected: &str) {
        let actual = report(input);
        let expected = expected.trim();
        assert!(
            actual == expected,
            "for the input\n{input}\nexpected\n{expected}\nbut got\n{actual}\n"
        );
    }

    #[test]
    fn a_valid_file_builds_each_history() {
        check(
            &format!(
                "{HEADER}\
WB-1,WFP,food,Al-Arish,kerem-shalom,10,240,180,2026-01-10 06:00,2026-01-10 12:00,2026-01-11T00:00:00Z,2026-01-11 02:00,2026-01-11 06:00,,,
WB-2,UNICEF,Medical,Cairo,kerem-shalom,4,80,20.5,2026-01-10T08:00,2026-01-10 09:00,2026-01-10 10:00,2026-01-10 11:00,,2026-01-11 11:00,dual-use items,\"generators, pumps\"
WB-3,WHO,wash,Cairo,rafah,1,0,0.125,2026-01-12 08:00,,,,,,,
,,,,,,,,,,,,,,,
"
            ),
            "
ok line 2: WB-1 cleared v5
ok line 3: WB-2 rejected v5
ok line 4: WB-3 dispatched v1",
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_line_and_column() {
        check(
            &format!(
                "{HEADER}\
WB-1,WFP,cereal,Al-Arish,kerem-shalom,0,240,18.12345,2026-01-10 06:00,,,,,,,
WB-2,WFP,food,Al-Arish,kerem shalom,5,x,18,tomorrow,,,,,,,
WB-3,WFP,food,Al-Arish,kerem-shalom,5,100,90,2026-01-10 06:00,2026-01-10 05:00,,,,,,
WB-4,WFP,food,Al-Arish,kerem-shalom,5,100,90,2026-01-10 06:00,2026-01-10 07:00,,2026-01-10 09:00,,,,
WB-5,WFP,food,Al-Arish,kerem-shalom,5,100,90,2026-01-10 06:00,2026-01-10 07:00,2026-01-10 08:00,2026-01-10 09:00,2026-01-10 10:00,2026-01-10 11:00,dual-use items,
WB-6,WFP,food,Al-Arish,kerem-shalom,5,100,90,2026-01-10 06:00,2026-01-10 07:00,2026-01-10 08:00,2026-01-10 09:00,,,dual-use items,
WB-1,,food,Al-Arish,kerem-shalom,5,100,90,2026-03-10 06:00,,,,,,,
WB-8,WFP,food
"
            ),
            "
line 2, column category: unknown value 'cereal'; expected one of: food, medical, shelter, wash, fuel, other
line 2, column trucks: is 0; a consignment travels on 1 to 1000 trucks
line 2, column tonnes: '18.12345' is not a weight in tonnes; write e.g. 18 or 17.5 (up to three decimals)
line 3, column crossing: 'kerem shalom' contains ' '; use letters, digits, '-', '_' or '.'
line 3, column pallets: 'x' is not a whole number
line 3, column dispatched_at: 'tomorrow' is not a time; write it in UTC as 2026-01-15T08:30:00Z or 2026-01-15 08:30
line 4, column staging_at: the change to staging is dated 2026-01-10T05:00:00Z, before the consignment entered dispatched at 2026-01-10T06:00:00Z; stage changes are recorded in order
line 5, column inspection_at: cannot move a consignment that is at staging to inspection; allowed: checkpoint, returned
line 6, column rejected_at: cannot move a consignment that is at cleared to rejected; allowed: unloaded
line 7, column rejection_reason: is given but rejected_at is empty; give the time of rejected too
line 8, column id: id WB-1 is already on line 2
line 8, column agency: is required
line 8, column dispatched_at: 2026-03-10T06:00:00Z is in the future; stage times are recorded when they happen
line 9: has 3 fields but the header has 16",
        );
    }

    #[test]
    fn header_problems_end_the_reading() {
        check(
            "id,agency,category,colour\nWB-1,WFP,food,red\n",
            "file error: the header is not as expected: missing columns: origin, crossing, trucks, pallets, tonnes, dispatched_at. \
             unknown columns: colour. Required columns: id, agency, category, origin, crossing, trucks, pallets, tonnes, dispatched_at; \
             optional: the other columns of the format (staging_at, checkpoint_at, inspection_at, cleared_at, rejected_at, rejection_reason, \
             rejected_items, unloaded_at, reloaded_at, reloaded_trucks, crossed_at, collected_at, collected_tonnes, delivered_at, \
             delivered_tonnes, intercepted_at, interception_reason, returned_at, return_reason)",
        );
        check(HEADER, "file error: the file has a header but no rows");
    }

    #[test]
    fn registered_ids_are_reported_and_exports_round_trip() {
        let file = format!(
            "{}\n\
WB-1,WFP,food,Al-Arish,kerem-shalom,10,240,180,2026-01-10T06:00:00Z,2026-01-10T12:00:00Z,2026-01-11T00:00:00Z,2026-01-11T02:00:00Z,2026-01-11T06:00:00Z,,,,2026-01-11T08:00:00Z,2026-01-11T10:00:00Z,6,2026-01-11T11:00:00Z,2026-01-11T15:00:00Z,176.5,2026-01-11T20:00:00Z,,,,,\n\
WB-2,UNICEF,medical,Cairo,kerem-shalom,4,80,20.5,2026-01-10T08:00:00Z,2026-01-10T09:00:00Z,2026-01-10T10:00:00Z,2026-01-10T11:00:00Z,,2026-01-11T11:00:00Z,dual-use items,generators,,,,,,,,,,,2026-01-11T13:00:00Z,rejected at inspection\n\
WB-3,WFP,food,Al-Arish,rafah,3,60,45,2026-01-12T06:00:00Z,2026-01-12T12:00:00Z,2026-01-13T00:00:00Z,2026-01-13T02:00:00Z,2026-01-13T06:00:00Z,,,,2026-01-13T08:00:00Z,2026-01-13T10:00:00Z,,2026-01-13T11:00:00Z,2026-01-13T15:00:00Z,,,,2026-01-13T20:00:00Z,looted in transit,,\n",
            COLUMNS.join(",")
        );
        let mut import = read_consignments(file.as_bytes(), now(), "tester", &mut |_| {}).unwrap();
        assert!(import.is_valid(), "{:?}", import.errors);
        let stages: Vec<Stage> = import.rows.iter().map(|row| row.case.line.stage).collect();
        assert_eq!(
            stages,
            [Stage::Delivered, Stage::Returned, Stage::Intercepted]
        );
        assert_eq!(import.rows[0].case.line.load.trucks, 6);

        let mut exported = Vec::new();
        let written = write_consignments(
            &mut exported,
            import
                .rows
                .iter()
                .map(|row| (&row.case.consignment, row.case.events.as_slice())),
        )
        .unwrap();
        assert_eq!(written, 3);
        assert_eq!(String::from_utf8(exported).unwrap(), file);

        let registered: HashSet<ConsignmentId> = [ConsignmentId::parse("WB-2").unwrap()].into();
        check_against_registry(&mut import, &registered);
        let errors: Vec<String> = import.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            ["line 3, column id: consignment WB-2 already exists in the registry"]
        );
    }
}
