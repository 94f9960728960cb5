//! Opaque secrets handed to clients (refresh tokens, security tickets, captcha
//! keys) and how they are stored: only a digest, so a copy of the database
//! cannot be replayed. Short secrets that could be brute-forced from a plain
//! digest (six-digit codes, captcha answers) get a keyed hash instead.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// 256 random bits, URL-safe base64.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a high-entropy token: enough, since the token cannot be guessed.
pub(crate) fn token_digest(token: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// HMAC-SHA256 under a key derived from the server secret.
#[derive(Clone)]
pub(crate) struct KeyedHash {
    key: [u8; 32],
}

impl KeyedHash {
    /// Derives a key for one use (`label`) from the server secret, so the
    /// signing key itself is never used for anything else.
    pub(crate) fn derive(secret: &[u8], label: &str) -> Self {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC accepts keys of any length");
        mac.update(label.as_bytes());
        KeyedHash {
            key: mac.finalize().into_bytes().into(),
        }
    }

    /// A hash under a key of its own (the blind-index key, stored wrapped).
    pub(crate) fn from_key(key: [u8; 32]) -> Self {
        KeyedHash { key }
    }

    /// The derived key itself, for uses other than hashing (encrypting
    /// stored secrets).
    pub(crate) fn key_bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// The hash of `parts`, each length-prefixed so `("ab", "c")` and
    /// `("a", "bc")` differ.
    pub(crate) fn hash(&self, parts: &[&str]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC accepts keys of any length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// Compares in constant time.
    pub(crate) fn matches(&self, parts: &[&str], stored: &str) -> bool {
        self.hash(parts).as_bytes().ct_eq(stored.as_bytes()).into()
    }
}
