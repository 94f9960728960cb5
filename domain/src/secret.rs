//! The token signing secret kept in the data directory.
//!
//! There is no built-in default secret: when none is configured, a random one is
//! generated on first start and stored with owner-only permissions, so tokens
//! survive restarts without anyone having to invent a secret.

use crate::DomainError;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use std::io::Write;
use std::path::Path;

/// The shortest secret accepted: it is the HMAC key of every token, and an
/// empty or short one (e.g. a file truncated by a crash on first start)
/// would let anyone forge tokens.
pub const MIN_SECRET_BYTES: usize = 32;

/// Reads `path`, or creates it with a fresh random secret (mode 0600).
/// A stored secret shorter than [`MIN_SECRET_BYTES`] is an error: the server
/// must not start with it.
pub fn load_or_create(path: &Path) -> Result<Vec<u8>, DomainError> {
    load_or_create_named(path, "token secret")
}

/// [`load_or_create`] for any 32-byte key; `what` names it in errors.
pub fn load_or_create_named(path: &Path, what: &str) -> Result<Vec<u8>, DomainError> {
    if path.exists() {
        let text = std::fs::read_to_string(path)?;
        let secret = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| invalid(format!("{} is not base64: {e}", path.display())))?;
        if secret.len() < MIN_SECRET_BYTES {
            return Err(invalid(format!(
                "the {what} in {} is {} bytes; at least {MIN_SECRET_BYTES} are needed. \
                 Write the right base64 key into it (restore it from your backup)",
                path.display(),
                secret.len()
            )));
        }
        return Ok(secret);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut secret = vec![0u8; MIN_SECRET_BYTES];
    OsRng.fill_bytes(&mut secret);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&secret);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(encoded.as_bytes())?;
    file.sync_all()?;
    Ok(secret)
}

/// Refuses a token secret shorter than [`MIN_SECRET_BYTES`].
pub fn check(secret: &[u8]) -> Result<(), DomainError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(invalid(format!(
            "the token secret is {} bytes; at least {MIN_SECRET_BYTES} are needed",
            secret.len()
        )));
    }
    Ok(())
}

fn invalid(message: String) -> DomainError {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message).into()
}
