//! What returnees may carry through a crossing, and the check of what they
//! declare against it.
//!
//! Rules change often and differ by crossing, so a rule set is data: one
//! version per crossing and period, and the set in force on the crossing day
//! applies. A declaration is checked twice (at registration and at the gate)
//! with the same function, and every violation names its rule and item.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::{CrossingId, InvalidValue, Text, labelled_enum};

labelled_enum! {
    /// What a declared item is, as luggage rules name it.
    ItemCategory, field = "item_category" {
        Clothing = "clothing",
        Food = "food",
        Documents = "documents",
        Medication = "medication",
        Hygiene = "hygiene",
        Liquids = "liquids",
        Metal = "metal",
        Electronics = "electronics",
        Cigarettes = "cigarettes",
        Other = "other",
    }
}

labelled_enum! {
    /// Which limit of a rule set a declaration breaks.
    RuleKind, field = "rule" {
        Pieces = "pieces",
        Weight = "weight",
        ForbiddenItem = "forbidden-item",
        Medication = "medication",
        Cash = "cash",
    }
}

/// An ISO 4217 currency code, upper case, such as `ILS`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CurrencyCode(String);

impl CurrencyCode {
    pub fn parse(text: &str) -> Result<CurrencyCode, InvalidValue> {
        let text = text.trim();
        if text.len() != 3 || !text.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(InvalidValue::new(
                "currency",
                format!("'{text}' is not a three-letter currency code such as ILS"),
            ));
        }
        Ok(CurrencyCode(text.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The most cash a person may carry, in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashLimit {
    pub currency: CurrencyCode,
    pub amount: u32,
}

/// Cash a person declares, in whole units of one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashAmount {
    pub currency: CurrencyCode,
    pub amount: u32,
}

impl CashAmount {
    /// Parses an amount followed by a currency code, e.g. `1500 ILS` or `1500ils`.
    pub fn parse(text: &str) -> Result<CashAmount, InvalidValue> {
        let text = crate::digits::latin_digits(text);
        let text = text.trim();
        let invalid = || {
            InvalidValue::new(
                "cash",
                format!("'{text}' is not an amount and a currency such as 1500 ILS"),
            )
        };
        let digits_end = text
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(invalid)?;
        let (digits, currency) = text.split_at(digits_end);
        if digits.is_empty() {
            return Err(invalid());
        }
        let currency = CurrencyCode::parse(currency).map_err(|_| invalid())?;
        let amount = digits
            .parse()
            .map_err(|_| InvalidValue::new("cash", format!("'{text}' is too large")))?;
        Ok(CashAmount { currency, amount })
    }
}

impl std::fmt::Display for CashAmount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Parses a weight in kilograms or grams into grams: `18kg`, `18.5 kg`, `750 g`.
pub fn parse_weight_grams(text: &str) -> Result<u32, InvalidValue> {
    let text = crate::digits::latin_digits(text);
    let text = text.trim();
    let invalid = || {
        InvalidValue::new(
            "weight",
            format!("'{text}' is not a weight such as 18 kg, 18.5 kg or 750 g"),
        )
    };
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(invalid)?;
    let (number, unit) = text.split_at(number_end);
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (number, ""),
    };
    if whole.is_empty() || (number.contains('.') && fraction.is_empty()) || fraction.contains('.') {
        return Err(invalid());
    }
    let grams_per_unit: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "kg" => 1000,
        "g" => 1,
        _ => return Err(invalid()),
    };
    let too_large = || InvalidValue::new("weight", format!("'{text}' is too large"));
    // A gram is the finest unit kept, so kilograms take at most three decimals
    // and grams none.
    let decimals_allowed = if grams_per_unit == 1000 { 3 } else { 0 };
    if fraction.len() > decimals_allowed {
        return Err(InvalidValue::new(
            "weight",
            format!("'{text}' is more precise than a gram"),
        ));
    }
    let whole: u64 = whole.parse().map_err(|_| too_large())?;
    let fraction_grams: u64 = if fraction.is_empty() {
        0
    } else {
        let padded = format!("{fraction:0<3}");
        padded.parse().map_err(|_| invalid())?
    };
    let grams = whole
        .checked_mul(grams_per_unit)
        .and_then(|grams| grams.checked_add(fraction_grams))
        .ok_or_else(too_large)?;
    u32::try_from(grams).map_err(|_| too_large())
}

