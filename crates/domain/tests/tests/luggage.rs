//! Luggage rule sets, declarations and the check of one against the other.

use corridor_domain::{
    CashAmount, CashLimit, CrossingId, CurrencyCode, DeclarationField, DeclaredItem, ItemCategory,
    LuggageDeclaration, LuggageFields, LuggageRuleSet, RuleKind, Text, check_luggage,
    check_luggage_versions, format_weight_grams, parse_weight_grams, rule_set_in_force,
};
use jiff::civil::{Date, date};
use proptest::prelude::*;

fn crossing(id: &str) -> CrossingId {
    CrossingId::parse(id).unwrap()
}

fn source() -> Text {
    Text::parse("source", "crossing authority announcement", 200).unwrap()
}

fn currency(code: &str) -> CurrencyCode {
    CurrencyCode::parse(code).unwrap()
}

fn rule_set(id: &str, version: u32, from: Date, to: Option<Date>) -> LuggageRuleSet {
    LuggageRuleSet::new(crossing(id), version, from, to, source()).unwrap()
}

/// The rules reported for Rafah since February 2026.
fn rafah_v1() -> LuggageRuleSet {
    rule_set("rafah", 1, date(2026, 2, 2), None)
        .with_max_pieces(1)
        .forbidding(&[
            ItemCategory::Liquids,
            ItemCategory::Metal,
            ItemCategory::Electronics,
            ItemCategory::Cigarettes,
        ])
        .with_max_cash(CashLimit {
            currency: currency("ILS"),
            amount: 2000,
        })
}

fn item(text: &str) -> DeclaredItem {
    DeclaredItem::parse(text).unwrap()
}

fn cash(text: &str) -> CashAmount {
    CashAmount::parse(text).unwrap()
}

/// The violations of a declaration, as a person at the gate reads them.
fn messages(rules: &LuggageRuleSet, declaration: &LuggageDeclaration) -> Vec<String> {
    check_luggage(rules, declaration)
        .iter()
        .map(ToString::to_string)
        .collect()
}

mod parsing {
    use super::*;

    fn declared(fields: LuggageFields<'_>) -> Result<LuggageDeclaration, String> {
        LuggageDeclaration::parse(&fields).map_err(|error| error.to_string())
    }

    #[test]
    fn a_declaration_is_read_from_its_typed_fields() {
        let declaration = declared(LuggageFields {
            pieces: " 2 ",
            weight: "14",
            items: vec!["3x clothing", "", "electronics:phone"],
            medication_days: "30",
            cash: vec!["900 ILS", "  "],
        })
        .unwrap();
        assert_eq!(
            declaration,
            LuggageDeclaration {
                pieces: 2,
                weight_grams: 14_000,
                items: vec![item("3x clothing"), item("electronics:phone")],
                medication_days: 30,
                cash: vec![cash("900 ILS")],
            }
        );
        // A unit may be given; blank numbers are nothing declared.
        let light = declared(LuggageFields {
            pieces: "1",
            weight: "750 g",
            ..LuggageFields::default()
        })
        .unwrap();
        assert_eq!((light.pieces, light.weight_grams), (1, 750));
        assert_eq!(
            declared(LuggageFields::default()).unwrap(),
            LuggageDeclaration::default()
        );
        assert_eq!(
            declared(LuggageFields {
                weight: "14.5",
                ..LuggageFields::default()
            })
            .unwrap()
            .weight_grams,
            14_500
        );
    }

