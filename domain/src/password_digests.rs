//! Passwords that arrive as digests.
//!
//! Some clients of the seed systems never send the password itself: jigsaw
//! sends `MD5(MD5(pw))`, java110 a salted `MD5(MD5(pw + "hc@java110"))`, and
//! yonyou's CAS check the password's MD5. A person must still sign in with
//! the same password through the web UI and through such a client.
//!
//! So, for each digest scheme a configured facade needs
//! ([`Settings::password_digests`](crate::Settings)), an account keeps an
//! argon2id verifier *over the digest* beside its ordinary verifier. A bare
//! digest is never stored: a stolen database costs the same argon2id work
//! per guess either way. A password set in plaintext (sign-up, reset, change,
//! or the first plaintext sign-in of an account that had none) refreshes all
//! of them; one set through a facade as a digest is the only verifier the
//! account has until its owner signs in with the plaintext, which then adds
//! the ordinary verifier (`users.password_hash` is empty until then).
//!
//! Imported accounts start with neither: their old system's hash waits in
//! `legacy_passwords` for the first sign-in (see [`crate::import`]).

use crate::audit::AuditEvent;
use crate::caller::ClientInfo;
use crate::passwords::StoredHash;
use crate::{store, DomainError, UserCenter};
use md5::{Digest, Md5};
use sha1::Sha1;
use shared::admin::AuditAction;
use shared::ErrorCode;

/// How a client turns a password into what it sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestScheme {
    /// `md5(pw)`, lowercase hex (yonyou's `md5Password`).
    Md5,
    /// `md5(md5(pw))` (jigsaw).
    DoubleMd5,
    /// `sha1(pw)` (yonyou's `shaPassword`).
    Sha1,
    /// `md5(md5(pw + "hc@java110"))`: java110's `AuthenticationFactory.passwdMd5`.
    Java110,
}

/// The salt java110 appends before hashing (its `PASSWD_SALT`).
const JAVA110_SALT: &str = "hc@java110";

impl DigestScheme {
    pub const ALL: [DigestScheme; 4] = [
        DigestScheme::Md5,
        DigestScheme::DoubleMd5,
        DigestScheme::Sha1,
        DigestScheme::Java110,
    ];

