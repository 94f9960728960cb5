//! Generated import files, for tests and the 100,000-user benchmark
//! (`cargo run --release -p server --example import_sample`).
//!
//! Row `i` has the import id `legacy-<i>`, the email `user<i>@example.com`,
//! a phone on even rows, the username `user_<i>` and the password
//! [`password_of`]`(i)`, hashed with the `i % 7`-th scheme of
//! [`LegacyScheme::ALL`], so every scheme appears in every 7 rows. Every
//! 50th row is frozen, every 97th closed (and holds no money); the others
//! hold some CNY, every 5th some USD and every 7th some BTC. The same `i`
//! always gives the same line.

use super::legacy_hash::LegacyScheme;
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use md5::{Digest, Md5};
use serde_json::{json, Value};
use sha1::Sha1;

/// The plaintext password of sample row `i`.
pub fn password_of(i: u64) -> String {
    format!("Legacy pass {i}")
}

/// The scheme of sample row `i`.
pub fn scheme_of(i: u64) -> LegacyScheme {
    LegacyScheme::ALL[(i % LegacyScheme::ALL.len() as u64) as usize]
}

/// Sample row `i` as one JSON line (no newline).
pub fn row(i: u64) -> String {
    let pw = password_of(i);
    let scheme = scheme_of(i);
    let salt = format!("s{i:x}");
    let md5_hex = |bytes: &[u8]| hex::encode(Md5::digest(bytes));
    let hash = match scheme {
        LegacyScheme::Md5 => md5_hex(pw.as_bytes()),
        LegacyScheme::DoubleMd5 => md5_hex(md5_hex(pw.as_bytes()).as_bytes()),
        LegacyScheme::Md5SaltFirst => md5_hex(format!("{salt}{pw}").as_bytes()),
        LegacyScheme::Md5SaltLast => md5_hex(format!("{pw}{salt}").as_bytes()),
        LegacyScheme::Sha1 => hex::encode(Sha1::digest(pw.as_bytes())),
        // The lowest costs: the generator is fast, and the import never
        // computes them anyway.
        LegacyScheme::Bcrypt => {
            // A salt derived from `i`: the same file every time.
            let mut salt = [0u8; 16];
            salt[..8].copy_from_slice(&i.to_le_bytes());
            bcrypt::hash_with_salt(&pw, 4, salt)
                .map(|h| h.format_for_version(bcrypt::Version::TwoB))
                .unwrap_or_default()
        }
        LegacyScheme::Argon2 => {
            let params = Params::new(64, 1, 1, None).unwrap_or_default();
            let salt = SaltString::from_b64(&format!("c2Fs{i:012x}")).ok();
            salt.and_then(|salt| {
                Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                    .hash_password(pw.as_bytes(), &salt)
                    .ok()
                    .map(|h| h.to_string())
            })
            .unwrap_or_default()
        }
    };
    let mut password = json!({ "scheme": scheme.name(), "hash": hash });
    if matches!(
        scheme,
        LegacyScheme::Md5SaltFirst | LegacyScheme::Md5SaltLast
    ) {
        password["salt"] = Value::String(salt);
    }
    let (status, closed) = if i.is_multiple_of(97) {
        (5, true)
    } else if i.is_multiple_of(50) {
        (1, false)
    } else {
        (0, false)
    };
    let mut row = json!({
        "import_id": format!("legacy-{i}"),
        "email": format!("user{i}@example.com"),
        "username": format!("user_{i}"),
        "display_name": format!("User {i}"),
        "gender": i % 3,
        "status": status,
        "created_at": 1_500_000_000 + i as i64,
        "password": password,
    });
    if i.is_multiple_of(2) {
        row["phone"] = Value::String(format!("139{:08}", i % 100_000_000));
        row["phone_verified"] = Value::Bool(true);
    }
    if !closed {
        let mut balances = serde_json::Map::new();
        balances.insert("CNY".into(), format!("{}.{:02}", i % 1000, i % 100).into());
        if i.is_multiple_of(5) {
            balances.insert("USD".into(), format!("{}.50", i % 300).into());
        }
        if i.is_multiple_of(7) {
            balances.insert("BTC".into(), format!("0.{:08}", i % 100_000_000).into());
        }
        row["balances"] = Value::Object(balances);
    }
    row.to_string()
}

/// Writes rows `1..=count`, one a line.
pub fn write(mut out: impl std::io::Write, count: u64) -> std::io::Result<()> {
    for i in 1..=count {
        writeln!(out, "{}", row(i))?;
    }
    Ok(())
}