    #[test]
    fn each_refusal_names_its_field_and_line() {
        let check = |fields: LuggageFields<'_>, field: DeclarationField, expected: &str| {
            let error = LuggageDeclaration::parse(&fields).unwrap_err();
            assert_eq!(error.field, field, "{error}");
            assert_eq!(error.to_string(), expected);
        };
        check(
            LuggageFields {
                pieces: "two",
                ..LuggageFields::default()
            },
            DeclarationField::Pieces,
            "pieces: 'two' is not a number of pieces; write a whole number such as 1",
        );
        check(
            LuggageFields {
                pieces: "1",
                weight: "fourteen",
                ..LuggageFields::default()
            },
            DeclarationField::Weight,
            "weight: 'fourteen' is not a weight such as 18 kg, 18.5 kg or 750 g",
        );
        check(
            LuggageFields {
                pieces: "1",
                weight: "1.2.3",
                ..LuggageFields::default()
            },
            DeclarationField::Weight,
            "weight: '1.2.3' is not a weight in kilograms such as 14 or 14.5",
        );
        check(
            LuggageFields {
                pieces: "2",
                ..LuggageFields::default()
            },
            DeclarationField::Weight,
            "weight: give the total weight of the 2 pieces, e.g. 14 kg",
        );
        let error = LuggageDeclaration::parse(&LuggageFields {
            items: vec!["clothing", "", "toys"],
            ..LuggageFields::default()
        })
        .unwrap_err();
        assert_eq!(
            (error.field, error.line),
            (DeclarationField::Items, Some(3))
        );
        assert!(error.to_string().starts_with("items, line 3: "), "{error}");
        assert!(error.problem.contains("toys"), "{error}");
        check(
            LuggageFields {
                medication_days: "a month",
                ..LuggageFields::default()
            },
            DeclarationField::MedicationDays,
            "medication_days: 'a month' is not a number of days; write a whole number such as 30",
        );
        check(
            LuggageFields {
                cash: vec!["900 ILS", "lots"],
                ..LuggageFields::default()
            },
            DeclarationField::Cash,
            "cash, line 2: 'lots' is not an amount and a currency such as 1500 ILS",
        );
    }

    #[test]
    fn weights_in_kilograms_and_grams() {
        let check = |text: &str, expected: Result<u32, &str>| {
            let actual = parse_weight_grams(text).map_err(|error| error.to_string());
            assert_eq!(actual, expected.map_err(str::to_string), "{text}");
        };
        check("18kg", Ok(18_000));
        check("18.5 kg", Ok(18_500));
        check(" 18.05KG ", Ok(18_050));
        check("0.75kg", Ok(750));
        check("750 g", Ok(750));
        check("0 kg", Ok(0));
        check("4294967 kg", Ok(4_294_967_000));
        check(
            "18",
            Err("weight: '18' is not a weight such as 18 kg, 18.5 kg or 750 g"),
        );
        check(
            "18 lb",
            Err("weight: '18 lb' is not a weight such as 18 kg, 18.5 kg or 750 g"),
        );
        check(
            "18,5 kg",
            Err("weight: '18,5 kg' is not a weight such as 18 kg, 18.5 kg or 750 g"),
        );
        check(
            ".5 kg",
            Err("weight: '.5 kg' is not a weight such as 18 kg, 18.5 kg or 750 g"),
        );
        check(
            "18. kg",
            Err("weight: '18. kg' is not a weight such as 18 kg, 18.5 kg or 750 g"),
        );
        check(
            "1.2.3 kg",
            Err("weight: '1.2.3 kg' is not a weight such as 18 kg, 18.5 kg or 750 g"),
        );
        check(
            "kg",
            Err("weight: 'kg' is not a weight such as 18 kg, 18.5 kg or 750 g"),
        );
        check(
            "1.2345 kg",
            Err("weight: '1.2345 kg' is more precise than a gram"),
        );
        check(
            "18.5 g",
            Err("weight: '18.5 g' is more precise than a gram"),
        );
        check("4294968 kg", Err("weight: '4294968 kg' is too large"));
        check(
            "99999999999999999999 g",
            Err("weight: '99999999999999999999 g' is too large"),
        );
    }

    #[test]
    fn weights_format_back_to_what_parses() {
        for (grams, text) in [
            (18_000, "18 kg"),
            (18_500, "18.5 kg"),
            (18_050, "18.05 kg"),
            (750, "0.75 kg"),
            (1, "0.001 kg"),
            (0, "0 kg"),
        ] {
            assert_eq!(format_weight_grams(grams), text);
            assert_eq!(parse_weight_grams(text), Ok(grams));
        }
    }

    #[test]
    fn cash_is_an_amount_and_a_currency() {
        assert_eq!(
            CashAmount::parse("1500 ILS"),
            Ok(CashAmount {
                currency: currency("ILS"),
                amount: 1500
            })
        );
        assert_eq!(cash(" 200usd ").to_string(), "200 USD");
        let error = |text: &str| CashAmount::parse(text).unwrap_err().to_string();
        assert_eq!(
            error("1500"),
            "cash: '1500' is not an amount and a currency such as 1500 ILS"
        );
        assert_eq!(
            error("ILS 1500"),
            "cash: 'ILS 1500' is not an amount and a currency such as 1500 ILS"
        );
        assert_eq!(
            error("1500 shekels"),
            "cash: '1500 shekels' is not an amount and a currency such as 1500 ILS"
        );
        assert_eq!(
            error("-5 ILS"),
            "cash: '-5 ILS' is not an amount and a currency such as 1500 ILS"
        );
        assert_eq!(
            error("5000000000 ILS"),
            "cash: '5000000000 ILS' is too large"
        );
    }

    #[test]
    fn currency_codes_are_three_letters() {
        assert_eq!(currency("eur").as_str(), "EUR");
        assert_eq!(
            CurrencyCode::parse("EU").unwrap_err().to_string(),
            "currency: 'EU' is not a three-letter currency code such as ILS"
        );
        assert!(CurrencyCode::parse("E1R").is_err());
    }

    #[test]
    fn items_with_category_description_and_quantity() {
        assert_eq!(
            item("electronics:phone"),
            DeclaredItem {
                category: ItemCategory::Electronics,
                description: Some(Text::parse("item_description", "phone", 100).unwrap()),
                quantity: 1,
            }
        );
        assert_eq!(
            item("3x Clothing"),
            DeclaredItem {
                category: ItemCategory::Clothing,
                description: None,
                quantity: 3,
            }
        );
        assert_eq!(item("2 x food:rice").quantity, 2);
        // Only the first colon separates, so a description may contain colons.
        assert_eq!(
            item("documents:letter: hospital")
                .description
                .unwrap()
                .as_str(),
            "letter: hospital"
        );
        for text in [
            "electronics:phone",
            "3x clothing:shirts",
            "medication",
            "2x documents:a:b",
        ] {
            assert_eq!(item(text).to_string(), text);
        }

        let error = |text: &str| DeclaredItem::parse(text).unwrap_err().to_string();
        assert_eq!(
            error("weapons:knife"),
            "item_category: unknown value 'weapons'; expected one of: clothing, food, \
             documents, medication, hygiene, liquids, metal, electronics, cigarettes, other"
        );
        assert_eq!(error("electronics:"), "item_description: is empty");
        assert_eq!(
            error("0x clothing"),
            "item: quantity in '0x clothing' is 0; it must be at least 1"
        );
        assert_eq!(
            error("3 clothing"),
            "item: '3 clothing' is not an item such as electronics:phone or 3x clothing"
        );
        assert_eq!(
            error("99999999999x clothing"),
            "item: quantity in '99999999999x clothing' is too large"
        );
    }
}

