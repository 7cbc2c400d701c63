//! The words of the screens, in English and Arabic.
//!
//! Each language has one Fluent file (`locales/<language>/screens.ftl`),
//! embedded in the binary. A request's language is chosen once, by
//! [`choose_language`]: `?lang=` (remembered in a cookie), then the cookie,
//! then the browser's `Accept-Language`, then English. Templates ask
//! [`Words`] for every sentence by its message id; Rust code never puts a
//! sentence together from pieces, so that a translator can order an
//! Arabic sentence as Arabic orders it.

use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use corridor_domain::Language;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

const ENGLISH: &str = include_str!("../locales/en/screens.ftl");
const ARABIC: &str = include_str!("../locales/ar/screens.ftl");

/// The cookie that remembers a language chosen with `?lang=`.
pub const LANGUAGE_COOKIE: &str = "corridor_language";

/// The screens' words in one language. Cheap to copy: the bundles are
/// built once per process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    language: Language,
}

struct Bundles {
    english: FluentBundle<FluentResource>,
    arabic: FluentBundle<FluentResource>,
}

/// The bundle of one language's file. An entry that does not parse, or an
/// id given twice, is logged and left out: the files are embedded and
/// tested, so that is a bug of the build, not a reason to stop serving.
fn bundle(language: Language, source: &'static str) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(resource, _)| {
        tracing::error!(
            language = language.as_str(),
            "a screens.ftl entry does not parse"
        );
        resource
    });
    let locale = language.as_str().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![locale]);
    // Isolation marks keep a number, an id or a Latin name in its place
    // inside Arabic text. English goes without them: its pages hold Arabic
    // names in their own isolated elements (`<bdi>`), not in messages.
    bundle.set_use_isolating(language == Language::Arabic);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(
            language = language.as_str(),
            ?errors,
            "screens.ftl repeats a message id"
        );
    }
    bundle
}

fn bundles() -> &'static Bundles {
    static BUNDLES: OnceLock<Bundles> = OnceLock::new();
    BUNDLES.get_or_init(|| Bundles {
        english: bundle(Language::English, ENGLISH),
        arabic: bundle(Language::Arabic, ARABIC),
    })
}

impl Words {
    pub fn new(language: Language) -> Words {
        Words { language }
    }

    /// The page's `lang` attribute.
    pub fn lang(self) -> &'static str {
        self.language.as_str()
    }

    /// The page's `dir` attribute.
    pub fn dir(self) -> &'static str {
        match self.language {
            Language::Arabic => "rtl",
            Language::English => "ltr",
        }
    }

    /// The other language, as a link to switch to it names it (in itself).
    pub fn other(self) -> (&'static str, &'static str) {
        match self.language {
            Language::Arabic => ("en", "English"),
            Language::English => ("ar", "العربية"),
        }
    }

    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with one argument.
    pub fn t1(&self, id: &str, name: &str, value: impl Into<Argument>) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_string(), value.into().0);
        self.format(id, Some(&args))
    }

    /// The message `id` with two arguments.
    pub fn t2(
        &self,
        id: &str,
        (first, first_value): (&str, impl Into<Argument>),
        (second, second_value): (&str, impl Into<Argument>),
    ) -> String {
        let mut args = FluentArgs::new();
        args.set(first.to_string(), first_value.into().0);
        args.set(second.to_string(), second_value.into().0);
        self.format(id, Some(&args))
    }

    /// The label of a value of a closed set (a tier, a status, a
    /// specialty): the message `<kind>-<value>`.
    pub fn label(&self, kind: &str, value: &str) -> String {
        // A message id has no `+` (the age group `60+`).
        self.t(&format!("{kind}-{}", value.replace('+', "-plus")))
    }

    /// A missing message shows its id, and is logged: the tests check
    /// that every id used exists in both languages, so this is a bug.
    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundles = bundles();
        let bundle = match self.language {
            Language::English => &bundles.english,
            Language::Arabic => &bundles.arabic,
        };
        let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) else {
            tracing::error!(language = self.lang(), id, "no such message");
            return id.to_string();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::error!(
                language = self.lang(),
                id,
                ?errors,
                "a message cannot be formatted"
            );
        }
        text.into_owned()
    }
}

