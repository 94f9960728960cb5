//! Password hashes as other systems stored them, kept until their owner's
//! first sign-in.
//!
//! An import stores each row's hash as it is (scheme, salt, hash), after
//! checking its form only: no hash is computed at import, so 100,000 users
//! move in within seconds. The first sign-in that proves the password
//! replaces it by the product's argon2id verifiers (see
//! [`legacy_sign_in`](super::legacy_sign_in)). Every comparison runs in
//! constant time: the digests are compared with `subtle`, bcrypt and argon2
//! compare inside their crates (both use `subtle` too).
//!
//! Costly legacy parameters would make every sign-in of such a user costly
//! for the server, so they are capped at import: bcrypt's cost at
//! [`BCRYPT_MAX_COST`], argon2's memory, passes and lanes at
//! [`ARGON2_MAX_M_KIB`], [`ARGON2_MAX_T`] and [`ARGON2_MAX_P`].

use crate::password_digests::DigestScheme;
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::{Argon2, Params};
use base64::Engine;
use md5::{Digest, Md5};
use sha1::Sha1;
use shared::{AppError, ErrorCode};
use subtle::ConstantTimeEq;

/// Highest bcrypt cost accepted: 2^16 rounds, about four seconds a check.
pub const BCRYPT_MAX_COST: u32 = 16;
/// Most argon2 memory accepted, in KiB (256 MiB).
pub const ARGON2_MAX_M_KIB: u32 = 256 * 1024;
/// Most argon2 passes accepted.
pub const ARGON2_MAX_T: u32 = 16;
/// Most argon2 lanes accepted.
pub const ARGON2_MAX_P: u32 = 8;
/// Longest salt of the salted MD5 schemes, in bytes.
pub const SALT_MAX_BYTES: usize = 256;

/// How the old system hashed a password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LegacyScheme {
    /// `md5(pw)`, hex.
    Md5,
    /// `md5(hex(md5(pw)))`: the inner digest as lowercase hex (jigsaw's).
    DoubleMd5,
    /// `md5(salt + pw)`, hex; the salt is text, used as its UTF-8 bytes.
    Md5SaltFirst,
    /// `md5(pw + salt)`, hex.
    Md5SaltLast,
    /// `sha1(pw)`, hex.
    Sha1,
    /// `$2a$`, `$2b$` or `$2y$` with the cost and salt inside.
    Bcrypt,
    /// A PHC string: `$argon2id$…`, `$argon2i$…` or `$argon2d$…`.
    Argon2,
}

impl LegacyScheme {
    pub const ALL: [LegacyScheme; 7] = [
        LegacyScheme::Md5,
        LegacyScheme::DoubleMd5,
        LegacyScheme::Md5SaltFirst,
        LegacyScheme::Md5SaltLast,
        LegacyScheme::Sha1,
        LegacyScheme::Bcrypt,
        LegacyScheme::Argon2,
    ];

    /// The name in import files and in `legacy_passwords.scheme`.
    pub fn name(self) -> &'static str {
        match self {
            LegacyScheme::Md5 => "md5",
            LegacyScheme::DoubleMd5 => "md5(md5)",
            LegacyScheme::Md5SaltFirst => "md5(salt+pw)",
            LegacyScheme::Md5SaltLast => "md5(pw+salt)",
            LegacyScheme::Sha1 => "sha1",
            LegacyScheme::Bcrypt => "bcrypt",
            LegacyScheme::Argon2 => "argon2",
        }
    }

    pub fn parse(name: &str) -> Option<LegacyScheme> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }

    fn salted(self) -> bool {
        matches!(self, LegacyScheme::Md5SaltFirst | LegacyScheme::Md5SaltLast)
    }

    /// Hex digits of the hash, for the digest schemes.
    fn hex_len(self) -> Option<usize> {
        match self {
            LegacyScheme::Sha1 => Some(40),
            LegacyScheme::Bcrypt | LegacyScheme::Argon2 => None,
            _ => Some(32),
        }
    }

    /// The seed clients' digest that equals this stored hash: a client of
    /// that scheme sends exactly what the old system stored, so a facade can
    /// sign such a user in before anyone knows the password.
    pub fn same_as_digest(self) -> Option<DigestScheme> {
        match self {
            LegacyScheme::Md5 => Some(DigestScheme::Md5),
            LegacyScheme::DoubleMd5 => Some(DigestScheme::DoubleMd5),
            LegacyScheme::Sha1 => Some(DigestScheme::Sha1),
            _ => None,
        }
    }
}