mod rule_sets {
    use super::*;

    #[test]
    fn the_period_must_not_end_before_it_starts() {
        let error = LuggageRuleSet::new(
            crossing("rafah"),
            1,
            date(2026, 2, 2),
            Some(date(2026, 2, 1)),
            source(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "valid_to: 2026-02-01 is before valid_from 2026-02-02"
        );
        let error = LuggageRuleSet::new(crossing("rafah"), 0, date(2026, 2, 2), None, source())
            .unwrap_err();
        assert_eq!(error.to_string(), "version: is 0; versions start at 1");
        assert!(
            LuggageRuleSet::new(
                crossing("rafah"),
                1,
                date(2026, 2, 2),
                Some(date(2026, 2, 2)),
                source()
            )
            .is_ok()
        );
    }

    #[test]
    fn describe_summarises_the_limits_in_one_line() {
        assert_eq!(
            rafah_v1().describe(),
            "1 piece, no liquids, metal, electronics, cigarettes, cash ≤ 2000 ILS"
        );
        let other = rule_set("kerem-shalom", 1, date(2025, 1, 1), None)
            .with_max_pieces(2)
            .with_max_weight_grams(23_500)
            .forbidding(&[ItemCategory::Electronics, ItemCategory::Metal])
            .forbidding(&[ItemCategory::Metal])
            .with_max_medication_days(30);
        assert_eq!(
            other.describe(),
            "2 pieces, ≤ 23.5 kg, no metal, electronics, medication ≤ 30 days"
        );
        assert_eq!(
            rule_set("rafah", 1, date(2025, 1, 1), None).describe(),
            "no limits"
        );
    }

    #[test]
    fn the_latest_version_covering_the_day_is_in_force() {
        let sets = [
            rule_set("rafah", 1, date(2026, 2, 2), Some(date(2026, 2, 28))),
            rule_set("rafah", 2, date(2026, 3, 1), None),
            rule_set("kerem-shalom", 1, date(2026, 1, 1), None),
        ];
        assert_eq!(check_luggage_versions(&sets), Ok(()));
        let version_on =
            |day: Date| rule_set_in_force(&sets, &crossing("rafah"), day).map(|set| set.version);
        assert_eq!(version_on(date(2026, 2, 1)), None);
        assert_eq!(version_on(date(2026, 2, 2)), Some(1));
        assert_eq!(version_on(date(2026, 2, 28)), Some(1));
        assert_eq!(version_on(date(2026, 3, 1)), Some(2));
        assert_eq!(version_on(date(2030, 1, 1)), Some(2));
        assert_eq!(
            rule_set_in_force(&sets, &crossing("allenby"), date(2026, 3, 1)),
            None
        );
        assert_eq!(
            rule_set_in_force(&sets, &crossing("kerem-shalom"), date(2026, 2, 1))
                .map(|set| &set.crossing),
            Some(&crossing("kerem-shalom"))
        );
    }

    #[test]
    fn overlapping_periods_of_one_crossing_are_refused() {
        let refuse = |sets: &[LuggageRuleSet], expected: &str| {
            assert_eq!(
                check_luggage_versions(sets).unwrap_err().to_string(),
                expected
            );
        };
        refuse(
            &[
                rule_set("rafah", 2, date(2026, 3, 1), Some(date(2026, 3, 31))),
                rule_set("rafah", 1, date(2026, 2, 2), None),
            ],
            "luggage_rules: rafah v1 (from 2026-02-02, until further notice) overlaps v2 \
             (2026-03-01 to 2026-03-31)",
        );
        // The last day of one period is the first day of the other.
        refuse(
            &[
                rule_set("rafah", 1, date(2026, 2, 2), Some(date(2026, 3, 1))),
                rule_set("rafah", 2, date(2026, 3, 1), None),
            ],
            "luggage_rules: rafah v1 (2026-02-02 to 2026-03-01) overlaps v2 \
             (from 2026-03-01, until further notice)",
        );
        refuse(
            &[
                rule_set("rafah", 1, date(2026, 2, 2), Some(date(2026, 2, 28))),
                rule_set("rafah", 1, date(2026, 3, 1), None),
            ],
            "luggage_rules: rafah v1 appears twice (2026-02-02 to 2026-02-28 and \
             from 2026-03-01, until further notice)",
        );
        // Different crossings may have rules in force at the same time.
        assert_eq!(
            check_luggage_versions(&[
                rule_set("rafah", 1, date(2026, 2, 2), None),
                rule_set("kerem-shalom", 1, date(2026, 2, 2), None),
            ]),
            Ok(())
        );
    }
}

mod checking {
    use super::*;