/// A value given to a message: a number (which chooses the plural form) or
/// a text.
pub struct Argument(FluentValue<'static>);

impl From<u64> for Argument {
    fn from(value: u64) -> Argument {
        Argument(FluentValue::from(value))
    }
}

impl From<usize> for Argument {
    fn from(value: usize) -> Argument {
        Argument(FluentValue::from(value))
    }
}

impl From<i64> for Argument {
    fn from(value: i64) -> Argument {
        Argument(FluentValue::from(value))
    }
}

impl From<String> for Argument {
    fn from(value: String) -> Argument {
        Argument(FluentValue::from(value))
    }
}

impl From<&str> for Argument {
    fn from(value: &str) -> Argument {
        Argument(FluentValue::from(value.to_string()))
    }
}

/// The language a request asked for by `?lang=`, if it names one.
fn asked_in_query(query: Option<&str>) -> Option<Language> {
    query?
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find_map(|code| Language::parse(code).ok())
}

/// The language a request's cookie remembers.
fn remembered(headers: &HeaderMap) -> Option<Language> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|cookie| {
            cookie
                .trim()
                .strip_prefix(LANGUAGE_COOKIE)?
                .strip_prefix('=')
        })
        .find_map(|code| Language::parse(code.trim()).ok())
}

/// The first language of `Accept-Language` corridor has, in the order of
/// the browser's preference (`q`), ties in the order given.
fn preferred_by_browser(headers: &HeaderMap) -> Option<Language> {
    let header = headers.get(ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut ranked: Vec<(f32, usize, Language)> = header
        .split(',')
        .enumerate()
        .filter_map(|(position, item)| {
            let mut parts = item.trim().split(';');
            let tag = parts.next()?.trim();
            let primary = tag.split('-').next()?.to_ascii_lowercase();
            let language = Language::parse(&primary).ok()?;
            let quality = parts
                .find_map(|part| part.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (quality > 0.0).then_some((quality, position, language))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.first().map(|(_, _, language)| *language)
}

/// The words of a request, as [`choose_language`] chose them; English for
/// a request it did not see.
pub fn words_of(extensions: &axum::http::Extensions) -> Words {
    extensions
        .get::<Words>()
        .copied()
        .unwrap_or(Words::new(Language::English))
}

/// The language of a request (see the module's documentation).
pub fn language_of(query: Option<&str>, headers: &HeaderMap) -> Language {
    asked_in_query(query)
        .or_else(|| remembered(headers))
        .or_else(|| preferred_by_browser(headers))
        .unwrap_or(Language::English)
}

/// Chooses the request's language, for the handlers to find among the
/// request's extensions as [`Words`]; a language asked for with `?lang=`
/// is remembered in a cookie for a year.
pub async fn choose_language(mut request: Request, next: Next) -> Response {
    let asked = asked_in_query(request.uri().query());
    let language = language_of(request.uri().query(), request.headers());
    request.extensions_mut().insert(Words::new(language));
    let mut response = next.run(request).await;
    if let Some(asked) = asked {
        let cookie = format!(
            "{LANGUAGE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            asked.as_str()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_query_then_the_cookie_then_the_browser_choose_the_language() {
        let none = headers(&[]);
        assert_eq!(language_of(None, &none), Language::English);
        assert_eq!(language_of(Some("lang=ar"), &none), Language::Arabic);
        assert_eq!(language_of(Some("q=x&lang=ar"), &none), Language::Arabic);
        assert_eq!(language_of(Some("lang=fr"), &none), Language::English);
        let cookie = headers(&[("cookie", "a=b; corridor_language=ar")]);
        assert_eq!(language_of(None, &cookie), Language::Arabic);
        assert_eq!(language_of(Some("lang=en"), &cookie), Language::English);
        let browser = headers(&[("accept-language", "fr-FR, ar-PS;q=0.9, en;q=0.8")]);
        assert_eq!(language_of(None, &browser), Language::Arabic);
        let english_first = headers(&[("accept-language", "en-GB;q=0.9, ar;q=0.5")]);
        assert_eq!(language_of(None, &english_first), Language::English);
        let refused = headers(&[("accept-language", "ar;q=0, en")]);
        assert_eq!(language_of(None, &refused), Language::English);
        let both = headers(&[
            ("accept-language", "ar"),
            ("cookie", "corridor_language=en"),
        ]);
        assert_eq!(language_of(None, &both), Language::English);
    }

    #[test]
    fn arabic_counts_take_arabic_plural_forms() {
        let count =
            |words: Words, n: u64| words.t2("people-count", ("count", n), ("shown", n.to_string()));
        let arabic = Words::new(Language::Arabic);
        // Zero, one, two, a few (3-10), many (11-99) and the rest (100):
        // six forms, each with its own words.
        let forms: Vec<String> = [0, 1, 2, 3, 11, 100]
            .into_iter()
            .map(|n| count(arabic, n))
            .map(|form| form.chars().filter(|c| !c.is_ascii_digit()).collect())
            .collect();
        for (index, form) in forms.iter().enumerate() {
            assert!(!forms[index + 1..].contains(form), "{forms:?}");
        }
        let english = Words::new(Language::English);
        assert_eq!(count(english, 1), "1 person matches.");
        assert_eq!(count(english, 3), "3 people match.");
    }

    /// The message ids of a Fluent file: every line that starts an entry.
    fn ids_of(source: &str) -> std::collections::BTreeSet<String> {
        source
            .lines()
            .filter_map(|line| line.split_once(" ="))
            .map(|(id, _)| id)
            .filter(|id| {
                id.starts_with(|c: char| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            .map(str::to_string)
            .collect()
    }

    /// Every file under `dir` whose name ends with one of `extensions`.
    fn sources(dir: &std::path::Path, extensions: &[&str], found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, extensions, found);
            } else if extensions
                .iter()
                .any(|ext| path.to_string_lossy().ends_with(ext))
            {
                found.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    #[test]
    fn every_message_is_in_both_languages_and_used() {
        let english = ids_of(ENGLISH);
        let arabic = ids_of(ARABIC);
        assert_eq!(
            english.symmetric_difference(&arabic).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "ids in one language only"
        );
        // Labels of closed sets are asked for by kind and value.
        let mut labels = std::collections::BTreeSet::new();
        let mut label = |kind: &str, value: &str| {
            labels.insert(format!("{kind}-{}", value.replace('+', "-plus")));
        };
        corridor_domain::Tier::ALL
            .iter()
            .for_each(|v| label("tier", v.as_str()));
        corridor_domain::Status::ALL
            .iter()
            .for_each(|v| label("status", v.as_str()));
        corridor_domain::Specialty::ALL
            .iter()
            .for_each(|v| label("specialty", v.as_str()));
        corridor_domain::AgeGroup::ALL
            .iter()
            .for_each(|v| label("age-group", v.as_str()));
        corridor_domain::UserRole::ALL
            .iter()
            .for_each(|v| label("role", v.as_str()));
        let missing: Vec<&String> = labels.difference(&english).collect();
        assert!(missing.is_empty(), "labels without a message: {missing:?}");
        // Every other id appears quoted in the code or the templates, and
        // every quoted id given to a message call exists.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut code = Vec::new();
        sources(&root.join("src"), &[".rs"], &mut code);
        sources(&root.join("templates"), &[".html"], &mut code);
        let code = code.join("\n");
        let unused: Vec<&String> = english
            .iter()
            .filter(|id| !labels.contains(*id) && !code.contains(&format!("\"{id}\"")))
            .collect();
        assert!(unused.is_empty(), "messages nothing uses: {unused:?}");
        for call in [".t(\"", ".t1(\"", ".t2(\""] {
            for (at, _) in code.match_indices(call) {
                let rest = &code[at + call.len()..];
                let id = &rest[..rest.find('"').unwrap()];
                assert!(english.contains(id), "{call}{id}\" has no message");
            }
        }
    }
}