/// Formats grams as kilograms without trailing zeros: `18 kg`, `18.5 kg`, `0.75 kg`.
pub fn format_weight_grams(grams: u32) -> String {
    let whole = grams / 1000;
    let fraction = grams % 1000;
    if fraction == 0 {
        format!("{whole} kg")
    } else {
        let fraction = format!("{fraction:03}");
        format!("{whole}.{} kg", fraction.trim_end_matches('0'))
    }
}

/// One kind of thing in a person's luggage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredItem {
    pub category: ItemCategory,
    pub description: Option<Text>,
    pub quantity: u32,
}

impl DeclaredItem {
    /// Parses `[QUANTITYx ]CATEGORY[:DESCRIPTION]`, e.g. `electronics:phone`,
    /// `clothing` or `3x clothing:shirts`. The quantity defaults to 1.
    pub fn parse(text: &str) -> Result<DeclaredItem, InvalidValue> {
        let text = text.trim();
        // The quantity in any digits; the description as it was typed.
        let digits_end = text
            .find(|c: char| !crate::digits::latin_digit(c).is_ascii_digit())
            .unwrap_or(text.len());
        let (quantity, rest) = if digits_end == 0 {
            (1, text)
        } else {
            let (digits, rest) = text.split_at(digits_end);
            let Some(rest) = rest.trim_start().strip_prefix(['x', 'X']) else {
                return Err(InvalidValue::new(
                    "item",
                    format!("'{text}' is not an item such as electronics:phone or 3x clothing"),
                ));
            };
            let quantity: u32 = crate::digits::latin_digits(digits).parse().map_err(|_| {
                InvalidValue::new("item", format!("quantity in '{text}' is too large"))
            })?;
            if quantity == 0 {
                return Err(InvalidValue::new(
                    "item",
                    format!("quantity in '{text}' is 0; it must be at least 1"),
                ));
            }
            (quantity, rest)
        };
        let (category, description) = match rest.split_once(':') {
            Some((category, description)) => (
                category,
                Some(Text::parse("item_description", description, 100)?),
            ),
            None => (rest, None),
        };
        Ok(DeclaredItem {
            category: ItemCategory::parse(category)?,
            description,
            quantity,
        })
    }

    /// How a violation names the item: `electronics 'phone'` or `electronics`.
    fn name(&self) -> String {
        match &self.description {
            Some(description) => format!("{} '{description}'", self.category),
            None => self.category.to_string(),
        }
    }
}

/// The form [`DeclaredItem::parse`] reads.
impl std::fmt::Display for DeclaredItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.quantity != 1 {
            write!(f, "{}x ", self.quantity)?;
        }
        f.write_str(self.category.as_str())?;
        if let Some(description) = &self.description {
            write!(f, ":{description}")?;
        }
        Ok(())
    }
}

/// What one person says they carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LuggageDeclaration {
    pub pieces: u32,
    pub weight_grams: u32,
    pub items: Vec<DeclaredItem>,
    /// Days of supply of the medication carried.
    pub medication_days: u32,
    pub cash: Vec<CashAmount>,
}

/// A field of a luggage declaration as a form, the command line or a
/// request gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclarationField {
    Pieces,
    Weight,
    Items,
    MedicationDays,
    Cash,
}

impl DeclarationField {
    pub fn as_str(self) -> &'static str {
        match self {
            DeclarationField::Pieces => "pieces",
            DeclarationField::Weight => "weight",
            DeclarationField::Items => "items",
            DeclarationField::MedicationDays => "medication_days",
            DeclarationField::Cash => "cash",
        }
    }
}

/// A field of a declaration refused: the field, the line at fault for
/// items and cash (from 1, counting blank lines), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {problem}", self.place())]
pub struct DeclarationError {
    pub field: DeclarationField,
    pub line: Option<usize>,
    pub problem: String,
}