    #[test]
    fn a_declaration_within_every_limit_passes() {
        let declaration = LuggageDeclaration {
            pieces: 1,
            weight_grams: 30_000,
            items: vec![item("3x clothing"), item("medication:insulin")],
            medication_days: 90,
            cash: vec![cash("1500 ILS"), cash("500 ILS"), cash("0 USD")],
        };
        assert_eq!(check_luggage(&rafah_v1(), &declaration), []);
    }

    #[test]
    fn pieces_over_the_limit() {
        let declaration = LuggageDeclaration {
            pieces: 2,
            ..LuggageDeclaration::default()
        };
        assert_eq!(
            messages(&rafah_v1(), &declaration),
            ["rule pieces (rafah v1, from 2026-02-02): 2 pieces declared; at most 1 allowed"]
        );
    }

    #[test]
    fn weight_over_the_limit() {
        let rules = rafah_v1().with_max_weight_grams(20_000);
        let at_limit = LuggageDeclaration {
            pieces: 1,
            weight_grams: 20_000,
            ..LuggageDeclaration::default()
        };
        assert_eq!(check_luggage(&rules, &at_limit), []);
        let over = LuggageDeclaration {
            weight_grams: 20_001,
            ..at_limit
        };
        assert_eq!(
            messages(&rules, &over),
            ["rule weight (rafah v1, from 2026-02-02): 20.001 kg declared; at most 20 kg allowed"]
        );
    }

