//! What a password must be (NIST SP 800-63B, section 3.1.1.2): long
//! enough, not only blanks, not the user name, and not a password that
//! attackers try first. No rules about character classes: they make
//! passwords harder to remember without making them harder to guess.

use crate::InvalidValue;

/// The shortest password an account may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest: enough for any pass phrase, and Argon2 is not fed megabytes.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Checks a new password for the account `username`. Every place that
/// sets a password (an admin creating or resetting, a user changing their
/// own, the command line, the first admin) asks this.
pub fn check_password(password: &str, username: &str) -> Result<(), InvalidValue> {
    let refuse = |problem: String| Err(InvalidValue::new("password", problem));
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return refuse(format!(
            "is {length} characters long; use at least {MIN_PASSWORD_CHARS}, e.g. a few words that belong together only for you"
        ));
    }
    if length > MAX_PASSWORD_CHARS {
        return refuse(format!(
            "is {length} characters long; use at most {MAX_PASSWORD_CHARS}"
        ));
    }
    if password.trim().is_empty() {
        return refuse("is only spaces; use words or characters you can remember".to_string());
    }
    let folded = fold(password);
    let name = fold(username);
    // A name of one or two letters would refuse half of all passwords.
    let contains_name = if name.chars().count() >= 3 {
        folded.contains(&name)
    } else {
        folded == name
    };
    if contains_name {
        return refuse(
            "contains the user name, which anyone can guess; choose a password without it"
                .to_string(),
        );
    }
    if is_common(&folded) {
        return refuse(
            "is one of the passwords attackers try first; choose one that is not a common word, name, keyboard row or sequence"
                .to_string(),
        );
    }
    Ok(())
}

/// Lower case, without spaces and separators, so that `Pass Word-1234`
/// and `password1234` compare alike.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Words and keyboard patterns that lists of breached passwords begin with.
/// A password made of one of them with digits or repeats added is as weak.
const COMMON_STEMS: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "qwerty",
    "qwertz",
    "azerty",
    "asdfgh",
    "zxcvbn",
    "iloveyou",
    "letmein",
    "welcome",
    "admin",
    "administrator",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "superman",
    "starwars",
    "trustno1",
    "whatever",
    "shadow",
    "master",
    "michael",
    "jennifer",
    "computer",
    "internet",
    "changeme",
    "secret",
    "corridor",
    "default",
    "login",
    "abc123",
    "hello",
    "freedom",
    "qazwsx",
    "1q2w3e",
    "123qwe",
    "abcdef",
    "abcdefgh",
    "test",
    "guest",
    "user",
    "root",
    "access",
];

fn is_common(folded: &str) -> bool {
    if folded.is_empty() {
        return true;
    }
    // One character repeated, or a run of neighbours: "aaaaaaaaaaaa",
    // "123456789012", "abcdefghijkl".
    let chars: Vec<char> = folded.chars().collect();
    if chars.iter().all(|c| *c == chars[0]) {
        return true;
    }
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|pair| i64::from(u32::from(pair[1])) - i64::from(u32::from(pair[0])))
        .collect();
    if steps.iter().all(|step| matches!(step, 1 | -1 | -9)) {
        return true;
    }
    // A short pattern repeated: "abcabcabcabc", "12341234…".
    for period in 1..=chars.len() / 2 {
        if chars.len().is_multiple_of(period)
            && chars.chunks(period).all(|chunk| chunk == &chars[..period])
        {
            return true;
        }
    }
    // A common word with only digits and symbols around it.
    COMMON_STEMS.iter().any(|stem| {
        folded.match_indices(stem).any(|(start, _)| {
            let rest = folded[..start]
                .chars()
                .chain(folded[start + stem.len()..].chars());
            rest.clone().count() <= 8 && rest.clone().all(|c| !c.is_alphabetic())
                || folded.len() <= stem.len() + 2
        })
    }) || is_keyboard_run(folded)
}

/// Runs along the keyboard rows, with digits or symbols around them, e.g.
/// "qwertyuiop12" or "1qaz2wsx3edc".
fn is_keyboard_run(folded: &str) -> bool {
    const ROWS: &[&str] = &[
        "`1234567890-=",
        "qwertyuiop[]\\",
        "asdfghjkl;'",
        "zxcvbnm,./",
        "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    ];
    let core = folded.trim_matches(|c: char| !c.is_alphabetic());
    core.chars().count() >= 6
        && ROWS
            .iter()
            .any(|row| row.contains(core) || row.chars().rev().collect::<String>().contains(core))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(password: &str, username: &str) -> Option<String> {
        check_password(password, username)
            .err()
            .map(|invalid| invalid.problem)
    }

    #[test]
    fn passwords_are_long_not_blank_not_the_name_and_not_common() {
        for good in [
            "olive grove at dusk",
            "Tea-with-Amal-on-Fridays",
            "kettle battery horse staple",
            "w7Kp2mQx9RtZ4vLn8bYc",
        ] {
            assert_eq!(problem(good, "amal.h"), None, "{good}");
        }
        assert!(
            problem("short pass", "amal")
                .unwrap()
                .contains("at least 12")
        );
        assert!(
            problem(&" ".repeat(14), "amal")
                .unwrap()
                .contains("only spaces")
        );
        assert!(
            problem(&"x".repeat(129), "amal")
                .unwrap()
                .contains("at most 128")
        );
        assert!(
            problem("coordinator-2026", "coordinator")
                .unwrap()
                .contains("user name")
        );
        assert!(
            problem("My Coord 2026 pass!", "COORD")
                .unwrap()
                .contains("user name")
        );
        for common in [
            "password1234",
            "Password 2026!",
            "P@ssw0rd12345",
            "qwertyuiop12",
            "123456789012",
            "aaaaaaaaaaaa",
            "abcabcabcabc",
            "iloveyou2026",
            "1qaz2wsx3edc",
            "abcdefghijkl",
            "zyxwvutsrqpo",
            "letmein!!!!!",
            "corridor2026",
        ] {
            assert!(
                problem(common, "amal").is_some_and(|p| p.contains("attackers try first")),
                "{common}"
            );
        }
        assert_eq!(
            check_password("tiny", "amal").unwrap_err().field,
            "password"
        );
    }
}