impl DeclarationError {
    /// Where the error is, in words: `weight` or `items, line 2`.
    pub fn place(&self) -> String {
        match self.line {
            Some(line) => format!("{}, line {line}", self.field.as_str()),
            None => self.field.as_str().to_string(),
        }
    }
}

/// A luggage declaration as typed, every field as text. Items and cash are
/// one per line; blank lines are skipped (and still counted, so that an
/// error names the line the person sees). A blank number is 0.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LuggageFields<'a> {
    pub pieces: &'a str,
    /// Kilograms when no unit is given (`14`), or with a unit (`14 kg`, `750 g`).
    pub weight: &'a str,
    pub items: Vec<&'a str>,
    pub medication_days: &'a str,
    pub cash: Vec<&'a str>,
}

impl LuggageDeclaration {
    /// The one way a declaration is read from what was typed (the CLI's
    /// flags, the web form, the API's body); the first error names its
    /// field and line.
    pub fn parse(fields: &LuggageFields<'_>) -> Result<LuggageDeclaration, DeclarationError> {
        let error = |field, line, problem: String| DeclarationError {
            field,
            line,
            problem,
        };
        let pieces = parse_count(fields.pieces, "pieces", "1")
            .map_err(|problem| error(DeclarationField::Pieces, None, problem))?;
        let weight = fields.weight.trim();
        let weight_grams = if weight.is_empty() {
            if pieces > 0 {
                return Err(error(
                    DeclarationField::Weight,
                    None,
                    format!(
                        "give the total weight of the {}, e.g. 14 kg",
                        pieces_text(pieces)
                    ),
                ));
            }
            0
        } else if weight.chars().all(|c| c.is_ascii_digit() || c == '.') {
            // The form asks for kilograms: a number alone is kilograms.
            parse_weight_grams(&format!("{weight} kg")).map_err(|_| {
                error(
                    DeclarationField::Weight,
                    None,
                    format!("'{weight}' is not a weight in kilograms such as 14 or 14.5"),
                )
            })?
        } else {
            parse_weight_grams(weight)
                .map_err(|invalid| error(DeclarationField::Weight, None, invalid.problem))?
        };
        let items = lines(&fields.items)
            .map(|(line, text)| {
                DeclaredItem::parse(text).map_err(|invalid| {
                    let problem = match invalid.field {
                        "item_description" => format!("description: {}", invalid.problem),
                        _ => invalid.problem,
                    };
                    error(DeclarationField::Items, Some(line), problem)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let medication_days = parse_count(fields.medication_days, "days", "30")
            .map_err(|problem| error(DeclarationField::MedicationDays, None, problem))?;
        let cash = lines(&fields.cash)
            .map(|(line, text)| {
                CashAmount::parse(text)
                    .map_err(|invalid| error(DeclarationField::Cash, Some(line), invalid.problem))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LuggageDeclaration {
            pieces,
            weight_grams,
            items,
            medication_days,
            cash,
        })
    }
}

/// The lines that are not blank, numbered from 1.
fn lines<'t>(texts: &'t [&'t str]) -> impl Iterator<Item = (usize, &'t str)> {
    texts
        .iter()
        .enumerate()
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(index, text)| (index + 1, *text))
}

/// A whole number, 0 when blank.
fn parse_count(text: &str, unit: &str, example: &str) -> Result<u32, String> {
    let text = crate::digits::latin_digits(text);
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    text.parse().map_err(|_| {
        format!("'{text}' is not a number of {unit}; write a whole number such as {example}")
    })
}

/// The luggage rules of one crossing over a period. Every limit is optional:
/// `None` (or an empty `forbidden`) means the rule set does not restrict it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LuggageRuleSet {
    pub crossing: CrossingId,
    /// Numbers the rule sets of one crossing; a new set gets a higher one.
    pub version: u32,
    pub valid_from: Date,
    /// Inclusive; `None` means until further notice.
    pub valid_to: Option<Date>,
    pub max_pieces: Option<u32>,
    pub max_weight_grams: Option<u32>,
    /// Sorted, without duplicates.
    pub forbidden: Vec<ItemCategory>,
    pub max_medication_days: Option<u32>,
    pub max_cash: Option<CashLimit>,
    /// Where the rules come from (a publication, an announcement).
    pub source: Text,
}

impl LuggageRuleSet {
    /// A rule set that limits nothing yet; the `with_*` methods add limits.
    pub fn new(
        crossing: CrossingId,
        version: u32,
        valid_from: Date,
        valid_to: Option<Date>,
        source: Text,
    ) -> Result<LuggageRuleSet, InvalidValue> {
        if version == 0 {
            return Err(InvalidValue::new("version", "is 0; versions start at 1"));
        }
        if let Some(to) = valid_to
            && to < valid_from
        {
            return Err(InvalidValue::new(
                "valid_to",
                format!("{to} is before valid_from {valid_from}"),
            ));
        }
        Ok(LuggageRuleSet {
            crossing,
            version,
            valid_from,
            valid_to,
            max_pieces: None,
            max_weight_grams: None,
            forbidden: Vec::new(),
            max_medication_days: None,
            max_cash: None,
            source,
        })
    }

    pub fn with_max_pieces(mut self, pieces: u32) -> LuggageRuleSet {
        self.max_pieces = Some(pieces);
        self
    }

    pub fn with_max_weight_grams(mut self, grams: u32) -> LuggageRuleSet {
        self.max_weight_grams = Some(grams);
        self
    }

    pub fn forbidding(mut self, categories: &[ItemCategory]) -> LuggageRuleSet {
        self.forbidden.extend_from_slice(categories);
        self.forbidden.sort();
        self.forbidden.dedup();
        self
    }

    pub fn with_max_medication_days(mut self, days: u32) -> LuggageRuleSet {
        self.max_medication_days = Some(days);
        self
    }

    pub fn with_max_cash(mut self, limit: CashLimit) -> LuggageRuleSet {
        self.max_cash = Some(limit);
        self
    }

    pub fn applies_on(&self, date: Date) -> bool {
        date >= self.valid_from && self.valid_to.is_none_or(|to| date <= to)
    }

    /// A one-line summary, e.g. `1 piece, no liquids, metal, electronics, cigarettes, cash ≤ 2000 ILS`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(pieces) = self.max_pieces {
            parts.push(pieces_text(pieces));
        }
        if let Some(grams) = self.max_weight_grams {
            parts.push(format!("≤ {}", format_weight_grams(grams)));
        }
        if !self.forbidden.is_empty() {
            let names: Vec<&str> = self.forbidden.iter().map(|c| c.as_str()).collect();
            parts.push(format!("no {}", names.join(", ")));
        }
        if let Some(days) = self.max_medication_days {
            parts.push(format!("medication ≤ {days} days"));
        }
        if let Some(limit) = &self.max_cash {
            parts.push(format!("cash ≤ {} {}", limit.amount, limit.currency));
        }
        if parts.is_empty() {
            return "no limits".to_string();
        }
        parts.join(", ")
    }

    fn period(&self) -> String {
        match self.valid_to {
            Some(to) => format!("{} to {to}", self.valid_from),
            None => format!("from {}, until further notice", self.valid_from),
        }
    }

    fn overlaps(&self, other: &LuggageRuleSet) -> bool {
        let starts_before_other_ends = other.valid_to.is_none_or(|to| self.valid_from <= to);
        let ends_after_other_starts = self.valid_to.is_none_or(|to| to >= other.valid_from);
        starts_before_other_ends && ends_after_other_starts
    }
}

/// A limit a declaration breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: RuleKind,
    pub crossing: CrossingId,
    pub version: u32,
    pub valid_from: Date,
    /// The item, or the cash amount, at fault, in the form it is declared.
    pub item: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rule {} ({} v{}, from {}): {}",
            self.rule, self.crossing, self.version, self.valid_from, self.message
        )
    }
}