/// A checked legacy hash. Deliberately neither `Debug`-printed in full nor
/// `Serialize`: it is as good as the password against a fast guesser.
#[derive(Clone, PartialEq, Eq)]
pub struct LegacyHash {
    scheme: LegacyScheme,
    salt: Option<String>,
    /// Lowercase hex for the digest schemes, the whole string otherwise.
    hash: String,
}

impl std::fmt::Debug for LegacyHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LegacyHash({}, ..)", self.scheme.name())
    }
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::with_message(ErrorCode::InvalidLegacyHash, message)
}

/// bcrypt's own base64 alphabet, without padding (as the `bcrypt` crate decodes).
const BCRYPT_B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::BCRYPT,
    base64::engine::general_purpose::NO_PAD,
);

impl LegacyHash {
    /// Checks an import row's hash against its scheme's form (hex digits of
    /// the right length, a well-formed bcrypt or argon2 string within the
    /// caps) and normalises it; `INVALID_LEGACY_HASH` says what is wrong.
    pub fn new(scheme: &str, hash: &str, salt: Option<&str>) -> Result<LegacyHash, AppError> {
        let scheme = LegacyScheme::parse(scheme).ok_or_else(|| {
            let known: Vec<_> = LegacyScheme::ALL.iter().map(|s| s.name()).collect();
            invalid(format!(
                "unknown scheme {scheme:?}; known: {}",
                known.join(", ")
            ))
        })?;
        let salt = match (scheme.salted(), salt) {
            (true, Some(s)) if !s.is_empty() && s.len() <= SALT_MAX_BYTES => Some(s.to_string()),
            (true, _) => {
                return Err(invalid(format!(
                    "{} needs a salt of 1–{SALT_MAX_BYTES} bytes",
                    scheme.name()
                )))
            }
            (false, Some(_)) => {
                return Err(invalid(format!("{} takes no separate salt", scheme.name())))
            }
            (false, None) => None,
        };
        let hash = hash.trim();
        let hash = match scheme.hex_len() {
            Some(len) => {
                if hash.len() != len || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(invalid(format!(
                        "{} hashes are {len} hex digits",
                        scheme.name()
                    )));
                }
                hash.to_ascii_lowercase()
            }
            None if scheme == LegacyScheme::Bcrypt => check_bcrypt(hash)?,
            None => check_argon2(hash)?,
        };
        Ok(LegacyHash { scheme, salt, hash })
    }

    /// A row of `legacy_passwords`; `None` if it is not one this code
    /// would have stored.
    pub(crate) fn from_stored(scheme: &str, salt: Option<String>, hash: String) -> Option<Self> {
        let scheme = LegacyScheme::parse(scheme)?;
        (scheme.salted() == salt.is_some()).then_some(LegacyHash { scheme, salt, hash })
    }

    pub fn scheme(&self) -> LegacyScheme {
        self.scheme
    }

    pub(crate) fn salt(&self) -> Option<&str> {
        self.salt.as_deref()
    }

    pub(crate) fn hash(&self) -> &str {
        &self.hash
    }

    /// Whether `password` is the one this hash was made of. bcrypt and
    /// argon2 are slow by design: call this off the async runtime.
    pub fn verify(&self, password: &str) -> bool {
        let pw = password.as_bytes();
        match self.scheme {
            LegacyScheme::Md5 => self.digest_is(&Md5::digest(pw)),
            LegacyScheme::DoubleMd5 => {
                let inner = hex::encode(Md5::digest(pw));
                self.digest_is(&Md5::digest(inner.as_bytes()))
            }
            LegacyScheme::Md5SaltFirst | LegacyScheme::Md5SaltLast => {
                let salt = self.salt.as_deref().unwrap_or_default().as_bytes();
                let mut md5 = Md5::new();
                if self.scheme == LegacyScheme::Md5SaltFirst {
                    md5.update(salt);
                    md5.update(pw);
                } else {
                    md5.update(pw);
                    md5.update(salt);
                }
                self.digest_is(&md5.finalize())
            }
            LegacyScheme::Sha1 => self.digest_is(&Sha1::digest(pw)),
            // Constant-time inside the crate (subtle); longer passwords are
            // cut at 72 bytes, as every bcrypt did when the hash was made.
            LegacyScheme::Bcrypt => bcrypt::verify(pw, &self.hash).unwrap_or(false),
            // The parameters come from the hash; the output comparison is
            // constant-time (`password_hash::Output`).
            LegacyScheme::Argon2 => PasswordHash::new(&self.hash)
                .map(|parsed| Argon2::default().verify_password(pw, &parsed).is_ok())
                .unwrap_or(false),
        }
    }

    /// Whether a seed client's digest (`scheme`, already normalised to
    /// lowercase hex) is this hash: only for the schemes where the two are
    /// the same thing (see [`LegacyScheme::same_as_digest`]).
    pub fn matches_digest(&self, scheme: DigestScheme, digest: &str) -> bool {
        self.scheme.same_as_digest() == Some(scheme)
            && digest.len() == self.hash.len()
            && bool::from(digest.as_bytes().ct_eq(self.hash.as_bytes()))
    }

    /// Compares a computed digest with the stored hex, in constant time.
    fn digest_is(&self, computed: &[u8]) -> bool {
        let computed = hex::encode(computed);
        computed.len() == self.hash.len()
            && bool::from(computed.as_bytes().ct_eq(self.hash.as_bytes()))
    }
}

