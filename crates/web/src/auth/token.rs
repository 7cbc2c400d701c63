//! API tokens for integrations: random, shown once, stored as SHA-256.

use rand::RngExt;
use sha2::{Digest, Sha256};

const PREFIX: &str = "corridor_";

/// A new token and the hash to store.
pub fn generate_token() -> (String, String) {
    let bytes: [u8; 32] = rand::rng().random();
    let token = format!("{PREFIX}{}", hex::encode(bytes));
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random value for CSRF tokens.
pub fn random_hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    let raw: Vec<u8> = (0..bytes).map(|_| rng.random()).collect();
    hex::encode(raw)
}