    /// The name stored with a verifier.
    pub fn name(self) -> &'static str {
        match self {
            DigestScheme::Md5 => "md5",
            DigestScheme::DoubleMd5 => "md5(md5)",
            DigestScheme::Sha1 => "sha1",
            DigestScheme::Java110 => "java110",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The digest a client of this scheme sends for `password`, as lowercase hex.
    pub fn of(self, password: &str) -> String {
        match self {
            DigestScheme::Md5 => hex::encode(Md5::digest(password.as_bytes())),
            DigestScheme::DoubleMd5 => md5_hex(&md5_hex(password)),
            DigestScheme::Sha1 => hex::encode(Sha1::digest(password.as_bytes())),
            DigestScheme::Java110 => md5_hex(&md5_hex(&format!("{password}{JAVA110_SALT}"))),
        }
    }

    /// A digest as clients send it, in the one form verifiers are made of:
    /// lowercase hex of the scheme's length. `None` when it cannot be one.
    pub fn normalise(self, digest: &str) -> Option<String> {
        let len = match self {
            DigestScheme::Sha1 => 40,
            _ => 32,
        };
        let digest = digest.trim();
        (digest.len() == len && digest.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| digest.to_ascii_lowercase())
    }
}

fn md5_hex(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

/// The verifiers of one password: the ordinary one (`None` when the
/// password is known only as a digest) and one per digest scheme.
pub(crate) struct PasswordVerifiers {
    pub(crate) main: Option<StoredHash>,
    pub(crate) digests: Vec<(DigestScheme, StoredHash)>,
}

impl PasswordVerifiers {
    /// What `users.password_hash` holds: empty when there is no ordinary verifier.
    pub(crate) fn main_phc(&self) -> &str {
        self.main.as_ref().map_or("", |h| h.0.as_str())
    }
}

impl UserCenter {
    /// The verifiers of a password known only as a digest (already
    /// normalised): argon2id over the digest, and no ordinary verifier until
    /// the first plaintext sign-in adds one.
    pub(crate) async fn verifiers_of_digest(
        &self,
        scheme: DigestScheme,
        digest: &str,
    ) -> Result<PasswordVerifiers, DomainError> {
        Ok(PasswordVerifiers {
            main: None,
            digests: vec![(scheme, self.hasher.hash(digest).await?)],
        })
    }

    /// Hashes a password given in plaintext: the ordinary verifier and one
    /// per configured digest scheme. Run before any write transaction.
    pub(crate) async fn password_verifiers(
        &self,
        password: &str,
    ) -> Result<PasswordVerifiers, DomainError> {
        let main = self.hasher.hash(password).await?;
        let mut digests = Vec::with_capacity(self.settings.password_digests.len());
        for &scheme in &self.settings.password_digests {
            digests.push((scheme, self.hasher.hash(&scheme.of(password)).await?));
        }
        Ok(PasswordVerifiers {
            main: Some(main),
            digests,
        })
    }

    /// Stores `verifiers` as the user's password, dropping every verifier the
    /// old password had, inside the caller's transaction.
    pub(crate) async fn replace_password(
        &self,
        conn: &mut crate::store::Conn,
        user_id: i64,
        verifiers: &PasswordVerifiers,
    ) -> Result<(), DomainError> {
        // An imported hash never outlives a new password, nor a digest.
        store::passwords::replace(conn, user_id, verifiers.main_phc(), self.now()).await?;
        store_digests(conn, user_id, &verifiers.digests).await
    }

    /// Checks a plaintext password against an account's stored verifiers
    /// (`stored` is its `users.password_hash`; `None`: no such account, and
    /// a dummy hash is checked so the answer takes as long).
    ///
    /// An account whose password is known only as a digest is checked
    /// through its digest verifiers; on a match the ordinary verifier is
    /// added. An imported account's legacy hash is checked first and, on a
    /// match, replaced (see [`crate::import`]). After any match, verifiers
    /// missing for configured schemes are added, so a facade enabled later
    /// works after one plaintext sign-in.
    pub(crate) async fn verify_password(
        &self,
        user_id: i64,
        stored: Option<&str>,
        password: &str,
    ) -> Result<bool, DomainError> {
        let matched = match stored {
            None => {
                self.hasher.verify(password, None).await?;
                return Ok(false);
            }
            Some(main) if !main.is_empty() => {
                self.hasher
                    .verify(password, Some(&StoredHash(main.to_owned())))
                    .await?
            }
            Some(_) => match self.verify_legacy(user_id, password).await? {
                Some(true) => true,
                // A wrong password costs an argon2id check here either way.
                Some(false) => self.verify_through_digests(user_id, password).await?,
                // No legacy hash, or no longer: a parallel sign-in may have
                // just replaced it, and then the new verifier answers.
                None => match self.main_verifier(user_id).await? {
                    Some(main) => self.hasher.verify(password, Some(&main)).await?,
                    None => self.verify_through_digests(user_id, password).await?,
                },
            },
        };
        if matched {
            if let Err(e) = self.complete_verifiers(user_id, password).await {
                // The sign-in stands; the verifiers are completed next time.
                tracing::warn!(user_id, error = %e, "could not add password verifiers");
            }
        }
        Ok(matched)
    }

    /// The account's ordinary verifier as stored now, if it has one.
    async fn main_verifier(&self, user_id: i64) -> Result<Option<StoredHash>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let hash = store::passwords::main_hash(&mut conn, user_id).await?;
        Ok(hash.filter(|h| !h.is_empty()).map(StoredHash))
    }

    async fn verify_through_digests(
        &self,
        user_id: i64,
        password: &str,
    ) -> Result<bool, DomainError> {
        let rows = self.digest_verifiers(user_id).await?;
        if rows.is_empty() {
            self.hasher.verify(password, None).await?;
            return Ok(false);
        }
        for (scheme, verifier) in rows {
            if self
                .hasher
                .verify(&scheme.of(password), Some(&verifier))
                .await?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn digest_verifiers(
        &self,
        user_id: i64,
    ) -> Result<Vec<(DigestScheme, StoredHash)>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let rows = store::passwords::digests(&mut conn, user_id).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(name, v)| DigestScheme::from_name(&name).map(|s| (s, StoredHash(v))))
            .collect())
    }

