//! Finding a person or a thing by what someone types: part of a name, an id,
//! an agency. One rule for every list that has a search box, so the waiting
//! list, the gate, the clearance batch and the aid board find the same way.
//!
//! The rule forgives case, spacing, the digit set (٤٢ is 42) and the
//! differences of Arabic spelling that people do not agree on or do not
//! type ([`fold`]); tolerance of spelling belongs here too, so that every
//! caller gets it at once.

use crate::digits::latin_digit;
use crate::{InvalidValue, Text};

/// The longest search anyone types; longer text is refused, not cut.
pub const MAX_SEARCH_CHARS: usize = 100;

/// What was typed in a search box, normalised once: each word in lower
/// case. It matches a set of fields when every word is part of one of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    words: Vec<String>,
}

impl SearchQuery {
    /// The search typed in `field`; `None` when it is blank (no search).
    pub fn parse(field: &'static str, text: &str) -> Result<Option<SearchQuery>, InvalidValue> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        if text.trim().chars().count() > MAX_SEARCH_CHARS {
            return Err(InvalidValue::new(
                field,
                format!(
                    "a search is at most {MAX_SEARCH_CHARS} characters: type part of a name or an id"
                ),
            ));
        }
        let text = Text::parse(field, text, MAX_SEARCH_CHARS)?;
        let words: Vec<String> = normalise(text.as_str())
            .split(' ')
            .filter(|word| !word.is_empty())
            .map(str::to_string)
            .collect();
        Ok((!words.is_empty()).then_some(SearchQuery { words }))
    }

    /// Whether every word of the search is part of one of `fields` (as
    /// stored or shown: a name, an id, an agency), whatever the case and
    /// spacing of either.
    pub fn matches(&self, fields: &[&str]) -> bool {
        self.finds(&SearchText::new(fields))
    }

    /// [`SearchQuery::matches`] for fields normalised beforehand, when the
    /// same fields are searched many times (a list kept in memory).
    pub fn finds(&self, text: &SearchText) -> bool {
        self.words
            .iter()
            .all(|word| text.fields.contains(word.as_str()))
    }

    /// The search as the words it looks for, separated by one space.
    pub fn normalised(&self) -> String {
        self.words.join(" ")
    }
}

/// The fields of one thing (a person's id and name), normalised once for
/// [`SearchQuery::finds`]. They are kept as one text, separated by a line
/// break: a word of a search holds no white space, so it is part of the
/// text only when it is part of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    fields: Box<str>,
}

impl SearchText {
    pub fn new(fields: &[&str]) -> SearchText {
        let fields: Vec<String> = fields.iter().map(|field| normalise(field)).collect();
        SearchText {
            fields: fields.join("\n").into_boxed_str(),
        }
    }
}

/// The search texts of many things (everyone on a list) in one text, so
/// that a search reads them all in one pass for its first word instead of
/// each thing's text in turn (a search of the 20,000-patient demo spent
/// most of its time starting 20,000 small searches). Each thing's text is
/// followed by a line break, which no word holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchIndex {
    text: String,
    /// Where each thing's text ends, in order.
    ends: Vec<usize>,
}

impl SearchIndex {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a SearchText>) -> SearchIndex {
        let mut text = String::new();
        let mut ends = Vec::new();
        for thing in texts {
            text.push_str(&thing.fields);
            ends.push(text.len());
            text.push('\n');
        }
        SearchIndex { text, ends }
    }

    /// The things `query` finds ([`SearchQuery::finds`]), by their place
    /// in the order the index was made, in that order.
    pub fn found(&self, query: &SearchQuery) -> Vec<usize> {
        let Some((first, others)) = query.words.split_first() else {
            return (0..self.ends.len()).collect();
        };
        let mut found: Vec<usize> = Vec::new();
        for at in memchr::memmem::find_iter(self.text.as_bytes(), first.as_bytes()) {
            let thing = self.ends.partition_point(|end| *end <= at);
            if found.last() != Some(&thing) {
                found.push(thing);
            }
        }
        found.retain(|thing| {
            let text = self.text_of(*thing);
            others.iter().all(|word| text.contains(word.as_str()))
        });
        found
    }

    fn text_of(&self, thing: usize) -> &str {
        let start = thing
            .checked_sub(1)
            .map_or(0, |before| self.ends[before] + 1);
        &self.text[start..self.ends[thing]]
    }
}

/// Whether `query` matches one of `fields` (see [`SearchQuery::matches`]);
/// a blank query matches everything, and so does one too long to be a search
/// (callers that take a search from a person parse it with
/// [`SearchQuery::parse`] first, to refuse it with a message).
pub fn matches(query: &str, fields: &[&str]) -> bool {
    match SearchQuery::parse("q", query) {
        Ok(Some(query)) => query.matches(fields),
        Ok(None) | Err(_) => true,
    }
}