/// `$2a$`, `$2b$` or `$2y$`, a two-digit cost within the cap, then 22
/// characters of salt and 31 of hash in bcrypt's base64, exactly as the
/// `bcrypt` crate will read them at sign-in. `$2x$` (PHP's buggy variant)
/// is refused: no correct bcrypt reproduces its hashes.
fn check_bcrypt(hash: &str) -> Result<String, AppError> {
    let bad = || invalid("bcrypt hashes look like $2b$10$ followed by 53 characters");
    let parts: Vec<&str> = hash.split('$').collect();
    let [empty, version, cost, rest] = parts[..] else {
        return Err(bad());
    };
    if !empty.is_empty() || !matches!(version, "2a" | "2b" | "2y") {
        return Err(bad());
    }
    let cost: u32 = match cost.len() {
        2 => cost.parse().map_err(|_| bad())?,
        _ => return Err(bad()),
    };
    if !(4..=BCRYPT_MAX_COST).contains(&cost) {
        return Err(invalid(format!(
            "bcrypt cost {cost} is outside 4–{BCRYPT_MAX_COST}"
        )));
    }
    if rest.len() != 53 || !rest.is_ascii() {
        return Err(bad());
    }
    let (salt, digest) = rest.split_at(22);
    let salt_ok = BCRYPT_B64.decode(salt).is_ok_and(|s| s.len() == 16);
    let digest_ok = BCRYPT_B64.decode(digest).is_ok_and(|d| d.len() == 23);
    if salt_ok && digest_ok {
        Ok(hash.to_string())
    } else {
        Err(bad())
    }
}

