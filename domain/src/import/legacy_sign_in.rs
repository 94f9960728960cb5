//! The first sign-in of an imported user: the legacy hash is checked once
//! and replaced, so none is left once everyone has signed in.
//!
//! An imported account has an empty `users.password_hash` and a row of
//! `legacy_passwords`, so [`verify_password`](crate::UserCenter) (the one
//! place a plaintext password is checked) asks here before the digest
//! verifiers. A right password is hashed into the product's verifiers
//! (argon2id, plus one per configured digest scheme) which replace the
//! legacy row in one transaction. A wrong one falls through to the digest
//! check, which costs an argon2id hash like any other failure, so a fast
//! legacy scheme tells a guesser nothing by its timing.
//!
//! A seed client's digest can be checked too: `md5`, `md5(md5)` and `sha1`
//! hashes are exactly what yonyou's CAS and jigsaw send, so such users sign
//! in through those facades straight after the import. A match converts the
//! row into an argon2id verifier over the digest (the form the facades'
//! own accounts have), and the next plaintext sign-in completes the rest.

use super::legacy_hash::LegacyHash;
use crate::password_digests::{store_digests, DigestScheme};
use crate::{store, DomainError, UserCenter};

impl UserCenter {
    /// The user's legacy hash, if it has one left.
    pub(crate) async fn legacy_password(
        &self,
        user_id: i64,
    ) -> Result<Option<LegacyHash>, DomainError> {
        let row = store::import::legacy_of(&mut *self.pool.acquire().await?, user_id).await?;
        Ok(row.and_then(|(scheme, salt, hash)| LegacyHash::from_stored(&scheme, salt, hash)))
    }

    /// Checks a plaintext password against the user's legacy hash: `None`
    /// when there is none, else whether it matched. A match replaces the
    /// legacy hash by the product's verifiers before this returns.
    pub(crate) async fn verify_legacy(
        &self,
        user_id: i64,
        password: &str,
    ) -> Result<Option<bool>, DomainError> {
        let Some(legacy) = self.legacy_password(user_id).await? else {
            return Ok(None);
        };
        let (checked, pw) = (legacy.clone(), password.to_owned());
        // bcrypt and argon2 are slow: the hasher's pool and its bound.
        let matched = self
            .hasher
            .run_blocking(move || Ok(checked.verify(&pw)))
            .await?;
        if matched {
            if let Err(e) = self.upgrade_legacy(user_id, &legacy, password).await {
                // The sign-in stands; the next one tries again.
                tracing::warn!(user_id, error = %e, "could not replace a legacy password hash");
            }
        }
        Ok(Some(matched))
    }

    /// Replaces the legacy row by argon2id verifiers of `password`; a
    /// parallel sign-in that got there first (the row is gone) wins.
    async fn upgrade_legacy(
        &self,
        user_id: i64,
        legacy: &LegacyHash,
        password: &str,
    ) -> Result<(), DomainError> {
        let verifiers = self.password_verifiers(password).await?;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        if store::import::take_legacy(&mut tx, user_id, legacy.hash()).await? {
            self.replace_password(&mut tx, user_id, &verifiers).await?;
            tracing::info!(
                user_id,
                scheme = legacy.scheme().name(),
                "legacy password hash replaced"
            );
        }
        tx.commit().await?;
        Ok(())
    }

    /// Checks a seed client's digest (normalised) against the user's legacy
    /// hash when the two are the same kind of thing: `None` when there is
    /// nothing to compare, else whether it matched. A match turns the row
    /// into the argon2id verifier of that digest scheme.
    pub(crate) async fn verify_legacy_digest(
        &self,
        user_id: i64,
        scheme: DigestScheme,
        digest: &str,
    ) -> Result<Option<bool>, DomainError> {
        let Some(legacy) = self.legacy_password(user_id).await? else {
            return Ok(None);
        };
        if legacy.scheme().same_as_digest() != Some(scheme) {
            return Ok(None);
        }
        let matched = legacy.matches_digest(scheme, digest);
        if matched {
            if let Err(e) = self.convert_legacy(user_id, &legacy, scheme, digest).await {
                tracing::warn!(user_id, error = %e, "could not convert a legacy password hash");
            }
        }
        Ok(Some(matched))
    }

    async fn convert_legacy(
        &self,
        user_id: i64,
        legacy: &LegacyHash,
        scheme: DigestScheme,
        digest: &str,
    ) -> Result<(), DomainError> {
        let verifier = self.hasher.hash(digest).await?;
        let mut tx = crate::store::begin_write(&self.pool).await?;
        if store::import::take_legacy(&mut tx, user_id, legacy.hash()).await? {
            store::passwords::drop_digest(&mut tx, user_id, scheme.name()).await?;
            store_digests(&mut tx, user_id, &[(scheme, verifier)]).await?;
            tracing::info!(
                user_id,
                scheme = scheme.name(),
                "legacy password hash kept as a digest verifier"
            );
        }
        tx.commit().await?;
        Ok(())
    }
}