    #[test]
    fn each_forbidden_item_is_named() {
        let declaration = LuggageDeclaration {
            pieces: 1,
            items: vec![
                item("electronics:phone"),
                item("clothing"),
                item("2x cigarettes"),
            ],
            ..LuggageDeclaration::default()
        };
        let violations = check_luggage(&rafah_v1(), &declaration);
        let named: Vec<(RuleKind, Option<&str>)> = violations
            .iter()
            .map(|violation| (violation.rule, violation.item.as_deref()))
            .collect();
        assert_eq!(
            named,
            [
                (RuleKind::ForbiddenItem, Some("electronics:phone")),
                (RuleKind::ForbiddenItem, Some("2x cigarettes")),
            ]
        );
        assert_eq!(
            messages(&rafah_v1(), &declaration),
            [
                "rule forbidden-item (rafah v1, from 2026-02-02): electronics 'phone' is not allowed",
                "rule forbidden-item (rafah v1, from 2026-02-02): cigarettes is not allowed",
            ]
        );
    }

    #[test]
    fn medication_over_the_days_of_supply() {
        let rules = rafah_v1().with_max_medication_days(30);
        let at_limit = LuggageDeclaration {
            medication_days: 30,
            ..LuggageDeclaration::default()
        };
        assert_eq!(check_luggage(&rules, &at_limit), []);
        let over = LuggageDeclaration {
            medication_days: 31,
            ..at_limit
        };
        assert_eq!(
            messages(&rules, &over),
            [
                "rule medication (rafah v1, from 2026-02-02): 31 days of medication declared; \
                 at most 30 allowed"
            ]
        );
    }

    #[test]
    fn cash_is_summed_per_currency_and_never_converted() {
        let declaration = LuggageDeclaration {
            cash: vec![
                cash("1500 ILS"),
                cash("100 USD"),
                cash("501 ILS"),
                cash("0 EUR"),
                cash("50 USD"),
            ],
            ..LuggageDeclaration::default()
        };
        let violations = check_luggage(&rafah_v1(), &declaration);
        assert_eq!(
            violations
                .iter()
                .map(|violation| (violation.rule, violation.item.as_deref()))
                .collect::<Vec<_>>(),
            [
                (RuleKind::Cash, Some("2001 ILS")),
                (RuleKind::Cash, Some("150 USD"))
            ]
        );
        assert_eq!(
            messages(&rafah_v1(), &declaration),
            [
                "rule cash (rafah v1, from 2026-02-02): 2001 ILS declared; at most 2000 ILS allowed",
                "rule cash (rafah v1, from 2026-02-02): 150 USD cannot be checked against a \
                 limit in ILS; declare it in ILS",
            ]
        );
    }

    #[test]
    fn limits_the_rule_set_does_not_have_are_not_checked() {
        let rules = rule_set("rafah", 1, date(2026, 2, 2), None);
        let declaration = LuggageDeclaration {
            pieces: 9,
            weight_grams: 90_000,
            items: vec![item("electronics:laptop"), item("liquids:oil")],
            medication_days: 365,
            cash: vec![cash("99999 USD")],
        };
        assert_eq!(check_luggage(&rules, &declaration), []);
    }
}

mod properties {
    use super::*;

    const CURRENCIES: [&str; 3] = ["ILS", "USD", "EUR"];
    const DESCRIPTIONS: [&str; 3] = ["phone", "shirts", "insulin: 2 pens"];

    fn rules() -> impl Strategy<Value = LuggageRuleSet> {
        (
            proptest::option::of(0..4u32),
            proptest::option::of(0..30_000u32),
            proptest::collection::vec(any::<bool>(), ItemCategory::ALL.len()),
            proptest::option::of(0..60u32),
            proptest::option::of((0..2usize, 0..3_000u32)),
        )
            .prop_map(|(pieces, grams, forbidden, days, cash_limit)| {
                let forbidden: Vec<ItemCategory> = ItemCategory::ALL
                    .iter()
                    .zip(forbidden)
                    .filter(|(_, forbid)| *forbid)
                    .map(|(category, _)| *category)
                    .collect();
                let mut set = rule_set("rafah", 1, date(2026, 2, 2), None).forbidding(&forbidden);
                set.max_pieces = pieces;
                set.max_weight_grams = grams;
                set.max_medication_days = days;
                set.max_cash = cash_limit.map(|(index, amount)| CashLimit {
                    currency: currency(CURRENCIES[index]),
                    amount,
                });
                set
            })
    }