/// A PHC string of argon2id, argon2i or argon2d with a salt, an output and
/// parameters within the caps.
fn check_argon2(hash: &str) -> Result<String, AppError> {
    let parsed =
        PasswordHash::new(hash).map_err(|e| invalid(format!("not an argon2 PHC string ({e})")))?;
    if !matches!(
        parsed.algorithm.as_str(),
        "argon2id" | "argon2i" | "argon2d"
    ) {
        return Err(invalid(format!(
            "{} is not argon2id, argon2i or argon2d",
            parsed.algorithm
        )));
    }
    let params =
        Params::try_from(&parsed).map_err(|e| invalid(format!("argon2 parameters: {e}")))?;
    if parsed.salt.is_none() || parsed.hash.is_none() {
        return Err(invalid("the argon2 string has no salt or no hash"));
    }
    if params.m_cost() > ARGON2_MAX_M_KIB
        || params.t_cost() > ARGON2_MAX_T
        || params.p_cost() > ARGON2_MAX_P
    {
        return Err(invalid(format!(
            "argon2 parameters above m={ARGON2_MAX_M_KIB},t={ARGON2_MAX_T},p={ARGON2_MAX_P}"
        )));
    }
    Ok(hash.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, SaltString};

    const PW: &str = "correct horse 1";

    fn md5_hex(text: &[u8]) -> String {
        hex::encode(Md5::digest(text))
    }

    #[test]
    fn every_scheme_verifies_its_own_hash_and_nothing_else() {
        let argon = Argon2::new(
            argon2::Algorithm::Argon2i,
            argon2::Version::V0x13,
            Params::new(1024, 1, 1, None).unwrap(),
        )
        .hash_password(
            PW.as_bytes(),
            &SaltString::from_b64("c2FsdHNhbHRzYWx0").unwrap(),
        )
        .unwrap()
        .to_string();
        let cases = [
            ("md5", md5_hex(PW.as_bytes()).to_uppercase(), None),
            ("md5(md5)", md5_hex(md5_hex(PW.as_bytes()).as_bytes()), None),
            (
                "MD5(salt+pw)",
                md5_hex(format!("s@lt{PW}").as_bytes()),
                Some("s@lt"),
            ),
            (
                "md5(pw+salt)",
                md5_hex(format!("{PW}s@lt").as_bytes()),
                Some("s@lt"),
            ),
            ("sha1", hex::encode(Sha1::digest(PW.as_bytes())), None),
            ("bcrypt", bcrypt::hash(PW, 4).unwrap(), None),
            ("argon2", argon, None),
        ];
        for (scheme, hash, salt) in cases {
            let legacy = LegacyHash::new(scheme, &hash, salt).unwrap();
            assert!(legacy.verify(PW), "{scheme}");
            assert!(!legacy.verify("correct horse 2"), "{scheme}");
            assert!(!legacy.verify(""), "{scheme}");
        }
    }

    #[test]
    fn the_salt_goes_where_the_scheme_says() {
        let first = md5_hex(format!("s@lt{PW}").as_bytes());
        let wrong_way = LegacyHash::new("md5(pw+salt)", &first, Some("s@lt")).unwrap();
        assert!(!wrong_way.verify(PW));
        let other_salt = LegacyHash::new("md5(salt+pw)", &first, Some("salt")).unwrap();
        assert!(!other_salt.verify(PW));
    }

    #[test]
    fn malformed_hashes_are_refused_with_a_reason() {
        let bcrypt17 = bcrypt::hash(PW, 4).unwrap().replacen("$04$", "$17$", 1);
        let bad = [
            ("md4", "0".repeat(32), None),
            ("md5", "0".repeat(31), None),
            ("md5", "g".repeat(32), None),
            ("sha1", "0".repeat(32), None),
            ("md5", "0".repeat(32), Some("salt")),
            ("md5(salt+pw)", "0".repeat(32), None),
            ("md5(salt+pw)", "0".repeat(32), Some("")),
            ("bcrypt", "$2b$10$short".to_string(), None),
            ("bcrypt", bcrypt::hash(PW, 4).unwrap().replacen("$2b$", "$2x$", 1), None),
            ("bcrypt", bcrypt17, None),
            ("argon2", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA".to_string(), None),
            ("argon2", "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E".to_string(), None),
            (
                "argon2",
                "$argon2id$v=19$m=1048576,t=2,p=1$c2FsdHNhbHRzYWx0$ZGlnZXN0ZGlnZXN0ZGlnZXN0ZGlnZXN0ZGlnZXN0".to_string(),
                None,
            ),
        ];
        for (scheme, hash, salt) in bad {
            let e = LegacyHash::new(scheme, &hash, salt).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidLegacyHash, "{scheme} {hash}");
        }
    }

    #[test]
    fn unsalted_digests_match_the_facades_digest() {
        let md5 = LegacyHash::new("md5", &md5_hex(PW.as_bytes()), None).unwrap();
        assert!(md5.matches_digest(DigestScheme::Md5, &DigestScheme::Md5.of(PW)));
        assert!(!md5.matches_digest(DigestScheme::DoubleMd5, &DigestScheme::Md5.of(PW)));
        let double = LegacyHash::new("md5(md5)", &DigestScheme::DoubleMd5.of(PW), None).unwrap();
        assert!(double.matches_digest(DigestScheme::DoubleMd5, &DigestScheme::DoubleMd5.of(PW)));
        assert!(!double.matches_digest(DigestScheme::DoubleMd5, &DigestScheme::DoubleMd5.of("x")));
        let salted = LegacyHash::new("md5(salt+pw)", &md5_hex(PW.as_bytes()), Some("s")).unwrap();
        assert!(!salted.matches_digest(DigestScheme::Md5, &md5_hex(PW.as_bytes())));
        assert_eq!(format!("{double:?}"), "LegacyHash(md5(md5), ..)");
    }
}