/// Lower case, folded ([`fold`]), with every run of white space one space
/// and none at the ends.
fn normalise(text: &str) -> String {
    text.split_whitespace()
        .map(|word| word.chars().filter_map(fold).collect::<String>())
        .filter(|word| !word.is_empty())
        .map(|word| word.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A character as a search compares it, `None` for one it ignores. Two
/// spellings of one Arabic name differ in ways a search must not see: the
/// hamza on an alef (أحمد, احمد), taa marbuta and haa at the end of a word
/// (فاطمة, فاطمه), alif maqsura and yaa (مصطفى, مصطفي), the short vowels
/// and other marks (تشكيل) that are rarely typed, and the tatweel that
/// stretches a word. Digits are Latin ([`latin_digit`]). The same folding
/// is meant for matching two records of one person.
pub fn fold(c: char) -> Option<char> {
    match c {
        // Alef with hamza above, below, with madda, or wasla.
        '\u{0623}' | '\u{0625}' | '\u{0622}' | '\u{0671}' => Some('\u{0627}'),
        // Taa marbuta as haa.
        '\u{0629}' => Some('\u{0647}'),
        // Alif maqsura, and the Persian yeh of some keyboards, as yaa.
        '\u{0649}' | '\u{06CC}' => Some('\u{064A}'),
        // Tatweel; tashkeel (fathatan to sukun, and the marks after it);
        // the superscript alef.
        '\u{0640}' | '\u{064B}'..='\u{065F}' | '\u{0670}' => None,
        c => Some(latin_digit(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn an_index_finds_what_each_text_would(
            names in proptest::collection::vec("[a-cأاة ]{0,8}", 0..20),
            query in "[a-cأاه]{1,2}( [a-c]{1,2})?",
        ) {
            let texts: Vec<SearchText> = names
                .iter()
                .enumerate()
                .map(|(n, name)| SearchText::new(&[&format!("P-{n}"), name]))
                .collect();
            let Some(query) = SearchQuery::parse("q", &query).unwrap() else {
                return Ok(());
            };
            let one_by_one: Vec<usize> = (0..texts.len()).filter(|n| query.finds(&texts[*n])).collect();
            prop_assert_eq!(SearchIndex::new(&texts).found(&query), one_by_one);
        }

        #[test]
        fn normalising_twice_changes_nothing_more(text in "[\\PC\u{0640}\u{064B}-\u{065F}\u{0621}-\u{064A}\u{0660}-\u{0669} ]{0,40}") {
            let once = normalise(&text);
            prop_assert_eq!(normalise(&once), once);
        }
    }

    fn check(query: &str, fields: &[&str], expected: bool) {
        assert_eq!(
            matches(query, fields),
            expected,
            "{query:?} against {fields:?}"
        );
    }

    #[test]
    fn case_and_spacing_do_not_matter() {
        check("amal", &["P-000042", "Amal Haddad"], true);
        check("  AMAL   haddad ", &["P-000042", "amal  Haddad"], true);
        check("haddad amal", &["P-000042", "Amal Haddad"], true);
        check("p-000042", &["P-000042", "Amal Haddad"], true);
        check("000042", &["P-000042", "Amal Haddad"], true);
        check("ÉLODIE", &["élodie martin"], true);
        check("فاطمة", &["P-000001", "فاطمة حسن"], true);
    }

    #[test]
    fn arabic_spellings_people_do_not_agree_on_do_not_matter() {
        // Hamza forms of alef.
        check("احمد", &["P-000007", "أحمد خليل"], true);
        check("إبراهيم", &["P-000008", "ابراهيم سالم"], true);
        check("آمنة", &["P-000009", "امنه يوسف"], true);
        // Taa marbuta and haa; alif maqsura and yaa.
        check("فاطمه", &["P-000001", "فاطمة حسن"], true);
        check("مصطفي", &["P-000002", "مصطفى عمر"], true);
        // Tashkeel and tatweel are ignored on either side.
        check("مُحَمَّد", &["P-000003", "محمد"], true);
        check("محمد", &["P-000003", "مـحـمـد"], true);
        // Digits in any set.
        check("٠٠٠٠٤٢", &["P-000042", "زيد أبو عمرة"], true);
        check("زيد ابو عمره", &["P-000482", "زيد أبو عمرة"], true);
        // Different letters still differ.
        check("حسن", &["P-000004", "حسين"], false);
        check("سميرة", &["P-000005", "سمير"], false);
    }

    #[test]
    fn every_word_must_be_found() {
        check("amal nasser", &["P-000042", "Amal Haddad"], false);
        check("amal", &["P-000042", "Fatima Haddad"], false);
        check("amal", &["P-000042"], false);
        // A word is found within one field, never across two.
        check("42amal", &["P-000042", "Amal"], false);
    }

    #[test]
    fn a_blank_search_finds_everyone() {
        check("", &["P-000042"], true);
        check("   \t ", &[], true);
        assert_eq!(SearchQuery::parse("q", "  ").unwrap(), None);
    }

    #[test]
    fn a_search_is_refused_when_too_long_or_with_control_characters() {
        let long = "a".repeat(MAX_SEARCH_CHARS + 1);
        let refused = SearchQuery::parse("q", &long).unwrap_err();
        assert_eq!(refused.field, "q");
        assert!(
            refused
                .problem
                .starts_with("a search is at most 100 characters")
        );
        assert!(SearchQuery::parse("q", "amal\0").is_err());
        let query = SearchQuery::parse("q", " Amal\u{a0} HADDAD ")
            .unwrap()
            .unwrap();
        assert_eq!(query.normalised(), "amal haddad");
    }
}
