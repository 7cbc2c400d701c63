//! Password hashing with Argon2id (PHC strings) and generated passwords.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use rand::RngExt;

/// Hashes a password into a PHC string with a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| format!("cannot hash the password: {error}"))
}

/// Whether `password` matches the PHC string `hash`. An unreadable hash
/// matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the time of one verification, so that an unknown user name
/// takes as long to refuse as a wrong password.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("corridor-dummy-password").unwrap_or_default());
    let _ = verify_password(password, hash);
}

/// A random password of 20 characters without look-alikes (0/O, 1/l/I),
/// about 115 bits, for first-run accounts and resets; it keeps the
/// password policy (`corridor_domain::check_password`) for `username`.
pub fn generate_password(username: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    loop {
        let password: String = (0..20)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        // Drawing a password that contains the user name or a common
        // pattern is all but impossible; drawing again costs nothing.
        if corridor_domain::check_password(&password, username).is_ok() {
            return password;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterz", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let one = generate_password("admin");
        let two = generate_password("admin");
        assert_eq!(one.len(), 20);
        assert_ne!(one, two);
        assert!(corridor_domain::check_password(&one, "admin").is_ok());
    }
}