/// Every limit of `rules` that `declaration` breaks, in the order pieces,
/// weight, forbidden items (as declared), medication, cash (by currency).
pub fn check_luggage(rules: &LuggageRuleSet, declaration: &LuggageDeclaration) -> Vec<Violation> {
    let violation = |rule: RuleKind, item: Option<String>, message: String| Violation {
        rule,
        crossing: rules.crossing.clone(),
        version: rules.version,
        valid_from: rules.valid_from,
        item,
        message,
    };
    let mut violations = Vec::new();
    if let Some(max) = rules.max_pieces
        && declaration.pieces > max
    {
        violations.push(violation(
            RuleKind::Pieces,
            None,
            format!(
                "{} declared; at most {max} allowed",
                pieces_text(declaration.pieces)
            ),
        ));
    }
    if let Some(max) = rules.max_weight_grams
        && declaration.weight_grams > max
    {
        violations.push(violation(
            RuleKind::Weight,
            None,
            format!(
                "{} declared; at most {} allowed",
                format_weight_grams(declaration.weight_grams),
                format_weight_grams(max)
            ),
        ));
    }
    for item in &declaration.items {
        if rules.forbidden.contains(&item.category) {
            violations.push(violation(
                RuleKind::ForbiddenItem,
                Some(item.to_string()),
                format!("{} is not allowed", item.name()),
            ));
        }
    }
    if let Some(max) = rules.max_medication_days
        && declaration.medication_days > max
    {
        violations.push(violation(
            RuleKind::Medication,
            None,
            format!(
                "{} days of medication declared; at most {max} allowed",
                declaration.medication_days
            ),
        ));
    }
    if let Some(limit) = &rules.max_cash {
        let mut totals: BTreeMap<&CurrencyCode, u64> = BTreeMap::new();
        for cash in &declaration.cash {
            *totals.entry(&cash.currency).or_default() += u64::from(cash.amount);
        }
        for (currency, total) in totals {
            if *currency == limit.currency {
                if total > u64::from(limit.amount) {
                    violations.push(violation(
                        RuleKind::Cash,
                        Some(format!("{total} {currency}")),
                        format!(
                            "{total} {currency} declared; at most {} {} allowed",
                            limit.amount, limit.currency
                        ),
                    ));
                }
            } else if total > 0 {
                // Converting would need an exchange rate of the crossing day,
                // which the rules do not give; the gate counts in one currency.
                violations.push(violation(
                    RuleKind::Cash,
                    Some(format!("{total} {currency}")),
                    format!(
                        "{total} {currency} cannot be checked against a limit in {0}; declare it in {0}",
                        limit.currency
                    ),
                ));
            }
        }
    }
    violations
}