    /// Adds the ordinary verifier (when the account had only digests) and
    /// the verifiers of configured schemes the account lacks, after the
    /// plaintext `password` was proven right.
    async fn complete_verifiers(&self, user_id: i64, password: &str) -> Result<(), DomainError> {
        let have: Vec<DigestScheme> = self
            .digest_verifiers(user_id)
            .await?
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let mut conn = self.pool.acquire().await?;
        let main = store::passwords::main_hash(&mut conn, user_id).await?;
        drop(conn);
        let needs_main = main.is_some_and(|h| h.is_empty());
        let missing: Vec<DigestScheme> = self
            .settings
            .password_digests
            .iter()
            .copied()
            .filter(|s| !have.contains(s))
            .collect();
        if !needs_main && missing.is_empty() {
            return Ok(());
        }
        let main = match needs_main {
            true => Some(self.hasher.hash(password).await?),
            false => None,
        };
        let mut digests = Vec::with_capacity(missing.len());
        for scheme in missing {
            digests.push((scheme, self.hasher.hash(&scheme.of(password)).await?));
        }
        let mut tx = crate::store::begin_write(&self.pool).await?;
        if let Some(main) = main {
            // Only if the password was not changed meanwhile.
            store::passwords::fill_main(&mut tx, user_id, &main.0).await?;
        }
        store_digests(&mut tx, user_id, &digests).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks a digest against the account's verifier for its scheme; an
    /// account without one (or no account) costs a dummy hash and fails.
    pub(crate) async fn verify_digest(
        &self,
        user_id: Option<i64>,
        scheme: DigestScheme,
        digest: &str,
    ) -> Result<bool, DomainError> {
        let verifier = match user_id {
            Some(id) => self
                .digest_verifiers(id)
                .await?
                .into_iter()
                .find(|(s, _)| *s == scheme)
                .map(|(_, v)| v),
            None => None,
        };
        let Some(digest) = scheme.normalise(digest) else {
            self.hasher.verify(digest, None).await?;
            return Ok(false);
        };
        if let (None, Some(id)) = (&verifier, user_id) {
            // An imported hash that is this very digest; a miss still
            // costs the dummy check below.
            if self.verify_legacy_digest(id, scheme, &digest).await? == Some(true) {
                return Ok(true);
            }
        }
        let exists = verifier.is_some();
        Ok(self.hasher.verify(&digest, verifier.as_ref()).await? && exists)
    }

    /// A counted check of the current password given as a digest (the
    /// re-entry limiter: `PASSWORD_INCORRECT`, then `REENTRY_LOCKED`).
    pub async fn check_password_digest(
        &self,
        user_id: i64,
        scheme: DigestScheme,
        digest: &str,
    ) -> Result<(), DomainError> {
        self.reenter_digest(user_id, scheme, digest).await
    }

    /// Replaces the password by one known only as a digest (every other
    /// verifier is dropped) and ends the user's sessions, as a reset does.
    pub async fn set_password_digest(
        &self,
        user_id: i64,
        scheme: DigestScheme,
        digest: &str,
        client: &ClientInfo,
    ) -> Result<(), DomainError> {
        let digest = scheme
            .normalise(digest)
            .ok_or(DomainError::from(ErrorCode::InvalidInput))?;
        let verifiers = self.verifiers_of_digest(scheme, &digest).await?;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        if store::users::status(&mut tx, user_id).await?.is_none() {
            return Err(ErrorCode::NotFound.into());
        }
        self.replace_password(&mut tx, user_id, &verifiers).await?;
        crate::store::sessions::revoke_all(&mut tx, user_id, None, self.now()).await?;
        tx.commit().await?;
        self.sessions_changed_for(user_id);
        self.audit(AuditEvent::by_user(
            AuditAction::PasswordChanged,
            user_id,
            client,
        ))
        .await;
        Ok(())
    }
}

/// Inserts digest verifiers for a user inside the caller's transaction.
pub(crate) async fn store_digests(
    conn: &mut crate::store::Conn,
    user_id: i64,
    digests: &[(DigestScheme, StoredHash)],
) -> Result<(), DomainError> {
    for (scheme, verifier) in digests {
        store::passwords::add_digest(conn, user_id, scheme.name(), &verifier.0).await?;
    }
    Ok(())
}