    fn declared_item() -> impl Strategy<Value = DeclaredItem> {
        (
            0..ItemCategory::ALL.len(),
            proptest::option::of(0..DESCRIPTIONS.len()),
            1..4u32,
        )
            .prop_map(|(category, description, quantity)| DeclaredItem {
                category: ItemCategory::ALL[category],
                description: description.map(|index| {
                    Text::parse("item_description", DESCRIPTIONS[index], 100).unwrap()
                }),
                quantity,
            })
    }

    fn declaration() -> impl Strategy<Value = LuggageDeclaration> {
        (
            0..5u32,
            0..35_000u32,
            proptest::collection::vec(declared_item(), 0..5),
            0..90u32,
            proptest::collection::vec((0..CURRENCIES.len(), 0..2_500u32), 0..4),
        )
            .prop_map(|(pieces, weight_grams, items, medication_days, cash)| {
                LuggageDeclaration {
                    pieces,
                    weight_grams,
                    items,
                    medication_days,
                    cash: cash
                        .into_iter()
                        .map(|(index, amount)| CashAmount {
                            currency: currency(CURRENCIES[index]),
                            amount,
                        })
                        .collect(),
                }
            })
    }

    fn cash_total(declaration: &LuggageDeclaration, currency: &CurrencyCode) -> u64 {
        declaration
            .cash
            .iter()
            .filter(|cash| &cash.currency == currency)
            .map(|cash| u64::from(cash.amount))
            .sum()
    }

    /// The limits written out one by one, independently of the checker.
    fn within_every_limit(rules: &LuggageRuleSet, declaration: &LuggageDeclaration) -> bool {
        let cash_within = |limit: &CashLimit| {
            declaration.cash.iter().all(|cash| {
                if cash.currency == limit.currency {
                    cash_total(declaration, &cash.currency) <= u64::from(limit.amount)
                } else {
                    cash.amount == 0
                }
            })
        };
        rules.max_pieces.is_none_or(|max| declaration.pieces <= max)
            && rules
                .max_weight_grams
                .is_none_or(|max| declaration.weight_grams <= max)
            && rules
                .max_medication_days
                .is_none_or(|max| declaration.medication_days <= max)
            && declaration
                .items
                .iter()
                .all(|item| !rules.forbidden.contains(&item.category))
            && rules.max_cash.as_ref().is_none_or(cash_within)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn a_declaration_is_accepted_exactly_when_within_every_limit(
            rules in rules(),
            declaration in declaration(),
        ) {
            prop_assert_eq!(
                check_luggage(&rules, &declaration).is_empty(),
                within_every_limit(&rules, &declaration)
            );
        }

        #[test]
        fn every_violation_is_a_limit_really_broken(rules in rules(), declaration in declaration()) {
            let violations = check_luggage(&rules, &declaration);
            for violation in &violations {
                prop_assert_eq!(&violation.crossing, &rules.crossing);
                prop_assert_eq!(violation.version, rules.version);
                match violation.rule {
                    RuleKind::Pieces => {
                        prop_assert!(declaration.pieces > rules.max_pieces.unwrap());
                    }
                    RuleKind::Weight => {
                        prop_assert!(declaration.weight_grams > rules.max_weight_grams.unwrap());
                    }
                    RuleKind::Medication => {
                        prop_assert!(
                            declaration.medication_days > rules.max_medication_days.unwrap()
                        );
                    }
                    RuleKind::ForbiddenItem => {
                        let item = DeclaredItem::parse(violation.item.as_deref().unwrap()).unwrap();
                        prop_assert!(declaration.items.contains(&item));
                        prop_assert!(rules.forbidden.contains(&item.category));
                    }
                    RuleKind::Cash => {
                        let limit = rules.max_cash.as_ref().unwrap();
                        let named = CashAmount::parse(violation.item.as_deref().unwrap()).unwrap();
                        let total = cash_total(&declaration, &named.currency);
                        prop_assert_eq!(u64::from(named.amount), total);
                        if named.currency == limit.currency {
                            prop_assert!(total > u64::from(limit.amount));
                        } else {
                            prop_assert!(total > 0);
                        }
                    }
                }
            }
            // Each forbidden item is reported, not just the first one.
            let forbidden_items = declaration
                .items
                .iter()
                .filter(|item| rules.forbidden.contains(&item.category))
                .count();
            let reported = violations
                .iter()
                .filter(|violation| violation.rule == RuleKind::ForbiddenItem)
                .count();
            prop_assert_eq!(reported, forbidden_items);
        }
    }
}