/// The rule set of `crossing` that applies on `date`: the highest version
/// whose period covers it.
pub fn rule_set_in_force<'a>(
    sets: &'a [LuggageRuleSet],
    crossing: &CrossingId,
    date: Date,
) -> Option<&'a LuggageRuleSet> {
    sets.iter()
        .filter(|set| &set.crossing == crossing && set.applies_on(date))
        .max_by_key(|set| set.version)
}

/// Refuses rule sets of one crossing that share a version number or whose
/// periods overlap, so that exactly one set (or none) is in force on any day.
pub fn check_luggage_versions(sets: &[LuggageRuleSet]) -> Result<(), InvalidValue> {
    let mut sorted: Vec<&LuggageRuleSet> = sets.iter().collect();
    sorted.sort_by_key(|set| (&set.crossing, set.valid_from, set.version));
    for (index, first) in sorted.iter().enumerate() {
        for second in sorted[index + 1..]
            .iter()
            .filter(|set| set.crossing == first.crossing)
        {
            if first.version == second.version {
                return Err(InvalidValue::new(
                    "luggage_rules",
                    format!(
                        "{} v{} appears twice ({} and {})",
                        first.crossing,
                        first.version,
                        first.period(),
                        second.period()
                    ),
                ));
            }
            if first.overlaps(second) {
                return Err(InvalidValue::new(
                    "luggage_rules",
                    format!(
                        "{} v{} ({}) overlaps v{} ({})",
                        first.crossing,
                        first.version,
                        first.period(),
                        second.version,
                        second.period()
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn pieces_text(pieces: u32) -> String {
    if pieces == 1 {
        "1 piece".to_string()
    } else {
        format!("{pieces} pieces")
    }
}
