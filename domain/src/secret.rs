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

const SECRET_BYTES: usize = 32;

/// Reads `path`, or creates it with a fresh random secret (mode 0600).
pub fn load_or_create(path: &Path) -> Result<Vec<u8>, DomainError> {
    if path.exists() {
        let text = std::fs::read_to_string(path)?;
        return base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e).into());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut secret = vec![0u8; SECRET_BYTES];
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
